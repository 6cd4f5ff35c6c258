package provider

// The fault matrix: every operation Terraform performs (create, refresh, update, delete) on the
// single resources and on ipam_address_spaces, under every fault the emulator can inject. After
// each faulted step the apply has either succeeded through a safe retry or failed with a clear
// error; the fault is then cleared, the same configuration converges, and stateMatchesServer finds
// nothing lost, duplicated or untracked. The concurrency test at the end applies 200 resources at
// -parallelism=50 against an emulator that enforces WinRM's concurrent-operations quota.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/winipam/terraform-provider-ipam/internal/emulator"
	"github.com/winipam/terraform-provider-ipam/internal/ipam"
	"github.com/winipam/terraform-provider-ipam/internal/ipam/wmi"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
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
func faultProviderBlock(endpoint string, extra string) string {
	return fmt.Sprintf(`
provider "ipam" {
  endpoint = %q
  username = %q
  password = %q
  timeout  = %q
%s}
`, endpoint, testUser, testPass, faultTimeout.String(), extra)
}

// ---------------------------------------------------------------------------------------------
// stateMatchesServer and what it compares.

// managedSpace is one address space as Terraform's state records it.
type managedSpace struct {
	addr   string // resource address (and key), for messages
	name   string
	id     string
	typ    ipam.Type
	fields map[string]string // owner, description, provider_address_space, isolation_method, tenant, vm_network
	cc     ipam.CustomConfiguration
}

// spacesFromState reads the address spaces the single and bulk resources track in a state.
func spacesFromState(s *terraform.State) ([]managedSpace, error) {
	var out []managedSpace
	if s == nil || s.RootModule() == nil {
		return nil, nil
	}
	addrs := make([]string, 0, len(s.RootModule().Resources))
	for addr := range s.RootModule().Resources {
		addrs = append(addrs, addr)
	}
	sort.Strings(addrs)
	for _, addr := range addrs {
		rs := s.RootModule().Resources[addr]
		if rs.Primary == nil {
			continue
		}
		attrs := rs.Primary.Attributes
		flatMap := func(prefix string) map[string]string {
			m := map[string]string{}
			for k, v := range attrs {
				if rest, ok := strings.CutPrefix(k, prefix+"."); ok && rest != "%" && !strings.Contains(rest, ".") {
					m[rest] = v
				}
			}
			return m
		}
		switch rs.Type {
		case "ipam_provider_address_space", "ipam_customer_address_space":
			sp := managedSpace{addr: addr, name: attrs["name"], id: attrs["id"], typ: ipam.TypeProvider,
				fields: map[string]string{"owner": attrs["owner"], "description": attrs["description"]},
				cc:     ipam.CustomConfiguration(flatMap("custom_configuration"))}
			if rs.Type == "ipam_customer_address_space" {
				sp.typ = ipam.TypeCustomer
				for _, f := range []string{"provider_address_space", "isolation_method", "tenant", "vm_network"} {
					sp.fields[f] = attrs[f]
				}
			}
			out = append(out, sp)
		case "ipam_address_spaces":
			ids := flatMap("ids")
			keys := map[string]bool{}
			for k := range attrs {
				if rest, ok := strings.CutPrefix(k, "address_spaces."); ok && rest != "%" {
					if name, _, ok := strings.Cut(rest, "."); ok {
						keys[name] = true
					}
				}
			}
			for name := range keys {
				p := "address_spaces." + name + "."
				sp := managedSpace{addr: fmt.Sprintf("%s[%q]", addr, name), name: name, id: ids[name],
					fields: map[string]string{"owner": attrs[p+"owner"], "description": attrs[p+"description"]},
					cc:     ipam.CustomConfiguration(flatMap(p + "custom_configuration"))}
				switch attrs[p+"type"] {
				case "Provider":
					sp.typ = ipam.TypeProvider
				case "Customer":
					sp.typ = ipam.TypeCustomer
					for _, f := range []string{"provider_address_space", "isolation_method", "tenant", "vm_network"} {
						sp.fields[f] = attrs[p+f]
					}
				default:
					return nil, fmt.Errorf("%s: type %q", sp.addr, attrs[p+"type"])
				}
				out = append(out, sp)
			}
			for name := range ids {
				if !keys[name] {
					return nil, fmt.Errorf("%s: ids has %q, which address_spaces does not list", addr, name)
				}
			}
		}
	}
	return out, nil
}

// stateCompare says how strict compareWithServer is.
type stateCompare struct {
	// managed are every name the test ever configures: the server must hold none of them that the
	// state does not track (unless allowUntracked).
	managed []string
	// want are the names configured now: the state must track exactly these (nil: not checked).
	want []string
	// allowUntracked accepts address spaces with managed names that the state does not track
	// (an interrupted bulk create leaves them for the next apply to adopt); they are returned.
	allowUntracked bool
	// idsOnly compares identities (id, name, type) but not values: after a call whose outcome
	// is unknown the state may hold the old values of what the server changed, until a refresh.
	idsOnly bool
}

// compareWithServer checks state against what the server holds: every tracked address space
// exists with the state's id and values, the state tracks each object once and exactly the
// configured names, the server has no duplicate names and nothing under a managed name that the
// state does not track. It returns the untracked objects under managed names.
func compareWithServer(spaces []managedSpace, server []ipam.AddressSpace, opt stateCompare) ([]ipam.AddressSpace, error) {
	var errs []error
	byID := map[string]*ipam.AddressSpace{}
	byName := map[string][]*ipam.AddressSpace{}
	for i := range server {
		a := &server[i]
		byID[strings.ToLower(a.InstanceID)] = a
		byName[strings.ToLower(a.Name)] = append(byName[strings.ToLower(a.Name)], a)
	}
	for name, list := range byName {
		if len(list) > 1 {
			errs = append(errs, fmt.Errorf("DUPLICATE: the server holds %d address spaces named %q", len(list), name))
		}
	}
	tracked := map[string]string{} // lower-case id -> addr
	names := map[string]string{}   // lower-case name -> addr
	for _, sp := range spaces {
		if sp.id == "" {
			errs = append(errs, fmt.Errorf("%s (%q) has no id in state", sp.addr, sp.name))
			continue
		}
		if prev, dup := tracked[strings.ToLower(sp.id)]; dup {
			errs = append(errs, fmt.Errorf("%s and %s both track InstanceID %s", prev, sp.addr, sp.id))
		}
		tracked[strings.ToLower(sp.id)] = sp.addr
		if prev, dup := names[strings.ToLower(sp.name)]; dup {
			errs = append(errs, fmt.Errorf("%s and %s both track the name %q", prev, sp.addr, sp.name))
		}
		names[strings.ToLower(sp.name)] = sp.addr
		a := byID[strings.ToLower(sp.id)]
		if a == nil {
			errs = append(errs, fmt.Errorf("LOST: %s (%q) has id %s in state, but the server has no such object", sp.addr, sp.name, sp.id))
			continue
		}
		if !ipam.SameName(a.Name, sp.name) {
			errs = append(errs, fmt.Errorf("%s: state name %q, server name %q (id %s)", sp.addr, sp.name, a.Name, sp.id))
		}
		if a.Type != sp.typ {
			errs = append(errs, fmt.Errorf("%s (%q): state type %s, server type %s", sp.addr, sp.name, sp.typ, a.Type))
		}
		if opt.idsOnly {
			continue
		}
		got := map[string]string{"owner": a.Owner, "description": a.Description}
		if sp.typ == ipam.TypeCustomer {
			got["provider_address_space"], got["isolation_method"] = a.AssociatedProviderAddressSpace, a.IsolationMethod
			got["tenant"], got["vm_network"] = a.Tenant, a.VMNetwork
		}
		for k, v := range sp.fields {
			same := got[k] == v
			if k == "provider_address_space" || k == "isolation_method" {
				same = strings.EqualFold(got[k], v)
			}
			if !same {
				errs = append(errs, fmt.Errorf("%s (%q): %s is %q in state but %q on the server", sp.addr, sp.name, k, v, got[k]))
			}
		}
		if !sp.cc.Equal(a.CustomConfiguration) {
			errs = append(errs, fmt.Errorf("%s (%q): custom_configuration is %q in state but %q on the server", sp.addr, sp.name, sp.cc.String(), a.CustomConfiguration.String()))
		}
	}
	if opt.want != nil {
		want := map[string]bool{}
		for _, n := range opt.want {
			want[strings.ToLower(n)] = true
			if _, ok := names[strings.ToLower(n)]; !ok {
				errs = append(errs, fmt.Errorf("MISSING: %q is configured but the state does not track it", n))
			}
		}
		for n, addr := range names {
			if !want[n] {
				errs = append(errs, fmt.Errorf("%s tracks %q, which is not configured", addr, n))
			}
		}
	}
	var untracked []ipam.AddressSpace
	for _, n := range opt.managed {
		for _, a := range byName[strings.ToLower(n)] {
			if _, ok := tracked[strings.ToLower(a.InstanceID)]; ok {
				continue
			}
			untracked = append(untracked, *a)
			if !opt.allowUntracked {
				errs = append(errs, fmt.Errorf("UNTRACKED: the server holds %q (%s, %s) under a managed name, and the state does not track it", a.Name, a.Type, a.InstanceID))
			}
		}
	}
	return untracked, errors.Join(errs...)
}

// stateMatchesServer reads the emulator through an out-of-band client and compares it with the
// state: see compareWithServer. want are the names the configuration lists now.
func stateMatchesServer(oob *wmi.Client, managed []string, want ...string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		spaces, err := spacesFromState(s)
		if err != nil {
			return err
		}
		server, err := oob.List(context.Background(), ipam.Filter{})
		if err != nil {
			return fmt.Errorf("out of band: %w", err)
		}
		if want == nil {
			want = []string{}
		}
		_, err = compareWithServer(spaces, server, stateCompare{managed: managed, want: want})
		return err
	}
}

// serverIDs returns the InstanceID of every address space on the server, by lower-case name.
func serverIDs(oob *wmi.Client) (map[string]string, error) {
	list, err := oob.List(context.Background(), ipam.Filter{})
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, a := range list {
		out[strings.ToLower(a.Name)] = a.InstanceID
	}
	return out, nil
}

// identityKept checks that every address space in before that is still configured (want) still
// exists under the same InstanceID: nothing was deleted and re-created behind the user's back.
func identityKept(oob *wmi.Client, before *map[string]string, want ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		now, err := serverIDs(oob)
		if err != nil {
			return err
		}
		var errs []error
		for _, n := range want {
			k := strings.ToLower(n)
			if old, ok := (*before)[k]; ok && now[k] != old {
				errs = append(errs, fmt.Errorf("RE-CREATED: %q had InstanceID %s before, now %q", n, old, now[k]))
			}
		}
		return errors.Join(errs...)
	}
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
func (c matrixCase) strikes(_ *emulator.Running, reqs *requestLog) int {
	if c.kind == emulator.FaultSlow {
		return reqs.count(" cancelled ") // the client hung up before the delay was over
	}
	return reqs.count(" fault-" + string(c.kind) + " ")
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
	re := errorText(summary).String() + `[^<]*` + errorText(c.reason()).String()
	if m := perKeySummary.FindStringSubmatch(summary); m != nil && c.target == &bulkTarget {
		re = `(?:` + re + `|` + errorText("Cannot "+m[1]).String() + `[\s│]+\d+[\s│]+address[\s│]+spaces[^<]*` + errorText(c.reason()).String() +
			`[^<]*` + errorText("Address spaces concerned:").String() + `[^<]*` + regexp.QuoteMeta(m[2]) + `)`
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
	reqs := &requestLog{}
	emu := startEmulator(t, emulator.Config{Logger: log.New(reqs, "", 0)})
	oob := bulkOOB(t, emu)
	block := faultProviderBlock(emu.URL, "")
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
				steps = append(steps, resource.TestStep{Config: config, Check: stateMatchesServer(oob, matrixManaged, want...)})
			}
			continue
		}
		var before, between map[string]string
		var fired int
		inject := func() {
			var err error
			if before, err = serverIDs(oob); err != nil {
				t.Fatal(err)
			}
			fired = c.strikes(emu, reqs)
			if c.kind == "" {
				if err := emu.SetFailItems("FM-CA1"); err != nil {
					t.Fatal(err)
				}
				return
			}
			for _, action := range c.actions(op) {
				if err := emu.InjectFault(emulator.FaultRule{Kind: c.kind, Action: action, Count: c.count, Delay: slowDelay}); err != nil {
					t.Fatal(err)
				}
			}
		}
		// struck checks, once the fault is cleared, that it did strike this operation.
		struck := func() error {
			if c.kind != "" && c.strikes(emu, reqs) == fired {
				return fmt.Errorf("the %s fault on %v never struck during the %s", c.kind, c.actions(op), op)
			}
			return nil
		}
		clearFaults := func() {
			emu.ClearFaults()
			if err := emu.SetFailItems(""); err != nil {
				t.Fatal(err)
			}
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
					if between, err = serverIDs(oob); err != nil {
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
				Check: resource.ComposeAggregateTestCheckFunc(
					stateMatchesServer(oob, matrixManaged, want...),
					identityKept(oob, &before, want...),
					identityKept(oob, &between, want...),
				),
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
				Check: resource.ComposeAggregateTestCheckFunc(
					stateMatchesServer(oob, matrixManaged, want...),
					identityKept(oob, &before, want...),
				),
			})
			continue
		}
		faulted.Check = resource.ComposeAggregateTestCheckFunc(
			func(*terraform.State) error { clearFaults(); return struck() },
			stateMatchesServer(oob, matrixManaged, want...),
			identityKept(oob, &before, want...),
		)
		steps = append(steps, faulted)
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps:                    steps,
		// After the final destroy the server holds nothing under a managed name.
		CheckDestroy: func(*terraform.State) error {
			server, err := oob.List(context.Background(), ipam.Filter{})
			if err != nil {
				return err
			}
			_, err = compareWithServer(nil, server, stateCompare{managed: matrixManaged, want: []string{}})
			return err
		},
	})
}

// ---------------------------------------------------------------------------------------------
// The terraform CLI, for what terraform-plugin-testing cannot do: -parallelism, signals.

// providerBinary is terraform-provider-ipam built from this module, shared by the tests that run
// at the same time and removed when the last of them ends.
var providerBinary struct {
	mu    sync.Mutex
	dir   string
	users int
}

// cliProviderDir returns a directory holding the provider binary built from this module.
func cliProviderDir(t *testing.T) string {
	t.Helper()
	providerBinary.mu.Lock()
	defer providerBinary.mu.Unlock()
	if providerBinary.dir == "" {
		goTool, err := exec.LookPath("go")
		if err != nil {
			t.Skip("no go on PATH to build the provider binary")
		}
		dir, err := os.MkdirTemp("", "ipam-provider-bin-") //nolint:usetesting // shared by parallel tests, removed when the last ends
		if err != nil {
			t.Fatal(err)
		}
		build := exec.Command(goTool, "build", "-o", filepath.Join(dir, "terraform-provider-ipam"), "github.com/winipam/terraform-provider-ipam")
		if out, err := build.CombinedOutput(); err != nil {
			os.RemoveAll(dir)
			t.Fatalf("go build: %v\n%s", err, out)
		}
		providerBinary.dir = dir
	}
	providerBinary.users++
	dir := providerBinary.dir
	t.Cleanup(func() {
		providerBinary.mu.Lock()
		defer providerBinary.mu.Unlock()
		if providerBinary.users--; providerBinary.users == 0 {
			os.RemoveAll(providerBinary.dir)
			providerBinary.dir = ""
		}
	})
	return dir
}

// terraformCLI runs the terraform on PATH in one working directory, with the provider binary
// found through dev_overrides (no terraform init).
type terraformCLI struct {
	t    *testing.T
	tf   string
	dir  string
	env  []string
	logs string // where TF_LOG output goes, when set
}

// needTerraformCLI skips unless this is an acceptance run with a terraform to run.
func needTerraformCLI(t *testing.T) string {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		var err error
		if tf, err = exec.LookPath("terraform"); err != nil {
			t.Skip("no terraform on PATH")
		}
	}
	return tf
}

func newTerraformCLI(t *testing.T, tf string) *terraformCLI {
	t.Helper()
	return newTerraformCLIWith(t, tf, cliProviderDir(t))
}

// newTerraformCLIWith points dev_overrides at binDir, whose terraform-provider-ipam may wrap the build.
func newTerraformCLIWith(t *testing.T, tf, binDir string) *terraformCLI {
	t.Helper()
	cliConfig := filepath.Join(t.TempDir(), "dev.tfrc")
	if err := os.WriteFile(cliConfig, []byte(fmt.Sprintf(`provider_installation {
  dev_overrides {
    "winipam/ipam" = %q
  }
  direct {}
}
`, binDir)), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"TF_CLI_CONFIG_FILE=" + cliConfig, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1"}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k != "TF_CLI_CONFIG_FILE" && k != "CHECKPOINT_DISABLE" && k != "TF_IN_AUTOMATION" && !strings.HasPrefix(k, "TF_REATTACH") &&
			!strings.HasPrefix(k, "TF_LOG") && !strings.HasPrefix(k, "TF_CLI_ARGS") && !strings.HasPrefix(k, "IPAM_") {
			env = append(env, kv)
		}
	}
	return &terraformCLI{t: t, tf: tf, dir: t.TempDir(), env: env}
}

// write sets main.tf: the required_providers block and body.
func (c *terraformCLI) write(body string) {
	c.t.Helper()
	if err := os.WriteFile(filepath.Join(c.dir, "main.tf"), []byte(`terraform {
  required_providers {
    ipam = { source = "winipam/ipam" }
  }
}
`+body), 0o600); err != nil {
		c.t.Fatal(err)
	}
}

// command prepares terraform args in the working directory, output into out.
func (c *terraformCLI) command(out *lockedOutput, args ...string) *exec.Cmd {
	cmd := exec.Command(c.tf, args...)
	cmd.Dir, cmd.Env = c.dir, c.env
	if c.logs != "" {
		cmd.Env = append(append([]string(nil), c.env...), "TF_LOG_PROVIDER=DEBUG", "TF_LOG_PATH="+c.logs)
	}
	cmd.Stdout, cmd.Stderr = out, out
	return cmd
}

// run runs terraform to the end and returns its exit code and output.
func (c *terraformCLI) run(args ...string) (int, string) {
	c.t.Helper()
	out := &lockedOutput{}
	err := c.command(out, args...).Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return ee.ExitCode(), out.String()
	case err != nil:
		c.t.Fatalf("terraform %s: %v", strings.Join(args, " "), err)
	}
	return 0, out.String()
}

// mustSucceed runs terraform and fails the test unless it exits 0.
func (c *terraformCLI) mustSucceed(args ...string) string {
	const want = 0
	c.t.Helper()
	start := time.Now()
	code, out := c.run(args...)
	if code != want {
		c.t.Fatalf("terraform %s exited %d, want %d:\n%s", strings.Join(args, " "), code, want, out)
	}
	c.t.Logf("terraform %s: exit %d in %s", strings.Join(args, " "), code, time.Since(start).Round(10*time.Millisecond))
	return out
}

// lockedOutput collects a process's output while the test reads it.
type lockedOutput struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedOutput) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedOutput) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// tfstateFile is the part of terraform.tfstate (format 4) the tests read.
type tfstateFile struct {
	Resources []struct {
		Mode      string `json:"mode"`
		Type      string `json:"type"`
		Name      string `json:"name"`
		Instances []struct {
			IndexKey   any                        `json:"index_key"`
			Status     string                     `json:"status"`
			Attributes map[string]json.RawMessage `json:"attributes"`
		} `json:"instances"`
	} `json:"resources"`
}

// spacesFromStateFile reads the address spaces a terraform.tfstate tracks.
func spacesFromStateFile(path string) ([]managedSpace, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var st tfstateFile
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	str := func(raw json.RawMessage) string {
		var s *string
		_ = json.Unmarshal(raw, &s)
		if s == nil {
			return ""
		}
		return *s
	}
	var out []managedSpace
	for _, r := range st.Resources {
		if r.Mode != "managed" {
			continue
		}
		for _, in := range r.Instances {
			addr := r.Type + "." + r.Name
			if in.IndexKey != nil {
				addr += fmt.Sprintf("[%v]", in.IndexKey)
			}
			a := in.Attributes
			var cc map[string]string
			_ = json.Unmarshal(a["custom_configuration"], &cc)
			switch r.Type {
			case "ipam_provider_address_space", "ipam_customer_address_space":
				sp := managedSpace{addr: addr, name: str(a["name"]), id: str(a["id"]), typ: ipam.TypeProvider,
					fields: map[string]string{"owner": str(a["owner"]), "description": str(a["description"])}, cc: cc}
				if r.Type == "ipam_customer_address_space" {
					sp.typ = ipam.TypeCustomer
					for _, f := range []string{"provider_address_space", "isolation_method", "tenant", "vm_network"} {
						sp.fields[f] = str(a[f])
					}
				}
				out = append(out, sp)
			case "ipam_address_spaces":
				var items map[string]map[string]json.RawMessage
				var ids map[string]string
				// A dynamic attribute is stored with its type: {"value": ..., "type": ...}.
				var dynamic struct {
					Value json.RawMessage `json:"value"`
				}
				if err := json.Unmarshal(a["address_spaces"], &dynamic); err != nil {
					return nil, fmt.Errorf("%s address_spaces: %w", addr, err)
				}
				if err := json.Unmarshal(dynamic.Value, &items); err != nil {
					return nil, fmt.Errorf("%s address_spaces: %w", addr, err)
				}
				_ = json.Unmarshal(a["ids"], &ids)
				for name, it := range items {
					var icc map[string]string
					_ = json.Unmarshal(it["custom_configuration"], &icc)
					sp := managedSpace{addr: fmt.Sprintf("%s[%q]", addr, name), name: name, id: ids[name],
						fields: map[string]string{"owner": str(it["owner"]), "description": str(it["description"])}, cc: icc}
					switch str(it["type"]) {
					case "Provider":
						sp.typ = ipam.TypeProvider
					case "Customer":
						sp.typ = ipam.TypeCustomer
						for _, f := range []string{"provider_address_space", "isolation_method", "tenant", "vm_network"} {
							sp.fields[f] = str(it[f])
						}
					default:
						return nil, fmt.Errorf("%s: type %q", sp.addr, str(it["type"]))
					}
					out = append(out, sp)
				}
				for name := range ids {
					if _, ok := items[name]; !ok {
						return nil, fmt.Errorf("%s: ids has %q, which address_spaces does not list", addr, name)
					}
				}
			}
		}
	}
	return out, nil
}

// ---------------------------------------------------------------------------------------------
// Concurrency.

// timedLog collects the emulator's request log with each line's end time, to count the quota
// answers and find how many requests were in flight at once.
type timedLog struct {
	mu    sync.Mutex
	lines []timedLine
}

type timedLine struct {
	end    time.Time
	text   string
	action string
	took   time.Duration
}

func (l *timedLog) Write(p []byte) (int, error) {
	now := time.Now()
	text := strings.TrimSpace(string(p))
	// "ADDR METHOD ACTION STATUS BYTESB DURATION"
	f := strings.Fields(text)
	line := timedLine{end: now, text: text}
	if len(f) >= 6 {
		line.action = f[2]
		line.took, _ = time.ParseDuration(f[5])
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, line)
	return len(p), nil
}

func (l *timedLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = nil
}

// stats returns the answers by action and the most requests the server had in flight at once.
func (l *timedLog) stats() (map[string]int, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	byAction := map[string]int{}
	type edge struct {
		at    time.Time
		delta int
	}
	var edges []edge
	for _, ln := range l.lines {
		byAction[ln.action]++
		edges = append(edges, edge{ln.end.Add(-ln.took), +1}, edge{ln.end, -1})
	}
	sort.Slice(edges, func(i, j int) bool {
		if edges[i].at.Equal(edges[j].at) {
			return edges[i].delta < edges[j].delta
		}
		return edges[i].at.Before(edges[j].at)
	})
	peak, cur := 0, 0
	for _, e := range edges {
		cur += e.delta
		peak = max(peak, cur)
	}
	return byAction, peak
}

// quotaEmulator serves an emulator whose every operation takes latency inside the window in
// which the emulator counts it against MaxConcurrentOperations, as WinRM counts an operation from
// its receipt to its answer. (Config.Latency is spent before the emulator counts a request in
// flight, so with it alone the quota is seldom reached: see the report of this test.)
func quotaEmulator(t *testing.T, cfg emulator.Config, latency time.Duration) string {
	t.Helper()
	cfg.Username, cfg.Password = testUser, testPass
	cfg.CustomFields = []string{"Region", "CostCenter"}
	srv, err := emulator.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		t.Fatal(err)
	}
	hs := &http.Server{Handler: delayedAnswers{h: srv, d: latency}, ConnContext: srv.ConnContext, ReadHeaderTimeout: 30 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() {
		_ = hs.Close()
		_ = srv.Close()
	})
	return "http://" + ln.Addr().String() + "/wsman"
}

// delayedAnswers holds each answer back for d before its first byte, inside the handler.
type delayedAnswers struct {
	h http.Handler
	d time.Duration
}

func (s delayedAnswers) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.h.ServeHTTP(&delayedWriter{ResponseWriter: w, d: s.d}, r)
}

type delayedWriter struct {
	http.ResponseWriter
	d       time.Duration
	started bool
}

func (w *delayedWriter) wait() {
	if !w.started {
		w.started = true
		time.Sleep(w.d)
	}
}

func (w *delayedWriter) WriteHeader(code int) {
	w.wait()
	w.ResponseWriter.WriteHeader(code)
}

func (w *delayedWriter) Write(p []byte) (int, error) {
	w.wait()
	return w.ResponseWriter.Write(p)
}

// TestAccConcurrency_quota applies 200 customer address spaces (for_each, on one provider space)
// with -parallelism=50 against an emulator that, like WinRM, answers a quota fault past 5
// operations in flight, each taking 20ms: the client's cap and its retries must absorb it, with
// no failure and no duplicate; then a destroy must succeed too. It runs once with the provider's
// default cap (8 in flight, already past the quota) and once with max_concurrent_requests = 50,
// where only the retries stand between the quota and a failed apply.
//
// terraform-plugin-testing cannot pass -parallelism: terraform-exec always puts -parallelism=10
// on the command line, after whatever TF_CLI_ARGS_apply inserts, so its own value wins. This test
// runs the terraform CLI itself, as TestAccAddressSpaceResource_generateConfigCLI does.
func TestAccConcurrency_quota(t *testing.T) {
	tf := needTerraformCLI(t)
	t.Parallel()
	cliProviderDir(t) // one build for both runs
	const n = 200
	for _, tc := range []struct {
		name, extra string
	}{
		{"default-cap", ""},
		{"cap-50", "  max_concurrent_requests = 50\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reqs := &timedLog{}
			url := quotaEmulator(t, emulator.Config{MaxConcurrentOperations: 5, Logger: log.New(reqs, "", 0)}, 20*time.Millisecond)
			ws, err := wsman.NewClient(wsman.Config{Endpoint: url, Username: testUser, Password: testPass, Auth: wsman.AuthNTLM, Timeout: 30 * time.Second, MaxConcurrent: 1})
			if err != nil {
				t.Fatal(err)
			}
			oob := wmi.New(ws)
			cli := newTerraformCLI(t, tf)
			// The provider's timeout is its default here: the quota, not latency, is tested.
			cli.write(strings.Replace(faultProviderBlock(url, tc.extra), `  timeout  = "2s"`+"\n", "", 1) + fmt.Sprintf(`
resource "ipam_provider_address_space" "pa" {
  name = "CC-PA"
}

resource "ipam_customer_address_space" "ca" {
  for_each               = toset([for i in range(%d) : format("CC-%%03d", i)])
  name                   = each.key
  provider_address_space = ipam_provider_address_space.pa.name
  isolation_method       = "NVGRE"
  tenant                 = each.key
}
`, n))
			managed := []string{"CC-PA"}
			for i := 0; i < n; i++ {
				managed = append(managed, fmt.Sprintf("CC-%03d", i))
			}
			// list reads the server; the quota may turn the out-of-band reader away too.
			list := func() []ipam.AddressSpace {
				t.Helper()
				for attempt := 0; ; attempt++ {
					server, err := oob.List(context.Background(), ipam.Filter{})
					if err == nil {
						return server
					}
					if attempt == 20 {
						t.Fatalf("out of band: %v", err)
					}
					time.Sleep(100 * time.Millisecond)
				}
			}

			code, out := cli.run("apply", "-input=false", "-no-color", "-auto-approve", "-parallelism=50")
			byAction, peak := reqs.stats()
			t.Logf("apply of %d resources: exit %d; answers by action %v, peak in flight %d", n+1, code, byAction, peak)
			if code != 0 || !strings.Contains(out, fmt.Sprintf("Apply complete! Resources: %d added, 0 changed, 0 destroyed.", n+1)) {
				t.Errorf("the apply failed under the quota (%d quota faults answered): %d diagnostics; the first:\n%s",
					byAction["quota"], strings.Count(out, "Error: "), head(out[max(0, strings.Index(out, "Error: ")):], 12))
			}
			if byAction["quota"] == 0 {
				t.Errorf("the emulator never answered a quota fault: the test did not exercise the quota (answers: %v)", byAction)
			}
			// Every Add was sent once: a quota fault is answered before the server acts, and
			// the client retried only those.
			if got := byAction["AddCustomerAddressSpace"]; got > n {
				t.Errorf("the emulator answered %d AddCustomerAddressSpace calls, more than the %d resources", got, n)
			}

			// Exactly what the state tracks is on the server, once each: nothing lost, nothing
			// duplicated, nothing untracked.
			server := list()
			spaces, err := spacesFromStateFile(filepath.Join(cli.dir, "terraform.tfstate"))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := compareWithServer(spaces, server, stateCompare{managed: managed}); err != nil {
				t.Error(err)
			}
			if code == 0 {
				if len(server) != n+2 {
					t.Errorf("the server holds %d address spaces, want %d (%d customer spaces, CC-PA and Default)", len(server), n+2, n)
				}
				if len(spaces) != n+1 {
					t.Errorf("the state tracks %d address spaces, want %d", len(spaces), n+1)
				}
			} else {
				// The failed ones converge once the pressure is off.
				cli.mustSucceed("apply", "-input=false", "-no-color", "-auto-approve")
			}
			cli.mustSucceed("plan", "-input=false", "-no-color", "-detailed-exitcode", "-parallelism=50")

			reqs.reset()
			code, out = cli.run("destroy", "-input=false", "-no-color", "-auto-approve", "-parallelism=50")
			byAction, peak = reqs.stats()
			t.Logf("destroy: exit %d; answers by action %v, peak in flight %d", code, byAction, peak)
			if code != 0 || !strings.Contains(out, fmt.Sprintf("Destroy complete! Resources: %d destroyed.", n+1)) {
				t.Errorf("the destroy failed under the quota (%d quota faults answered): %d diagnostics; the first:\n%s",
					byAction["quota"], strings.Count(out, "Error: "), head(out[max(0, strings.Index(out, "Error: ")):], 12))
				cli.mustSucceed("destroy", "-input=false", "-no-color", "-auto-approve")
			}
			if server := list(); len(server) != 1 || server[0].Name != ipam.DefaultProviderName {
				t.Errorf("after destroy the server holds %d address spaces, want only Default", len(server))
			}
		})
	}
}

// tail returns the last lines of s.
func tail(s string, lines int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(l) > lines {
		l = l[len(l)-lines:]
	}
	return strings.Join(l, "\n")
}

// head returns the first lines of s.
func head(s string, lines int) string {
	l := strings.Split(s, "\n")
	if len(l) > lines {
		l = append(l[:lines], "...")
	}
	return strings.Join(l, "\n")
}
