package provider

// The fault matrix: every operation Terraform performs (create, refresh, update, delete) on the
// single resources and on ipam_address_spaces, under every fault the emulator can inject. After
// each faulted step the apply has either succeeded through a safe retry or failed with a clear
// error; the fault is then cleared, the same configuration converges, and stateMatchesServer finds
// nothing lost, duplicated or untracked. The concurrency test at the end applies 200 resources at
// -parallelism=50 against an emulator that enforces WinRM's concurrent-operations quota.

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/winipam/terraform-provider-ipam/internal/acctest"
	"github.com/winipam/terraform-provider-ipam/internal/emulator"
)

const (
	// faultTimeout is the provider's per-request timeout in the matrix. The client gives the HTTP
	// exchange timeout + timeout/4 + 1s (3.5s) before it gives up on an answer.
	faultTimeout = 2 * time.Second
	// slowDelay is "latency past the timeout": the emulator waits this long before acting, and
	// gives up without acting when the client hangs up first.
	slowDelay = 4 * time.Second
)

// faultProviderBlock configures the provider for an emulator with the matrix's short timeout.
func faultProviderBlock(endpoint string) string {
	return acctest.ProviderBlock(endpoint, fmt.Sprintf("timeout = %q", faultTimeout))
}

// ---------------------------------------------------------------------------------------------
// The matrix.

// matrixTarget is what a row applies: the single resources, or one ipam_address_spaces.
type matrixTarget struct {
	name string
	// v1 is created, v2 updates it (changed values, and for the bulk resource a removed and an
	// added key); the delete step configures neither.
	v1, v2             string
	want1, want2       []string
	createActions      []string
	create, read       string // error summaries (errorText phrases)
	update, deleteWhat string
}

var matrixManaged = []string{"FM-PA", "FM-CA", "FM-CA1", "FM-CA2", "FM-CA3"}

var singleTarget = matrixTarget{
	name: "single",
	v1: `
resource "ipam_provider_address_space" "pa" {
  name                 = "FM-PA"
  owner                = "netops"
  description          = "fault matrix"
  custom_configuration = { Region = "EU" }
}
resource "ipam_customer_address_space" "ca" {
  name                   = "FM-CA"
  provider_address_space = ipam_provider_address_space.pa.name
  isolation_method       = "NVGRE"
  tenant                 = "4001"
}
`,
	want1:         []string{"FM-PA", "FM-CA"},
	want2:         []string{"FM-PA", "FM-CA"},
	createActions: []string{"AddProviderAddressSpace", "AddCustomerAddressSpace"},
	// The customer space names the provider space by reference: Terraform creates, updates and
	// reads the provider space first and deletes the customer space first, and skips the other
	// when the first fails.
	create:     `Cannot create address space "FM-PA"`,
	read:       `Cannot read address space "FM-PA"`,
	update:     `Cannot update address space "FM-PA"`,
	deleteWhat: `Cannot delete address space "FM-CA"`,
}

func init() {
	singleTarget.v2 = strings.NewReplacer(`"netops"`, `"netops-2"`, `"4001"`, `"4002"`).Replace(singleTarget.v1)
}

var bulkTarget = matrixTarget{
	name: "bulk",
	v1: `
resource "ipam_address_spaces" "all" {
  address_spaces = {
    "FM-PA"  = { type = "Provider", owner = "netops", custom_configuration = { Region = "EU" } }
    "FM-CA1" = { type = "Customer", provider_address_space = "FM-PA", isolation_method = "NVGRE", tenant = "4001" }
    "FM-CA2" = { type = "Customer", provider_address_space = "fm-pa", isolation_method = "IPRewrite" }
  }
}
`,
	v2: `
resource "ipam_address_spaces" "all" {
  address_spaces = {
    "FM-PA"  = { type = "Provider", owner = "netops-2", custom_configuration = { Region = "EU" } }
    "FM-CA1" = { type = "Customer", provider_address_space = "FM-PA", isolation_method = "NVGRE", tenant = "4002" }
    "FM-CA3" = { type = "Customer", provider_address_space = "FM-PA", isolation_method = "NVGRE", description = "added" }
  }
}
`,
	want1:         []string{"FM-PA", "FM-CA1", "FM-CA2"},
	want2:         []string{"FM-PA", "FM-CA1", "FM-CA3"},
	createActions: []string{"BulkAddOrUpdateAddressSpace"},
	// Items are applied providers first (one call per type) and deleted customers first.
	create: `Cannot create address space "FM-PA"`,
	// A failed read of the whole set names the resource, not each key.
	read:       `Cannot read the address spaces with ipam_address_spaces.all,`,
	update:     `Cannot apply address space "FM-PA"`,
	deleteWhat: `Cannot delete address space "FM-CA1"`,
}

type matrixOp string

const (
	opCreate  matrixOp = "create"
	opRefresh matrixOp = "refresh"
	opUpdate  matrixOp = "update"
	opDelete  matrixOp = "delete"
)

var allOps = []matrixOp{opCreate, opRefresh, opUpdate, opDelete}

// matrixCase is one row: a fault, how often it strikes (Count 0: until cleared), and the
// operations it is injected into.
type matrixCase struct {
	target *matrixTarget
	kind   emulator.FaultKind // "" for per-item failure
	count  int
	ops    []matrixOp
}

func (c matrixCase) name() string {
	switch {
	case c.kind == "":
		return c.target.name + "/per-item"
	case c.count == 0:
		return fmt.Sprintf("%s/%s-persistent", c.target.name, c.kind)
	}
	return fmt.Sprintf("%s/%s-once", c.target.name, c.kind)
}

func (c matrixCase) actions(op matrixOp) []string {
	switch op {
	case opCreate:
		return c.target.createActions
	case opRefresh:
		return []string{"Enumerate"}
	case opUpdate:
		return []string{"BulkAddOrUpdateAddressSpace"}
	}
	return []string{"BulkDeleteAddressSpace"}
}

// reason is how each fault must read in a diagnostic.
func (c matrixCase) reason() string {
	switch c.kind {
	case emulator.FaultSlow:
		return "no answer within " + faultTimeout.String()
	case emulator.FaultUnavailable:
		return "answered HTTP 503 Service Unavailable"
	case emulator.FaultEmpty500:
		return "answered HTTP 500 Internal Server Error with an empty body"
	case emulator.FaultDropBefore, emulator.FaultDropAfter:
		return "The connection was dropped"
	case emulator.FaultQuota:
		return "maximum number of concurrent operations"
	}
	return "injected failure"
}

// strikes counts how often the fault has struck so far, from the emulator's request log: one
// line per request, naming the fault (a dropped connection too).
func (c matrixCase) strikes(reqs *acctest.RequestLog) int {
	if c.kind == emulator.FaultSlow {
		return reqs.Count(" cancelled ") // the client hung up before the delay was over
	}
	return reqs.Count(" fault-" + string(c.kind) + " ")
}

// fails says whether the operation must fail, by how the client treats each fault:
//   - reads and bulk calls are idempotent and retried (4 attempts) on 503, quota, timeouts and
//     dropped connections: a fault that strikes once is absorbed;
//   - an Add is retried on 503 and quota (the server did not act), and after a timeout or a
//     dropped connection it reads the name back: it takes its own object if the server had
//     committed (so drop-after succeeds even when it strikes every Add), or sends the Add again
//     (at most 3 Adds);
//   - HTTP 500 with an empty body is WinRM refusing the request for good: never retried;
//   - a per-item failure is the server's answer for that item: reported, not retried.
func (c matrixCase) fails(op matrixOp) bool {
	switch {
	case c.kind == "":
		return op != opRefresh
	case c.kind == emulator.FaultEmpty500:
		return true
	case c.count > 0:
		return false
	case c.kind == emulator.FaultDropAfter && op == opCreate && c.target == &singleTarget:
		return false
	}
	return true
}

// errorFor is the ExpectError of a failing operation: the summary that names the address space,
// then the fault's reason, and no '<' anywhere (no raw XML). ipam_address_spaces reports the keys
// of a call that failed as a whole in one diagnostic ("Cannot create 3 address spaces", the
// reason, then "Address spaces concerned: ..."), and what IPAM refused item by item per key.
func (c matrixCase) errorFor(op matrixOp) *regexp.Regexp {
	summary := map[matrixOp]string{opCreate: c.target.create, opRefresh: c.target.read, opUpdate: c.target.update, opDelete: c.target.deleteWhat}[op]
	if c.kind == "" {
		// The items named FM-CA1 fail.
		summary = strings.Replace(summary, `"FM-PA"`, `"FM-CA1"`, 1)
	}
	re := acctest.ErrorText(summary).String() + `[^<]*` + acctest.ErrorText(c.reason()).String()
	if m := perKeySummary.FindStringSubmatch(summary); m != nil && c.target == &bulkTarget {
		re = `(?:` + re + `|` + acctest.ErrorText("Cannot "+m[1]).String() + `[\s│]+\d+[\s│]+address[\s│]+spaces[^<]*` + acctest.ErrorText(c.reason()).String() +
			`[^<]*` + acctest.ErrorText("Address spaces concerned:").String() + `[^<]*` + regexp.QuoteMeta(m[2]) + `)`
	}
	return regexp.MustCompile(`(?s)\A[^<]*` + re + `[^<]*\z`)
}

var perKeySummary = regexp.MustCompile(`^Cannot (\w+) address space ("[^"]+")$`)

// matrixCases are the rows: each fault strikes once (Count 1: a transient fault the client must
// absorb, or report if it cannot be retried) and every time (Count 0: a persistent fault that must
// end in a clear error), in every operation on both targets, and the bulk resource has its
// per-item failures too. Two exceptions keep the matrix within a few minutes: a 500 with an empty
// body is never retried, so striking once and every time are the same; and a persistent slow
// fault costs 4 x 3.5s per call (two calls per bulk write, one per type), so it runs on the
// single resources' create, refresh and update and on the bulk resource's refresh only.
func matrixCases() []matrixCase {
	var out []matrixCase
	for _, tg := range []*matrixTarget{&singleTarget, &bulkTarget} {
		for _, kind := range []emulator.FaultKind{emulator.FaultSlow, emulator.FaultUnavailable, emulator.FaultEmpty500,
			emulator.FaultDropBefore, emulator.FaultDropAfter, emulator.FaultQuota} {
			out = append(out, matrixCase{target: tg, kind: kind, count: 1, ops: allOps})
			switch {
			case kind == emulator.FaultEmpty500:
			case kind == emulator.FaultSlow && tg == &singleTarget:
				out = append(out, matrixCase{target: tg, kind: kind, count: 0, ops: []matrixOp{opCreate, opRefresh, opUpdate}})
			case kind == emulator.FaultSlow:
				out = append(out, matrixCase{target: tg, kind: kind, count: 0, ops: []matrixOp{opRefresh}})
			default:
				out = append(out, matrixCase{target: tg, kind: kind, count: 0, ops: allOps})
			}
		}
	}
	return append(out, matrixCase{target: &bulkTarget, kind: "", ops: []matrixOp{opCreate, opUpdate, opDelete}})
}

// TestAccFaultMatrix runs every row against its own emulator, in parallel.
func TestAccFaultMatrix(t *testing.T) {
	for _, c := range matrixCases() {
		t.Run(c.name(), func(t *testing.T) {
			c.run(t)
		})
	}
}

func (c matrixCase) run(t *testing.T) {
	reqs := &acctest.RequestLog{}
	emu := acctest.StartEmulator(t, emulator.Config{Logger: reqs.Logger()})
	oob := acctest.NewOutOfBand(t, emu.URL)
	block := faultProviderBlock(emu.URL)
	configs := map[matrixOp]string{opCreate: block + c.target.v1, opRefresh: block + c.target.v1, opUpdate: block + c.target.v2, opDelete: block}
	wants := map[matrixOp][]string{opCreate: c.target.want1, opRefresh: c.target.want1, opUpdate: c.target.want2, opDelete: {}}
	selected := map[matrixOp]bool{}
	for _, op := range c.ops {
		selected[op] = true
	}

	var steps []resource.TestStep
	for _, op := range allOps {
		config, want := configs[op], wants[op]
		if !selected[op] {
			if op == opCreate {
				steps = append(steps, resource.TestStep{Config: config, ConfigStateChecks: []statecheck.StateCheck{stateMatchesServer(oob, matrixManaged, want...)}})
			}
			continue
		}
		var before, between map[string]string
		var fired int
		inject := func() {
			var err error
			if before, err = oob.IDs(); err != nil {
				t.Fatal(err)
			}
			fired = c.strikes(reqs)
			if c.kind == "" {
				emu.SetFailItems("FM-CA1")
				return
			}
			for _, action := range c.actions(op) {
				emu.InjectFault(emulator.FaultRule{Kind: c.kind, Action: action, Count: c.count, Delay: slowDelay})
			}
		}
		// struck checks, once the fault is cleared, that it did strike this operation.
		struck := func() error {
			if c.kind != "" && c.strikes(reqs) == fired {
				return fmt.Errorf("the %s fault on %v never struck during the %s", c.kind, c.actions(op), op)
			}
			return nil
		}
		clearFaults := func() {
			emu.ClearFaults()
			emu.SetFailItems("")
		}
		faulted := resource.TestStep{PreConfig: inject, Config: config, PlanOnly: op == opRefresh}
		if c.fails(op) {
			faulted.ExpectError = c.errorFor(op)
			steps = append(steps, faulted, resource.TestStep{
				// With the fault cleared, the same configuration converges.
				PreConfig: func() {
					clearFaults()
					if err := struck(); err != nil {
						t.Fatal(err)
					}
					var err error
					if between, err = oob.IDs(); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: func() []plancheck.PlanCheck {
					if op == opRefresh {
						// A failed refresh changes nothing: the state is as before.
						return []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}
					}
					return nil
				}()},
				ConfigStateChecks: []statecheck.StateCheck{
					stateMatchesServer(oob, matrixManaged, want...),
					identityKept(oob, &before, want...),
					identityKept(oob, &between, want...),
				},
			})
			continue
		}
		// The fault was absorbed by a safe retry. The step's own follow-up plans (with the fault
		// cleared by then) must be empty: a second apply would change nothing.
		if op == opRefresh {
			steps = append(steps, faulted, resource.TestStep{
				PreConfig: func() {
					clearFaults()
					if err := struck(); err != nil {
						t.Fatal(err)
					}
				},
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{
					stateMatchesServer(oob, matrixManaged, want...),
					identityKept(oob, &before, want...),
				},
			})
			continue
		}
		faulted.ConfigStateChecks = []statecheck.StateCheck{
			acctest.ServerCheck(func() error { clearFaults(); return struck() }),
			stateMatchesServer(oob, matrixManaged, want...),
			identityKept(oob, &before, want...),
		}
		steps = append(steps, faulted)
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps:                    steps,
		// After the final destroy the server holds nothing under a managed name.
		CheckDestroy: acctest.OnDestroy(acctest.ServerCheck(func() error {
			server, err := oob.List()
			if err != nil {
				return err
			}
			_, err = compareWithServer(nil, server, stateCompare{managed: matrixManaged, want: []string{}})
			return err
		})),
	})
}
