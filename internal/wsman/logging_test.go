package wsman_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/winipam/terraform-provider-ipam/internal/emulator"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

type logEntry struct {
	level, msg string
	fields     map[string]any
}

type recLogger struct {
	mu      sync.Mutex
	entries []logEntry
}

func (l *recLogger) add(level, msg string, f map[string]any) {
	cp := make(map[string]any, len(f))
	for k, v := range f {
		cp[k] = v
	}
	l.mu.Lock()
	l.entries = append(l.entries, logEntry{level, msg, cp})
	l.mu.Unlock()
}

func (l *recLogger) Debug(_ context.Context, msg string, f map[string]any) { l.add("debug", msg, f) }

func (l *recLogger) Trace(_ context.Context, msg string, f map[string]any) { l.add("trace", msg, f) }

func (l *recLogger) take() []logEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.entries
	l.entries = nil
	return out
}

func TestLogging(t *testing.T) {
	t.Parallel()
	// A password with XML's special characters: in a body it travels escaped.
	const secret = `Tr0ub&dor<3>"x"`
	escaped := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(secret)
	srv := startServer(t, emulator.Config{Username: testUser, Password: secret}, serverOpts{})
	logger := &recLogger{}
	c := newClient(t, wsman.Config{Endpoint: srv.URL, Auth: "basic", Username: testUser, Password: secret, Logger: logger})
	ctx := testCtx(t, 10*time.Second)
	basicHeader := base64.StdEncoding.EncodeToString([]byte(testUser + ":" + secret))
	forbidden := []string{secret, escaped, basicHeader, "Authorization"}

	var all []logEntry
	check := func(t *testing.T, entries []logEntry) {
		t.Helper()
		all = append(all, entries...)
		for _, e := range entries {
			for k, v := range e.fields {
				s := fmt.Sprint(v)
				for _, bad := range forbidden {
					if strings.Contains(s, bad) || strings.Contains(k, bad) {
						t.Errorf("%s %q: field %s carries %q: %.300s", e.level, e.msg, k, bad, s)
					}
				}
			}
		}
	}

	t.Run("one debug line per request, masked bodies", func(t *testing.T) {
		out, err := addSpace(ctx, c, "logged", "the password is "+secret+" here")
		if err != nil {
			t.Fatal(err)
		}
		got, _ := out.Param("output")
		if len(got.Values) != 1 || got.Values[0].Instance == nil {
			t.Fatalf("no output instance: %+v", out)
		}
		if d, _ := got.Values[0].Instance.Text("Description"); !strings.Contains(d, secret) {
			t.Fatalf("the caller's own data must come back unmasked: %q", d)
		}
		entries := logger.take()
		check(t, entries)
		var debug, trace []logEntry
		for _, e := range entries {
			if e.level == "debug" {
				debug = append(debug, e)
			} else {
				trace = append(trace, e)
			}
		}
		if len(debug) != 1 {
			t.Fatalf("%d debug lines for one request: %+v", len(debug), debug)
		}
		f := debug[0].fields
		if f["action"] != "AddProviderAddressSpace" || f["status"] != 200 {
			t.Errorf("debug fields %v", f)
		}
		if _, ok := f["duration_ms"].(int64); !ok {
			t.Errorf("duration_ms %T %v", f["duration_ms"], f["duration_ms"])
		}
		if len(trace) != 2 {
			t.Fatalf("%d trace lines, want request and response bodies", len(trace))
		}
		for _, e := range trace {
			body := fmt.Sprint(e.fields["body"])
			if !strings.Contains(body, "the password is *** here") {
				t.Errorf("%s: password not masked as ***: %.2000s", e.msg, body)
			}
		}
	})

	t.Run("failures and retries", func(t *testing.T) {
		if err := srv.InjectFault(emulator.FaultRule{Kind: emulator.FaultUnavailable, Count: 1}); err != nil {
			t.Fatal(err)
		}
		if err := identify(ctx, c, true); err != nil {
			t.Fatal(err)
		}
		if err := srv.InjectFault(emulator.FaultRule{Kind: emulator.FaultDropBefore, Count: 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := addSpace(ctx, c, "dropped", secret); err == nil {
			t.Fatal("dropped request succeeded")
		}
		_, _ = addSpace(ctx, c, "logged", secret) // a provider fault: it exists
		entries := logger.take()
		check(t, entries)
		requests := 0
		for _, e := range entries {
			if _, ok := e.fields["duration_ms"]; ok && e.level == "debug" {
				requests++
				if e.fields["action"] == nil {
					t.Errorf("debug line without action: %v", e.fields)
				}
			}
		}
		if requests != 4 { // 503 + retry, drop, fault
			t.Errorf("%d debug lines with duration_ms, want 4 (one per request)", requests)
		}

		// A wrong password: the 401 and its error carry neither password.
		wrong := newClient(t, wsman.Config{Endpoint: srv.URL, Auth: "basic", Username: testUser, Password: secret + "-wrong", Logger: logger})
		err := identify(ctx, wrong, true)
		wantStatus(t, err, 401)
		wantClean(t, err, secret)
		check(t, logger.take())
	})

	t.Run("the query as sent", func(t *testing.T) {
		spaceNames(ctx, t, c, "logged%")
		entries := logger.take()
		check(t, entries)
		for _, e := range entries {
			if e.level == "debug" && e.fields["action"] == "Enumerate" {
				if q := fmt.Sprint(e.fields["query"]); !strings.Contains(q, "LIKE 'logged%'") {
					t.Errorf("Enumerate logged the query %q, want the WQL sent", q)
				}
				return
			}
		}
		t.Fatalf("no debug line for the Enumerate: %+v", entries)
	})
	if len(all) == 0 {
		t.Fatal("nothing was logged")
	}
}
