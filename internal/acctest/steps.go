package acctest

import (
	"fmt"
	"maps"
	"regexp"
	"slices"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// Drift is the step that shows drift: change, made out of band before the step, must show in the
// plan of config, which is not applied. The plan must not be empty; checks run on the plan
// Terraform makes after refreshing.
func Drift(config string, change func(), checks ...plancheck.PlanCheck) resource.TestStep {
	return resource.TestStep{
		PreConfig:          change,
		Config:             config,
		PlanOnly:           true,
		ExpectNonEmptyPlan: true,
		ConfigPlanChecks:   resource.ConfigPlanChecks{PostApplyPostRefresh: checks},
	}
}

// NoChanges is a plan-only step whose refreshed plan of config must be empty.
func NoChanges(config string) resource.TestStep {
	return resource.TestStep{
		Config:           config,
		PlanOnly:         true,
		ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
	}
}

// Actions are plan checks of resource actions, given as pairs of a resource address and a
// plancheck.ResourceActionType.
func Actions(pairs ...any) []plancheck.PlanCheck {
	var checks []plancheck.PlanCheck
	for i := 0; i < len(pairs); i += 2 {
		name, ok1 := pairs[i].(string)
		action, ok2 := pairs[i+1].(plancheck.ResourceActionType)
		if !ok1 || !ok2 {
			panic("Actions takes pairs of a resource address and a plancheck.ResourceActionType")
		}
		checks = append(checks, plancheck.ExpectResourceAction(name, action))
	}
	return checks
}

// StringMap is a known value check of a map of strings, exactly m.
func StringMap(m map[string]string) knownvalue.Check { return knownvalue.MapExact(Strings(m)) }

// NotEmpty is a known value check of a string that is set and not empty (what
// resource.TestCheckResourceAttrSet checked).
func NotEmpty() knownvalue.Check { return knownvalue.StringRegexp(nonEmpty) }

var nonEmpty = regexp.MustCompile(`.`)

// StringEqual is a known value check of a string equal to *want as it is when the check runs: for
// values an earlier step learns (a server's InstanceID).
func StringEqual(want *string) knownvalue.Check {
	return knownvalue.StringFunc(func(v string) error {
		if v != *want {
			return fmt.Errorf("%q, want %q", v, *want)
		}
		return nil
	})
}

// ExpectAttributes checks attributes of the resource (or data source) at addr in the state, by
// name: one statecheck.ExpectKnownValue each, in the order of the names.
func ExpectAttributes(addr string, want map[string]knownvalue.Check) []statecheck.StateCheck {
	checks := make([]statecheck.StateCheck, 0, len(want))
	for _, name := range slices.Sorted(maps.Keys(want)) {
		checks = append(checks, statecheck.ExpectKnownValue(addr, tfjsonpath.New(name), want[name]))
	}
	return checks
}

// Strings are known value checks of strings, exactly these, by name.
func Strings(want map[string]string) map[string]knownvalue.Check {
	out := make(map[string]knownvalue.Check, len(want))
	for k, v := range want {
		out[k] = knownvalue.StringExact(v)
	}
	return out
}
