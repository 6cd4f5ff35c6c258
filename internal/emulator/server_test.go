package emulator

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winipam/terraform-provider-ipam/internal/ipam"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

const (
	testUser = "admin"
	testPass = "s3cret!"
)

type harness struct {
	t   *testing.T
	srv *Server
	url string
}

func newHarness(t *testing.T, cfg Config) *harness {
	t.Helper()
	cfg.Username, cfg.Password = testUser, testPass
	if cfg.CustomFields == nil {
		cfg.CustomFields = []string{"Region", "CostCenter"}
	}
	srv, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
	})
	return &harness{t: t, srv: srv, url: hs.URL + "/wsman"}
}

// roundTrip sends req, with the WS-Management content type unless it names another, and returns
// the response and its body.
func roundTrip(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	if req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", wsman.ContentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// postRaw sends a raw body with valid credentials and returns the status and body.
func (h *harness) postRaw(body []byte) (int, []byte) {
	h.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, h.url, bytes.NewReader(body))
	req.SetBasicAuth(testUser, testPass)
	resp, out := roundTrip(h.t, req)
	return resp.StatusCode, out
}

// post sends a raw body and returns the status and parsed response.
func (h *harness) post(body []byte) (int, *wsman.Envelope) {
	h.t.Helper()
	status, out := h.postRaw(body)
	env, err := wsman.Unmarshal(bytes.NewReader(out), 0)
	if err != nil {
		h.t.Fatalf("status %d, unparseable response: %v", status, err)
	}
	return status, env
}

func (h *harness) send(hdr wsman.Header, body wsman.Body) (int, *wsman.Envelope) {
	h.t.Helper()
	if hdr.MessageID == "" {
		hdr.MessageID = "uuid:" + wsman.NewUUID()
	}
	if hdr.MaxEnvelopeSize == 0 {
		hdr.MaxEnvelopeSize = 512000
	}
	msg, err := wsman.Marshal(hdr, body)
	if err != nil {
		h.t.Fatal(err)
	}
	return h.post(msg)
}

func (h *harness) invoke(method string, params ...wsman.Property) (*wsman.InvokeOutput, *wsman.Fault) {
	h.t.Helper()
	status, env := h.send(wsman.Header{ResourceURI: addressSpaceURI, Action: wsman.MethodAction(addressSpaceURI, method)},
		&wsman.InvokeInput{Method: method, Params: params})
	if f, ok := env.Fault(); ok {
		if status != http.StatusInternalServerError {
			h.t.Fatalf("fault with status %d", status)
		}
		return nil, f
	}
	out, err := env.InvokeOutput(method)
	if err != nil {
		h.t.Fatal(err)
	}
	return out, nil
}

func (h *harness) addProvider(name string, extra ...wsman.Property) (*wsman.Instance, *wsman.Fault) {
	h.t.Helper()
	out, f := h.invoke("AddProviderAddressSpace", append([]wsman.Property{wsman.Scalar("Name", name)}, extra...)...)
	if f != nil {
		return nil, f
	}
	p, _ := out.Param("output")
	return p.Values[0].Instance, nil
}

func (h *harness) mustAddProvider(name string) *wsman.Instance {
	h.t.Helper()
	in, f := h.addProvider(name)
	if f != nil {
		h.t.Fatalf("add %s: %v", name, f)
	}
	return in
}

func (h *harness) addCustomer(name, pa string, extra ...wsman.Property) (*wsman.Instance, *wsman.Fault) {
	h.t.Helper()
	params := append([]wsman.Property{wsman.Scalar("Name", name), wsman.Scalar("AssociatedProviderAddressSpace", pa),
		wsman.Scalar("IsolationMethod", "NVGRE")}, extra...)
	out, f := h.invoke("AddCustomerAddressSpace", params...)
	if f != nil {
		return nil, f
	}
	p, _ := out.Param("output")
	return p.Values[0].Instance, nil
}

func item(props ...wsman.Property) *wsman.Instance {
	return wsman.NewInstance(classAddressSp, addressSpaceURI, props...)
}

func (h *harness) bulk(method string, items ...*wsman.Instance) []*wsman.Instance {
	h.t.Helper()
	out, f := h.invoke(method, wsman.Embedded("AddressSpace", items...))
	if f != nil {
		h.t.Fatalf("%s: %v", method, f)
	}
	if out.ReturnValue == nil || *out.ReturnValue != 0 {
		h.t.Fatalf("%s ReturnValue %v", method, out.ReturnValue)
	}
	return (&wsman.Instance{Properties: out.Params}).Instances("Output")
}

func (h *harness) query(wqlText string) []*wsman.Instance {
	h.t.Helper()
	items, f := h.enumerate(wqlText, 100)
	if f != nil {
		h.t.Fatalf("query %s: %v", wqlText, f)
	}
	return items
}

// enumerate runs a WQL query with OptimizeEnumeration and pulls every page.
func (h *harness) enumerate(wqlText string, maxElements int) ([]*wsman.Instance, *wsman.Fault) {
	h.t.Helper()
	_, env := h.send(wsman.Header{ResourceURI: namespaceWildURI, Action: wsman.ActionEnumerate},
		&wsman.Enumerate{Dialect: wsman.DialectWQL, Filter: wqlText, Optimize: true, MaxElements: maxElements})
	if f, ok := env.Fault(); ok {
		return nil, f
	}
	res, err := env.EnumerationResult()
	if err != nil {
		h.t.Fatal(err)
	}
	items := res.Items
	for pages := 0; !res.EndOfSequence; pages++ {
		if pages > 10000 {
			h.t.Fatal("enumeration does not end")
		}
		_, env = h.send(wsman.Header{ResourceURI: namespaceWildURI, Action: wsman.ActionPull}, &wsman.Pull{Context: res.Context, MaxElements: maxElements})
		if f, ok := env.Fault(); ok {
			return nil, f
		}
		if res, err = env.EnumerationResult(); err != nil {
			h.t.Fatal(err)
		}
		items = append(items, res.Items...)
	}
	return items, nil
}

func names(items []*wsman.Instance) string {
	var out []string
	for _, in := range items {
		n, _ := in.Text("Name")
		out = append(out, n)
	}
	return strings.Join(out, ",")
}

func textOf(in *wsman.Instance, name string) string {
	v, _ := in.Text(name)
	return v
}

func wantFault(t *testing.T, f *wsman.Fault, kind ipam.Kind, code uint32) {
	t.Helper()
	if f == nil {
		t.Fatal("want a fault, got success")
	}
	if f.WmiError == nil {
		t.Fatalf("fault without MSFT_WmiError: %+v", f)
	}
	if got := ipam.KindForCode(f.WmiError.ErrorCode); got != kind || f.WmiError.ErrorCode != code {
		t.Fatalf("want kind %v code %d, got kind %v code %d (%s)", kind, code, got, f.WmiError.ErrorCode, f.WmiError.Message)
	}
	if ipam.KindForCIMStatus(f.WmiError.CIMStatusCode) != kind && kind != ipam.KindInUse {
		t.Fatalf("CIMStatusCode %d does not say %v", f.WmiError.CIMStatusCode, kind)
	}
	if f.WSManCode == 0 || f.WmiError.MessageID != fmt.Sprintf("WIN32 %d", code) {
		t.Fatalf("fault codes: %+v %+v", f, f.WmiError)
	}
}

func TestAddMethods(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	pa, f := h.addProvider("DC-West", wsman.Scalar("Owner", "netops"), wsman.Scalar("Description", "west"),
		wsman.Scalar("CustomConfiguration", " Region = EU ; CostCenter=42;"))
	if f != nil {
		t.Fatal(f)
	}
	if textOf(pa, "Type") != "0" || textOf(pa, "Owner") != "netops" || !strings.HasPrefix(textOf(pa, "InstanceID"), "{") ||
		textOf(pa, "CustomConfiguration") != "CostCenter=42;Region=EU" || pa.Has("AssociatedProviderAddressSpace") && textOf(pa, "AssociatedProviderAddressSpace") != "" {
		t.Fatalf("provider output: %+v", pa)
	}

	t.Run("duplicate name, any case, either type", func(t *testing.T) {
		_, f := h.addProvider("dc-west")
		wantFault(t, f, ipam.KindAlreadyExists, ipam.Win32AlreadyExists)
		_, f = h.addCustomer("DC-WEST", "DC-West")
		wantFault(t, f, ipam.KindAlreadyExists, ipam.Win32AlreadyExists)
	})
	t.Run("the Default provider space exists and cannot be created", func(t *testing.T) {
		_, f := h.addProvider("default")
		wantFault(t, f, ipam.KindAlreadyExists, ipam.Win32AlreadyExists)
	})
	t.Run("customer needs an existing provider space", func(t *testing.T) {
		_, f := h.addCustomer("Tenant-A", "nope")
		wantFault(t, f, ipam.KindNotFound, ipam.Win32NotFound)
		if !strings.Contains(f.WmiError.Message, `"nope"`) {
			t.Fatalf("message does not name the provider space: %s", f.WmiError.Message)
		}
	})
	t.Run("customer", func(t *testing.T) {
		ca, f := h.addCustomer("Tenant-A", "dc-west", wsman.Scalar("Tenant", "4001"), wsman.Scalar("VMNetwork", "net-a"))
		if f != nil {
			t.Fatal(f)
		}
		if textOf(ca, "Type") != "1" || textOf(ca, "AssociatedProviderAddressSpace") != "DC-West" || textOf(ca, "Tenant") != "4001" ||
			textOf(ca, "IsolationMethod") != "NVGRE" || textOf(ca, "VMNetwork") != "net-a" {
			t.Fatalf("customer output: %+v", ca)
		}
	})
	t.Run("customer cannot live on a customer space", func(t *testing.T) {
		_, f := h.addCustomer("Tenant-B", "Tenant-A")
		wantFault(t, f, ipam.KindNotFound, ipam.Win32NotFound)
	})
	t.Run("validation", func(t *testing.T) {
		for name, params := range map[string][]wsman.Property{
			"blank name":         {wsman.Scalar("Name", "   ")},
			"long name":          {wsman.Scalar("Name", strings.Repeat("n", 1001))},
			"long description":   {wsman.Scalar("Name", "x1"), wsman.Scalar("Description", strings.Repeat("d", 4001))},
			"long owner":         {wsman.Scalar("Name", "x2"), wsman.Scalar("Owner", strings.Repeat("o", 1001))},
			"unknown field":      {wsman.Scalar("Name", "x3"), wsman.Scalar("CustomConfiguration", "Color=red")},
			"built-in field":     {wsman.Scalar("Name", "x4"), wsman.Scalar("CustomConfiguration", "Tenant=1")},
			"malformed config":   {wsman.Scalar("Name", "x5"), wsman.Scalar("CustomConfiguration", "Region")},
			"duplicate in field": {wsman.Scalar("Name", "x6"), wsman.Scalar("CustomConfiguration", "Region=a;region=b")},
		} {
			out, f := h.invoke("AddProviderAddressSpace", params...)
			if f == nil {
				t.Errorf("%s: accepted: %+v", name, out)
				continue
			}
			if f.WmiError == nil || ipam.KindForCode(f.WmiError.ErrorCode) != ipam.KindInvalid {
				t.Errorf("%s: want an invalid-parameter error, got %v", name, f)
			}
		}
		_, f := h.addCustomer("x7", "DC-West", wsman.Scalar("IsolationMethod", "VXLAN"))
		if f == nil {
			t.Error("isolation method VXLAN accepted")
		}
		// 1000 characters, counted as Windows does (UTF-16), is the limit itself.
		if _, f := h.addProvider(strings.Repeat("é", 1000)); f != nil {
			t.Errorf("1000-character name refused: %v", f)
		}
		if _, f := h.addProvider(strings.Repeat("😀", 501)); f == nil {
			t.Error("name of 1002 UTF-16 units accepted")
		}
	})
	t.Run("unknown parameter", func(t *testing.T) {
		_, f := h.invoke("AddProviderAddressSpace", wsman.Scalar("Name", "y"), wsman.Scalar("Tenant", "1"))
		if f == nil || f.WSManCode != wsman.FaultInvalidParameter.HRESULT() {
			t.Fatalf("want InvalidParameter fault, got %v", f)
		}
	})
	t.Run("unknown method", func(t *testing.T) {
		_, f := h.invoke("RemoveAddressSpace", wsman.Scalar("Name", "y"))
		if f == nil || f.WSManCode != wsman.FaultActionMismatch.HRESULT() {
			t.Fatalf("want ActionMismatch fault, got %v", f)
		}
	})
}

func TestBulkAddOrUpdate(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	pa := h.mustAddProvider("PA-1")
	paID := textOf(pa, "InstanceID")

	st := h.bulk("BulkAddOrUpdateAddressSpace",
		item(wsman.Scalar("Name", "PA-2"), wsman.Scalar("Type", "0"), wsman.Scalar("Owner", "o2")),
		item(wsman.Scalar("Name", "CA-1"), wsman.Scalar("Type", "1"), wsman.Scalar("AssociatedProviderAddressSpace", "pa-2"),
			wsman.Scalar("IsolationMethod", "iprewrite")),
		item(wsman.Scalar("Name", "CA-bad"), wsman.Scalar("Type", "1"), wsman.Scalar("AssociatedProviderAddressSpace", "missing"),
			wsman.Scalar("IsolationMethod", "NVGRE")),
		item(wsman.Scalar("InstanceID", paID), wsman.Scalar("Name", "PA-1-renamed"), wsman.Scalar("Description", "renamed")),
		item(wsman.Scalar("Name", "Default"), wsman.Scalar("Owner", "me")),
		item(wsman.Scalar("Name", "pa-2"), wsman.Scalar("Type", "1")),
		item(wsman.Scalar("InstanceID", "{00000000-0000-0000-0000-000000000000}"), wsman.Scalar("Name", "ghost")),
		item(wsman.Scalar("Name", "PA-3"), wsman.Scalar("Type", "7")),
	)
	want := []uint32{0, 0, ipam.Win32NotFound, 0, ipam.Win32InvalidOperation, ipam.Win32InvalidOperation, ipam.Win32NotFound, ipam.Win32InvalidParameter}
	if len(st) != len(want) {
		t.Fatalf("want %d statuses, got %d", len(want), len(st))
	}
	for i, s := range st {
		if textOf(s, "Index") != fmt.Sprint(i) || textOf(s, "Win32Status") != fmt.Sprint(want[i]) {
			t.Errorf("item %d: status %s (%s), want %d", i, textOf(s, "Win32Status"), textOf(s, "ErrorMessage"), want[i])
		}
		if want[i] == 0 && (textOf(s, "RecordId") == "0" || textOf(s, "ErrorMessage") != "") {
			t.Errorf("item %d: success without a RecordId or with a message: %+v", i, s)
		}
		if want[i] != 0 && textOf(s, "ErrorMessage") == "" {
			t.Errorf("item %d: failure without a message", i)
		}
	}
	if got := names(h.query("SELECT * FROM MSFT_IPAM_AddressSpace")); got != "Default,PA-1-renamed,PA-2,CA-1" {
		t.Fatalf("stored: %s", got)
	}
	ca := h.query("SELECT * FROM MSFT_IPAM_AddressSpace WHERE Name = 'ca-1'")[0]
	if textOf(ca, "IsolationMethod") != "IPRewrite" || textOf(ca, "AssociatedProviderAddressSpace") != "PA-2" {
		t.Fatalf("customer: %+v", ca)
	}
	renamed := h.query("SELECT * FROM MSFT_IPAM_AddressSpace WHERE InstanceID = '" + paID + "'")[0]
	if textOf(renamed, "Name") != "PA-1-renamed" || textOf(renamed, "Description") != "renamed" {
		t.Fatalf("rename by InstanceID: %+v", renamed)
	}

	t.Run("update by name keeps unsent properties, clears nil ones, moves provider", func(t *testing.T) {
		st := h.bulk("BulkAddOrUpdateAddressSpace",
			item(wsman.Scalar("Name", "CA-1"), wsman.Scalar("AssociatedProviderAddressSpace", "PA-1-renamed"), wsman.Null("IsolationMethod")))
		// Clearing the isolation method of a customer space is invalid: nothing changes.
		if textOf(st[0], "Win32Status") != fmt.Sprint(ipam.Win32InvalidParameter) {
			t.Fatalf("status %+v", st[0])
		}
		st = h.bulk("BulkAddOrUpdateAddressSpace",
			item(wsman.Scalar("Name", "CA-1"), wsman.Scalar("AssociatedProviderAddressSpace", "PA-1-renamed"), wsman.Scalar("Tenant", "t1"),
				wsman.Scalar("CustomConfiguration", "Region=EU")))
		if textOf(st[0], "Win32Status") != "0" {
			t.Fatalf("status %+v", st[0])
		}
		ca := h.query("SELECT * FROM MSFT_IPAM_AddressSpace WHERE Name = 'CA-1'")[0]
		if textOf(ca, "AssociatedProviderAddressSpace") != "PA-1-renamed" || textOf(ca, "IsolationMethod") != "IPRewrite" ||
			textOf(ca, "Tenant") != "t1" || textOf(ca, "CustomConfiguration") != "Region=EU" {
			t.Fatalf("after update: %+v", ca)
		}
		// A rename of the provider space shows in its customers.
		h.bulk("BulkAddOrUpdateAddressSpace", item(wsman.Scalar("InstanceID", paID), wsman.Scalar("Name", "PA-1")))
		ca = h.query("SELECT * FROM MSFT_IPAM_AddressSpace WHERE Name = 'CA-1'")[0]
		if textOf(ca, "AssociatedProviderAddressSpace") != "PA-1" {
			t.Fatalf("provider rename not seen: %+v", ca)
		}
	})
	t.Run("add-or-update is idempotent", func(t *testing.T) {
		for i := 0; i < 2; i++ {
			st := h.bulk("BulkAddOrUpdateAddressSpace", item(wsman.Scalar("Name", "PA-9"), wsman.Scalar("Type", "0"), wsman.Scalar("Owner", "x")))
			if textOf(st[0], "Win32Status") != "0" {
				t.Fatalf("run %d: %+v", i, st[0])
			}
		}
		if n := len(h.query("SELECT * FROM MSFT_IPAM_AddressSpace WHERE Name LIKE 'pa-9'")); n != 1 {
			t.Fatalf("%d copies", n)
		}
	})
	t.Run("rename onto an existing name fails", func(t *testing.T) {
		st := h.bulk("BulkAddOrUpdateAddressSpace", item(wsman.Scalar("InstanceID", paID), wsman.Scalar("Name", "pa-9")))
		if textOf(st[0], "Win32Status") != fmt.Sprint(ipam.Win32AlreadyExists) {
			t.Fatalf("status %+v", st[0])
		}
	})
}

func TestBulkDelete(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	pa := h.mustAddProvider("PA")
	if _, f := h.addCustomer("CA", "PA"); f != nil {
		t.Fatal(f)
	}
	def := h.query("SELECT InstanceID FROM MSFT_IPAM_AddressSpace WHERE Name = 'Default'")[0]

	st := h.bulk("BulkDeleteAddressSpace",
		item(wsman.Scalar("InstanceID", textOf(pa, "InstanceID"))),
		item(wsman.Scalar("InstanceID", textOf(def, "InstanceID"))),
		item(wsman.Scalar("Name", "missing")),
	)
	for i, want := range []uint32{ipam.Win32DependentResources, ipam.Win32InvalidOperation, ipam.Win32NotFound} {
		if textOf(st[i], "Win32Status") != fmt.Sprint(want) {
			t.Errorf("item %d: %s (%s), want %d", i, textOf(st[i], "Win32Status"), textOf(st[i], "ErrorMessage"), want)
		}
	}
	if ipam.KindForCode(ipam.Win32DependentResources) != ipam.KindInUse {
		t.Fatal("dependent resources must read as in use")
	}
	// Customers first, then their provider, in one call.
	st = h.bulk("BulkDeleteAddressSpace", item(wsman.Scalar("Name", "ca")), item(wsman.Scalar("Name", "pa")))
	for i := range st {
		if textOf(st[i], "Win32Status") != "0" {
			t.Fatalf("item %d: %+v", i, st[i])
		}
	}
	if got := names(h.query("SELECT * FROM MSFT_IPAM_AddressSpace")); got != "Default" {
		t.Fatalf("left: %s", got)
	}
}

func TestEnumeration(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	var items []*wsman.Instance
	for i := 0; i < 25; i++ {
		items = append(items, item(wsman.Scalar("Name", fmt.Sprintf("pa-%02d", i)), wsman.Scalar("Owner", fmt.Sprintf("o%d", i%3))))
	}
	h.bulk("BulkAddOrUpdateAddressSpace", items...)
	h.bulk("BulkAddOrUpdateAddressSpace", item(wsman.Scalar("Name", "it's"), wsman.Scalar("Owner", `back\slash`)))

	for q, want := range map[string]int{
		"SELECT * FROM MSFT_IPAM_AddressSpace":                                                        27,
		"SELECT * FROM msft_ipam_addressspace WHERE Owner = 'O1'":                                     8,
		"SELECT * FROM MSFT_IPAM_AddressSpace WHERE Name LIKE 'PA-1%' AND Owner <> 'o0'":              7,
		"SELECT * FROM MSFT_IPAM_AddressSpace WHERE (Name = 'pa-01' OR Name = 'pa-02') OR Type = 1":   2,
		`SELECT * FROM MSFT_IPAM_AddressSpace WHERE Name = 'it\'s' AND Owner = 'back\\slash'`:         1,
		"SELECT * FROM MSFT_IPAM_AddressSpace WHERE Description IS NULL AND Type = 0":                 26,
		"SELECT Name, Owner FROM MSFT_IPAM_AddressSpace WHERE Name = 'nothing'":                       0,
		"SELECT * FROM MSFT_IPAM_AddressSpace WHERE InstanceID = 'x' OR InstanceID = 'y'":             0,
		"SELECT * FROM MSFT_IPAM_AddressSpace WHERE Name = 'PA-03' OR Name = 'pa-04' OR Name = 'zzz'": 2,
	} {
		for _, page := range []int{1, 4, 1000} {
			got, f := h.enumerate(q, page)
			if f != nil {
				t.Fatalf("%s: %v", q, f)
			}
			if len(got) != want {
				t.Errorf("%s (pages of %d): %d items, want %d", q, page, len(got), want)
			}
		}
	}
	t.Run("property list", func(t *testing.T) {
		got := h.query("SELECT Name FROM MSFT_IPAM_AddressSpace WHERE Name = 'pa-00'")
		if len(got) != 1 || len(got[0].Properties) != 2 || textOf(got[0], "Name") != "pa-00" || textOf(got[0], "InstanceID") == "" {
			t.Fatalf("got %+v", got)
		}
	})
	t.Run("bad queries", func(t *testing.T) {
		for _, q := range []string{
			"SELECT * FROM Win32_Process",
			"SELECT Colour FROM MSFT_IPAM_AddressSpace",
			"SELECT * FROM MSFT_IPAM_AddressSpace WHERE Colour = 'red'",
			"SELECT * FROM MSFT_IPAM_AddressSpace WHERE Name = 'unterminated",
			"DELETE FROM MSFT_IPAM_AddressSpace",
		} {
			if _, f := h.enumerate(q, 10); f == nil || f.Subcode.Local != "CannotProcessFilter" || f.WmiError == nil {
				t.Errorf("%s: want CannotProcessFilter with an MSFT_WmiError, got %v", q, f)
			}
		}
	})
	t.Run("other resource URI", func(t *testing.T) {
		_, env := h.send(wsman.Header{ResourceURI: wsman.WMIBase + "root/cimv2/*", Action: wsman.ActionEnumerate},
			&wsman.Enumerate{Dialect: wsman.DialectWQL, Filter: "SELECT * FROM Win32_Service"})
		if f, ok := env.Fault(); !ok || f.WSManCode != wsman.FaultResourceNotFound.HRESULT() {
			t.Fatalf("want ResourceNotFound, got %+v", env.Body)
		}
	})
	t.Run("class enumeration without filter, then Release", func(t *testing.T) {
		_, env := h.send(wsman.Header{ResourceURI: addressSpaceURI, Action: wsman.ActionEnumerate}, &wsman.Enumerate{})
		res, err := env.EnumerationResult()
		if err != nil || res.Context == "" || len(res.Items) != 0 {
			t.Fatalf("enumerate: %v %+v", err, res)
		}
		_, env = h.send(wsman.Header{ResourceURI: addressSpaceURI, Action: wsman.ActionRelease}, &wsman.Release{Context: res.Context})
		if _, ok := env.Fault(); ok {
			t.Fatalf("release failed: %+v", env.Body)
		}
		_, env = h.send(wsman.Header{ResourceURI: addressSpaceURI, Action: wsman.ActionPull}, &wsman.Pull{Context: res.Context})
		if f, ok := env.Fault(); !ok || f.WSManCode != wsman.FaultInvalidEnumerationContext.HRESULT() {
			t.Fatalf("pull after release: want InvalidEnumerationContext, got %+v", env.Body)
		}
	})
	t.Run("pages fit MaxEnvelopeSize", func(t *testing.T) {
		_, env := h.send(wsman.Header{ResourceURI: namespaceWildURI, Action: wsman.ActionEnumerate, MaxEnvelopeSize: 8192},
			&wsman.Enumerate{Dialect: wsman.DialectWQL, Filter: "SELECT * FROM MSFT_IPAM_AddressSpace", Optimize: true, MaxElements: 32000})
		res, err := env.EnumerationResult()
		if err != nil {
			t.Fatal(err)
		}
		if res.EndOfSequence || len(res.Items) == 0 || len(res.Items) >= 27 {
			t.Fatalf("first page of 8 KiB holds %d items (end %v)", len(res.Items), res.EndOfSequence)
		}
	})
}

func TestEnvelopeLimits(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{MaxRequestSize: 64 * 1024})
	big := strings.Repeat("é", 4000) // 8000 bytes of UTF-8
	var items []*wsman.Instance
	for i := 0; i < 10; i++ {
		items = append(items, item(wsman.Scalar("Name", fmt.Sprint("n", i)), wsman.Scalar("Description", big)))
	}
	// [MS-WSMV] 3.1.4.1.20: a request over MaxEnvelopeSizekb gets HTTP 413 and is not processed.
	msg, err := wsman.Marshal(wsman.Header{ResourceURI: addressSpaceURI, Action: wsman.MethodAction(addressSpaceURI, "BulkAddOrUpdateAddressSpace"),
		MessageID: "uuid:" + wsman.NewUUID(), MaxEnvelopeSize: 512000},
		&wsman.InvokeInput{Method: "BulkAddOrUpdateAddressSpace", Params: []wsman.Property{wsman.Embedded("AddressSpace", items...)}})
	if err != nil {
		t.Fatal(err)
	}
	if status, body := h.postRaw(msg); status != http.StatusRequestEntityTooLarge || len(body) != 0 {
		t.Fatalf("request over the server's limit: status %d with %d bytes, want 413 and no body", status, len(body))
	}
	if got := h.query("SELECT * FROM MSFT_IPAM_AddressSpace WHERE Name LIKE 'n%'"); len(got) != 0 {
		t.Fatalf("the refused request was processed: %d items", len(got))
	}
	h.bulk("BulkAddOrUpdateAddressSpace", items[:5]...)
	// One instance larger than the client's MaxEnvelopeSize cannot be sent at all.
	_, env := h.send(wsman.Header{ResourceURI: namespaceWildURI, Action: wsman.ActionEnumerate, MaxEnvelopeSize: 8192},
		&wsman.Enumerate{Dialect: wsman.DialectWQL, Filter: "SELECT * FROM MSFT_IPAM_AddressSpace WHERE Name = 'n1'", Optimize: true, MaxElements: 5})
	if f, ok := env.Fault(); !ok || f.Subcode.Local != "EncodingLimit" {
		t.Fatalf("want EncodingLimit, got %+v", env.Body)
	}
	_, env = h.send(wsman.Header{ResourceURI: addressSpaceURI, Action: addressSpaceURI + "/BulkAddOrUpdateAddressSpace", MaxEnvelopeSize: 1024},
		&wsman.InvokeInput{Method: "BulkAddOrUpdateAddressSpace"})
	if f, ok := env.Fault(); !ok || f.WSManCode != wsman.FaultMinimumEnvelopeLimit.HRESULT() {
		t.Fatalf("want MinEnvelopeSize, got %+v", env.Body)
	}
}

func TestHTTPLayer(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	do := func(method, path, user, pass, ctype, body string) *http.Response {
		req, _ := http.NewRequest(method, strings.TrimSuffix(h.url, "/wsman")+path, strings.NewReader(body))
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		req.Header.Set("Content-Type", ctype)
		resp, _ := roundTrip(t, req)
		return resp
	}
	ct := wsman.ContentType
	for name, tc := range map[string]struct {
		resp *http.Response
		want int
	}{
		"no credentials":   {do("POST", "/wsman", "", "", ct, "<x/>"), 401},
		"wrong password":   {do("POST", "/wsman", testUser, "nope", ct, "<x/>"), 401},
		"wrong user":       {do("POST", "/wsman", "root", testPass, ct, "<x/>"), 401},
		"GET":              {do("GET", "/wsman", testUser, testPass, ct, ""), 405},
		"other path":       {do("POST", "/other", testUser, testPass, ct, "<x/>"), 404},
		"not SOAP":         {do("POST", "/wsman", testUser, testPass, "text/plain", "<x/>"), 415},
		"malformed":        {do("POST", "/wsman", testUser, testPass, ct, "<s:Envelope"), 500},
		"domain user form": {do("POST", "/wsman", `CORP\`+testUser, testPass, ct, "<x/>"), 500},
	} {
		if tc.resp.StatusCode != tc.want {
			t.Errorf("%s: status %d, want %d", name, tc.resp.StatusCode, tc.want)
		}
		if got := strings.Join(tc.resp.Header.Values("WWW-Authenticate"), ", "); tc.want == 401 && got != `Negotiate, Basic realm="WSMAN"` {
			t.Errorf("%s: WWW-Authenticate %q", name, got)
		}
	}
	status, env := h.post([]byte(`<!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]><s:Envelope xmlns:s="` + wsman.NSSoap + `"><s:Body>&x;</s:Body></s:Envelope>`))
	if f, ok := env.Fault(); status != 500 || !ok || !strings.Contains(f.Message, "document type") {
		t.Fatalf("DTD: status %d, %+v", status, env.Body)
	}
	status, env = h.post([]byte(`<s:Envelope xmlns:s="` + wsman.NSSoap + `"><s:Body><wsmid:Identify xmlns:wsmid="` + wsman.NSIdentity + `"/></s:Body></s:Envelope>`))
	if status != 200 || env.Body == nil || env.Body.Local != "IdentifyResponse" {
		t.Fatalf("Identify: %d %+v", status, env.Body)
	}
}

func TestUndocumentedAnswers(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{ErrorsAsReturnValue: true, FailedItemsOnly: true, FailItems: "bad%"})
	h.mustAddProvider("PA")
	out, f := h.invoke("AddProviderAddressSpace", wsman.Scalar("Name", "pa"))
	if f != nil || out.ReturnValue == nil || *out.ReturnValue != ipam.HRESULTFromWin32(ipam.Win32AlreadyExists) || len(out.Params) != 0 {
		t.Fatalf("want ReturnValue 0x800700B7 and no output, got %+v %v", out, f)
	}
	st := h.bulk("BulkAddOrUpdateAddressSpace", item(wsman.Scalar("Name", "good")), item(wsman.Scalar("Name", "BAD-1")))
	if len(st) != 1 || textOf(st[0], "Index") != "1" || textOf(st[0], "Win32Status") == "0" {
		t.Fatalf("want only the injected failure listed, got %+v", st)
	}
	if got := names(h.query("SELECT * FROM MSFT_IPAM_AddressSpace WHERE Name LIKE '%o%'")); got != "good" {
		t.Fatalf("stored: %q", got)
	}
}

func TestPersistence(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "ipam.db")
	h := newHarness(t, Config{DBPath: path})
	id := textOf(h.mustAddProvider("Kept"), "InstanceID")
	h.srv.Close()

	h2 := newHarness(t, Config{DBPath: path})
	got := h2.query("SELECT * FROM MSFT_IPAM_AddressSpace")
	if names(got) != "Default,Kept" || textOf(got[1], "InstanceID") != id {
		t.Fatalf("after reopen: %s", names(got))
	}
}

func TestAdminEndpoints(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	base := strings.TrimSuffix(h.url, "/wsman")
	do := func(method, path, body string, auth bool) (int, string) {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		if auth {
			req.SetBasicAuth(testUser, testPass)
		}
		resp, b := roundTrip(t, req)
		return resp.StatusCode, string(b)
	}
	if code, _ := do("GET", "/emulator/stats", "", false); code != 401 {
		t.Fatalf("stats without credentials: %d", code)
	}
	h.mustAddProvider("x")
	code, body := do("GET", "/emulator/stats", "", true)
	if code != 200 || !strings.Contains(body, `"requests":`) || strings.Contains(body, `"requests":0`) {
		t.Fatalf("stats: %d %s", code, body)
	}
	if code, _ := do("POST", "/emulator/faults", `{"kind":"503","count":1}`, true); code != 204 {
		t.Fatalf("inject: %d", code)
	}
	if code, _ := do("POST", "/emulator/faults", `{"kind":"explode"}`, true); code != 400 {
		t.Fatalf("bad rule accepted: %d", code)
	}
	if code, _ := do("POST", "/wsman", `<s:Envelope xmlns:s="`+wsman.NSSoap+`"><s:Body/></s:Envelope>`, true); code != 503 {
		t.Fatalf("injected 503 not served: %d", code)
	}
	h.mustAddProvider("y") // the rule was for one request only
	if code, _ := do("DELETE", "/emulator/faults", "", true); code != 204 {
		t.Fatalf("clear: %d", code)
	}
}
