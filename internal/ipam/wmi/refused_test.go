package wmi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/winipam/terraform-provider-ipam/internal/emulator"
	"github.com/winipam/terraform-provider-ipam/internal/failure"
	"github.com/winipam/terraform-provider-ipam/internal/ipam"
	"github.com/winipam/terraform-provider-ipam/internal/ipam/wmi"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

// limit413 answers HTTP 413 with an empty body, without passing the request on, for bodies over
// limit bytes: what a server whose MaxEnvelopeSizekb is below the client's max_envelope_size does
// ([MS-WSMV] 3.1.4.1.20). It counts the refusals by action.
type limit413 struct {
	limit int
	mu    sync.Mutex
	n     map[string]int
}

func (l *limit413) intercept(w http.ResponseWriter, _ *http.Request, body []byte, env *wsman.Envelope, _ *emulator.Server) bool {
	if len(body) <= l.limit {
		return false
	}
	l.mu.Lock()
	if l.n == nil {
		l.n = map[string]int{}
	}
	if env != nil {
		l.n[shortAction(env.Header.Action)]++
	}
	l.mu.Unlock()
	w.WriteHeader(http.StatusRequestEntityTooLarge)
	return true
}

func (l *limit413) refused(action string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n[action]
}

func TestBulkHalvesBatchesTheServerRefuses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	lim := &limit413{limit: 20000}
	p := startProxy(t, emulator.Config{}, lim.intercept)
	c := p.client(t, func(c *wsman.Config) { c.MaxEnvelopeSize = 80000 })
	items := func(prefix string, n int) []ipam.AddressSpace {
		out := make([]ipam.AddressSpace, n)
		for i := range out {
			out[i] = provider(fmt.Sprintf("%s-%03d", prefix, i))
			out[i].Description = strings.Repeat("d", 300)
		}
		return out
	}
	res, err := c.BulkAddOrUpdate(ctx, items("a", 200))
	if err != nil || errors.Join(res...) != nil {
		t.Fatalf("%v %v", err, errors.Join(res...))
	}
	first := lim.refused("BulkAddOrUpdateAddressSpace")
	if first == 0 || first > 3 {
		t.Fatalf("%d refusals: batches of ~76 KB halve to under 20 KB in 2 or 3 steps", first)
	}
	// Later batches and calls start at the size that worked.
	for _, prefix := range []string{"b", "c"} {
		if res, err := c.BulkAddOrUpdate(ctx, items(prefix, 200)); err != nil || errors.Join(res...) != nil {
			t.Fatalf("%v %v", err, errors.Join(res...))
		}
	}
	if again := lim.refused("BulkAddOrUpdateAddressSpace"); again != first {
		t.Fatalf("%d more refusals after the client learned the size", again-first)
	}
	all, err := c.List(ctx, ipam.Filter{NameLike: "_-%"})
	if err != nil || len(all) != 600 {
		t.Fatalf("stored %d: %v", len(all), err)
	}
	res, err = c.BulkDelete(ctx, all)
	if err != nil || errors.Join(res...) != nil {
		t.Fatalf("delete: %v %v", err, errors.Join(res...))
	}
	if n := lim.refused("BulkDeleteAddressSpace"); n != 0 {
		t.Fatalf("%d deletes refused", n)
	}
}

func TestRefusedSingleRequestsNameTheSettings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	lim := &limit413{limit: 4000}
	p := startProxy(t, emulator.Config{}, lim.intercept)
	c := p.client(t, nil)
	big := provider("big")
	big.Description = strings.Repeat("d", 3500)
	wantSaid := func(t *testing.T, err error, items int) {
		t.Helper()
		var re *wmi.EnvelopeRefusedError
		if !errors.As(err, &re) || re.Items != items {
			t.Fatalf("%v; want an *EnvelopeRefusedError for %d items", err, items)
		}
		for _, want := range []string{"MaxEnvelopeSizekb", "winrm get winrm/config", "HTTP 413", `"big"`, "512000 bytes"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%q does not say %q", err, want)
			}
		}
		// The facts the provider's advice rests on.
		if f, _ := failure.Of(err); f.Kind != failure.KindEnvelopeRefused || f.MaxEnvelopeSize != 512000 {
			t.Errorf("facts %+v", f)
		}
		var he *wsman.HTTPError
		if !errors.As(err, &he) || he.Status != http.StatusRequestEntityTooLarge {
			t.Errorf("the HTTP error is not kept: %v", err)
		}
	}

	// One item alone is refused: it fails with the reason, and what follows is not sent.
	res, err := c.BulkAddOrUpdate(ctx, []ipam.AddressSpace{provider("small-1"), big, provider("small-2")})
	if err != nil {
		t.Fatal(err)
	}
	if res[0] != nil || !errors.Is(res[2], ipam.ErrNotSent) {
		t.Fatalf("results %v", res)
	}
	wantSaid(t, res[1], 1)

	_, err = c.AddProviderAddressSpace(ctx, big)
	wantSaid(t, err, 0)
	if _, err := c.GetByName(ctx, "big"); !errors.Is(err, ipam.ErrNotFound) {
		t.Fatalf("the refused item exists: %v", err)
	}
}

func TestRefusedEnumerate(t *testing.T) {
	t.Parallel()
	lim := &limit413{limit: 100}
	p := startProxy(t, emulator.Config{}, lim.intercept)
	_, err := p.client(t, nil).List(context.Background(), ipam.Filter{})
	var re *wmi.EnvelopeRefusedError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "reading address spaces") {
		t.Fatalf("%v", err)
	}
	if f, _ := failure.Of(err); f.Kind != failure.KindEnvelopeRefused || f.MaxEnvelopeSize != wsman.DefaultMaxEnvelopeSize {
		t.Fatalf("facts %+v", f)
	}
}
