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
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/winipam/terraform-provider-ipam/internal/emulator"
	"github.com/winipam/terraform-provider-ipam/internal/ipam"
)

// manyKeys is how many address spaces the scale test manages.
const manyKeys = 1000

// manyConfig manages manyKeys address spaces: a tenth are provider spaces, the rest customer spaces
// on them; the keys in changed get another description.
func manyConfig(emu *emulator.Running, changed map[int]bool) string {
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
		if len(aids) != len(bids) {
			resp.Error = fmt.Errorf("planned ids: %d known, %d before", len(aids), len(bids))
		}
		return
	}
	resp.Error = fmt.Errorf("no change planned for ipam_address_spaces")
}

func TestAccBulk_thousandKeys(t *testing.T) {
	emu := startEmulator(t, emulator.Config{})
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
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("ipam_address_spaces.all", "address_spaces.%", fmt.Sprint(n)),
					resource.TestCheckResourceAttr("ipam_address_spaces.all", "ids.%", fmt.Sprint(n)),
				),
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
				Check: func(*terraform.State) error {
					// Refreshes, the plan's and the apply's, and the changes: a handful of calls,
					// not one per key.
					if got := emu.Requests() - requestsBefore; got > 20 {
						return fmt.Errorf("%d requests to change 10 of %d keys", got, n)
					}
					list, err := bulkOOB(t, emu).List(context.Background(), ipam.Filter{NameLike: "%"})
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
				},
			},
			{
				// Drift on one key among many shows as a change of that key alone.
				PreConfig: func() {
					c := bulkOOB(t, emu)
					a, err := c.GetByName(context.Background(), "ca-0501")
					if err != nil {
						t.Fatal(err)
					}
					a.Owner = "someone"
					if res, err := c.BulkAddOrUpdate(context.Background(), []ipam.AddressSpace{*a}); err != nil || res[0] != nil {
						t.Fatal(err, res)
					}
				},
				Config: manyConfig(emu, changed),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					expectChangedKeys{"ca-0501"},
				}},
			},
		},
		CheckDestroy: func(*terraform.State) error {
			list, err := bulkOOB(t, emu).List(context.Background(), ipam.Filter{})
			if err != nil {
				return err
			}
			if len(list) != 1 {
				return fmt.Errorf("%d address spaces left after destroy", len(list))
			}
			return nil
		},
	})
}

func TestAccBulk_updateFailuresConverge(t *testing.T) {
	emu := startEmulator(t, emulator.Config{})
	items := bulkBase + `
    "bad-1" = { type = "Provider" }`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: bulkConfig(emu, bulkBase)},
			{
				// Adding bad-1 and changing DC-West: DC-West is applied, bad-1 fails, and the
				// state keeps exactly what exists.
				PreConfig: func() {
					if err := emu.SetFailItems("bad%"); err != nil {
						t.Fatal(err)
					}
				},
				Config:      bulkConfig(emu, strings.Replace(items, `owner = "netops"`, `owner = "ops"`, 1)),
				ExpectError: regexp.MustCompile(`(?s)address space "bad-1".*injected failure`),
			},
			{
				PreConfig: func() {
					if err := emu.SetFailItems(""); err != nil {
						t.Fatal(err)
					}
				},
				Config: bulkConfig(emu, strings.Replace(items, `owner = "netops"`, `owner = "ops"`, 1)),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("ipam_address_spaces.all", "address_spaces.DC-West.owner", "ops"),
					resource.TestCheckResourceAttrSet("ipam_address_spaces.all", "ids.bad-1"),
					serverHas(emu, t, map[string]string{"DC-West": "Provider", "Tenant-A": "Customer", "Tenant-B": "Customer", "bad-1": "Provider"}),
				),
			},
		},
	})
}
