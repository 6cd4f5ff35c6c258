package emutest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// readyWithin bounds how long a started emulator may take to print its ready line.
const readyWithin = 30 * time.Second

// stopWithin bounds how long an emulator may take to exit after a signal.
const stopWithin = 15 * time.Second

// Process is a running emulator command, started by Start or Launch.
type Process struct {
	Ready
	t              testing.TB
	cmd            *exec.Cmd
	stdout, stderr *Output
	done           chan struct{}
}

// Command is "bin emulator flags...": the emulator command of a terraform-provider-ipam binary.
func Command(bin string, flags ...string) *exec.Cmd {
	return exec.Command(bin, append([]string{"emulator"}, flags...)...)
}

// Start runs cmd (Command, or any program that runs the emulator's Main) and waits for its ready
// line; the test fails when it exits first or stays silent. It is killed when the test ends, if it
// still runs.
func Start(t testing.TB, cmd *exec.Cmd) *Process {
	t.Helper()
	p, err := Launch(t, cmd)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Launch is Start for a test that expects the command may exit before it is ready: instead of
// failing the test, it returns the process (exited; its output readable) and an error that shows
// the output. A command that cannot be started at all still fails the test.
func Launch(t testing.TB, cmd *exec.Cmd) (*Process, error) {
	t.Helper()
	ready := make(chan Ready, 1)
	p := &Process{t: t, cmd: cmd, stdout: &Output{lines: ready}, stderr: &Output{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Kill()
			<-p.done
		}
	})
	select {
	case p.Ready = <-ready:
		return p, nil
	case <-p.done:
		// The ready line may have come just before the exit.
		select {
		case p.Ready = <-ready:
			return p, nil
		default:
		}
		return p, fmt.Errorf("the emulator exited (%v) before it was ready\nstdout: %s\nstderr: %s", cmd.ProcessState, p.stdout, p.stderr)
	case <-time.After(readyWithin):
		return p, fmt.Errorf("the emulator printed no ready line within %s\nstdout: %s\nstderr: %s", readyWithin, p.stdout, p.stderr)
	}
}

// Stdout is what the emulator has printed on its standard output so far.
func (p *Process) Stdout() string { return p.stdout.String() }

// Stderr is the emulator's log so far: one line per request, and its errors.
func (p *Process) Stderr() string { return p.stderr.String() }

// Done is closed when the process has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// State is the exited process's state (nil while it runs).
func (p *Process) State() *os.ProcessState {
	select {
	case <-p.done:
		return p.cmd.ProcessState
	default:
		return nil
	}
}

// Stop sends sig and waits for the process to exit, and returns its exit code; the test fails when
// it has not exited within 15s.
func (p *Process) Stop(sig os.Signal) int {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		select {
		case <-p.done:
		default:
			p.t.Fatal(err)
		}
	}
	select {
	case <-p.done:
	case <-time.After(stopWithin):
		p.t.Fatalf("the emulator did not stop within %s of %v\nstdout: %s\nstderr: %s", stopWithin, sig, p.stdout, p.stderr)
	}
	return p.cmd.ProcessState.ExitCode()
}

// Output collects a process's output while a test reads it. The emulator's standard output is
// also read line by line for the ready line.
type Output struct {
	mu      sync.Mutex
	b       bytes.Buffer
	scanned int        // bytes of b already looked at for the ready line
	lines   chan Ready // where the ready line goes, once; nil: not looked for
}

func (o *Output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	n, _ := o.b.Write(p)
	for o.lines != nil {
		rest := o.b.Bytes()[o.scanned:]
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			break
		}
		o.scanned += i + 1
		if r, ok := ParseReady(string(rest[:i])); ok {
			o.lines <- r
			o.lines = nil
		}
	}
	return n, nil
}

func (o *Output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}

// binary is terraform-provider-ipam built from this module, shared by the tests of one test binary
// that use it at the same time, and removed when the last of them ends.
var binary struct {
	mu    sync.Mutex
	path  string
	users int
}

// Binary returns the path of terraform-provider-ipam built from this module (go build, with the
// environment's settings, so the packages go vet compiled are reused). Tests running at the same
// time share one build; the test is skipped when there is no go on PATH.
func Binary(t testing.TB) string {
	t.Helper()
	binary.mu.Lock()
	defer binary.mu.Unlock()
	if binary.path == "" {
		goTool, err := exec.LookPath("go")
		if err != nil {
			t.Skip("no go on PATH to build terraform-provider-ipam")
		}
		dir, err := os.MkdirTemp("", "ipam-provider-bin-") //nolint:usetesting // shared by parallel tests, removed when the last ends
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "terraform-provider-ipam")
		build := exec.Command(goTool, "build", "-o", path, "github.com/winipam/terraform-provider-ipam")
		if out, err := build.CombinedOutput(); err != nil {
			os.RemoveAll(dir)
			t.Fatalf("go build: %v\n%s", err, out)
		}
		binary.path = path
	}
	binary.users++
	path := binary.path
	t.Cleanup(func() {
		binary.mu.Lock()
		defer binary.mu.Unlock()
		if binary.users--; binary.users == 0 {
			os.RemoveAll(filepath.Dir(binary.path))
			binary.path = ""
		}
	})
	return path
}
