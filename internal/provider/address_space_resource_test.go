package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/winipam/terraform-provider-ipam/internal/emulator"
)

func TestAccAddressSpaces_basic(t *testing.T) {
	emu := startEmulator(t, emulator.Config{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: providerBlock(emu) + `
resource "ipam_provider_address_space" "pa" {
  name        = "DC-West"
  owner       = "netops"
  description = "west"
  custom_configuration = { Region = "EU" }
}
resource "ipam_customer_address_space" "ca" {
  name                   = "Tenant-A"
  provider_address_space = ipam_provider_address_space.pa.name
  isolation_method       = "NVGRE"
  tenant                 = "4001"
}
`,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttrSet("ipam_provider_address_space.pa", "id"),
					resource.TestCheckResourceAttr("ipam_provider_address_space.pa", "custom_configuration.Region", "EU"),
					resource.TestCheckResourceAttr("ipam_customer_address_space.ca", "provider_address_space", "DC-West"),
					resource.TestCheckResourceAttr("ipam_customer_address_space.ca", "ipv4_utilization_status", "None"),
				),
			},
			{
				ResourceName:      "ipam_customer_address_space.ca",
				ImportState:       true,
				ImportStateId:     "tenant-a",
				ImportStateVerify: true,
			},
			{
				Config: providerBlock(emu) + `
resource "ipam_provider_address_space" "pa" {
  name        = "dc-west"
  owner       = "netops"
  description = "west"
  custom_configuration = { region = "EU" }
}
resource "ipam_customer_address_space" "ca" {
  name                   = "Tenant-A"
  provider_address_space = ipam_provider_address_space.pa.name
  isolation_method       = "nvgre"
  tenant                 = "4001"
}
`,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

func TestAccAddressSpaces_validation(t *testing.T) {
	emu := startEmulator(t, emulator.Config{})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: providerBlock(emu) + `
resource "ipam_provider_address_space" "pa" {
  name = "  "
}
`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`must not be empty or blank`),
			},
		},
	})
}
