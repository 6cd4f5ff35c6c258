//go:build unix

package main

import (
	"os"
	"runtime"
	"syscall"
)

// maxRSSKiB is a finished process's peak resident set size from wait4's rusage, 0 if unknown.
func maxRSSKiB(ps *os.ProcessState) int64 {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok || ru == nil {
		return 0
	}
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		return int64(ru.Maxrss) / 1024 //nolint:unconvert // int32 on some platforms; bytes on Darwin
	}
	return int64(ru.Maxrss) //nolint:unconvert // int32 on some platforms; KiB on Linux and the BSDs
}

// ownGroup runs terraform in a process group of its own, with its providers, so that a terraform
// that has to be killed takes no provider with it into the background.
func ownGroup() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// killGroup kills what is left of a process group.
func killGroup(pgid int) { _ = syscall.Kill(-pgid, syscall.SIGKILL) }
