package ntlm_test

import (
	"bytes"
	"crypto/md5"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/winipam/terraform-provider-ipam/internal/ntlm"
)

const (
	testUser     = "alice"
	testDomain   = "CORP"
	testPassword = "S3cret!pass"
)

// accounts is the server's user database: user|domain -> password.
func accounts(t *testing.T) ntlm.PasswordLookup {
	t.Helper()
	return func(user, domain string) (string, bool) {
		// User and domain names are case-insensitive on Windows ([MS-NLMP] 3.2.5.1.2).
		switch strings.ToLower(user + "|" + domain) {
		case "alice|corp", "alice@corp.example|":
			return testPassword, true
		}
		return "", false
	}
}

func newServer(t *testing.T) *ntlm.Server {
	t.Helper()
	return ntlm.NewServer("ipam01", "corp.example", accounts(t))
}

// handshakeResult is what one login produced on both sides.
type handshakeResult struct {
	id             ntlm.Identity
	client, server *ntlm.Session
}

// hooks let a test alter messages in flight.
type hooks struct {
	challenge    func([]byte) []byte
	authenticate func([]byte) []byte
}

// negotiate sends c's NEGOTIATE_MESSAGE to s, and returns the CHALLENGE_MESSAGE and the Acceptor
// that waits for the answer.
func negotiate(t *testing.T, c *ntlm.Client, s *ntlm.Server) ([]byte, *ntlm.Acceptor) {
	t.Helper()
	challenge, acceptor, err := s.Challenge(c.Negotiate())
	if err != nil {
		t.Fatalf("Challenge: %v", err)
	}
	return challenge, acceptor
}

// authenticate answers challenge as c, without channel bindings, and returns the
// AUTHENTICATE_MESSAGE.
func authenticate(t *testing.T, c *ntlm.Client, challenge []byte) []byte {
	t.Helper()
	auth, _, err := c.Authenticate(challenge, nil)
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	return auth
}

// login runs NEGOTIATE, CHALLENGE and AUTHENTICATE between c and s. It fails the test on a client
// error and returns the server's verdict.
func login(t *testing.T, c *ntlm.Client, s *ntlm.Server, clientCBT, serverCBT []byte, h hooks) (handshakeResult, error) {
	t.Helper()
	challenge, acceptor := negotiate(t, c, s)
	if h.challenge != nil {
		challenge = h.challenge(bytes.Clone(challenge))
	}
	auth, clientSession, err := c.Authenticate(challenge, clientCBT)
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	if h.authenticate != nil {
		auth = h.authenticate(bytes.Clone(auth))
	}
	id, serverSession, err := acceptor.Accept(auth, serverCBT)
	return handshakeResult{id: id, client: clientSession, server: serverSession}, err
}

func TestLogin(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, logon string
		want        ntlm.Identity
	}{
		{"domain user", `CORP\alice`, ntlm.Identity{User: "alice", Domain: "CORP"}},
		{"user principal name", "alice@corp.example", ntlm.Identity{User: "alice@corp.example"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			user, domain := ntlm.SplitUser(tc.logon)
			r, err := login(t, ntlm.NewClient(user, domain, testPassword), newServer(t), nil, nil, hooks{})
			if err != nil {
				t.Fatalf("Accept: %v", err)
			}
			if r.id != tc.want {
				t.Errorf("identity = %+v, want %+v", r.id, tc.want)
			}
			if r.client == nil || r.server == nil {
				t.Fatalf("sessions = %v, %v; want both", r.client, r.server)
			}
			exchange(t, r.client, r.server, "hello from the client")
			exchange(t, r.server, r.client, "hello from the server")
		})
	}
}

// exchange seals msg on one side and checks the other side unseals it.
func exchange(t *testing.T, from, to *ntlm.Session, msg string) {
	t.Helper()
	sig, sealed, err := from.Seal([]byte(msg))
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	if len(sig) != ntlm.SignatureLen {
		t.Fatalf("signature is %d bytes", len(sig))
	}
	if len(msg) > 4 && bytes.Contains(sealed, []byte(msg)) {
		t.Fatalf("sealed message contains the plaintext")
	}
	got, err := to.Unseal(sig, sealed)
	if err != nil {
		t.Fatalf("Unseal: %v", err)
	}
	if string(got) != msg {
		t.Fatalf("Unseal = %q, want %q", got, msg)
	}
}

func TestLoginRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name                   string
		user, domain, password string
		want                   error
	}{
		{"wrong password", testUser, testDomain, "wrong", ntlm.ErrLogonFailure},
		{"unknown user", "mallory", testDomain, testPassword, ntlm.ErrLogonFailure},
		{"password of another case", testUser, testDomain, "s3cret!pass", ntlm.ErrLogonFailure},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := login(t, ntlm.NewClient(tc.user, tc.domain, tc.password), newServer(t), nil, nil, hooks{})
			if !errors.Is(err, tc.want) {
				t.Fatalf("Accept = %v, want %v", err, tc.want)
			}
			if bytes.Contains([]byte(err.Error()), []byte(tc.password)) {
				t.Errorf("error %q reveals the password", err)
			}
		})
	}
}

// flipByte returns a hook that inverts the bits of one byte.
func flipByte(at int) func([]byte) []byte {
	return func(b []byte) []byte { b[at] ^= 0xff; return b }
}

// clearFlags returns a hook that clears NegotiateFlags bits of a message at the given offset.
func clearFlags(at int, bits uint32) func([]byte) []byte {
	return func(b []byte) []byte {
		binary.LittleEndian.PutUint32(b[at:], binary.LittleEndian.Uint32(b[at:])&^bits)
		return b
	}
}

// NegotiateFlags offsets ([MS-NLMP] 2.2.1.2, 2.2.1.3) and bits ([MS-NLMP] 2.2.2.5) used below.
const (
	challengeFlagsAt    = 20
	authenticateFlagsAt = 60
	micAt               = 72
	flagSign            = 0x00000010
	flagSeal            = 0x00000020
	flagESS             = 0x00080000
	flag128             = 0x20000000
)

func TestHandshakeTampering(t *testing.T) {
	t.Parallel()
	// MsvAvFlags with MIC-present, as the client writes it inside its NTLMv2 response.
	micAVPair := []byte{0x06, 0x00, 0x04, 0x00, 0x02, 0x00, 0x00, 0x00}
	for _, tc := range []struct {
		name       string
		protection ntlm.Protection
		h          hooks
		want       error
	}{
		{"MIC altered", ntlm.Sealed, hooks{authenticate: flipByte(micAt)}, ntlm.ErrBadMIC},
		{"MIC zeroed", ntlm.Sealed, hooks{authenticate: func(b []byte) []byte {
			clear(b[micAt : micAt+16])
			return b
		}}, ntlm.ErrBadMIC},
		{"sealing stripped from AUTHENTICATE flags", ntlm.Sealed,
			hooks{authenticate: clearFlags(authenticateFlagsAt, flagSeal)}, ntlm.ErrBadMIC},
		{"sealing stripped from CHALLENGE flags", ntlm.AuthenticationOnly,
			hooks{challenge: clearFlags(challengeFlagsAt, flagSeal)}, ntlm.ErrBadMIC},
		{"MIC-present bit cleared", ntlm.Sealed, hooks{authenticate: func(b []byte) []byte {
			i := bytes.Index(b, micAVPair)
			if i < 0 {
				t.Fatal("no MsvAvFlags with the MIC bit in the AUTHENTICATE_MESSAGE")
			}
			b[i+4] = 0
			return b
		}}, ntlm.ErrLogonFailure}, // NTProofStr covers the AV pairs
		// NTOWFv2 upper-cases the user name, so only the MIC notices a change of case.
		{"user name case altered", ntlm.Sealed, hooks{authenticate: func(b []byte) []byte {
			i := bytes.Index(b, []byte("a\x00l\x00i\x00c\x00e\x00"))
			b[i] = 'A'
			return b
		}}, ntlm.ErrBadMIC},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := ntlm.NewClient(testUser, testDomain, testPassword)
			c.Protection = tc.protection
			_, err := login(t, c, newServer(t), nil, nil, tc.h)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Accept = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestClientRequiresSealing shows the client refusing a CHALLENGE_MESSAGE that does not grant
// sealing, unless it was told authentication is enough.
func TestClientRequiresSealing(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		clear      uint32
		protection ntlm.Protection
		want       error
	}{
		{"no SEAL", flagSeal, ntlm.Sealed, ntlm.ErrWeakSecurity},
		{"no SIGN", flagSign, ntlm.Sealed, ntlm.ErrWeakSecurity},
		{"no extended session security", flagESS, ntlm.Sealed, ntlm.ErrWeakSecurity},
		{"no 128-bit keys", flag128, ntlm.Sealed, ntlm.ErrWeakSecurity},
		{"no SEAL, authentication only", flagSeal, ntlm.AuthenticationOnly, nil},
		{"all granted", 0, ntlm.Sealed, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := ntlm.NewClient(testUser, testDomain, testPassword)
			c.Protection = tc.protection
			challenge, _, err := newServer(t).Challenge(c.Negotiate())
			if err != nil {
				t.Fatal(err)
			}
			_, sess, err := c.Authenticate(clearFlags(challengeFlagsAt, tc.clear)(challenge), nil)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Authenticate = %v, want %v", err, tc.want)
			}
			if err == nil && (sess == nil) != (tc.clear == flagSeal) {
				t.Errorf("session = %v, want one exactly when sealing was granted", sess)
			}
		})
	}
}

func TestChannelBindings(t *testing.T) {
	t.Parallel()
	this := md5.Sum([]byte("tls-server-end-point:this certificate"))
	other := md5.Sum([]byte("tls-server-end-point:another certificate"))
	type cbt = []byte
	for _, tc := range []struct {
		name           string
		policy         ntlm.CBTHardening
		client, server cbt
		want           error
	}{
		{"none: matching", ntlm.CBTNone, this[:], this[:], nil},
		{"none: mismatching", ntlm.CBTNone, other[:], this[:], nil},
		{"none: missing", ntlm.CBTNone, nil, this[:], nil},
		{"relaxed: matching", ntlm.CBTRelaxed, this[:], this[:], nil},
		{"relaxed: mismatching", ntlm.CBTRelaxed, other[:], this[:], ntlm.ErrChannelBindings},
		{"relaxed: missing", ntlm.CBTRelaxed, nil, this[:], nil},
		{"relaxed: plain HTTP, none sent", ntlm.CBTRelaxed, nil, nil, nil},
		{"relaxed: plain HTTP, some sent", ntlm.CBTRelaxed, this[:], nil, ntlm.ErrChannelBindings},
		{"strict: matching", ntlm.CBTStrict, this[:], this[:], nil},
		{"strict: mismatching", ntlm.CBTStrict, other[:], this[:], ntlm.ErrChannelBindings},
		{"strict: missing", ntlm.CBTStrict, nil, this[:], ntlm.ErrChannelBindings},
		{"strict: plain HTTP", ntlm.CBTStrict, nil, nil, ntlm.ErrChannelBindings},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t)
			s.ChannelBindings = tc.policy
			_, err := login(t, ntlm.NewClient(testUser, testDomain, testPassword), s, tc.client, tc.server, hooks{})
			if !errors.Is(err, tc.want) {
				t.Fatalf("Accept = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestChannelBindingHashLength(t *testing.T) {
	t.Parallel()
	c := ntlm.NewClient(testUser, testDomain, testPassword)
	challenge, _ := negotiate(t, c, newServer(t))
	if _, _, err := c.Authenticate(challenge, make([]byte, 20)); err == nil {
		t.Fatal("Authenticate accepted a 20-byte channel binding hash")
	}
}

func TestAcceptOnce(t *testing.T) {
	t.Parallel()
	c := ntlm.NewClient(testUser, testDomain, testPassword)
	challenge, acceptor := negotiate(t, c, newServer(t))
	auth := authenticate(t, c, challenge)
	if _, _, err := acceptor.Accept(auth, nil); err != nil {
		t.Fatalf("first Accept: %v", err)
	}
	if _, _, err := acceptor.Accept(auth, nil); err == nil {
		t.Fatal("second Accept of the same challenge succeeded")
	}
}

// TestAnswerToAnotherChallenge replays an AUTHENTICATE_MESSAGE against a fresh challenge.
func TestAnswerToAnotherChallenge(t *testing.T) {
	t.Parallel()
	c := ntlm.NewClient(testUser, testDomain, testPassword)
	s := newServer(t)
	challenge, _ := negotiate(t, c, s)
	auth := authenticate(t, c, challenge)
	_, second := negotiate(t, c, s)
	if _, _, err := second.Accept(auth, nil); !errors.Is(err, ntlm.ErrLogonFailure) {
		t.Fatalf("Accept = %v, want %v", err, ntlm.ErrLogonFailure)
	}
}

func TestSplitUser(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ logon, user, domain string }{
		{`CORP\alice`, "alice", "CORP"},
		{`.\Administrator`, "Administrator", "."},
		{"alice@corp.example", "alice@corp.example", ""},
		{"alice", "alice", ""},
		{`CORP\alice@corp.example`, "alice@corp.example", "CORP"},
	} {
		if user, domain := ntlm.SplitUser(tc.logon); user != tc.user || domain != tc.domain {
			t.Errorf("SplitUser(%q) = %q, %q; want %q, %q", tc.logon, user, domain, tc.user, tc.domain)
		}
	}
}
