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

func renderMarkdown(m meta, o options, cases []caseResult) string {
	var b strings.Builder
	b.WriteString("# make bench\n\n")
	fmt.Fprintf(&b, "%s · %s, %d CPUs · Terraform %s · %s · emulator latency %s per request · Terraform's default -parallelism (10) · bench wall time %s · load average %s at the start, %s at the end\n\n",
		m.date, m.platform, m.cpus, m.terraform, m.goVersion, o.latency, m.total.Round(time.Second), m.loadStart, m.loadEnd)
	if o.repeat > 1 {
		fmt.Fprintf(&b, "Each case ran %d times, the cases taking turns (every case once, then again); each row is the run of that step with the median wall time, all its columns from that run.\n\n", o.repeat)
	}

	// Side by side: one row per size and step, one column per shape.
	var kinds []caseKind
	for _, k := range allKinds {
		if slices.ContainsFunc(cases, func(c caseResult) bool { return c.kind == k }) {
			kinds = append(kinds, k)
		}
	}
	find := func(k caseKind, n int) *caseResult {
		for i := range cases {
			if cases[i].kind == k && cases[i].n == n {
				return &cases[i]
			}
		}
		return nil
	}
	sideBySide := func(title string, value func(stepResult) string, total func(caseResult) (time.Duration, bool)) {
		fmt.Fprintf(&b, "## %s\n\n| N | step |", title)
		for _, k := range kinds {
			fmt.Fprintf(&b, " %s |", k.title())
		}
		b.WriteString("\n|---:|---|")
		for range kinds {
			b.WriteString("---:|")
		}
		b.WriteString("\n")
		for _, n := range o.sizes {
			for _, name := range append(stepNames(), "all steps") {
				label := name
				if name == "all steps" {
					label = "**all steps**"
				}
				fmt.Fprintf(&b, "| %d | %s |", n, label)
				for _, k := range kinds {
					c := find(k, n)
					switch {
					case c == nil:
						b.WriteString(" — |")
					case name == "all steps":
						d, complete := total(*c)
						if complete {
							fmt.Fprintf(&b, " **%s** |", fmtWall(d))
						} else {
							fmt.Fprintf(&b, " **> %s** (incomplete) |", fmtWall(d))
						}
					default:
						if s, ok := c.step(name); ok {
							fmt.Fprintf(&b, " %s |", value(s))
						} else {
							b.WriteString(" not run |")
						}
					}
				}
				b.WriteString("\n")
			}
		}
		b.WriteString("\n")
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

	writeSealing(&b, o, find)

	b.WriteString("## Per case and step\n\n")
	b.WriteString("| shape | N | step | wall | CPU | provider CPU | requests | bytes sent | bytes received | provider peak RSS | terraform peak RSS | calls (emulator log) |\n")
	b.WriteString("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n")
	for _, c := range cases {
		for _, s := range c.steps {
			fmt.Fprintf(&b, "| %s | %d | %s | %s |", c.kind.title(), c.n, s.name, s.cell())
			if !s.ran {
				b.WriteString(" | | | | | | | |\n")
				continue
			}
			if c.kind.usesProvider() {
				fmt.Fprintf(&b, " %s | %s | %d | %s | %s | %s | %s | %s |\n", fmtWall(s.cpu), fmtWall(s.providerCPU), s.requests,
					fmtBytes(s.bytesSent), fmtBytes(s.calls.bytesReturned), fmtKiB(s.providerRSS), fmtKiB(s.terraformRSS), s.calls)
			} else {
				fmt.Fprintf(&b, " %s | — | — | — | — | — | %s | |\n", fmtWall(s.cpu), fmtKiB(s.terraformRSS))
			}
		}
		wall, cpu, pcpu, req, sent, recv, prss, trss, complete := c.totals()
		w := fmtWall(wall)
		if !complete {
			w = "> " + w
		}
		if c.kind.usesProvider() {
			fmt.Fprintf(&b, "| %s | %d | **all steps** | **%s** | **%s** | **%s** | **%d** | **%s** | **%s** | **%s** | **%s** | |\n",
				c.kind.title(), c.n, w, fmtWall(cpu), fmtWall(pcpu), req, fmtBytes(sent), fmtBytes(recv), fmtKiB(prss), fmtKiB(trss))
		} else {
			fmt.Fprintf(&b, "| %s | %d | **all steps** | **%s** | **%s** | — | — | — | — | — | **%s** | |\n", c.kind.title(), c.n, w, fmtWall(cpu), fmtKiB(trss))
		}
	}

	b.WriteString("\n## How to read it\n\n")
	b.WriteString("- Shapes: *ipam_address_spaces, N keys* is one bulk resource whose `address_spaces` map holds one provider " +
		"space and N−1 customer spaces on it; *ipam_customer_address_space ×N* is N customer spaces via `for_each` plus " +
		"their `ipam_provider_address_space`. The *floor* shapes hold the same objects in `terraform_data` (one resource " +
		"whose `input` is the whole map, or one per item via `for_each` plus one for the provider space): Terraform's core " +
		"alone, no plugin, no network.\n")
	fmt.Fprintf(&b, "- plain (Basic) and sealed (NTLM): the same bulk resource and configuration, one emulator for both. *plain* sets "+
		"`auth = \"basic\"` and sends SOAP as it is, as the for_each shape does too; *sealed* leaves `auth` at its default, "+
		"`ntlm`, so over `http://` the provider logs in with NTLM on each connection and seals every message ([MS-WSMV] 2.2.9.1), "+
		"which is what Windows at its defaults (AllowUnencrypted=false) requires. The sealed case runs up to N = %d (`-max-sealed`).\n", o.maxSealed)
	b.WriteString("- Steps: `terraform apply -auto-approve` (create), `terraform plan -detailed-exitcode` (must exit 0), the " +
		"description of every 100th customer changed (ceil(N/100) keys) and `terraform plan -detailed-exitcode` (must exit 2), " +
		"`terraform apply`, `terraform destroy -auto-approve`. Plans and destroy refresh first, as by default.\n")
	fmt.Fprintf(&b, "- requests and bytes sent: deltas of the emulator's `GET /emulator/stats` around each command (the bench's own GET "+
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
	var problems []string
	for _, c := range cases {
		for _, s := range c.steps {
			if s.problem != "" {
				problems = append(problems, fmt.Sprintf("- %s, N=%d, %s: %s", c.kind.title(), c.n, s.name, s.problem))
			}
		}
	}
	if len(problems) > 0 {
		b.WriteString("\n## Problems\n\n" + strings.Join(problems, "\n") + "\n")
	}
	return b.String()
}

// writeSealing compares, at each N where both ran, the sealed bulk case with the plain one: the
// cost of sealing every message, step by step, with the change over all steps.
func writeSealing(b *strings.Builder, o options, find func(caseKind, int) *caseResult) {
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
	b.WriteString("## Cost of sealing: ipam_address_spaces, plain (Basic) → sealed (NTLM)\n\n")
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
		change := func(a, b float64) string {
			if !pok || !sok || a <= 0 {
				return ""
			}
			return fmt.Sprintf(" (%+.0f%%)", (b-a)/a*100)
		}
		fmt.Fprintf(b, "| %d | **all steps** | **%s**%s | **%s**%s | **%s**%s | **%d** | **%s**%s | **%s**%s | **%s** |\n", p.n,
			arrow(fmtWall(pw), fmtWall(sw)), change(pw.Seconds(), sw.Seconds()),
			arrow(fmtWall(pcpu), fmtWall(scpu)), change(pcpu.Seconds(), scpu.Seconds()),
			arrow(strconv.FormatInt(preq, 10), strconv.FormatInt(sreq, 10)), change(float64(preq), float64(sreq)),
			logins, arrow(fmtBytes(psent), fmtBytes(ssent)), change(float64(psent), float64(ssent)),
			arrow(fmtBytes(precv), fmtBytes(srecv)), change(float64(precv), float64(srecv)),
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

// renderSVG draws one log-log panel per step (wall time against N), one line per shape.
func renderSVG(o options, cases []caseResult) string {
	const (
		panelW, panelH                     = 300, 230
		marginL, marginR, marginT, marginB = 58, 26, 30, 40
		cols                               = 3
	)
	names := stepNames()
	panels := len(names) + 1 // the last slot holds the legend
	rows := (panels + cols - 1) / cols
	width, height := cols*panelW, rows*panelH+30
	colors := map[caseKind]string{kindBulkFloor: "#8c8c8c", kindBulk: "#1f77b4", kindBulkSealed: "#2ca02c", kindForEachFloor: "#4d4d4d", kindForEach: "#e8710a"}
	dashes := map[caseKind]string{kindBulkFloor: "5,4", kindForEachFloor: "2,3"}

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
		for _, k := range allKinds {
			var pts []string
			for _, c := range cases {
				if c.kind != k {
					continue
				}
				s, ok := c.step(name)
				if !ok || !s.ran || s.wall <= 0 {
					continue
				}
				x, y := px(float64(c.n)), py(s.wall.Seconds())
				pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
				fill := colors[k]
				if s.stopped || s.problem != "" {
					fill = "white"
				}
				fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s" stroke="%s"><title>%s, N=%d, %s: %s</title></circle>`+"\n",
					x, y, fill, colors[k], k.title(), c.n, name, s.cell())
			}
			if len(pts) > 1 {
				dash := ""
				if d, ok := dashes[k]; ok {
					dash = fmt.Sprintf(` stroke-dasharray="%s"`, d)
				}
				fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="1.8"%s/>`+"\n", strings.Join(pts, " "), colors[k], dash)
			}
		}
	}
	// Legend in the last slot; a title too long for the panel goes on two lines, split after its
	// last comma (the bulk shapes' "plain (Basic)" and "sealed (NTLM)").
	const legendStep = 28
	p := len(names)
	ox, oy := float64((p%cols)*panelW), float64(30+(p/cols)*panelH)
	for i, k := range allKinds {
		y := oy + marginT + 10 + float64(i)*legendStep
		dash := ""
		if d, ok := dashes[k]; ok {
			dash = fmt.Sprintf(` stroke-dasharray="%s"`, d)
		}
		fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="%s" stroke-width="1.8"%s/>`+"\n", ox+20, y, ox+50, y, colors[k], dash)
		title := k.title()
		if i := strings.LastIndex(title, ", "); i > 0 && len([]rune(title)) > 32 {
			fmt.Fprintf(&b, `<text x="%.0f" y="%.0f">%s,<tspan x="%.0f" dy="13">%s</tspan></text>`+"\n", ox+58, y+4, title[:i], ox+58, title[i+2:])
			continue
		}
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f">%s</text>`+"\n", ox+58, y+4, title)
	}
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" fill="#555">hollow marker: stopped or failed</text>`+"\n", ox+20, oy+marginT+10+float64(len(allKinds))*legendStep)
	b.WriteString("</svg>\n")
	return b.String()
}

func fmtSeconds(t float64) string { return fmt.Sprintf("%g s", t) }
