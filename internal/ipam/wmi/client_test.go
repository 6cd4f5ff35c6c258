package wmi_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/winipam/terraform-provider-ipam/internal/emulator"
	"github.com/winipam/terraform-provider-ipam/internal/ipam"
	"github.com/winipam/terraform-provider-ipam/internal/ipam/wmi"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

const (
	user = "admin"
	pass = "Pa55w0rd!"
)

type fixture struct {
	emu *emulator.Running
	c   *wmi.Client
}

func setup(t *testing.T, cfg emulator.Config, mod func(*wsman.Config)) *fixture {
	t.Helper()
	cfg.Username, cfg.Password = user, pass
	cfg.CustomFields = append(cfg.CustomFields, "Region", "CostCenter")
	emu, err := emulator.Start(context.Background(), cfg, "127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	return &fixture{emu: emu, c: wmi.New(rawClient(t, emu.URL, mod))}
}

func provider(name string) ipam.AddressSpace {
	return ipam.AddressSpace{Name: name, Type: ipam.TypeProvider}
}

func customer(name, pa string) ipam.AddressSpace {
	return ipam.AddressSpace{Name: name, Type: ipam.TypeCustomer, AssociatedProviderAddressSpace: pa, IsolationMethod: ipam.IsolationNVGRE}
}

func TestAddAndRead(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := setup(t, emulator.Config{}, nil)

	pa := provider("DC-West")
	pa.Owner, pa.Description = "netops", "west <datacenter> & co"
	pa.CustomConfiguration = ipam.CustomConfiguration{"Region": "EU", "CostCenter": "42"}
	got, err := f.c.AddProviderAddressSpace(ctx, pa)
	if err != nil {
		t.Fatal(err)
	}
	if got.InstanceID == "" || got.Name != "DC-West" || got.Owner != "netops" || got.Description != pa.Description ||
		!got.CustomConfiguration.Equal(pa.CustomConfiguration) || got.Type != ipam.TypeProvider {
		t.Fatalf("created: %+v", got)
	}
	ca := customer("Tenant-A", "dc-west")
	ca.Tenant, ca.VMNetwork = "4001", "net-a"
	gotCA, err := f.c.AddCustomerAddressSpace(ctx, ca)
	if err != nil {
		t.Fatal(err)
	}
	if gotCA.AssociatedProviderAddressSpace != "DC-West" || gotCA.Tenant != "4001" || gotCA.Type != ipam.TypeCustomer {
		t.Fatalf("customer: %+v", gotCA)
	}

	byID, err := f.c.Get(ctx, got.InstanceID)
	if err != nil || byID.Name != "DC-West" {
		t.Fatalf("Get: %v %+v", err, byID)
	}
	byName, err := f.c.GetByName(ctx, "TENANT-a")
	if err != nil || byName.InstanceID != gotCA.InstanceID {
		t.Fatalf("GetByName: %v %+v", err, byName)
	}
	if _, err := f.c.Get(ctx, "{00000000-0000-0000-0000-000000000000}"); !errors.Is(err, ipam.ErrNotFound) {
		t.Fatalf("Get missing: %v", err)
	}
	if _, err := f.c.GetByName(ctx, "nope"); !errors.Is(err, ipam.ErrNotFound) {
		t.Fatalf("GetByName missing: %v", err)
	}

	t.Run("typed errors name the object and keep the code", func(t *testing.T) {
		_, err := f.c.AddProviderAddressSpace(ctx, provider("dc-WEST"))
		var ie *ipam.Error
		if !errors.As(err, &ie) || ie.Kind != ipam.KindAlreadyExists || ie.Code != ipam.Win32AlreadyExists {
			t.Fatalf("duplicate: %v", err)
		}
		if msg := err.Error(); !strings.Contains(msg, `"dc-WEST"`) || !strings.Contains(msg, "0x000000B7") || strings.Contains(msg, "<") {
			t.Fatalf("message: %s", msg)
		}
		_, err = f.c.AddCustomerAddressSpace(ctx, customer("T-B", "missing"))
		if !errors.Is(err, ipam.ErrNotFound) || !strings.Contains(err.Error(), "missing") {
			t.Fatalf("missing provider: %v", err)
		}
		_, err = f.c.AddProviderAddressSpace(ctx, ipam.AddressSpace{Name: "x", CustomConfiguration: ipam.CustomConfiguration{"Colour": "red"}})
		if !errors.Is(err, ipam.ErrInvalid) || !strings.Contains(err.Error(), "Colour") {
			t.Fatalf("unknown custom field: %v", err)
		}
	})
	t.Run("client-side validation sends nothing", func(t *testing.T) {
		before := f.c.Requests()
		if _, err := f.c.AddProviderAddressSpace(ctx, provider(" ")); !errors.Is(err, ipam.ErrInvalid) {
			t.Fatalf("blank name: %v", err)
		}
		if _, err := f.c.BulkAddOrUpdate(ctx, []ipam.AddressSpace{customer("c", "")}); !errors.Is(err, ipam.ErrInvalid) {
			t.Fatalf("customer without provider: %v", err)
		}
		if f.c.Requests() != before {
			t.Fatal("invalid input reached the server")
		}
	})
}

func TestListFilters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := setup(t, emulator.Config{}, nil)
	awkward := `it's a \ name`
	items := []ipam.AddressSpace{provider("PA-1"), provider("PA-2"), provider(awkward)}
	for i := 0; i < 4; i++ {
		c := customer(fmt.Sprintf("CA-%d", i), []string{"PA-1", "PA-2"}[i%2])
		c.Tenant = fmt.Sprintf("t%d", i%2)
		items = append(items, c)
	}
	res, err := f.c.BulkAddOrUpdate(ctx, items)
	if err != nil || errors.Join(res...) != nil {
		t.Fatalf("seed: %v %v", err, res)
	}
	cust := ipam.TypeCustomer
	for name, tc := range map[string]struct {
		f    ipam.Filter
		want int
	}{
		"all":                  {ipam.Filter{}, 8}, // with Default
		"customers":            {ipam.Filter{Type: &cust}, 4},
		"of PA-2":              {ipam.Filter{ProviderAddressSpace: "pa-2"}, 2},
		"tenant and provider":  {ipam.Filter{ProviderAddressSpace: "PA-1", Tenant: "t0"}, 2},
		"name pattern":         {ipam.Filter{NameLike: "CA-[12]"}, 2},
		"names":                {ipam.Filter{Names: []string{"pa-1", "CA-3", "none"}}, 2},
		"awkward name":         {ipam.Filter{Names: []string{awkward}}, 1},
		"injection is literal": {ipam.Filter{Names: []string{`x' OR Name LIKE '%`}}, 0},
		"like injection":       {ipam.Filter{NameLike: `%' OR Type = 0 OR Name = '`}, 0},
	} {
		got, err := f.c.List(ctx, tc.f)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(got) != tc.want {
			t.Errorf("%s: %d results, want %d (query %s)", name, len(got), tc.want, wmi.QueryFor(tc.f, ipam.NumberingWMI))
		}
	}
}

func TestBulkBatchesAndPerItemResults(t *testing.T) {
	t.Parallel()
	for _, mode := range []struct {
		name string
		cfg  emulator.Config
	}{
		{"statuses for every item", emulator.Config{}},
		{"statuses for failures only", emulator.Config{FailedItemsOnly: true, ErrorsAsReturnValue: true}},
	} {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			f := setup(t, mode.cfg, func(c *wsman.Config) { c.MaxEnvelopeSize = 16384 })
			var items []ipam.AddressSpace
			for i := 0; i < 300; i++ {
				a := provider(fmt.Sprintf("pa-%03d", i))
				a.Description = strings.Repeat("d", 20)
				items = append(items, a)
			}
			items[150].CustomConfiguration = ipam.CustomConfiguration{"Unknown": "x"}
			items = append(items, customer("ca-1", "pa-299"), customer("ca-2", "missing"))
			before := f.c.Requests()
			res, err := f.c.BulkAddOrUpdate(ctx, items)
			if err != nil {
				t.Fatal(err)
			}
			calls := f.c.Requests() - before
			if calls < 3 || calls > 20 { // bounded by request size and by the statuses each response carries
				t.Fatalf("%d calls for 302 items in 16 KiB envelopes", calls)
			}
			for i, e := range res {
				switch i {
				case 150:
					if !errors.Is(e, ipam.ErrInvalid) || !strings.Contains(e.Error(), "pa-150") {
						t.Errorf("item 150: %v", e)
					}
				case 301:
					if !errors.Is(e, ipam.ErrNotFound) || !strings.Contains(e.Error(), "ca-2") {
						t.Errorf("item 301: %v", e)
					}
				default:
					if e != nil {
						t.Errorf("item %d: %v", i, e)
					}
				}
			}
			all, err := f.c.List(ctx, ipam.Filter{})
			if err != nil || len(all) != 301 { // 299 good providers + Default + ca-1
				t.Fatalf("stored %d, %v", len(all), err)
			}
			// Update by InstanceID, including a rename, and delete with one item already gone.
			ca, _ := f.c.GetByName(ctx, "ca-1")
			ca.Name, ca.Owner = "ca-1-renamed", "me"
			if res, err := f.c.BulkAddOrUpdate(ctx, []ipam.AddressSpace{*ca}); err != nil || res[0] != nil {
				t.Fatalf("rename: %v %v", err, res)
			}
			if got, _ := f.c.Get(ctx, ca.InstanceID); got == nil || got.Name != "ca-1-renamed" || got.Owner != "me" {
				t.Fatalf("after rename: %+v", got)
			}
			res, err = f.c.BulkDelete(ctx, []ipam.AddressSpace{*ca, *ca, items[0]})
			if err != nil || res[0] != nil || !errors.Is(res[1], ipam.ErrNotFound) || res[2] != nil {
				t.Fatalf("delete: %v %v", err, res)
			}
		})
	}
}

func TestAmbiguousAddIsResolvedByReadingBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := setup(t, emulator.Config{}, nil)
	// The server creates the object, then the connection drops before the answer.
	if err := f.emu.InjectFault(emulator.FaultRule{Kind: emulator.FaultDropAfter, Action: "AddProviderAddressSpace", Count: 1}); err != nil {
		t.Fatal(err)
	}
	a := provider("Ambiguous")
	a.Owner = "me"
	got, err := f.c.AddProviderAddressSpace(ctx, a)
	if err != nil || got.Name != "Ambiguous" {
		t.Fatalf("add after drop-after: %v %+v", err, got)
	}
	// Dropped before the server acted: the read-back finds nothing, and the Add is sent again.
	if err := f.emu.InjectFault(emulator.FaultRule{Kind: emulator.FaultDropBefore, Action: "AddProviderAddressSpace", Count: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.c.AddProviderAddressSpace(ctx, provider("Second")); err != nil {
		t.Fatalf("add after drop-before: %v", err)
	}
	all, err := f.c.List(ctx, ipam.Filter{NameLike: "%"})
	if err != nil || len(all) != 3 {
		t.Fatalf("want Default, Ambiguous and Second once each: %d %v", len(all), err)
	}
	// Someone else's object with the same name is not taken for ours.
	if err := f.emu.InjectFault(emulator.FaultRule{Kind: emulator.FaultDropBefore, Action: "AddProviderAddressSpace", Count: 1}); err != nil {
		t.Fatal(err)
	}
	other := provider("ambiguous")
	other.Owner = "someone else"
	if _, err := f.c.AddProviderAddressSpace(ctx, other); !errors.Is(err, ipam.ErrAlreadyExists) {
		t.Fatalf("want already exists, got %v", err)
	}
}

func TestBulkRetriesTransientFailures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := setup(t, emulator.Config{}, nil)
	for _, kind := range []emulator.FaultKind{emulator.FaultUnavailable, emulator.FaultQuota, emulator.FaultDropAfter} {
		if err := f.emu.InjectFault(emulator.FaultRule{Kind: kind, Action: "BulkAddOrUpdateAddressSpace", Count: 1}); err != nil {
			t.Fatal(err)
		}
		res, err := f.c.BulkAddOrUpdate(ctx, []ipam.AddressSpace{provider("Retried")})
		if err != nil || res[0] != nil {
			t.Fatalf("%s: %v %v", kind, err, res)
		}
	}
	if got, err := f.c.List(ctx, ipam.Filter{Names: []string{"retried"}}); err != nil || len(got) != 1 {
		t.Fatalf("want one object: %v %v", err, got)
	}
	// A failure that outlasts the retries is reported per item, not as a lost call.
	if err := f.emu.InjectFault(emulator.FaultRule{Kind: emulator.FaultUnavailable, Action: "BulkDeleteAddressSpace"}); err != nil {
		t.Fatal(err)
	}
	res, err := f.c.BulkDelete(ctx, []ipam.AddressSpace{provider("Retried")})
	if err != nil || res[0] == nil || !strings.Contains(res[0].Error(), "503") {
		t.Fatalf("want a per-item 503 error: %v %v", err, res)
	}
}

func TestNTLMEndToEnd(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := setup(t, emulator.Config{DisableBasic: true}, func(c *wsman.Config) {
		c.Auth = wsman.AuthNTLM
		c.Username = `CORP\` + user
	})
	if _, err := f.c.AddProviderAddressSpace(ctx, provider("via-ntlm")); err != nil {
		t.Fatal(err)
	}
	if _, err := f.c.GetByName(ctx, "via-ntlm"); err != nil {
		t.Fatal(err)
	}
}

// A batch's response must fit MaxEnvelopeSize too: with the emulator listing every item's status,
// thousands of small items in one call would be answered with an encoding-limit fault.
func TestBulkResponsesFitTheEnvelope(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := setup(t, emulator.Config{}, nil)
	items := make([]ipam.AddressSpace, 3000)
	for i := range items {
		items[i] = provider(fmt.Sprint(i))
	}
	before := f.c.Requests()
	res, err := f.c.BulkAddOrUpdate(ctx, items)
	if err != nil || errors.Join(res...) != nil {
		t.Fatalf("%v %v", err, errors.Join(res...))
	}
	if calls := f.c.Requests() - before; calls < 3 || calls > 6 {
		t.Fatalf("%d calls for 3000 items", calls)
	}
}
