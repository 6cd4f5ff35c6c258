package provider

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/winipam/terraform-provider-ipam/internal/acctest"
	"github.com/winipam/terraform-provider-ipam/internal/emulator"
	"github.com/winipam/terraform-provider-ipam/internal/ipam"
)

// Addresses of the resources the acceptance configurations below declare.
const (
	accPA  = "ipam_provider_address_space.pa"
	accPA2 = "ipam_provider_address_space.pa2"
	accCA  = "ipam_customer_address_space.ca"
)

// accSpaces is the configuration most tests start from: two provider spaces and a customer space
// on the first, with every optional attribute set.
func accSpaces(emu *acctest.Emulator) string { return emu.Config("shared/spaces.tf") }

func atPath(name string) tfjsonpath.Path { return tfjsonpath.New(name) }

// spacesPlan are the plan checks of a change to accSpaces's spaces: pa and ca as given, pa2 left
// alone.
func spacesPlan(pa, ca plancheck.ResourceActionType) []plancheck.PlanCheck {
	return acctest.Actions(accPA, pa, accPA2, plancheck.ResourceActionNoop, accCA, ca)
}

// What a plan does to a space.
const (
	toCreate  = plancheck.ResourceActionCreate
	toUpdate  = plancheck.ResourceActionUpdate
	untouched = plancheck.ResourceActionNoop
)

// recased writes accSpaces's names, provider space, isolation method and custom field names in
// another case than IPAM holds them.
var recased = strings.NewReplacer(
	`"DC-West"`, `"dc-WEST"`,
	`{ Region = "EU" }`, `{ REGION = "EU" }`,
	`"DC-East"`, `"dc-east"`,
	`"Tenant-A"`, `"TENANT-a"`,
	`ipam_provider_address_space.pa.name`, `"Dc-West"`,
	`"NVGRE"`, `"nvgre"`,
	`{ CostCenter = "100" }`, `{ costcenter = "100" }`,
)

// optionalAttribute is the line of an optional attribute of the single resources.
var optionalAttribute = regexp.MustCompile(`(?m)^ *(owner|description|custom_configuration|tenant|vm_network) *=.*\n`)

// TestAccAddressSpaces_basic creates both resources, imports the customer space by its name in
// another case, and plans the same spaces spelt in another case: no changes.
func TestAccAddressSpaces_basic(t *testing.T) {
	emu := acctest.StartEmulator(t, emulator.Config{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: accSpaces(emu),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(accPA, atPath("id"), acctest.NotEmpty()),
					statecheck.ExpectKnownValue(accPA, atPath("custom_configuration").AtMapKey("Region"), knownvalue.StringExact("EU")),
					statecheck.ExpectKnownValue(accCA, atPath("provider_address_space"), knownvalue.StringExact("DC-West")),
					statecheck.ExpectKnownValue(accCA, atPath("ipv4_utilization_status"), knownvalue.StringExact("None")),
				},
			},
			acctest.ImportVerify(accCA, "tenant-a"),
			acctest.Apply(recased.Replace(accSpaces(emu)), acctest.EmptyPlan()),
		},
	})
}

// TestAccAddressSpaceResource_updateInPlace changes every attribute of both resources, one group
// per step, and checks each change is an in-place update of the same object, that IPAM holds the
// new values, and that nothing is left to change afterwards.
func TestAccAddressSpaceResource_updateInPlace(t *testing.T) {
	emu, oob := acctest.StartWithOutOfBand(t, emulator.Config{})
	sameIDs := acctest.TrackIDs(compare.ValuesSame(), accPA, accPA2, accCA)

	// Every attribute of both changes; the customer space follows its provider space's new name.
	renamed := strings.NewReplacer(
		`"DC-West"`, `"DC-West-2"`,
		`"netops"`, `"netops-2"`,
		`"west data centre"`, `"west data centre, hall 2"`,
		`{ Region = "EU" }`, `{ Region = "US", CostCenter = "7" }`,
		`"Tenant-A"`, `"Tenant-A2"`,
		`"NVGRE"`, `"IPRewrite"`,
		`"4001"`, `"4002"`,
		`"vmnet-a"`, `"vmnet-a2"`,
		`"tenant-ops"`, `"tenant-ops-2"`,
		`"tenant A"`, `"tenant A, second"`,
		`{ CostCenter = "100" }`, `{ CostCenter = "200", Region = "EU" }`,
	).Replace(accSpaces(emu))
	// The customer space moves to the other provider space; a custom field goes from each.
	moved := strings.NewReplacer(
		`custom_configuration = { Region = "US", CostCenter = "7" }`, `custom_configuration = { Region = "US" }`,
		`provider_address_space = ipam_provider_address_space.pa.name`, `provider_address_space = ipam_provider_address_space.pa2.name`,
		`custom_configuration   = { CostCenter = "200", Region = "EU" }`, `custom_configuration   = { Region = "EU" }`,
	).Replace(renamed)
	// Every optional attribute goes.
	cleared := optionalAttribute.ReplaceAllString(moved, "")
	accTest(t, []resource.TestStep{
		{
			Config: accSpaces(emu),
			ConfigStateChecks: sameIDs(
				oob.ExpectStateID(accPA, "DC-West"),
				oob.ExpectStateID(accCA, "Tenant-A"),
			),
		},
		// Rename, owner, description and custom fields (one changed, one added) of both; the
		// customer space follows its provider space's new name; isolation, tenant, VM network.
		acctest.Apply(renamed, spacesPlan(toUpdate, toUpdate), sameIDs(
			statecheck.ExpectKnownValue(accPA, atPath("custom_configuration"), acctest.StringMap(map[string]string{"Region": "US", "CostCenter": "7"})),
			statecheck.ExpectKnownValue(accCA, atPath("provider_address_space"), knownvalue.StringExact("DC-West-2")),
			oob.Expect("DC-West-2", map[string]string{"owner": "netops-2", "description": "west data centre, hall 2",
				"custom_configuration": "CostCenter=7;Region=US"}),
			oob.Expect("Tenant-A2", map[string]string{"provider_address_space": "DC-West-2", "isolation_method": "IPRewrite",
				"tenant": "4002", "vm_network": "vmnet-a2", "owner": "tenant-ops-2", "description": "tenant A, second",
				"custom_configuration": "CostCenter=200;Region=EU"}),
			oob.ExpectGone("DC-West"),
			oob.ExpectGone("Tenant-A"),
			oob.ExpectStateID(accPA, "DC-West-2"),
			oob.ExpectStateID(accCA, "Tenant-A2"),
		)...),
		// Move the customer space to another provider space; remove a custom field from each.
		acctest.Apply(moved, spacesPlan(toUpdate, toUpdate), sameIDs(
			statecheck.CompareValuePairs(accCA, atPath("provider_address_space"), accPA2, atPath("name"), compare.ValuesSame()),
			oob.Expect("DC-West-2", map[string]string{"custom_configuration": "Region=US"}),
			oob.Expect("Tenant-A2", map[string]string{"provider_address_space": "DC-East", "custom_configuration": "Region=EU"}),
		)...),
		// Drop every optional attribute: IPAM must be cleared, not left as it was.
		acctest.Apply(cleared, spacesPlan(toUpdate, toUpdate), sameIDs(
			statecheck.ExpectKnownValue(accPA, atPath("custom_configuration"), knownvalue.MapSizeExact(0)),
			statecheck.ExpectKnownValue(accCA, atPath("tenant"), knownvalue.StringExact("")),
			oob.Expect("DC-West-2", map[string]string{"owner": "", "description": "", "custom_configuration": ""}),
			oob.Expect("Tenant-A2", map[string]string{"tenant": "", "vm_network": "", "owner": "", "description": "",
				"custom_configuration": "", "provider_address_space": "DC-East", "isolation_method": "IPRewrite"}),
		)...),
		// And back again from nothing: adding attributes is an update too.
		acctest.Apply(accSpaces(emu), spacesPlan(toUpdate, toUpdate), sameIDs(
			oob.Expect("DC-West", map[string]string{"owner": "netops", "custom_configuration": "Region=EU"}),
			oob.Expect("Tenant-A", map[string]string{"provider_address_space": "DC-West", "isolation_method": "NVGRE",
				"tenant": "4001", "vm_network": "vmnet-a", "custom_configuration": "CostCenter=100"}),
		)...),
		acctest.NoChanges(accSpaces(emu)),
	})
}

// TestAccAddressSpaceResource_driftChanged edits both spaces out of band; a refresh shows the
// drift as in-place updates, and applying puts back what the configuration says.
func TestAccAddressSpaceResource_driftChanged(t *testing.T) {
	emu, oob := acctest.StartWithOutOfBand(t, emulator.Config{})
	sameIDs := acctest.TrackIDs(compare.ValuesSame(), accPA, accCA)
	accTest(t, []resource.TestStep{
		{Config: accSpaces(emu), ConfigStateChecks: sameIDs()},
		{
			PreConfig: func() {
				oob.Change("DC-West", func(a *ipam.AddressSpace) {
					a.Owner = "someone-else"
					a.Description = "edited at the console"
					a.CustomConfiguration = ipam.CustomConfiguration{"Region": "US", "CostCenter": "1"}
				})
				oob.Change("Tenant-A", func(a *ipam.AddressSpace) {
					a.AssociatedProviderAddressSpace = "DC-East"
					a.IsolationMethod = ipam.IsolationIPRewrite
					a.Tenant = "9999"
					a.VMNetwork = "elsewhere"
					a.CustomConfiguration = nil
				})
			},
			Config:             accSpaces(emu),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				// Without a refresh Terraform cannot know; with one it plans to put things back.
				PostApplyPreRefresh: acctest.EmptyPlan(),
				PostApplyPostRefresh: append(spacesPlan(toUpdate, toUpdate),
					plancheck.ExpectKnownValue(accPA, atPath("owner"), knownvalue.StringExact("netops")),
					plancheck.ExpectKnownValue(accCA, atPath("provider_address_space"), knownvalue.StringExact("DC-West")),
				),
			},
		},
		acctest.Apply(accSpaces(emu), spacesPlan(toUpdate, toUpdate), sameIDs(
			oob.Expect("DC-West", map[string]string{"owner": "netops", "description": "west data centre",
				"custom_configuration": "Region=EU"}),
			oob.Expect("Tenant-A", map[string]string{"provider_address_space": "DC-West", "isolation_method": "NVGRE",
				"tenant": "4001", "vm_network": "vmnet-a", "custom_configuration": "CostCenter=100"}),
		)...),
	})
}

// TestAccAddressSpaceResource_driftDeleted deletes both spaces out of band: they drop out of the
// state on refresh and are planned for, and get, re-creation.
func TestAccAddressSpaceResource_driftDeleted(t *testing.T) {
	emu, oob := acctest.StartWithOutOfBand(t, emulator.Config{})
	newIDs := acctest.TrackIDs(compare.ValuesDiffer(), accPA, accCA)
	accTest(t, []resource.TestStep{
		{Config: accSpaces(emu), ConfigStateChecks: newIDs()},
		acctest.Drift(accSpaces(emu), func() { oob.Remove("Tenant-A", "DC-West") }, spacesPlan(toCreate, toCreate)...),
		acctest.Apply(accSpaces(emu), spacesPlan(toCreate, toCreate), newIDs(
			oob.ExpectStateID(accPA, "DC-West"),
			oob.ExpectStateID(accCA, "Tenant-A"),
			oob.Expect("Tenant-A", map[string]string{"provider_address_space": "DC-West", "tenant": "4001",
				"custom_configuration": "CostCenter=100"}),
		)...),
	})
}

// TestAccAddressSpaceResource_driftRenamed renames both spaces out of band. The resources follow
// them by InstanceID, so the plan renames them back in place rather than creating new ones; a
// change of case alone, on the server, is no drift at all.
func TestAccAddressSpaceResource_driftRenamed(t *testing.T) {
	emu, oob := acctest.StartWithOutOfBand(t, emulator.Config{})
	sameIDs := acctest.TrackIDs(compare.ValuesSame(), accPA, accCA)
	accTest(t, []resource.TestStep{
		{Config: accSpaces(emu), ConfigStateChecks: sameIDs()},
		acctest.Drift(accSpaces(emu), func() {
			oob.Change("DC-West", func(a *ipam.AddressSpace) { a.Name = "DC-Renamed" })
			oob.Change("Tenant-A", func(a *ipam.AddressSpace) { a.Name = "Tenant-Renamed" })
		}, append(spacesPlan(toUpdate, toUpdate),
			plancheck.ExpectKnownValue(accPA, atPath("name"), knownvalue.StringExact("DC-West")),
			plancheck.ExpectKnownValue(accCA, atPath("name"), knownvalue.StringExact("Tenant-A")),
		)...),
		acctest.Apply(accSpaces(emu), spacesPlan(toUpdate, toUpdate), sameIDs(
			oob.ExpectStateID(accPA, "DC-West"),
			oob.ExpectStateID(accCA, "Tenant-A"),
			oob.Expect("Tenant-A", map[string]string{"provider_address_space": "DC-West"}),
			oob.ExpectGone("DC-Renamed"),
			oob.ExpectGone("Tenant-Renamed"),
		)...),
		{
			// Somebody re-types the names, the isolation method and a custom field's name in
			// another case: IPAM sees the same objects, and so does Terraform.
			PreConfig: func() {
				oob.Change("DC-West", func(a *ipam.AddressSpace) {
					a.Name = "DC-WEST"
					a.CustomConfiguration = ipam.CustomConfiguration{"REGION": "EU"}
				})
				oob.Change("Tenant-A", func(a *ipam.AddressSpace) {
					a.Name = "tenant-a"
					a.IsolationMethod = "nvgre"
					a.CustomConfiguration = ipam.CustomConfiguration{"costcenter": "100"}
				})
			},
			Config:   accSpaces(emu),
			PlanOnly: true,
		},
	})
}

// TestAccAddressSpaceResource_import imports spaces that Terraform never created, by name in
// another case, then proves the import leaves nothing to change; it also imports with import
// blocks, by InstanceID, and with generated configuration.
func TestAccAddressSpaceResource_import(t *testing.T) {
	emu, oob := acctest.StartWithOutOfBand(t, emulator.Config{})
	paID := oob.AddProvider(ipam.AddressSpace{Name: "DC-West", Owner: "netops", Description: "west data centre",
		CustomConfiguration: ipam.CustomConfiguration{"Region": "EU"}}).InstanceID
	oob.AddProvider(ipam.AddressSpace{Name: "DC-East"})
	caID := oob.AddCustomer(ipam.AddressSpace{Name: "Tenant-A", AssociatedProviderAddressSpace: "DC-West",
		IsolationMethod: "NVGRE", Tenant: "4001", VMNetwork: "vmnet-a", Owner: "tenant-ops", Description: "tenant A",
		CustomConfiguration: ipam.CustomConfiguration{"CostCenter": "100"}}).InstanceID
	withImported := func(attrs map[string]string, id string) resource.ImportStateCheckFunc {
		return func(states []*terraform.InstanceState) error {
			var s *terraform.InstanceState
			for _, st := range states {
				if st.Attributes["id"] == id {
					s = st
				}
			}
			if s == nil {
				return fmt.Errorf("no imported resource has the InstanceID %q as its id", id)
			}
			var errs []error
			for k, v := range attrs {
				if s.Attributes[k] != v {
					errs = append(errs, fmt.Errorf("imported %s is %q, want %q", k, s.Attributes[k], v))
				}
			}
			return errors.Join(errs...)
		}
	}
	// adopt imports id into addr with terraform import, next to accSpaces, and keeps it in the state.
	adopt := func(addr, id string, check resource.ImportStateCheckFunc) resource.TestStep {
		return resource.TestStep{Config: accSpaces(emu), ResourceName: addr, ImportState: true, ImportStateId: id,
			ImportStatePersist: true, ImportStateCheck: check}
	}
	accTest(t, []resource.TestStep{
		adopt(accPA, "dc-WEST", withImported(map[string]string{"name": "DC-West", "owner": "netops",
			"description": "west data centre", "custom_configuration.Region": "EU", "custom_configuration.%": "1",
			"ipv4_utilization_status": "None"}, paID)),
		adopt(accPA2, "DC-EAST", nil),
		adopt(accCA, "TENANT-a", withImported(map[string]string{"name": "Tenant-A", "provider_address_space": "DC-West",
			"isolation_method": "NVGRE", "tenant": "4001", "vm_network": "vmnet-a", "owner": "tenant-ops",
			"description": "tenant A", "custom_configuration.CostCenter": "100"}, caID)),
		// The imported state matches the configuration exactly.
		acctest.NoChanges(accSpaces(emu)),
		acctest.Apply(accSpaces(emu), acctest.EmptyPlan(),
			statecheck.ExpectKnownValue(accPA, atPath("id"), knownvalue.StringExact(paID)),
			statecheck.ExpectKnownValue(accCA, atPath("id"), knownvalue.StringExact(caID)),
		),
		// terraform import by name in another case yields what the state holds; and by
		// InstanceID, for scripts that know it.
		acctest.ImportVerify(accPA, "DC-west"),
		acctest.ImportVerify(accCA, "tenant-A"),
		acctest.ImportVerify(accCA, caID),
		// An import block planned against the configuration: a no-op import.
		acctest.ImportBlock(accPA, "dc-west"),
		acctest.ImportBlock(accCA, "Tenant-A", plancheck.ExpectKnownValue(accCA, atPath("id"), knownvalue.StringExact(caID))),
		// terraform plan -generate-config-out: the generated block plans as a no-op import.
		acctest.ImportGenerated(emu.ProviderBlock(), accPA, "DC-WEST",
			plancheck.ExpectKnownValue("ipam_provider_address_space.generated", atPath("name"), knownvalue.StringExact("DC-West")),
			plancheck.ExpectKnownValue("ipam_provider_address_space.generated", atPath("custom_configuration"), acctest.StringMap(map[string]string{"Region": "EU"})),
		),
		acctest.ImportGenerated(emu.ProviderBlock(), accCA, "tenant-a",
			plancheck.ExpectKnownValue("ipam_customer_address_space.generated", atPath("provider_address_space"), knownvalue.StringExact("DC-West")),
			plancheck.ExpectKnownValue("ipam_customer_address_space.generated", atPath("isolation_method"), knownvalue.StringExact("NVGRE")),
		),
	})
}

// TestAccAddressSpaceResource_importErrors imports into the wrong resource type and imports a name
// IPAM does not have.
func TestAccAddressSpaceResource_importErrors(t *testing.T) {
	emu := acctest.StartEmulator(t, emulator.Config{})
	const byCommand, byBlock = resource.ImportCommandWithID, resource.ImportBlockWithID
	accTest(t, []resource.TestStep{
		{Config: accSpaces(emu)},
		acctest.ImportFails(byCommand, accPA, "tenant-a",
			acctest.ErrorText(`Address space "Tenant-A" is a customer address space Import it into ipam_customer_address_space instead.`)),
		acctest.ImportFails(byCommand, accCA, "DC-West",
			acctest.ErrorText(`Address space "DC-West" is a provider address space Import it into ipam_provider_address_space instead.`)),
		acctest.ImportFails(byBlock, accPA, "Tenant-A", acctest.ErrorText(`Import it into ipam_customer_address_space instead.`)),
		acctest.ImportFails(byCommand, accPA, "No-Such-Space", acctest.ErrorText(`No address space named "No-Such-Space"`)),
		acctest.ImportFails(byCommand, accCA, "{00000000-0000-0000-0000-000000000000}",
			acctest.ErrorText(`No address space named "{00000000-0000-0000-0000-000000000000}"`)),
		acctest.ImportFails(byBlock, accCA, "No-Such-Space", acctest.ErrorText(`No address space named "No-Such-Space"`)),
	})
}

// emulatorModes are the two ways IPAM may report a failed Add (undocumented), which the client
// must both understand.
var emulatorModes = []struct {
	name string
	cfg  emulator.Config
}{
	{"fault", emulator.Config{}},
	{"return-value", emulator.Config{ErrorsAsReturnValue: true}},
}

// TestAccAddressSpaceResource_createExisting creates spaces whose names IPAM already has (in
// another case): the error says so and tells how to import them.
func TestAccAddressSpaceResource_createExisting(t *testing.T) {
	for _, mode := range emulatorModes {
		t.Run(mode.name, func(t *testing.T) {
			emu, oob := acctest.StartWithOutOfBand(t, mode.cfg)
			accTest(t, []resource.TestStep{
				{
					PreConfig: func() {
						oob.AddProvider(ipam.AddressSpace{Name: "DC-West"})
						oob.AddCustomer(ipam.AddressSpace{Name: "Tenant-A", AssociatedProviderAddressSpace: "DC-West", IsolationMethod: "NVGRE"})
					},
					Config: emu.ProviderBlock() + `
resource "ipam_provider_address_space" "pa" {
  name = "dc-west"
}
`,
					ExpectError: acctest.ErrorsInOrder(`Cannot create address space "dc-west"`, `already`,
						`terraform import ipam_provider_address_space.<name> "dc-west"`),
				},
				{
					Config: emu.ProviderBlock() + `
resource "ipam_customer_address_space" "ca" {
  name                   = "TENANT-A"
  provider_address_space = "DC-West"
  isolation_method       = "NVGRE"
}
`,
					ExpectError: acctest.ErrorsInOrder(`already`, `terraform import ipam_customer_address_space.<name> "TENANT-A"`),
				},
				// Nothing was created, so nothing is in the state; the out-of-band objects stay.
				acctest.Apply(emu.ProviderBlock(), acctest.EmptyPlan(),
					oob.Expect("DC-West", map[string]string{"name": "DC-West"}),
					oob.Expect("Tenant-A", map[string]string{"name": "Tenant-A"}),
				),
			})
		})
	}
}

// TestAccAddressSpaceResource_missingProviderSpace creates, and moves, a customer space onto a
// provider space that does not exist: IPAM's reason reaches the user.
func TestAccAddressSpaceResource_missingProviderSpace(t *testing.T) {
	for _, mode := range emulatorModes {
		t.Run(mode.name, func(t *testing.T) {
			emu, oob := acctest.StartWithOutOfBand(t, mode.cfg)
			// With a fault IPAM says why; with only a return value there is a code and the hint.
			createErr := `the provider address space "Nowhere" does not exist`
			if mode.cfg.ErrorsAsReturnValue {
				createErr = `Check that the provider address space it names exists.`
			}
			onNowhere := strings.Replace(accSpaces(emu), "ipam_provider_address_space.pa.name", `"Nowhere"`, 1)
			accTest(t, []resource.TestStep{
				{
					Config: emu.ProviderBlock() + `
resource "ipam_customer_address_space" "ca" {
  name                   = "Tenant-A"
  provider_address_space = "Nowhere"
  isolation_method       = "NVGRE"
}
`,
					ExpectError: acctest.ErrorsInOrder(`Cannot create address space "Tenant-A"`, createErr),
				},
				{Config: accSpaces(emu)},
				{
					// Bulk updates carry IPAM's message per item, whichever way Adds report.
					Config:      onNowhere,
					ExpectError: acctest.ErrorsInOrder(`Cannot update address space "Tenant-A"`, `the provider address space "Nowhere" does not exist`),
				},
				// The failed update changed nothing, on the server or in the state.
				acctest.Apply(accSpaces(emu), acctest.EmptyPlan(), oob.Expect("Tenant-A", map[string]string{"provider_address_space": "DC-West"})),
			})
		})
	}
}

// TestAccAddressSpaceResource_deleteInUse removes a provider space that somebody has put a customer
// space on: IPAM refuses and says why; once the customer space is gone the removal succeeds.
func TestAccAddressSpaceResource_deleteInUse(t *testing.T) {
	emu, oob := acctest.StartWithOutOfBand(t, emulator.Config{})
	paOnly := emu.ProviderBlock() + `
resource "ipam_provider_address_space" "pa" {
  name = "DC-West"
}
`
	accTest(t, []resource.TestStep{
		{Config: paOnly},
		{
			PreConfig: func() {
				oob.AddCustomer(ipam.AddressSpace{Name: "Rogue", AssociatedProviderAddressSpace: "DC-West", IsolationMethod: "NVGRE"})
			},
			Config: emu.ProviderBlock(),
			ExpectError: acctest.ErrorsInOrder(`Cannot delete address space "DC-West"`,
				`the provider address space "DC-West" cannot be removed because 1 customer address space(s) are associated with it`,
				`remove or move its customer address spaces`),
		},
		// The refused delete left it in IPAM and in the state.
		acctest.NoChanges(paOnly),
		{
			PreConfig: func() { oob.Remove("Rogue") },
			Config:    emu.ProviderBlock(),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: acctest.Actions(
				accPA, plancheck.ResourceActionDestroy,
			)},
			ConfigStateChecks: []statecheck.StateCheck{oob.ExpectGone("DC-West")},
		},
	})
}

// TestAccAddressSpaceResource_deleteAlreadyGone deletes spaces that somebody already deleted.
func TestAccAddressSpaceResource_deleteAlreadyGone(t *testing.T) {
	for _, tc := range []struct {
		name      string
		noRefresh bool
		removed   []string // out of band, after accSpaces is applied
		step      func(emu *acctest.Emulator, oob *acctest.OutOfBand) resource.TestStep
	}{
		// With -refresh=false Terraform still believes in them and calls Delete: gone is success.
		{"planned-without-refresh", true, []string{"Tenant-A", "DC-West", "DC-East"}, func(emu *acctest.Emulator, oob *acctest.OutOfBand) resource.TestStep {
			return acctest.Apply(emu.ProviderBlock(), acctest.Actions(
				accPA, plancheck.ResourceActionDestroy,
				accPA2, plancheck.ResourceActionDestroy,
				accCA, plancheck.ResourceActionDestroy,
			), oob.ExpectGone("DC-West"), oob.ExpectGone("Tenant-A"))
		}},
		{"destroy", false, []string{"Tenant-A", "DC-West"}, func(emu *acctest.Emulator, _ *acctest.OutOfBand) resource.TestStep {
			return resource.TestStep{Config: accSpaces(emu), Destroy: true}
		}},
		// With a refresh they simply leave the state: nothing to delete, no error.
		{"refreshed-away", false, []string{"Tenant-A", "DC-West"}, func(emu *acctest.Emulator, _ *acctest.OutOfBand) resource.TestStep {
			return acctest.Apply(emu.ProviderBlock()+`resource "ipam_provider_address_space" "pa2" { name = "DC-East" }`, acctest.EmptyPlan())
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			emu, oob := acctest.StartWithOutOfBand(t, emulator.Config{})
			gone := tc.step(emu, oob)
			gone.PreConfig = func() { oob.Remove(tc.removed...) }
			var cli *resource.AdditionalCLIOptions
			if tc.noRefresh {
				cli = &resource.AdditionalCLIOptions{Plan: resource.PlanOptions{NoRefresh: true}}
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				AdditionalCLIOptions:     cli,
				Steps:                    []resource.TestStep{{Config: accSpaces(emu)}, gone},
			})
		})
	}
}

// TestAccAddressSpaceResource_readFault makes every read fail on the server side: the refresh
// fails with a diagnostic that names the space and says what went wrong, without raw XML; once the
// server recovers, nothing has changed.
func TestAccAddressSpaceResource_readFault(t *testing.T) {
	for _, tc := range []struct {
		kind   emulator.FaultKind
		reason string
	}{
		{emulator.FaultQuota, `maximum number of concurrent operations`},
		{emulator.FaultUnavailable, `answered HTTP 503 Service Unavailable`},
		{emulator.FaultEmpty500, `refuses unencrypted traffic`},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			emu := acctest.StartEmulator(t, emulator.Config{})
			faulted, sawFault := false, false
			want := []*regexp.Regexp{acctest.ErrorText(`Cannot read address space "DC-West"`), acctest.ErrorText(tc.reason)}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				// Only the faulted step may fail, and only with a readable diagnostic.
				ErrorCheck: func(err error) error {
					if !faulted {
						return err
					}
					msg := err.Error()
					for _, re := range want {
						if !re.MatchString(msg) {
							return fmt.Errorf("the diagnostic does not match %q: %w", re, err)
						}
					}
					if acctest.RawXML.MatchString(msg) {
						return fmt.Errorf("the diagnostic shows raw XML: %w", err)
					}
					t.Logf("read fault diagnostic, as expected: %s", msg)
					sawFault = true
					return nil
				},
				Steps: []resource.TestStep{
					{Config: accSpaces(emu)},
					{
						PreConfig: func() {
							faulted = true
							emu.InjectFault(emulator.FaultRule{Kind: tc.kind, Action: "Enumerate"})
						},
						Config:   accSpaces(emu),
						PlanOnly: true,
					},
					{
						PreConfig: func() {
							if !sawFault {
								t.Fatal("the refresh succeeded although every read fails")
							}
							faulted = false
							emu.ClearFaults()
						},
						Config:           accSpaces(emu),
						PlanOnly:         true,
						ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: acctest.EmptyPlan()},
					},
				},
			})
		})
	}
}

// TestAccAddressSpaceResource_validation checks that every bad value is refused at plan time, with a
// message that says what is wrong, before anything is sent to IPAM.
func TestAccAddressSpaceResource_validation(t *testing.T) {
	pa := func(attrs string) string {
		return "resource \"ipam_provider_address_space\" \"pa\" {\n" + attrs + "\n}\n"
	}
	ca := func(attrs string) string {
		return "resource \"ipam_customer_address_space\" \"ca\" {\n" + attrs + "\n}\n"
	}
	caBase := `  name = "Tenant-A"
  provider_address_space = "DC-West"
  isolation_method = "NVGRE"
`
	long := func(n int) string { return strings.Repeat("x", n) }
	cases := []struct {
		name   string
		config string // resources; the provider block is added
		want   string
	}{
		{"blank-name", pa(`name = "   "`), `address space name must not be empty or blank`},
		{"empty-name", ca(`name = ""
  provider_address_space = "DC-West"
  isolation_method = "NVGRE"`), `address space name must not be empty or blank`},
		{"long-name", pa(fmt.Sprintf("name = %q", long(1001))), `address space name is 1001 characters long; the limit is 1000`},
		{"long-name-utf16", pa(fmt.Sprintf("name = %q", strings.Repeat("😀", 501))), `address space name is 1002 characters long`},
		{"long-description", pa(fmt.Sprintf("name = \"DC-West\"\n  description = %q", long(4001))), `The value is 4001 characters long; IPAM accepts at most 4000.`},
		{"long-owner", ca(caBase + fmt.Sprintf("  owner = %q", long(1001))), `The value is 1001 characters long; IPAM accepts at most 1000.`},
		{"isolation-method", ca(`name = "Tenant-A"
  provider_address_space = "DC-West"
  isolation_method = "VLAN"`), `value must be one of: ["NVGRE" "IPRewrite"], got: "VLAN"`},
		{"blank-provider-space", ca(`name = "Tenant-A"
  provider_address_space = " "
  isolation_method = "NVGRE"`), `address space name must not be empty or blank`},
		{"custom-key-semicolon", pa("name = \"DC-West\"\n  custom_configuration = { \"Re;gion\" = \"EU\" }"), `custom field name "Re;gion" contains ';' or '='`},
		{"custom-key-equals", ca(caBase + `  custom_configuration = { "Re=gion" = "EU" }`), `custom field name "Re=gion" contains ';' or '='`},
		{"custom-value-semicolon", pa("name = \"DC-West\"\n  custom_configuration = { Region = \"EU;US\" }"), `value of custom field "Region" contains ';' or '='`},
		{"custom-value-equals", ca(caBase + `  custom_configuration = { Region = "EU=US" }`), `value of custom field "Region" contains ';' or '='`},
		{"custom-builtin-tenant", ca(caBase + `  custom_configuration = { Tenant = "4001" }`), `"Tenant" is an IPAM built-in field; set it with the resource's own attribute`},
		{"custom-builtin-case", pa("name = \"DC-West\"\n  custom_configuration = { isolationmethod = \"NVGRE\" }"), `"isolationmethod" is an IPAM built-in field`},
		{"custom-keys-differ-in-case", pa("name = \"DC-West\"\n  custom_configuration = { Region = \"EU\", REGION = \"US\" }"), `differ only in case`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			emu := acctest.StartEmulator(t, emulator.Config{})
			accTest(t, []resource.TestStep{acctest.PlanFails(emu.ProviderBlock()+tc.config, acctest.ErrorText(tc.want))})
		})
	}
}

// TestAccAddressSpaceResource_providerValidation checks the provider block's own rules, and that
// credentials are not sent in clear text to a host that is not loopback.
func TestAccAddressSpaceResource_providerValidation(t *testing.T) {
	const space = `
resource "ipam_provider_address_space" "pa" {
  name = "DC-West"
}
`
	provider := func(attrs string) string {
		return "provider \"ipam\" {\n  username = \"admin\"\n  password = \"secret\"\n" + attrs + "\n}\n" + space
	}
	cases := []struct {
		name   string
		config string
		want   *regexp.Regexp // nil: the provider configures, and the plan creates the space
	}{
		{"client-cert-without-key", provider(`  endpoint = "https://ipam.invalid:5986/wsman"
  auth = "certificate"
  client_cert = "-----BEGIN CERTIFICATE-----"`), acctest.ErrorText(`These attributes must be configured together: [client_cert,client_key]`)},
		{"kerberos-block-with-basic", provider(`  endpoint = "https://ipam.invalid:5986/wsman"
  auth = "basic"
  kerberos {
    realm = "CORP.EXAMPLE"
  }`), acctest.ErrorText(`The kerberos block only applies with auth = "kerberos", but auth is "basic".`)},
		{"timeout", provider(`  endpoint = "https://ipam.invalid:5986/wsman"
  timeout = "soon"`), acctest.ErrorText(`"soon" is not a positive duration such as 60s or 2m.`)},
		{"negative-timeout", provider(`  endpoint = "https://ipam.invalid:5986/wsman"
  timeout = "-5s"`), acctest.ErrorText(`"-5s" is not a positive duration`)},
		{"max-envelope-size", provider(`  endpoint = "https://ipam.invalid:5986/wsman"
  max_envelope_size = 100`), acctest.ErrorText(`value must be between 8192 and 1073741824, got: 100`)},
		{"max-concurrent-requests", provider(`  endpoint = "https://ipam.invalid:5986/wsman"
  max_concurrent_requests = 0`), acctest.ErrorText(`value must be between 1 and 1000, got: 0`)},
		{"auth", provider(`  endpoint = "https://ipam.invalid:5986/wsman"
  auth = "digest"`), acctest.ErrorText(`value must be one of: ["ntlm" "basic" "kerberos" "certificate"], got: "digest"`)},
		{"unencrypted-remote", provider(`  endpoint = "http://ipam.invalid:5985/wsman"
  auth = "basic"`), acctest.ErrorText(`refusing to send Basic credentials over unencrypted HTTP to http://ipam.invalid:5985/wsman`)},
		{"unencrypted-remote-hint", provider("  endpoint = \"http://ipam.invalid:5985/wsman\"\n  auth = \"basic\""),
			regexp.MustCompile(`(?s)Cannot configure the IPAM provider.*auth = "ntlm".*allow_unencrypted`)},
		// NTLM over http:// seals every message, so it needs no allow_unencrypted; planning a create
		// sends nothing yet.
		{"remote-http-ntlm-seals", provider("  endpoint = \"http://ipam.invalid:5985/wsman\""), nil},
		// With allow_unencrypted the provider configures; planning a create sends nothing yet.
		{"unencrypted-remote-allowed", provider("  endpoint = \"http://ipam.invalid:5985/wsman\"\n  auth = \"basic\"\n  allow_unencrypted = true"), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			accTest(t, []resource.TestStep{{Config: tc.config, PlanOnly: true, ExpectError: tc.want, ExpectNonEmptyPlan: tc.want == nil}})
		})
	}
}

// TestAccAddressSpaceResource_caseInsensitive writes names, the provider space, the isolation method
// and custom field names in another case than IPAM holds them: IPAM sees the same objects, so there
// is nothing to change.
func TestAccAddressSpaceResource_caseInsensitive(t *testing.T) {
	emu, oob := acctest.StartWithOutOfBand(t, emulator.Config{})
	sameIDs := acctest.TrackIDs(compare.ValuesSame(), accPA, accCA)
	recased := recased.Replace(accSpaces(emu))
	accTest(t, []resource.TestStep{
		{Config: accSpaces(emu), ConfigStateChecks: sameIDs()},
		acctest.NoChanges(recased),
		acctest.Apply(recased, acctest.EmptyPlan(), sameIDs(
			oob.Expect("DC-West", map[string]string{"name": "DC-West", "custom_configuration": "Region=EU"}),
		)...),
		// A real change next to case-only ones updates only what changed.
		acctest.Apply(strings.Replace(recased, `owner                = "netops"`, `owner                = "netops-2"`, 1), spacesPlan(toUpdate, untouched),
			oob.Expect("DC-West", map[string]string{"name": "DC-West", "owner": "netops-2"})),
	})
}

// TestAccAddressSpaceResource_createCaseInsensitive creates spaces with a configuration that spells
// the provider space, the isolation method and custom fields unlike IPAM: no diff follows.
func TestAccAddressSpaceResource_createCaseInsensitive(t *testing.T) {
	emu, oob := acctest.StartWithOutOfBand(t, emulator.Config{})
	config := emu.Config("main.tf")
	accTest(t, []resource.TestStep{
		{
			Config: config,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(accCA, atPath("provider_address_space"), knownvalue.StringExact("dc-west")),
				statecheck.ExpectKnownValue(accCA, atPath("isolation_method"), knownvalue.StringExact("iprewrite")),
				oob.Expect("Tenant-A", map[string]string{"provider_address_space": "DC-West", "isolation_method": "IPRewrite"}),
			},
		},
		acctest.NoChanges(config),
	})
}

// TestAccAddressSpaceResource_ambiguousOutcome drops the connection after IPAM has acted on a
// create, an update and a delete, so the provider cannot know the outcome: each converges without
// an error, without a duplicate, and with the state matching IPAM.
func TestAccAddressSpaceResource_ambiguousOutcome(t *testing.T) {
	reqs := &acctest.RequestLog{}
	emu, oob := acctest.StartWithOutOfBand(t, emulator.Config{Logger: reqs.Logger()})
	dropAfter := func(method string) {
		t.Helper()
		emu.InjectFault(emulator.FaultRule{Kind: emulator.FaultDropAfter, Action: method, Count: 1})
	}
	accTest(t, []resource.TestStep{
		{
			PreConfig: func() {
				reqs.Reset()
				dropAfter("AddProviderAddressSpace")
				dropAfter("AddCustomerAddressSpace")
			},
			Config: accSpaces(emu),
			ConfigStateChecks: []statecheck.StateCheck{
				// Two provider spaces were added, one answer was lost; the lost customer Add was
				// not sent again (it would have failed: the name exists) but read back.
				reqs.ExpectAnswered("AddProviderAddressSpace", func(n int) bool { return n == 1 }, "1"),
				reqs.ExpectAnswered("AddCustomerAddressSpace", func(n int) bool { return n == 0 }, "0"),
				oob.ExpectStateID(accPA, "DC-West"),
				oob.ExpectStateID(accPA2, "DC-East"),
				oob.ExpectStateID(accCA, "Tenant-A"),
				oob.Expect("Tenant-A", map[string]string{"tenant": "4001", "custom_configuration": "CostCenter=100"}),
			},
		},
		{
			PreConfig: func() {
				reqs.Reset()
				dropAfter("BulkAddOrUpdateAddressSpace")
			},
			Config: strings.Replace(accSpaces(emu), `owner                = "netops"`, `owner                = "netops-2"`, 1),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: acctest.Actions(
				accPA, plancheck.ResourceActionUpdate,
			)},
			ConfigStateChecks: []statecheck.StateCheck{
				reqs.ExpectAnswered("BulkAddOrUpdateAddressSpace", func(n int) bool { return n == 1 }, "1 (the repeat of the lost one)"),
				oob.Expect("DC-West", map[string]string{"owner": "netops-2"}),
			},
		},
		{
			PreConfig: func() {
				reqs.Reset()
				dropAfter("BulkDeleteAddressSpace")
			},
			Config: emu.ProviderBlock() + `resource "ipam_provider_address_space" "pa2" { name = "DC-East" }`,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: acctest.Actions(
				accPA, plancheck.ResourceActionDestroy,
				accCA, plancheck.ResourceActionDestroy,
			)},
			ConfigStateChecks: []statecheck.StateCheck{
				// Two deletes, one answer lost and its repeat found nothing: still success.
				reqs.ExpectAnswered("BulkDeleteAddressSpace", func(n int) bool { return n == 2 }, "2"),
				oob.ExpectGone("DC-West"),
				oob.ExpectGone("Tenant-A"),
			},
		},
	})
}

// TestAccAddressSpaceResource_renameCollision renames a space to a name somebody else has taken
// (in another case): IPAM refuses, and neither IPAM nor the state changes.
func TestAccAddressSpaceResource_renameCollision(t *testing.T) {
	emu, oob := acctest.StartWithOutOfBand(t, emulator.Config{})
	config := func(name string) string {
		return emu.ProviderBlock() + fmt.Sprintf(`
resource "ipam_provider_address_space" "pa" {
  name = %q
}
`, name)
	}
	reason := acctest.ErrorsInOrder(`Cannot update address space "dc-north"`, `an address space named "DC-North" already exists`)
	collided, sawErr := false, false
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		// The rename must fail with IPAM's reason, and must not tell the user to import the other
		// space: importing it is no way to rename this one.
		ErrorCheck: func(err error) error {
			if !collided {
				return err
			}
			if !reason.MatchString(err.Error()) {
				return fmt.Errorf("the diagnostic does not match %q: %w", reason, err)
			}
			if strings.Contains(err.Error(), "terraform import") {
				return fmt.Errorf("BUG: a rename onto a taken name advises importing the other address space: %w", err)
			}
			sawErr = true
			return nil
		},
		Steps: []resource.TestStep{
			{Config: config("DC-West")},
			{
				PreConfig: func() {
					oob.AddProvider(ipam.AddressSpace{Name: "DC-North", Owner: "somebody"})
					collided = true
				},
				Config: config("dc-north"),
			},
			{
				PreConfig: func() {
					if !sawErr {
						t.Fatal("renaming onto a name IPAM already has did not fail")
					}
					collided = false
				},
				Config:           config("DC-West"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{
					oob.ExpectStateID(accPA, "DC-West"),
					oob.Expect("DC-North", map[string]string{"owner": "somebody"}),
				},
			},
		},
	})
}

// TestAccAddressSpaceResource_generateConfigCLI runs what a user runs, outside the test
// framework: the provider binary built from main.go and found through a dev_overrides CLI
// configuration (so no terraform init), import blocks, terraform plan -generate-config-out, then
// apply, a plan that must show no changes (-detailed-exitcode 0), and destroy.
func TestAccAddressSpaceResource_generateConfigCLI(t *testing.T) {
	cli, emu, oob := acctest.StartCLI(t, emulator.Config{})
	pa := oob.AddProvider(ipam.AddressSpace{Name: "DC-West", Owner: "netops", Description: "west data centre",
		CustomConfiguration: ipam.CustomConfiguration{"Region": "EU"}})
	ca := oob.AddCustomer(ipam.AddressSpace{Name: "Tenant-A", AssociatedProviderAddressSpace: "DC-West", IsolationMethod: "IPRewrite",
		Tenant: "4001", VMNetwork: "vmnet-a", CustomConfiguration: ipam.CustomConfiguration{"CostCenter": "100"}})

	cli.Write(emu.ProviderBlock() + acctest.HCL(t, "imports.tf"))

	generated := cli.GenerateConfig(2, "id", "ipv4_utilization_percent", "access_scope_path")
	acctest.ExpectMatches(t, "generated.tf", generated,
		`resource "ipam_provider_address_space" "west" \{`,
		`resource "ipam_customer_address_space" "tenant" \{`,
		`name\s+=\s+"DC-West"`,
		`provider_address_space\s+=\s+"DC-West"`,
		`isolation_method\s+=\s+"IPRewrite"`,
		`Region\s+=\s+"EU"`,
	)

	cli.MustSucceed("apply", "-input=false", "-no-color", "-auto-approve")
	cli.MustSucceed("plan", "-input=false", "-no-color", "-detailed-exitcode")
	state, err := cli.State()
	if err != nil {
		t.Fatal(err)
	}
	acctest.RunChecks(t, state,
		// The imported customer space's state carries its InstanceID.
		statecheck.ExpectKnownValue("ipam_customer_address_space.tenant", atPath("id"), knownvalue.StringExact(ca.InstanceID)),
		oob.Expect("DC-West", map[string]string{"id": pa.InstanceID, "owner": "netops", "custom_configuration": "Region=EU"}),
		oob.Expect("Tenant-A", map[string]string{"id": ca.InstanceID, "tenant": "4001", "isolation_method": "IPRewrite"}),
	)

	// The generated customer space names its provider space literally, so Terraform sees no
	// dependency between them and deletes both at once: the provider space's delete waits for
	// the customer space to go.
	cli.MustSucceed("destroy", "-input=false", "-no-color", "-auto-approve")
	acctest.RunChecks(t, nil, oob.ExpectGone("DC-West"), oob.ExpectGone("Tenant-A"))
}

// TestAccAddressSpaceResource_updateGone updates spaces that somebody deleted after Terraform last
// looked (a plan made with -refresh=false): the update fails with IPAM's reason. (A refreshed plan
// re-creates them: TestAccAddressSpaceResource_driftDeleted.)
func TestAccAddressSpaceResource_updateGone(t *testing.T) {
	emu, oob := acctest.StartWithOutOfBand(t, emulator.Config{})
	changed := strings.Replace(strings.Replace(accSpaces(emu),
		`owner                = "netops"`, `owner                = "netops-2"`, 1),
		`tenant                 = "4001"`, `tenant                 = "4002"`, 1)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		AdditionalCLIOptions:     &resource.AdditionalCLIOptions{Plan: resource.PlanOptions{NoRefresh: true}},
		Steps: []resource.TestStep{
			{Config: accSpaces(emu)},
			{
				PreConfig:   func() { oob.Remove("Tenant-A", "DC-West") },
				Config:      changed,
				ExpectError: acctest.ErrorsInOrder(`Cannot update address space "DC-West"`, `no address space has InstanceID`),
			},
		},
	})
}

// needIdentity skips a test case below Terraform 1.12, the first to store resource identities,
// naming the version found.
var needIdentity = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)}

// identityIs checks that a resource's identity is exactly {id = *id}.
func identityIs(addr string, id *string) statecheck.StateCheck {
	return statecheck.ExpectIdentity(addr, map[string]knownvalue.Check{"id": acctest.StringEqual(id)})
}

// recordID keeps a resource's id from the state, for the checks after it.
func recordID(addr string, into *string) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(addr, atPath("id"), knownvalue.StringFunc(func(v string) error {
		*into = v
		return nil
	}))
}

// TestAccAddressSpaceResource_identity creates both resources and checks that their identity is
// the server's InstanceID; renames the provider space and moves the customer space to another
// provider space in place, and checks that neither identity changed; then imports both by
// identity with import blocks, as no-op imports of what the state holds.
func TestAccAddressSpaceResource_identity(t *testing.T) {
	emu, oob := acctest.StartWithOutOfBand(t, emulator.Config{})
	var paID, caID string
	renamed := strings.Replace(strings.Replace(accSpaces(emu),
		`name                 = "DC-West"`, `name                 = "DC-North"`, 1),
		`provider_address_space = ipam_provider_address_space.pa.name`, `provider_address_space = ipam_provider_address_space.pa2.name`, 1)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		TerraformVersionChecks:   needIdentity,
		Steps: []resource.TestStep{
			{
				Config: accSpaces(emu),
				ConfigStateChecks: []statecheck.StateCheck{
					recordID(accPA, &paID), recordID(accCA, &caID),
					oob.ExpectStateID(accPA, "DC-West"), oob.ExpectStateID(accCA, "Tenant-A"),
					identityIs(accPA, &paID), identityIs(accCA, &caID),
					statecheck.ExpectIdentityValueMatchesState(accPA2, atPath("id")),
				},
			},
			acctest.Apply(renamed, spacesPlan(toUpdate, toUpdate),
				statecheck.ExpectKnownValue(accPA, atPath("id"), acctest.StringEqual(&paID)),
				statecheck.ExpectKnownValue(accCA, atPath("id"), acctest.StringEqual(&caID)),
				oob.ExpectStateID(accPA, "DC-North"),
				oob.Expect("Tenant-A", map[string]string{"provider_address_space": "DC-East"}),
				identityIs(accPA, &paID), identityIs(accCA, &caID),
			),
			// A refresh keeps the identity too (the framework fails one that changes it).
			acctest.Apply(renamed, acctest.EmptyPlan(), identityIs(accPA, &paID), identityIs(accCA, &caID)),
			// Import blocks with identity = { id = ... }, planned against the configuration.
			importByIdentity(renamed, accPA, "name", "DC-North"),
			importByIdentity(renamed, accCA, "provider_address_space", "DC-East"),
		},
	})
}

// importByIdentity imports a resource of the state with an import block naming its identity, and
// checks one attribute of the planned import.
func importByIdentity(config, addr, attr, want string) resource.TestStep {
	return resource.TestStep{
		Config:          config,
		ResourceName:    addr,
		ImportState:     true,
		ImportStateKind: resource.ImportBlockWithResourceIdentity,
		ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectKnownValue(addr, atPath(attr), knownvalue.StringExact(want)),
		}},
	}
}

// TestAccAddressSpaceResource_importByIdentity writes what a user writes: import blocks naming
// address spaces made by hand by their identity. A space of the other type and an InstanceID IPAM
// does not have are refused with what to do; the right ones import, plan clean, and keep their
// identity.
func TestAccAddressSpaceResource_importByIdentity(t *testing.T) {
	emu, oob := acctest.StartWithOutOfBand(t, emulator.Config{})
	pa := oob.AddProvider(ipam.AddressSpace{Name: "DC-West", Owner: "netops"})
	ca := oob.AddCustomer(ipam.AddressSpace{Name: "Tenant-A", AssociatedProviderAddressSpace: "DC-West", IsolationMethod: "NVGRE", Tenant: "4001"})
	config := func(paIdentity, caIdentity string) string {
		return emu.ProviderBlock() + fmt.Sprintf(`
import {
  to       = ipam_provider_address_space.pa
  identity = { id = %q }
}

import {
  to       = ipam_customer_address_space.ca
  identity = { id = %q }
}

resource "ipam_provider_address_space" "pa" {
  name  = "DC-West"
  owner = "netops"
}

resource "ipam_customer_address_space" "ca" {
  name                   = "Tenant-A"
  provider_address_space = ipam_provider_address_space.pa.name
  isolation_method       = "NVGRE"
  tenant                 = "4001"
}
`, paIdentity, caIdentity)
	}
	const unknownID = "{00000000-0000-0000-0000-000000000000}"
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		TerraformVersionChecks:   needIdentity,
		Steps: []resource.TestStep{
			{
				Config:      config(ca.InstanceID, ca.InstanceID),
				ExpectError: acctest.ErrorText(`Address space "Tenant-A" is a customer address space Import it into ipam_customer_address_space instead.`),
			},
			{
				Config:      config(pa.InstanceID, unknownID),
				ExpectError: acctest.ErrorText(`No address space has InstanceID ` + unknownID),
			},
			acctest.Apply(config(pa.InstanceID, ca.InstanceID), acctest.Actions(accPA, untouched, accCA, untouched),
				statecheck.ExpectKnownValue(accPA, atPath("id"), knownvalue.StringExact(pa.InstanceID)),
				statecheck.ExpectKnownValue(accCA, atPath("id"), knownvalue.StringExact(ca.InstanceID)),
				identityIs(accPA, &pa.InstanceID), identityIs(accCA, &ca.InstanceID),
			),
			acctest.NoChanges(config(pa.InstanceID, ca.InstanceID)),
		},
		CheckDestroy: acctest.OnDestroy(oob.ExpectGone("Tenant-A")),
	})
}

// TestAccAddressSpaceResource_identityUpgradeCLI is a user's first run after upgrading to
// Terraform 1.12 or later, with a state an older Terraform wrote: no identities. One address space
// was deleted by hand meanwhile. The plan re-creates it without an error (the framework wants an
// identity even from a Read that removes the resource), the apply gives every resource an
// identity, and the next plan is clean.
func TestAccAddressSpaceResource_identityUpgradeCLI(t *testing.T) {
	cli, emu, oob := startCLISince(t, "resource identity", 1, 12)
	cli.Write(accSpaces(emu))
	cli.MustSucceed("apply", "-auto-approve", "-input=false", "-no-color")
	stateFile := filepath.Join(cli.Dir, "terraform.tfstate")
	if n := stateIdentities(t, stateFile, true); n != 3 {
		t.Fatalf("the state held %d identities, want 3 (one per address space)", n)
	}
	oob.Remove("Tenant-A")

	code, out := cli.Run("plan", "-detailed-exitcode", "-input=false", "-no-color")
	if code != 2 || !strings.Contains(out, "Plan: 1 to add, 0 to change, 0 to destroy.") {
		t.Fatalf("plan after the upgrade: exit %d, want 2 and one address space to add:\n%s", code, out)
	}
	cli.MustSucceed("apply", "-auto-approve", "-input=false", "-no-color")
	if n := stateIdentities(t, stateFile, false); n != 3 {
		t.Fatalf("after the apply the state holds %d identities, want 3", n)
	}
	if code, out := cli.Run("plan", "-detailed-exitcode", "-input=false", "-no-color"); code != 0 {
		t.Fatalf("plan after the apply: exit %d, want 0:\n%s", code, out)
	}
}

// stateIdentities counts the identities in a state file, failing the test for one that is not
// {id = the instance's id}; with strip it removes them, leaving the file as Terraform before 1.12
// writes it (every other field as Terraform wrote it).
func stateIdentities(t *testing.T, file string, strip bool) int {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var state map[string]any
	if err := json.Unmarshal(raw, &state); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	n := 0
	resources, _ := state["resources"].([]any)
	for _, r := range resources {
		instances, _ := r.(map[string]any)["instances"].([]any)
		for _, i := range instances {
			inst, _ := i.(map[string]any)
			identity, ok := inst["identity"].(map[string]any)
			if !ok {
				continue
			}
			n++
			attrs, _ := inst["attributes"].(map[string]any)
			if id := attrs["id"]; id == nil || identity["id"] != id || len(identity) != 1 {
				t.Errorf("identity %v, want {id = %v}", identity, id)
			}
			delete(inst, "identity")
			delete(inst, "identity_schema_version")
		}
	}
	if !strip {
		return n
	}
	out, err := json.MarshalIndent(state, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, out, 0o600); err != nil {
		t.Fatal(err)
	}
	return n
}
