package emulator

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strings"
	"time"
	"unicode/utf16"

	"golang.org/x/crypto/md4" //nolint:staticcheck // NTLM is defined on MD4 ([MS-NLMP] 3.3.1)
)

// The emulator's side of NTLM over HTTP ([MS-NLMP], [MS-WSMV] 3.2.4.1.1): a NEGOTIATE_MESSAGE in an
// "Authorization: Negotiate" (or "NTLM") header gets a CHALLENGE_MESSAGE in a 401, and the
// AUTHENTICATE_MESSAGE's NTLMv2 response is checked against the configured password. As WinRM
// does, the login then holds for the rest of the TCP connection. Message sealing is not
// implemented: the emulator behaves like a server with AllowUnencrypted=true.

const (
	ntlmNegotiateUnicode    = 0x00000001
	ntlmRequestTarget       = 0x00000004
	ntlmNegotiateNTLM       = 0x00000200
	ntlmAlwaysSign          = 0x00008000
	ntlmTargetTypeDomain    = 0x00010000
	ntlmExtendedSessionSec  = 0x00080000
	ntlmNegotiateTargetInfo = 0x00800000
	ntlmNegotiateVersion    = 0x02000000
	ntlmNegotiate128        = 0x20000000
	ntlmNegotiateKeyExch    = 0x40000000
	ntlmNegotiate56         = 0x80000000
)

var ntlmSignature = []byte("NTLMSSP\x00")

const ntlmDomain = "IPAMEMU"

// ntlmState is one connection's progress through the handshake.
type ntlmState struct {
	challenge []byte
}

// negotiateFlags returns the flags of a NEGOTIATE_MESSAGE.
func negotiateFlags(msg []byte) uint32 {
	if len(msg) < 16 {
		return 0
	}
	return binary.LittleEndian.Uint32(msg[12:16])
}

// ntlmMessageType returns the type of an NTLM message (1, 2 or 3), or 0.
func ntlmMessageType(msg []byte) uint32 {
	if len(msg) < 12 || !bytes.Equal(msg[:8], ntlmSignature) {
		return 0
	}
	return binary.LittleEndian.Uint32(msg[8:12])
}

func utf16le(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, r := range u {
		binary.LittleEndian.PutUint16(b[2*i:], r)
	}
	return b
}

func fromUTF16le(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}

// challengeMessage builds a CHALLENGE_MESSAGE ([MS-NLMP] 2.2.1.2) for a fresh server challenge.
// Like Windows, the server grants only what the client's NEGOTIATE_MESSAGE asked for ([MS-NLMP]
// 3.2.5.1.1), so a client that cannot do key exchange is not offered it.
func challengeMessage(challenge []byte, requested uint32) []byte {
	target := utf16le(ntlmDomain)
	var info bytes.Buffer
	av := func(id uint16, val []byte) {
		_ = binary.Write(&info, binary.LittleEndian, id)
		_ = binary.Write(&info, binary.LittleEndian, uint16(len(val)))
		info.Write(val)
	}
	av(2, utf16le(ntlmDomain)) // MsvAvNbDomainName
	av(1, utf16le("IPAM01"))   // MsvAvNbComputerName
	ts := make([]byte, 8)      // MsvAvTimestamp, FILETIME
	binary.LittleEndian.PutUint64(ts, uint64(time.Now().UnixNano()/100+116444736000000000))
	av(7, ts)
	av(0, nil) // MsvAvEOL

	const header = 56
	const offered = ntlmNegotiateUnicode | ntlmRequestTarget | ntlmNegotiateNTLM | ntlmAlwaysSign |
		ntlmExtendedSessionSec | ntlmNegotiateVersion | ntlmNegotiate128 | ntlmNegotiateKeyExch | ntlmNegotiate56
	flags := requested&offered | ntlmNegotiateNTLM | ntlmNegotiateUnicode | ntlmTargetTypeDomain | ntlmNegotiateTargetInfo
	msg := make([]byte, header, header+len(target)+info.Len())
	copy(msg, ntlmSignature)
	binary.LittleEndian.PutUint32(msg[8:], 2)
	binary.LittleEndian.PutUint16(msg[12:], uint16(len(target)))
	binary.LittleEndian.PutUint16(msg[14:], uint16(len(target)))
	binary.LittleEndian.PutUint32(msg[16:], header)
	binary.LittleEndian.PutUint32(msg[20:], flags)
	copy(msg[24:32], challenge)
	binary.LittleEndian.PutUint16(msg[40:], uint16(info.Len()))
	binary.LittleEndian.PutUint16(msg[42:], uint16(info.Len()))
	binary.LittleEndian.PutUint32(msg[44:], uint32(header+len(target)))
	copy(msg[48:56], []byte{10, 0, 0x61, 0x4a, 0, 0, 0, 15}) // version 10.0.19041, NTLM revision 15
	msg = append(msg, target...)
	return append(msg, info.Bytes()...)
}

func newChallenge() []byte {
	c := make([]byte, 8)
	_, _ = rand.Read(c)
	return c
}

// field reads a security buffer (length, max length, offset) of an NTLM message.
func field(msg []byte, at int) ([]byte, error) {
	if len(msg) < at+8 {
		return nil, errors.New("truncated NTLM message")
	}
	n := int(binary.LittleEndian.Uint16(msg[at:]))
	off := int(binary.LittleEndian.Uint32(msg[at+4:]))
	if off < 0 || n < 0 || off+n > len(msg) || off+n < off {
		return nil, errors.New("NTLM field out of range")
	}
	return msg[off : off+n], nil
}

// verifyNTLMv2 checks an AUTHENTICATE_MESSAGE ([MS-NLMP] 2.2.1.3) against the password and returns
// the user name it carries. Only NTLMv2 is accepted, as Windows does by default.
func verifyNTLMv2(msg, challenge []byte, password string) (string, error) {
	if ntlmMessageType(msg) != 3 || len(msg) < 64 {
		return "", errors.New("not an NTLM AUTHENTICATE_MESSAGE")
	}
	nt, err := field(msg, 20)
	if err != nil {
		return "", err
	}
	domainB, err := field(msg, 28)
	if err != nil {
		return "", err
	}
	userB, err := field(msg, 36)
	if err != nil {
		return "", err
	}
	flags := binary.LittleEndian.Uint32(msg[60:])
	decode := func(b []byte) string {
		if flags&ntlmNegotiateUnicode != 0 {
			return fromUTF16le(b)
		}
		return string(b)
	}
	user, domain := decode(userB), decode(domainB)
	if len(nt) <= 24 {
		return user, errors.New("NTLMv1 responses are not accepted")
	}
	h := md4.New()
	h.Write(utf16le(password))
	ntowf := hmacMD5(h.Sum(nil), utf16le(strings.ToUpper(user)+domain))
	proof, blob := nt[:16], nt[16:]
	if !hmac.Equal(proof, hmacMD5(ntowf, challenge, blob)) {
		return user, errors.New("wrong password")
	}
	return user, nil
}

func hmacMD5(key []byte, data ...[]byte) []byte {
	m := hmac.New(md5.New, key)
	for _, d := range data {
		m.Write(d)
	}
	return m.Sum(nil)
}

// parseNegotiateHeader returns the NTLM token of an "Authorization: Negotiate|NTLM <base64>"
// header.
func parseNegotiateHeader(v string) ([]byte, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok || (!strings.EqualFold(scheme, "Negotiate") && !strings.EqualFold(scheme, "NTLM")) {
		return nil, false
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(token))
	if err != nil || ntlmMessageType(b) == 0 {
		return nil, false
	}
	return b, true
}
