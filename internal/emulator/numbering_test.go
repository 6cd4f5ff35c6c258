package emulator

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/winipam/terraform-provider-ipam/internal/ipam"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

// In either numbering the emulator answers, reads bulk items and evaluates WQL on Type alike.
func TestTypeNumbering(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		n                                ipam.TypeNumbering
		provider, customer, noSuchNumber string
	}{
		{ipam.NumberingWMI, "0", "1", "2"},
		{ipam.NumberingIPAMM2, "1", "2", "0"},
	} {
		t.Run(tc.n.String(), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Config{TypeNumbering: tc.n})
			text := func(in *wsman.Instance, prop string) string { v, _ := in.Text(prop); return v }

			if d := h.query("SELECT * FROM MSFT_IPAM_AddressSpace WHERE Name = 'Default'"); len(d) != 1 || text(d[0], "Type") != tc.provider {
				t.Fatalf("Default: %d rows, Type %q; want %s", len(d), text(d[0], "Type"), tc.provider)
			}
			pa := h.mustAddProvider("PA")
			if got := text(pa, "Type"); got != tc.provider {
				t.Errorf("AddProviderAddressSpace output Type %q, want %s", got, tc.provider)
			}
			ca, f := h.addCustomer("CA", "PA")
			if f != nil {
				t.Fatal(f)
			}
			if got := text(ca, "Type"); got != tc.customer {
				t.Errorf("AddCustomerAddressSpace output Type %q, want %s", got, tc.customer)
			}
			_, env := h.send(wsman.Header{ResourceURI: addressSpaceURI, Action: wsman.ActionGet,
				Selectors: []wsman.Selector{{Name: "InstanceID", Value: text(ca, "InstanceID")}}}, wsman.EmptyBody{})
			if in, err := env.Instance(); err != nil || text(in, "Type") != tc.customer {
				t.Errorf("Get: Type %q (%v), want %s", text(in, "Type"), err, tc.customer)
			}

			statuses := h.bulk("BulkAddOrUpdateAddressSpace",
				item(wsman.Scalar("Name", "PA-2"), wsman.Scalar("Type", tc.provider)),
				item(wsman.Scalar("Name", "CA-2"), wsman.Scalar("Type", " "+tc.customer+" "), wsman.Scalar("AssociatedProviderAddressSpace", "PA-2"),
					wsman.Scalar("IsolationMethod", "NVGRE")),
				item(wsman.Scalar("Name", "Nothing"), wsman.Scalar("Type", tc.noSuchNumber)))
			for i, st := range statuses[:2] {
				if w, _ := st.Text("Win32Status"); w != "0" {
					t.Errorf("item %d: Win32Status %s: %s", i, w, text(st, "ErrorMessage"))
				}
			}
			want := fmt.Sprintf("neither %s (Provider) nor %s (Customer)", tc.provider, tc.customer)
			if msg := text(statuses[2], "ErrorMessage"); !strings.Contains(msg, want) {
				t.Errorf("Type %s: %q, want it to say %q", tc.noSuchNumber, msg, want)
			}
			// The type cannot change: an update naming the other type fails.
			statuses = h.bulk("BulkAddOrUpdateAddressSpace", item(wsman.Scalar("Name", "PA-2"), wsman.Scalar("Type", tc.customer)))
			if w, _ := statuses[0].Text("Win32Status"); w == "0" {
				t.Errorf("PA-2 became a customer space")
			}

			for q, wantNames := range map[string]string{
				"SELECT Name FROM MSFT_IPAM_AddressSpace WHERE Type = " + tc.provider:     "Default,PA,PA-2",
				"SELECT Name FROM MSFT_IPAM_AddressSpace WHERE Type = " + tc.customer:     "CA,CA-2",
				"SELECT Name FROM MSFT_IPAM_AddressSpace WHERE Type = " + tc.noSuchNumber: "",
			} {
				if got := names(h.query(q)); got != wantNames {
					t.Errorf("%s: %s, want %s", q, got, wantNames)
				}
			}
			// The store keeps the domain's values, whatever the wire says.
			if a, err := h.srv.eng.Get(t.Context(), text(ca, "InstanceID")); err != nil || a.Type != ipam.TypeCustomer {
				t.Errorf("stored %+v, %v", a, err)
			}
		})
	}
}

func TestTypeNumberingFlag(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"-type-numbering", "ms-ipamm2", "-db", ":memory:", "-username", "u", "-password", "p"}, &stdout, &stderr); code != 2 {
		t.Fatalf("exit %d, want 2; stderr %s", code, stderr.String())
	}
	if msg := stderr.String(); !strings.Contains(msg, `"wmi"`) || !strings.Contains(msg, `"ipamm2"`) {
		t.Errorf("stderr does not say what is accepted: %s", msg)
	}
	for _, v := range []string{"wmi", "IPAMM2"} {
		if n, err := ipam.ParseTypeNumbering(v); err != nil || !strings.EqualFold(n.String(), v) {
			t.Errorf("%s: %v %v", v, n, err)
		}
	}
}
