package acctest

import (
	"fmt"
	"maps"
	"regexp"
	"slices"

	"github.com/hashicorp/terraform-plugin-testing/compare"
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
		ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: EmptyPlan()},
	}
}

// Apply is the step that applies config: its plan must pass the plan checks (Actions, EmptyPlan)
// before it is applied, and checks run on the state after.
func Apply(config string, plan []plancheck.PlanCheck, checks ...statecheck.StateCheck) resource.TestStep {
	return resource.TestStep{
		Config:            config,
		ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: plan},
		ConfigStateChecks: checks,
	}
}

// PlanFails is a plan-only step whose plan of config must fail with an error that matches want.
func PlanFails(config string, want *regexp.Regexp) resource.TestStep {
	return resource.TestStep{Config: config, PlanOnly: true, ExpectError: want}
}

// ImportVerify imports id into addr with terraform import, and compares what the import read with
// the state (ImportStateVerify).
func ImportVerify(addr, id string) resource.TestStep {
	return resource.TestStep{ResourceName: addr, ImportState: true, ImportStateId: id, ImportStateVerify: true}
}

// ImportBlock plans an import block of id into addr next to the configuration of the step before;
// checks run on that plan.
func ImportBlock(addr, id string, checks ...plancheck.PlanCheck) resource.TestStep {
	return resource.TestStep{
		ResourceName:     addr,
		ImportState:      true,
		ImportStateKind:  resource.ImportBlockWithID,
		ImportStateId:    id,
		ImportPlanChecks: resource.ImportPlanChecks{PreApply: checks},
	}
}

// ImportGenerated is terraform plan -generate-config-out: an import block of id into addr next to
// config, which does not declare addr; checks run on the plan of the generated configuration, whose
// resource is named "generated".
func ImportGenerated(config, addr, id string, checks ...plancheck.PlanCheck) resource.TestStep {
	step := ImportBlock(addr, id, checks...)
	step.Config = config
	step.GenerateConfig = true
	return step
}

// ImportFails imports id into addr, as kind says (resource.ImportCommandWithID is terraform import,
// resource.ImportBlockWithID an import block), and that must fail with an error that matches want.
func ImportFails(kind resource.ImportStateKind, addr, id string, want *regexp.Regexp) resource.TestStep {
	return resource.TestStep{ResourceName: addr, ImportState: true, ImportStateKind: kind, ImportStateId: id, ExpectError: want}
}

// EmptyPlan is the plan check of a plan that changes nothing.
func EmptyPlan() []plancheck.PlanCheck { return []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()} }

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

// TrackIDs follows the ids of the resources at addrs through the steps whose state checks it
// makes: each call returns a check of each id, then more. With compare.ValuesSame() the ids must
// stay what they were at the first such step (changes in place); with compare.ValuesDiffer() each
// must differ from the one before (re-creation).
func TrackIDs(how compare.ValueComparer, addrs ...string) func(more ...statecheck.StateCheck) []statecheck.StateCheck {
	ids := make([]interface {
		AddStateValue(string, tfjsonpath.Path) statecheck.StateCheck
	}, len(addrs))
	for i := range ids {
		ids[i] = statecheck.CompareValue(how)
	}
	return func(more ...statecheck.StateCheck) []statecheck.StateCheck {
		checks := make([]statecheck.StateCheck, 0, len(addrs)+len(more))
		for i, addr := range addrs {
			checks = append(checks, ids[i].AddStateValue(addr, tfjsonpath.New("id")))
		}
		return append(checks, more...)
	}
}
