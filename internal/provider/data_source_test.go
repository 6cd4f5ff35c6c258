package provider

import (
	"fmt"
	"regexp"
	"strconv"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/winipam/terraform-provider-ipam/internal/emulator"
)

// dataSourceSpaces creates two provider spaces and three customer spaces, for the data sources to
// find: DC-West holds Tenant-A (tenant t1) and Tenant-B (t2); DC-East holds Tenant-C (t1).
const dataSourceSpaces = `
resource "ipam_provider_address_space" "west" {
  name                 = "DC-West"
  owner                = "netops"
  description          = "west data centre"
  custom_configuration = { Region = "EU", CostCenter = "42" }
}
resource "ipam_provider_address_space" "east" {
  name = "DC-East"
}
resource "ipam_customer_address_space" "a" {
  name                   = "Tenant-A"
  provider_address_space = ipam_provider_address_space.west.name
  isolation_method       = "IPRewrite"
  tenant                 = "t1"
  vm_network             = "net-a"
  owner                  = "tenant-ops"
  description            = "tenant A"
  custom_configuration   = { Region = "US" }
}
resource "ipam_customer_address_space" "b" {
  name                   = "Tenant-B"
  provider_address_space = ipam_provider_address_space.west.name
  isolation_method       = "NVGRE"
  tenant                 = "t2"
}
resource "ipam_customer_address_space" "c" {
  name                   = "Tenant-C"
  provider_address_space = ipam_provider_address_space.east.name
  isolation_method       = "NVGRE"
  tenant                 = "t1"
}
`

func TestAccAddressSpaceDataSource_byName(t *testing.T) {
	emu := startEmulator(t, emulator.Config{})
	const pa, ca, def = "data.ipam_address_space.pa", "data.ipam_address_space.ca", "data.ipam_address_space.default"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// The lookups use a different case from the stored names, and depend on the
				// resources so that they are read after the address spaces exist.
				Config: providerBlock(emu) + dataSourceSpaces + `
data "ipam_address_space" "pa" {
  name = lower(ipam_provider_address_space.west.name)
}
data "ipam_address_space" "ca" {
  name = upper(ipam_customer_address_space.a.name)
}
data "ipam_address_space" "default" {
  name = "DEFAULT"
}
`,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttrPair(pa, "id", "ipam_provider_address_space.west", "id"),
					resource.TestCheckResourceAttr(pa, "name", "DC-West"),
					resource.TestCheckResourceAttr(pa, "type", "Provider"),
					resource.TestCheckResourceAttr(pa, "owner", "netops"),
					resource.TestCheckResourceAttr(pa, "description", "west data centre"),
					resource.TestCheckResourceAttr(pa, "custom_configuration.%", "2"),
					resource.TestCheckResourceAttr(pa, "custom_configuration.Region", "EU"),
					resource.TestCheckResourceAttr(pa, "custom_configuration.CostCenter", "42"),
					resource.TestCheckResourceAttr(pa, "provider_address_space", ""),
					resource.TestCheckResourceAttr(pa, "isolation_method", ""),
					resource.TestCheckResourceAttr(pa, "tenant", ""),
					resource.TestCheckResourceAttr(pa, "vm_network", ""),
					resource.TestCheckResourceAttr(pa, "ipv4_utilization_percent", "0"),
					resource.TestCheckResourceAttr(pa, "ipv6_utilization_percent", "0"),
					resource.TestCheckResourceAttr(pa, "ipv4_utilization_status", "None"),
					resource.TestCheckResourceAttr(pa, "ipv6_utilization_status", "None"),
					resource.TestCheckResourceAttr(pa, "access_scope_path", `\Global`),
					resource.TestCheckResourceAttr(pa, "is_inherited_access_scope", "true"),

					resource.TestCheckResourceAttrPair(ca, "id", "ipam_customer_address_space.a", "id"),
					resource.TestCheckResourceAttr(ca, "name", "Tenant-A"),
					resource.TestCheckResourceAttr(ca, "type", "Customer"),
					resource.TestCheckResourceAttr(ca, "owner", "tenant-ops"),
					resource.TestCheckResourceAttr(ca, "description", "tenant A"),
					resource.TestCheckResourceAttr(ca, "custom_configuration.%", "1"),
					resource.TestCheckResourceAttr(ca, "custom_configuration.Region", "US"),
					resource.TestCheckResourceAttr(ca, "provider_address_space", "DC-West"),
					resource.TestCheckResourceAttr(ca, "isolation_method", "IPRewrite"),
					resource.TestCheckResourceAttr(ca, "tenant", "t1"),
					resource.TestCheckResourceAttr(ca, "vm_network", "net-a"),
					resource.TestCheckResourceAttr(ca, "ipv4_utilization_status", "None"),
					resource.TestCheckResourceAttr(ca, "ipv6_utilization_status", "None"),
					resource.TestCheckResourceAttr(ca, "access_scope_path", `\Global`),

					resource.TestCheckResourceAttrSet(def, "id"),
					resource.TestCheckResourceAttr(def, "name", "Default"),
					resource.TestCheckResourceAttr(def, "type", "Provider"),
					resource.TestCheckResourceAttr(def, "description", "Default provider address space"),
					resource.TestCheckResourceAttr(def, "custom_configuration.%", "0"),
				),
				// The same values through statecheck, with their Terraform types.
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(pa, tfjsonpath.New("custom_configuration"), knownvalue.MapExact(map[string]knownvalue.Check{
						"Region": knownvalue.StringExact("EU"), "CostCenter": knownvalue.StringExact("42"),
					})),
					statecheck.ExpectKnownValue(pa, tfjsonpath.New("ipv4_utilization_percent"), knownvalue.Float64Exact(0)),
					statecheck.ExpectKnownValue(pa, tfjsonpath.New("ipv6_utilization_percent"), knownvalue.Float64Exact(0)),
					statecheck.ExpectKnownValue(pa, tfjsonpath.New("is_inherited_access_scope"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(ca, tfjsonpath.New("vm_network"), knownvalue.StringExact("net-a")),
					statecheck.ExpectKnownValue(ca, tfjsonpath.New("ipv4_utilization_percent"), knownvalue.Float64Exact(0)),
					statecheck.ExpectKnownValue(ca, tfjsonpath.New("is_inherited_access_scope"), knownvalue.Bool(true)),
					statecheck.CompareValuePairs(ca, tfjsonpath.New("provider_address_space"), pa, tfjsonpath.New("name"), compare.ValuesSame()),
				},
			},
		},
	})
}

func TestAccAddressSpaceDataSource_notFound(t *testing.T) {
	emu := startEmulator(t, emulator.Config{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: providerBlock(emu) + `
data "ipam_address_space" "missing" {
  name = "No-Such-Space"
}
`,
				ExpectError: regexp.MustCompile(`No address space named "No-Such-Space"`),
			},
		},
	})
}

func TestAccAddressSpacesDataSource_filters(t *testing.T) {
	emu := startEmulator(t, emulator.Config{})
	const all = "data.ipam_address_spaces.all"
	count := func(name string, n int) resource.TestCheckFunc {
		return resource.ComposeAggregateTestCheckFunc(
			resource.TestCheckResourceAttr("data.ipam_address_spaces."+name, "address_spaces.#", strconv.Itoa(n)),
			resource.TestCheckResourceAttr("data.ipam_address_spaces."+name, "names.#", strconv.Itoa(n)),
			namesFollowAddressSpaces("data.ipam_address_spaces."+name),
		)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// The address spaces exist before the data sources are read.
				Config: providerBlock(emu) + dataSourceSpaces,
			},
			{
				Config: providerBlock(emu) + dataSourceSpaces + `
data "ipam_address_spaces" "all" {}

data "ipam_address_spaces" "providers" {
  type = "Provider"
}
data "ipam_address_spaces" "customers" {
  type = "customer"
}
data "ipam_address_spaces" "on_west" {
  provider_address_space = "dc-west"
}
data "ipam_address_spaces" "tenant_t1" {
  tenant = "T1"
}
data "ipam_address_spaces" "like_any_run" {
  name_pattern = "DC-%"
}
data "ipam_address_spaces" "like_one_char" {
  name_pattern = "tenant-_"
}
data "ipam_address_spaces" "like_set" {
  name_pattern = "Tenant-[AC]"
}
data "ipam_address_spaces" "like_none" {
  name_pattern = "zzz%"
}

data "ipam_address_spaces" "west_t1" {
  provider_address_space = "DC-West"
  tenant                 = "t1"
}
data "ipam_address_spaces" "customer_like" {
  type         = "Customer"
  name_pattern = "%-[BC]"
}
data "ipam_address_spaces" "provider_on_west" {
  type                   = "Provider"
  provider_address_space = "DC-West"
}
data "ipam_address_spaces" "every_filter" {
  type                   = "Customer"
  provider_address_space = "DC-East"
  tenant                 = "t1"
  name_pattern           = "Tenant-%"
}
`,
				Check: resource.ComposeAggregateTestCheckFunc(
					// Unfiltered: everything, the built-in Default first (IPAM creates it at provisioning).
					count("all", 6),
					resource.TestCheckResourceAttr(all, "names.0", "Default"),
					resource.TestCheckResourceAttr(all, "address_spaces.0.name", "Default"),
					resource.TestCheckResourceAttr(all, "address_spaces.0.type", "Provider"),
					resource.TestCheckResourceAttr(all, "address_spaces.0.description", "Default provider address space"),
					resource.TestCheckTypeSetElemAttr(all, "names.*", "DC-West"),
					resource.TestCheckTypeSetElemAttr(all, "names.*", "DC-East"),
					resource.TestCheckTypeSetElemAttr(all, "names.*", "Tenant-A"),
					resource.TestCheckTypeSetElemAttr(all, "names.*", "Tenant-B"),
					resource.TestCheckTypeSetElemAttr(all, "names.*", "Tenant-C"),
					// Elements carry every attribute of ipam_address_space.
					resource.TestCheckTypeSetElemNestedAttrs(all, "address_spaces.*", map[string]string{
						"name": "DC-West", "type": "Provider", "owner": "netops", "description": "west data centre",
						"custom_configuration.%": "2", "custom_configuration.Region": "EU", "custom_configuration.CostCenter": "42",
						"provider_address_space": "", "isolation_method": "", "tenant": "", "vm_network": "",
						"ipv4_utilization_percent": "0", "ipv6_utilization_percent": "0",
						"ipv4_utilization_status": "None", "ipv6_utilization_status": "None",
						"access_scope_path": `\Global`, "is_inherited_access_scope": "true",
					}),
					resource.TestCheckTypeSetElemNestedAttrs(all, "address_spaces.*", map[string]string{
						"name": "Tenant-A", "type": "Customer", "owner": "tenant-ops", "description": "tenant A",
						"custom_configuration.%": "1", "custom_configuration.Region": "US",
						"provider_address_space": "DC-West", "isolation_method": "IPRewrite", "tenant": "t1", "vm_network": "net-a",
						"ipv4_utilization_status": "None", "access_scope_path": `\Global`, "is_inherited_access_scope": "true",
					}),

					// Each filter alone.
					count("providers", 3),
					resource.TestCheckTypeSetElemAttr("data.ipam_address_spaces.providers", "names.*", "Default"),
					count("customers", 3),
					count("on_west", 2),
					resource.TestCheckTypeSetElemAttr("data.ipam_address_spaces.on_west", "names.*", "Tenant-A"),
					resource.TestCheckTypeSetElemAttr("data.ipam_address_spaces.on_west", "names.*", "Tenant-B"),
					count("tenant_t1", 2),
					resource.TestCheckTypeSetElemAttr("data.ipam_address_spaces.tenant_t1", "names.*", "Tenant-A"),
					resource.TestCheckTypeSetElemAttr("data.ipam_address_spaces.tenant_t1", "names.*", "Tenant-C"),
					count("like_any_run", 2),
					count("like_one_char", 3),
					count("like_set", 2),
					resource.TestCheckTypeSetElemAttr("data.ipam_address_spaces.like_set", "names.*", "Tenant-A"),
					resource.TestCheckTypeSetElemAttr("data.ipam_address_spaces.like_set", "names.*", "Tenant-C"),
					count("like_none", 0),

					// Filters combined (AND).
					count("west_t1", 1),
					resource.TestCheckResourceAttr("data.ipam_address_spaces.west_t1", "names.0", "Tenant-A"),
					resource.TestCheckResourceAttrPair("data.ipam_address_spaces.west_t1", "address_spaces.0.id", "ipam_customer_address_space.a", "id"),
					count("customer_like", 2),
					resource.TestCheckTypeSetElemAttr("data.ipam_address_spaces.customer_like", "names.*", "Tenant-B"),
					resource.TestCheckTypeSetElemAttr("data.ipam_address_spaces.customer_like", "names.*", "Tenant-C"),
					count("provider_on_west", 0),
					count("every_filter", 1),
					resource.TestCheckResourceAttr("data.ipam_address_spaces.every_filter", "names.0", "Tenant-C"),
					resource.TestCheckResourceAttr("data.ipam_address_spaces.every_filter", "address_spaces.0.provider_address_space", "DC-East"),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.ipam_address_spaces.like_none", tfjsonpath.New("names"), knownvalue.ListExact([]knownvalue.Check{})),
					statecheck.ExpectKnownValue("data.ipam_address_spaces.west_t1", tfjsonpath.New("address_spaces").AtSliceIndex(0).AtMapKey("custom_configuration"),
						knownvalue.MapExact(map[string]knownvalue.Check{"Region": knownvalue.StringExact("US")})),
				},
			},
		},
	})
}

func TestAccAddressSpacesDataSource_validation(t *testing.T) {
	emu := startEmulator(t, emulator.Config{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: providerBlock(emu) + `
data "ipam_address_spaces" "bad" {
  type = "Physical"
}
`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid Attribute Value Match.*type value must be one of`),
			},
			{
				Config: providerBlock(emu) + `
data "ipam_address_spaces" "bad" {
  name_pattern = "Tenant-[AB"
}
`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Invalid name pattern`),
			},
			{
				// WQL has no escape inside LIKE ([MS-WMI] 2.2.1), so no literal can hold both quotes.
				Config: providerBlock(emu) + `
data "ipam_address_spaces" "bad" {
  name_pattern = "O'Brien \"%"
}
`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Invalid name pattern.*both ' and "`),
			},
		},
	})
}

// A pattern is sent as WMI reads LIKE: a quote inside it and a backslash are ordinary characters
// ([MS-WMI] 2.2.1), so names holding them are found, and only they.
func TestAccAddressSpacesDataSource_likeQuoting(t *testing.T) {
	emu := startEmulator(t, emulator.Config{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: providerBlock(emu) + likeQuotingSpaces,
			},
			{
				Config: providerBlock(emu) + likeQuotingSpaces + `
data "ipam_address_spaces" "quote" {
  name_pattern = "O'Brien%"
}
data "ipam_address_spaces" "backslash" {
  name_pattern = "lab\\%"
}
data "ipam_address_spaces" "double_quote" {
  name_pattern = "%\"west\"%"
}
`,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("data.ipam_address_spaces.quote", "names.#", "1"),
					resource.TestCheckResourceAttr("data.ipam_address_spaces.quote", "names.0", "O'Brien-West"),
					resource.TestCheckResourceAttr("data.ipam_address_spaces.backslash", "names.#", "1"),
					resource.TestCheckResourceAttr("data.ipam_address_spaces.backslash", "names.0", `lab\one`),
					resource.TestCheckResourceAttr("data.ipam_address_spaces.double_quote", "names.#", "1"),
					resource.TestCheckResourceAttr("data.ipam_address_spaces.double_quote", "names.0", `the "west" lab`),
				),
			},
		},
	})
}

const likeQuotingSpaces = `
resource "ipam_provider_address_space" "quote" {
  name = "O'Brien-West"
}
resource "ipam_provider_address_space" "backslash" {
  name = "lab\\one"
}
resource "ipam_provider_address_space" "plain" {
  name = "labone"
}
resource "ipam_provider_address_space" "double_quote" {
  name = "the \"west\" lab"
}
`

// namesFollowAddressSpaces checks that names lists the names of address_spaces in the same order.
func namesFollowAddressSpaces(name string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[name]
		if !ok {
			return fmt.Errorf("%s not in state", name)
		}
		attrs := rs.Primary.Attributes
		n, err := strconv.Atoi(attrs["names.#"])
		if err != nil {
			return fmt.Errorf("%s: names.# = %q", name, attrs["names.#"])
		}
		for i := 0; i < n; i++ {
			if got, want := attrs[fmt.Sprintf("names.%d", i)], attrs[fmt.Sprintf("address_spaces.%d.name", i)]; got != want {
				return fmt.Errorf("%s: names.%d is %q but address_spaces.%d.name is %q", name, i, got, i, want)
			}
		}
		return nil
	}
}
