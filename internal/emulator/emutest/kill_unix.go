//go:build unix

package emutest

import (
	"syscall"
	"time"
)

// Kill9 kills the emulator with SIGKILL, as a crash would, and waits for it to be gone; the test
// fails unless SIGKILL is what ended it.
func (p *Process) Kill9() {
	p.t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		p.t.Fatal(err)
	}
	select {
	case <-p.done:
	case <-time.After(stopWithin):
		p.t.Fatalf("the emulator survived SIGKILL for %s", stopWithin)
	}
	if ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		p.t.Fatalf("the emulator was not killed by SIGKILL: %v", p.cmd.ProcessState)
	}
}
