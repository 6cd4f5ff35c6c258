package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/winipam/terraform-provider-ipam/internal/acctest"
	"github.com/winipam/terraform-provider-ipam/internal/emulator"
	"github.com/winipam/terraform-provider-ipam/internal/ipam"
)

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
	emu := acctest.StartEmulator(t, emulator.Config{})
	oob := acctest.NewOutOfBand(t, emu.URL)
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
			{
				Config: renamed,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: acctest.Actions(
					accPA, plancheck.ResourceActionUpdate, accCA, plancheck.ResourceActionUpdate, accPA2, plancheck.ResourceActionNoop)},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(accPA, atPath("id"), acctest.StringEqual(&paID)),
					statecheck.ExpectKnownValue(accCA, atPath("id"), acctest.StringEqual(&caID)),
					oob.ExpectStateID(accPA, "DC-North"),
					oob.Expect("Tenant-A", map[string]string{"provider_address_space": "DC-East"}),
					identityIs(accPA, &paID), identityIs(accCA, &caID),
				},
			},
			{
				// A refresh keeps the identity too (the framework fails one that changes it).
				Config:            renamed,
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{identityIs(accPA, &paID), identityIs(accCA, &caID)},
			},
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
	emu := acctest.StartEmulator(t, emulator.Config{})
	oob := acctest.NewOutOfBand(t, emu.URL)
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
			{
				Config: config(pa.InstanceID, ca.InstanceID),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(accPA, plancheck.ResourceActionNoop),
					plancheck.ExpectResourceAction(accCA, plancheck.ResourceActionNoop),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(accPA, atPath("id"), knownvalue.StringExact(pa.InstanceID)),
					statecheck.ExpectKnownValue(accCA, atPath("id"), knownvalue.StringExact(ca.InstanceID)),
					identityIs(accPA, &pa.InstanceID), identityIs(accCA, &ca.InstanceID),
				},
			},
			{
				Config:           config(pa.InstanceID, ca.InstanceID),
				PlanOnly:         true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
		CheckDestroy: acctest.OnDestroy(oob.ExpectGone("Tenant-A")),
	})
}
