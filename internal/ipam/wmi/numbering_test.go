package wmi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/winipam/terraform-provider-ipam/internal/emulator"
	"github.com/winipam/terraform-provider-ipam/internal/ipam"
	"github.com/winipam/terraform-provider-ipam/internal/ipam/wmi"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

// The client works against a server in either numbering of Type, over real HTTP, and pays at
// most one request to learn it.
func TestTypeNumberingEndToEnd(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		n                  ipam.TypeNumbering
		provider, customer string // Type as the server writes it
	}{
		{ipam.NumberingWMI, "0", "1"},
		{ipam.NumberingIPAMM2, "1", "2"},
	} {
		t.Run(tc.n.String(), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			p := startProxy(t, emulator.Config{TypeNumbering: tc.n}, nil)
			c := p.client(t, nil)

			pa, err := c.AddProviderAddressSpace(ctx, provider("PA"))
			if err != nil || pa.Type != ipam.TypeProvider {
				t.Fatalf("add provider: %v %+v", err, pa)
			}
			if got := strings.Join(p.actions(), ","); got != "Enumerate,AddProviderAddressSpace" {
				t.Fatalf("requests %s: want one Enumerate (of Default) before the first Add", got)
			}
			ca, err := c.AddCustomerAddressSpace(ctx, customer("CA", "PA"))
			if err != nil || ca.Type != ipam.TypeCustomer {
				t.Fatalf("add customer: %v %+v", err, ca)
			}
			res, err := c.BulkAddOrUpdate(ctx, []ipam.AddressSpace{provider("PA-2"), customer("CA-2", "PA-2"), customer("CA-3", "PA")})
			if err != nil || errors.Join(res...) != nil {
				t.Fatalf("bulk: %v %v", err, res)
			}
			if got := strings.Count(strings.Join(p.actions(), ","), "Enumerate"); got != 1 {
				t.Fatalf("%d Enumerates: the numbering is learned once per client", got)
			}
			prov, cust := ipam.TypeProvider, ipam.TypeCustomer
			for _, f := range []struct {
				filter ipam.Filter
				want   string
			}{
				{ipam.Filter{Type: &prov}, "Default,PA,PA-2"},
				{ipam.Filter{Type: &cust}, "CA,CA-2,CA-3"},
				{ipam.Filter{Type: &cust, ProviderAddressSpace: "PA"}, "CA,CA-3"},
			} {
				list, err := c.List(ctx, f.filter)
				if err != nil {
					t.Fatal(err)
				}
				var names []string
				for _, a := range list {
					names = append(names, a.Name)
					if a.Type != *f.filter.Type {
						t.Errorf("%s read as %s", a.Name, a.Type)
					}
				}
				if got := strings.Join(names, ","); got != f.want {
					t.Errorf("%s: %s, want %s", wmi.QueryFor(f.filter, tc.n), got, f.want)
				}
			}
			// An update keeps the type; a delete names it in the server's numbering.
			ca.Owner = "me"
			if res, err := c.BulkAddOrUpdate(ctx, []ipam.AddressSpace{*ca}); err != nil || res[0] != nil {
				t.Fatalf("update: %v %v", err, res)
			}
			if got, err := c.Get(ctx, ca.InstanceID); err != nil || got.Owner != "me" || got.Type != ipam.TypeCustomer {
				t.Fatalf("after update: %v %+v", err, got)
			}
			ca3, err := c.GetByName(ctx, "CA-3")
			if err != nil {
				t.Fatal(err)
			}
			if res, err := c.BulkDelete(ctx, []ipam.AddressSpace{*ca, *ca3, *pa}); err != nil || errors.Join(res...) != nil {
				t.Fatalf("delete: %v %v", err, res)
			}

			// What went over the wire is the server's numbering, not the domain's.
			raw := rawClient(t, p.URL, nil)
			wire := map[string]string{}
			err = raw.Enumerate(ctx, wmi.NamespaceURI, "SELECT * FROM MSFT_IPAM_AddressSpace", func(in *wsman.Instance) error {
				n, _ := in.Text("Name")
				wire[n], _ = in.Text("Type")
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(wire) != 3 || wire["Default"] != tc.provider || wire["PA-2"] != tc.provider || wire["CA-2"] != tc.customer {
				t.Errorf("on the wire: %v", wire)
			}
		})
	}
}

// Rows the call reads anyway decide the numbering when they include Default, and a call that
// reads no row needs no numbering: neither costs a request.
func TestTypeNumberingWithoutExtraRequests(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := startProxy(t, emulator.Config{TypeNumbering: ipam.NumberingIPAMM2}, nil)
	c := p.client(t, nil)
	if _, err := c.GetByName(ctx, "nope"); !errors.Is(err, ipam.ErrNotFound) {
		t.Fatal(err)
	}
	all, err := c.List(ctx, ipam.Filter{})
	if err != nil || len(all) != 1 || all[0].Type != ipam.TypeProvider {
		t.Fatalf("%v %+v", err, all)
	}
	cust := ipam.TypeCustomer
	if list, err := c.List(ctx, ipam.Filter{Type: &cust}); err != nil || len(list) != 0 {
		t.Fatalf("%v %+v", err, list)
	}
	if got := len(p.actions()); got != 3 {
		t.Fatalf("%d requests for 3 calls: %v", got, p.actions())
	}
}

// defaultTyped answers every Enumerate with the Default address space carrying Type typ.
func defaultTyped(t *testing.T, typ string) interceptor {
	return func(w http.ResponseWriter, _ *http.Request, _ []byte, env *wsman.Envelope, _ *emulator.Server) bool {
		if env == nil || env.Header.Action != wsman.ActionEnumerate {
			return false
		}
		def := wsman.NewInstance(wmi.ClassAddressSpace, wmi.AddressSpaceURI,
			wsman.Scalar("InstanceID", "{4B1E5D1C-0000-4000-8000-000000000001}"), wsman.Scalar("Name", "Default"), wsman.Scalar("Type", typ))
		respond(t, w, env, wsman.ActionEnumerateResponse, &wsman.EnumerationResult{Items: []*wsman.Instance{def}, EndOfSequence: true})
		return true
	}
}

func TestTypeNumberingUnexpected(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := startProxy(t, emulator.Config{}, defaultTyped(t, "7"))
	c := p.client(t, nil)
	for name, call := range map[string]func() error{
		"add":  func() error { _, err := c.AddProviderAddressSpace(ctx, provider("PA")); return err },
		"bulk": func() error { _, err := c.BulkAddOrUpdate(ctx, []ipam.AddressSpace{provider("PA")}); return err },
		"list": func() error { _, err := c.List(ctx, ipam.Filter{}); return err },
	} {
		err := call()
		var ne *wmi.TypeNumberingError
		if !errors.As(err, &ne) {
			t.Fatalf("%s: %v, want a *TypeNumberingError", name, err)
		}
		for _, want := range []string{"unexpected Type numbering", `"Default" Type=7`, "[MS-IPAMM2] 2.2.5.62"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: %q does not say %q", name, err, want)
			}
		}
	}
	if got := p.actions(); slices.ContainsFunc(got, func(a string) bool { return a != "Enumerate" }) {
		t.Fatalf("a write was sent while the numbering was unknown: %v", got)
	}
}

// A failed discovery is not remembered: the next call asks again, and nothing is written while
// the numbering is unknown.
func TestTypeNumberingDiscoveryIsRetried(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := startProxy(t, emulator.Config{TypeNumbering: ipam.NumberingIPAMM2}, nil)
	c := p.client(t, nil)
	if err := p.emu.InjectFault(emulator.FaultRule{Kind: emulator.FaultEmpty500, Action: "Enumerate", Count: 1}); err != nil {
		t.Fatal(err)
	}
	_, err := c.BulkAddOrUpdate(ctx, []ipam.AddressSpace{provider("PA")})
	if err == nil || !strings.Contains(err.Error(), "Default") {
		t.Fatalf("first call: %v", err)
	}
	if got := strings.Join(p.actions(), ","); got != "Enumerate" {
		t.Fatalf("requests %s", got)
	}
	res, err := c.BulkAddOrUpdate(ctx, []ipam.AddressSpace{provider("PA"), customer("CA", "PA")})
	if err != nil || errors.Join(res...) != nil {
		t.Fatalf("second call: %v %v", err, res)
	}
	if got := strings.Join(p.actions(), ","); got != "Enumerate,Enumerate,BulkAddOrUpdateAddressSpace" {
		t.Fatalf("requests %s", got)
	}
	ca, err := c.GetByName(ctx, "CA")
	if err != nil || ca.Type != ipam.TypeCustomer {
		t.Fatalf("%v %+v", err, ca)
	}
}

// Concurrent first calls share one discovery.
func TestTypeNumberingLearnedOnceUnderConcurrency(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := startProxy(t, emulator.Config{TypeNumbering: ipam.NumberingIPAMM2}, nil)
	c := p.client(t, nil)
	errs := make(chan error, 8)
	for i := range 8 {
		go func() {
			_, err := c.AddProviderAddressSpace(ctx, provider(fmt.Sprintf("PA-%d", i)))
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if got := strings.Count(strings.Join(p.actions(), ","), "Enumerate"); got != 1 {
		t.Fatalf("%d discoveries: %v", got, p.actions())
	}
}
