package main

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

func fmtWall(d time.Duration) string {
	s := d.Seconds()
	switch {
	case s < 10:
		return fmt.Sprintf("%.2f s", s)
	case s < 100:
		return fmt.Sprintf("%.1f s", s)
	default:
		return fmt.Sprintf("%.0f s", s)
	}
}

func fmtBytes(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1024*1024:
		return fmt.Sprintf("%.1f KiB", float64(n)/1024)
	default:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1024*1024))
	}
}

func fmtKiB(kib int64) string {
	if kib <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f MiB", float64(kib)/1024)
}

// cell is a step's wall time as the side-by-side table shows it.
func (s stepResult) cell() string {
	switch {
	case !s.ran:
		return "not run"
	case s.stopped:
		return "> " + fmtWall(s.wall) + " (stopped)"
	case s.problem != "":
		return fmtWall(s.wall) + " ✗"
	}
	return fmtWall(s.wall)
}

func (c caseResult) step(name string) (stepResult, bool) {
	for _, s := range c.steps {
		if s.name == name {
			return s, true
		}
	}
	return stepResult{}, false
}

// totals sums a case's steps that ran.
func (c caseResult) totals() (wall, cpu, providerCPU time.Duration, requests, sent, received, providerRSS, terraformRSS int64, complete bool) {
	complete = len(c.steps) == len(steps)
	for _, s := range c.steps {
		if !s.ran || s.stopped {
			complete = false
		}
		wall += s.wall
		cpu += s.cpu
		providerCPU += s.providerCPU
		requests += s.requests
		sent += s.bytesSent
		received += s.calls.bytesReturned
		providerRSS = max(providerRSS, s.providerRSS)
		terraformRSS = max(terraformRSS, s.terraformRSS)
	}
	return
}

// series is one column of the side-by-side tables and one line of the plot: a shape, run with the
// current build (baseline "") or with the baseline build of that short commit.
type series struct {
	kind     caseKind
	baseline string
}

func (s series) title() string { return seriesTitle(s.kind, s.baseline) }

// seriesOf lists the series that ran, in the order of allKinds, each shape's current build
// before its baseline.
func seriesOf(cases []caseResult) []series {
	var out []series
	for _, k := range allKinds {
		for _, baseline := range []bool{false, true} {
			if i := slices.IndexFunc(cases, func(c caseResult) bool { return c.kind == k && (c.baseline != "") == baseline }); i >= 0 {
				out = append(out, series{k, cases[i].baseline})
			}
		}
	}
	return out
}

// findCase is the case of series s at size n, nil if none ran.
func findCase(cases []caseResult, s series, n int) *caseResult {
	for i := range cases {
		if cases[i].kind == s.kind && cases[i].baseline == s.baseline && cases[i].n == n {
			return &cases[i]
		}
	}
	return nil
}

// renderMarkdown is the results file and what the bench prints: one line on the run, the tables,
// how they were measured, and the problems.
func renderMarkdown(m meta, o options, cases []caseResult) string {
	var b strings.Builder
	b.WriteString("# make bench\n\n")
	fmt.Fprintf(&b, "%s · %s, %d CPUs · Terraform %s · %s · emulator latency %s per request · Terraform's default -parallelism (10) · bench wall time %s · load average %s at the start, %s at the end\n\n",
		m.date, m.platform, m.cpus, m.terraform, m.goVersion, o.latency, m.total.Round(time.Second), m.loadStart, m.loadEnd)
	if m.baseline.from != "" {
		fmt.Fprintf(&b, "Builds: current, %s, built with %s; baseline, %s, built with %s.\n\n", m.current.from, m.current.goVersion, m.baseline.from, m.baseline.goVersion)
	}
	if o.repeat > 1 {
		b.WriteString(repeatNote(o))
	}
	writeTables(&b, "##", o, cases)
	b.WriteString("\n## How it was measured\n\n")
	writeMethod(&b, o, cases)
	writeProblems(&b, "##", cases)
	return b.String()
}

func repeatNote(o options) string {
	return fmt.Sprintf("Each case ran %d times, the cases taking turns (every case once, then again); each row is the run of that step with the median wall time, all its columns from that run.\n\n", o.repeat)
}

// writeTables writes the side-by-side tables, the comparisons with the floor, of sealing and
// with the baseline, and the table per case and step, under headings of level h.
func writeTables(b *strings.Builder, h string, o options, cases []caseResult) {
	cols := seriesOf(cases)
	sideBySide := func(title string, value func(stepResult) string, total func(caseResult) (time.Duration, bool)) {
		fmt.Fprintf(b, "%s %s\n\n", h, title)
		writeGrid(b, o, cols, func(s series, n int, name string) string {
			c := findCase(cases, s, n)
			switch {
			case c == nil:
				return "—"
			case name == allSteps:
				d, complete := total(*c)
				if !complete {
					return "**> " + fmtWall(d) + "** (incomplete)"
				}
				return "**" + fmtWall(d) + "**"
			}
			if s, ok := c.step(name); ok {
				return value(s)
			}
			return "not run"
		})
	}
	sideBySide("Wall time, side by side", stepResult.cell, func(c caseResult) (time.Duration, bool) {
		wall, _, _, _, _, _, _, _, complete := c.totals()
		return wall, complete
	})
	sideBySide("CPU time (Terraform and provider, user+system), side by side", func(s stepResult) string {
		if !s.ran {
			return "not run"
		}
		return fmtWall(s.cpu)
	}, func(c caseResult) (time.Duration, bool) {
		_, cpu, _, _, _, _, _, _, complete := c.totals()
		return cpu, complete
	})

	writeFloor(b, h, o, cases)
	writeSealing(b, h, o, func(k caseKind, n int) *caseResult { return findCase(cases, series{kind: k}, n) })
	writeBaseline(b, h, o, cases)

	fmt.Fprintf(b, "%s Per case and step\n\n", h)
	b.WriteString("| shape | N | step | wall | CPU | provider CPU | requests | bytes sent | bytes received | provider peak RSS | terraform peak RSS | calls (emulator log) |\n")
	b.WriteString("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
	for _, c := range cases {
		for _, s := range c.steps {
			fmt.Fprintf(b, "| %s | %d | %s | %s |", c.title(), c.n, s.name, s.cell())
			if !s.ran {
				b.WriteString(" | | | | | | | |\n")
				continue
			}
			if c.kind.usesProvider() {
				fmt.Fprintf(b, " %s | %s | %d | %s | %s | %s | %s | %s |\n", fmtWall(s.cpu), fmtWall(s.providerCPU), s.requests,
					fmtBytes(s.bytesSent), fmtBytes(s.calls.bytesReturned), fmtKiB(s.providerRSS), fmtKiB(s.terraformRSS), s.calls)
			} else {
				fmt.Fprintf(b, " %s | — | — | — | — | — | %s | |\n", fmtWall(s.cpu), fmtKiB(s.terraformRSS))
			}
		}
		wall, cpu, pcpu, req, sent, recv, prss, trss, complete := c.totals()
		w := fmtWall(wall)
		if !complete {
			w = "> " + w
		}
		if c.kind.usesProvider() {
			fmt.Fprintf(b, "| %s | %d | **all steps** | **%s** | **%s** | **%s** | **%d** | **%s** | **%s** | **%s** | **%s** | |\n",
				c.title(), c.n, w, fmtWall(cpu), fmtWall(pcpu), req, fmtBytes(sent), fmtBytes(recv), fmtKiB(prss), fmtKiB(trss))
		} else {
			fmt.Fprintf(b, "| %s | %d | **all steps** | **%s** | **%s** | — | — | — | — | — | **%s** | |\n", c.title(), c.n, w, fmtWall(cpu), fmtKiB(trss))
		}
	}
}

// allSteps names the row of a case's totals in the side-by-side tables.
const allSteps = "all steps"

// writeGrid writes a side-by-side table: a column per series, a row per size and step and one
// for all steps, each cell from cell (given the step's name, or allSteps).
func writeGrid(b *strings.Builder, o options, cols []series, cell func(s series, n int, name string) string) {
	b.WriteString("| N | step |")
	for _, s := range cols {
		fmt.Fprintf(b, " %s |", s.title())
	}
	b.WriteString("\n|---:|---|")
	for range cols {
		b.WriteString("---:|")
	}
	b.WriteString("\n")
	for _, n := range o.sizes {
		for _, name := range append(stepNames(), allSteps) {
			label := name
			if name == allSteps {
				label = "**" + allSteps + "**"
			}
			fmt.Fprintf(b, "| %d | %s |", n, label)
			for _, s := range cols {
				fmt.Fprintf(b, " %s |", cell(s, n, name))
			}
			b.WriteString("\n")
		}
	}
	b.WriteString("\n")
}

// writeMethod says how each column was measured: the bullets under "How it was measured" in the
// results and in the report.
func writeMethod(b *strings.Builder, o options, cases []caseResult) {
	b.WriteString("- Shapes: *ipam_address_spaces, N keys* is one bulk resource whose `address_spaces` map holds one provider " +
		"space and N−1 customer spaces on it; *ipam_customer_address_space ×N* is N customer spaces via `for_each` plus " +
		"their `ipam_provider_address_space`. The *floor* shapes hold the same objects in `terraform_data` (one resource " +
		"whose `input` is the whole map, or one per item via `for_each` plus one for the provider space): Terraform's core " +
		"alone, no plugin, no network.\n")
	fmt.Fprintf(b, "- plain (Basic) and sealed (NTLM): the same bulk resource and configuration, one emulator for both. *plain* sets "+
		"`auth = \"basic\"` and sends SOAP as it is, as the for_each shape does too; *sealed* leaves `auth` at its default, "+
		"`ntlm`, so over `http://` the provider logs in with NTLM on each connection and seals every message ([MS-WSMV] 2.2.9.1), "+
		"which is what Windows at its defaults (AllowUnencrypted=false) requires. The sealed case runs up to N = %d (`-max-sealed`).\n", o.maxSealed)
	if slices.ContainsFunc(cases, func(c caseResult) bool { return c.baseline != "" }) {
		b.WriteString("- *baseline*: the provider built from the `-baseline` revision (its tree from `git archive`, built with the same " +
			"go), started by the same wrapper and talking to the same emulator as the current build, in the same run; its cases run " +
			"right after the current build's of the same shape and size and, with -repeat, take turns with all the others. Its " +
			"address spaces have names of their own, so neither build sees the other's.\n")
	}
	b.WriteString("- Steps: `terraform apply -auto-approve` (create), `terraform plan -detailed-exitcode` (must exit 0), the " +
		"description of every 100th customer changed (ceil(N/100) keys) and `terraform plan -detailed-exitcode` (must exit 2), " +
		"`terraform apply`, `terraform destroy -auto-approve`. Plans and destroy refresh first, as by default.\n")
	fmt.Fprintf(b, "- requests and bytes sent: deltas of the emulator's `GET /emulator/stats` around each command (the bench's own GET "+
		"left out); bytes received and calls: the emulator's request log for the same interval. Each request waits %s in the "+
		"emulator first, so requests × %s is the time a step spends on the network when nothing runs in parallel.\n", o.latency, o.latency)
	b.WriteString("- Bytes are HTTP bodies as they crossed the wire: for the sealed case the sealed bodies (MIME framing, NTLM " +
		"signature and the encrypted envelope, about 0.25 KiB more per message), for the plain case the envelopes. Headers are not " +
		"counted: neither Basic's credentials on every request nor NTLM's login tokens.\n")
	b.WriteString("- *NTLM login k×2* in the calls column: k logins of two requests each on a new connection (the negotiate, " +
		"answered 401 with the challenge, then the authenticate, answered 200 with an empty body). They are counted in requests, " +
		"as the cost of sealing, but not as errors. The emulator answers them without its latency, so on a real network each " +
		"login adds two round trips (and Windows' check of the answer with a domain controller) that this table does not charge.\n")
	b.WriteString("- provider peak RSS: `dev_overrides` points at a wrapper named `terraform-provider-ipam` that starts the real " +
		"provider as a child (same arguments, environment and stdio) and records the child's `ru_maxrss` when Terraform shuts it " +
		"down; the column is the largest over the provider processes one command started. terraform peak RSS is the command's own " +
		"`ru_maxrss` from wait4, which Linux takes as the max over Terraform and the children it waited for (so it is never below " +
		"the provider's).\n")
	b.WriteString("- CPU: user+system time of the terraform command and the children it waited for (the providers), from wait4; " +
		"provider CPU: the providers' share, recorded by the wrapper. CPU time moves less than wall time when other work " +
		"shares the machine (see the load average above).\n")
}

// writeProblems lists the steps that failed or were stopped, under a heading of level h.
func writeProblems(b *strings.Builder, h string, cases []caseResult) {
	var problems []string
	for _, c := range cases {
		for _, s := range c.steps {
			if s.problem != "" {
				problems = append(problems, fmt.Sprintf("- %s, N=%d, %s: %s", c.title(), c.n, s.name, s.problem))
			}
		}
	}
	if len(problems) > 0 {
		fmt.Fprintf(b, "\n%s Problems\n\n%s\n", h, strings.Join(problems, "\n"))
	}
}

// floorOf is the floor shape a provider shape is compared with.
func floorOf(k caseKind) caseKind {
	if k.forEach() {
		return kindForEachFloor
	}
	return kindBulkFloor
}

// writeFloor divides each provider case's wall time by its floor's at the same N and step: what
// the provider adds to what Terraform's core costs with the same objects.
func writeFloor(b *strings.Builder, h string, o options, cases []caseResult) {
	var cols []series
	for _, s := range seriesOf(cases) {
		if s.kind.usesProvider() && slices.ContainsFunc(cases, func(c caseResult) bool { return c.kind == floorOf(s.kind) }) {
			cols = append(cols, s)
		}
	}
	if len(cols) == 0 {
		return
	}
	ratio := func(c, f *caseResult, name string) string {
		if c == nil || f == nil {
			return "—"
		}
		if name == allSteps {
			cw, _, _, _, _, _, _, _, cok := c.totals()
			fw, _, _, _, _, _, _, _, fok := f.totals()
			if !cok || !fok || fw <= 0 {
				return "—"
			}
			return fmt.Sprintf("**%.2f×**", cw.Seconds()/fw.Seconds())
		}
		cs, _ := c.step(name)
		fs, _ := f.step(name)
		if !cs.ran || !fs.ran || cs.problem != "" || fs.problem != "" || fs.wall <= 0 {
			return "—"
		}
		return fmt.Sprintf("%.2f×", cs.wall.Seconds()/fs.wall.Seconds())
	}
	fmt.Fprintf(b, "%s Against the floor: wall time ÷ the floor's\n\n", h)
	b.WriteString("Each cell is a provider case's wall time divided by its floor's (the `terraform_data` shape holding the same objects: " +
		"the map for the bulk resource, ×N for `for_each`) at the same N and step, both from this run; 1× would mean the provider " +
		"adds nothing to what Terraform's core costs.\n\n")
	writeGrid(b, o, cols, func(s series, n int, name string) string {
		return ratio(findCase(cases, s, n), findCase(cases, series{kind: floorOf(s.kind)}, n), name)
	})
}

// ruleOf15 is issue #15's rule for a redesign of the bulk resource, which the baseline section
// checks: no more than this much worse than the baseline build, in percent, at ruleMinKeys and
// above (below, a provider's CPU is too small for a percentage to mean much).
const (
	ruleOf15    = 15.0
	ruleMinKeys = 1000
)

// change is the relative change from a to b in percent; ok is false when a is not positive.
func change(a, b float64) (pct float64, ok bool) {
	if a <= 0 {
		return 0, false
	}
	return (b - a) / a * 100, true
}

// fmtChange writes a change in percent as the tables show it: "+5%", "-12%", "±0%".
func fmtChange(pct float64) string {
	if r := math.Round(pct); r != 0 {
		return fmt.Sprintf("%+.0f%%", r)
	}
	return "±0%"
}

// fromTo is "a → b (change)", or "a → b" when the change cannot be computed.
func fromTo(a, b string, av, bv float64) string {
	if pct, ok := change(av, bv); ok {
		return fmt.Sprintf("%s → %s (%s)", a, b, fmtChange(pct))
	}
	return a + " → " + b
}

// verdict applies #15's rule to a pair's totals: provider CPU summed over the steps, peak RSS the
// largest over them.
func verdict(baseCPU, curCPU time.Duration, baseRSS, curRSS int64, complete bool) string {
	if !complete {
		return "— (incomplete)"
	}
	cpu, cpuOK := change(baseCPU.Seconds(), curCPU.Seconds())
	rss, rssOK := change(float64(baseRSS), float64(curRSS))
	if !cpuOK || !rssOK {
		return "— (not measured)"
	}
	var over []string
	if math.Round(cpu) > ruleOf15 {
		over = append(over, "provider CPU "+fmtChange(cpu))
	}
	if math.Round(rss) > ruleOf15 {
		over = append(over, "peak RSS "+fmtChange(rss))
	}
	if len(over) > 0 {
		return "**no**: " + strings.Join(over, ", ")
	}
	return "yes"
}

// writeBaseline compares, per shape and N that ran with both builds, the current build with the
// baseline, step by step and over all steps, and applies #15's rule.
func writeBaseline(b *strings.Builder, h string, o options, cases []caseResult) {
	type pair struct{ cur, base *caseResult }
	var pairs []pair
	short := ""
	for _, s := range seriesOf(cases) {
		if s.baseline == "" {
			continue
		}
		short = s.baseline
		for _, n := range o.sizes {
			if cur, base := findCase(cases, series{kind: s.kind}, n), findCase(cases, s, n); cur != nil && base != nil {
				pairs = append(pairs, pair{cur, base})
			}
		}
	}
	if len(pairs) == 0 {
		return
	}
	fmt.Fprintf(b, "%s Against the baseline: baseline %s → current build\n\n", h, short)
	fmt.Fprintf(b, "#15's rule: at 1,000 and 10,000 keys, the bulk resource's provider CPU (summed over the steps) and provider peak RSS "+
		"(the largest over them) are no worse in the current build than in the baseline by more than %.0f%%; the last column applies it "+
		"to this run from N = %d up.\n\n", ruleOf15, ruleMinKeys)
	b.WriteString("Each cell is baseline → current, both measured in this bench run against the same emulator (with -repeat, each side " +
		"from its own median run), the change in brackets.\n\n")
	fmt.Fprintf(b, "| shape | N | step | provider CPU | provider peak RSS | wall | requests | within +%.0f%% |\n", ruleOf15)
	b.WriteString("|---|---:|---|---:|---:|---:|---:|---|\n")
	for _, p := range pairs {
		title := p.cur.kind.title()
		for _, name := range stepNames() {
			bs, _ := p.base.step(name)
			cs, _ := p.cur.step(name)
			fmt.Fprintf(b, "| %s | %d | %s |", title, p.cur.n, name)
			if !bs.ran || !cs.ran {
				fmt.Fprintf(b, " | | %s | | |\n", bs.cell()+" → "+cs.cell())
				continue
			}
			fmt.Fprintf(b, " %s | %s | %s | %s | |\n",
				fromTo(fmtWall(bs.providerCPU), fmtWall(cs.providerCPU), bs.providerCPU.Seconds(), cs.providerCPU.Seconds()),
				fromTo(fmtKiB(bs.providerRSS), fmtKiB(cs.providerRSS), float64(bs.providerRSS), float64(cs.providerRSS)),
				fromTo(bs.cell(), cs.cell(), bs.wall.Seconds(), cs.wall.Seconds()),
				fromTo(strconv.FormatInt(bs.requests, 10), strconv.FormatInt(cs.requests, 10), float64(bs.requests), float64(cs.requests)))
		}
		bw, _, bcpu, breq, _, _, brss, _, bok := p.base.totals()
		cw, _, ccpu, creq, _, _, crss, _, cok := p.cur.totals()
		bold := func(s string) string { return "**" + s + "**" }
		judged := fmt.Sprintf("not judged (N < %d)", ruleMinKeys)
		if p.cur.n >= ruleMinKeys {
			judged = verdict(bcpu, ccpu, brss, crss, bok && cok)
		}
		fmt.Fprintf(b, "| %s | %d | **all steps** | %s | %s | %s | %s | %s |\n", title, p.cur.n,
			bold(fromTo(fmtWall(bcpu), fmtWall(ccpu), bcpu.Seconds(), ccpu.Seconds())),
			bold(fromTo(fmtKiB(brss), fmtKiB(crss), float64(brss), float64(crss))),
			bold(fromTo(fmtWall(bw), fmtWall(cw), bw.Seconds(), cw.Seconds())),
			bold(fromTo(strconv.FormatInt(breq, 10), strconv.FormatInt(creq, 10), float64(breq), float64(creq))),
			judged)
	}
	b.WriteString("\n")
}

// writeSealing compares, at each N where both ran, the sealed bulk case with the plain one: the
// cost of sealing every message, step by step, with the change over all steps.
func writeSealing(b *strings.Builder, h string, o options, find func(caseKind, int) *caseResult) {
	type pair struct {
		n             int
		plain, sealed *caseResult
	}
	var pairs []pair
	for _, n := range o.sizes {
		if p, s := find(kindBulk, n), find(kindBulkSealed, n); p != nil && s != nil {
			pairs = append(pairs, pair{n, p, s})
		}
	}
	if len(pairs) == 0 {
		return
	}
	fmt.Fprintf(b, "%s Cost of sealing: ipam_address_spaces, plain (Basic) → sealed (NTLM)\n\n", h)
	b.WriteString("Each cell is plain → sealed, both measured in this bench run (with -repeat, each side from its own median run); " +
		"the change over all steps in brackets. " +
		"NTLM logins: the sealed case's logins, two of its requests each.\n\n")
	b.WriteString("| N | step | wall | provider CPU | requests | NTLM logins | bytes sent | bytes received | provider peak RSS |\n")
	b.WriteString("|---:|---|---:|---:|---:|---:|---:|---:|---:|\n")
	arrow := func(plain, sealed string) string { return plain + " → " + sealed }
	for _, p := range pairs {
		for _, name := range stepNames() {
			ps, _ := p.plain.step(name)
			ss, _ := p.sealed.step(name)
			fmt.Fprintf(b, "| %d | %s | %s |", p.n, name, arrow(ps.cell(), ss.cell()))
			if !ps.ran || !ss.ran {
				b.WriteString(" | | | | | |\n")
				continue
			}
			fmt.Fprintf(b, " %s | %s | %d | %s | %s | %s |\n",
				arrow(fmtWall(ps.providerCPU), fmtWall(ss.providerCPU)), arrow(strconv.FormatInt(ps.requests, 10), strconv.FormatInt(ss.requests, 10)),
				ss.calls.logins, arrow(fmtBytes(ps.bytesSent), fmtBytes(ss.bytesSent)),
				arrow(fmtBytes(ps.calls.bytesReturned), fmtBytes(ss.calls.bytesReturned)), arrow(fmtKiB(ps.providerRSS), fmtKiB(ss.providerRSS)))
		}
		pw, _, pcpu, preq, psent, precv, prss, _, pok := p.plain.totals()
		sw, _, scpu, sreq, ssent, srecv, srss, _, sok := p.sealed.totals()
		logins := 0
		for _, s := range p.sealed.steps {
			logins += s.calls.logins
		}
		pct := func(a, b float64) string {
			if !pok || !sok || a <= 0 {
				return ""
			}
			return " (" + fmtChange((b-a)/a*100) + ")"
		}
		fmt.Fprintf(b, "| %d | **all steps** | **%s**%s | **%s**%s | **%s**%s | **%d** | **%s**%s | **%s**%s | **%s** |\n", p.n,
			arrow(fmtWall(pw), fmtWall(sw)), pct(pw.Seconds(), sw.Seconds()),
			arrow(fmtWall(pcpu), fmtWall(scpu)), pct(pcpu.Seconds(), scpu.Seconds()),
			arrow(strconv.FormatInt(preq, 10), strconv.FormatInt(sreq, 10)), pct(float64(preq), float64(sreq)),
			logins, arrow(fmtBytes(psent), fmtBytes(ssent)), pct(float64(psent), float64(ssent)),
			arrow(fmtBytes(precv), fmtBytes(srecv)), pct(float64(precv), float64(srecv)),
			arrow(fmtKiB(prss), fmtKiB(srss)))
	}
	b.WriteString("\n")
}

func stepNames() []string {
	out := make([]string, len(steps))
	for i, s := range steps {
		out[i] = s.name
	}
	return out
}

// renderSVG draws one log-log panel per step (wall time against N), one line per shape and build.
// A baseline's line has its shape's colour, dash-dotted, with square markers.
func renderSVG(o options, cases []caseResult) string {
	const (
		panelW, panelH                     = 300, 230
		marginL, marginR, marginT, marginB = 58, 26, 30, 40
		cols                               = 3
		legendStep                         = 28
	)
	names := stepNames()
	panels := len(names) + 1 // the last slot holds the legend
	rows := (panels + cols - 1) / cols
	// The legend: every shape, each followed by its baseline when one ran.
	var legend []series
	for _, k := range allKinds {
		legend = append(legend, series{kind: k})
		if i := slices.IndexFunc(cases, func(c caseResult) bool { return c.kind == k && c.baseline != "" }); i >= 0 {
			legend = append(legend, series{k, cases[i].baseline})
		}
	}
	legendTop := 30 + (panels-1)/cols*panelH + marginT + 10
	width, height := cols*panelW, max(rows*panelH+30, legendTop+len(legend)*legendStep+20)
	colors := map[caseKind]string{kindBulkFloor: "#8c8c8c", kindBulk: "#1f77b4", kindBulkSealed: "#2ca02c", kindForEachFloor: "#4d4d4d", kindForEach: "#e8710a"}
	dashes := map[caseKind]string{kindBulkFloor: "5,4", kindForEachFloor: "2,3"}
	dash := func(s series) string {
		d, ok := dashes[s.kind]
		if s.baseline != "" {
			d, ok = "9,3,2,3", true
		}
		if !ok {
			return ""
		}
		return fmt.Sprintf(` stroke-dasharray="%s"`, d)
	}

	// Shared axes: N over the sizes, seconds over every measured wall time.
	nMin, nMax := float64(o.sizes[0]), float64(o.sizes[len(o.sizes)-1])
	if nMin == nMax {
		nMin, nMax = nMin/3, nMax*3
	}
	tMin, tMax := math.Inf(1), math.Inf(-1)
	for _, c := range cases {
		for _, s := range c.steps {
			if s.ran && s.wall > 0 {
				tMin = math.Min(tMin, s.wall.Seconds())
				tMax = math.Max(tMax, s.wall.Seconds())
			}
		}
	}
	if math.IsInf(tMin, 1) {
		tMin, tMax = 0.1, 10
	}
	tLo, tHi := math.Pow(10, math.Floor(math.Log10(tMin))), math.Pow(10, math.Ceil(math.Log10(tMax)))
	if tLo == tHi {
		tHi *= 10
	}
	lx := func(v float64) float64 { return math.Log10(v) }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="11">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%d" y="20" font-size="14" font-weight="bold">make bench: wall time (s, log) against N (log), emulator latency %s</text>`+"\n", 10, o.latency)
	for p, name := range names {
		ox, oy := float64((p%cols)*panelW), float64(30+(p/cols)*panelH)
		x0, x1 := ox+marginL, ox+panelW-marginR
		y0, y1 := oy+panelH-marginB, oy+marginT
		px := func(n float64) float64 { return x0 + (lx(n)-lx(nMin))/(lx(nMax)-lx(nMin))*(x1-x0) }
		py := func(t float64) float64 { return y0 - (lx(t)-lx(tLo))/(lx(tHi)-lx(tLo))*(y0-y1) }
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" font-weight="bold">%s</text>`+"\n", x0, oy+18, name)
		fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="%.0f" height="%.0f" fill="none" stroke="#bbb"/>`+"\n", x0, y1, x1-x0, y0-y1)
		for t := tLo; t <= tHi*1.0001; t *= 10 {
			y := py(t)
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#eee"/>`+"\n", x0, y, x1, y)
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`+"\n", x0-4, y+4, fmtSeconds(t))
		}
		for _, n := range o.sizes {
			x := px(float64(n))
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#eee"/>`+"\n", x, y0, x, y1)
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%d</text>`+"\n", x, y0+14, n)
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#555">N</text>`+"\n", (x0+x1)/2, y0+30)
		for _, sr := range seriesOf(cases) {
			var pts []string
			for _, c := range cases {
				if c.kind != sr.kind || c.baseline != sr.baseline {
					continue
				}
				s, ok := c.step(name)
				if !ok || !s.ran || s.wall <= 0 {
					continue
				}
				x, y := px(float64(c.n)), py(s.wall.Seconds())
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
				fill := colors[sr.kind]
				if s.stopped || s.problem != "" {
					fill = "white"
				}
				hover := fmt.Sprintf("<title>%s, N=%d, %s: %s</title>", c.title(), c.n, name, s.cell())
				if sr.baseline != "" {
					fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="6" height="6" fill="%s" stroke="%s">%s</rect>`+"\n", x-3, y-3, fill, colors[sr.kind], hover)
				} else {
					fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s" stroke="%s">%s</circle>`+"\n", x, y, fill, colors[sr.kind], hover)
				}
			}
			if len(pts) > 1 {
				fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="1.8"%s/>`+"\n", strings.Join(pts, " "), colors[sr.kind], dash(sr))
			}
		}
	}
	// Legend in the last slot; a title too long for the panel goes on two lines, split after its
	// last comma (the bulk shapes' "plain (Basic)" and "sealed (NTLM)").
	p := len(names)
	ox, oy := float64((p%cols)*panelW), float64(30+(p/cols)*panelH)
	for i, sr := range legend {
		y := oy + marginT + 10 + float64(i)*legendStep
		fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="%s" stroke-width="1.8"%s/>`+"\n", ox+20, y, ox+50, y, colors[sr.kind], dash(sr))
		title := sr.title()
		if i := strings.LastIndex(title, ", "); i > 0 && len([]rune(title)) > 32 {
			fmt.Fprintf(&b, `<text x="%.0f" y="%.0f">%s,<tspan x="%.0f" dy="13">%s</tspan></text>`+"\n", ox+58, y+4, title[:i], ox+58, title[i+2:])
			continue
		}
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f">%s</text>`+"\n", ox+58, y+4, title)
	}
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" fill="#555">hollow marker: stopped or failed</text>`+"\n", ox+20, oy+marginT+10+float64(len(legend))*legendStep)
	b.WriteString("</svg>\n")
	return b.String()
}

func fmtSeconds(t float64) string { return fmt.Sprintf("%g s", t) }
