package provider

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/winipam/terraform-provider-ipam/internal/ipam"
)

func str(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }

func obj(attrs map[string]tftypes.Value) tftypes.Value { return objectValue(attrs) }

// spacesOf is address_spaces as Terraform sends it: a dynamic value, as msgpack.
func spacesOf(t *testing.T, v tftypes.Value) *spacesValue {
	t.Helper()
	raw, err := encodeAttr(tftypes.DynamicPseudoType, v)
	if err != nil {
		t.Fatal(err)
	}
	return &spacesValue{wire: raw}
}

func parse(t *testing.T, v tftypes.Value) (map[string]*bulkItem, []itemProblem) {
	t.Helper()
	items, _, problems, err := parseItems(spacesOf(t, v))
	if err != nil {
		t.Fatal(err)
	}
	return items, problems
}

func decodeSpaces(t *testing.T, raw []byte) tftypes.Value {
	t.Helper()
	v, err := (&spacesValue{wire: raw}).decode()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func rawOf(t *testing.T, it *bulkItem) tftypes.Value {
	t.Helper()
	v, err := it.rawValue()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func serverItem(t *testing.T, key string, a *ipam.AddressSpace, prior *bulkItem) *bulkItem {
	t.Helper()
	it, err := itemOfServer(key, a, prior)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

// The problems parseItems finds in a configuration, as literal expectations.
func TestParseItemsProblems(t *testing.T) {
	cases := []struct {
		name  string
		value tftypes.Value
		want  []string // "key.attr: summary" per problem
	}{
		{"good provider and customer", obj(map[string]tftypes.Value{
			"DC": obj(map[string]tftypes.Value{"type": str("Provider"), "owner": str("netops")}),
			"T1": obj(map[string]tftypes.Value{"type": str("Customer"), "provider_address_space": str("DC"), "isolation_method": str("nvgre")}),
		}), nil},
		{"not a map", str("DC"), []string{".: Invalid address_spaces"}},
		{"item not an object", obj(map[string]tftypes.Value{"DC": str("Provider")}), []string{"DC.: Invalid address space"}},
		{"missing type", obj(map[string]tftypes.Value{"DC": obj(map[string]tftypes.Value{"owner": str("x")})}), []string{"DC.: Missing type"}},
		{"bad type", obj(map[string]tftypes.Value{"DC": obj(map[string]tftypes.Value{"type": str("Physical")})}), []string{"DC.type: Invalid address space type"}},
		{"misspelt attribute", obj(map[string]tftypes.Value{"DC": obj(map[string]tftypes.Value{"type": str("Provider"), "ownr": str("x")})}),
			[]string{"DC.ownr: Unknown attribute"}},
		{"number for a string", obj(map[string]tftypes.Value{"DC": obj(map[string]tftypes.Value{"type": str("Provider"),
			"owner": tftypes.NewValue(tftypes.Number, 5)})}), []string{"DC.owner: Invalid attribute value"}},
		{"customer without provider space or isolation", obj(map[string]tftypes.Value{"T1": obj(map[string]tftypes.Value{"type": str("Customer")})}),
			[]string{"T1.provider_address_space: Missing provider address space", "T1.isolation_method: Missing isolation method"}},
		{"customer-only field on a provider", obj(map[string]tftypes.Value{"DC": obj(map[string]tftypes.Value{"type": str("Provider"), "tenant": str("t")})}),
			[]string{"DC.tenant: Attribute only for customer address spaces"}},
		{"empty customer-only field on a provider is fine", obj(map[string]tftypes.Value{"DC": obj(map[string]tftypes.Value{"type": str("Provider"), "tenant": str("")})}), nil},
		{"bad isolation method", obj(map[string]tftypes.Value{"T1": obj(map[string]tftypes.Value{"type": str("Customer"),
			"provider_address_space": str("DC"), "isolation_method": str("VLAN")})}), []string{"T1.isolation_method: Invalid attribute value"}},
		{"too long an owner", obj(map[string]tftypes.Value{"DC": obj(map[string]tftypes.Value{"type": str("Provider"),
			"owner": str(strings.Repeat("o", ipam.MaxOwnerLength+1))})}), []string{"DC.owner: Invalid attribute value"}},
		{"too long an owner in UTF-16 code units", obj(map[string]tftypes.Value{"DC": obj(map[string]tftypes.Value{"type": str("Provider"),
			"owner": str(strings.Repeat("😀", ipam.MaxOwnerLength/2+1))})}), []string{"DC.owner: Invalid attribute value"}},
		{"an owner at the limit in UTF-16 code units", obj(map[string]tftypes.Value{"DC": obj(map[string]tftypes.Value{"type": str("Provider"),
			"owner": str(strings.Repeat("😀", ipam.MaxOwnerLength/2))})}), nil},
		{"custom configuration with a separator", obj(map[string]tftypes.Value{"DC": obj(map[string]tftypes.Value{"type": str("Provider"),
			"custom_configuration": obj(map[string]tftypes.Value{"Region": str("a;b")})})}), []string{"DC.custom_configuration: Invalid attribute value"}},
		{"names equal ignoring case", obj(map[string]tftypes.Value{
			"DC": obj(map[string]tftypes.Value{"type": str("Provider")}), "dc": obj(map[string]tftypes.Value{"type": str("Provider")}),
		}), []string{"dc.: Duplicate address space name"}},
		{"blank name", obj(map[string]tftypes.Value{" ": obj(map[string]tftypes.Value{"type": str("Provider")})}), []string{" .: Invalid address space name"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, problems := parse(t, tc.value)
			var got []string
			for _, p := range problems {
				got = append(got, p.key+"."+p.attr+": "+p.summary)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("problems %q, want %q", got, tc.want)
			}
		})
	}
}

func TestDidYouMean(t *testing.T) {
	for in, want := range map[string]string{"ownr": `owner`, "Tenant": `tenant`, "isolation": ``, "vmnetwork": `vm_network`} {
		got := didYouMean(in)
		if (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("didYouMean(%q) = %q, want a suggestion of %q", in, got, want)
		}
	}
}

// An item read from the server keeps the configuration's value when IPAM sees no difference, and
// otherwise writes what the server holds, in the shape the configuration used.
func TestItemOfServer(t *testing.T) {
	configured := obj(map[string]tftypes.Value{"type": str("Customer"), "provider_address_space": str("dc"), "isolation_method": str("nvgre"),
		"custom_configuration": obj(map[string]tftypes.Value{"Region": str("west")})})
	items, problems := parse(t, obj(map[string]tftypes.Value{"T1": configured}))
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	prior := items["T1"]
	server := ipam.AddressSpace{Name: "T1", Type: ipam.TypeCustomer, AssociatedProviderAddressSpace: "DC", IsolationMethod: "NVGRE",
		CustomConfiguration: ipam.CustomConfiguration{"Region": "west"}, InstanceID: "{T1}"}

	if got := serverItem(t, "T1", &server, prior); got != prior {
		t.Errorf("no change as IPAM sees it: got a new item %v", got.raw)
	}

	drifted := server
	drifted.Owner = "changed by hand"
	got := serverItem(t, "T1", &drifted, prior)
	attrs, _ := members(rawOf(t, got))
	var owner string
	_ = attrs["owner"].As(&owner)
	if owner != "changed by hand" || !attrs["provider_address_space"].Equal(str("dc")) || !attrs["isolation_method"].Equal(str("nvgre")) {
		t.Errorf("drift: %v; want the server's owner and the configured spellings of the rest", got.raw)
	}
	if _, ok := attrs["tenant"]; ok {
		t.Errorf("drift: an empty field the configuration left out was added: %v", got.raw)
	}

	imported := serverItem(t, "T1", &drifted, nil)
	if a, _ := members(imported.raw); len(a) != 5 { // type, owner, custom_configuration, provider_address_space, isolation_method
		t.Errorf("import writes the fields the server holds a value for; got %v", imported.raw)
	}
}

// spacesLike returns the plan itself when the items are its own, and keeps a map a map.
func TestSpacesLike(t *testing.T) {
	item := func(owner string) tftypes.Value {
		return tftypes.NewValue(tftypes.Object{AttributeTypes: map[string]tftypes.Type{"type": tftypes.String, "owner": tftypes.String}},
			map[string]tftypes.Value{"type": str("Provider"), "owner": str(owner)})
	}
	elem := item("").Type()
	plan := tftypes.NewValue(tftypes.Map{ElementType: elem}, map[string]tftypes.Value{"A": item("a"), "B": item("b")})
	sv := spacesOf(t, plan)
	items, _, _, err := parseItems(sv)
	if err != nil {
		t.Fatal(err)
	}
	like := func(items map[string]*bulkItem) []byte {
		t.Helper()
		raw, err := spacesLike(sv, items)
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	if got := like(map[string]*bulkItem{"A": items["A"], "B": items["B"]}); !bytes.Equal(got, sv.wire) || sv.decoded {
		t.Errorf("the plan's own items are not its own bytes, or were decoded: %x", got)
	}
	got := decodeSpaces(t, like(map[string]*bulkItem{"A": items["A"]}))
	want := tftypes.NewValue(tftypes.Map{ElementType: elem}, map[string]tftypes.Value{"A": item("a")})
	if !got.Equal(want) {
		t.Errorf("a subset of a map: %v, want %v", got, want)
	}
	other := serverItem(t, "B", &ipam.AddressSpace{Name: "B", Type: ipam.TypeProvider, Description: "x"}, nil)
	got = decodeSpaces(t, like(map[string]*bulkItem{"A": items["A"], "B": other}))
	if !got.Type().Is(tftypes.Object{}) {
		t.Errorf("items of different types make an object: %v", got.Type())
	}
}
