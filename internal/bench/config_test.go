package main

import (
	"fmt"
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
			if k == kindBulk && !strings.Contains(v1, `"x-pa" = { type = "Provider"`) {
				t.Errorf("bulk: no provider space key in\n%s", v1[:min(len(v1), 600)])
			}
		}
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
