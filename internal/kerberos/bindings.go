package kerberos

import (
	"crypto/md5" //nolint:gosec // RFC 4121 section 4.1.1.2 fixes MD5 for the Bnd field.
	"crypto/subtle"
	"encoding/binary"
	"fmt"
)

// ChannelBindingsHash returns the Bnd value for a TLS channel: the MD5 hash of a
// gss_channel_bindings_struct with no addresses and applicationData (RFC 4121 section 4.1.1.2:
// every field in order, integers little-endian, a length before each value). For WinRM over
// HTTPS, applicationData is "tls-server-end-point:" followed by the hash of the server's
// certificate (RFC 5929 section 4); that is what MIT's gss_init_sec_context hashes too.
func ChannelBindingsHash(applicationData []byte) []byte {
	// initiator_addrtype, initiator_address length, acceptor_addrtype, acceptor_address length:
	// all zero; then the application data's length and value.
	b := make([]byte, 20, 20+len(applicationData))
	binary.LittleEndian.PutUint32(b[16:], uint32(len(applicationData)))
	sum := md5.Sum(append(b, applicationData...)) //nolint:gosec // see the import
	return sum[:]
}

// BindingPolicy says how the acceptor treats the channel bindings of an AP-REQ received over TLS;
// it mirrors WinRM's CbtHardeningLevel setting, whose default is Relaxed ([MS-WSMV] 2.2.4.34).
type BindingPolicy int

const (
	// BindingsNone ignores channel bindings (CbtHardeningLevel None).
	BindingsNone BindingPolicy = iota
	// BindingsRelaxed accepts a client that sends none, but refuses bindings that differ from the
	// channel's (CbtHardeningLevel Relaxed).
	BindingsRelaxed
	// BindingsStrict refuses a client that sends no bindings or other ones (CbtHardeningLevel Strict).
	BindingsStrict
)

// String names the policy as WinRM's configuration does.
func (p BindingPolicy) String() string {
	switch p {
	case BindingsNone:
		return "None"
	case BindingsRelaxed:
		return "Relaxed"
	case BindingsStrict:
		return "Strict"
	}
	return fmt.Sprintf("BindingPolicy(%d)", int(p))
}

// checkBindings applies the policy to the Bnd field a client sent (all zero when it sent none,
// RFC 4121 section 4.1.1.2) against the channel's hash. Without a channel (channel nil: plain
// HTTP) the bindings are ignored whatever the policy, as [MS-WSMV] 2.2.4.34 says WinRM does.
func checkBindings(policy BindingPolicy, channel []byte, got [16]byte) error {
	sent := got != [16]byte{}
	switch {
	case channel == nil, policy == BindingsNone:
		return nil
	case policy != BindingsRelaxed && policy != BindingsStrict:
		return fmt.Errorf("unknown channel binding policy %d", int(policy))
	case !sent && policy == BindingsStrict:
		return fmt.Errorf("%w: the client sent none and the policy is Strict", ErrChannelBindings)
	case !sent:
		return nil
	case subtle.ConstantTimeCompare(channel, got[:]) != 1:
		return fmt.Errorf("%w: the client bound the context to another channel", ErrChannelBindings)
	}
	return nil
}

// GSS flags of the authenticator checksum (RFC 4121 section 4.1.1.1).
const (
	gssFlagDeleg    = 0x01
	gssFlagMutual   = 0x02
	gssFlagReplay   = 0x04
	gssFlagSequence = 0x08
	gssFlagConf     = 0x10
	gssFlagInteg    = 0x20
)

// cksumTypeGSS is the checksum type of the authenticator checksum (RFC 4121 section 4.1.1).
const cksumTypeGSS = 0x8003

// gssChecksum builds the authenticator checksum of RFC 4121 section 4.1.1: Lgth (16, little-endian),
// Bnd (the channel bindings hash, zero without one), Flags (little-endian); no delegation.
func gssChecksum(bnd []byte, flags uint32) []byte {
	c := make([]byte, 24)
	binary.LittleEndian.PutUint32(c[0:4], 16)
	copy(c[4:20], bnd)
	binary.LittleEndian.PutUint32(c[20:24], flags)
	return c
}

// parseGSSChecksum reads Bnd and Flags from an authenticator checksum (RFC 4121 section 4.1.1).
func parseGSSChecksum(c []byte) (bnd [16]byte, flags uint32, err error) {
	if len(c) < 24 || binary.LittleEndian.Uint32(c[0:4]) != 16 {
		return bnd, 0, fmt.Errorf("%w: authenticator checksum of %d bytes is not RFC 4121's", ErrMalformed, len(c))
	}
	copy(bnd[:], c[4:20])
	return bnd, binary.LittleEndian.Uint32(c[20:24]), nil
}
