package main

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
	"unicode"
)

// cannedCase is a case whose five steps all ran, each with the given wall time, provider CPU,
// provider peak RSS (MiB) and requests.
func cannedCase(k caseKind, baseline string, n int, wall, cpu time.Duration, rssMiB, requests int64) caseResult {
	c := caseResult{kind: k, baseline: baseline, n: n, changed: changedCount(k, n)}
	for _, st := range steps {
		s := stepResult{name: st.name, ran: true, wall: wall, cpu: 2 * cpu, exitCode: st.wantExit}
		if k.usesProvider() {
			s.providerCPU, s.providerRSS, s.providerProcs, s.requests = cpu, rssMiB*1024, 1, requests
		}
		c.steps = append(c.steps, s)
	}
	return c
}

func cannedRun() (meta, options, []caseResult) {
	m := meta{date: "2026-12-07 10:00 UTC", terraform: "1.11.4", goVersion: "go1.26.8", platform: "linux/amd64", cpus: 2,
		loadStart: "0.50 0.40 0.30", loadEnd: "1.00 0.80 0.60", total: 95 * time.Second,
		current:  buildInfo{from: "the working tree at 1111111 (no uncommitted changes)", goVersion: "go1.26.8"},
		baseline: buildInfo{from: `be9ff64 (HEAD~3), committed 2026-12-06, "README: ..."`, goVersion: "go1.26.8"}}
	o := options{sizes: []int{1000}, maxForEach: 1000, maxSealed: 1000, latency: 20 * time.Millisecond, repeat: 3,
		kinds: []caseKind{kindBulkFloor, kindBulk, kindBulkSealed}, baseline: "HEAD~3", baselineKinds: []caseKind{kindBulk, kindBulkSealed},
		args: []string{"-sizes", "1000", "-baseline", "HEAD~3", "-repeat", "3", "-report", "internal/bench/REPORT.md"}}
	cases := []caseResult{
		cannedCase(kindBulkFloor, "", 1000, time.Second, 0, 0, 0),
		// Within the rule: CPU +10%, RSS -10%.
		cannedCase(kindBulk, "", 1000, 1500*time.Millisecond, 440*time.Millisecond, 90, 4),
		cannedCase(kindBulk, "be9ff64", 1000, 2*time.Second, 400*time.Millisecond, 100, 5),
		// Over the rule: CPU +50%, RSS +20%.
		cannedCase(kindBulkSealed, "", 1000, 2*time.Second, 600*time.Millisecond, 120, 8),
		cannedCase(kindBulkSealed, "be9ff64", 1000, 2*time.Second, 400*time.Millisecond, 100, 8),
	}
	return m, o, cases
}

// wantContains fails the test for each of wants that got, named what, does not contain.
func wantContains(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(got, want) {
			t.Errorf("%s: no\n%s\nin\n%s", what, want, got)
		}
	}
}

func TestBaselineSection(t *testing.T) {
	t.Parallel()
	m, o, cases := cannedRun()
	md := renderMarkdown(m, o, cases)
	wantContains(t, "the results", md,
		"Builds: current, the working tree at 1111111 (no uncommitted changes), built with go1.26.8; baseline, be9ff64 (HEAD~3), committed 2026-12-06, \"README: ...\", built with go1.26.8.\n",
		"## Against the baseline: baseline be9ff64 → current build\n\n#15's rule: at 1,000 and 10,000 keys, the bulk resource's provider CPU (summed over the steps) and provider peak RSS (the largest over them) are no worse in the current build than in the baseline by more than 15%; the last column applies it to this run from N = 1000 up.\n",
		"| shape | N | step | provider CPU | provider peak RSS | wall | requests | within +15% |\n",
		"| ipam_address_spaces, N keys, plain (Basic) | 1000 | create | 0.40 s → 0.44 s (+10%) | 100 MiB → 90 MiB (-10%) | 2.00 s → 1.50 s (-25%) | 5 → 4 (-20%) | |\n",
		"| ipam_address_spaces, N keys, plain (Basic) | 1000 | **all steps** | **2.00 s → 2.20 s (+10%)** | **100 MiB → 90 MiB (-10%)** | **10.0 s → 7.50 s (-25%)** | **25 → 20 (-20%)** | yes |\n",
		"| ipam_address_spaces, N keys, sealed (NTLM) | 1000 | **all steps** | **2.00 s → 3.00 s (+50%)** | **100 MiB → 120 MiB (+20%)** | **10.0 s → 10.0 s (±0%)** | **40 → 40 (±0%)** | **no**: provider CPU +50%, peak RSS +20% |\n",
		// The side-by-side tables have a column per build.
		"| N | step | terraform_data, map of N (floor) | ipam_address_spaces, N keys, plain (Basic) | ipam_address_spaces, N keys, plain (Basic) — baseline be9ff64 | ipam_address_spaces, N keys, sealed (NTLM) | ipam_address_spaces, N keys, sealed (NTLM) — baseline be9ff64 |\n",
		"| 1000 | create | 1.00 s | 1.50 s | 2.00 s | 2.00 s | 2.00 s |\n",
		// The floor ratios.
		"| 1000 | no-op plan | 1.50× | 2.00× | 2.00× | 2.00× |\n",
		"| 1000 | **all steps** | **1.50×** | **2.00×** | **2.00×** | **2.00×** |\n",
		// Sealing compares the current build's cases.
		"| 1000 | **all steps** | **7.50 s → 10.0 s** (+33%) |",
		"| ipam_address_spaces, N keys, plain (Basic) — baseline be9ff64 | 1000 | **all steps** | **10.0 s** |",
		"- *baseline*: the provider built from the `-baseline` revision",
	)
	if strings.Contains(md, "## Problems") {
		t.Error("problems in a run without any")
	}
	// Below 1,000 keys the rule is not applied.
	small := []caseResult{cannedCase(kindBulk, "", 100, time.Second, 2*time.Second, 100, 4), cannedCase(kindBulk, "be9ff64", 100, time.Second, time.Second, 100, 4)}
	o.sizes = []int{100}
	if md := renderMarkdown(m, o, small); !strings.Contains(md, "| **5.00 s → 10.0 s (+100%)** | **100 MiB → 100 MiB (±0%)** | **5.00 s → 5.00 s (±0%)** | **20 → 20 (±0%)** | not judged (N < 1000) |\n") {
		t.Errorf("a verdict below 1,000 keys:\n%s", md)
	}
}

// TestNoBaseline: without -baseline, no table, column, line or note speaks of one.
func TestNoBaseline(t *testing.T) {
	t.Parallel()
	m, o, cases := cannedRun()
	m.baseline, o.baseline, o.baselineKinds = buildInfo{}, "", nil
	cases = []caseResult{cases[0], cases[1], cases[3]}
	md := renderMarkdown(m, o, cases)
	if strings.Contains(strings.ToLower(md), "baseline") {
		t.Errorf("a run without -baseline speaks of one:\n%s", md)
	}
	wantContains(t, "the results", md, "## Cost of sealing", "## Against the floor")
}

func TestReport(t *testing.T) {
	t.Parallel()
	m, o, cases := cannedRun()
	rep := renderReport(m, o, cases, "$ go test -run ^$ -bench .\nBenchmarkX 1 2 ns/op\n", "REPORT.svg")
	wantContains(t, "the report", rep,
		"# Performance: `make bench`\n",
		"- Command: `go run ./internal/bench -sizes 1000 -baseline 'HEAD~3' -repeat 3 -report internal/bench/REPORT.md`\n",
		"- Date: 2026-12-07 10:00 UTC; the bench took 1m35s.\n",
		"- Provider, current build: the working tree at 1111111 (no uncommitted changes), built with go1.26.8.\n",
		"- Provider, baseline build (`-baseline HEAD~3`): be9ff64 (HEAD~3), committed 2026-12-06, \"README: ...\"; its tree from `git archive`, built with go1.26.8.\n",
		"- Terraform 1.11.4, at its default -parallelism (10)",
		"- Machine: linux/amd64, 2 CPUs; load average (1, 5, 15 minutes) 0.50 0.40 0.30 at the start, 1.00 0.80 0.60 at the end.\n",
		"- Each case ran 3 times, the cases taking turns",
		"![Wall time by step, shape and N](REPORT.svg)\n",
		"## How to read it\n\n"+howToRead,
		"## Wall time, side by side\n",
		"## Against the floor",
		"## Cost of sealing",
		"## Against the baseline",
		"## Per case and step\n",
		"## How it was measured\n\n- Shapes:",
		"## Go benchmarks\n\n```text\n$ go test -run ^$ -bench .\nBenchmarkX 1 2 ns/op\n```\n",
	)
	if rep := renderReport(m, o, cases, "", "REPORT.svg"); !strings.Contains(rep, "Not run in this bench run") {
		t.Error("a report without Go benchmarks does not say so")
	}
}

// TestHowToReadQuotesNoNumbers: the fixed text stays true when the measurements change.
func TestHowToReadQuotesNoNumbers(t *testing.T) {
	t.Parallel()
	if i := strings.IndexFunc(howToRead, unicode.IsDigit); i >= 0 {
		t.Errorf("the fixed text quotes a number: %q", howToRead[max(0, i-40):min(len(howToRead), i+40)])
	}
}

func TestVerdict(t *testing.T) {
	t.Parallel()
	s := time.Second
	for _, tc := range []struct {
		baseCPU, curCPU time.Duration
		baseRSS, curRSS int64
		complete        bool
		want            string
	}{
		{s, s, 100, 100, true, "yes"},
		{s, 1150 * time.Millisecond, 100, 115, true, "yes"},
		{s, 1154 * time.Millisecond, 100, 100, true, "yes"}, // +15.4% shows as +15%
		{s, 1160 * time.Millisecond, 100, 100, true, "**no**: provider CPU +16%"},
		{s, 500 * time.Millisecond, 100, 130, true, "**no**: peak RSS +30%"},
		{s, 2 * s, 100, 130, true, "**no**: provider CPU +100%, peak RSS +30%"},
		{s, s, 100, 100, false, "— (incomplete)"},
		{s, s, 0, 100, true, "— (not measured)"},
	} {
		if got := verdict(tc.baseCPU, tc.curCPU, tc.baseRSS, tc.curRSS, tc.complete); got != tc.want {
			t.Errorf("verdict(%v, %v, %d, %d, %v) = %q, want %q", tc.baseCPU, tc.curCPU, tc.baseRSS, tc.curRSS, tc.complete, got, tc.want)
		}
	}
}

func TestFmtChange(t *testing.T) {
	t.Parallel()
	for pct, want := range map[float64]string{12.4: "+12%", -12.6: "-13%", 0.4: "±0%", -0.4: "±0%", 0: "±0%", 100: "+100%"} {
		if got := fmtChange(pct); got != want {
			t.Errorf("fmtChange(%v) = %q, want %q", pct, got, want)
		}
	}
}

func TestCommandLine(t *testing.T) {
	t.Parallel()
	got := commandLine([]string{"-sizes", "100,1000", "-go", "/usr/local/go/bin/go", "-baseline", "HEAD^", "-out", "my results.md", "-x", "it's"})
	want := `go run ./internal/bench -sizes 100,1000 -go /usr/local/go/bin/go -baseline 'HEAD^' -out 'my results.md' -x 'it'\''s'`
	if got != want {
		t.Errorf("commandLine\n%s\nwant\n%s", got, want)
	}
}

// TestSVG: the plot is well-formed, and a baseline has its own line (square markers) and legend
// entry; the legend fits however many lines there are.
func TestSVG(t *testing.T) {
	t.Parallel()
	_, o, cases := cannedRun()
	o.sizes = []int{100, 1000}
	var more []caseResult
	for _, c := range cases {
		c100 := cannedCase(c.kind, c.baseline, 100, time.Second/2, 0, 0, 0)
		more = append(more, c100, c)
	}
	svg := renderSVG(o, more)
	dec := xml.NewDecoder(strings.NewReader(svg))
	for {
		if _, err := dec.Token(); err != nil {
			if !errors.Is(err, io.EOF) {
				t.Fatalf("the SVG is not well-formed: %v", err)
			}
			break
		}
	}
	wantContains(t, "the SVG", svg,
		`ipam_address_spaces, N keys,<tspan x="658" dy="13">plain (Basic) — baseline be9ff64</tspan>`,
		`stroke-dasharray="9,3,2,3"`,
		`<title>ipam_address_spaces, N keys, sealed (NTLM) — baseline be9ff64, N=1000, create: 2.00 s</title></rect>`,
	)
	// Five shapes and two baselines: the legend's last line is below the two rows of panels.
	if !strings.Contains(svg, `height="516"`) {
		t.Errorf("the SVG is not tall enough for its legend: %s", svg[:200])
	}
}
