package ntlm

import (
	"encoding/binary"
	"fmt"
	"io"
	"time"
)

// Protection is what a Client requires the login to yield beyond authentication.
type Protection int

const (
	// Sealed requires message sealing: SIGN, SEAL, extended session security and 128-bit keys. It
	// is what WinRM over plain HTTP needs, and the zero value, so that forgetting it fails safe.
	Sealed Protection = iota
	// AuthenticationOnly accepts whatever the server grants; for WinRM over HTTPS, where TLS
	// protects the messages. The Session may then be nil.
	AuthenticationOnly
)

// Client logs one account in with NTLMv2 ([MS-NLMP] 3.1). It holds no per-handshake state, so one
// Client can serve any number of connections at once; its fields must not change while it is in use.
type Client struct {
	user     string
	domain   string
	password string

	// Protection says whether sealing is required; Sealed unless set otherwise.
	Protection Protection
	// TargetName is the server's SPN, such as "HTTP/host.example.com", sent in MsvAvTargetName
	// ([MS-NLMP] 3.1.5.1.2). Empty sends an empty name, as the spec says for an unknown target.
	TargetName string
	// Rand supplies the client challenge (8 bytes) and then, with key exchange, the
	// ExportedSessionKey (16 bytes). Nil means crypto/rand; tests set it to replay known values.
	Rand io.Reader
	// Now is the clock used when the server sends no MsvAvTimestamp. Nil means time.Now.
	Now func() time.Time
}

// NewClient returns a Client for an account, with the user and domain exactly as they go on the
// wire; SplitUser turns a Windows logon name into the two.
func NewClient(user, domain, password string) *Client {
	return &Client{user: user, domain: domain, password: password}
}

// Negotiate returns the NEGOTIATE_MESSAGE that opens a login ([MS-NLMP] 3.1.5.1.1). It is the same
// every time; Authenticate rebuilds it for the MIC instead of remembering it.
func (c *Client) Negotiate() []byte {
	return marshalNegotiate(clientFlags)
}

// Authenticate answers the server's CHALLENGE_MESSAGE with an AUTHENTICATE_MESSAGE ([MS-NLMP]
// 3.1.5.1.2) and returns the Session for the connection.
//
// channelBindingHash is the 16-byte MD5 of the gss_channel_bindings_struct of the TLS channel
// (MsvAvChannelBindings); nil means no channel bindings and sends Z(16), which is what the spec
// prescribes and what a server on plain HTTP, or with CbtHardeningLevel None or Relaxed, accepts.
//
// The Session is nil only when Protection is AuthenticationOnly and the server did not grant
// sealing. Whether the password is right only the server knows: a wrong one shows as its refusal (a 401).
func (c *Client) Authenticate(challenge []byte, channelBindingHash []byte) ([]byte, *Session, error) {
	if channelBindingHash != nil && len(channelBindingHash) != 16 {
		return nil, nil, fmt.Errorf("ntlm: channel binding hash is %d bytes, want 16", len(channelBindingHash))
	}
	ch, err := parseChallenge(challenge)
	if err != nil {
		return nil, nil, err
	}
	// What both sides agreed to. NTLMSSP_REQUEST_TARGET stays set even when the server leaves it
	// out, as in the AUTHENTICATE_MESSAGE of [MS-NLMP] 4.2.4.3; it has no meaning there.
	flags := ch.flags&clientFlags | flagRequestTarget
	if err := c.checkGranted(ch, flags); err != nil {
		return nil, nil, err
	}

	random := randOrDefault(c.Rand)
	clientChallenge := make([]byte, 8)
	if _, err := io.ReadFull(random, clientChallenge); err != nil {
		return nil, nil, fmt.Errorf("ntlm: client challenge: %w", err)
	}

	// The AV pairs of the client challenge: the server's, plus what [MS-NLMP] 3.1.5.1.2 adds.
	pairs := make(avPairs, 0, len(ch.targetInfo)+3)
	for _, p := range ch.targetInfo {
		if p.id != avChannelBindings && p.id != avTargetName { // ours replace any the server sent
			pairs = append(pairs, p)
		}
	}
	timestamp, useServerTime := ch.targetInfo.get(avTimestamp)
	if useServerTime {
		// With the server's timestamp, the client proves the whole handshake with a MIC.
		pairs = pairs.set(avFlags, binary.LittleEndian.AppendUint32(nil, ch.targetInfo.flags()|avFlagMICPresent))
	} else {
		now := time.Now
		if c.Now != nil {
			now = c.Now
		}
		timestamp = fileTime(now())
	}
	cbt := channelBindingHash
	if cbt == nil {
		cbt = make([]byte, 16)
	}
	pairs = pairs.set(avChannelBindings, cbt)
	target := encodeUTF16(c.TargetName)
	if len(target) > maxField {
		return nil, nil, fmt.Errorf("ntlm: target name is too long for an NTLM message")
	}
	pairs = pairs.set(avTargetName, target)

	responseKey := ntowfV2(c.password, c.user, c.domain)
	temp := clientChallengeBlob(timestamp, clientChallenge, pairs.marshal())
	proof := ntProofStr(responseKey, ch.serverChallenge, temp)
	keyExchangeKey := sessionBaseKey(responseKey, proof) // KXKEY for NTLMv2 ([MS-NLMP] 3.4.5.1)

	// The Workstation stays empty although [MS-NLMP] 3.1.5.1.2 names the client machine there when
	// a Version is sent: an account limited to certain workstations ("Log On To") would otherwise
	// be refused for a name that means nothing to the server.
	msg := authenticateMessage{
		flags:      flags,
		ntResponse: append(proof, temp...),
		domain:     encodeUTF16(c.domain),
		user:       encodeUTF16(c.user),
	}
	if useServerTime {
		msg.lmResponse = make([]byte, 24) // Z(24), [MS-NLMP] 3.1.5.1.2
	} else {
		msg.lmResponse = lmV2Response(responseKey, ch.serverChallenge, clientChallenge)
	}

	exportedSessionKey := keyExchangeKey
	if flags.has(flagKeyExch) && flags&(flagSign|flagSeal) != 0 {
		exportedSessionKey = make([]byte, 16)
		if _, err := io.ReadFull(random, exportedSessionKey); err != nil {
			return nil, nil, fmt.Errorf("ntlm: session key: %w", err)
		}
		msg.encryptedKey = rc4K(keyExchangeKey, exportedSessionKey)
	}

	out, err := msg.marshal()
	if err != nil {
		return nil, nil, err
	}
	if useServerTime {
		copy(out[micOffset:], hmacMD5(exportedSessionKey, c.Negotiate(), challenge, out))
	}
	return out, newSession(flags, exportedSessionKey, true), nil
}

// checkGranted refuses a CHALLENGE_MESSAGE that falls short of what the client needs ([MS-NLMP]
// 3.1.5.1.2): NTLMv2 target information always, and sealing unless Protection says otherwise.
func (c *Client) checkGranted(ch challengeMessage, flags negotiateFlags) error {
	if !ch.flags.has(flagTargetInfo) {
		return fmt.Errorf("%w: the server sent no target information, which NTLMv2 needs", ErrUnsupported)
	}
	// STATUS_LOGON_FAILURE in the spec; these names are what a Windows server always sends.
	for _, id := range []avID{avNbComputerName, avNbDomainName} {
		if _, ok := ch.targetInfo.get(id); !ok {
			return fmt.Errorf("%w: the server's target information lacks its NetBIOS names", ErrWeakSecurity)
		}
	}
	if c.Protection == Sealed && !flags.has(sealingFlags) {
		return fmt.Errorf("%w: the server did not grant%s, which sealing needs", ErrWeakSecurity, missing(flags, sealingFlags))
	}
	return nil
}

// missing names the flags of want that granted lacks.
func missing(granted, want negotiateFlags) string {
	names := []struct {
		f    negotiateFlags
		name string
	}{{flagSign, "SIGN"}, {flagSeal, "SEAL"}, {flagESS, "EXTENDED_SESSIONSECURITY"}, {flag128, "128"}}
	s := ""
	for _, n := range names {
		if want&n.f != 0 && granted&n.f == 0 {
			s += " " + n.name
		}
	}
	return s
}
