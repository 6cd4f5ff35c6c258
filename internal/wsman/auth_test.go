package wsman_test

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/winipam/terraform-provider-ipam/internal/emulator"
	"github.com/winipam/terraform-provider-ipam/internal/failure"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

func TestAuthAgainstEmulator(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name         string
		disableBasic bool
		auth, user   string
		pass         string
		wantErr      []string // nil: success
	}{
		{name: "basic", auth: "basic", user: testUser, pass: testPass},
		{name: "basic wrong password", auth: "basic", user: testUser, pass: "wrong",
			wantErr: []string{"HTTP 401", "the server offers Negotiate, Basic"}},
		{name: "basic disabled on the server", disableBasic: true, auth: "basic", user: testUser, pass: testPass,
			wantErr: []string{"HTTP 401", "the server offers Negotiate)"}},
		{name: "ntlm DOMAIN\\user", auth: "ntlm", user: `CORP\` + testUser, pass: testPass},
		{name: "ntlm user@domain", auth: "ntlm", user: testUser + "@corp.example", pass: testPass},
		{name: "ntlm local account", auth: "ntlm", user: testUser, pass: testPass},
		{name: "ntlm is the default", auth: "", user: testUser, pass: testPass},
		{name: "ntlm with basic disabled", disableBasic: true, auth: "ntlm", user: `CORP\` + testUser, pass: testPass},
		{name: "ntlm wrong password", auth: "ntlm", user: `CORP\` + testUser, pass: "wrong",
			wantErr: []string{"HTTP 401", "Negotiate", "the credentials were refused"}},
		{name: "ntlm wrong user", auth: "ntlm", user: `CORP\mallory`, pass: testPass, wantErr: []string{"HTTP 401"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, emulator.Config{DisableBasic: tc.disableBasic}, serverOpts{})
			c := newClient(t, wsman.Config{Endpoint: srv.URL, Auth: tc.auth, Username: tc.user, Password: tc.pass})
			ctx := testCtx(t, 10*time.Second)
			err := identify(ctx, c, true)
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("identify: %v", err)
				}
				// A real call works too, and lands in the store.
				if _, err := addSpace(ctx, c, "auth-check", ""); err != nil {
					t.Fatalf("add: %v", err)
				}
				if got := spaceNames(ctx, t, c, "auth-check"); len(got) != 1 {
					t.Fatalf("enumerated %v", got)
				}
				return
			}
			if err == nil {
				t.Fatal("identify succeeded; want 401")
			}
			he := asHTTP(t, err)
			if he.Status != http.StatusUnauthorized {
				t.Errorf("status %d, want 401", he.Status)
			}
			wantContains(t, err.Error(), tc.wantErr...)
			wantClean(t, err, tc.pass)
			// The facts the advice rests on: the scheme used, and whether the server offers Basic.
			f := wantKind(t, err, failure.KindCredentialsRefused)
			if want := cmp.Or(tc.auth, "ntlm"); f.Auth != want || !f.NotActed || f.OffersScheme("Basic") == tc.disableBasic {
				t.Errorf("facts %+v: want auth %s, not acted, Basic offered %v", f, want, !tc.disableBasic)
			}
			// One login attempt: one request with Basic, NEGOTIATE and AUTHENTICATE with NTLM.
			if legs := map[bool]int64{true: 1, false: 2}[tc.auth == "basic"]; c.Requests() != legs {
				t.Errorf("a refused login was retried: %d requests, want %d", c.Requests(), legs)
			}
			// Credentials do not heal within a run, and each failed login counts towards a
			// domain account's lockout: later calls fail the same way without reaching the server.
			seen, _, _ := srv.st.snapshot()
			for range 3 {
				if err2 := identify(ctx, c, true); err2 == nil || err2.Error() != err.Error() {
					t.Fatalf("after a refused login: %v, want %v", err2, err)
				}
			}
			if now, _, _ := srv.st.snapshot(); now != seen || c.Requests() > 2 {
				t.Errorf("after a refused login, %d more requests reached the server (client sent %d in all)", now-seen, c.Requests())
			}
		})
	}
}

// A burst of first requests with a wrong password costs one failed login, not one per request:
// domain accounts lock out after a few.
func TestRefusedLoginBurst(t *testing.T) {
	t.Parallel()
	for _, auth := range []string{"basic", "ntlm"} {
		t.Run(auth, func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, emulator.Config{}, serverOpts{})
			c := newClient(t, wsman.Config{Endpoint: srv.URL, Auth: auth, Username: `CORP\` + testUser, Password: "wrong", MaxConcurrent: 16})
			ctx := testCtx(t, 10*time.Second)
			var wg sync.WaitGroup
			for range 32 {
				wg.Go(func() {
					if err := identify(ctx, c, true); err == nil || asHTTP(t, err).Status != http.StatusUnauthorized {
						t.Errorf("identify: %v, want 401", err)
					}
				})
			}
			wg.Wait()
			requests, negotiates, _ := srv.st.snapshot()
			if legs := map[string]int64{"basic": 1, "ntlm": 2}[auth]; c.Requests() != legs || negotiates > 1 {
				t.Errorf("the client sent %d requests (%d reached the server, %d NTLM handshakes); want one login attempt", c.Requests(), requests, negotiates)
			}
		})
	}
}

// A burst of first requests with the right password: after the first login, requests run in
// parallel, each NTLM connection logs in once, and no handshake leg strays onto another
// connection (which the server would answer with 401). Rounds make a race show.
func TestNTLMConcurrentLogins(t *testing.T) {
	t.Parallel()
	for round := range 3 {
		srv := startServer(t, emulator.Config{}, serverOpts{holdResponse: 50 * time.Millisecond})
		c := newClient(t, wsman.Config{Endpoint: srv.URL, Auth: "ntlm", Username: `CORP\` + testUser, Password: testPass, MaxConcurrent: 16})
		ctx := testCtx(t, 20*time.Second)
		var wg sync.WaitGroup
		for range 48 {
			wg.Go(func() {
				if err := identify(ctx, c, true); err != nil {
					t.Errorf("round %d: %v", round, err)
				}
			})
		}
		wg.Wait()
		_, negotiates, conns := srv.st.snapshot()
		if negotiates != conns {
			t.Errorf("round %d: %d NTLM handshakes on %d connections, want one per connection", round, negotiates, conns)
		}
		if m := srv.st.max(); m < 2 || m > 16 {
			t.Errorf("round %d: at most %d requests in flight, want 2..16", round, m)
		}
	}
}

// WinRM keeps an NTLM login, and the sealing that comes with it, for the life of the connection;
// the client must reuse it rather than log in on every request. Over plain HTTP, against a server
// with Windows' defaults, every message is sealed.
func TestNTLMKeepsConnectionAuthenticated(t *testing.T) {
	t.Parallel()
	srv := startServer(t, emulator.Config{DisableBasic: true, RequireEncryption: true}, serverOpts{})
	c := newClient(t, wsman.Config{Endpoint: srv.URL, Auth: "ntlm", Username: `CORP\` + testUser, Password: testPass})
	ctx := testCtx(t, 10*time.Second)

	if err := identify(ctx, c, true); err != nil {
		t.Fatal(err)
	}
	req1, hs1, conns1 := srv.st.snapshot()
	if hs1 != 1 || req1 != 3 || conns1 != 1 {
		t.Fatalf("first request: %d HTTP requests, %d handshakes, %d connections; want 3 (negotiate, authenticate, the sealed request), 1, 1", req1, hs1, conns1)
	}
	for i := 0; i < 3; i++ {
		if _, err := addSpace(ctx, c, fmt.Sprintf("kept-%d", i), ""); err != nil {
			t.Fatal(err)
		}
	}
	req2, hs2, conns2 := srv.st.snapshot()
	if hs2 != 1 || conns2 != 1 || req2 != req1+3 {
		t.Fatalf("after 3 more calls: %d HTTP requests, %d handshakes, %d connections; want %d, 1, 1", req2, hs2, conns2, req1+3)
	}
	srv.st.mu.Lock()
	defer srv.st.mu.Unlock()
	if srv.st.sealed != 4 {
		t.Errorf("%d of the 4 messages were sealed", srv.st.sealed)
	}
	for _, h := range srv.st.authHeaders {
		if strings.HasPrefix(strings.ToLower(h), "basic ") {
			t.Errorf("the NTLM client sent a Basic header, i.e. the password in clear: %.12s...", h)
		}
	}
}

// Channel bindings: with CbtHardeningLevel=Strict, NTLM over HTTPS logs in only with bindings that
// name the server's certificate, which the client sends.
func TestNTLMChannelBindingStrict(t *testing.T) {
	t.Parallel()
	p := testPKI()
	run, err := emulator.Start(context.Background(), emulator.Config{Username: testUser, Password: testPass, DisableBasic: true,
		CBTHardening: "strict", Logger: quiet}, "127.0.0.1:0", serverTLS())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })
	c := newClient(t, wsman.Config{Endpoint: run.URL, Username: `CORP\` + testUser, Password: testPass, CACert: p.ca.PEM, TLSServerName: serverName})
	if c.Sealing() {
		t.Fatal("a client over HTTPS seals")
	}
	if err := identify(testCtx(t, 10*time.Second), c, true); err != nil {
		t.Fatalf("NTLM over HTTPS with strict channel binding: %v", err)
	}
}

func TestCertificateAuth(t *testing.T) {
	t.Parallel()
	p := testPKI()
	run, err := emulator.Start(context.Background(), emulator.Config{Username: testUser, Password: testPass, DisableBasic: true, Logger: quiet}, "127.0.0.1:0", serverTLS())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })
	cases := []struct {
		name       string
		cert, key  []byte
		wantStatus int
	}{
		{name: "mapped certificate", cert: p.clientCert, key: p.clientKey},
		{name: "unmapped certificate", cert: p.otherCert, key: p.otherKey, wantStatus: http.StatusUnauthorized},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newClient(t, wsman.Config{Endpoint: run.URL, Auth: "certificate", CACert: p.ca.PEM, TLSServerName: serverName,
				ClientCert: tc.cert, ClientKey: tc.key})
			ctx := testCtx(t, 10*time.Second)
			_, err := addSpace(ctx, c, "by-certificate", "")
			if tc.wantStatus == 0 {
				if err != nil {
					t.Fatalf("add: %v", err)
				}
				return
			}
			he := asHTTP(t, err)
			if he.Status != tc.wantStatus {
				t.Fatalf("status %d, want %d", he.Status, tc.wantStatus)
			}
			if f := wantKind(t, err, failure.KindCredentialsRefused); f.Auth != "certificate" {
				t.Errorf("facts %+v: want auth certificate", f)
			}
			wantClean(t, err)
		})
	}
}
