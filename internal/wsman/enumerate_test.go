package wsman_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/winipam/terraform-provider-ipam/internal/emulator"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

func TestRecordedEnumerateObjectAndEPR(t *testing.T) {
	t.Parallel()
	endpoint, requests := replayServer(t,
		reply{200, "enumerate_response_epr.xml"}, reply{200, "pull_response_epr.xml"}, reply{200, "pull_response_epr_end.xml"})
	c := replayClient(t, endpoint)
	items := enumerateAll(testCtx(t, 10*time.Second), t, c, "SELECT * FROM MSFT_IPAM_AddressSpace")
	reqs := requests()
	if got := strings.Join(actions(reqs), ","); got != "Enumerate,Pull,Pull" {
		t.Fatalf("requests %s, want Enumerate,Pull,Pull", got)
	}
	// Each Pull carries the context of the latest response.
	for i, want := range []string{"uuid:22EB9809-5543-4020-A75C-FD95FF06217B", "uuid:8A1D3F55-0C2B-4E6A-9D7F-1B2C3D4E5F60"} {
		p, err := reqs[i+1].Pull()
		if err != nil || p.Context != want {
			t.Errorf("Pull %d: context %+v (%v), want %s", i+1, p, err, want)
		}
	}
	var names []string
	for _, in := range items {
		n, _ := in.Text("Name")
		names = append(names, n)
		if in.Class != "MSFT_IPAM_AddressSpace" || in.ResourceURI != addressSpaceURI {
			t.Errorf("item %s: class %q, resource URI %q", n, in.Class, in.ResourceURI)
		}
		if in.Has("EndpointReference") || in.Has("Address") || in.Has("ReferenceParameters") {
			t.Errorf("item %s: the EPR was read as properties: %+v", n, in.Properties)
		}
		if id, ok := in.Text("InstanceID"); !ok || !strings.HasPrefix(id, "{4B1E5D1C-") {
			t.Errorf("item %s: InstanceID %q", n, id)
		}
	}
	if got := strings.Join(names, "|"); got != "Default|ProviderAddSpace01|Tailspin & Toys|CustomerAddSpace01" {
		t.Fatalf("items %s", got)
	}
	if d, ok := items[0].Text("Description"); !ok || d != "Built-in default address space" {
		t.Errorf("Default: Description %q", d)
	}
	if items[2].Has("Owner") == false || items[2].Properties[0].Name != "AccessScopePath" {
		t.Errorf("property order or nil properties lost: %+v", items[2].Properties)
	}
	if _, ok := items[2].Text("Owner"); ok {
		t.Errorf("xsi:nil Owner read as a value")
	}
	if typ, _ := items[3].Text("Type"); typ != "2" {
		t.Errorf("CustomerAddSpace01 Type %q", typ)
	}
}

func TestRecordedEnumerateEndOfSequenceWithoutContext(t *testing.T) {
	t.Parallel()
	endpoint, requests := replayServer(t, reply{200, "enumerate_response_end.xml"})
	c := replayClient(t, endpoint)
	items := enumerateAll(testCtx(t, 10*time.Second), t, c, "SELECT * FROM MSFT_IPAM_AddressSpace WHERE Name = 'ProviderAddSpace01'")
	if got := actions(requests()); len(got) != 1 || got[0] != "Enumerate" {
		t.Fatalf("requests %v: an optimized enumeration that ended needs no Pull or Release", got)
	}
	if len(items) != 1 {
		t.Fatalf("%d items", len(items))
	}
	in := items[0]
	if n, _ := in.Text("Name"); n != "ProviderAddSpace01" {
		t.Errorf("Name %q", n)
	}
	if cc, _ := in.Text("CustomConfiguration"); cc != "Region=EU" {
		t.Errorf("CustomConfiguration %q", cc)
	}
	if in.Has("Location") {
		t.Errorf("cim:Location read as a property")
	}
}

func seed(ctx context.Context, t *testing.T, c *wsman.Client, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if _, err := addSpace(ctx, c, fmt.Sprintf("space-%02d", i), "seeded for paging"); err != nil {
			t.Fatalf("seed %d: %v", i, err)
		}
	}
}

func TestEnumeratePages(t *testing.T) {
	t.Parallel()
	srv := startServer(t, emulator.Config{}, serverOpts{})
	c := newClient(t, wsman.Config{Endpoint: srv.URL, Auth: "basic", Username: testUser, Password: testPass, MaxEnvelopeSize: 8192})
	ctx := testCtx(t, 15*time.Second)
	seed(ctx, t, c, 40)
	seen := map[string]bool{}
	err := c.Enumerate(ctx, namespaceURI, "SELECT * FROM MSFT_IPAM_AddressSpace WHERE Name LIKE 'space-%'", func(in *wsman.Instance) error {
		n, _ := in.Text("Name")
		if seen[n] {
			t.Errorf("%s seen twice", n)
		}
		seen[n] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 40 {
		t.Errorf("%d items, want 40", len(seen))
	}
	if e, p, r := srv.st.action("Enumerate"), srv.st.action("Pull"), srv.st.action("Release"); e != 1 || p < 2 || r != 0 {
		t.Errorf("%d Enumerate, %d Pull, %d Release; want 1, several, 0", e, p, r)
	}
}

func TestEnumerateEarlyExitReleases(t *testing.T) {
	t.Parallel()
	stop := errors.New("seen enough")
	cases := []struct {
		name    string
		stopAt  int
		cancel  bool
		wantErr error
	}{
		{name: "callback error", stopAt: 3, wantErr: stop},
		{name: "context cancelled", stopAt: 3, cancel: true, wantErr: context.Canceled},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, emulator.Config{}, serverOpts{})
			c := newClient(t, wsman.Config{Endpoint: srv.URL, Auth: "basic", Username: testUser, Password: testPass, MaxEnvelopeSize: 8192})
			base := testCtx(t, 15*time.Second)
			seed(base, t, c, 30)
			ctx, cancel := context.WithCancel(base)
			defer cancel()
			n := 0
			err := c.Enumerate(ctx, namespaceURI, "SELECT * FROM MSFT_IPAM_AddressSpace WHERE Name LIKE 'space-%'", func(*wsman.Instance) error {
				n++
				if n == tc.stopAt {
					if tc.cancel {
						cancel()
						return nil
					}
					return stop
				}
				return nil
			})
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			}
			if p, r := srv.st.action("Pull"), srv.st.action("Release"); p != 0 || r != 1 {
				t.Fatalf("%d Pull, %d Release; want 0, 1", p, r)
			}
			srv.st.mu.Lock()
			released := srv.st.released[0]
			srv.st.mu.Unlock()
			// The server forgot the context: a later Pull of it fails.
			_, err = c.Do(base, wsman.Request{Header: wsman.Header{ResourceURI: namespaceURI, Action: wsman.ActionPull},
				Body: &wsman.Pull{Context: released, MaxElements: 10}})
			if f := asFault(t, err); f.WSManCode != wsman.FaultInvalidEnumerationContext.HRESULT() {
				t.Errorf("Pull after Release: %v", err)
			}
		})
	}
}
