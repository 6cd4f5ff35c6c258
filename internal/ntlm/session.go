package ntlm

import (
	"crypto/hmac"
	"crypto/rc4" //nolint:gosec // NTLM session security is defined on RC4 ([MS-NLMP] 3.4.3)
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"
)

// SignatureLen is the size of the NTLMSSP_MESSAGE_SIGNATURE that goes with every sealed message
// ([MS-NLMP] 2.2.2.9.2); WinRM puts it in front of the sealed bytes.
const SignatureLen = 16

// Session seals the messages one side of an authenticated connection sends and unseals the ones it
// receives ([MS-NLMP] 3.4, connection-oriented, extended session security). Each direction keeps its
// own RC4 stream and sequence number across messages, so messages must be unsealed in the order they
// were sealed, and sent in the order Seal returned them. Seal and Unseal may run at the same time
// from different goroutines; each direction is serialised by its own lock.
//
// Any failure to unseal breaks the Session for good: the RC4 stream has moved past a message the
// peer counts as delivered, so later messages could not line up; the connection has to log in
// again. A nil *Session is one without sealing: its methods return ErrNoSessionSecurity.
type Session struct {
	out    *direction // messages this side seals
	in     *direction // messages the peer sealed
	broken atomic.Bool
}

// direction is the sealing state of the messages flowing one way.
type direction struct {
	mu      sync.Mutex
	signKey []byte
	cipher  *rc4.Cipher
	// keyExch says the checksum is itself sealed: NTLMSSP_NEGOTIATE_KEY_EXCH ([MS-NLMP] 3.4.4.2).
	keyExch bool
	seq     uint32
}

// newSession derives the four keys of [MS-NLMP] 3.4.5 from the ExportedSessionKey and returns the
// client's Session (asClient) or the server's. It returns nil when the flags do not give sealing
// with extended session security, the only kind this package does.
func newSession(flags negotiateFlags, exportedSessionKey []byte, asClient bool) *Session {
	if !flags.has(flagSeal | flagESS) {
		return nil
	}
	keyExch := flags.has(flagKeyExch)
	client := newDirection(signKey(exportedSessionKey, true), sealKey(flags, exportedSessionKey, true), keyExch)
	server := newDirection(signKey(exportedSessionKey, false), sealKey(flags, exportedSessionKey, false), keyExch)
	s := &Session{}
	if asClient {
		s.out, s.in = client, server
	} else {
		s.out, s.in = server, client
	}
	return s
}

func newDirection(signKey, sealKey []byte, keyExch bool) *direction {
	c, err := rc4.NewCipher(sealKey)
	if err != nil { // sealing keys are MD5 sums, always 16 bytes
		panic("ntlm: " + err.Error())
	}
	return &direction{signKey: signKey, cipher: c, keyExch: keyExch}
}

// Seal encrypts msg and returns its 16-byte signature and the sealed bytes (SEAL, [MS-NLMP] 3.4.3,
// with the MAC of 3.4.4.2). msg is not modified.
func (s *Session) Seal(msg []byte) (signature, sealed []byte, err error) {
	if s == nil {
		return nil, nil, ErrNoSessionSecurity
	}
	d := s.out
	d.mu.Lock()
	defer d.mu.Unlock()
	if s.broken.Load() {
		return nil, nil, ErrSessionBroken
	}
	sealed = make([]byte, len(msg))
	d.cipher.XORKeyStream(sealed, msg)
	signature = d.mac(d.seq, msg)
	d.seq++
	return signature, sealed, nil
}

// Unseal decrypts a message the peer sealed and checks its signature and sequence number
// (GSS_UnwrapEx, [MS-NLMP] 3.4.7). On any failure it returns no plaintext and breaks the Session.
func (s *Session) Unseal(signature, sealed []byte) ([]byte, error) {
	if s == nil {
		return nil, ErrNoSessionSecurity
	}
	d := s.in
	d.mu.Lock()
	defer d.mu.Unlock()
	if s.broken.Load() {
		return nil, ErrSessionBroken
	}
	msg, err := d.unseal(signature, sealed)
	if err != nil {
		s.broken.Store(true)
		return nil, err
	}
	d.seq++
	return msg, nil
}

func (d *direction) unseal(signature, sealed []byte) ([]byte, error) {
	if len(signature) != SignatureLen {
		return nil, fmt.Errorf("%w: signature is %d bytes, want %d", ErrBadSignature, len(signature), SignatureLen)
	}
	if v := binary.LittleEndian.Uint32(signature); v != 1 {
		return nil, fmt.Errorf("%w: signature version %d, want 1", ErrBadSignature, v)
	}
	if got := binary.LittleEndian.Uint32(signature[12:]); got != d.seq {
		return nil, fmt.Errorf("%w: got sequence number %d, want %d", ErrOutOfSequence, got, d.seq)
	}
	msg := make([]byte, len(sealed))
	d.cipher.XORKeyStream(msg, sealed)
	if !hmac.Equal(d.mac(d.seq, msg), signature) {
		return nil, ErrBadSignature
	}
	return msg, nil
}

// mac is MAC() with extended session security ([MS-NLMP] 3.4.4.2): version 1, the first 8 bytes of
// HMAC_MD5(SigningKey, SeqNum || Message), sealed with the direction's RC4 stream when keys were
// exchanged, then SeqNum. It advances the RC4 stream, so it runs once per message, after the
// message itself went through the stream.
func (d *direction) mac(seq uint32, msg []byte) []byte {
	var seqBytes [4]byte
	binary.LittleEndian.PutUint32(seqBytes[:], seq)
	sig := make([]byte, SignatureLen)
	binary.LittleEndian.PutUint32(sig, 1)
	checksum := hmacMD5(d.signKey, seqBytes[:], msg)[:8]
	if d.keyExch {
		d.cipher.XORKeyStream(sig[4:12], checksum)
	} else {
		copy(sig[4:12], checksum)
	}
	copy(sig[12:], seqBytes[:])
	return sig
}
