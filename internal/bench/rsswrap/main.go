// Command rsswrap stands in for terraform-provider-ipam so that `make bench` can measure the
// provider's peak resident set size without touching the provider: the bench harness builds it as
// a file named terraform-provider-ipam in the directory a dev_overrides block points at.
//
// It starts the real provider (IPAM_BENCH_PROVIDER_BIN) as a child with the same arguments,
// environment and stdio (stdout inherited, so go-plugin's handshake line reaches Terraform
// unchanged), forwards SIGINT and SIGTERM to it, waits for it, then appends one line
//
//	<maxrss KiB> <child pid> <exit code> <wall ms> <cpu ms (user+system)>
//
// to the file named by IPAM_BENCH_RSS_FILE (when set), and exits with the child's exit code. The
// child exits when Terraform's plugin client shuts it down over gRPC, so the line is written before
// Terraform stops waiting for the plugin; if Terraform has to kill the wrapper instead, the child is
// killed with it (Pdeathsig on Linux) and no line is written.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"
)

const (
	envBinary  = "IPAM_BENCH_PROVIDER_BIN"
	envRSSFile = "IPAM_BENCH_RSS_FILE"
)

func main() { os.Exit(run()) }

func run() int {
	bin := os.Getenv(envBinary)
	if bin == "" {
		fmt.Fprintf(os.Stderr, "rsswrap: %s is not set: it names the real terraform-provider-ipam\n", envBinary)
		return 1
	}
	cmd := exec.Command(bin, os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = childAttr()

	// Catch the signals before the child exists, so none is lost in between; go-plugin servers
	// ignore SIGINT themselves (Terraform handles Ctrl-C), and the child decides what to do.
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "rsswrap: %v\n", err)
		return 1
	}
	go func() {
		for s := range sigs {
			_ = cmd.Process.Signal(s)
		}
	}()
	err := cmd.Wait()
	wall := time.Since(start)
	code := 0
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		code = exitErr.ExitCode()
		if code < 0 { // killed by a signal
			code = 1
		}
	case err != nil:
		fmt.Fprintf(os.Stderr, "rsswrap: %v\n", err)
		code = 1
	}
	if path := os.Getenv(envRSSFile); path != "" && cmd.ProcessState != nil {
		if err := record(path, cmd.ProcessState, code, wall); err != nil {
			fmt.Fprintf(os.Stderr, "rsswrap: %v\n", err)
		}
	}
	return code
}

func record(path string, ps *os.ProcessState, code int, wall time.Duration) error {
	kib, err := maxRSSKiB(ps)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	// One short write with O_APPEND: lines of concurrent providers do not interleave.
	cpu := ps.UserTime() + ps.SystemTime()
	_, err = fmt.Fprintf(f, "%d %d %d %d %d\n", kib, ps.Pid(), code, wall.Milliseconds(), cpu.Milliseconds())
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
