package provider

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/winipam/terraform-provider-ipam/internal/acctest"
	"github.com/winipam/terraform-provider-ipam/internal/emulator"
	"github.com/winipam/terraform-provider-ipam/internal/ipam"
)

// OpenTofu runs a user's day: IPAM_ACC_TOFU names the tofu binary (make test TOFU=...).
// terraform-plugin-testing drives OpenTofu when the configuration declares the provider's source
// and the test provider is served under OpenTofu's registry host: OpenTofu reads "winipam/ipam" as
// registry.opentofu.org/winipam/ipam, and refuses the legacy "-" namespace the tests use otherwise.

// needTofu skips unless this is an acceptance run with OpenTofu to run, and points
// terraform-plugin-testing at it for this test.
func needTofu(t *testing.T) string {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
	tofu := os.Getenv("IPAM_ACC_TOFU")
	if tofu == "" {
		t.Skip("OpenTofu's acceptance tests need IPAM_ACC_TOFU, the path of a tofu binary (make test TOFU=/path/to/tofu)")
	}
	out, err := exec.Command(tofu, "version").Output()
	if err != nil || !strings.HasPrefix(string(out), "OpenTofu v") {
		t.Fatalf("IPAM_ACC_TOFU=%s is not OpenTofu (%v): %s", tofu, err, out)
	}
	t.Logf("%s", strings.SplitN(string(out), "\n", 2)[0])
	t.Setenv("TF_ACC_TERRAFORM_PATH", tofu)
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "winipam")
	t.Setenv("TF_ACC_PROVIDER_HOST", "registry.opentofu.org")
	return tofu
}

// tofuDay is the configuration of TestAccTofu_day: the customer space's owner, and the lines of
// the bulk resource's map.
func tofuDay(t *testing.T, emu *acctest.Emulator, owner string, bulk ...string) string {
	return acctest.HCL(t, "main.tf", map[string]any{"Provider": emu.ProviderBlock(), "Owner": owner, "Bulk": bulk})
}

func TestAccTofu_day(t *testing.T) {
	needTofu(t)
	emu, oob := acctest.StartWithOutOfBand(t, emulator.Config{})
	tenantB := `"Tenant-B" = { type = "Customer", provider_address_space = "DC-West", isolation_method = "IPRewrite" }`
	tenantC := `"Tenant-C" = { type = "Customer", provider_address_space = "dc-west", isolation_method = "NVGRE", tenant = "4003" }`
	first := tofuDay(t, emu, "tenant-ops", tenantB, tenantC)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: first,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("ipam_customer_address_space.tenant", atPath("provider_address_space"), knownvalue.StringExact("DC-West")),
					statecheck.ExpectKnownValue("ipam_address_spaces.bulk", atPath("ids"), knownvalue.MapSizeExact(2)),
					oob.Holds(map[string]string{"DC-West": "Provider", "Tenant-A": "Customer", "Tenant-B": "Customer", "Tenant-C": "Customer"}),
				},
			},
			acctest.NoChanges(first),
			// Drift on a single resource and on a key of the bulk resource shows in the plan.
			acctest.Drift(first, func() {
				oob.Change("Tenant-A", func(a *ipam.AddressSpace) { a.Owner = "changed by hand" })
				oob.Change("Tenant-C", func(a *ipam.AddressSpace) { a.Description = "changed by hand" })
			}),
			{
				// The apply reverts both.
				Config: first,
				ConfigStateChecks: []statecheck.StateCheck{
					oob.Expect("Tenant-A", map[string]string{"owner": "tenant-ops"}),
					oob.Expect("Tenant-C", map[string]string{"description": "", "tenant": "4003"}),
				},
			},
			{
				ResourceName:      "ipam_customer_address_space.tenant",
				ImportState:       true,
				ImportStateId:     "tenant-a",
				ImportStateVerify: true,
			},
			{
				// The bulk resource: one key changed, one removed, one added.
				Config: tofuDay(t, emu, "tenant-ops",
					strings.Replace(tenantB, `"IPRewrite"`, `"NVGRE"`, 1),
					`"Tenant-D" = { type = "Customer", provider_address_space = "DC-West", isolation_method = "NVGRE" }`),
				ConfigStateChecks: []statecheck.StateCheck{
					oob.Holds(map[string]string{"DC-West": "Provider", "Tenant-A": "Customer", "Tenant-B": "Customer", "Tenant-D": "Customer"}),
					oob.Expect("Tenant-B", map[string]string{"isolation_method": "NVGRE"}),
				},
			},
		},
		CheckDestroy: acctest.OnDestroy(oob.Holds(map[string]string{})),
	})
}

// TestAccTofu_importBlocksCLI imports address spaces made by hand with import blocks and
// tofu plan -generate-config-out, through the CLI as a user runs it (dev_overrides, no init),
// then applies with no changes, plans clean and destroys.
func TestAccTofu_importBlocksCLI(t *testing.T) {
	tofu := needTofu(t)
	cli := acctest.NewCLI(t, tofu)
	emu, oob := acctest.StartWithOutOfBand(t, emulator.Config{})
	oob.AddProvider(ipam.AddressSpace{Name: "DC-West", Owner: "netops", CustomConfiguration: ipam.CustomConfiguration{"Region": "EU"}})
	for _, name := range []string{"Tenant-A", "Tenant-B", "Tenant-C"} {
		oob.AddCustomer(ipam.AddressSpace{Name: name, AssociatedProviderAddressSpace: "DC-West", IsolationMethod: "NVGRE", Tenant: "4001"})
	}
	cli.Write(acctest.HCL(t, "main.tf", map[string]any{"Provider": emu.ProviderBlock()}))
	generated := cli.GenerateConfig(3, "ids", "partial")
	acctest.ExpectMatches(t, "generated.tf", generated,
		`resource "ipam_address_spaces" "bulk"`, `"?Tenant-B"?\s*=\s*\{`, `isolation_method\s*=\s*"NVGRE"`, `Region\s*=\s*"EU"`)
	out := cli.MustSucceed("apply", "-input=false", "-no-color", "-auto-approve")
	if !acctest.ErrorText("3 imported, 0 added, 0 changed, 0 destroyed").MatchString(out) {
		t.Errorf("the apply of the imports changed something:\n%s", out)
	}
	cli.MustSucceed("plan", "-input=false", "-no-color", "-detailed-exitcode")
	cli.MustSucceed("destroy", "-input=false", "-no-color", "-auto-approve")
	if list, err := oob.List(); err != nil || len(list) != 1 { // the built-in Default is left
		t.Errorf("after destroy the server holds %v (%v)", list, err)
	}
}
