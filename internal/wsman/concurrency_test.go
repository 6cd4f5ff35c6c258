package wsman_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/winipam/terraform-provider-ipam/internal/emulator"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

func TestConcurrencyCap(t *testing.T) {
	t.Parallel()
	parallel := func(t *testing.T, n int, call func(ctx context.Context, i int) error) []error {
		ctx := testCtx(t, 15*time.Second)
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				<-start
				errs[i] = call(ctx, i)
			}(i)
		}
		close(start)
		wg.Wait()
		return errs
	}
	t.Run("in flight", func(t *testing.T) {
		t.Parallel()
		srv := startServer(t, emulator.Config{Latency: 40 * time.Millisecond}, serverOpts{})
		c := newClient(t, wsman.Config{Endpoint: srv.URL, Auth: "basic", Username: testUser, Password: testPass, MaxConcurrent: 2})
		for i, err := range parallel(t, 10, func(ctx context.Context, _ int) error { return identify(ctx, c, true) }) {
			if err != nil {
				t.Errorf("request %d: %v", i, err)
			}
		}
		if m := srv.st.max(); m != 2 {
			t.Errorf("at most %d requests were in flight, want exactly 2", m)
		}
	})
	quotaFaults := func(t *testing.T, maxConcurrent int) (faults int, inFlight int) {
		srv := startServer(t, emulator.Config{MaxConcurrentOperations: 2}, serverOpts{holdResponse: 40 * time.Millisecond})
		// No retries: a quota fault must not be hidden by a retry.
		c := newClient(t, wsman.Config{Endpoint: srv.URL, Auth: "basic", Username: testUser, Password: testPass,
			MaxConcurrent: maxConcurrent, Retry: fastRetry(1)})
		errs := parallel(t, 10, func(ctx context.Context, i int) error {
			_, err := addSpace(ctx, c, fmt.Sprintf("quota-%d", i), "")
			return err
		})
		for i, err := range errs {
			var f *wsman.Fault
			switch {
			case errors.As(err, &f) && f.Quota():
				faults++
			case err != nil:
				t.Errorf("request %d: %v", i, err)
			}
		}
		return faults, srv.st.max()
	}
	t.Run("server quota", func(t *testing.T) {
		t.Parallel()
		if faults, m := quotaFaults(t, 2); faults != 0 || m > 2 {
			t.Errorf("with MaxConcurrent = 2: %d quota faults reached the caller, %d in flight", faults, m)
		}
	})
	t.Run("server quota without the cap", func(t *testing.T) {
		// The control: the emulator does enforce its quota, so the test above means something.
		t.Parallel()
		if faults, _ := quotaFaults(t, 10); faults == 0 {
			t.Errorf("with MaxConcurrent = 10 no quota fault arrived; the emulator's quota is not exercised")
		}
	})
}
