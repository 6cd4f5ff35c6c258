package ntlm

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"unicode/utf16"
)

// signature opens every NTLM message ([MS-NLMP] 2.2).
var signature = []byte("NTLMSSP\x00")

// Message types ([MS-NLMP] 2.2).
const (
	typeNegotiate    uint32 = 1
	typeChallenge    uint32 = 2
	typeAuthenticate uint32 = 3
)

// Fixed header sizes, with the Version field ([MS-NLMP] 2.2.1.1-2.2.1.3). A header may be shorter
// (no Version, no MIC) when its sender predates those fields; readers go by the payload offsets.
const (
	negotiateHeaderLen    = 40
	challengeHeaderLen    = 56
	authenticateHeaderLen = 88 // including the MIC
	authenticateMinLen    = 64 // up to and including NegotiateFlags
	micOffset             = 72
	micLen                = 16
)

// version is the VERSION structure this package sends ([MS-NLMP] 2.2.2.10): Windows Server 2022
// (10.0.20348), NTLM revision 15. It is for debugging only and never changes processing.
var version = []byte{10, 0, 0x7c, 0x4f, 0, 0, 0, 0x0f}

// checkHeader verifies the signature and the message type.
func checkHeader(b []byte, want uint32, minLen int) error {
	if len(b) < minLen {
		return fmt.Errorf("%w: %d bytes is too short for NTLM message type %d", ErrMalformed, len(b), want)
	}
	if !bytes.Equal(b[:8], signature) {
		return fmt.Errorf("%w: no NTLMSSP signature", ErrMalformed)
	}
	if got := binary.LittleEndian.Uint32(b[8:]); got != want {
		return fmt.Errorf("%w: message type %d, want %d", ErrMalformed, got, want)
	}
	return nil
}

// payloadField is a security buffer of a message header: Len, MaxLen and BufferOffset.
type payloadField struct {
	length int
	offset int
}

// readFieldAt reads the security buffer at the given header position.
func readFieldAt(b []byte, at int) payloadField {
	return payloadField{
		length: int(binary.LittleEndian.Uint16(b[at:])),
		offset: int(binary.LittleEndian.Uint32(b[at+4:])), // fits an int on the 64-bit hosts we build for
	}
}

// bytesOf returns the payload a field points to. MaxLen is ignored, as [MS-NLMP] 2.2.1 requires.
func (f payloadField) bytesOf(b []byte, name string) ([]byte, error) {
	if f.length == 0 {
		return nil, nil
	}
	if f.offset < 0 || f.offset > len(b) || f.length > len(b)-f.offset {
		return nil, fmt.Errorf("%w: %s (%d bytes at %d) lies outside the %d-byte message",
			ErrMalformed, name, f.length, f.offset, len(b))
	}
	return b[f.offset : f.offset+f.length : f.offset+f.length], nil
}

// putField writes a security buffer into a header.
func putField(b []byte, at, offset, length int) {
	binary.LittleEndian.PutUint16(b[at:], uint16(length))
	binary.LittleEndian.PutUint16(b[at+2:], uint16(length))
	binary.LittleEndian.PutUint32(b[at+4:], uint32(offset))
}

// encodeUTF16 encodes s as UTF-16LE without a byte order mark (UNICODE, [MS-NLMP] 6).
func encodeUTF16(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return b
}

// decodeUTF16 decodes a UTF-16LE string of a message.
func decodeUTF16(b []byte, name string) (string, error) {
	if len(b)%2 != 0 {
		return "", fmt.Errorf("%w: %s has an odd length for UTF-16", ErrMalformed, name)
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u)), nil
}

// maxField is the longest payload a 16-bit security buffer length can describe.
const maxField = 0xffff

// negotiateMessage is what the server needs of a NEGOTIATE_MESSAGE ([MS-NLMP] 2.2.1.1).
type negotiateMessage struct {
	flags negotiateFlags
}

// parseNegotiate reads a NEGOTIATE_MESSAGE. The domain and workstation names are not used: a
// Windows server does not use them either, and they are OEM strings of an unknown code page.
func parseNegotiate(b []byte) (negotiateMessage, error) {
	// Signature, MessageType, NegotiateFlags, DomainNameFields, WorkstationFields.
	if err := checkHeader(b, typeNegotiate, 32); err != nil {
		return negotiateMessage{}, err
	}
	return negotiateMessage{flags: negotiateFlags(binary.LittleEndian.Uint32(b[12:]))}, nil
}

// marshalNegotiate writes a NEGOTIATE_MESSAGE with empty domain and workstation names, as
// [MS-NLMP] 3.1.5.1.1 requires when the Version is sent.
func marshalNegotiate(flags negotiateFlags) []byte {
	b := make([]byte, negotiateHeaderLen)
	copy(b, signature)
	binary.LittleEndian.PutUint32(b[8:], typeNegotiate)
	binary.LittleEndian.PutUint32(b[12:], uint32(flags))
	putField(b, 16, negotiateHeaderLen, 0)
	putField(b, 24, negotiateHeaderLen, 0)
	copy(b[32:], version)
	return b
}

// challengeMessage is a CHALLENGE_MESSAGE ([MS-NLMP] 2.2.1.2).
type challengeMessage struct {
	flags           negotiateFlags
	serverChallenge []byte // 8 bytes
	targetName      string
	targetInfo      avPairs
}

// parseChallenge reads a CHALLENGE_MESSAGE. TargetInfo is read only when NTLMSSP_NEGOTIATE_TARGET_INFO
// is set, and must then be a well-formed AV pair list.
func parseChallenge(b []byte) (challengeMessage, error) {
	// Up to and including TargetInfoFields; the Version is optional.
	if err := checkHeader(b, typeChallenge, 48); err != nil {
		return challengeMessage{}, err
	}
	m := challengeMessage{
		flags:           negotiateFlags(binary.LittleEndian.Uint32(b[20:])),
		serverChallenge: bytes.Clone(b[24:32]),
	}
	if !m.flags.has(flagUnicode) {
		return challengeMessage{}, fmt.Errorf("%w: the server chose OEM strings", ErrUnsupported)
	}
	if m.flags.has(flagRequestTarget) {
		name, err := readFieldAt(b, 12).bytesOf(b, "TargetName")
		if err != nil {
			return challengeMessage{}, err
		}
		if m.targetName, err = decodeUTF16(name, "TargetName"); err != nil {
			return challengeMessage{}, err
		}
	}
	if m.flags.has(flagTargetInfo) {
		info, err := readFieldAt(b, 40).bytesOf(b, "TargetInfo")
		if err != nil {
			return challengeMessage{}, err
		}
		if m.targetInfo, err = parseAVPairs(info); err != nil {
			return challengeMessage{}, err
		}
	}
	return m, nil
}

// marshal writes the CHALLENGE_MESSAGE with its Version, TargetName and TargetInfo.
func (m challengeMessage) marshal() []byte {
	name := encodeUTF16(m.targetName)
	if !m.flags.has(flagUnicode) {
		name = []byte(m.targetName) // OEM ([MS-NLMP] 2.2.1.2); the names are ASCII
	}
	info := m.targetInfo.marshal()
	b := make([]byte, challengeHeaderLen, challengeHeaderLen+len(name)+len(info))
	copy(b, signature)
	binary.LittleEndian.PutUint32(b[8:], typeChallenge)
	putField(b, 12, challengeHeaderLen, len(name))
	binary.LittleEndian.PutUint32(b[20:], uint32(m.flags))
	copy(b[24:32], m.serverChallenge)
	putField(b, 40, challengeHeaderLen+len(name), len(info))
	copy(b[48:], version)
	b = append(b, name...)
	return append(b, info...)
}

// authenticateMessage is an AUTHENTICATE_MESSAGE ([MS-NLMP] 2.2.1.3). Strings are kept as the
// UTF-16 bytes of the wire until decoded.
type authenticateMessage struct {
	flags        negotiateFlags
	lmResponse   []byte
	ntResponse   []byte
	domain       []byte
	user         []byte
	workstation  []byte
	encryptedKey []byte
	// hasMIC tells whether the header is long enough to hold the MIC field at micOffset, that is
	// whether no payload starts before authenticateHeaderLen.
	hasMIC bool
}

// authenticateFields lists the security buffers of an AUTHENTICATE_MESSAGE header in order.
var authenticateFields = [...]struct {
	at   int
	name string
}{
	{12, "LmChallengeResponse"},
	{20, "NtChallengeResponse"},
	{28, "DomainName"},
	{36, "UserName"},
	{44, "Workstation"},
	{52, "EncryptedRandomSessionKey"},
}

// parseAuthenticate reads an AUTHENTICATE_MESSAGE. Whether the MIC field exists is inferred from the
// payload offsets, since clients before Windows Vista end the header earlier ([MS-NLMP] <12>).
func parseAuthenticate(b []byte) (authenticateMessage, error) {
	if err := checkHeader(b, typeAuthenticate, authenticateMinLen); err != nil {
		return authenticateMessage{}, err
	}
	m := authenticateMessage{flags: negotiateFlags(binary.LittleEndian.Uint32(b[60:]))}
	dst := [...]*[]byte{&m.lmResponse, &m.ntResponse, &m.domain, &m.user, &m.workstation, &m.encryptedKey}
	payloadStart := len(b)
	for i, f := range authenticateFields {
		pf := readFieldAt(b, f.at)
		v, err := pf.bytesOf(b, f.name)
		if err != nil {
			return authenticateMessage{}, err
		}
		if len(v) > 0 {
			if pf.offset < authenticateMinLen {
				return authenticateMessage{}, fmt.Errorf("%w: %s overlaps the header", ErrMalformed, f.name)
			}
			payloadStart = min(payloadStart, pf.offset)
		}
		*dst[i] = v
	}
	m.hasMIC = payloadStart >= authenticateHeaderLen
	return m, nil
}

// strings decodes the user, domain and workstation names.
func (m authenticateMessage) strings() (user, domain, workstation string, err error) {
	decode := decodeUTF16
	if !m.flags.has(flagUnicode) {
		decode = decodeOEM
	}
	if user, err = decode(m.user, "UserName"); err != nil {
		return "", "", "", err
	}
	if domain, err = decode(m.domain, "DomainName"); err != nil {
		return "", "", "", err
	}
	if workstation, err = decode(m.workstation, "Workstation"); err != nil {
		return "", "", "", err
	}
	return user, domain, workstation, nil
}

// decodeOEM reads a string in the OEM character set. The code page is the machine's and not on
// the wire; ASCII, which every OEM code page shares, is read as such and anything else as Latin-1.
func decodeOEM(b []byte, _ string) (string, error) {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r), nil
}

// marshal writes the AUTHENTICATE_MESSAGE with a Version and a zero MIC field, payload in the order
// Windows uses. It fails when a field is too long for its 16-bit length.
func (m authenticateMessage) marshal() ([]byte, error) {
	parts := [...][]byte{m.lmResponse, m.ntResponse, m.domain, m.user, m.workstation, m.encryptedKey}
	order := [...]int{2, 3, 4, 0, 1, 5} // domain, user, workstation, LM, NT, session key
	total := authenticateHeaderLen
	for i, p := range parts {
		if len(p) > maxField {
			return nil, fmt.Errorf("ntlm: %s is too long for an NTLM message", authenticateFields[i].name)
		}
		total += len(p)
	}
	b := make([]byte, authenticateHeaderLen, total)
	copy(b, signature)
	binary.LittleEndian.PutUint32(b[8:], typeAuthenticate)
	for _, i := range order {
		putField(b, authenticateFields[i].at, len(b), len(parts[i]))
		b = append(b, parts[i]...)
	}
	binary.LittleEndian.PutUint32(b[60:], uint32(m.flags))
	copy(b[64:], version)
	return b, nil
}
