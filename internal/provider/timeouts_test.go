package provider

import (
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/winipam/terraform-provider-ipam/internal/acctest"
	"github.com/winipam/terraform-provider-ipam/internal/emulator"
)

// A timeouts block bounds an operation, whatever the provider's per-request timeout.
func TestAccTimeouts(t *testing.T) {
	emu := acctest.StartEmulator(t, emulator.Config{})
	accTest(t, []resource.TestStep{
		{
			PreConfig: func() {
				emu.InjectFault(emulator.FaultRule{Kind: emulator.FaultSlow, Delay: 3 * time.Second, Action: "AddProviderAddressSpace"})
			},
			Config: emu.ProviderBlock() + `
resource "ipam_provider_address_space" "slow" {
  name = "slow"
  timeouts {
    create = "1s"
  }
}
`,
			ExpectError: regexp.MustCompile(`(?s)Cannot create address space "slow".*context\s+deadline\s+exceeded`),
		},
		{
			PreConfig: func() {
				emu.InjectFault(emulator.FaultRule{Kind: emulator.FaultSlow, Delay: 3 * time.Second, Action: "BulkAddOrUpdateAddressSpace"})
			},
			Config: emu.ProviderBlock() + `
resource "ipam_address_spaces" "slow" {
  address_spaces = { "slow-bulk" = { type = "Provider" } }
  timeouts {
    create = "1s"
  }
}
`,
			ExpectError: regexp.MustCompile(`(?s)address space "slow-bulk".*context\s+deadline\s+exceeded`),
		},
	})
}
