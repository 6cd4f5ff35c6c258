package provider

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winipam/terraform-provider-ipam/internal/acctest"
	"github.com/winipam/terraform-provider-ipam/internal/emulator"
	"github.com/winipam/terraform-provider-ipam/internal/ipam"
)

// TestAccBulk_replace runs terraform apply -replace on ipam_address_spaces: a Delete always
// deletes, so the address spaces are deleted and created anew, with new InstanceIDs.
func TestAccBulk_replace(t *testing.T) {
	cli, emu, oob := acctest.StartCLI(t, emulator.Config{})

	cli.Write(bulkConfig(emu, bulkBase) + `
output "ids" {
  value = ipam_address_spaces.all.ids
}
`)
	cli.MustSucceed("apply", "-input=false", "-no-color", "-auto-approve")
	before := map[string]string{}
	for _, name := range []string{"DC-West", "Tenant-A", "Tenant-B"} {
		before[name] = oob.Get(name).InstanceID
	}

	out := cli.MustSucceed("apply", "-input=false", "-no-color", "-auto-approve", "-replace=ipam_address_spaces.all")
	if !strings.Contains(out, "Apply complete! Resources: 1 added, 0 changed, 1 destroyed.") {
		t.Fatalf("apply -replace did not replace the resource:\n%s", out)
	}
	for name, old := range before {
		if a := oob.Get(name); a.InstanceID == old {
			t.Errorf("%s kept InstanceID %s through -replace; want it deleted and created anew", name, old)
		}
	}
	cli.MustSucceed("plan", "-input=false", "-no-color", "-detailed-exitcode")
	ids := cli.MustSucceed("output", "-no-color", "-json", "ids")
	for name := range before {
		if a := oob.Get(name); !strings.Contains(ids, a.InstanceID) {
			t.Errorf("the state's ids %s lack %s's new InstanceID %s", ids, name, a.InstanceID)
		}
	}
}

// TestAccBulk_upgradeFromV0 plans over a state written by the schema version 0 resource (a
// declared map of objects, every attribute set, "" for the unset ones): the upgrade reads it, and
// the plan shows no changes.
func TestAccBulk_upgradeFromV0(t *testing.T) {
	cli, emu, oob := acctest.StartCLI(t, emulator.Config{})
	dc := oob.AddProvider(ipam.AddressSpace{Name: "DC-West", Owner: "netops", CustomConfiguration: ipam.CustomConfiguration{"Region": "EU"}})
	ta := oob.AddCustomer(ipam.AddressSpace{Name: "Tenant-A", AssociatedProviderAddressSpace: "DC-West", IsolationMethod: "NVGRE", Tenant: "4001"})

	item := func(typ, owner, pa, iso, tenant string, cc map[string]string) map[string]any {
		return map[string]any{"type": typ, "owner": owner, "description": "", "custom_configuration": cc,
			"provider_address_space": pa, "isolation_method": iso, "tenant": tenant, "vm_network": ""}
	}
	state := map[string]any{
		"version": 4, "terraform_version": "1.11.4", "serial": 1, "lineage": "3f1c2a4e-0000-4000-8000-000000000000",
		"outputs": map[string]any{},
		"resources": []any{map[string]any{
			"mode": "managed", "type": "ipam_address_spaces", "name": "all",
			"provider": `provider["registry.terraform.io/winipam/ipam"]`,
			"instances": []any{map[string]any{
				"schema_version": 0,
				"attributes": map[string]any{
					// The id a version 0 build wrote for these two names.
					"id": "ipam-address-spaces-d9dc4c2d79d5",
					"address_spaces": map[string]any{
						"DC-West":  item("Provider", "netops", "", "", "", map[string]string{"Region": "EU"}),
						"Tenant-A": item("Customer", "", "DC-West", "NVGRE", "4001", map[string]string{}),
					},
					"ids":      map[string]string{"DC-West": dc.InstanceID, "Tenant-A": ta.InstanceID},
					"timeouts": nil,
				},
				"sensitive_attributes": []any{},
			}},
		}},
	}
	data, err := json.MarshalIndent(state, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cli.Dir, "terraform.tfstate"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	cli.Write(bulkConfig(emu, `
    "DC-West" = { type = "Provider", owner = "netops", custom_configuration = { Region = "EU" } }
    "Tenant-A" = { type = "Customer", provider_address_space = "DC-West", isolation_method = "NVGRE", tenant = "4001" }`))
	out := cli.MustSucceed("plan", "-input=false", "-no-color", "-detailed-exitcode")
	if !strings.Contains(out, "No changes.") {
		t.Fatalf("the plan over a version 0 state is not empty:\n%s", out)
	}
	// After an apply the state is version 1, and still plans clean.
	cli.MustSucceed("apply", "-input=false", "-no-color", "-auto-approve")
	data, err = os.ReadFile(filepath.Join(cli.Dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"schema_version": 1`) {
		t.Errorf("the state after apply is not version 1:\n%s", data)
	}
	cli.MustSucceed("plan", "-input=false", "-no-color", "-detailed-exitcode")
}
