package wsman_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/winipam/terraform-provider-ipam/internal/emulator"
	"github.com/winipam/terraform-provider-ipam/internal/failure"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

func TestRetries(t *testing.T) {
	t.Parallel()
	const timeout = 200 * time.Millisecond
	cases := []struct {
		name       string
		rule       emulator.FaultRule
		idempotent bool
		attempts   int
		timeout    time.Duration
		wantReqs   int
		wantErr    func(t *testing.T, err error) // nil: success
		wantStored bool                          // for the non-idempotent Add: did the server act?
	}{
		{name: "503 twice, idempotent", rule: emulator.FaultRule{Kind: emulator.FaultUnavailable, Count: 2}, idempotent: true, wantReqs: 3},
		{name: "503 twice, not idempotent", rule: emulator.FaultRule{Kind: emulator.FaultUnavailable, Count: 2}, wantReqs: 3, wantStored: true},
		{name: "503 always, capped by attempts", rule: emulator.FaultRule{Kind: emulator.FaultUnavailable}, idempotent: true, attempts: 4, wantReqs: 4 * 5,
			wantErr: func(t *testing.T, err error) { wantStatus(t, err, 503) }},
		{name: "503 with retries disabled", rule: emulator.FaultRule{Kind: emulator.FaultUnavailable, Count: 1}, idempotent: true, attempts: 1, wantReqs: 1,
			wantErr: func(t *testing.T, err error) { wantStatus(t, err, 503) }},
		{name: "quota, not idempotent", rule: emulator.FaultRule{Kind: emulator.FaultQuota, Count: 2}, wantReqs: 3, wantStored: true},
		{name: "500 empty is not retried", rule: emulator.FaultRule{Kind: emulator.FaultEmpty500, Count: 1}, idempotent: true, wantReqs: 1,
			wantErr: func(t *testing.T, err error) {
				if he := asHTTP(t, err); !he.EmptyBody {
					t.Errorf("%+v", he)
				}
			}},
		{name: "drop before, idempotent", rule: emulator.FaultRule{Kind: emulator.FaultDropBefore, Count: 1}, idempotent: true, wantReqs: 2},
		// The client cannot tell a drop before from a drop after acting: it must not repeat a call
		// that is not safe to repeat.
		{name: "drop before, not idempotent", rule: emulator.FaultRule{Kind: emulator.FaultDropBefore, Count: 1}, wantReqs: 1, wantStored: false,
			wantErr: wantDropped},
		{name: "drop after, idempotent", rule: emulator.FaultRule{Kind: emulator.FaultDropAfter, Count: 1}, idempotent: true, wantReqs: 2},
		{name: "drop after, not idempotent", rule: emulator.FaultRule{Kind: emulator.FaultDropAfter, Count: 1}, wantReqs: 1, wantStored: true,
			wantErr: wantDropped},
		{name: "no answer in time, idempotent", rule: emulator.FaultRule{Kind: emulator.FaultSlow, Count: 1, Delay: 5 * time.Second}, idempotent: true, timeout: timeout, wantReqs: 2},
		{name: "no answer in time, not idempotent", rule: emulator.FaultRule{Kind: emulator.FaultSlow, Count: 1, Delay: 5 * time.Second}, timeout: timeout, wantReqs: 1,
			wantErr: func(t *testing.T, err error) {
				te := asTransport(t, err)
				if te.NotSent || !te.Transient {
					t.Errorf("timeout: NotSent=%v Transient=%v", te.NotSent, te.Transient)
				}
				wantContains(t, err.Error(), "no answer within 200ms")
				wantKind(t, err, failure.KindTimeout)
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, emulator.Config{}, serverOpts{})
			attempts := tc.attempts
			if attempts == 0 {
				attempts = 3
			}
			c := newClient(t, wsman.Config{Endpoint: srv.URL, Auth: "basic", Username: testUser, Password: testPass,
				Retry: fastRetry(attempts), Timeout: tc.timeout})
			ctx := testCtx(t, 15*time.Second)
			rule := tc.rule
			var err error
			if tc.idempotent {
				rule.Action = "" // Identify has no action
				if e := srv.InjectFault(rule); e != nil {
					t.Fatal(e)
				}
				err = identify(ctx, c, true)
			} else {
				rule.Action = "AddProviderAddressSpace"
				if e := srv.InjectFault(rule); e != nil {
					t.Fatal(e)
				}
				_, err = addSpace(ctx, c, "retried", "")
			}
			if tc.wantErr == nil && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tc.wantErr != nil {
				if err == nil {
					t.Fatal("no error")
				}
				tc.wantErr(t, err)
				wantClean(t, err)
			}
			reqs, _, _ := srv.st.snapshot()
			if reqs != tc.wantReqs || c.Requests() != int64(tc.wantReqs) {
				t.Errorf("server saw %d requests, client made %d attempts; want %d", reqs, c.Requests(), tc.wantReqs)
			}
			if !tc.idempotent {
				srv.ClearFaults()
				stored := len(spaceNames(ctx, t, c, "retried")) == 1
				if stored != tc.wantStored {
					t.Errorf("address space stored: %v, want %v", stored, tc.wantStored)
				}
			}
		})
	}
}

func wantDropped(t *testing.T, err error) {
	t.Helper()
	te := asTransport(t, err)
	if te.NotSent || !te.Transient {
		t.Errorf("dropped connection: NotSent=%v Transient=%v, want false, true", te.NotSent, te.Transient)
	}
	wantKind(t, err, failure.KindConnectionDropped)
}

func TestCancellationStopsRetrying(t *testing.T) {
	t.Parallel()
	t.Run("during backoff", func(t *testing.T) {
		t.Parallel()
		srv := startServer(t, emulator.Config{}, serverOpts{})
		if err := srv.InjectFault(emulator.FaultRule{Kind: emulator.FaultUnavailable}); err != nil {
			t.Fatal(err)
		}
		c := newClient(t, wsman.Config{Endpoint: srv.URL, Auth: "basic", Username: testUser, Password: testPass,
			Retry: &wsman.RetryPolicy{Attempts: 1000, Base: 40 * time.Millisecond, Max: 40 * time.Millisecond}})
		ctx, cancel := context.WithTimeout(testCtx(t, 10*time.Second), 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := identify(ctx, c, true)
		elapsed := time.Since(start)
		if err == nil {
			t.Fatal("no error")
		}
		if elapsed > 2*time.Second {
			t.Errorf("Do returned %s after the context ended", elapsed-300*time.Millisecond)
		}
		if n := c.Requests(); n < 2 || n > 30 {
			t.Errorf("%d attempts in 300ms with 20-40ms backoff", n)
		}
		after := c.Requests()
		time.Sleep(100 * time.Millisecond)
		if c.Requests() != after {
			t.Errorf("attempts continued after Do returned")
		}
	})
	t.Run("in flight", func(t *testing.T) {
		t.Parallel()
		srv := startServer(t, emulator.Config{}, serverOpts{})
		if err := srv.InjectFault(emulator.FaultRule{Kind: emulator.FaultSlow, Delay: 5 * time.Second}); err != nil {
			t.Fatal(err)
		}
		c := newClient(t, wsman.Config{Endpoint: srv.URL, Auth: "basic", Username: testUser, Password: testPass, Timeout: 10 * time.Second})
		ctx, cancel := context.WithCancel(testCtx(t, 10*time.Second))
		time.AfterFunc(150*time.Millisecond, cancel)
		start := time.Now()
		err := identify(ctx, c, true)
		if elapsed := time.Since(start); elapsed > 10*time.Second {
			t.Errorf("Do took %s; the cancellation came after 150ms", elapsed)
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want context.Canceled", err)
		}
		_ = asTransport(t, err)
		if c.Requests() != 1 {
			t.Errorf("%d attempts: a cancelled request was retried", c.Requests())
		}
	})
	t.Run("already cancelled", func(t *testing.T) {
		t.Parallel()
		srv := startServer(t, emulator.Config{}, serverOpts{})
		c := newClient(t, wsman.Config{Endpoint: srv.URL, Auth: "basic", Username: testUser, Password: testPass})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := identify(ctx, c, true); !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want context.Canceled", err)
		}
		if reqs, _, _ := srv.st.snapshot(); reqs != 0 {
			t.Errorf("server saw %d requests", reqs)
		}
	})
}
