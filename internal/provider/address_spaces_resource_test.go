package provider

import (
	"context"
	"fmt"
	"log"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/winipam/terraform-provider-ipam/internal/emulator"
	"github.com/winipam/terraform-provider-ipam/internal/ipam"
	"github.com/winipam/terraform-provider-ipam/internal/ipam/wmi"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

// outOfBand is a client that changes the emulator behind Terraform's back.
func bulkOOB(t *testing.T, emu *emulator.Running) *wmi.Client {
	t.Helper()
	ws, err := wsman.NewClient(wsman.Config{Endpoint: emu.URL, Username: testUser, Password: testPass, Auth: wsman.AuthNTLM, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return wmi.New(ws)
}

func bulkConfig(emu *emulator.Running, items string) string {
	return providerBlock(emu) + `
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

// serverHas checks what the emulator holds, independently of Terraform's state.
func serverHas(emu *emulator.Running, t *testing.T, want map[string]string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		list, err := bulkOOB(t, emu).List(context.Background(), ipam.Filter{})
		if err != nil {
			return err
		}
		got := map[string]string{}
		for _, a := range list {
			if a.Name != ipam.DefaultProviderName {
				got[a.Name] = a.Type.String()
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			return fmt.Errorf("server holds %v, want %v", got, want)
		}
		return nil
	}
}

func TestAccBulk_lifecycle(t *testing.T) {
	emu := startEmulator(t, emulator.Config{})
	oob := bulkOOB(t, emu)
	ctx := context.Background()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// A pre-existing address space with a listed name is adopted.
				PreConfig: func() {
					if _, err := oob.AddProviderAddressSpace(ctx, ipam.AddressSpace{Name: "dc-west", Owner: "someone"}); err != nil {
						t.Fatal(err)
					}
				},
				Config: bulkConfig(emu, bulkBase),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("ipam_address_spaces.all", "address_spaces.%", "3"),
					resource.TestCheckResourceAttrSet("ipam_address_spaces.all", "ids.Tenant-A"),
					resource.TestCheckResourceAttr("ipam_address_spaces.all", "address_spaces.DC-West.owner", "netops"),
					// The adopted address space takes the configured spelling of its name too.
					serverHas(emu, t, map[string]string{"DC-West": "Provider", "Tenant-A": "Customer", "Tenant-B": "Customer"}),
				),
			},
			{
				// Change one key: the plan shows an update, and only that key changes.
				Config: bulkConfig(emu, strings.Replace(bulkBase, `tenant = "4001"`, `tenant = "4002"`, 1)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("ipam_address_spaces.all", plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue("ipam_address_spaces.all", tfjsonpath.New("ids").AtMapKey("Tenant-B"), knownvalue.NotNull()),
				}},
				Check: resource.TestCheckResourceAttr("ipam_address_spaces.all", "address_spaces.Tenant-A.tenant", "4002"),
			},
			{
				// Drift on one key, made out of band, shows in the plan and is reverted.
				PreConfig: func() {
					a, err := oob.GetByName(ctx, "Tenant-B")
					if err != nil {
						t.Fatal(err)
					}
					a.Description = "changed by hand"
					if res, err := oob.BulkAddOrUpdate(ctx, []ipam.AddressSpace{*a}); err != nil || res[0] != nil {
						t.Fatal(err, res)
					}
				},
				Config:             bulkConfig(emu, strings.Replace(bulkBase, `tenant = "4001"`, `tenant = "4002"`, 1)),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				// The apply reverts the drift; the state keeps the configuration's shape (no description).
				Config: bulkConfig(emu, strings.Replace(bulkBase, `tenant = "4001"`, `tenant = "4002"`, 1)),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckNoResourceAttr("ipam_address_spaces.all", "address_spaces.Tenant-B.description"),
					func(*terraform.State) error {
						a, err := oob.GetByName(ctx, "Tenant-B")
						if err != nil {
							return err
						}
						if a.Description != "" {
							return fmt.Errorf("Tenant-B's description on the server is %q, want it cleared", a.Description)
						}
						return nil
					},
				),
			},
			{
				// Deleted out of band: planned for re-creation.
				PreConfig: func() {
					a, err := oob.GetByName(ctx, "Tenant-B")
					if err != nil {
						t.Fatal(err)
					}
					if res, err := oob.BulkDelete(ctx, []ipam.AddressSpace{*a}); err != nil || res[0] != nil {
						t.Fatal(err, res)
					}
				},
				Config: bulkConfig(emu, strings.Replace(bulkBase, `tenant = "4001"`, `tenant = "4002"`, 1)),
				Check:  serverHas(emu, t, map[string]string{"DC-West": "Provider", "Tenant-A": "Customer", "Tenant-B": "Customer"}),
			},
			{
				// Type change of one key replaces that item only; removing a key deletes it.
				Config: bulkConfig(emu, `
    "DC-West" = { type = "Provider", owner = "netops", custom_configuration = { Region = "EU" } }
    "Tenant-A" = { type = "Provider" }`),
				Check: serverHas(emu, t, map[string]string{"DC-West": "Provider", "Tenant-A": "Provider"}),
			},
			{
				// Import by names; the id of an imported set differs, so compare the rest.
				ResourceName:  "ipam_address_spaces.all",
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
		CheckDestroy: func(*terraform.State) error {
			return serverHas(emu, t, map[string]string{})(nil)
		},
	})
}

func TestAccBulk_partialFailureConverges(t *testing.T) {
	emu := startEmulator(t, emulator.Config{FailItems: "bad%"})
	ctx := context.Background()
	var goodID string
	items := bulkBase + `
    "bad-1" = { type = "Provider" }`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      bulkConfig(emu, items),
				ExpectError: regexp.MustCompile(`(?s)Cannot create address space "bad-1".*injected failure`),
			},
			{
				// The injected failure is cleared; the second apply retries only the failed item
				// and the good ones keep their identity.
				PreConfig: func() {
					a, err := bulkOOB(t, emu).GetByName(ctx, "Tenant-A")
					if err != nil {
						t.Fatal(err)
					}
					goodID = a.InstanceID
					if err := emu.SetFailItems(""); err != nil {
						t.Fatal(err)
					}
				},
				Config: bulkConfig(emu, items),
				Check: resource.ComposeAggregateTestCheckFunc(
					serverHas(emu, t, map[string]string{"DC-West": "Provider", "Tenant-A": "Customer", "Tenant-B": "Customer", "bad-1": "Provider"}),
					func(*terraform.State) error {
						a, err := bulkOOB(t, emu).GetByName(ctx, "Tenant-A")
						if err != nil {
							return err
						}
						if a.InstanceID != goodID {
							return fmt.Errorf("Tenant-A was re-created: %s -> %s", goodID, a.InstanceID)
						}
						return nil
					},
				),
			},
		},
	})
}

// When the server does not answer the provider pass, the customer pass is not sent: it would
// wait out the same failure, and its items need the providers. The apply reports one grouped
// error, and the next apply converges.
func TestAccAddressSpaces_customerPassSkippedAfterFailedProviderPass(t *testing.T) {
	reqs := &requestLog{}
	emu := startEmulator(t, emulator.Config{Logger: log.New(reqs, "", 0)})
	items := `
    "SK-PA"  = { type = "Provider" }
    "SK-CA1" = { type = "Customer", provider_address_space = "SK-PA", isolation_method = "NVGRE" }
    "SK-CA2" = { type = "Customer", provider_address_space = "SK-PA", isolation_method = "NVGRE" }`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					// An empty HTTP 500 is a refusal the client does not retry.
					if err := emu.InjectFault(emulator.FaultRule{Kind: emulator.FaultEmpty500, Action: "BulkAddOrUpdateAddressSpace"}); err != nil {
						t.Fatal(err)
					}
				},
				Config:      bulkConfig(emu, items),
				ExpectError: regexp.MustCompile(`Cannot create 3 address spaces`),
			},
			{
				PreConfig: func() {
					// The emulator logs a faulted request under the fault's name.
					if n := reqs.count(" fault-500-empty "); n != 1 {
						t.Fatalf("%d BulkAddOrUpdateAddressSpace requests reached the emulator, want 1 (the provider pass)", n)
					}
					emu.ClearFaults()
				},
				Config: bulkConfig(emu, items),
				Check:  serverHas(emu, t, map[string]string{"SK-PA": "Provider", "SK-CA1": "Customer", "SK-CA2": "Customer"}),
			},
		},
	})
}
