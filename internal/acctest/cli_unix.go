//go:build unix

package acctest

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/winipam/terraform-provider-ipam/internal/emulator/emutest"
)

// Run is a terraform command running in its own process group, so that the test can signal it,
// and end it and the provider process it started, should it not exit by itself.
type Run struct {
	t   testing.TB
	cmd *exec.Cmd
	out *emutest.Output
	// Started is when the command started.
	Started time.Time
	// Exited is closed when terraform has exited.
	Exited chan struct{}
}

// Start starts terraform args and returns at once; the test ends its process group when it ends.
func (c *CLI) Start(args ...string) *Run {
	c.t.Helper()
	r := &Run{t: c.t, out: &emutest.Output{}, Exited: make(chan struct{})}
	r.cmd = c.command(r.out, r.out, args...)
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	r.Started = time.Now()
	if err := r.cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	go func() {
		_ = r.cmd.Wait()
		close(r.Exited)
	}()
	c.t.Cleanup(r.killGroup)
	return r
}

// Signal sends sig to terraform (not to its provider: terraform passes an interrupt on).
func (r *Run) Signal(sig os.Signal) {
	r.t.Helper()
	if err := r.cmd.Process.Signal(sig); err != nil {
		r.t.Fatal(err)
	}
}

// Output is what terraform has printed so far.
func (r *Run) Output() string { return r.out.String() }

// killGroup ends the command's process group (terraform and its provider) if it still runs.
func (r *Run) killGroup() {
	select {
	case <-r.Exited:
	default:
		_ = syscall.Kill(-r.cmd.Process.Pid, syscall.SIGKILL)
		<-r.Exited
	}
}

// Wait waits up to limit for terraform to exit and returns its exit code, or -1 after ending its
// process group when it did not exit in time.
func (r *Run) Wait(limit time.Duration) int {
	select {
	case <-r.Exited:
		return r.cmd.ProcessState.ExitCode()
	case <-time.After(limit):
		r.killGroup()
		return -1
	}
}

// Diagnostics counts the error diagnostics terraform has printed so far.
func (r *Run) Diagnostics() int { return strings.Count(r.out.String(), "Error: ") }
