package ntlm

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"
)

// The fuzz targets feed arbitrary bytes to every parser a peer can reach. They check that nothing
// panics, and that what is accepted is consistent. `go test` runs the seeds; `go test -fuzz` explores.

// fuzzClient is a Client with fixed nonces, so that a seed gives the same message every run.
func fuzzClient() *Client {
	c := NewClient("alice", "CORP", "pw")
	c.Rand = zeroReader{}
	c.Now = func() time.Time { return time.Unix(1700000000, 0) }
	return c
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func fuzzServer() *Server {
	s := NewServer("ipam01", "corp.example", func(user, domain string) (string, bool) {
		return "pw", user == "alice"
	})
	s.Rand = zeroReader{}
	s.Now = func() time.Time { return time.Unix(1700000000, 0) }
	return s
}

// validAuthenticate returns a CHALLENGE_MESSAGE from fuzzServer and the client's valid answer.
func validAuthenticate(tb testing.TB) (challenge, authenticate []byte) {
	tb.Helper()
	challenge, _, err := fuzzServer().Challenge(fuzzClient().Negotiate())
	if err != nil {
		tb.Fatal(err)
	}
	authenticate, _, err = fuzzClient().Authenticate(challenge, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return challenge, authenticate
}

func FuzzNegotiate(f *testing.F) {
	f.Add(fuzzClient().Negotiate())
	f.Add(marshalNegotiate(flagOEM))
	f.Add([]byte("NTLMSSP\x00\x01\x00\x00\x00"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		challenge, a, err := fuzzServer().Challenge(b)
		if err != nil {
			return
		}
		oem := !negotiateFlags(binary.LittleEndian.Uint32(challenge[20:])).has(flagUnicode)
		if neg, _ := parseNegotiate(b); oem != !neg.flags.has(flagUnicode) {
			t.Fatalf("the server chose OEM=%v for a client that asked for %08x", oem, uint32(neg.flags))
		}
		// The client parser takes Unicode only (the client always asks for it).
		if _, err := parseChallenge(challenge); err != nil && !oem {
			t.Fatalf("the server wrote a CHALLENGE_MESSAGE it cannot read: %v", err)
		}
		if a == nil {
			t.Fatal("no Acceptor")
		}
	})
}

func FuzzChallenge(f *testing.F) {
	challenge, _ := validAuthenticate(f)
	f.Add(challenge)
	f.Add(unhex(f, specChallengeMessage))
	f.Add(challenge[:48])
	f.Add(challenge[:len(challenge)-3])
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, p := range []Protection{Sealed, AuthenticationOnly} {
			c := fuzzClient()
			c.Protection = p
			auth, sess, err := c.Authenticate(b, bytes.Repeat([]byte{9}, 16))
			if err != nil {
				continue
			}
			if _, err := parseAuthenticate(auth); err != nil {
				t.Fatalf("the client wrote an AUTHENTICATE_MESSAGE it cannot read: %v", err)
			}
			if p == Sealed && sess == nil {
				t.Fatal("a Sealed client returned no Session")
			}
		}
	})
}

func FuzzAccept(f *testing.F) {
	_, auth := validAuthenticate(f)
	_, a, err := fuzzServer().Challenge(fuzzClient().Negotiate())
	if err != nil {
		f.Fatal(err)
	}
	if _, _, err := a.Accept(auth, nil); err != nil {
		f.Fatalf("the valid seed is refused: %v", err)
	}
	f.Add(auth)
	f.Add(unhex(f, specAuthenticateMessage))
	f.Add(auth[:authenticateMinLen])
	f.Add(auth[:len(auth)-5])
	f.Fuzz(func(t *testing.T, b []byte) {
		s := fuzzServer()
		s.ChannelBindings = CBTStrict
		_, a, err := s.Challenge(fuzzClient().Negotiate())
		if err != nil {
			t.Fatal(err)
		}
		// The valid seed sends Z(16) as its channel bindings, so under CBTStrict nothing may pass:
		// passing would need a forged NTLMv2 response.
		if id, _, err := a.Accept(b, bytes.Repeat([]byte{9}, 16)); err == nil {
			t.Fatalf("accepted %+v", id)
		}
		// Under CBTNone only the untouched valid message passes.
		s.ChannelBindings = CBTNone
		_, a, err = s.Challenge(fuzzClient().Negotiate())
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := a.Accept(b, nil); err == nil && !bytes.Equal(b, auth) {
			t.Fatalf("accepted an altered AUTHENTICATE_MESSAGE")
		}
	})
}

func FuzzUnseal(f *testing.F) {
	key := bytes.Repeat([]byte{0x55}, 16)
	sig, sealed, err := newSession(clientFlags, key, true).Seal([]byte("<s:Envelope/>"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sig, sealed)
	f.Add(sig[:8], sealed)
	f.Add([]byte{}, []byte{})
	f.Fuzz(func(t *testing.T, sig, data []byte) {
		s := newSession(clientFlags, key, false)
		msg, err := s.Unseal(sig, data)
		if err == nil && string(msg) != "<s:Envelope/>" {
			t.Fatalf("unsealed a forged message: %q", msg)
		}
	})
}
