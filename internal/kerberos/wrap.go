package kerberos

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/jcmturner/gokrb5/v8/crypto/etype"
)

// Wrap token layout (RFC 4121 section 4.2.6.2).
const (
	wrapHeaderLen = 16
	// Flags (RFC 4121 section 4.2.2).
	flagSentByAcceptor = 0x01
	flagSealed         = 0x02
	flagAcceptorSubkey = 0x04
	// confounderLen and checksumLen are AES-CTS-HMAC-SHA1-96's (RFC 3962 section 6): one AES
	// block of confounder before the plaintext, a 96-bit HMAC after the ciphertext.
	confounderLen = 16
	checksumLen   = 12
	// sealRRC is the rotation this package writes, with EC 0: the encrypted header copy and the
	// checksum move in front of the ciphertext, so that the WinRM "header" part is exactly the
	// token header, the rotated 28 bytes and the encrypted confounder (60 bytes), and the "data"
	// part is the encrypted plaintext, as long as the plaintext ([MS-WSMV] 2.2.9.1.2.2.2). It is
	// what MIT's gss_wrap_iov gives for an IOV of HEADER, DATA, PADDING (k5sealv3iov.c: EC is the
	// cipher's padding, 0 for CTS, and RRC is EC + 16 + the trailer length), the call pyspnego and
	// pywinrm make for WinRM; MIT's gss_unwrap_iov on such a header insists on RRC = 28 + EC.
	sealRRC = wrapHeaderLen + checksumLen
)

// SealHeaderLen is the length of the header part Seal returns (60 bytes), for callers that size
// WinRM's framing ahead; [MS-WSMV] 2.2.9.1.2.2.2 writes it before the header.
const SealHeaderLen = wrapHeaderLen + sealRRC + confounderLen

// tokWrap is the Wrap token's TOK_ID (RFC 4121 section 4.2.6.2).
var tokWrap = []byte{0x05, 0x04}

// wrapHeader writes a Wrap token header (RFC 4121 section 4.2.6.2).
func wrapHeader(flags byte, ec, rrc uint16, seq uint64) []byte {
	h := make([]byte, wrapHeaderLen)
	copy(h, tokWrap)
	h[2], h[3] = flags, 0xFF
	binary.BigEndian.PutUint16(h[4:6], ec)
	binary.BigEndian.PutUint16(h[6:8], rrc)
	binary.BigEndian.PutUint64(h[8:16], seq)
	return h
}

// sealToken builds a Wrap token with confidentiality (RFC 4121 section 4.2.4): the header, then
// E(key, usage, msg | EC filler bytes | header with RRC 0) rotated right by rotate bytes. rotate
// is rrc except in tests that imitate a Windows quirk (see unsealToken).
func sealToken(et etype.EType, key []byte, usage uint32, flags byte, seq uint64, msg []byte, ec, rrc, rotate int) ([]byte, error) {
	plain := make([]byte, 0, len(msg)+ec+wrapHeaderLen)
	plain = append(plain, msg...)
	plain = append(plain, bytes.Repeat([]byte{0xFF}, ec)...)
	plain = append(plain, wrapHeader(flags, uint16(ec), 0, seq)...)
	_, ct, err := et.EncryptMessage(key, plain, usage)
	if err != nil {
		return nil, fmt.Errorf("kerberos: sealing: %w", err)
	}
	return append(wrapHeader(flags, uint16(ec), uint16(rrc), seq), rotateRight(ct, rotate)...), nil
}

// unsealToken checks and decrypts a sealed Wrap token whose flags the caller has checked. It takes
// any EC and RRC (RFC 4121 sections 4.2.4 and 4.2.5). When the token does not decrypt as rotated
// by RRC and EC is not zero, it tries RRC + EC: [MS-KILE] 3.4.5.4.1 says Windows rotates by
// RRC + EC, and MIT works around that for DCE-style contexts (k5sealv3iov.c); the checksum decides,
// so trying both admits nothing that was not sealed with the key.
func unsealToken(et etype.EType, key []byte, usage uint32, tok []byte) (msg []byte, seq uint64, err error) {
	ec := int(binary.BigEndian.Uint16(tok[4:6]))
	rrc := int(binary.BigEndian.Uint16(tok[6:8]))
	seq = binary.BigEndian.Uint64(tok[8:16])
	body := tok[wrapHeaderLen:]
	if len(body) < confounderLen+ec+wrapHeaderLen+checksumLen {
		return nil, 0, fmt.Errorf("%w: sealed message of %d bytes is too short for EC %d", ErrMalformed, len(tok), ec)
	}
	plain, err := et.DecryptMessage(key, rotateLeft(body, rrc), usage)
	if err != nil && ec != 0 {
		plain, err = et.DecryptMessage(key, rotateLeft(body, rrc+ec), usage)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("%w: %v", ErrIntegrity, err)
	}
	// The decrypted header copy must repeat the token's header, RRC excepted, which the sender
	// sets to 0 in the copy (RFC 4121 section 4.2.4); MIT does not check RRC either.
	hdr := plain[len(plain)-wrapHeaderLen:]
	if !bytes.Equal(hdr[0:6], tok[0:6]) || !bytes.Equal(hdr[8:16], tok[8:16]) {
		return nil, 0, fmt.Errorf("%w: the encrypted copy of the token header differs from the header", ErrIntegrity)
	}
	return plain[:len(plain)-wrapHeaderLen-ec], seq, nil
}

// rotateRight returns b rotated right by n bytes (RFC 4121 section 4.2.5).
func rotateRight(b []byte, n int) []byte {
	if len(b) == 0 {
		return b
	}
	n %= len(b)
	return append(append(make([]byte, 0, len(b)), b[len(b)-n:]...), b[:len(b)-n]...)
}

// rotateLeft undoes rotateRight.
func rotateLeft(b []byte, n int) []byte {
	if len(b) == 0 {
		return b
	}
	n %= len(b)
	return append(append(make([]byte, 0, len(b)), b[n:]...), b[:n]...)
}
