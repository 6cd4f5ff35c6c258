package ntlm_test

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/winipam/terraform-provider-ipam/internal/ntlm"
)

// sessions logs in and returns the client's and the server's Session.
func sessions(t *testing.T) (client, server *ntlm.Session) {
	t.Helper()
	r, err := login(t, ntlm.NewClient(testUser, testDomain, testPassword), newServer(t), nil, nil, hooks{})
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	return r.client, r.server
}

// sealed is one message as it travels.
type sealed struct{ sig, data []byte }

func seal(t *testing.T, s *ntlm.Session, msg string) sealed {
	t.Helper()
	sig, data, err := s.Seal([]byte(msg))
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	return sealed{sig, data}
}

func TestSealBothDirections(t *testing.T) {
	t.Parallel()
	client, server := sessions(t)
	// Interleaved, as WinRM requests and responses are, with an empty message among them.
	for i, msg := range []string{"request 0", "", "request 2 with a longer body <s:Envelope/>", "request 3"} {
		exchange(t, client, server, msg)
		exchange(t, server, client, fmt.Sprintf("response %d", i))
	}
	// Several in a row one way, then the other.
	for i := range 3 {
		exchange(t, client, server, fmt.Sprintf("burst %d", i))
	}
	for i := range 3 {
		exchange(t, server, client, fmt.Sprintf("burst %d", i))
	}
}

// TestSealDirectionsDiffer checks the two directions use different keys: a message sealed by the
// client does not unseal as if the server had sealed it.
func TestSealDirectionsDiffer(t *testing.T) {
	t.Parallel()
	client, _ := sessions(t)
	m := seal(t, client, "to the server")
	if _, err := client.Unseal(m.sig, m.data); !errors.Is(err, ntlm.ErrBadSignature) {
		t.Fatalf("client unsealed its own message: %v", err)
	}
}

func TestUnsealRejects(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		// send seals messages on the client and returns the one to deliver to the server, which
		// has unsealed the first `delivered` of them already.
		send func(t *testing.T, client, server *ntlm.Session) sealed
		want error
	}{
		{"replayed", func(t *testing.T, client, server *ntlm.Session) sealed {
			m := seal(t, client, "first")
			mustUnseal(t, server, m)
			return m
		}, ntlm.ErrOutOfSequence},
		{"reordered", func(t *testing.T, client, _ *ntlm.Session) sealed {
			seal(t, client, "first")
			return seal(t, client, "second")
		}, ntlm.ErrOutOfSequence},
		{"sealed byte altered", altered(func(m *sealed) { m.data[3] ^= 1 }), ntlm.ErrBadSignature},
		{"checksum altered", altered(func(m *sealed) { m.sig[5] ^= 1 }), ntlm.ErrBadSignature},
		{"sequence number altered", altered(func(m *sealed) { m.sig[12] = 1 }), ntlm.ErrOutOfSequence},
		{"replayed with the next sequence number", func(t *testing.T, client, server *ntlm.Session) sealed {
			m := seal(t, client, "first")
			mustUnseal(t, server, m)
			m.sig[12] = 1
			return m
		}, ntlm.ErrBadSignature},
		{"version altered", altered(func(m *sealed) { m.sig[0] = 2 }), ntlm.ErrBadSignature},
		{"short signature", altered(func(m *sealed) { m.sig = m.sig[:15] }), ntlm.ErrBadSignature},
		{"truncated message", altered(func(m *sealed) { m.data = m.data[:4] }), ntlm.ErrBadSignature},
		{"from another login", func(t *testing.T, _, _ *ntlm.Session) sealed {
			other, _ := sessions(t)
			return seal(t, other, "first")
		}, ntlm.ErrBadSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			client, server := sessions(t)
			m := tc.send(t, client, server)
			if _, err := server.Unseal(m.sig, m.data); !errors.Is(err, tc.want) {
				t.Fatalf("Unseal = %v, want %v", err, tc.want)
			}
			// The session is now broken both ways.
			next := seal(t, client, "after the failure")
			if _, err := server.Unseal(next.sig, next.data); !errors.Is(err, ntlm.ErrSessionBroken) {
				t.Errorf("Unseal after a failure = %v, want %v", err, ntlm.ErrSessionBroken)
			}
			if _, _, err := server.Seal([]byte("reply")); !errors.Is(err, ntlm.ErrSessionBroken) {
				t.Errorf("Seal after a failure = %v, want %v", err, ntlm.ErrSessionBroken)
			}
		})
	}
}

// altered seals "first" on the client and changes it with alter on its way to the server.
func altered(alter func(m *sealed)) func(t *testing.T, client, server *ntlm.Session) sealed {
	return func(t *testing.T, client, _ *ntlm.Session) sealed {
		m := seal(t, client, "first")
		alter(&m)
		return m
	}
}

func mustUnseal(t *testing.T, s *ntlm.Session, m sealed) {
	t.Helper()
	if _, err := s.Unseal(m.sig, m.data); err != nil {
		t.Fatalf("Unseal: %v", err)
	}
}

func TestSealDoesNotModifyInput(t *testing.T) {
	t.Parallel()
	client, server := sessions(t)
	msg := []byte("keep me")
	m := seal(t, client, string(msg))
	sig, data := bytes.Clone(m.sig), bytes.Clone(m.data)
	if _, _, err := client.Seal(msg); err != nil || string(msg) != "keep me" {
		t.Fatalf("Seal changed its input to %q (%v)", msg, err)
	}
	mustUnseal(t, server, m)
	if !bytes.Equal(sig, m.sig) || !bytes.Equal(data, m.data) {
		t.Error("Unseal changed its input")
	}
}

func TestNilSession(t *testing.T) {
	t.Parallel()
	var s *ntlm.Session
	if _, _, err := s.Seal([]byte("x")); !errors.Is(err, ntlm.ErrNoSessionSecurity) {
		t.Errorf("Seal = %v", err)
	}
	if _, err := s.Unseal(make([]byte, 16), []byte("x")); !errors.Is(err, ntlm.ErrNoSessionSecurity) {
		t.Errorf("Unseal = %v", err)
	}
}

// TestSessionConcurrentDirections seals in both directions at once; run with -race.
func TestSessionConcurrentDirections(t *testing.T) {
	t.Parallel()
	client, server := sessions(t)
	const n = 50
	toServer, toClient := make(chan sealed, n), make(chan sealed, n)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	run := func(f func() error) {
		wg.Add(1)
		go func() { defer wg.Done(); errs <- f() }()
	}
	pump := func(from *ntlm.Session, out chan<- sealed) func() error {
		return func() error {
			for i := range n {
				sig, data, err := from.Seal(fmt.Appendf(nil, "message %d", i))
				if err != nil {
					return err
				}
				out <- sealed{sig, data}
			}
			return nil
		}
	}
	drain := func(to *ntlm.Session, in <-chan sealed) func() error {
		return func() error {
			for i := range n {
				m := <-in
				got, err := to.Unseal(m.sig, m.data)
				if err != nil {
					return err
				}
				if want := fmt.Sprintf("message %d", i); string(got) != want {
					return fmt.Errorf("got %q, want %q", got, want)
				}
			}
			return nil
		}
	}
	run(pump(client, toServer))
	run(pump(server, toClient))
	run(drain(server, toServer))
	run(drain(client, toClient))
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}
