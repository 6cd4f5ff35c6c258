package main

import "syscall"

// childAttr kills the provider if the wrapper dies first (Terraform force-kills a plugin that does
// not stop in time), so no provider outlives the bench.
func childAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} }
