package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestGeneratedShapes(t *testing.T) {
	conn := emulatorConn{endpoint: "http://127.0.0.1:1/wsman", username: "u", password: "p"}
	for _, k := range allKinds {
		for _, n := range []int{100, 1000} {
			v1 := generateConfig(k, n, 1, "x", conn)
			v2 := generateConfig(k, n, 2, "x", conn)
			customers := strings.Count(v1, `"x-ca-`)
			if customers != customerCount(k, n) {
				t.Errorf("%s N=%d: %d customer spaces, want %d", k.id(), n, customers, customerCount(k, n))
			}
			if got, want := strings.Count(v2, "(changed)"), (n+99)/100; got != want || changedCount(k, n) != want {
				t.Errorf("%s N=%d: %d keys changed (changedCount %d), want %d", k.id(), n, got, changedCount(k, n), want)
			}
			if strings.Contains(v1, "(changed)") {
				t.Errorf("%s N=%d: version 1 already has a changed key", k.id(), n)
			}
			if k.usesProvider() != strings.Contains(v1, `provider "ipam"`) {
				t.Errorf("%s: provider block present = %v", k.id(), !k.usesProvider())
			}
			if k.usesProvider() && !k.forEach() && !strings.Contains(v1, `"x-pa" = { type = "Provider"`) {
				t.Errorf("%s: no provider space key in\n%s", k.id(), v1[:min(len(v1), 600)])
			}
		}
	}
}

// TestProviderBlocks pins the one difference between bulk and bulk-sealed: the plain case names
// Basic, the sealed one leaves auth to its default (NTLM, sealed over http://).
func TestProviderBlocks(t *testing.T) {
	conn := emulatorConn{endpoint: "http://127.0.0.1:1/wsman", username: "u", password: "p"}
	const head = "provider \"ipam\" {\n  endpoint = \"http://127.0.0.1:1/wsman\"\n  username = \"u\"\n  password = \"p\"\n"
	for _, tc := range []struct {
		kind caseKind
		want string
	}{
		{kindBulk, head + "  auth     = \"basic\"\n}\n"},
		{kindBulkSealed, head + "}\n"},
		{kindForEach, head + "  auth     = \"basic\"\n}\n"},
	} {
		if cfg := generateConfig(tc.kind, 100, 1, "x", conn); !strings.Contains(cfg, tc.want) {
			t.Errorf("%s: provider block is not\n%s\nin\n%s", tc.kind.id(), tc.want, cfg[:min(len(cfg), 400)])
		}
	}
	bulk := generateConfig(kindBulk, 100, 2, "x", conn)
	sealed := generateConfig(kindBulkSealed, 100, 2, "x", conn)
	if got := strings.Replace(bulk, "  auth     = \"basic\"\n", "", 1); got != sealed {
		t.Errorf("bulk and bulk-sealed differ in more than auth")
	}
}

func TestPlannedCases(t *testing.T) {
	o := options{sizes: []int{100, 1000, 10000}, maxForEach: 1000, maxSealed: 1000, kinds: allKinds}
	var got []string
	for _, c := range plannedCases(o, "") {
		got = append(got, fmt.Sprintf("%s %d", c.kind.id(), c.n))
	}
	want := []string{
		"bulk-floor 100", "bulk 100", "bulk-sealed 100", "foreach-floor 100", "foreach 100",
		"bulk-floor 1000", "bulk 1000", "bulk-sealed 1000", "foreach-floor 1000", "foreach 1000",
		"bulk-floor 10000", "bulk 10000",
	}
	if !slices.Equal(got, want) {
		t.Errorf("planned\n%q\nwant\n%q", got, want)
	}
}

// TestPlannedCasesBaseline: a shape of -baseline-cases runs with the baseline right after the
// current build, at the sizes the current build runs (bulk-sealed still stops at -max-sealed).
func TestPlannedCasesBaseline(t *testing.T) {
	o := options{sizes: []int{100, 10000}, maxForEach: 1000, maxSealed: 1000, kinds: allKinds,
		baseline: "HEAD~1", baselineKinds: []caseKind{kindBulk, kindBulkSealed}}
	var got []string
	for _, c := range plannedCases(o, "abc1234") {
		got = append(got, fmt.Sprintf("%s %d %s", c.kind.id(), c.n, c.baseline))
	}
	want := []string{
		"bulk-floor 100 ", "bulk 100 ", "bulk 100 abc1234", "bulk-sealed 100 ", "bulk-sealed 100 abc1234", "foreach-floor 100 ", "foreach 100 ",
		"bulk-floor 10000 ", "bulk 10000 ", "bulk 10000 abc1234",
	}
	if !slices.Equal(got, want) {
		t.Errorf("planned\n%q\nwant\n%q", got, want)
	}
}

func TestMedianSteps(t *testing.T) {
	run := func(walls ...time.Duration) caseResult {
		c := caseResult{}
		for i, w := range walls {
			c.steps = append(c.steps, stepResult{name: fmt.Sprint(i), ran: true, wall: w, requests: int64(w / time.Second)})
		}
		return c
	}
	runs := []caseResult{run(3*time.Second, 5*time.Second), run(1*time.Second, 4*time.Second), run(2*time.Second, 6*time.Second)}
	got := medianSteps(runs)
	if got[0].wall != 2*time.Second || got[0].requests != 2 || got[1].wall != 5*time.Second || got[1].requests != 5 {
		t.Errorf("medians %+v", got)
	}
	// A failure in any run is what the row shows.
	runs[1].steps[1].problem = "exit 1"
	if got := medianSteps(runs); got[1].problem != "exit 1" {
		t.Errorf("a failed run was hidden: %+v", got[1])
	}
	if got := medianSteps(runs[:2]); got[0].wall != time.Second {
		t.Errorf("of two runs the lower is the median, got %v", got[0].wall)
	}
}
