//go:build unix

package main

import (
	"errors"
	"os"
	"runtime"
	"syscall"
)

// maxRSSKiB is the child's peak resident set size from wait4's rusage (the child's own; the
// provider starts no processes of its own).
func maxRSSKiB(ps *os.ProcessState) (int64, error) {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok || ru == nil {
		return 0, errors.New("no rusage for the provider process")
	}
	kib := int64(ru.Maxrss) //nolint:unconvert // int32 on some platforms; KiB on Linux and the BSDs
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		kib /= 1024 // bytes on Darwin
	}
	return kib, nil
}
