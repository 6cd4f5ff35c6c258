//go:build !unix

package main

import (
	"os"
	"syscall"
)

func maxRSSKiB(*os.ProcessState) int64 { return 0 }

func ownGroup() *syscall.SysProcAttr { return nil }

func killGroup(int) {}
