package provider

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/winipam/terraform-provider-ipam/internal/acctest"
	"github.com/winipam/terraform-provider-ipam/internal/emulator"
	"github.com/winipam/terraform-provider-ipam/internal/ipam"
)

// handMade is an IPAM that somebody filled by hand: three provider spaces and three customer
// spaces, with owners, tenants and custom fields, besides the built-in Default.
type handMade struct {
	west, east, lab         *ipam.AddressSpace
	tenantA, tenantB, other *ipam.AddressSpace
}

func fillByHand(oob *acctest.OutOfBand) handMade {
	var h handMade
	h.west = oob.AddProvider(ipam.AddressSpace{Name: "DC-West", Owner: "netops", Description: "west data centre",
		CustomConfiguration: ipam.CustomConfiguration{"Region": "EU"}})
	h.east = oob.AddProvider(ipam.AddressSpace{Name: "DC-East", Owner: "facilities"})
	h.lab = oob.AddProvider(ipam.AddressSpace{Name: "Lab"})
	h.tenantA = oob.AddCustomer(ipam.AddressSpace{Name: "Tenant-A", AssociatedProviderAddressSpace: "DC-West", IsolationMethod: "NVGRE",
		Tenant: "4001", VMNetwork: "vmnet-a", Owner: "tenant-ops", Description: "tenant A",
		CustomConfiguration: ipam.CustomConfiguration{"CostCenter": "100"}})
	h.tenantB = oob.AddCustomer(ipam.AddressSpace{Name: "Tenant-B", AssociatedProviderAddressSpace: "DC-West", IsolationMethod: "IPRewrite",
		Tenant: "4002"})
	h.other = oob.AddCustomer(ipam.AddressSpace{Name: "Other-C", AssociatedProviderAddressSpace: "DC-East", IsolationMethod: "NVGRE",
		Tenant: "4001", Owner: "NetOps"})
	return h
}

// needQuery skips a test case below Terraform 1.14, the first with list resources and terraform
// query, naming the version found.
var needQuery = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)}

// listed checks that a list block found exactly these address spaces, each under its name and
// with its InstanceID as identity.
func listed(block string, spaces ...*ipam.AddressSpace) []querycheck.QueryResultCheck {
	checks := []querycheck.QueryResultCheck{querycheck.ExpectLength(block, len(spaces))}
	for _, a := range spaces {
		checks = append(checks,
			querycheck.ExpectIdentity(block, map[string]knownvalue.Check{"id": knownvalue.StringExact(a.InstanceID)}),
			querycheck.ExpectResourceDisplayName(block, queryfilter.ByResourceIdentity(map[string]knownvalue.Check{
				"id": knownvalue.StringExact(a.InstanceID)}), knownvalue.StringExact(a.Name)))
	}
	return checks
}

// resourceHas checks the full object a list block returned for one address space.
func resourceHas(block string, a *ipam.AddressSpace, want map[string]knownvalue.Check) querycheck.QueryResultCheck {
	var checks []querycheck.KnownValueCheck
	for attr, check := range want {
		checks = append(checks, querycheck.KnownValueCheck{Path: atPath(attr), KnownValue: check})
	}
	return querycheck.ExpectResourceKnownValues(block,
		queryfilter.ByResourceIdentity(map[string]knownvalue.Check{"id": knownvalue.StringExact(a.InstanceID)}), checks)
}

// TestAccAddressSpaceList_query lists address spaces made by hand with list blocks of both types:
// everything but the built-in Default, the full objects with include_resource, and each filter
// (name pattern, owner, provider address space, tenant, and two at once), compared ignoring case.
func TestAccAddressSpaceList_query(t *testing.T) {
	emu := acctest.StartEmulator(t, emulator.Config{})
	h := fillByHand(acctest.NewOutOfBand(t, emu.URL))
	query := func(blocks string) string { return emu.ProviderBlock() + blocks }
	all := func(checks ...[]querycheck.QueryResultCheck) []querycheck.QueryResultCheck {
		var out []querycheck.QueryResultCheck
		for _, c := range checks {
			out = append(out, c...)
		}
		return out
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		TerraformVersionChecks:   needQuery,
		Steps: []resource.TestStep{
			{
				Query: true,
				Config: query(`
list "ipam_provider_address_space" "all" {
  provider         = ipam
  include_resource = true
}

list "ipam_customer_address_space" "all" {
  provider         = ipam
  include_resource = true
}
`),
				QueryResultChecks: all(
					listed("ipam_provider_address_space.all", h.west, h.east, h.lab),
					listed("ipam_customer_address_space.all", h.tenantA, h.tenantB, h.other),
					[]querycheck.QueryResultCheck{
						resourceHas("ipam_provider_address_space.all", h.west, map[string]knownvalue.Check{
							"id": knownvalue.StringExact(h.west.InstanceID), "name": knownvalue.StringExact("DC-West"),
							"owner": knownvalue.StringExact("netops"), "description": knownvalue.StringExact("west data centre"),
							"custom_configuration": acctest.StringMap(map[string]string{"Region": "EU"}),
						}),
						resourceHas("ipam_customer_address_space.all", h.tenantA, map[string]knownvalue.Check{
							"id": knownvalue.StringExact(h.tenantA.InstanceID), "name": knownvalue.StringExact("Tenant-A"),
							"provider_address_space": knownvalue.StringExact("DC-West"), "isolation_method": knownvalue.StringExact("NVGRE"),
							"tenant": knownvalue.StringExact("4001"), "vm_network": knownvalue.StringExact("vmnet-a"),
							"owner": knownvalue.StringExact("tenant-ops"), "description": knownvalue.StringExact("tenant A"),
							"custom_configuration": acctest.StringMap(map[string]string{"CostCenter": "100"}),
						}),
					},
				),
			},
			{
				Query: true,
				Config: query(`
list "ipam_provider_address_space" "dc" {
  provider = ipam
  config {
    name_pattern = "dc-%"
  }
}

list "ipam_provider_address_space" "netops" {
  provider = ipam
  config {
    owner = "NETOPS"
  }
}

list "ipam_customer_address_space" "on_west" {
  provider = ipam
  config {
    provider_address_space = "dc-west"
  }
}

list "ipam_customer_address_space" "tenant_4001" {
  provider = ipam
  config {
    tenant = "4001"
  }
}

list "ipam_customer_address_space" "netops_4001" {
  provider = ipam
  config {
    tenant = "4001"
    owner  = "netops"
  }
}

list "ipam_customer_address_space" "none" {
  provider = ipam
  config {
    name_pattern = "Tenant-[^AB]"
  }
}

list "ipam_customer_address_space" "first" {
  provider = ipam
  limit    = 1
}
`),
				QueryResultChecks: all(
					listed("ipam_provider_address_space.dc", h.west, h.east),
					listed("ipam_provider_address_space.netops", h.west),
					listed("ipam_customer_address_space.on_west", h.tenantA, h.tenantB),
					listed("ipam_customer_address_space.tenant_4001", h.tenantA, h.other),
					listed("ipam_customer_address_space.netops_4001", h.other),
					listed("ipam_customer_address_space.none"),
					[]querycheck.QueryResultCheck{querycheck.ExpectLength("ipam_customer_address_space.first", 1)},
				),
			},
			{
				Query: true,
				Config: query(`
list "ipam_provider_address_space" "bad" {
  provider = ipam
  config {
    name_pattern = "DC-[West"
  }
}
`),
				ExpectError: acctest.ErrorText(`"DC-[West" is not a valid WQL LIKE pattern`),
			},
		},
	})
}

// TestAccAddressSpaceList_generateConfigCLI is the brownfield day of docs/guides/brownfield.md,
// run as a user runs it: address spaces made by hand, a query file with list blocks for both
// types, terraform query (which prints them), terraform query -generate-config-out, an apply that
// imports them all and changes nothing, a clean plan, an identity for every imported resource in
// the state, and a rename by hand that shows as an update in place of the same resource.
func TestAccAddressSpaceList_generateConfigCLI(t *testing.T) {
	cli, emu, oob := startCLISince(t, "terraform query", 1, 14)
	h := fillByHand(oob)
	byID := map[string]*ipam.AddressSpace{}
	for _, a := range []*ipam.AddressSpace{h.west, h.east, h.lab, h.tenantA, h.tenantB, h.other} {
		byID[a.InstanceID] = a
	}

	cli.Write(emu.ProviderBlock())
	if err := os.WriteFile(filepath.Join(cli.Dir, "spaces.tfquery.hcl"), []byte(`
list "ipam_provider_address_space" "pa" {
  provider = ipam
}

list "ipam_customer_address_space" "ca" {
  provider = ipam
}
`), 0o600); err != nil {
		t.Fatal(err)
	}

	out := cli.MustSucceed("query", "-no-color")
	t.Logf("terraform query:\n%s", out)
	for _, a := range byID {
		typ := "ipam_provider_address_space.pa"
		if a.Type == ipam.TypeCustomer {
			typ = "ipam_customer_address_space.ca"
		}
		line := regexp.MustCompile(`(?m)^list\.` + regexp.QuoteMeta(typ) + `\s+id=` + regexp.QuoteMeta(a.InstanceID) + `\s+` + regexp.QuoteMeta(a.Name) + `\s*$`)
		if !line.MatchString(out) {
			t.Errorf("terraform query does not list %s %q (%s) on a line matching %s", typ, a.Name, a.InstanceID, line)
		}
	}
	if regexp.MustCompile(`(?m)\s` + ipam.DefaultProviderName + `\s*$`).MatchString(out) {
		t.Errorf("terraform query offers the built-in %s provider address space:\n%s", ipam.DefaultProviderName, out)
	}

	cli.MustSucceed("query", "-no-color", "-generate-config-out=generated.tf")
	generated, err := os.ReadFile(filepath.Join(cli.Dir, "generated.tf"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("generated.tf:\n%s", generated)
	if n := strings.Count(string(generated), "\nimport {"); n != len(byID) {
		t.Errorf("generated.tf has %d import blocks, want %d", n, len(byID))
	}
	for _, re := range []*regexp.Regexp{
		regexp.MustCompile(`identity = \{\s+id = "` + regexp.QuoteMeta(h.west.InstanceID) + `"\s+\}`),
		regexp.MustCompile(`name\s+=\s+"Tenant-A"`),
		regexp.MustCompile(`provider_address_space\s+=\s+"DC-East"`),
		regexp.MustCompile(`isolation_method\s+=\s+"IPRewrite"`),
		regexp.MustCompile(`Region\s+=\s+"EU"`),
	} {
		if !re.Match(generated) {
			t.Errorf("generated.tf does not match %s", re)
		}
	}
	// A resource block's attributes are indented by two; the identity's id in an import block by four.
	if regexp.MustCompile(`(?m)^  (id|ipv4_utilization_percent|access_scope_path)\s+=`).Match(generated) {
		t.Errorf("generated.tf sets computed-only attributes")
	}

	out = cli.MustSucceed("apply", "-input=false", "-no-color", "-auto-approve")
	if want := fmt.Sprintf("Apply complete! Resources: %d imported, 0 added, 0 changed, 0 destroyed.", len(byID)); !strings.Contains(out, want) {
		t.Fatalf("the generated configuration did not import cleanly; want %q in:\n%s", want, out)
	}
	cli.MustSucceed("plan", "-input=false", "-no-color", "-detailed-exitcode")

	// Every imported resource has its InstanceID as identity, and as id.
	addrOf := identitiesInState(t, cli)
	if len(addrOf) != len(byID) {
		t.Errorf("the state holds %d resources with an identity, want %d: %v", len(addrOf), len(byID), addrOf)
	}
	for id, a := range byID {
		if addrOf[id] == "" {
			t.Errorf("no resource in the state has identity {id = %s} (%s)", id, a.Name)
		}
	}

	// A rename by hand: the plan renames it back, in place, at the same address.
	oob.Change("Lab", func(a *ipam.AddressSpace) { a.Name = "Lab-Renamed" })
	addr := addrOf[h.lab.InstanceID]
	code, out := cli.Run("plan", "-input=false", "-no-color", "-detailed-exitcode")
	if code != 2 {
		t.Fatalf("terraform plan after a rename by hand exited %d, want 2 (changes):\n%s", code, out)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^\s*# ` + regexp.QuoteMeta(addr) + ` will be updated in-place$`),
		regexp.MustCompile(`~ name\s+=\s+"Lab-Renamed" -> "Lab"`),
		acctest.ErrorText("Plan: 0 to add, 1 to change, 0 to destroy."),
	} {
		if !want.MatchString(out) {
			t.Errorf("the plan after a rename by hand does not match %s:\n%s", want, out)
		}
	}
	cli.MustSucceed("apply", "-input=false", "-no-color", "-auto-approve")
	if got := oob.Get("Lab"); got.InstanceID != h.lab.InstanceID {
		t.Errorf("Lab has InstanceID %s after the apply, want %s (renamed back in place)", got.InstanceID, h.lab.InstanceID)
	}
	if after := identitiesInState(t, cli); after[h.lab.InstanceID] != addr {
		t.Errorf("after the rename, identity %s belongs to %q, want %q", h.lab.InstanceID, after[h.lab.InstanceID], addr)
	}
}

// identitiesInState maps each identity's id to the address of the resource that has it, from
// terraform show -json.
func identitiesInState(t *testing.T, cli *acctest.CLI) map[string]string {
	t.Helper()
	var st struct {
		Values struct {
			RootModule struct {
				Resources []struct {
					Address  string         `json:"address"`
					Identity map[string]any `json:"identity"`
					Values   map[string]any `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal([]byte(cli.MustSucceed("show", "-json")), &st); err != nil {
		t.Fatal(err)
	}
	addrOf := map[string]string{}
	for _, r := range st.Values.RootModule.Resources {
		id, _ := r.Identity["id"].(string)
		if id == "" {
			continue
		}
		if r.Values["id"] != id {
			t.Errorf("%s has identity id %s but id %v", r.Address, id, r.Values["id"])
		}
		addrOf[id] = r.Address
	}
	return addrOf
}

// startCLISince is acctest.StartCLI for a feature of Terraform major.minor and later: it skips,
// saying which version it found and which the feature needs, when the terraform is older.
func startCLISince(t *testing.T, feature string, major, minor int) (*acctest.CLI, *acctest.Emulator, *acctest.OutOfBand) {
	t.Helper()
	tf := acctest.NeedTerraform(t)
	out, err := exec.Command(tf, "version", "-json").Output()
	if err != nil {
		t.Fatalf("%s version -json: %v", tf, err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("%s version -json: %v\n%s", tf, err, out)
	}
	parts := strings.SplitN(v.Version, ".", 3)
	var got [2]int
	for i := 0; i < 2 && i < len(parts); i++ {
		got[i], _ = strconv.Atoi(parts[i])
	}
	if got[0] < major || got[0] == major && got[1] < minor {
		t.Skipf("%s needs Terraform %d.%d or later, and %s is %s: set TF_ACC_TERRAFORM_PATH to a newer terraform",
			feature, major, minor, tf, v.Version)
	}
	return acctest.StartCLI(t, emulator.Config{})
}
