package ntlm

import (
	"crypto/hmac"
	"crypto/md5" //nolint:gosec // NTLM is defined on MD5 ([MS-NLMP] 3.3.2, 3.4.5)
	"crypto/rand"
	"crypto/rc4" //nolint:gosec // NTLM session security is defined on RC4 ([MS-NLMP] 3.4.3)
	"encoding/binary"
	"io"
	"strings"
	"time"

	"golang.org/x/crypto/md4" //nolint:staticcheck // NTOWFv2 is defined on MD4 ([MS-NLMP] 3.3.2)
)

// hmacMD5 is HMAC_MD5(K, M) of [MS-NLMP] 6, over the concatenation of the parts.
func hmacMD5(key []byte, parts ...[]byte) []byte {
	m := hmac.New(md5.New, key)
	for _, p := range parts {
		m.Write(p)
	}
	return m.Sum(nil)
}

// ntowfV2 is NTOWFv2 ([MS-NLMP] 3.3.2), which is also LMOWFv2: the response key derived from the
// password, the upper-cased user name and the domain name as typed.
func ntowfV2(password, user, domain string) []byte {
	h := md4.New()
	h.Write(encodeUTF16(password))
	return hmacMD5(h.Sum(nil), encodeUTF16(strings.ToUpper(user)+domain))
}

// clientChallengeBlob is "temp" of [MS-NLMP] 3.3.2, the NTLMv2_CLIENT_CHALLENGE (2.2.2.7) with its
// trailing Z(4): response version 1, the time, the client's nonce and the AV pairs.
func clientChallengeBlob(timestamp []byte, clientChallenge []byte, pairs []byte) []byte {
	b := make([]byte, 0, 28+len(pairs)+4)
	b = append(b, 1, 1, 0, 0, 0, 0, 0, 0)
	b = append(b, timestamp...)
	b = append(b, clientChallenge...)
	b = append(b, 0, 0, 0, 0)
	b = append(b, pairs...)
	return append(b, 0, 0, 0, 0)
}

// ntProofStr is NTProofStr of [MS-NLMP] 3.3.2; the NtChallengeResponse is NTProofStr followed by
// temp, and SessionBaseKey is sessionBaseKey(responseKeyNT, NTProofStr).
func ntProofStr(responseKeyNT, serverChallenge, temp []byte) []byte {
	return hmacMD5(responseKeyNT, serverChallenge, temp)
}

// sessionBaseKey is SessionBaseKey of [MS-NLMP] 3.3.2. With NTLMv2 it is also the KeyExchangeKey
// ([MS-NLMP] 3.4.5.1).
func sessionBaseKey(responseKeyNT, proof []byte) []byte {
	return hmacMD5(responseKeyNT, proof)
}

// lmV2Response is the LmChallengeResponse of [MS-NLMP] 3.3.2 (LMv2_RESPONSE, 2.2.2.4).
func lmV2Response(responseKeyLM, serverChallenge, clientChallenge []byte) []byte {
	return append(hmacMD5(responseKeyLM, serverChallenge, clientChallenge), clientChallenge...)
}

// rc4K is RC4K(K, D) of [MS-NLMP] 6: a one-time RC4 stream keyed with K.
func rc4K(key, data []byte) []byte {
	c, err := rc4.NewCipher(key)
	if err != nil { // only for an empty or over-long key, which callers never pass
		panic("ntlm: " + err.Error())
	}
	out := make([]byte, len(data))
	c.XORKeyStream(out, data)
	return out
}

// Magic constants of SIGNKEY and SEALKEY ([MS-NLMP] 3.4.5.2, 3.4.5.3), with their terminating NUL.
const (
	clientSigningMagic = "session key to client-to-server signing key magic constant\x00"
	serverSigningMagic = "session key to server-to-client signing key magic constant\x00"
	clientSealingMagic = "session key to client-to-server sealing key magic constant\x00"
	serverSealingMagic = "session key to server-to-client sealing key magic constant\x00"
)

// signKey is SIGNKEY with extended session security ([MS-NLMP] 3.4.5.2): the key that signs the
// messages the client (fromClient) or the server sends.
func signKey(exportedSessionKey []byte, fromClient bool) []byte {
	magic := serverSigningMagic
	if fromClient {
		magic = clientSigningMagic
	}
	sum := md5.Sum(append(append([]byte(nil), exportedSessionKey...), magic...))
	return sum[:]
}

// sealKey is SEALKEY with extended session security ([MS-NLMP] 3.4.5.3): the RC4 key of the
// messages the client (fromClient) or the server sends, cut to 128, 56 or 40 bits as negotiated.
func sealKey(flags negotiateFlags, exportedSessionKey []byte, fromClient bool) []byte {
	key := exportedSessionKey
	switch {
	case flags.has(flag128):
	case flags.has(flag56):
		key = key[:7]
	default:
		key = key[:5]
	}
	magic := serverSealingMagic
	if fromClient {
		magic = clientSealingMagic
	}
	sum := md5.Sum(append(append([]byte(nil), key...), magic...))
	return sum[:]
}

// fileTimeEpoch is 1601-01-01 in Unix seconds; a FILETIME counts 100 ns ticks from it
// ([MS-DTYP] 2.3.3).
const fileTimeEpoch = -11644473600

// fileTime encodes t as a little-endian FILETIME, as MsvAvTimestamp and the NTLMv2 client
// challenge carry it.
func fileTime(t time.Time) []byte {
	ticks := (t.Unix()-fileTimeEpoch)*10_000_000 + int64(t.Nanosecond()/100)
	return binary.LittleEndian.AppendUint64(nil, uint64(ticks))
}

// randOrDefault is where challenges and keys come from: r when a test set one, else crypto/rand.
func randOrDefault(r io.Reader) io.Reader {
	if r == nil {
		return rand.Reader
	}
	return r
}
