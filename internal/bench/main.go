// Command bench is `make bench`: it builds the provider, starts the IPAM emulator with a realistic
// per-request latency, runs real Terraform over generated configurations of several shapes and
// sizes (create, no-op plan, a change to 1% of the keys, destroy), and prints one table measured in
// one run: wall time, requests and bytes the provider sent to the emulator, and the provider's peak
// RSS, next to the cost of Terraform's core alone (terraform_data with the same shapes). The shapes:
// bulk-floor and bulk (one ipam_address_spaces with N keys, plain SOAP with Basic), bulk-sealed (the
// same resource with NTLM, every message sealed as over http:// to Windows at its defaults),
// foreach-floor and foreach (N separate resources). One emulator in its default mode takes both
// Basic and sealed NTLM, so the plain and sealed cases run side by side. Then it runs the Go
// benchmarks (the codec; Terraform converting an address_spaces map; NTLM sealing per byte and
// one login, which price what bulk-sealed adds). The results also go to a markdown file and an
// SVG plot.
//
// With -baseline REV, it also builds the provider from that git revision (the tree git archive
// gives, built with the same go) and runs the provider shapes of -baseline-cases with it too, as
// cases of their own next to the current build's: same wrapper, same emulator, same run, taking
// turns with the others under -repeat. An "Against the baseline" section then compares the two
// step by step. With -report FILE, it writes a self-contained report meant to be committed (what
// was run, on what, the tables, and how to read them, with no numbers in the fixed text), with
// its plot beside it.
//
// Progress goes to stderr; the table and the Go benchmark output to stdout. Benchmarks are
// measurements, never assertions, except that each step must exit as expected (the no-op plan 0,
// the change plan 2) and each provider case must log in as its title says (NTLM for the sealed
// case, Basic for the others): the bench fails otherwise. A baseline that does not build fails
// the bench before anything runs.
package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

type options struct {
	sizes       []int
	maxForEach  int
	maxSealed   int
	kinds       []caseKind
	out, svg    string
	latency     time.Duration
	caseTimeout time.Duration
	goBench     bool
	benchtime   string
	keep        bool
	terraform   string
	goTool      string
	repeat      int
	// baseline is the git revision to build and run beside the current build ("" for none),
	// baselineKinds the shapes that run with it (provider shapes that are also in kinds).
	baseline      string
	baselineKinds []caseKind
	// report is the committed report's path ("" for none); its plot goes beside it.
	report string
	// args are the command-line arguments, quoted in the report.
	args []string
}

// caseResult is one shape at one size, run with the current build or (baseline set to its
// short commit) with the baseline build.
type caseResult struct {
	kind     caseKind
	baseline string
	n        int
	changed  int
	steps    []stepResult
}

// seriesTitle names a shape run with the current build (baseline "") or with the baseline build
// of that short commit, in tables and the plot.
func seriesTitle(k caseKind, baseline string) string {
	if baseline == "" {
		return k.title()
	}
	return k.title() + " — baseline " + baseline
}

func (c caseResult) title() string { return seriesTitle(c.kind, c.baseline) }

// id names the case's directory and, without dashes, prefixes the names of its address spaces,
// so that the builds' cases never see each other's in the shared emulator.
func (c caseResult) id() string {
	if c.baseline == "" {
		return c.kind.id()
	}
	return c.kind.id() + "-baseline"
}

func main() { os.Exit(run()) }

func logf(format string, args ...any) { fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...) }

// parseArgs reads the command line (without the program name). Errors and -h are written to
// output; a -h gives flag.ErrHelp.
func parseArgs(args []string, output io.Writer) (options, error) {
	o := options{args: args}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(output)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "usage: go run ./internal/bench [flags] (make bench BENCH_ARGS='[flags]')\n\n"+
			"Runs real Terraform over generated configurations against the IPAM emulator and reports wall time, CPU, requests,\n"+
			"bytes and peak RSS per step. Measurements, never assertions: it fails only when a step exits other than expected.\n\n")
		fs.PrintDefaults()
	}
	sizes := fs.String("sizes", "100,1000,10000", "comma-separated N: keys of the bulk shapes, resources of the for_each shapes")
	fs.IntVar(&o.maxForEach, "max-foreach", 1000, "largest N the for_each shapes (N separate resources) run with")
	fs.IntVar(&o.maxSealed, "max-sealed", 1000, "largest N bulk-sealed runs with: it takes as long as bulk (2.5 minutes a run at 10000 on 2 CPUs), "+
		"and the comparison with plain SOAP is made at 1000")
	cases := fs.String("cases", "bulk-floor,bulk,bulk-sealed,foreach-floor,foreach", "shapes to run: "+kindIDs()+
		" (bulk is plain SOAP with auth = \"basic\", bulk-sealed the same resource with NTLM, every message sealed)")
	fs.StringVar(&o.baseline, "baseline", "", "git revision (commit, tag, branch, HEAD~1) to build the provider from as well, with the same go, "+
		"from the tree git archive gives; the shapes of -baseline-cases run with it too, as cases of their own beside the current build's "+
		"(same emulator, same run, taking turns under -repeat), and an \"Against the baseline\" section compares them; a baseline that does not build fails the bench before anything runs")
	baselineCases := fs.String("baseline-cases", "bulk,bulk-sealed", "with -baseline: the provider shapes (of those in -cases) that also run with the baseline build")
	fs.StringVar(&o.out, "out", ".bench/results.md", "markdown file for the results (its directory is created)")
	fs.StringVar(&o.svg, "svg", "", "SVG plot of wall times (default: -out with .svg; \"-\" for none)")
	fs.StringVar(&o.report, "report", "", "also write a self-contained report meant to be committed and linked from the README (e.g. internal/bench/REPORT.md): "+
		"what was run and on what, the tables, and how to read them; its plot goes beside it with .svg")
	fs.DurationVar(&o.latency, "latency", 20*time.Millisecond, "emulator latency added to every request (a WinRM+WMI round trip)")
	fs.DurationVar(&o.caseTimeout, "case-timeout", 15*time.Minute, "stop a case (all its steps) after this long and report what it measured; 0: no limit")
	fs.BoolVar(&o.goBench, "go-bench", true, "also run the Go benchmarks: the codec's, NTLM sealing and login (go test -bench . -benchmem)")
	fs.StringVar(&o.benchtime, "benchtime", "", "go test -benchtime for the Go benchmarks (default go test's)")
	fs.IntVar(&o.repeat, "repeat", 1, "run each case this many times and report, per step, the run with the median wall time (all its columns)")
	fs.BoolVar(&o.keep, "keep", false, "keep the temporary directory (configurations, terraform logs, emulator database and log)")
	fs.StringVar(&o.terraform, "terraform", "terraform", "terraform binary")
	fs.StringVar(&o.goTool, "go", "go", "go binary (builds the provider and the baseline, runs the Go benchmarks)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.repeat < 1 {
		return o, fmt.Errorf("-repeat %d: run each case at least once", o.repeat)
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	for _, s := range strings.Split(*sizes, ",") {
		s = strings.TrimSpace(strings.ReplaceAll(s, "_", ""))
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 2 {
			return o, fmt.Errorf("-sizes: %q is not a whole number of at least 2", s)
		}
		if !slices.Contains(o.sizes, n) {
			o.sizes = append(o.sizes, n)
		}
	}
	if len(o.sizes) == 0 {
		return o, errors.New("-sizes names no size")
	}
	slices.Sort(o.sizes)
	var err error
	if o.kinds, err = parseKinds("-cases", *cases); err != nil {
		return o, err
	}
	if len(o.kinds) == 0 {
		return o, errors.New("-cases names no shape")
	}
	if err := parseBaseline(&o, *baselineCases, flagSet(fs, "baseline-cases")); err != nil {
		return o, err
	}
	if o.svg == "" {
		o.svg = strings.TrimSuffix(o.out, filepath.Ext(o.out)) + ".svg"
	}
	if o.report != "" {
		if filepath.Clean(o.report) == filepath.Clean(o.out) {
			return o, fmt.Errorf("-report %s is also -out: the report and the results are different files", o.report)
		}
		if o.svg != "-" && filepath.Clean(reportSVG(o.report)) == filepath.Clean(o.svg) {
			return o, fmt.Errorf("-report %s puts its plot at %s, which is also -svg", o.report, o.svg)
		}
	}
	return o, nil
}

// parseKinds reads a comma-separated list of shape ids, in the order of allKinds, without repeats.
func parseKinds(flagName, list string) ([]caseKind, error) {
	var out []caseKind
	for _, c := range strings.Split(list, ",") {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		i := slices.IndexFunc(allKinds, func(k caseKind) bool { return k.id() == c })
		if i < 0 {
			return nil, fmt.Errorf("%s: unknown shape %q (%s)", flagName, c, kindIDs())
		}
		if !slices.Contains(out, allKinds[i]) {
			out = append(out, allKinds[i])
		}
	}
	slices.Sort(out)
	return out, nil
}

// parseBaseline checks -baseline and -baseline-cases: the shapes must use the provider, and at
// least one of them must be in -cases, or the baseline would be built for nothing.
func parseBaseline(o *options, list string, listSet bool) error {
	if o.baseline == "" {
		if listSet {
			return errors.New("-baseline-cases needs -baseline (the revision to build)")
		}
		return nil
	}
	if strings.HasPrefix(o.baseline, "-") {
		return fmt.Errorf("-baseline %q: a git revision does not start with '-'", o.baseline)
	}
	kinds, err := parseKinds("-baseline-cases", list)
	if err != nil {
		return err
	}
	for _, k := range kinds {
		if !k.usesProvider() {
			return fmt.Errorf("-baseline-cases: %s runs no provider, so it is the same with either build", k.id())
		}
		if slices.Contains(o.kinds, k) {
			o.baselineKinds = append(o.baselineKinds, k)
		}
	}
	if len(o.baselineKinds) == 0 {
		return fmt.Errorf("-baseline %s: none of -baseline-cases (%s) is in -cases, so nothing would run with it", o.baseline, list)
	}
	return nil
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// plannedCases lists the cases in run order: by size, then floor before provider, plain before
// sealed, bulk before for_each, so each size's shapes run side by side and the largest runs last.
// A shape that runs with the baseline build too has its baseline case (named by short, the
// baseline's short commit) right after its current one.
func plannedCases(o options, short string) []caseResult {
	var out []caseResult
	for _, n := range o.sizes {
		for _, k := range o.kinds {
			if (k.forEach() && n > o.maxForEach) || (k.sealed() && n > o.maxSealed) {
				continue
			}
			out = append(out, caseResult{kind: k, n: n, changed: changedCount(k, n)})
			if o.baseline != "" && slices.Contains(o.baselineKinds, k) {
				out = append(out, caseResult{kind: k, baseline: short, n: n, changed: changedCount(k, n)})
			}
		}
	}
	return out
}

func run() int {
	o, err := parseArgs(os.Args[1:], os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case err != nil:
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	root, err := repoRoot()
	if err != nil {
		logf("%v", err)
		return 1
	}
	if o.terraform, err = exec.LookPath(o.terraform); err != nil {
		logf("terraform is not on PATH: %v", err)
		return 1
	}
	var base revision
	if o.baseline != "" {
		if base, err = resolveRevision(ctx, root, o.baseline); err != nil {
			logf("-baseline: %v", err)
			return 1
		}
	}
	cases := plannedCases(o, base.short)
	if len(cases) == 0 {
		logf("nothing to run: the for_each shapes only run up to -max-foreach %d, bulk-sealed up to -max-sealed %d", o.maxForEach, o.maxSealed)
		return 2
	}
	meta := collectMeta(ctx, o)

	tmp, err := os.MkdirTemp("", "ipam-bench-")
	if err != nil {
		logf("%v", err)
		return 1
	}
	if o.keep {
		logf("keeping %s", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}

	realBin := filepath.Join(tmp, "provider", "terraform-provider-ipam")
	wrapDir := filepath.Join(tmp, "plugins")
	logf("building the provider and the RSS wrapper into %s", tmp)
	if err := goBuild(ctx, o.goTool, root, realBin, "."); err != nil {
		logf("%v", err)
		return 1
	}
	if err := goBuild(ctx, o.goTool, root, filepath.Join(wrapDir, "terraform-provider-ipam"), "./internal/bench/rsswrap"); err != nil {
		logf("%v", err)
		return 1
	}
	meta.current = currentBuild(ctx, root, realBin)
	r := &runner{terraform: o.terraform, providerBin: realBin}
	if o.baseline != "" {
		r.baselineBin = filepath.Join(tmp, "baseline", "terraform-provider-ipam")
		logf("building the baseline %s from git archive into %s", base.named(o.baseline), filepath.Dir(r.baselineBin))
		if err := buildBaseline(ctx, o.goTool, root, base, r.baselineBin, o.keep); err != nil {
			logf("%v", err)
			return 1
		}
		meta.baseline = baselineBuild(o.baseline, base, r.baselineBin)
	}
	rc := filepath.Join(tmp, "terraform.rc")
	if err := os.WriteFile(rc, []byte(fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"winipam/ipam\" = %q\n  }\n  direct {}\n}\n", wrapDir)), 0o644); err != nil {
		logf("%v", err)
		return 1
	}
	r.env = terraformEnv(rc)

	if slices.ContainsFunc(cases, func(c caseResult) bool { return c.kind.usesProvider() }) {
		// The current build's emulator serves both builds' cases.
		logf("starting the emulator (latency %s, database %s)", o.latency, filepath.Join(tmp, "ipam.db"))
		emu, err := startEmulator(realBin, tmp, o.latency, "bench", "bench-"+randomHex(8))
		if err != nil {
			logf("%v", err)
			return 1
		}
		r.emu = emu
		defer func() {
			if err := emu.stop(); err != nil {
				logf("%v", err)
			}
		}()
		logf("emulator listening on %s", emu.conn.endpoint)
	}

	started := time.Now()
	failed := false
	// With -repeat, the cases take turns (every case once, then every case again): the machine's
	// speed drifts over minutes, and the cases a ratio compares should meet the same drift.
	runs := make([][]caseResult, len(cases))
	for rep := 1; rep <= o.repeat && ctx.Err() == nil; rep++ {
		for i := range cases {
			if ctx.Err() != nil {
				break
			}
			c := &cases[i]
			label := fmt.Sprintf("[%d/%d] %s, N=%d", i+1, len(cases), c.title(), c.n)
			if o.repeat > 1 {
				label += fmt.Sprintf(" (run %d/%d)", rep, o.repeat)
			}
			run := caseResult{kind: c.kind, baseline: c.baseline, n: c.n, changed: c.changed}
			if err := runCase(ctx, o, r, tmp, &run, label); err != nil {
				logf("%s: %v", label, err)
				failed = true
			}
			runs[i] = append(runs[i], run)
		}
	}
	for i := range cases {
		cases[i].steps = medianSteps(runs[i])
	}
	interrupted := ctx.Err() != nil
	if r.emu != nil {
		if err := r.emu.stop(); err != nil {
			logf("%v", err)
			failed = true
		}
		r.emu = nil
	}
	meta.total = time.Since(started)
	meta.loadEnd = loadAverage()

	report := renderMarkdown(meta, o, cases)
	fmt.Println(report)

	var goOut string
	if o.goBench && !interrupted {
		logf("running the Go benchmarks")
		goOut, err = runGoBench(ctx, o, root)
		if err != nil {
			logf("go test -bench: %v", err)
			failed = true
		}
	}
	if err := writeResults(o, cases, report, goOut); err != nil {
		logf("%v", err)
		failed = true
	}
	if o.report != "" {
		if err := writeReport(meta, o, cases, goOut); err != nil {
			logf("%v", err)
			failed = true
		}
	}
	switch {
	case interrupted:
		logf("interrupted")
		return 130
	case failed || slices.ContainsFunc(cases, caseFailed):
		logf("FAILED: a step did not give the expected result (see the table's notes)")
		return 1
	}
	return 0
}

// medianSteps takes, for each step, the result of the run whose wall time is the median (the
// lower one of an even count), so that every column of a row comes from one measurement. A step
// that did not run or failed in any run is reported from such a run: failures are never hidden.
func medianSteps(runs []caseResult) []stepResult {
	if len(runs) == 0 {
		return nil
	}
	out := make([]stepResult, len(runs[0].steps))
	for i := range out {
		var all []stepResult
		for _, r := range runs {
			if i < len(r.steps) {
				all = append(all, r.steps[i])
			}
		}
		if k := slices.IndexFunc(all, func(s stepResult) bool { return !s.ran || s.problem != "" }); k >= 0 {
			out[i] = all[k]
			continue
		}
		slices.SortFunc(all, func(a, b stepResult) int { return cmp.Compare(a.wall, b.wall) })
		out[i] = all[(len(all)-1)/2]
	}
	return out
}

// runCase runs a case's steps in its own directory, under the case time limit.
func runCase(ctx context.Context, o options, r *runner, tmp string, c *caseResult, label string) error {
	dir := filepath.Join(tmp, "cases", fmt.Sprintf("%s-%d", c.id(), c.n))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	cctx := ctx
	if o.caseTimeout > 0 {
		var cancel context.CancelFunc
		cctx, cancel = context.WithTimeout(ctx, o.caseTimeout)
		defer cancel()
	}
	// The builds' cases share the emulator: their names differ by the prefix.
	prefix := fmt.Sprintf("%s%d", strings.ReplaceAll(c.id(), "-", ""), c.n)
	bin := r.providerBin
	if c.baseline != "" {
		bin = r.baselineBin
	}
	conn := emulatorConn{}
	if r.emu != nil {
		conn = r.emu.conn
	}
	skipToDestroy := false
	for idx, st := range steps {
		if skipToDestroy && st.name != "destroy" {
			c.steps = append(c.steps, stepResult{name: st.name})
			continue
		}
		if st.version > 0 {
			cfg := generateConfig(c.kind, c.n, st.version, prefix, conn)
			if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(cfg), 0o644); err != nil {
				return err
			}
		}
		logf("%s: %s ...", label, st.name)
		res := r.run(cctx, dir, idx, st, bin)
		if res.problem == "" && r.emu != nil {
			res.problem = authProblem(c.kind, res)
		}
		c.steps = append(c.steps, res)
		logf("%s: %s %s", label, st.name, progressLine(c.kind, res))
		if res.problem != "" {
			logf("%s: %s: %s", label, st.name, res.problem)
			if t := tail(filepath.Join(dir, fmt.Sprintf("%d-%s.log", idx, strings.ReplaceAll(st.name, " ", "-"))), 15); t != "" && !res.stopped {
				fmt.Fprintf(os.Stderr, "--- last lines of terraform's output ---\n%s\n---\n", t)
			}
		}
		if res.stopped || ctx.Err() != nil {
			for _, rest := range steps[idx+1:] {
				c.steps = append(c.steps, stepResult{name: rest.name})
			}
			return nil
		}
		// A failed apply leaves the state uncertain: clean up with destroy and stop the case.
		if res.problem != "" && st.args[0] == "apply" {
			skipToDestroy = true
		}
	}
	return nil
}

// authProblem says when a step's requests did not travel as its shape says, which would put a
// plain measurement under the sealed title or the other way round. Every provider process opens
// its own connection, and over http:// the client seals exactly when it logs in with NTLM.
func authProblem(k caseKind, s stepResult) string {
	switch {
	case !k.usesProvider():
		return ""
	case k.sealed() && s.requests > 0 && s.calls.logins == 0:
		return "the emulator saw no NTLM login, so nothing was sealed: check the generated provider block (auth must be left at its default)"
	case !k.sealed() && s.calls.logins > 0:
		return fmt.Sprintf("the emulator saw %d NTLM logins in a case that should send plain SOAP with Basic", s.calls.logins)
	}
	return ""
}

func progressLine(k caseKind, s stepResult) string {
	line := fmtWall(s.wall) + ", CPU " + fmtWall(s.cpu)
	if k.usesProvider() {
		line += fmt.Sprintf(" (provider %s), %d requests (%s), %s sent, provider peak RSS %s (%d processes)",
			fmtWall(s.providerCPU), s.requests, s.calls, fmtBytes(s.bytesSent), fmtKiB(s.providerRSS), s.providerProcs)
	}
	return line + fmt.Sprintf(", terraform peak RSS %s, exit %d", fmtKiB(s.terraformRSS), s.exitCode)
}

func caseFailed(c caseResult) bool {
	return slices.ContainsFunc(c.steps, func(s stepResult) bool { return s.problem != "" && !s.stopped })
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if data, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil && declaresModule(data) {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("run the bench inside the terraform-provider-ipam module (no go.mod above %s)", dir)
		}
	}
}

// goBuild builds pkg of the module in dir into out, with extra environment settings.
func goBuild(ctx context.Context, goTool, dir, out, pkg string, env ...string) error {
	cmd := exec.CommandContext(ctx, goTool, "build", "-o", out, pkg)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "CGO_ENABLED=0"), env...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s: %w", pkg, err)
	}
	return nil
}

// terraformEnv is the environment of every terraform command (the runner adds the provider binary
// the wrapper starts): the bench's CLI configuration (dev_overrides to the wrapper; never
// terraform init), no checkpoint calls, and none of the
// caller's TF_CLI_ARGS, TF_LOG or IPAM_* settings, which would change what is measured (an
// IPAM_AUTH=basic would quietly make the sealed case plain).
func terraformEnv(rc string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "TF_CLI_ARGS") || strings.HasPrefix(kv, "TF_LOG") || strings.HasPrefix(kv, "TF_CLI_CONFIG_FILE=") ||
			strings.HasPrefix(kv, "IPAM_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "TF_CLI_CONFIG_FILE="+rc, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// meta describes the machine, tools and builds, for the report.
type meta struct {
	date, terraform, goVersion, platform string
	loadStart, loadEnd                   string
	cpus                                 int
	total                                time.Duration
	// current and baseline say what the provider binaries were built from (baseline empty
	// without -baseline).
	current, baseline buildInfo
}

func collectMeta(ctx context.Context, o options) meta {
	m := meta{date: time.Now().UTC().Format("2006-01-02 15:04 UTC"), platform: runtime.GOOS + "/" + runtime.GOARCH,
		cpus: runtime.NumCPU(), terraform: "?", goVersion: runtime.Version(), loadStart: loadAverage()}
	if out, err := exec.CommandContext(ctx, o.terraform, "version", "-json").Output(); err == nil {
		var v struct {
			Version string `json:"terraform_version"`
		}
		if json.Unmarshal(out, &v) == nil && v.Version != "" {
			m.terraform = v.Version
		}
	}
	if out, err := exec.CommandContext(ctx, o.goTool, "env", "GOVERSION").Output(); err == nil {
		if v := strings.TrimSpace(string(out)); v != "" {
			m.goVersion = v
		}
	}
	return m
}

// runGoBench runs the codec benchmarks, streaming their output to stdout, and returns it.
func runGoBench(ctx context.Context, o options, root string) (string, error) {
	args := []string{"test", "-run", "^$", "-bench", ".", "-benchmem"}
	if o.benchtime != "" {
		args = append(args, "-benchtime", o.benchtime)
	}
	args = append(args, "./internal/ipam/wmi/", "./internal/wsman/", "./internal/bench/")
	var buf strings.Builder
	fmt.Fprintf(&buf, "$ go %s\n", strings.Join(args, " "))
	fmt.Printf("## Go benchmarks\n\n%s", buf.String())
	cmd := exec.CommandContext(ctx, o.goTool, args...)
	cmd.Dir = root
	cmd.Stdout = io.MultiWriter(os.Stdout, &buf)
	cmd.Stderr = io.MultiWriter(os.Stderr, &buf)
	err := cmd.Run()
	return buf.String(), err
}

func writeResults(o options, cases []caseResult, report, goOut string) error {
	if err := os.MkdirAll(filepath.Dir(o.out), 0o755); err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString(report)
	if o.svg != "-" {
		if err := os.MkdirAll(filepath.Dir(o.svg), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(o.svg, []byte(renderSVG(o, cases)), 0o644); err != nil {
			return err
		}
		if rel, err := filepath.Rel(filepath.Dir(o.out), o.svg); err == nil {
			fmt.Fprintf(&b, "\n![Wall time by step, shape and N](%s)\n", filepath.ToSlash(rel))
		}
		logf("wrote %s", o.svg)
	}
	if goOut != "" {
		fmt.Fprintf(&b, "\n## Go benchmarks\n\n```text\n%s```\n", goOut)
	}
	if err := os.WriteFile(o.out, []byte(b.String()), 0o644); err != nil {
		return err
	}
	logf("wrote %s", o.out)
	return nil
}

// loadAverage is the 1, 5 and 15 minute load average (Linux), "?" elsewhere.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}
