package provider

import (
	"fmt"
	"regexp"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/winipam/terraform-provider-ipam/internal/acctest"
	"github.com/winipam/terraform-provider-ipam/internal/emulator"
)

// dataSourceSpaces creates two provider spaces and three customer spaces, for the data sources to
// find: DC-West holds Tenant-A (tenant t1) and Tenant-B (t2); DC-East holds Tenant-C (t1).
func dataSourceSpaces(emu *acctest.Emulator) string {
	return emu.Config("shared/data_source_spaces.tf")
}

// westAttributes and tenantAAttributes are every attribute the data sources read of DC-West and
// of Tenant-A.
var (
	westAttributes = map[string]knownvalue.Check{
		"name": knownvalue.StringExact("DC-West"), "type": knownvalue.StringExact("Provider"),
		"owner": knownvalue.StringExact("netops"), "description": knownvalue.StringExact("west data centre"),
		"custom_configuration":   acctest.StringMap(map[string]string{"Region": "EU", "CostCenter": "42"}),
		"provider_address_space": knownvalue.StringExact(""), "isolation_method": knownvalue.StringExact(""),
		"tenant": knownvalue.StringExact(""), "vm_network": knownvalue.StringExact(""),
		"ipv4_utilization_percent": knownvalue.Float64Exact(0), "ipv6_utilization_percent": knownvalue.Float64Exact(0),
		"ipv4_utilization_status": knownvalue.StringExact("None"), "ipv6_utilization_status": knownvalue.StringExact("None"),
		"access_scope_path": knownvalue.StringExact(`\Global`), "is_inherited_access_scope": knownvalue.Bool(true),
	}
	tenantAAttributes = map[string]knownvalue.Check{
		"name": knownvalue.StringExact("Tenant-A"), "type": knownvalue.StringExact("Customer"),
		"owner": knownvalue.StringExact("tenant-ops"), "description": knownvalue.StringExact("tenant A"),
		"custom_configuration":   acctest.StringMap(map[string]string{"Region": "US"}),
		"provider_address_space": knownvalue.StringExact("DC-West"), "isolation_method": knownvalue.StringExact("IPRewrite"),
		"tenant": knownvalue.StringExact("t1"), "vm_network": knownvalue.StringExact("net-a"),
		"ipv4_utilization_percent": knownvalue.Float64Exact(0), "ipv4_utilization_status": knownvalue.StringExact("None"),
		"ipv6_utilization_status": knownvalue.StringExact("None"), "access_scope_path": knownvalue.StringExact(`\Global`),
		"is_inherited_access_scope": knownvalue.Bool(true),
	}
)

func TestAccAddressSpaceDataSource_byName(t *testing.T) {
	emu := acctest.StartEmulator(t, emulator.Config{})
	const pa, ca, def = "data.ipam_address_space.pa", "data.ipam_address_space.ca", "data.ipam_address_space.default"
	id := atPath("id")
	checks := []statecheck.StateCheck{
		statecheck.CompareValuePairs(pa, id, "ipam_provider_address_space.west", id, compare.ValuesSame()),
		statecheck.CompareValuePairs(ca, id, "ipam_customer_address_space.a", id, compare.ValuesSame()),
		statecheck.CompareValuePairs(ca, atPath("provider_address_space"), pa, atPath("name"), compare.ValuesSame()),
		statecheck.ExpectKnownValue(def, id, acctest.NotEmpty()),
	}
	checks = append(checks, acctest.ExpectAttributes(pa, westAttributes)...)
	checks = append(checks, acctest.ExpectAttributes(ca, tenantAAttributes)...)
	checks = append(checks, acctest.ExpectAttributes(def, map[string]knownvalue.Check{
		"name": knownvalue.StringExact("Default"), "type": knownvalue.StringExact("Provider"),
		"description": knownvalue.StringExact("Default provider address space"), "custom_configuration": knownvalue.MapSizeExact(0),
	})...)
	// The lookups use a different case from the stored names, and depend on the resources so that
	// they are read after the address spaces exist.
	accTest(t, []resource.TestStep{{Config: dataSourceSpaces(emu) + acctest.HCL(t, "data.tf"), ConfigStateChecks: checks}})
}

func TestAccAddressSpaceDataSource_notFound(t *testing.T) {
	emu := acctest.StartEmulator(t, emulator.Config{})
	accTest(t, []resource.TestStep{
		{
			Config: emu.ProviderBlock() + `
data "ipam_address_space" "missing" {
  name = "No-Such-Space"
}
`,
			ExpectError: regexp.MustCompile(`No address space named "No-Such-Space"`),
		},
	})
}

// found checks what an ipam_address_spaces data source found: n address spaces, names in the same
// order, among them (at least) the names given.
func found(name string, n int, among ...string) []statecheck.StateCheck {
	addr := "data.ipam_address_spaces." + name
	checks := []statecheck.StateCheck{
		statecheck.ExpectKnownValue(addr, atPath("address_spaces"), knownvalue.ListSizeExact(n)),
		statecheck.ExpectKnownValue(addr, atPath("names"), knownvalue.ListSizeExact(n)),
		namesFollowAddressSpaces(addr),
	}
	if len(among) > 0 {
		names := make([]knownvalue.Check, len(among))
		for i, n := range among {
			names[i] = knownvalue.StringExact(n)
		}
		checks = append(checks, statecheck.ExpectKnownValue(addr, atPath("names"), knownvalue.SetPartial(names)))
	}
	return checks
}

func TestAccAddressSpacesDataSource_filters(t *testing.T) {
	emu := acctest.StartEmulator(t, emulator.Config{})
	const all = "data.ipam_address_spaces.all"
	first := func(attr string) tfjsonpath.Path {
		return atPath("address_spaces").AtSliceIndex(0).AtMapKey(attr)
	}
	checks := []statecheck.StateCheck{
		// Unfiltered: everything, the built-in Default first (IPAM creates it at provisioning).
		statecheck.ExpectKnownValue(all, atPath("names").AtSliceIndex(0), knownvalue.StringExact("Default")),
		statecheck.ExpectKnownValue(all, atPath("address_spaces").AtSliceIndex(0), knownvalue.ObjectPartial(map[string]knownvalue.Check{
			"name": knownvalue.StringExact("Default"), "type": knownvalue.StringExact("Provider"),
			"description": knownvalue.StringExact("Default provider address space"),
		})),
		// Elements carry every attribute of ipam_address_space.
		statecheck.ExpectKnownValue(all, atPath("address_spaces"), knownvalue.SetPartial([]knownvalue.Check{
			knownvalue.ObjectPartial(westAttributes), knownvalue.ObjectPartial(tenantAAttributes),
		})),
		// Filters combined (AND).
		statecheck.ExpectKnownValue("data.ipam_address_spaces.west_t1", atPath("names").AtSliceIndex(0), knownvalue.StringExact("Tenant-A")),
		statecheck.CompareValuePairs("data.ipam_address_spaces.west_t1", first("id"), "ipam_customer_address_space.a", atPath("id"), compare.ValuesSame()),
		statecheck.ExpectKnownValue("data.ipam_address_spaces.west_t1", first("custom_configuration"), acctest.StringMap(map[string]string{"Region": "US"})),
		statecheck.ExpectKnownValue("data.ipam_address_spaces.every_filter", atPath("names").AtSliceIndex(0), knownvalue.StringExact("Tenant-C")),
		statecheck.ExpectKnownValue("data.ipam_address_spaces.every_filter", first("provider_address_space"), knownvalue.StringExact("DC-East")),
		statecheck.ExpectKnownValue("data.ipam_address_spaces.like_none", atPath("names"), knownvalue.ListExact([]knownvalue.Check{})),
	}
	for _, f := range [][]statecheck.StateCheck{
		found("all", 6, "DC-West", "DC-East", "Tenant-A", "Tenant-B", "Tenant-C"),
		// Each filter alone.
		found("providers", 3, "Default"),
		found("customers", 3),
		found("on_west", 2, "Tenant-A", "Tenant-B"),
		found("tenant_t1", 2, "Tenant-A", "Tenant-C"),
		found("like_any_run", 2),
		found("like_one_char", 3),
		found("like_set", 2, "Tenant-A", "Tenant-C"),
		found("like_none", 0),
		// Filters combined.
		found("west_t1", 1),
		found("customer_like", 2, "Tenant-B", "Tenant-C"),
		found("provider_on_west", 0),
		found("every_filter", 1),
	} {
		checks = append(checks, f...)
	}
	accTest(t, []resource.TestStep{
		{
			// The address spaces exist before the data sources are read.
			Config: dataSourceSpaces(emu),
		},
		{
			Config:            dataSourceSpaces(emu) + acctest.HCL(t, "data.tf"),
			ConfigStateChecks: checks,
		},
	})
}

func TestAccAddressSpacesDataSource_validation(t *testing.T) {
	emu := acctest.StartEmulator(t, emulator.Config{})
	bad := func(attr string) string {
		return emu.ProviderBlock() + "\ndata \"ipam_address_spaces\" \"bad\" {\n  " + attr + "\n}\n"
	}
	accTest(t, []resource.TestStep{
		acctest.PlanFails(bad(`type = "Physical"`), regexp.MustCompile(`(?s)Invalid Attribute Value Match.*type value must be one of`)),
		acctest.PlanFails(bad(`name_pattern = "Tenant-[AB"`), regexp.MustCompile(`Invalid name pattern`)),
		// WQL has no escape inside LIKE ([MS-WMI] 2.2.1), so no literal can hold both quotes.
		acctest.PlanFails(bad(`name_pattern = "O'Brien \"%"`), regexp.MustCompile(`(?s)Invalid name pattern.*both ' and "`)),
	})
}

// A pattern is sent as WMI reads LIKE: a quote inside it and a backslash are ordinary characters
// ([MS-WMI] 2.2.1), so names holding them are found, and only they.
func TestAccAddressSpacesDataSource_likeQuoting(t *testing.T) {
	emu := acctest.StartEmulator(t, emulator.Config{})
	spaces := emu.Config("spaces.tf")
	onlyName := func(name string) knownvalue.Check {
		return knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(name)})
	}
	accTest(t, []resource.TestStep{
		{
			Config: spaces,
		},
		{
			Config: spaces + acctest.HCL(t, "data.tf"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.ipam_address_spaces.quote", atPath("names"), onlyName("O'Brien-West")),
				statecheck.ExpectKnownValue("data.ipam_address_spaces.backslash", atPath("names"), onlyName(`lab\one`)),
				statecheck.ExpectKnownValue("data.ipam_address_spaces.double_quote", atPath("names"), onlyName(`the "west" lab`)),
			},
		},
	})
}

// namesFollowAddressSpaces checks that names lists the names of address_spaces in the same order.
func namesFollowAddressSpaces(addr string) statecheck.StateCheck {
	return acctest.StateCheckFunc(func(s *tfjson.State) error {
		r := resourceIn(s, addr)
		if r == nil {
			return fmt.Errorf("%s not in state", addr)
		}
		names, _ := r.AttributeValues["names"].([]any)
		spaces, _ := r.AttributeValues["address_spaces"].([]any)
		if len(names) != len(spaces) {
			return fmt.Errorf("%s: %d names, %d address_spaces", addr, len(names), len(spaces))
		}
		for i := range names {
			sp, _ := spaces[i].(map[string]any)
			if names[i] != sp["name"] {
				return fmt.Errorf("%s: names.%d is %q but address_spaces.%d.name is %q", addr, i, names[i], i, sp["name"])
			}
		}
		return nil
	})
}

// resourceIn finds a resource or data source in the state's root module by address.
func resourceIn(s *tfjson.State, addr string) *tfjson.StateResource {
	if s == nil || s.Values == nil || s.Values.RootModule == nil {
		return nil
	}
	for _, r := range s.Values.RootModule.Resources {
		if r.Address == addr {
			return r
		}
	}
	return nil
}
