package wmi_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/winipam/terraform-provider-ipam/internal/emulator"
	"github.com/winipam/terraform-provider-ipam/internal/ipam"
)

func seed(t *testing.T, f *fixture, n int) []string {
	t.Helper()
	items := make([]ipam.AddressSpace, n)
	for i := range items {
		items[i] = provider(fmt.Sprintf("pa-%04d", i))
	}
	res, err := f.c.BulkAddOrUpdate(context.Background(), items)
	if err != nil || errors.Join(res...) != nil {
		t.Fatal(err, errors.Join(res...))
	}
	list, err := f.c.List(context.Background(), ipam.Filter{NameLike: "pa-%"})
	if err != nil || len(list) != n {
		t.Fatalf("%d listed, %v", len(list), err)
	}
	ids := make([]string, n)
	for i, a := range list {
		ids[i] = a.InstanceID
	}
	return ids
}

// getAll reads every id with `parallelism` workers, as Terraform's refresh does.
func getAll(t *testing.T, f *fixture, ids []string, parallelism int) map[string]string {
	t.Helper()
	var mu sync.Mutex
	names := map[string]string{}
	work := make(chan string)
	var wg sync.WaitGroup
	for w := 0; w < parallelism; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range work {
				a, err := f.c.Get(context.Background(), id)
				if err != nil {
					t.Errorf("Get %s: %v", id, err)
					continue
				}
				mu.Lock()
				names[id] = a.Name
				mu.Unlock()
			}
		}()
	}
	for _, id := range ids {
		work <- id
	}
	close(work)
	wg.Wait()
	return names
}

func TestConcurrentGetsAreCoalesced(t *testing.T) {
	t.Parallel()
	f := setup(t, emulator.Config{}, nil)
	ids := seed(t, f, 20)
	before := f.c.Requests()
	got := getAll(t, f, ids, 20)
	if len(got) != 20 {
		t.Fatalf("%d answers", len(got))
	}
	if calls := f.c.Requests() - before; calls > 5 {
		t.Fatalf("20 concurrent Gets took %d requests", calls)
	}
}

func TestLargeRefreshUsesFewRequests(t *testing.T) {
	t.Parallel()
	f := setup(t, emulator.Config{Latency: 2 * time.Millisecond}, nil)
	ids := seed(t, f, 1000)
	before := f.c.Requests()
	got := getAll(t, f, ids, 10) // Terraform's default parallelism
	if len(got) != 1000 {
		t.Fatalf("%d answers", len(got))
	}
	for i, id := range ids {
		if got[id] != fmt.Sprintf("pa-%04d", i) && got[id] == "" {
			t.Fatalf("no name for %s", id)
		}
	}
	calls := f.c.Requests() - before
	t.Logf("refresh of 1000 address spaces with parallelism 10: %d requests", calls)
	if calls > 100 {
		t.Fatalf("refresh of 1000 took %d requests, want at most 100", calls)
	}
}

func TestReadsSeeWritesAndDeletions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := setup(t, emulator.Config{}, nil)
	ids := seed(t, f, 40)
	getAll(t, f, ids, 40) // builds a snapshot: this is a burst
	a, err := f.c.Get(ctx, ids[3])
	if err != nil {
		t.Fatal(err)
	}
	a.Owner = "changed"
	if res, err := f.c.BulkAddOrUpdate(ctx, []ipam.AddressSpace{*a}); err != nil || res[0] != nil {
		t.Fatal(err, res)
	}
	if got, err := f.c.Get(ctx, ids[3]); err != nil || got.Owner != "changed" {
		t.Fatalf("after update: %v %+v", err, got)
	}
	if res, err := f.c.BulkDelete(ctx, []ipam.AddressSpace{*a}); err != nil || res[0] != nil {
		t.Fatal(err, res)
	}
	if _, err := f.c.Get(ctx, ids[3]); !errors.Is(err, ipam.ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
	// A missing id among present ones answers NotFound for it alone.
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i, id := range []string{ids[1], "{00000000-0000-0000-0000-000000000000}", ids[2]} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = f.c.Get(ctx, id)
		}()
	}
	wg.Wait()
	if errs[0] != nil || !errors.Is(errs[1], ipam.ErrNotFound) || errs[2] != nil {
		t.Fatalf("mixed batch: %v", errs)
	}
	// A cancelled caller gets its context's error; the others are unaffected.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := f.c.Get(cctx, ids[5]); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Get: %v", err)
	}
	if _, err := f.c.Get(ctx, ids[5]); err != nil {
		t.Fatal(err)
	}
}
