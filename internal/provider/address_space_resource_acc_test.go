package provider

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/winipam/terraform-provider-ipam/internal/emulator"
	"github.com/winipam/terraform-provider-ipam/internal/ipam"
	"github.com/winipam/terraform-provider-ipam/internal/ipam/wmi"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

// Addresses of the resources the acceptance configurations below declare.
const (
	accPA  = "ipam_provider_address_space.pa"
	accPA2 = "ipam_provider_address_space.pa2"
	accCA  = "ipam_customer_address_space.ca"
)

// accSpaces is the configuration most tests start from: two provider spaces and a customer space
// on the first, with every optional attribute set.
func accSpaces(emu *emulator.Running) string {
	return providerBlock(emu) + `
resource "ipam_provider_address_space" "pa" {
  name                 = "DC-West"
  owner                = "netops"
  description          = "west data centre"
  custom_configuration = { Region = "EU" }
}

resource "ipam_provider_address_space" "pa2" {
  name = "DC-East"
}

resource "ipam_customer_address_space" "ca" {
  name                   = "Tenant-A"
  provider_address_space = ipam_provider_address_space.pa.name
  isolation_method       = "NVGRE"
  tenant                 = "4001"
  vm_network             = "vmnet-a"
  owner                  = "tenant-ops"
  description            = "tenant A"
  custom_configuration   = { CostCenter = "100" }
}
`
}

// errorText matches a phrase in Terraform's output however the CLI wraps it: the words may be
// separated by any run of blanks, line breaks and the "│" that frames a diagnostic.
func errorText(phrase string) *regexp.Regexp {
	words := strings.Fields(phrase)
	for i, w := range words {
		words[i] = regexp.QuoteMeta(w)
	}
	return regexp.MustCompile(strings.Join(words, `[\s│]+`))
}

// rawXML spots a SOAP body leaking into a diagnostic.
var rawXML = regexp.MustCompile(`<[A-Za-z][\w.-]*:[A-Za-z]|xmlns|</`)

// outOfBand is "somebody else": a second IPAM client that changes the emulator behind Terraform's
// back, over HTTP with the real WS-Management client, as an admin at a console would.
type outOfBand struct {
	t      *testing.T
	client *wmi.Client
}

func newOutOfBand(t *testing.T, emu *emulator.Running) *outOfBand {
	t.Helper()
	ws, err := wsman.NewClient(wsman.Config{Endpoint: emu.URL, Username: testUser, Password: testPass,
		Auth: wsman.AuthNTLM, Timeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return &outOfBand{t: t, client: wmi.New(ws)}
}

// find returns the address space with this name, or nil when there is none.
func (o *outOfBand) find(name string) (*ipam.AddressSpace, error) {
	a, err := o.client.GetByName(context.Background(), name)
	if errors.Is(err, ipam.ErrNotFound) {
		return nil, nil
	}
	return a, err
}

func (o *outOfBand) get(name string) *ipam.AddressSpace {
	o.t.Helper()
	a, err := o.find(name)
	if err != nil {
		o.t.Fatalf("out of band: reading %q: %v", name, err)
	}
	if a == nil {
		o.t.Fatalf("out of band: no address space named %q", name)
	}
	return a
}

func (o *outOfBand) addProvider(a ipam.AddressSpace) *ipam.AddressSpace {
	o.t.Helper()
	got, err := o.client.AddProviderAddressSpace(context.Background(), a)
	if err != nil {
		o.t.Fatalf("out of band: adding provider space %q: %v", a.Name, err)
	}
	return got
}

func (o *outOfBand) addCustomer(a ipam.AddressSpace) *ipam.AddressSpace {
	o.t.Helper()
	got, err := o.client.AddCustomerAddressSpace(context.Background(), a)
	if err != nil {
		o.t.Fatalf("out of band: adding customer space %q: %v", a.Name, err)
	}
	return got
}

// change edits one address space in place: it is read, changed, and written back with its
// InstanceID through BulkAddOrUpdateAddressSpace.
func (o *outOfBand) change(name string, edit func(a *ipam.AddressSpace)) {
	o.t.Helper()
	a := o.get(name)
	edit(a)
	results, err := o.client.BulkAddOrUpdate(context.Background(), []ipam.AddressSpace{*a})
	if err == nil {
		err = results[0]
	}
	if err != nil {
		o.t.Fatalf("out of band: changing %q: %v", name, err)
	}
}

// remove deletes address spaces, in the order given.
func (o *outOfBand) remove(names ...string) {
	o.t.Helper()
	for _, name := range names {
		a := o.get(name)
		results, err := o.client.BulkDelete(context.Background(), []ipam.AddressSpace{*a})
		if err == nil {
			err = results[0]
		}
		if err != nil {
			o.t.Fatalf("out of band: deleting %q: %v", name, err)
		}
	}
}

// fields is what the server holds of an address space, keyed by the resources' attribute names.
func fields(a *ipam.AddressSpace) map[string]string {
	return map[string]string{
		"id":                     a.InstanceID,
		"name":                   a.Name,
		"owner":                  a.Owner,
		"description":            a.Description,
		"custom_configuration":   a.CustomConfiguration.String(),
		"provider_address_space": a.AssociatedProviderAddressSpace,
		"isolation_method":       a.IsolationMethod,
		"tenant":                 a.Tenant,
		"vm_network":             a.VMNetwork,
	}
}

// expect checks what the server holds, bypassing Terraform: want maps attribute names to values
// (custom_configuration in its wire form, e.g. "CostCenter=7;Region=US").
func (o *outOfBand) expect(name string, want map[string]string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		a, err := o.find(name)
		if err != nil {
			return err
		}
		if a == nil {
			return fmt.Errorf("IPAM has no address space named %q", name)
		}
		got := fields(a)
		var errs []error
		for k, v := range want {
			if got[k] != v {
				errs = append(errs, fmt.Errorf("address space %q on the server: %s is %q, want %q", name, k, got[k], v))
			}
		}
		return errors.Join(errs...)
	}
}

// expectGone checks that the server has no address space with this name.
func (o *outOfBand) expectGone(name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		a, err := o.find(name)
		if err != nil {
			return err
		}
		if a != nil {
			return fmt.Errorf("IPAM still has address space %q (%s)", a.Name, a.InstanceID)
		}
		return nil
	}
}

// expectStateID checks that a resource's id is the InstanceID the server has for name.
func (o *outOfBand) expectStateID(addr, name string) resource.TestCheckFunc {
	return resource.TestCheckResourceAttrWith(addr, "id", func(id string) error {
		a, err := o.find(name)
		if err != nil {
			return err
		}
		if a == nil {
			return fmt.Errorf("IPAM has no address space named %q", name)
		}
		if id != a.InstanceID {
			return fmt.Errorf("id in state is %s, but %q has InstanceID %s", id, name, a.InstanceID)
		}
		return nil
	})
}

func actions(pairs ...any) []plancheck.PlanCheck {
	var checks []plancheck.PlanCheck
	for i := 0; i < len(pairs); i += 2 {
		name, ok1 := pairs[i].(string)
		action, ok2 := pairs[i+1].(plancheck.ResourceActionType)
		if !ok1 || !ok2 {
			panic("actions takes pairs of a resource address and a plancheck.ResourceActionType")
		}
		checks = append(checks, plancheck.ExpectResourceAction(name, action))
	}
	return checks
}

func atPath(name string) tfjsonpath.Path { return tfjsonpath.New(name) }

func strMap(m map[string]string) knownvalue.Check {
	checks := make(map[string]knownvalue.Check, len(m))
	for k, v := range m {
		checks[k] = knownvalue.StringExact(v)
	}
	return knownvalue.MapExact(checks)
}

// TestAccAddressSpaceResource_updateInPlace changes every attribute of both resources, one group
// per step, and checks each change is an in-place update of the same object, that IPAM holds the
// new values, and that nothing is left to change afterwards.
func TestAccAddressSpaceResource_updateInPlace(t *testing.T) {
	emu := startEmulator(t, emulator.Config{})
	oob := newOutOfBand(t, emu)
	samePA := statecheck.CompareValue(compare.ValuesSame())
	samePA2 := statecheck.CompareValue(compare.ValuesSame())
	sameCA := statecheck.CompareValue(compare.ValuesSame())
	sameIDs := func(extra ...statecheck.StateCheck) []statecheck.StateCheck {
		return append([]statecheck.StateCheck{
			samePA.AddStateValue(accPA, atPath("id")),
			samePA2.AddStateValue(accPA2, atPath("id")),
			sameCA.AddStateValue(accCA, atPath("id")),
		}, extra...)
	}

	renamed := providerBlock(emu) + `
resource "ipam_provider_address_space" "pa" {
  name                 = "DC-West-2"
  owner                = "netops-2"
  description          = "west data centre, hall 2"
  custom_configuration = { Region = "US", CostCenter = "7" }
}

resource "ipam_provider_address_space" "pa2" {
  name = "DC-East"
}

resource "ipam_customer_address_space" "ca" {
  name                   = "Tenant-A2"
  provider_address_space = ipam_provider_address_space.pa.name
  isolation_method       = "IPRewrite"
  tenant                 = "4002"
  vm_network             = "vmnet-a2"
  owner                  = "tenant-ops-2"
  description            = "tenant A, second"
  custom_configuration   = { CostCenter = "200", Region = "EU" }
}
`
	moved := providerBlock(emu) + `
resource "ipam_provider_address_space" "pa" {
  name                 = "DC-West-2"
  owner                = "netops-2"
  description          = "west data centre, hall 2"
  custom_configuration = { Region = "US" }
}

resource "ipam_provider_address_space" "pa2" {
  name = "DC-East"
}

resource "ipam_customer_address_space" "ca" {
  name                   = "Tenant-A2"
  provider_address_space = ipam_provider_address_space.pa2.name
  isolation_method       = "IPRewrite"
  tenant                 = "4002"
  vm_network             = "vmnet-a2"
  owner                  = "tenant-ops-2"
  description            = "tenant A, second"
  custom_configuration   = { Region = "EU" }
}
`
	cleared := providerBlock(emu) + `
resource "ipam_provider_address_space" "pa" {
  name = "DC-West-2"
}

resource "ipam_provider_address_space" "pa2" {
  name = "DC-East"
}

resource "ipam_customer_address_space" "ca" {
  name                   = "Tenant-A2"
  provider_address_space = ipam_provider_address_space.pa2.name
  isolation_method       = "IPRewrite"
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            accSpaces(emu),
				ConfigStateChecks: sameIDs(),
				Check: resource.ComposeAggregateTestCheckFunc(
					oob.expectStateID(accPA, "DC-West"),
					oob.expectStateID(accCA, "Tenant-A"),
				),
			},
			{
				// Rename, owner, description and custom fields (one changed, one added) of both; the
				// customer space follows its provider space's new name; isolation, tenant, VM network.
				Config: renamed,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: actions(
					accPA, plancheck.ResourceActionUpdate,
					accPA2, plancheck.ResourceActionNoop,
					accCA, plancheck.ResourceActionUpdate,
				)},
				ConfigStateChecks: sameIDs(
					statecheck.ExpectKnownValue(accPA, atPath("custom_configuration"), strMap(map[string]string{"Region": "US", "CostCenter": "7"})),
					statecheck.ExpectKnownValue(accCA, atPath("provider_address_space"), knownvalue.StringExact("DC-West-2")),
				),
				Check: resource.ComposeAggregateTestCheckFunc(
					oob.expect("DC-West-2", map[string]string{"owner": "netops-2", "description": "west data centre, hall 2",
						"custom_configuration": "CostCenter=7;Region=US"}),
					oob.expect("Tenant-A2", map[string]string{"provider_address_space": "DC-West-2", "isolation_method": "IPRewrite",
						"tenant": "4002", "vm_network": "vmnet-a2", "owner": "tenant-ops-2", "description": "tenant A, second",
						"custom_configuration": "CostCenter=200;Region=EU"}),
					oob.expectGone("DC-West"),
					oob.expectGone("Tenant-A"),
					oob.expectStateID(accPA, "DC-West-2"),
					oob.expectStateID(accCA, "Tenant-A2"),
				),
			},
			{
				// Move the customer space to another provider space; remove a custom field from each.
				Config: moved,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: actions(
					accPA, plancheck.ResourceActionUpdate,
					accPA2, plancheck.ResourceActionNoop,
					accCA, plancheck.ResourceActionUpdate,
				)},
				ConfigStateChecks: sameIDs(
					statecheck.CompareValuePairs(accCA, atPath("provider_address_space"), accPA2, atPath("name"), compare.ValuesSame()),
				),
				Check: resource.ComposeAggregateTestCheckFunc(
					oob.expect("DC-West-2", map[string]string{"custom_configuration": "Region=US"}),
					oob.expect("Tenant-A2", map[string]string{"provider_address_space": "DC-East", "custom_configuration": "Region=EU"}),
				),
			},
			{
				// Drop every optional attribute: IPAM must be cleared, not left as it was.
				Config: cleared,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: actions(
					accPA, plancheck.ResourceActionUpdate,
					accPA2, plancheck.ResourceActionNoop,
					accCA, plancheck.ResourceActionUpdate,
				)},
				ConfigStateChecks: sameIDs(
					statecheck.ExpectKnownValue(accPA, atPath("custom_configuration"), knownvalue.MapSizeExact(0)),
					statecheck.ExpectKnownValue(accCA, atPath("tenant"), knownvalue.StringExact("")),
				),
				Check: resource.ComposeAggregateTestCheckFunc(
					oob.expect("DC-West-2", map[string]string{"owner": "", "description": "", "custom_configuration": ""}),
					oob.expect("Tenant-A2", map[string]string{"tenant": "", "vm_network": "", "owner": "", "description": "",
						"custom_configuration": "", "provider_address_space": "DC-East", "isolation_method": "IPRewrite"}),
				),
			},
			{
				// And back again from nothing: adding attributes is an update too.
				Config: accSpaces(emu),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: actions(
					accPA, plancheck.ResourceActionUpdate,
					accPA2, plancheck.ResourceActionNoop,
					accCA, plancheck.ResourceActionUpdate,
				)},
				ConfigStateChecks: sameIDs(),
				Check: resource.ComposeAggregateTestCheckFunc(
					oob.expect("DC-West", map[string]string{"owner": "netops", "custom_configuration": "Region=EU"}),
					oob.expect("Tenant-A", map[string]string{"provider_address_space": "DC-West", "isolation_method": "NVGRE",
						"tenant": "4001", "vm_network": "vmnet-a", "custom_configuration": "CostCenter=100"}),
				),
			},
			{
				Config:           accSpaces(emu),
				PlanOnly:         true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// TestAccAddressSpaceResource_driftChanged edits both spaces out of band; a refresh shows the
// drift as in-place updates, and applying puts back what the configuration says.
func TestAccAddressSpaceResource_driftChanged(t *testing.T) {
	emu := startEmulator(t, emulator.Config{})
	oob := newOutOfBand(t, emu)
	samePA := statecheck.CompareValue(compare.ValuesSame())
	sameCA := statecheck.CompareValue(compare.ValuesSame())
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: accSpaces(emu),
				ConfigStateChecks: []statecheck.StateCheck{
					samePA.AddStateValue(accPA, atPath("id")),
					sameCA.AddStateValue(accCA, atPath("id")),
				},
			},
			{
				PreConfig: func() {
					oob.change("DC-West", func(a *ipam.AddressSpace) {
						a.Owner = "someone-else"
						a.Description = "edited at the console"
						a.CustomConfiguration = ipam.CustomConfiguration{"Region": "US", "CostCenter": "1"}
					})
					oob.change("Tenant-A", func(a *ipam.AddressSpace) {
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
					PostApplyPreRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
					PostApplyPostRefresh: append(actions(
						accPA, plancheck.ResourceActionUpdate,
						accPA2, plancheck.ResourceActionNoop,
						accCA, plancheck.ResourceActionUpdate,
					),
						plancheck.ExpectKnownValue(accPA, atPath("owner"), knownvalue.StringExact("netops")),
						plancheck.ExpectKnownValue(accCA, atPath("provider_address_space"), knownvalue.StringExact("DC-West")),
					),
				},
			},
			{
				Config: accSpaces(emu),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: actions(
					accPA, plancheck.ResourceActionUpdate,
					accPA2, plancheck.ResourceActionNoop,
					accCA, plancheck.ResourceActionUpdate,
				)},
				ConfigStateChecks: []statecheck.StateCheck{
					samePA.AddStateValue(accPA, atPath("id")),
					sameCA.AddStateValue(accCA, atPath("id")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					oob.expect("DC-West", map[string]string{"owner": "netops", "description": "west data centre",
						"custom_configuration": "Region=EU"}),
					oob.expect("Tenant-A", map[string]string{"provider_address_space": "DC-West", "isolation_method": "NVGRE",
						"tenant": "4001", "vm_network": "vmnet-a", "custom_configuration": "CostCenter=100"}),
				),
			},
		},
	})
}

// TestAccAddressSpaceResource_driftDeleted deletes both spaces out of band: they drop out of the
// state on refresh and are planned for, and get, re-creation.
func TestAccAddressSpaceResource_driftDeleted(t *testing.T) {
	emu := startEmulator(t, emulator.Config{})
	oob := newOutOfBand(t, emu)
	newPA := statecheck.CompareValue(compare.ValuesDiffer())
	newCA := statecheck.CompareValue(compare.ValuesDiffer())
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: accSpaces(emu),
				ConfigStateChecks: []statecheck.StateCheck{
					newPA.AddStateValue(accPA, atPath("id")),
					newCA.AddStateValue(accCA, atPath("id")),
				},
			},
			{
				PreConfig:          func() { oob.remove("Tenant-A", "DC-West") },
				Config:             accSpaces(emu),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: actions(
					accPA, plancheck.ResourceActionCreate,
					accPA2, plancheck.ResourceActionNoop,
					accCA, plancheck.ResourceActionCreate,
				)},
			},
			{
				Config: accSpaces(emu),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: actions(
					accPA, plancheck.ResourceActionCreate,
					accPA2, plancheck.ResourceActionNoop,
					accCA, plancheck.ResourceActionCreate,
				)},
				ConfigStateChecks: []statecheck.StateCheck{
					newPA.AddStateValue(accPA, atPath("id")),
					newCA.AddStateValue(accCA, atPath("id")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					oob.expectStateID(accPA, "DC-West"),
					oob.expectStateID(accCA, "Tenant-A"),
					oob.expect("Tenant-A", map[string]string{"provider_address_space": "DC-West", "tenant": "4001",
						"custom_configuration": "CostCenter=100"}),
				),
			},
		},
	})
}

// TestAccAddressSpaceResource_driftRenamed renames both spaces out of band. The resources follow
// them by InstanceID, so the plan renames them back in place rather than creating new ones; a
// change of case alone, on the server, is no drift at all.
func TestAccAddressSpaceResource_driftRenamed(t *testing.T) {
	emu := startEmulator(t, emulator.Config{})
	oob := newOutOfBand(t, emu)
	samePA := statecheck.CompareValue(compare.ValuesSame())
	sameCA := statecheck.CompareValue(compare.ValuesSame())
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: accSpaces(emu),
				ConfigStateChecks: []statecheck.StateCheck{
					samePA.AddStateValue(accPA, atPath("id")),
					sameCA.AddStateValue(accCA, atPath("id")),
				},
			},
			{
				PreConfig: func() {
					oob.change("DC-West", func(a *ipam.AddressSpace) { a.Name = "DC-Renamed" })
					oob.change("Tenant-A", func(a *ipam.AddressSpace) { a.Name = "Tenant-Renamed" })
				},
				Config:             accSpaces(emu),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: append(actions(
					accPA, plancheck.ResourceActionUpdate,
					accPA2, plancheck.ResourceActionNoop,
					accCA, plancheck.ResourceActionUpdate,
				),
					plancheck.ExpectKnownValue(accPA, atPath("name"), knownvalue.StringExact("DC-West")),
					plancheck.ExpectKnownValue(accCA, atPath("name"), knownvalue.StringExact("Tenant-A")),
				)},
			},
			{
				Config: accSpaces(emu),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: actions(
					accPA, plancheck.ResourceActionUpdate,
					accPA2, plancheck.ResourceActionNoop,
					accCA, plancheck.ResourceActionUpdate,
				)},
				ConfigStateChecks: []statecheck.StateCheck{
					samePA.AddStateValue(accPA, atPath("id")),
					sameCA.AddStateValue(accCA, atPath("id")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					oob.expectStateID(accPA, "DC-West"),
					oob.expectStateID(accCA, "Tenant-A"),
					oob.expect("Tenant-A", map[string]string{"provider_address_space": "DC-West"}),
					oob.expectGone("DC-Renamed"),
					oob.expectGone("Tenant-Renamed"),
				),
			},
			{
				// Somebody re-types the names, the isolation method and a custom field's name in
				// another case: IPAM sees the same objects, and so does Terraform.
				PreConfig: func() {
					oob.change("DC-West", func(a *ipam.AddressSpace) {
						a.Name = "DC-WEST"
						a.CustomConfiguration = ipam.CustomConfiguration{"REGION": "EU"}
					})
					oob.change("Tenant-A", func(a *ipam.AddressSpace) {
						a.Name = "tenant-a"
						a.IsolationMethod = "nvgre"
						a.CustomConfiguration = ipam.CustomConfiguration{"costcenter": "100"}
					})
				},
				Config:   accSpaces(emu),
				PlanOnly: true,
			},
		},
	})
}

// TestAccAddressSpaceResource_import imports spaces that Terraform never created, by name in
// another case, then proves the import leaves nothing to change; it also imports with import
// blocks, by InstanceID, and with generated configuration.
func TestAccAddressSpaceResource_import(t *testing.T) {
	emu := startEmulator(t, emulator.Config{})
	oob := newOutOfBand(t, emu)
	var paID, caID string
	withImported := func(attrs map[string]string, id *string) resource.ImportStateCheckFunc {
		return func(states []*terraform.InstanceState) error {
			var s *terraform.InstanceState
			for _, st := range states {
				if st.Attributes["id"] == *id {
					s = st
				}
			}
			if s == nil {
				return fmt.Errorf("no imported resource has the InstanceID %q as its id", *id)
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
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					paID = oob.addProvider(ipam.AddressSpace{Name: "DC-West", Owner: "netops", Description: "west data centre",
						CustomConfiguration: ipam.CustomConfiguration{"Region": "EU"}}).InstanceID
					oob.addProvider(ipam.AddressSpace{Name: "DC-East"})
					caID = oob.addCustomer(ipam.AddressSpace{Name: "Tenant-A", AssociatedProviderAddressSpace: "DC-West",
						IsolationMethod: "NVGRE", Tenant: "4001", VMNetwork: "vmnet-a", Owner: "tenant-ops", Description: "tenant A",
						CustomConfiguration: ipam.CustomConfiguration{"CostCenter": "100"}}).InstanceID
				},
				Config:             accSpaces(emu),
				ResourceName:       accPA,
				ImportState:        true,
				ImportStateId:      "dc-WEST",
				ImportStatePersist: true,
				ImportStateCheck: withImported(map[string]string{"name": "DC-West", "owner": "netops",
					"description": "west data centre", "custom_configuration.Region": "EU", "custom_configuration.%": "1",
					"ipv4_utilization_status": "None"}, &paID),
			},
			{
				Config:             accSpaces(emu),
				ResourceName:       accPA2,
				ImportState:        true,
				ImportStateId:      "DC-EAST",
				ImportStatePersist: true,
			},
			{
				Config:             accSpaces(emu),
				ResourceName:       accCA,
				ImportState:        true,
				ImportStateId:      "TENANT-a",
				ImportStatePersist: true,
				ImportStateCheck: withImported(map[string]string{"name": "Tenant-A", "provider_address_space": "DC-West",
					"isolation_method": "NVGRE", "tenant": "4001", "vm_network": "vmnet-a", "owner": "tenant-ops",
					"description": "tenant A", "custom_configuration.CostCenter": "100"}, &caID),
			},
			{
				// The imported state matches the configuration exactly.
				Config:           accSpaces(emu),
				PlanOnly:         true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				Config:           accSpaces(emu),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttrPtr(accPA, "id", &paID),
					resource.TestCheckResourceAttrPtr(accCA, "id", &caID),
				),
			},
			{
				// terraform import by name in another case yields what the state holds.
				ResourceName:      accPA,
				ImportState:       true,
				ImportStateId:     "DC-west",
				ImportStateVerify: true,
			},
			{
				ResourceName:      accCA,
				ImportState:       true,
				ImportStateId:     "tenant-A",
				ImportStateVerify: true,
			},
			{
				// By InstanceID, for scripts that know it.
				ResourceName:      accCA,
				ImportState:       true,
				ImportStateVerify: true,
				ImportStateIdFunc: func(s *terraform.State) (string, error) {
					return s.RootModule().Resources[accCA].Primary.Attributes["id"], nil
				},
			},
			{
				// An import block planned against the configuration: a no-op import.
				ResourceName:    accPA,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "dc-west",
			},
			{
				ResourceName:    accCA,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "Tenant-A",
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(accCA, atPath("id"), knownvalue.StringFunc(func(v string) error {
						if v != caID {
							return fmt.Errorf("planned id %q, want %q", v, caID)
						}
						return nil
					})),
				}},
			},
			{
				// terraform plan -generate-config-out: the generated block plans as a no-op import.
				Config:          providerBlock(emu),
				ResourceName:    accPA,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "DC-WEST",
				GenerateConfig:  true,
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue("ipam_provider_address_space.generated", atPath("name"), knownvalue.StringExact("DC-West")),
					plancheck.ExpectKnownValue("ipam_provider_address_space.generated", atPath("custom_configuration"), strMap(map[string]string{"Region": "EU"})),
				}},
			},
			{
				Config:          providerBlock(emu),
				ResourceName:    accCA,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "tenant-a",
				GenerateConfig:  true,
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue("ipam_customer_address_space.generated", atPath("provider_address_space"), knownvalue.StringExact("DC-West")),
					plancheck.ExpectKnownValue("ipam_customer_address_space.generated", atPath("isolation_method"), knownvalue.StringExact("NVGRE")),
				}},
			},
		},
	})
}

// TestAccAddressSpaceResource_importErrors imports into the wrong resource type and imports a name
// IPAM does not have.
func TestAccAddressSpaceResource_importErrors(t *testing.T) {
	emu := startEmulator(t, emulator.Config{})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: accSpaces(emu)},
			{
				ResourceName:  accPA,
				ImportState:   true,
				ImportStateId: "tenant-a",
				ExpectError:   errorText(`Address space "Tenant-A" is a customer address space Import it into ipam_customer_address_space instead.`),
			},
			{
				ResourceName:  accCA,
				ImportState:   true,
				ImportStateId: "DC-West",
				ExpectError:   errorText(`Address space "DC-West" is a provider address space Import it into ipam_provider_address_space instead.`),
			},
			{
				ResourceName:    accPA,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "Tenant-A",
				ExpectError:     errorText(`Import it into ipam_customer_address_space instead.`),
			},
			{
				ResourceName:  accPA,
				ImportState:   true,
				ImportStateId: "No-Such-Space",
				ExpectError:   errorText(`No address space named "No-Such-Space"`),
			},
			{
				ResourceName:  accCA,
				ImportState:   true,
				ImportStateId: "{00000000-0000-0000-0000-000000000000}",
				ExpectError:   errorText(`No address space named "{00000000-0000-0000-0000-000000000000}"`),
			},
			{
				ResourceName:    accCA,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   "No-Such-Space",
				ExpectError:     errorText(`No address space named "No-Such-Space"`),
			},
		},
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
			emu := startEmulator(t, mode.cfg)
			oob := newOutOfBand(t, emu)
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps: []resource.TestStep{
					{
						PreConfig: func() {
							oob.addProvider(ipam.AddressSpace{Name: "DC-West"})
							oob.addCustomer(ipam.AddressSpace{Name: "Tenant-A", AssociatedProviderAddressSpace: "DC-West", IsolationMethod: "NVGRE"})
						},
						Config: providerBlock(emu) + `
resource "ipam_provider_address_space" "pa" {
  name = "dc-west"
}
`,
						ExpectError: regexp.MustCompile(`(?s)` + errorText(`Cannot create address space "dc-west"`).String() + `.*already` +
							`.*` + errorText(`terraform import ipam_provider_address_space.<name> "dc-west"`).String()),
					},
					{
						Config: providerBlock(emu) + `
resource "ipam_customer_address_space" "ca" {
  name                   = "TENANT-A"
  provider_address_space = "DC-West"
  isolation_method       = "NVGRE"
}
`,
						ExpectError: regexp.MustCompile(`(?s)already.*` + errorText(`terraform import ipam_customer_address_space.<name> "TENANT-A"`).String()),
					},
					{
						// Nothing was created, so nothing is in the state; the out-of-band objects stay.
						Config:           providerBlock(emu),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
						Check: resource.ComposeAggregateTestCheckFunc(
							oob.expect("DC-West", map[string]string{"name": "DC-West"}),
							oob.expect("Tenant-A", map[string]string{"name": "Tenant-A"}),
						),
					},
				},
			})
		})
	}
}

// TestAccAddressSpaceResource_missingProviderSpace creates, and moves, a customer space onto a
// provider space that does not exist: IPAM's reason reaches the user.
func TestAccAddressSpaceResource_missingProviderSpace(t *testing.T) {
	for _, mode := range emulatorModes {
		t.Run(mode.name, func(t *testing.T) {
			emu := startEmulator(t, mode.cfg)
			oob := newOutOfBand(t, emu)
			// With a fault IPAM says why; with only a return value there is a code and the hint.
			createErr := errorText(`the provider address space "Nowhere" does not exist`)
			if mode.cfg.ErrorsAsReturnValue {
				createErr = errorText(`Check that the provider address space it names exists.`)
			}
			onNowhere := strings.Replace(accSpaces(emu), "ipam_provider_address_space.pa.name", `"Nowhere"`, 1)
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps: []resource.TestStep{
					{
						Config: providerBlock(emu) + `
resource "ipam_customer_address_space" "ca" {
  name                   = "Tenant-A"
  provider_address_space = "Nowhere"
  isolation_method       = "NVGRE"
}
`,
						ExpectError: regexp.MustCompile(`(?s)` + errorText(`Cannot create address space "Tenant-A"`).String() + `.*` + createErr.String()),
					},
					{Config: accSpaces(emu)},
					{
						// Bulk updates carry IPAM's message per item, whichever way Adds report.
						Config:      onNowhere,
						ExpectError: regexp.MustCompile(`(?s)` + errorText(`Cannot update address space "Tenant-A"`).String() + `.*` + errorText(`the provider address space "Nowhere" does not exist`).String()),
					},
					{
						// The failed update changed nothing, on the server or in the state.
						Config:           accSpaces(emu),
						ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
						Check:            oob.expect("Tenant-A", map[string]string{"provider_address_space": "DC-West"}),
					},
				},
			})
		})
	}
}

// TestAccAddressSpaceResource_deleteInUse removes a provider space that somebody has put a customer
// space on: IPAM refuses and says why; once the customer space is gone the removal succeeds.
func TestAccAddressSpaceResource_deleteInUse(t *testing.T) {
	emu := startEmulator(t, emulator.Config{})
	oob := newOutOfBand(t, emu)
	paOnly := providerBlock(emu) + `
resource "ipam_provider_address_space" "pa" {
  name = "DC-West"
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: paOnly},
			{
				PreConfig: func() {
					oob.addCustomer(ipam.AddressSpace{Name: "Rogue", AssociatedProviderAddressSpace: "DC-West", IsolationMethod: "NVGRE"})
				},
				Config: providerBlock(emu),
				ExpectError: regexp.MustCompile(`(?s)` + errorText(`Cannot delete address space "DC-West"`).String() + `.*` +
					errorText(`the provider address space "DC-West" cannot be removed because 1 customer address space(s) are associated with it`).String() +
					`.*` + errorText(`remove or move its customer address spaces`).String()),
			},
			{
				// The refused delete left it in IPAM and in the state.
				Config:           paOnly,
				PlanOnly:         true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				PreConfig: func() { oob.remove("Rogue") },
				Config:    providerBlock(emu),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: actions(
					accPA, plancheck.ResourceActionDestroy,
				)},
				Check: oob.expectGone("DC-West"),
			},
		},
	})
}

// TestAccAddressSpaceResource_deleteAlreadyGone deletes spaces that somebody already deleted.
func TestAccAddressSpaceResource_deleteAlreadyGone(t *testing.T) {
	t.Run("planned-without-refresh", func(t *testing.T) {
		// With -refresh=false Terraform still believes in them and calls Delete: gone is success.
		emu := startEmulator(t, emulator.Config{})
		oob := newOutOfBand(t, emu)
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: protoV6ProviderFactories,
			AdditionalCLIOptions:     &resource.AdditionalCLIOptions{Plan: resource.PlanOptions{NoRefresh: true}},
			Steps: []resource.TestStep{
				{Config: accSpaces(emu)},
				{
					PreConfig: func() { oob.remove("Tenant-A", "DC-West", "DC-East") },
					Config:    providerBlock(emu),
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: actions(
						accPA, plancheck.ResourceActionDestroy,
						accPA2, plancheck.ResourceActionDestroy,
						accCA, plancheck.ResourceActionDestroy,
					)},
					Check: resource.ComposeAggregateTestCheckFunc(
						oob.expectGone("DC-West"),
						oob.expectGone("Tenant-A"),
					),
				},
			},
		})
	})
	t.Run("destroy", func(t *testing.T) {
		emu := startEmulator(t, emulator.Config{})
		oob := newOutOfBand(t, emu)
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: protoV6ProviderFactories,
			Steps: []resource.TestStep{
				{Config: accSpaces(emu)},
				{
					PreConfig: func() { oob.remove("Tenant-A", "DC-West") },
					Config:    accSpaces(emu),
					Destroy:   true,
				},
			},
		})
	})
	t.Run("refreshed-away", func(t *testing.T) {
		// With a refresh they simply leave the state: nothing to delete, no error.
		emu := startEmulator(t, emulator.Config{})
		oob := newOutOfBand(t, emu)
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: protoV6ProviderFactories,
			Steps: []resource.TestStep{
				{Config: accSpaces(emu)},
				{
					PreConfig: func() { oob.remove("Tenant-A", "DC-West") },
					Config:    providerBlock(emu) + `resource "ipam_provider_address_space" "pa2" { name = "DC-East" }`,
					ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
						plancheck.ExpectEmptyPlan(),
					}},
				},
			},
		})
	})
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
			emu := startEmulator(t, emulator.Config{})
			faulted, sawFault := false, false
			want := []*regexp.Regexp{errorText(`Cannot read address space "DC-West"`), errorText(tc.reason)}
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
					if rawXML.MatchString(msg) {
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
							if err := emu.InjectFault(emulator.FaultRule{Kind: tc.kind, Action: "Enumerate"}); err != nil {
								t.Fatal(err)
							}
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
						ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
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
			emu := startEmulator(t, emulator.Config{})
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      providerBlock(emu) + tc.config,
					PlanOnly:    true,
					ExpectError: errorText(tc.want),
				}},
			})
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
		want   string
	}{
		{"client-cert-without-key", provider(`  endpoint = "https://ipam.invalid:5986/wsman"
  auth = "certificate"
  client_cert = "-----BEGIN CERTIFICATE-----"`), `These attributes must be configured together: [client_cert,client_key]`},
		{"kerberos-block-with-basic", provider(`  endpoint = "https://ipam.invalid:5986/wsman"
  auth = "basic"
  kerberos {
    realm = "CORP.EXAMPLE"
  }`), `The kerberos block only applies with auth = "kerberos", but auth is "basic".`},
		{"timeout", provider(`  endpoint = "https://ipam.invalid:5986/wsman"
  timeout = "soon"`), `"soon" is not a positive duration such as 60s or 2m.`},
		{"negative-timeout", provider(`  endpoint = "https://ipam.invalid:5986/wsman"
  timeout = "-5s"`), `"-5s" is not a positive duration`},
		{"max-envelope-size", provider(`  endpoint = "https://ipam.invalid:5986/wsman"
  max_envelope_size = 100`), `value must be between 8192 and 1073741824, got: 100`},
		{"max-concurrent-requests", provider(`  endpoint = "https://ipam.invalid:5986/wsman"
  max_concurrent_requests = 0`), `value must be between 1 and 1000, got: 0`},
		{"auth", provider(`  endpoint = "https://ipam.invalid:5986/wsman"
  auth = "digest"`), `value must be one of: ["ntlm" "basic" "kerberos" "certificate"], got: "digest"`},
		{"unencrypted-remote", provider(`  endpoint = "http://ipam.invalid:5985/wsman"
  auth = "basic"`), `refusing to send Basic credentials over unencrypted HTTP to http://ipam.invalid:5985/wsman`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: protoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      tc.config,
					PlanOnly:    true,
					ExpectError: errorText(tc.want),
				}},
			})
		})
	}
	t.Run("unencrypted-remote-hint", func(t *testing.T) {
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: protoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config:      provider("  endpoint = \"http://ipam.invalid:5985/wsman\"\n  auth = \"basic\""),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Cannot configure the IPAM provider.*auth = "ntlm".*allow_unencrypted`),
			}},
		})
	})
	t.Run("remote-http-ntlm-seals", func(t *testing.T) {
		// NTLM over http:// seals every message, so it needs no allow_unencrypted; planning a
		// create sends nothing yet.
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: protoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config:             provider("  endpoint = \"http://ipam.invalid:5985/wsman\""),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			}},
		})
	})
	t.Run("unencrypted-remote-allowed", func(t *testing.T) {
		// With allow_unencrypted the provider configures; planning a create sends nothing yet.
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: protoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config:             provider("  endpoint = \"http://ipam.invalid:5985/wsman\"\n  auth = \"basic\"\n  allow_unencrypted = true"),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			}},
		})
	})
}

// TestAccAddressSpaceResource_caseInsensitive writes names, the provider space, the isolation method
// and custom field names in another case than IPAM holds them: IPAM sees the same objects, so there
// is nothing to change.
func TestAccAddressSpaceResource_caseInsensitive(t *testing.T) {
	emu := startEmulator(t, emulator.Config{})
	oob := newOutOfBand(t, emu)
	samePA := statecheck.CompareValue(compare.ValuesSame())
	sameCA := statecheck.CompareValue(compare.ValuesSame())
	recased := providerBlock(emu) + `
resource "ipam_provider_address_space" "pa" {
  name                 = "dc-WEST"
  owner                = "netops"
  description          = "west data centre"
  custom_configuration = { REGION = "EU" }
}

resource "ipam_provider_address_space" "pa2" {
  name = "dc-east"
}

resource "ipam_customer_address_space" "ca" {
  name                   = "TENANT-a"
  provider_address_space = "Dc-West"
  isolation_method       = "nvgre"
  tenant                 = "4001"
  vm_network             = "vmnet-a"
  owner                  = "tenant-ops"
  description            = "tenant A"
  custom_configuration   = { costcenter = "100" }
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: accSpaces(emu),
				ConfigStateChecks: []statecheck.StateCheck{
					samePA.AddStateValue(accPA, atPath("id")),
					sameCA.AddStateValue(accCA, atPath("id")),
				},
			},
			{
				Config:           recased,
				PlanOnly:         true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				Config:           recased,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{
					samePA.AddStateValue(accPA, atPath("id")),
					sameCA.AddStateValue(accCA, atPath("id")),
				},
				Check: oob.expect("DC-West", map[string]string{"name": "DC-West", "custom_configuration": "Region=EU"}),
			},
			{
				// A real change next to case-only ones updates only what changed.
				Config: strings.Replace(recased, `owner                = "netops"`, `owner                = "netops-2"`, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: actions(
					accPA, plancheck.ResourceActionUpdate,
					accPA2, plancheck.ResourceActionNoop,
					accCA, plancheck.ResourceActionNoop,
				)},
				Check: oob.expect("DC-West", map[string]string{"name": "DC-West", "owner": "netops-2"}),
			},
		},
	})
}

// TestAccAddressSpaceResource_createCaseInsensitive creates spaces with a configuration that spells
// the provider space, the isolation method and custom fields unlike IPAM: no diff follows.
func TestAccAddressSpaceResource_createCaseInsensitive(t *testing.T) {
	emu := startEmulator(t, emulator.Config{})
	oob := newOutOfBand(t, emu)
	config := providerBlock(emu) + `
resource "ipam_provider_address_space" "pa" {
  name = "DC-West"
}

resource "ipam_customer_address_space" "ca" {
  name                   = "Tenant-A"
  provider_address_space = lower(ipam_provider_address_space.pa.name)
  isolation_method       = "iprewrite"
  custom_configuration   = { region = "EU" }
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(accCA, atPath("provider_address_space"), knownvalue.StringExact("dc-west")),
					statecheck.ExpectKnownValue(accCA, atPath("isolation_method"), knownvalue.StringExact("iprewrite")),
				},
				Check: oob.expect("Tenant-A", map[string]string{"provider_address_space": "DC-West", "isolation_method": "IPRewrite"}),
			},
			{
				Config:           config,
				PlanOnly:         true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// requestLog collects the emulator's one line per answered request.
type requestLog struct {
	mu    sync.Mutex
	lines []string
}

func (l *requestLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, strings.TrimSpace(string(p)))
	return len(p), nil
}

// count returns how many answered requests mention s, e.g. a method name.
func (l *requestLog) count(s string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, line := range l.lines {
		if strings.Contains(line, s) {
			n++
		}
	}
	return n
}

func (l *requestLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = nil
}

func (l *requestLog) expectAnswered(method string, want func(n int) bool, what string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if n := l.count(method); !want(n) {
			return fmt.Errorf("the emulator answered %d %s requests, want %s", n, method, what)
		}
		return nil
	}
}

// TestAccAddressSpaceResource_ambiguousOutcome drops the connection after IPAM has acted on a
// create, an update and a delete, so the provider cannot know the outcome: each converges without
// an error, without a duplicate, and with the state matching IPAM.
func TestAccAddressSpaceResource_ambiguousOutcome(t *testing.T) {
	reqs := &requestLog{}
	emu := startEmulator(t, emulator.Config{Logger: log.New(reqs, "", 0)})
	oob := newOutOfBand(t, emu)
	dropAfter := func(method string) {
		t.Helper()
		if err := emu.InjectFault(emulator.FaultRule{Kind: emulator.FaultDropAfter, Action: method, Count: 1}); err != nil {
			t.Fatal(err)
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					reqs.reset()
					dropAfter("AddProviderAddressSpace")
					dropAfter("AddCustomerAddressSpace")
				},
				Config: accSpaces(emu),
				Check: resource.ComposeAggregateTestCheckFunc(
					// Two provider spaces were added, one answer was lost; the lost customer Add was
					// not sent again (it would have failed: the name exists) but read back.
					reqs.expectAnswered("AddProviderAddressSpace", func(n int) bool { return n == 1 }, "1"),
					reqs.expectAnswered("AddCustomerAddressSpace", func(n int) bool { return n == 0 }, "0"),
					oob.expectStateID(accPA, "DC-West"),
					oob.expectStateID(accPA2, "DC-East"),
					oob.expectStateID(accCA, "Tenant-A"),
					oob.expect("Tenant-A", map[string]string{"tenant": "4001", "custom_configuration": "CostCenter=100"}),
				),
			},
			{
				PreConfig: func() {
					reqs.reset()
					dropAfter("BulkAddOrUpdateAddressSpace")
				},
				Config: strings.Replace(accSpaces(emu), `owner                = "netops"`, `owner                = "netops-2"`, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: actions(
					accPA, plancheck.ResourceActionUpdate,
				)},
				Check: resource.ComposeAggregateTestCheckFunc(
					reqs.expectAnswered("BulkAddOrUpdateAddressSpace", func(n int) bool { return n == 1 }, "1 (the repeat of the lost one)"),
					oob.expect("DC-West", map[string]string{"owner": "netops-2"}),
				),
			},
			{
				PreConfig: func() {
					reqs.reset()
					dropAfter("BulkDeleteAddressSpace")
				},
				Config: providerBlock(emu) + `resource "ipam_provider_address_space" "pa2" { name = "DC-East" }`,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: actions(
					accPA, plancheck.ResourceActionDestroy,
					accCA, plancheck.ResourceActionDestroy,
				)},
				Check: resource.ComposeAggregateTestCheckFunc(
					// Two deletes, one answer lost and its repeat found nothing: still success.
					reqs.expectAnswered("BulkDeleteAddressSpace", func(n int) bool { return n == 2 }, "2"),
					oob.expectGone("DC-West"),
					oob.expectGone("Tenant-A"),
				),
			},
		},
	})
}

// TestAccAddressSpaceResource_renameCollision renames a space to a name somebody else has taken
// (in another case): IPAM refuses, and neither IPAM nor the state changes.
func TestAccAddressSpaceResource_renameCollision(t *testing.T) {
	emu := startEmulator(t, emulator.Config{})
	oob := newOutOfBand(t, emu)
	config := func(name string) string {
		return providerBlock(emu) + fmt.Sprintf(`
resource "ipam_provider_address_space" "pa" {
  name = %q
}
`, name)
	}
	reason := regexp.MustCompile(`(?s)` + errorText(`Cannot update address space "dc-north"`).String() + `.*` +
		errorText(`an address space named "DC-North" already exists`).String())
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
					oob.addProvider(ipam.AddressSpace{Name: "DC-North", Owner: "somebody"})
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
				Check: resource.ComposeAggregateTestCheckFunc(
					oob.expectStateID(accPA, "DC-West"),
					oob.expect("DC-North", map[string]string{"owner": "somebody"}),
				),
			},
		},
	})
}

// TestAccAddressSpaceResource_generateConfigCLI runs what a user runs, outside the test
// framework: the provider binary built from main.go and found through a dev_overrides CLI
// configuration (so no terraform init), import blocks, terraform plan -generate-config-out, then
// apply, a plan that must show no changes (-detailed-exitcode 0), and destroy.
func TestAccAddressSpaceResource_generateConfigCLI(t *testing.T) {
	tf := needTerraformCLI(t)
	t.Parallel()
	cli := newTerraformCLI(t, tf)

	emu := startEmulator(t, emulator.Config{})
	oob := newOutOfBand(t, emu)
	pa := oob.addProvider(ipam.AddressSpace{Name: "DC-West", Owner: "netops", Description: "west data centre",
		CustomConfiguration: ipam.CustomConfiguration{"Region": "EU"}})
	ca := oob.addCustomer(ipam.AddressSpace{Name: "Tenant-A", AssociatedProviderAddressSpace: "DC-West", IsolationMethod: "IPRewrite",
		Tenant: "4001", VMNetwork: "vmnet-a", CustomConfiguration: ipam.CustomConfiguration{"CostCenter": "100"}})

	cli.write(providerBlock(emu) + `
import {
  to = ipam_provider_address_space.west
  id = "dc-west"
}

import {
  to = ipam_customer_address_space.tenant
  id = "TENANT-A"
}
`)

	out := cli.mustSucceed("plan", "-input=false", "-no-color", "-generate-config-out=generated.tf")
	if !errorText("Plan: 2 to import, 0 to add, 0 to change, 0 to destroy.").MatchString(out) {
		t.Fatalf("the plan with generated configuration is not a clean import:\n%s", out)
	}
	generated, err := os.ReadFile(filepath.Join(cli.dir, "generated.tf"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("generated.tf:\n%s", generated)
	for _, re := range []*regexp.Regexp{
		regexp.MustCompile(`resource "ipam_provider_address_space" "west" \{`),
		regexp.MustCompile(`resource "ipam_customer_address_space" "tenant" \{`),
		regexp.MustCompile(`name\s+=\s+"DC-West"`),
		regexp.MustCompile(`provider_address_space\s+=\s+"DC-West"`),
		regexp.MustCompile(`isolation_method\s+=\s+"IPRewrite"`),
		regexp.MustCompile(`Region\s+=\s+"EU"`),
	} {
		if !re.Match(generated) {
			t.Errorf("generated.tf does not match %s:\n%s", re, generated)
		}
	}
	if regexp.MustCompile(`(?m)^\s*(id|ipv4_utilization_percent|access_scope_path)\s+=`).Match(generated) {
		t.Errorf("generated.tf sets computed-only attributes:\n%s", generated)
	}

	cli.mustSucceed("apply", "-input=false", "-no-color", "-auto-approve")
	cli.mustSucceed("plan", "-input=false", "-no-color", "-detailed-exitcode")
	state := cli.mustSucceed("state", "show", "-no-color", "ipam_customer_address_space.tenant")
	if !strings.Contains(state, ca.InstanceID) {
		t.Errorf("the imported customer space's state does not carry its InstanceID %s:\n%s", ca.InstanceID, state)
	}
	for _, check := range []resource.TestCheckFunc{
		oob.expect("DC-West", map[string]string{"id": pa.InstanceID, "owner": "netops", "custom_configuration": "Region=EU"}),
		oob.expect("Tenant-A", map[string]string{"id": ca.InstanceID, "tenant": "4001", "isolation_method": "IPRewrite"}),
	} {
		if err := check(nil); err != nil {
			t.Error(err)
		}
	}

	// The generated customer space names its provider space literally, so Terraform sees no
	// dependency between them and deletes both at once: the provider space's delete waits for
	// the customer space to go.
	cli.mustSucceed("destroy", "-input=false", "-no-color", "-auto-approve")
	for _, check := range []resource.TestCheckFunc{oob.expectGone("DC-West"), oob.expectGone("Tenant-A")} {
		if err := check(nil); err != nil {
			t.Error(err)
		}
	}
}

// TestAccAddressSpaceResource_updateGone updates spaces that somebody deleted after Terraform last
// looked (a plan made with -refresh=false): the update fails with IPAM's reason, and a refreshed
// plan then re-creates them.
func TestAccAddressSpaceResource_updateGone(t *testing.T) {
	emu := startEmulator(t, emulator.Config{})
	oob := newOutOfBand(t, emu)
	changed := strings.Replace(strings.Replace(accSpaces(emu),
		`owner                = "netops"`, `owner                = "netops-2"`, 1),
		`tenant                 = "4001"`, `tenant                 = "4002"`, 1)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		AdditionalCLIOptions:     &resource.AdditionalCLIOptions{Plan: resource.PlanOptions{NoRefresh: true}},
		Steps: []resource.TestStep{
			{Config: accSpaces(emu)},
			{
				PreConfig: func() { oob.remove("Tenant-A", "DC-West") },
				Config:    changed,
				ExpectError: regexp.MustCompile(`(?s)` + errorText(`Cannot update address space "DC-West"`).String() + `.*` +
					errorText(`no address space has InstanceID`).String()),
			},
		},
	})
}
