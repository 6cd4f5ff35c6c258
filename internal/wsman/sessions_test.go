package wsman_test

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/winipam/terraform-provider-ipam/internal/emulator"
	"github.com/winipam/terraform-provider-ipam/internal/failure"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

// A session belongs to its connection. A dropped connection, a refused sealed message or an answer
// in clear on a sealed connection each end it: the next request opens a connection and logs in
// anew, never reusing a sequence number, and succeeds.
func TestSealedSessionsEndWithTheirConnection(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t, 20*time.Second)
	t.Run("dropped connection", func(t *testing.T) {
		t.Parallel()
		srv := startServer(t, emulator.Config{DisableBasic: true, RequireEncryption: true}, serverOpts{})
		c := newClient(t, wsman.Config{Endpoint: srv.URL, Username: `CORP\` + testUser, Password: testPass})
		if err := identify(ctx, c, true); err != nil {
			t.Fatal(err)
		}
		if err := srv.InjectFault(emulator.FaultRule{Kind: emulator.FaultDropBefore, Count: 1}); err != nil {
			t.Fatal(err)
		}
		if err := identify(ctx, c, true); err != nil {
			t.Fatalf("after a dropped connection: %v", err)
		}
		if _, negotiates, conns := srv.st.snapshot(); negotiates != 2 || conns != 2 {
			t.Errorf("%d logins on %d connections; want a new login on a new connection", negotiates, conns)
		}
	})
	t.Run("401 to a sealed message", func(t *testing.T) {
		t.Parallel()
		var refused atomic.Bool
		srv := startServer(t, emulator.Config{DisableBasic: true, RequireEncryption: true}, serverOpts{
			intercept: func(w http.ResponseWriter, r *http.Request) bool {
				if wsman.IsEncrypted(r.Header.Get("Content-Type")) && refused.CompareAndSwap(false, true) {
					w.Header().Set("WWW-Authenticate", "Negotiate")
					w.WriteHeader(http.StatusUnauthorized)
					return true
				}
				return false
			}})
		c := newClient(t, wsman.Config{Endpoint: srv.URL, Username: `CORP\` + testUser, Password: testPass})
		// Not idempotent: a 401 means the message was not processed, so it may go again.
		if _, err := addSpace(ctx, c, "after-401", ""); err != nil {
			t.Fatalf("a refused sealed message was not sent again on a new login: %v", err)
		}
		if _, negotiates, conns := srv.st.snapshot(); negotiates != 2 || conns != 2 {
			t.Errorf("%d logins on %d connections; want two of each", negotiates, conns)
		}
		// The refusal was not taken for a wrong password: the client still works.
		if err := identify(ctx, c, true); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("413 in clear", func(t *testing.T) {
		t.Parallel()
		srv := startServer(t, emulator.Config{DisableBasic: true, RequireEncryption: true, MaxRequestSize: 16 * 1024}, serverOpts{})
		c := newClient(t, wsman.Config{Endpoint: srv.URL, Username: `CORP\` + testUser, Password: testPass})
		_, err := addSpace(ctx, c, "big", strings.Repeat("x", 3000)) // fits the server's limit
		if err != nil {
			t.Fatal(err)
		}
		_, err = addSpace(ctx, c, "too-big", strings.Repeat("é", 12000))
		if he := asHTTP(t, err); he.Status != http.StatusRequestEntityTooLarge {
			t.Fatalf("want 413, got %v", err)
		}
		wantContains(t, err.Error(), "MaxEnvelopeSizekb", "was not processed")
		wantKind(t, err, failure.KindTooLarge)
		if err := identify(ctx, c, true); err != nil {
			t.Fatalf("after a 413: %v", err)
		}
		if _, negotiates, _ := srv.st.snapshot(); negotiates != 2 {
			t.Errorf("%d logins; the connection that got an answer in clear must not be used again", negotiates)
		}
	})
}
