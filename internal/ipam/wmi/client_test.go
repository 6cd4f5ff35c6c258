package wmi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
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

// --- Add: the parameters sent, the outputs read --------------------------------------------------

// paramNames lists the parameters of each request to method, in order.
func paramNames(p *proxy, method string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, env := range p.requests {
		if env == nil || shortAction(env.Header.Action) != method {
			continue
		}
		in, err := env.InvokeInput()
		if err != nil {
			return []string{err.Error()}
		}
		var names []string
		for _, prm := range in.Params {
			names = append(names, prm.Name)
		}
		out = append(out, strings.Join(names, ","))
	}
	return out
}

// The Add methods send only the optional parameters that are set, as the IPAM cmdlets pass only
// bound ones; the bulk update sends every field, because there "" clears a value.
func TestAddLeavesOutUnsetParameters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p, c := startProxyClient(t, emulator.Config{}, nil)

	if _, err := c.AddProviderAddressSpace(ctx, provider("PA-bare")); err != nil {
		t.Fatal(err)
	}
	full := provider("PA-full")
	full.Owner, full.Description, full.CustomConfiguration = "netops", "west", ipam.CustomConfiguration{"Region": "EU"}
	if _, err := c.AddProviderAddressSpace(ctx, full); err != nil {
		t.Fatal(err)
	}
	bare, err := c.AddCustomerAddressSpace(ctx, customer("CA-bare", "PA-bare"))
	if err != nil {
		t.Fatal(err)
	}
	some := customer("CA-some", "PA-bare")
	some.Tenant, some.Owner = "4001", "me"
	if _, err := c.AddCustomerAddressSpace(ctx, some); err != nil {
		t.Fatal(err)
	}
	for method, want := range map[string][]string{
		"AddProviderAddressSpace": {"Name", "Name,Owner,Description,CustomConfiguration"},
		"AddCustomerAddressSpace": {"Name,AssociatedProviderAddressSpace,IsolationMethod",
			"Name,AssociatedProviderAddressSpace,Tenant,IsolationMethod,Owner"},
	} {
		if got := paramNames(p, method); strings.Join(got, " | ") != strings.Join(want, " | ") {
			t.Errorf("%s parameters:\n got %q\nwant %q", method, got, want)
		}
	}
	if bare.Owner != "" || bare.Tenant != "" || bare.VMNetwork != "" || bare.Description != "" || len(bare.CustomConfiguration) != 0 {
		t.Errorf("left-out parameters did not read as empty: %+v", bare)
	}

	// An update clears with "": every field is sent.
	got, err := c.GetByName(ctx, "PA-full")
	if err != nil {
		t.Fatal(err)
	}
	got.Owner, got.Description, got.CustomConfiguration = "", "", nil
	if res, err := c.BulkAddOrUpdate(ctx, []ipam.AddressSpace{*got}); err != nil || res[0] != nil {
		t.Fatalf("%v %v", err, res)
	}
	if got, err = c.Get(ctx, got.InstanceID); err != nil || got.Owner != "" || got.Description != "" || len(got.CustomConfiguration) != 0 {
		t.Fatalf("not cleared: %v %+v", err, got)
	}
	p.mu.Lock()
	last := p.requests[len(p.requests)-2] // the update, before the Get's Enumerate
	p.mu.Unlock()
	in, err := last.InvokeInput()
	if err != nil {
		t.Fatal(err)
	}
	prm, _ := in.Param("AddressSpace")
	for _, name := range []string{"Owner", "Description", "CustomConfiguration"} {
		if v, ok := prm.Values[0].Instance.Text(name); !ok || v != "" {
			t.Errorf("the update's %s: %q %v, want it sent empty", name, v, ok)
		}
	}
}

// addOutput answers a successful Add with an output in another shape than an embedded instance,
// after the emulator has created the object.
func addOutput(output string) interceptor {
	return func(w http.ResponseWriter, r *http.Request, _ []byte, env *wsman.Envelope, emu *emulator.Server) bool {
		if env == nil || !strings.HasPrefix(shortAction(env.Header.Action), "Add") {
			return false
		}
		rec := httptest.NewRecorder()
		emu.ServeHTTP(rec, r)
		if rec.Code != http.StatusOK {
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
			return true
		}
		method := shortAction(env.Header.Action)
		body := fmt.Sprintf(`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd">`+
			`<s:Header><a:Action>%[1]s/%[2]sResponse</a:Action><a:MessageID>uuid:00000000-0000-4000-8000-000000000002</a:MessageID>`+
			`<a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To><a:RelatesTo>%[3]s</a:RelatesTo></s:Header>`+
			`<s:Body><p:%[2]s_OUTPUT xmlns:p="%[1]s">%[4]s<p:ReturnValue>0</p:ReturnValue></p:%[2]s_OUTPUT></s:Body></s:Envelope>`,
			wmi.AddressSpaceURI, method, env.Header.MessageID, output)
		w.Header().Set("Content-Type", wsman.ContentType)
		_, _ = w.Write([]byte(body))
		return true
	}
}

// A create that succeeded is not reported as failed because its output is not the embedded
// instance the documentation shows: the client reads the object back by name.
func TestAddOutputInAnotherShape(t *testing.T) {
	t.Parallel()
	epr := `<p:output><a:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address><a:ReferenceParameters>` +
		`<w:ResourceURI>` + wmi.AddressSpaceURI + `</w:ResourceURI><w:SelectorSet><w:Selector Name="InstanceID">{0}</w:Selector></w:SelectorSet>` +
		`</a:ReferenceParameters></p:output>`
	for name, output := range map[string]string{
		"EPR":     epr,
		"empty":   `<p:output/>`,
		"nil":     `<p:output xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"/>`,
		"missing": ``,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			c := startProxy(t, emulator.Config{TypeNumbering: ipam.NumberingIPAMM2}, addOutput(output)).client(t, nil)
			pa := provider("PA")
			pa.Owner = "netops"
			got, err := c.AddProviderAddressSpace(ctx, pa)
			if err != nil || got.InstanceID == "" || got.Name != "PA" || got.Owner != "netops" || got.Type != ipam.TypeProvider {
				t.Fatalf("%v %+v", err, got)
			}
			ca, err := c.AddCustomerAddressSpace(ctx, customer("CA", "PA"))
			if err != nil || ca.InstanceID == "" || ca.Type != ipam.TypeCustomer {
				t.Fatalf("%v %+v", err, ca)
			}
			// A failure is still a failure.
			if _, err := c.AddProviderAddressSpace(ctx, provider("pa")); !errors.Is(err, ipam.ErrAlreadyExists) {
				t.Fatalf("duplicate: %v", err)
			}
		})
	}
}

// --- the numbering of Type -----------------------------------------------------------------------

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
			p, c := startProxyClient(t, emulator.Config{TypeNumbering: tc.n}, nil)

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
	p, c := startProxyClient(t, emulator.Config{TypeNumbering: ipam.NumberingIPAMM2}, nil)
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
	p, c := startProxyClient(t, emulator.Config{}, defaultTyped(t, "7"))
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
	p, c := startProxyClient(t, emulator.Config{TypeNumbering: ipam.NumberingIPAMM2}, nil)
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
	p, c := startProxyClient(t, emulator.Config{TypeNumbering: ipam.NumberingIPAMM2}, nil)
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
