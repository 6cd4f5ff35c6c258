package kerberos

import (
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/crypto/etype"
	"github.com/jcmturner/gokrb5/v8/iana/etypeID"
	"github.com/jcmturner/gokrb5/v8/iana/keyusage"
	"github.com/jcmturner/gokrb5/v8/types"
)

// Session seals and unseals the messages of one established context, in the layout WinRM puts in
// its multipart/encrypted bodies ([MS-WSMV] 2.2.9.1.2). Each side numbers what it sends, and
// Unseal takes the peer's messages only in the order they were sealed, each once (RFC 4121
// section 4.2.1). It is safe for concurrent use, but concurrent Seals race for sequence numbers.
type Session struct {
	mu sync.Mutex
	et etype.EType
	// key is the context key (RFC 4121 section 2): the acceptor's subkey when the AP-REP
	// carried one, else the initiator's subkey, else the ticket's session key.
	key            types.EncryptionKey
	initiator      bool
	acceptorSubkey bool
	sendSeq        uint64
	recvSeq        uint64
}

// etypeNames names the encryption types a session key may have (RFC 3961 section 8, RFC 4757,
// RFC 8009), for errors.
var etypeNames = map[int32]string{
	etypeID.DES_CBC_CRC:                "des-cbc-crc",
	etypeID.DES_CBC_MD5:                "des-cbc-md5",
	etypeID.DES3_CBC_SHA1_KD:           "des3-cbc-sha1",
	etypeID.AES128_CTS_HMAC_SHA1_96:    "aes128-cts-hmac-sha1-96",
	etypeID.AES256_CTS_HMAC_SHA1_96:    "aes256-cts-hmac-sha1-96",
	etypeID.AES128_CTS_HMAC_SHA256_128: "aes128-cts-hmac-sha256-128",
	etypeID.AES256_CTS_HMAC_SHA384_192: "aes256-cts-hmac-sha384-192",
	etypeID.RC4_HMAC:                   "rc4-hmac",
}

// sealingEtype returns the cipher for a context key. Only the AES-SHA1 types are taken: their
// Wrap tokens are the RFC 4121 ones this package writes and Windows and MIT read; RC4-HMAC
// contexts use another token format (RFC 4757, [MS-KILE] 3.4.5.4.1).
func sealingEtype(id int32) (etype.EType, error) {
	if id != etypeID.AES128_CTS_HMAC_SHA1_96 && id != etypeID.AES256_CTS_HMAC_SHA1_96 {
		name := etypeNames[id]
		if name == "" {
			name = "unknown"
		}
		return nil, fmt.Errorf("%w: the context key is %s (etype %d); sealing WinRM messages needs AES "+
			"(aes256-cts-hmac-sha1-96 or aes128-cts-hmac-sha1-96): enable AES for the service account and the user", ErrEncType, name, id)
	}
	return crypto.GetEtype(id)
}

// newSession returns a Session for one side of a context.
func newSession(key types.EncryptionKey, initiator, acceptorSubkey bool, sendSeq, recvSeq uint64) (*Session, error) {
	et, err := sealingEtype(key.KeyType)
	if err != nil {
		return nil, err
	}
	if len(key.KeyValue) != et.GetKeyByteSize() {
		return nil, fmt.Errorf("%w: a key of etype %d has %d bytes", ErrMalformed, key.KeyType, len(key.KeyValue))
	}
	return &Session{et: et, key: key, initiator: initiator, acceptorSubkey: acceptorSubkey, sendSeq: sendSeq, recvSeq: recvSeq}, nil
}

// flags returns the Wrap and MIC token flags a message from this side carries (RFC 4121 section 4.2.2).
func (s *Session) flags(fromAcceptor bool) byte {
	var f byte
	if fromAcceptor {
		f |= flagSentByAcceptor
	}
	if s.acceptorSubkey {
		f |= flagAcceptorSubkey
	}
	return f
}

// usage returns the key usage of a token sent by the initiator or the acceptor (RFC 4121 section 2).
func usage(fromAcceptor, seal bool) uint32 {
	switch {
	case fromAcceptor && seal:
		return keyusage.GSSAPI_ACCEPTOR_SEAL
	case fromAcceptor:
		return keyusage.GSSAPI_ACCEPTOR_SIGN
	case seal:
		return keyusage.GSSAPI_INITIATOR_SEAL
	}
	return keyusage.GSSAPI_INITIATOR_SIGN
}

// Seal encrypts and protects msg for the peer, returning the WinRM "header" part (the Wrap token
// up to the encrypted plaintext, SealHeaderLen bytes) and "data" part (the encrypted plaintext,
// as long as msg); [MS-WSMV] 2.2.9.1.2.2.2 puts the header's length before them.
func (s *Session) Seal(msg []byte) (header, data []byte, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fromAcceptor := !s.initiator
	tok, err := sealToken(s.et, s.key.KeyValue, usage(fromAcceptor, true), s.flags(fromAcceptor)|flagSealed, s.sendSeq, msg, 0, sealRRC, sealRRC)
	if err != nil {
		return nil, nil, err
	}
	s.sendSeq++
	return tok[:SealHeaderLen:SealHeaderLen], tok[SealHeaderLen:], nil
}

// Unseal checks and decrypts a message the peer sealed, given its WinRM "header" and "data" parts.
// It takes whatever split, EC and RRC the peer chose. A message that fails leaves the session as
// it was, so a forged message cannot desynchronise it.
func (s *Session) Unseal(header, data []byte) ([]byte, error) {
	tok := make([]byte, 0, len(header)+len(data))
	tok = append(append(tok, header...), data...)
	if len(tok) < wrapHeaderLen || tok[0] != tokWrap[0] || tok[1] != tokWrap[1] || tok[3] != 0xFF {
		return nil, fmt.Errorf("%w: not an RFC 4121 Wrap token", ErrMalformed)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fromAcceptor := s.initiator
	if err := s.checkFlags(tok[2], fromAcceptor); err != nil {
		return nil, err
	}
	if tok[2]&flagSealed == 0 {
		return nil, fmt.Errorf("%w: the message is signed but not sealed; WinRM requires sealing", ErrMalformed)
	}
	msg, seq, err := unsealToken(s.et, s.key.KeyValue, usage(fromAcceptor, true), tok)
	if err != nil {
		return nil, err
	}
	if err := s.nextRecv(seq); err != nil {
		return nil, err
	}
	return msg, nil
}

// checkFlags refuses a token sent in this side's own direction (a reflection) or protected with
// another key than the context's (RFC 4121 section 4.2.2).
func (s *Session) checkFlags(f byte, fromAcceptor bool) error {
	if (f&flagSentByAcceptor != 0) != fromAcceptor {
		return fmt.Errorf("%w: the message claims to come from this side of the context", ErrIntegrity)
	}
	if (f&flagAcceptorSubkey != 0) != s.acceptorSubkey {
		return fmt.Errorf("%w: the message is protected with another key than the context's (AcceptorSubkey flag %t)",
			ErrIntegrity, f&flagAcceptorSubkey != 0)
	}
	return nil
}

// nextRecv accepts the peer's next sequence number only (RFC 4121 section 4.2.1): HTTP on one
// connection neither loses nor reorders messages, so anything else is a replay or an attack.
func (s *Session) nextRecv(seq uint64) error {
	if seq != s.recvSeq {
		return fmt.Errorf("%w: got sequence number %d, expected %d", ErrSequence, seq, s.recvSeq)
	}
	s.recvSeq++
	return nil
}

// micHeaderLen is the length of a MIC token's header (RFC 4121 section 4.2.6.1).
const micHeaderLen = 16

// tokMIC is the MIC token's TOK_ID (RFC 4121 section 4.2.6.1).
var tokMIC = []byte{0x04, 0x04}

// mic returns a MIC token over msg (RFC 4121 section 4.2.6.1); SPNEGO's mechListMIC is one
// (RFC 4178 section 5). It takes a sequence number, as MIT's gss_get_mic does.
func (s *Session) mic(msg []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fromAcceptor := !s.initiator
	h := append(append(make([]byte, 0, micHeaderLen+checksumLen), tokMIC...), s.flags(fromAcceptor), 0xFF, 0xFF, 0xFF, 0xFF, 0xFF)
	h = binary.BigEndian.AppendUint64(h, s.sendSeq)
	sum, err := s.et.GetChecksumHash(s.key.KeyValue, append(append([]byte{}, msg...), h...), usage(fromAcceptor, false))
	if err != nil {
		return nil, err
	}
	s.sendSeq++
	return append(h, sum...), nil
}

// verifyMIC checks the peer's MIC token over msg and takes its sequence number.
func (s *Session) verifyMIC(msg, tok []byte) error {
	if len(tok) != micHeaderLen+checksumLen || tok[0] != tokMIC[0] || tok[1] != tokMIC[1] ||
		string(tok[3:8]) != "\xff\xff\xff\xff\xff" {
		return fmt.Errorf("%w: not an RFC 4121 MIC token", ErrMalformed)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fromAcceptor := s.initiator
	if err := s.checkFlags(tok[2], fromAcceptor); err != nil {
		return err
	}
	signed := append(append([]byte{}, msg...), tok[:micHeaderLen]...)
	if !s.et.VerifyChecksum(s.key.KeyValue, signed, tok[micHeaderLen:], usage(fromAcceptor, false)) {
		return fmt.Errorf("%w: the MIC does not verify", ErrIntegrity)
	}
	return s.nextRecv(binary.BigEndian.Uint64(tok[8:16]))
}
