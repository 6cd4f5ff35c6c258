package ntlm

import (
	"bytes"
	"crypto/hmac"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"time"
)

// CBTHardening is how strictly a Server checks channel bindings, after the WinRM service's
// CbtHardeningLevel setting.
type CBTHardening int

const (
	// CBTRelaxed, Windows' default and the zero value, accepts a client that sends no channel
	// bindings (or Z(16)), but refuses one whose bindings name another channel.
	CBTRelaxed CBTHardening = iota
	// CBTNone ignores channel bindings.
	CBTNone
	// CBTStrict requires channel bindings that match.
	CBTStrict
)

// PasswordLookup returns the password of an account, given the user and domain names as the client
// sent them; ok is false for an unknown account. User names are case-insensitive on Windows
// ([MS-NLMP] 3.2.5.1.2), and a user principal name arrives whole with an empty domain.
type PasswordLookup func(user, domain string) (password string, ok bool)

// Server plays a Windows host's side of NTLMv2 ([MS-NLMP] 3.2). Its fields must not change while it
// is in use; a Server can run any number of handshakes at once.
type Server struct {
	// NetBIOS and DNS names the CHALLENGE_MESSAGE announces (MsvAvNb*, MsvAvDns*). An empty
	// DNSDomainName makes the server a workgroup member: the target is then the computer.
	NbComputerName  string
	NbDomainName    string
	DNSComputerName string
	DNSDomainName   string
	// Lookup finds the password of the account a client logs in as.
	Lookup PasswordLookup
	// ChannelBindings sets how channel bindings are checked; CBTRelaxed unless set otherwise.
	ChannelBindings CBTHardening
	// Rand supplies server challenges; nil means crypto/rand.
	Rand io.Reader
	// Now is the clock of MsvAvTimestamp; nil means time.Now.
	Now func() time.Time
}

// NewServer returns a Server for a computer, such as "ipam01", in a DNS domain, such as
// "corp.example" (empty for a workgroup), with the NetBIOS names Windows would derive from them.
func NewServer(computer, dnsDomain string, lookup PasswordLookup) *Server {
	s := &Server{
		NbComputerName: strings.ToUpper(computer),
		DNSDomainName:  dnsDomain,
		Lookup:         lookup,
	}
	s.DNSComputerName = computer
	if dnsDomain != "" {
		label, _, _ := strings.Cut(dnsDomain, ".")
		s.NbDomainName = strings.ToUpper(label)
		s.DNSComputerName = computer + "." + dnsDomain
	} else {
		s.NbDomainName = s.NbComputerName // a workgroup machine is its own domain
	}
	return s
}

// Acceptor is one server-side handshake after its CHALLENGE_MESSAGE: what it needs to check the
// AUTHENTICATE_MESSAGE that answers it. Accept may be called once; the challenge is a nonce.
type Acceptor struct {
	server          *Server
	negotiate       []byte
	challenge       []byte
	serverChallenge []byte
	flags           negotiateFlags
	used            atomic.Bool
}

// Identity is the account an AUTHENTICATE_MESSAGE proved, spelled as the client sent it.
type Identity struct {
	User        string
	Domain      string
	Workstation string
}

// Challenge answers a NEGOTIATE_MESSAGE with a CHALLENGE_MESSAGE ([MS-NLMP] 3.2.5.1.1) and returns
// the Acceptor that will check the client's answer.
func (s *Server) Challenge(negotiate []byte) ([]byte, *Acceptor, error) {
	neg, err := parseNegotiate(negotiate)
	if err != nil {
		return nil, nil, err
	}
	requested := neg.flags
	// Unicode if offered, else OEM ([MS-NLMP] 3.2.5.1.1). Some clients offer only OEM: the NTLM of
	// Debian's pywinrm (ntlm-auth 1.4) does, and Windows takes it.
	charset := flagUnicode
	switch {
	case requested.has(flagUnicode):
	case requested.has(flagOEM):
		charset = flagOEM
	default:
		return nil, nil, fmt.Errorf("%w: the client offers neither Unicode nor OEM strings", ErrMalformed)
	}
	if requested.has(flagSeal) && !requested.has(flag128) {
		// ServerRequire128bitEncryption, TRUE on current Windows ([MS-NLMP] 3.2.5.1.1, <60>).
		return nil, nil, fmt.Errorf("%w: the client asks for sealing without 128-bit keys", ErrWeakSecurity)
	}

	granted := requested & serverFlags
	if requested&(flagSign|flagSeal) == 0 {
		granted &^= flag128 | flag56 // only meaningful with signing or sealing ([MS-NLMP] 2.2.2.5)
	}
	granted = granted&^(flagUnicode|flagOEM) | charset | flagRequestTarget | flagNTLM | flagAlwaysSign | flagTargetInfo
	targetName := s.NbDomainName
	if s.DNSDomainName != "" {
		granted |= flagTargetDomain
	} else {
		granted |= flagTargetServer
		targetName = s.NbComputerName
	}

	serverChallenge := make([]byte, 8)
	if _, err := io.ReadFull(randOrDefault(s.Rand), serverChallenge); err != nil {
		return nil, nil, fmt.Errorf("ntlm: server challenge: %w", err)
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	// The order Windows uses.
	var info avPairs
	for _, p := range []struct {
		id   avID
		name string
	}{
		{avNbDomainName, s.NbDomainName},
		{avNbComputerName, s.NbComputerName},
		{avDNSDomainName, s.DNSDomainName},
		{avDNSComputerName, s.DNSComputerName},
	} {
		if p.name != "" {
			info = append(info, avPair{id: p.id, value: encodeUTF16(p.name)})
		}
	}
	info = append(info, avPair{id: avTimestamp, value: fileTime(now())})
	msg := challengeMessage{
		flags:           granted,
		serverChallenge: serverChallenge,
		targetName:      targetName,
		targetInfo:      info,
	}.marshal()
	if len(msg) > 0xffff {
		return nil, nil, errors.New("ntlm: server names are too long for a CHALLENGE_MESSAGE")
	}
	return msg, &Acceptor{
		server:          s,
		negotiate:       bytes.Clone(negotiate),
		challenge:       msg,
		serverChallenge: serverChallenge,
		flags:           granted,
	}, nil
}

// Accept checks an AUTHENTICATE_MESSAGE ([MS-NLMP] 3.2.5.1.2): the NTLMv2 response against the
// account's password, the MIC when the client announces one, and the channel bindings against
// channelBindingHash (the 16-byte hash of this connection's TLS channel, nil on plain HTTP, where
// only CBTNone or CBTRelaxed can succeed) under the Server's CBTHardening.
//
// The Session is nil when the client did not negotiate sealing. Errors wrap ErrMalformed,
// ErrUnsupported, ErrLogonFailure, ErrBadMIC or ErrChannelBindings.
func (a *Acceptor) Accept(authenticate []byte, channelBindingHash []byte) (Identity, *Session, error) {
	if a.used.Swap(true) {
		return Identity{}, nil, errors.New("ntlm: this challenge was already answered; start a new handshake")
	}
	m, err := parseAuthenticate(authenticate)
	if err != nil {
		return Identity{}, nil, err
	}
	if len(m.user) == 0 && len(m.ntResponse) == 0 {
		return Identity{}, nil, fmt.Errorf("%w: anonymous logon", ErrUnsupported)
	}
	if m.flags.has(flagUnicode) != a.flags.has(flagUnicode) {
		return Identity{}, nil, fmt.Errorf("%w: the strings are not in the character set the challenge granted", ErrMalformed)
	}
	if extra := m.flags & keyFlags &^ a.flags; extra != 0 {
		return Identity{}, nil, fmt.Errorf("%w: flags 0x%08x were not granted", ErrMalformed, uint32(extra))
	}
	temp, clientPairs, err := parseNTLMv2Response(m.ntResponse)
	if err != nil {
		return Identity{}, nil, err
	}
	user, domain, workstation, err := m.strings()
	if err != nil {
		return Identity{}, nil, err
	}
	id := Identity{User: user, Domain: domain, Workstation: workstation}

	keyExchangeKey, err := a.verifyResponse(user, domain, m.ntResponse[:16], temp)
	if err != nil {
		return Identity{}, nil, err
	}
	flags := m.flags
	exportedSessionKey := keyExchangeKey
	if flags.has(flagKeyExch) && flags&(flagSign|flagSeal) != 0 {
		if len(m.encryptedKey) != 16 {
			return Identity{}, nil, fmt.Errorf("%w: EncryptedRandomSessionKey is %d bytes, want 16", ErrMalformed, len(m.encryptedKey))
		}
		exportedSessionKey = rc4K(keyExchangeKey, m.encryptedKey)
	}
	if clientPairs.flags()&avFlagMICPresent != 0 {
		if err := a.verifyMIC(authenticate, m.hasMIC, exportedSessionKey); err != nil {
			return Identity{}, nil, err
		}
	}
	if err := a.server.checkBindings(clientPairs, channelBindingHash); err != nil {
		return Identity{}, nil, err
	}
	return id, newSession(flags, exportedSessionKey, false), nil
}

// parseNTLMv2Response splits an NTLMv2_RESPONSE ([MS-NLMP] 2.2.2.8) into temp, the client challenge
// that NTProofStr covers, and the AV pairs inside it.
func parseNTLMv2Response(nt []byte) ([]byte, avPairs, error) {
	const fixed = 16 + 28 // NTProofStr, then NTLMv2_CLIENT_CHALLENGE up to its AvPairs
	switch {
	case len(nt) == 24:
		return nil, nil, fmt.Errorf("%w: NTLMv1 response", ErrUnsupported)
	case len(nt) < fixed+4:
		return nil, nil, fmt.Errorf("%w: NtChallengeResponse of %d bytes is no NTLMv2 response", ErrMalformed, len(nt))
	}
	temp := nt[16:]
	if temp[0] != 1 || temp[1] != 1 {
		return nil, nil, fmt.Errorf("%w: NTLMv2 response version %d.%d, want 1.1", ErrMalformed, temp[0], temp[1])
	}
	pairs, err := parseAVPairs(temp[28:])
	if err != nil {
		return nil, nil, err
	}
	return temp, pairs, nil
}

// verifyResponse checks NTProofStr against the account's password and returns the KeyExchangeKey.
// Like Windows, it retries with an empty domain for clients that compute the key without one
// ([MS-NLMP] 3.2.5.1.2).
func (a *Acceptor) verifyResponse(user, domain string, proof, temp []byte) ([]byte, error) {
	if a.server.Lookup == nil {
		return nil, errors.New("ntlm: server has no password lookup")
	}
	password, ok := a.server.Lookup(user, domain)
	if !ok {
		return nil, fmt.Errorf("%w: user %q", ErrLogonFailure, user)
	}
	domains := []string{domain}
	if domain != "" {
		domains = append(domains, "")
	}
	for _, d := range domains {
		key := ntowfV2(password, user, d)
		if want := ntProofStr(key, a.serverChallenge, temp); hmac.Equal(want, proof) {
			return sessionBaseKey(key, want), nil
		}
	}
	return nil, fmt.Errorf("%w: user %q", ErrLogonFailure, user)
}

// verifyMIC checks the MIC over the three handshake messages, computed with the MIC field zeroed
// ([MS-NLMP] 3.2.5.1.2).
func (a *Acceptor) verifyMIC(authenticate []byte, hasMIC bool, exportedSessionKey []byte) error {
	if !hasMIC {
		return fmt.Errorf("%w: MsvAvFlags announce a MIC but the message has no MIC field", ErrBadMIC)
	}
	zeroed := bytes.Clone(authenticate)
	clear(zeroed[micOffset : micOffset+micLen])
	want := hmacMD5(exportedSessionKey, a.negotiate, a.challenge, zeroed)
	if !hmac.Equal(want, authenticate[micOffset:micOffset+micLen]) {
		return ErrBadMIC
	}
	return nil
}

// checkBindings applies the CBTHardening to the client's MsvAvChannelBindings; an all-zero value
// means the client has no channel bindings ([MS-NLMP] 2.2.2.1).
func (s *Server) checkBindings(pairs avPairs, expected []byte) error {
	got, _ := pairs.get(avChannelBindings)
	sent := len(got) > 0 && !bytes.Equal(got, make([]byte, len(got)))
	matches := sent && len(expected) > 0 && hmac.Equal(got, expected)
	switch s.ChannelBindings {
	case CBTNone:
		return nil
	case CBTStrict:
		if !matches {
			if !sent {
				return fmt.Errorf("%w: the client sent none and they are required", ErrChannelBindings)
			}
			return ErrChannelBindings
		}
	default: // CBTRelaxed
		if sent && !matches {
			return ErrChannelBindings
		}
	}
	return nil
}
