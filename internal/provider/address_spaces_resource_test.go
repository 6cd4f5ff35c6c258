package provider

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/winipam/terraform-provider-ipam/internal/acctest"
	"github.com/winipam/terraform-provider-ipam/internal/emulator"
	"github.com/winipam/terraform-provider-ipam/internal/ipam"
)

// bulkConfig manages items, lines of its address_spaces map, with one ipam_address_spaces.
func bulkConfig(emu *acctest.Emulator, items string) string {
	return emu.ProviderBlock() + `
resource "ipam_address_spaces" "all" {
  address_spaces = {` + items + `
  }
}
`
}

const bulkBase = `
    "DC-West" = { type = "Provider", owner = "netops", custom_configuration = { Region = "EU" } }
    "Tenant-A" = { type = "Customer", provider_address_space = "DC-West", isolation_method = "NVGRE", tenant = "4001" }
    "Tenant-B" = { type = "Customer", provider_address_space = "dc-west", isolation_method = "IPRewrite" }`

func TestAccBulk_lifecycle(t *testing.T) {
	emu, oob := acctest.StartWithOutOfBand(t, emulator.Config{})
	const all = "ipam_address_spaces.all"
	spaces := atPath("address_spaces")
	changed := bulkConfig(emu, strings.Replace(bulkBase, `tenant = "4001"`, `tenant = "4002"`, 1))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// A pre-existing address space with a listed name is adopted.
				PreConfig: func() { oob.AddProvider(ipam.AddressSpace{Name: "dc-west", Owner: "someone"}) },
				Config:    bulkConfig(emu, bulkBase),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(all, spaces, knownvalue.MapSizeExact(3)),
					statecheck.ExpectKnownValue(all, atPath("ids").AtMapKey("Tenant-A"), acctest.NotEmpty()),
					statecheck.ExpectKnownValue(all, spaces.AtMapKey("DC-West").AtMapKey("owner"), knownvalue.StringExact("netops")),
					// The adopted address space takes the configured spelling of its name too.
					oob.Holds(map[string]string{"DC-West": "Provider", "Tenant-A": "Customer", "Tenant-B": "Customer"}),
					// ... and the configured owner, on the server.
					oob.Expect("DC-West", map[string]string{"owner": "netops"}),
				},
			},
			{
				// Change one key: the plan shows an update, and only that key changes.
				Config: changed,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(all, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(all, atPath("ids").AtMapKey("Tenant-B"), knownvalue.NotNull()),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(all, spaces.AtMapKey("Tenant-A").AtMapKey("tenant"), knownvalue.StringExact("4002")),
					oob.Expect("Tenant-A", map[string]string{"tenant": "4002"}),
				},
			},
			// Drift on one key, made out of band, shows in the plan and is reverted.
			acctest.Drift(changed, func() {
				oob.Change("Tenant-B", func(a *ipam.AddressSpace) { a.Description = "changed by hand" })
			}),
			{
				// The apply reverts the drift; the state keeps the configuration's shape (no
				// description: Tenant-B is what the configuration lists, and only that).
				Config: changed,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(all, spaces.AtMapKey("Tenant-B"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"type": knownvalue.StringExact("Customer"), "provider_address_space": knownvalue.StringExact("dc-west"),
						"isolation_method": knownvalue.StringExact("IPRewrite"),
					})),
					oob.Expect("Tenant-B", map[string]string{"description": ""}),
				},
			},
			{
				// Deleted out of band: planned for re-creation.
				PreConfig:         func() { oob.Remove("Tenant-B") },
				Config:            changed,
				ConfigStateChecks: []statecheck.StateCheck{oob.Holds(map[string]string{"DC-West": "Provider", "Tenant-A": "Customer", "Tenant-B": "Customer"})},
			},
			{
				// Type change of one key replaces that item only; removing a key deletes it.
				Config: bulkConfig(emu, `
    "DC-West" = { type = "Provider", owner = "netops", custom_configuration = { Region = "EU" } }
    "Tenant-A" = { type = "Provider" }`),
				ConfigStateChecks: []statecheck.StateCheck{oob.Holds(map[string]string{"DC-West": "Provider", "Tenant-A": "Provider"})},
			},
			{
				// Import by names; the id of an imported set differs, so compare the rest.
				ResourceName:  all,
				ImportState:   true,
				ImportStateId: "dc-west, Tenant-A",
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 {
						return fmt.Errorf("%d states", len(states))
					}
					attrs := states[0].Attributes
					for k, want := range map[string]string{
						"address_spaces.%": "2", "address_spaces.DC-West.owner": "netops", "address_spaces.DC-West.custom_configuration.Region": "EU",
						"address_spaces.Tenant-A.type": "Provider", "ids.%": "2",
					} {
						if attrs[k] != want {
							return fmt.Errorf("%s = %q, want %q", k, attrs[k], want)
						}
					}
					return nil
				},
			},
		},
		CheckDestroy: acctest.OnDestroy(oob.Holds(map[string]string{})),
	})
}

func TestAccBulk_partialFailureConverges(t *testing.T) {
	emu, oob := acctest.StartWithOutOfBand(t, emulator.Config{FailItems: "bad%"})
	var goodID string
	items := bulkBase + `
    "bad-1" = { type = "Provider" }`
	accTest(t, []resource.TestStep{
		{
			Config:      bulkConfig(emu, items),
			ExpectError: regexp.MustCompile(`(?s)Cannot create address space "bad-1".*injected failure`),
		},
		{
			// The injected failure is cleared; the second apply retries only the failed item
			// and the good ones keep their identity.
			PreConfig: func() {
				goodID = oob.Get("Tenant-A").InstanceID
				emu.SetFailItems("")
			},
			Config: bulkConfig(emu, items),
			ConfigStateChecks: []statecheck.StateCheck{
				oob.Holds(map[string]string{"DC-West": "Provider", "Tenant-A": "Customer", "Tenant-B": "Customer", "bad-1": "Provider"}),
				acctest.ServerCheck(func() error {
					if a := oob.Get("Tenant-A"); a.InstanceID != goodID {
						return fmt.Errorf("Tenant-A was re-created: %s -> %s", goodID, a.InstanceID)
					}
					return nil
				}),
			},
		},
	})
}

// When the server does not answer the provider pass, the customer pass is not sent: it would
// wait out the same failure, and its items need the providers. The apply reports one grouped
// error, and the next apply converges.
func TestAccAddressSpaces_customerPassSkippedAfterFailedProviderPass(t *testing.T) {
	reqs := &acctest.RequestLog{}
	emu, oob := acctest.StartWithOutOfBand(t, emulator.Config{Logger: reqs.Logger()})
	items := `
    "SK-PA"  = { type = "Provider" }
    "SK-CA1" = { type = "Customer", provider_address_space = "SK-PA", isolation_method = "NVGRE" }
    "SK-CA2" = { type = "Customer", provider_address_space = "SK-PA", isolation_method = "NVGRE" }`
	accTest(t, []resource.TestStep{
		{
			PreConfig: func() {
				// An empty HTTP 500 is a refusal the client does not retry.
				emu.InjectFault(emulator.FaultRule{Kind: emulator.FaultEmpty500, Action: "BulkAddOrUpdateAddressSpace"})
			},
			Config:      bulkConfig(emu, items),
			ExpectError: regexp.MustCompile(`Cannot create 3 address spaces`),
		},
		{
			PreConfig: func() {
				// The emulator logs a faulted request under the fault's name.
				if n := reqs.Count(" fault-500-empty "); n != 1 {
					t.Fatalf("%d BulkAddOrUpdateAddressSpace requests reached the emulator, want 1 (the provider pass)", n)
				}
				emu.ClearFaults()
			},
			Config: bulkConfig(emu, items),
			ConfigStateChecks: []statecheck.StateCheck{
				oob.Holds(map[string]string{"SK-PA": "Provider", "SK-CA1": "Customer", "SK-CA2": "Customer"}),
			},
		},
	})
}

// manyKeys is how many address spaces the scale test manages.
const manyKeys = 1000

// manyConfig manages manyKeys address spaces: a tenth are provider spaces, the rest customer spaces
// on them; the keys in changed get another description.
func manyConfig(emu *acctest.Emulator, changed map[int]bool) string {
	n := manyKeys
	var b strings.Builder
	for i := 0; i < n; i++ {
		desc := "v1"
		if changed[i] {
			desc = "v2"
		}
		if i%10 == 0 {
			fmt.Fprintf(&b, "\n    \"pa-%04d\" = { type = \"Provider\", description = %q }", i, desc)
		} else {
			fmt.Fprintf(&b, "\n    \"ca-%04d\" = { type = \"Customer\", provider_address_space = \"pa-%04d\", isolation_method = \"NVGRE\", description = %q }", i, i/10*10, desc)
		}
	}
	return bulkConfig(emu, b.String())
}

// expectChangedKeys checks that the planned update of ipam_address_spaces touches exactly these
// keys of address_spaces, and leaves every other id known and unchanged.
type expectChangedKeys []string

func (want expectChangedKeys) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Type != "ipam_address_spaces" {
			continue
		}
		before, _ := rc.Change.Before.(map[string]any)
		after, _ := rc.Change.After.(map[string]any)
		bs, _ := before["address_spaces"].(map[string]any)
		as, _ := after["address_spaces"].(map[string]any)
		var got []string
		for k, v := range as {
			if !reflect.DeepEqual(bs[k], v) {
				got = append(got, k)
			}
		}
		for k := range bs {
			if _, ok := as[k]; !ok {
				got = append(got, k)
			}
		}
		sort.Strings(got)
		if fmt.Sprint(got) != fmt.Sprint([]string(want)) {
			resp.Error = fmt.Errorf("plan changes keys %v, want %v", got, want)
			return
		}
		bids, _ := before["ids"].(map[string]any)
		aids, _ := after["ids"].(map[string]any)
		changing := map[string]bool{}
		for _, k := range want {
			changing[k] = true
		}
		for k, id := range bids {
			if !changing[k] && aids[k] != id {
				resp.Error = fmt.Errorf("planned id of %q is %v, was %v", k, aids[k], id)
				return
			}
		}
		return
	}
	resp.Error = fmt.Errorf("no change planned for ipam_address_spaces")
}

func TestAccBulk_thousandKeys(t *testing.T) {
	emu, oob := acctest.StartWithOutOfBand(t, emulator.Config{})
	const n = manyKeys
	changed := map[int]bool{}
	var changedKeys []string
	for i := 5; len(changed) < 10; i += 97 {
		changed[i] = true
		key := fmt.Sprintf("ca-%04d", i)
		if i%10 == 0 {
			key = fmt.Sprintf("pa-%04d", i)
		}
		changedKeys = append(changedKeys, key)
	}
	sort.Strings(changedKeys)
	var requestsBefore int64
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: manyConfig(emu, nil),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("ipam_address_spaces.all", atPath("address_spaces"), knownvalue.MapSizeExact(n)),
					statecheck.ExpectKnownValue("ipam_address_spaces.all", atPath("ids"), knownvalue.MapSizeExact(n)),
				},
			},
			{
				Config:   manyConfig(emu, nil),
				PlanOnly: true, // no-op plan
			},
			{
				PreConfig: func() { requestsBefore = emu.Requests() },
				Config:    manyConfig(emu, changed),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("ipam_address_spaces.all", plancheck.ResourceActionUpdate),
					expectChangedKeys(changedKeys),
				}},
				ConfigStateChecks: []statecheck.StateCheck{acctest.ServerCheck(func() error {
					// Refreshes, the plan's and the apply's, and the changes: a handful of calls,
					// not one per key.
					if got := emu.Requests() - requestsBefore; got > 20 {
						return fmt.Errorf("%d requests to change 10 of %d keys", got, n)
					}
					list, err := oob.List()
					if err != nil {
						return err
					}
					v2 := 0
					for _, a := range list {
						if a.Description == "v2" {
							v2++
						}
					}
					if v2 != 10 || len(list) != n+1 {
						return fmt.Errorf("server: %d address spaces, %d changed", len(list), v2)
					}
					return nil
				})},
			},
			{
				// Drift on one key among many shows as a change of that key alone.
				PreConfig: func() { oob.Change("ca-0501", func(a *ipam.AddressSpace) { a.Owner = "someone" }) },
				Config:    manyConfig(emu, changed),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					expectChangedKeys{"ca-0501"},
				}},
			},
		},
		CheckDestroy: acctest.OnDestroy(acctest.ServerCheck(func() error {
			list, err := oob.List()
			if err != nil {
				return err
			}
			if len(list) != 1 {
				return fmt.Errorf("%d address spaces left after destroy", len(list))
			}
			return nil
		})),
	})
}

func TestAccBulk_updateFailuresConverge(t *testing.T) {
	emu, oob := acctest.StartWithOutOfBand(t, emulator.Config{})
	items := bulkBase + `
    "bad-1" = { type = "Provider" }`
	accTest(t, []resource.TestStep{
		{Config: bulkConfig(emu, bulkBase)},
		{
			// Adding bad-1 and changing DC-West: DC-West is applied, bad-1 fails, and the
			// state keeps exactly what exists.
			PreConfig:   func() { emu.SetFailItems("bad%") },
			Config:      bulkConfig(emu, strings.Replace(items, `owner = "netops"`, `owner = "ops"`, 1)),
			ExpectError: regexp.MustCompile(`(?s)address space "bad-1".*injected failure`),
		},
		{
			PreConfig: func() { emu.SetFailItems("") },
			Config:    bulkConfig(emu, strings.Replace(items, `owner = "netops"`, `owner = "ops"`, 1)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("ipam_address_spaces.all", atPath("address_spaces").AtMapKey("DC-West").AtMapKey("owner"), knownvalue.StringExact("ops")),
				statecheck.ExpectKnownValue("ipam_address_spaces.all", atPath("ids").AtMapKey("bad-1"), acctest.NotEmpty()),
				oob.Holds(map[string]string{"DC-West": "Provider", "Tenant-A": "Customer", "Tenant-B": "Customer", "bad-1": "Provider"}),
			},
		},
	})
}

// bulkImported is the configuration of two address spaces made out of band, as the house model
// imports them: a provider space with a custom field and a customer space on it.
const bulkImported = `
    "DC-West"  = { type = "Provider", owner = "netops", custom_configuration = { Region = "EU" } }
    "Tenant-A" = { type = "Customer", provider_address_space = "DC-West", isolation_method = "NVGRE", tenant = "4001" }`

// addBulkImported makes bulkImported's address spaces out of band, and returns their InstanceIDs.
func addBulkImported(oob *acctest.OutOfBand) (dcWest, tenantA string) {
	dc := oob.AddProvider(ipam.AddressSpace{Name: "DC-West", Owner: "netops", CustomConfiguration: ipam.CustomConfiguration{"Region": "EU"}})
	ta := oob.AddCustomer(ipam.AddressSpace{Name: "Tenant-A", AssociatedProviderAddressSpace: "DC-West", IsolationMethod: "NVGRE", Tenant: "4001"})
	return dc.InstanceID, ta.InstanceID
}

// TestAccBulk_import imports address spaces that Terraform never created into ipam_address_spaces,
// by names in another case, then proves the import leaves nothing to change and the state holds
// the server's InstanceIDs; it also imports with an import block, and with generated
// configuration (TestAccAddressSpaceResource_import is the model).
func TestAccBulk_import(t *testing.T) {
	emu, oob := acctest.StartWithOutOfBand(t, emulator.Config{})
	const all, generated = "ipam_address_spaces.all", "ipam_address_spaces.generated"
	var dcID, taID string
	config := bulkConfig(emu, bulkImported)
	ids := atPath("ids")
	spaces := atPath("address_spaces")
	accTest(t, []resource.TestStep{
		{
			PreConfig:          func() { dcID, taID = addBulkImported(oob) },
			Config:             config,
			ResourceName:       all,
			ImportState:        true,
			ImportStateId:      "dc-west, TENANT-A",
			ImportStatePersist: true,
		},
		// The imported state matches the configuration exactly.
		acctest.NoChanges(config),
		{
			Config:           config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(all, ids.AtMapKey("DC-West"), acctest.StringEqual(&dcID)),
				statecheck.ExpectKnownValue(all, ids.AtMapKey("Tenant-A"), acctest.StringEqual(&taID)),
				oob.Holds(map[string]string{"DC-West": "Provider", "Tenant-A": "Customer"}),
			},
		},
		{
			// An import block planned against the configuration: a no-op import.
			Config:          config,
			ResourceName:    all,
			ImportState:     true,
			ImportStateKind: resource.ImportBlockWithID,
			ImportStateId:   "DC-West,Tenant-A",
			ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectKnownValue(all, ids.AtMapKey("Tenant-A"), acctest.StringEqual(&taID)),
			}},
		},
		{
			// terraform plan -generate-config-out: the generated block plans as a no-op import.
			Config:          emu.ProviderBlock(),
			ResourceName:    all,
			ImportState:     true,
			ImportStateKind: resource.ImportBlockWithID,
			ImportStateId:   "dc-west,tenant-a",
			GenerateConfig:  true,
			ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectKnownValue(generated, spaces, knownvalue.ObjectExact(map[string]knownvalue.Check{
					"DC-West": knownvalue.ObjectExact(map[string]knownvalue.Check{
						"type": knownvalue.StringExact("Provider"), "owner": knownvalue.StringExact("netops"),
						"custom_configuration": acctest.StringMap(map[string]string{"Region": "EU"}),
					}),
					"Tenant-A": knownvalue.ObjectExact(map[string]knownvalue.Check{
						"type": knownvalue.StringExact("Customer"), "provider_address_space": knownvalue.StringExact("DC-West"),
						"isolation_method": knownvalue.StringExact("NVGRE"), "tenant": knownvalue.StringExact("4001"),
					}),
				})),
				plancheck.ExpectKnownValue(generated, ids.AtMapKey("DC-West"), acctest.StringEqual(&dcID)),
			}},
		},
	})
}

// TestAccBulk_generateConfigCLI runs what a user runs to take address spaces made by hand under one
// ipam_address_spaces (TestAccAddressSpaceResource_generateConfigCLI is the model): an import
// block naming them, terraform plan -generate-config-out, then apply, a plan that must show no
// changes (-detailed-exitcode 0), and destroy.
func TestAccBulk_generateConfigCLI(t *testing.T) {
	cli, emu, oob := acctest.StartCLI(t, emulator.Config{})
	dcID, taID := addBulkImported(oob)
	cli.Write(emu.ProviderBlock() + `
import {
  to = ipam_address_spaces.all
  id = "dc-west,TENANT-A"
}
`)

	// Terraform writes the dynamic attribute as the object it holds, keyed by the server's names
	// (Terraform 1.11 writes them unquoted, DC-West = {...}), and none of the computed attributes
	// (id, ids, partial). The generated block applies as it is: see below.
	generated := cli.GenerateConfig(1, "id", "ids", "partial")
	acctest.ExpectMatches(t, "generated.tf", generated,
		`resource "ipam_address_spaces" "all" \{`,
		`(?m)^  address_spaces = \{$`,
		`(?m)^    "?DC-West"? = \{$`,
		`(?m)^    "?Tenant-A"? = \{$`,
		`Region\s+=\s+"EU"`,
		`provider_address_space\s+=\s+"DC-West"`,
		`isolation_method\s+=\s+"NVGRE"`,
	)

	out := cli.MustSucceed("apply", "-input=false", "-no-color", "-auto-approve")
	if !strings.Contains(out, "Apply complete! Resources: 1 imported, 0 added, 0 changed, 0 destroyed.") {
		t.Fatalf("the generated configuration did not import cleanly:\n%s", out)
	}
	cli.MustSucceed("plan", "-input=false", "-no-color", "-detailed-exitcode")
	state, err := cli.State()
	if err != nil {
		t.Fatal(err)
	}
	acctest.RunChecks(t, state,
		statecheck.ExpectKnownValue("ipam_address_spaces.all", atPath("ids"), acctest.StringMap(map[string]string{"DC-West": dcID, "Tenant-A": taID})),
		oob.Expect("DC-West", map[string]string{"id": dcID, "owner": "netops", "custom_configuration": "Region=EU"}),
		oob.Expect("Tenant-A", map[string]string{"id": taID, "tenant": "4001", "isolation_method": "NVGRE"}),
	)

	cli.MustSucceed("destroy", "-input=false", "-no-color", "-auto-approve")
	acctest.RunChecks(t, nil, oob.ExpectGone("DC-West"), oob.ExpectGone("Tenant-A"))
}
