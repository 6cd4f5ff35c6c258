package provider

// The fault matrix: every operation Terraform performs (create, refresh, update, delete) on the
// single resources and on ipam_address_spaces, under every fault the emulator can inject. After
// each faulted step the apply has either succeeded through a safe retry or failed with a clear
// error; the fault is then cleared, the same configuration converges, and stateMatchesServer finds
// nothing lost, duplicated or untracked. Each row states what each operation must come to.

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
	// file (testdata/TestAccFaultMatrix/) is created; toV2 makes the update of it (changed
	// values, and for the bulk resource a removed and an added key); the delete step configures
	// neither.
	file               string
	toV2               *strings.Replacer
	want1, want2       []string
	createActions      []string
	create, read       string // error summaries (acctest.ErrorText phrases)
	update, deleteWhat string
}

var matrixManaged = []string{"FM-PA", "FM-CA", "FM-CA1", "FM-CA2", "FM-CA3"}

var singleTarget = matrixTarget{
	name:          "single",
	file:          "single.tf",
	toV2:          strings.NewReplacer(`"netops"`, `"netops-2"`, `"4001"`, `"4002"`),
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

var bulkTarget = matrixTarget{
	name: "bulk",
	file: "bulk.tf",
	toV2: strings.NewReplacer(`"netops"`, `"netops-2"`, `"4001"`, `"4002"`,
		`"FM-CA2" = { type = "Customer", provider_address_space = "fm-pa", isolation_method = "IPRewrite" }`,
		`"FM-CA3" = { type = "Customer", provider_address_space = "FM-PA", isolation_method = "NVGRE", description = "added" }`),
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

// result is what an operation must come to under a row's fault.
type result int

const (
	// notRun: the fault is not injected into this operation. (An unfaulted create still runs, to
	// make what the later operations work on; the other operations are left out.)
	notRun result = iota
	// absorbed: a safe retry absorbs the fault; the apply succeeds, and a second apply would
	// change nothing.
	absorbed
	// fails: the apply fails with a clear error; with the fault cleared, the same configuration
	// converges.
	fails
)

// How often a row's fault strikes: FaultRule.Count.
const (
	once   = 1 // a transient fault
	always = 0 // a persistent fault, until it is cleared
)

// matrixCase is one row: a fault, how often it strikes, and what each operation must come to.
type matrixCase struct {
	target *matrixTarget
	kind   emulator.FaultKind // "" for per-item failure: the bulk items named FM-CA1 fail
	count  int
	// What create, refresh, update and delete must come to.
	create, refresh, update, delete result
}

// matrixCases are the rows, with each operation's expected outcome written down. Why each is what
// it is, in the client's terms:
//   - reads and bulk calls are idempotent and retried (4 attempts) on 503, quota, timeouts and
//     dropped connections: a fault that strikes once is absorbed, one that strikes always fails;
//   - an Add is retried on 503 and quota (the server did not act), and after a timeout or a
//     dropped connection it reads the name back: it takes its own object if the server had
//     committed (so a persistent drop-after is absorbed by the single resources' create), or sends
//     the Add again (at most 3 Adds);
//   - HTTP 500 with an empty body is WinRM refusing the request for good: never retried, so
//     striking once and always are the same, and only once is run;
//   - a per-item failure is the server's answer for that item: reported, not retried.
//
// A persistent slow fault costs 4 x 3.5s per call (two calls per bulk write, one per type), so it
// runs on the single resources' create, refresh and update and on the bulk resource's refresh
// only, which keeps the matrix within a few minutes.
var matrixCases = []matrixCase{
	// target, fault, how often it strikes; then what create, refresh, update and delete come to.
	{&singleTarget, emulator.FaultSlow, once, absorbed, absorbed, absorbed, absorbed},
	{&singleTarget, emulator.FaultSlow, always, fails, fails, fails, notRun},
	{&singleTarget, emulator.FaultUnavailable, once, absorbed, absorbed, absorbed, absorbed},
	{&singleTarget, emulator.FaultUnavailable, always, fails, fails, fails, fails},
	{&singleTarget, emulator.FaultEmpty500, once, fails, fails, fails, fails},
	{&singleTarget, emulator.FaultDropBefore, once, absorbed, absorbed, absorbed, absorbed},
	{&singleTarget, emulator.FaultDropBefore, always, fails, fails, fails, fails},
	{&singleTarget, emulator.FaultDropAfter, once, absorbed, absorbed, absorbed, absorbed},
	{&singleTarget, emulator.FaultDropAfter, always, absorbed, fails, fails, fails},
	{&singleTarget, emulator.FaultQuota, once, absorbed, absorbed, absorbed, absorbed},
	{&singleTarget, emulator.FaultQuota, always, fails, fails, fails, fails},

	{&bulkTarget, emulator.FaultSlow, once, absorbed, absorbed, absorbed, absorbed},
	{&bulkTarget, emulator.FaultSlow, always, notRun, fails, notRun, notRun},
	{&bulkTarget, emulator.FaultUnavailable, once, absorbed, absorbed, absorbed, absorbed},
	{&bulkTarget, emulator.FaultUnavailable, always, fails, fails, fails, fails},
	{&bulkTarget, emulator.FaultEmpty500, once, fails, fails, fails, fails},
	{&bulkTarget, emulator.FaultDropBefore, once, absorbed, absorbed, absorbed, absorbed},
	{&bulkTarget, emulator.FaultDropBefore, always, fails, fails, fails, fails},
	{&bulkTarget, emulator.FaultDropAfter, once, absorbed, absorbed, absorbed, absorbed},
	{&bulkTarget, emulator.FaultDropAfter, always, fails, fails, fails, fails},
	{&bulkTarget, emulator.FaultQuota, once, absorbed, absorbed, absorbed, absorbed},
	{&bulkTarget, emulator.FaultQuota, always, fails, fails, fails, fails},
	{&bulkTarget, "", always, fails, notRun, fails, fails},
}

// result is what op must come to in this row.
func (c matrixCase) result(op matrixOp) result {
	return map[matrixOp]result{opCreate: c.create, opRefresh: c.refresh, opUpdate: c.update, opDelete: c.delete}[op]
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

// TestAccFaultMatrix runs every row against its own emulator, in parallel.
func TestAccFaultMatrix(t *testing.T) {
	for _, c := range matrixCases {
		t.Run(c.name(), func(t *testing.T) {
			c.run(t)
		})
	}
}

func (c matrixCase) run(t *testing.T) {
	reqs := &acctest.RequestLog{}
	emu, oob := acctest.StartWithOutOfBand(t, emulator.Config{Logger: reqs.Logger()})
	block := faultProviderBlock(emu.URL)
	v1 := acctest.HCL(t, c.target.file)
	configs := map[matrixOp]string{opCreate: block + v1, opRefresh: block + v1, opUpdate: block + c.target.toV2.Replace(v1), opDelete: block}
	wants := map[matrixOp][]string{opCreate: c.target.want1, opRefresh: c.target.want1, opUpdate: c.target.want2, opDelete: {}}

	var steps []resource.TestStep
	for _, op := range allOps {
		config, want := configs[op], wants[op]
		if c.result(op) == notRun {
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
		if c.result(op) == fails {
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
