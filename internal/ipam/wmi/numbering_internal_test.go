package wmi

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winipam/terraform-provider-ipam/internal/ipam"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

func space(name, typ, pa string) *wsman.Instance {
	in := wsman.NewInstance(ClassAddressSpace, AddressSpaceURI, wsman.Scalar("InstanceID", "{"+name+"}"), wsman.Scalar("Name", name))
	if typ != "" {
		in.Add(wsman.Scalar("Type", typ))
	} else {
		in.Add(wsman.Null("Type"))
	}
	if pa != "" {
		in.Add(wsman.Scalar("AssociatedProviderAddressSpace", pa))
	} else {
		in.Add(wsman.Null("AssociatedProviderAddressSpace"))
	}
	return in
}

func TestDecideNumbering(t *testing.T) {
	t.Parallel()
	wmi, ipamm2 := ipam.NumberingWMI, ipam.NumberingIPAMM2
	for _, tc := range []struct {
		name string
		rows []*wsman.Instance
		want ipam.TypeNumbering
		err  string // part of the error; "" for success
	}{
		{"Default 0", []*wsman.Instance{space("Default", "0", "")}, wmi, ""},
		{"Default 1", []*wsman.Instance{space("Default", "1", "")}, ipamm2, ""},
		{"Default decides over other rows", []*wsman.Instance{space("CA", "1", "PA"), space("Default", "1", "")}, ipamm2, ""},
		{"Default spelled otherwise", []*wsman.Instance{space("DEFAULT", " 0 ", "")}, wmi, ""},
		{"Default 7", []*wsman.Instance{space("Default", "7", "")}, 0, `the built-in Default provider address space has Type "7" (seen: "Default" Type=7)`},
		{"Default 2", []*wsman.Instance{space("Default", "2", "")}, 0, `has Type "2"`},
		{"Default with a provider", []*wsman.Instance{space("Default", "0", "X")}, 0, "carries AssociatedProviderAddressSpace"},
		{"no Default, a 2", []*wsman.Instance{space("A", "2", "PA")}, ipamm2, ""},
		{"no Default, a 0", []*wsman.Instance{space("A", "0", "")}, wmi, ""},
		{"no Default, a 1 with a provider", []*wsman.Instance{space("A", "1", "PA")}, wmi, ""},
		{"no Default, a 1 without", []*wsman.Instance{space("A", "1", "")}, ipamm2, ""},
		{"Default without Type, rows decide", []*wsman.Instance{space("Default", "", ""), space("A", "2", "PA")}, ipamm2, ""},
		{"rows disagree", []*wsman.Instance{space("A", "0", ""), space("B", "2", "PA")}, 0, "fit different numberings"},
		{"a number neither has", []*wsman.Instance{space("A", "3", "")}, 0, `address space "A" has Type "3"`},
		{"nothing", nil, 0, "no other address space shows the numbering"},
		{"nothing typed", []*wsman.Instance{space("A", "", "")}, 0, `(seen: "A" Type=null)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decideNumbering(tc.rows)
			if tc.err == "" {
				if err != nil || got != tc.want {
					t.Fatalf("%v, %v; want %v", got, err, tc.want)
				}
				return
			}
			var ne *TypeNumberingError
			if !errors.As(err, &ne) || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "unexpected Type numbering") {
				t.Fatalf("%v; want a *TypeNumberingError saying %q", err, tc.err)
			}
		})
	}
}

// The hand-made Windows-shaped fixtures are in the MS-IPAMM2 numbering: the client learns it from
// their Default and then reads every row as its name says.
func TestWindowsFixturesNumbering(t *testing.T) {
	t.Parallel()
	var rows []*wsman.Instance
	for _, name := range []string{"enumerate_response_epr.xml", "pull_response_epr.xml", "pull_response_epr_end.xml"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "wsman", "testdata", "windows", name))
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, mustParseItems(t, data)...)
	}
	n, err := decideNumbering(rows)
	if err != nil || n != ipam.NumberingIPAMM2 {
		t.Fatalf("%v %v", n, err)
	}
	want := map[string]ipam.Type{"Default": ipam.TypeProvider, "ProviderAddSpace01": ipam.TypeProvider,
		"Tailspin & Toys": ipam.TypeProvider, "CustomerAddSpace01": ipam.TypeCustomer}
	for _, in := range rows {
		a, err := FromInstance(in, n)
		if err != nil {
			t.Fatal(err)
		}
		if a.Type != want[a.Name] {
			t.Errorf("%s read as %s", a.Name, a.Type)
		}
		delete(want, a.Name)
		// In the WMI numbering the customer's Type 2 names no type (the providers would read as
		// customers, which is why the client learns the numbering from Default first).
		if _, err := FromInstance(in, ipam.NumberingWMI); a.Type == ipam.TypeCustomer && err == nil {
			t.Errorf("%s read without error in the WMI numbering", a.Name)
		}
	}
	if len(want) > 0 {
		t.Errorf("not found: %v", want)
	}
}

// Only customer spaces carry AssociatedProviderAddressSpace: a row that reads as a provider with
// one shows that the numbering is not what the client took it for.
func TestFromInstanceCrossChecksType(t *testing.T) {
	t.Parallel()
	_, err := FromInstance(space("CA", "0", "PA"), ipam.NumberingWMI)
	if err == nil || !strings.Contains(err.Error(), "unexpected Type numbering") || !strings.Contains(err.Error(), `"PA"`) {
		t.Fatalf("%v", err)
	}
	for n, typ := range map[ipam.TypeNumbering]string{ipam.NumberingWMI: "2", ipam.NumberingIPAMM2: "0"} {
		if _, err := FromInstance(space("X", typ, ""), n); err == nil || !strings.Contains(err.Error(), "Type") {
			t.Errorf("%s Type %s: %v", n, typ, err)
		}
	}
	if a, err := FromInstance(space("X", "", ""), ipam.NumberingIPAMM2); err != nil || a.Type != ipam.TypeProvider {
		t.Errorf("absent Type: %+v %v", a, err)
	}
}
