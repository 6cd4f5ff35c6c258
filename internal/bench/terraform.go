package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// step is one measured Terraform command of a case.
type step struct {
	name     string
	args     []string
	wantExit int
	// version of the configuration to write before the command (0: leave it).
	version int
}

var steps = []step{
	{name: "create", args: []string{"apply", "-auto-approve", "-input=false", "-no-color"}, version: 1},
	{name: "no-op plan", args: []string{"plan", "-detailed-exitcode", "-input=false", "-no-color"}},
	{name: "change plan", args: []string{"plan", "-detailed-exitcode", "-input=false", "-no-color"}, wantExit: 2, version: 2},
	{name: "change apply", args: []string{"apply", "-auto-approve", "-input=false", "-no-color"}},
	{name: "destroy", args: []string{"destroy", "-auto-approve", "-input=false", "-no-color"}},
}

// stepResult is what one command cost.
type stepResult struct {
	name string
	ran  bool
	wall time.Duration
	// requests and bytesSent come from the emulator's counters (deltas), calls from its log.
	requests, bytesSent int64
	calls               callCounts
	// providerRSS is the largest peak RSS (KiB) of the provider processes the command started,
	// providerProcs how many reported one; terraformRSS is the command's own peak (KiB) from
	// wait4, which Linux takes as the max over terraform and the children it waited for.
	providerRSS   int64
	providerProcs int
	terraformRSS  int64
	// cpu is the command's user+system time, its reaped children (the providers) included;
	// providerCPU is the providers' share, from the wrapper.
	cpu, providerCPU time.Duration
	exitCode         int
	// problem is set when the command failed or did not exit as expected; stopped when the
	// case's time limit ended it.
	problem string
	stopped bool
}

// runner runs Terraform commands in case directories.
type runner struct {
	terraform string
	env       []string
	emu       *emulator // nil when no provider case runs
	// providerBin is the current build, baselineBin the baseline's ("" without -baseline): the
	// wrapper that dev_overrides names starts the one a command is given.
	providerBin, baselineBin string
}

// run runs one step, with the wrapper starting providerBin.
func (r *runner) run(ctx context.Context, dir string, idx int, st step, providerBin string) stepResult {
	res := stepResult{name: st.name, ran: true}
	rssFile := filepath.Join(dir, fmt.Sprintf("rss-%d.txt", idx))
	// The wrapper appends a line per provider process; an earlier run of the step (-repeat) left its own.
	if err := os.Remove(rssFile); err != nil && !errors.Is(err, fs.ErrNotExist) {
		res.problem = err.Error()
		return res
	}
	logPath := filepath.Join(dir, fmt.Sprintf("%d-%s.log", idx, strings.ReplaceAll(st.name, " ", "-")))
	logFile, err := os.Create(logPath)
	if err != nil {
		res.problem = err.Error()
		return res
	}
	defer logFile.Close()

	var before emulatorStats
	var offset, ownGets int64
	if r.emu != nil {
		if before, err = r.emu.stats(context.WithoutCancel(ctx)); err != nil {
			res.problem = "emulator stats: " + err.Error()
			return res
		}
		offset = r.emu.logSize()
	}

	cmd := exec.CommandContext(ctx, r.terraform, st.args...)
	cmd.Dir = dir
	cmd.Env = append(append([]string{}, r.env...), "IPAM_BENCH_PROVIDER_BIN="+providerBin, "IPAM_BENCH_RSS_FILE="+rssFile)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// On the case's time limit, interrupt Terraform as Ctrl-C would (it finishes what is in
	// flight and saves state), and kill it if it takes more than a minute to do so.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = time.Minute
	cmd.SysProcAttr = ownGroup()
	start := time.Now()
	if err = cmd.Start(); err == nil {
		stopBeat := r.heartbeat(ctx, st.name, start, before)
		err = cmd.Wait()
		ownGets = stopBeat()
		if ctx.Err() != nil {
			killGroup(cmd.Process.Pid) // providers of a terraform that was killed
		}
	}
	res.wall = time.Since(start)
	if cmd.ProcessState != nil {
		res.exitCode = cmd.ProcessState.ExitCode()
		res.terraformRSS = maxRSSKiB(cmd.ProcessState)
		res.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	var exitErr *exec.ExitError
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		res.stopped = true
		res.problem = fmt.Sprintf("stopped by the time limit (-case-timeout) after %s", res.wall.Round(time.Second))
	case ctx.Err() != nil:
		res.stopped = true
		res.problem = fmt.Sprintf("interrupted after %s", res.wall.Round(time.Second))
	case err != nil && !errors.As(err, &exitErr):
		res.problem = err.Error()
	case res.exitCode != st.wantExit:
		res.problem = fmt.Sprintf("terraform %s exited %d, want %d (log: %s)", st.args[0], res.exitCode, st.wantExit, logPath)
	}

	if r.emu != nil {
		after, err := r.emu.stats(context.WithoutCancel(ctx))
		if err != nil && res.problem == "" {
			res.problem = "emulator stats: " + err.Error()
		}
		// The counter includes the bench's GET of the "after" stats and the heartbeat's.
		res.requests = after.Requests - before.Requests - 1 - ownGets
		res.bytesSent = after.BytesReceived - before.BytesReceived
		res.calls = r.emu.calls(offset)
	}
	res.providerRSS, res.providerProcs, res.providerCPU = readRSS(rssFile)
	return res
}

// heartbeat logs, every minute of a long command, how long it has run and (with the emulator)
// how many requests it has sent so far. The returned func stops it and returns how many stats
// requests the heartbeat itself sent (the emulator counts them).
func (r *runner) heartbeat(ctx context.Context, name string, start time.Time, before emulatorStats) func() int64 {
	done := make(chan struct{})
	finished := make(chan int64)
	go func() {
		var gets int64
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-done:
				finished <- gets
				return
			case <-t.C:
				msg := fmt.Sprintf("  ... %s still running after %s", name, time.Since(start).Round(time.Second))
				if r.emu != nil {
					gets++
					if now, err := r.emu.stats(context.WithoutCancel(ctx)); err == nil {
						msg += fmt.Sprintf(", %d requests so far", now.Requests-before.Requests-gets)
					}
				}
				logf("%s", msg)
			}
		}
	}()
	return func() int64 { close(done); return <-finished }
}

// readRSS returns the largest maxrss (KiB) the wrapper recorded, how many provider processes
// recorded one, and their CPU time.
func readRSS(path string) (peak int64, procs int, cpu time.Duration) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if v, err := strconv.ParseInt(f[0], 10, 64); err == nil {
			procs++
			peak = max(peak, v)
		}
		if len(f) >= 5 {
			if ms, err := strconv.ParseInt(f[4], 10, 64); err == nil {
				cpu += time.Duration(ms) * time.Millisecond
			}
		}
	}
	return peak, procs, cpu
}

// tail returns the last lines of a file, for a failure message.
func tail(path string, lines int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	all := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}
