// Package fuzztest holds what the project's fuzz targets share: a deadline for one input (Go's
// fuzzer has none), seeds read from files, and the hostile SOAP documents that both the codec's
// (internal/wsman) and the emulator's targets start from, stored once, here.
package fuzztest

import (
	"embed"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
	"time"
)

// Deadline bounds one fuzz input: without it, an input that never ends would stall the fuzz
// worker instead of being reported with its input.
const Deadline = 10 * time.Second

// WithinDeadline runs fn and crashes the test binary, with every goroutine's stack, when it has
// not returned within Deadline; the fuzzer then saves the input that hung.
func WithinDeadline(t testing.TB, fn func()) {
	t.Helper()
	timer := time.AfterFunc(Deadline, func() {
		debug.SetTraceback("all")
		panic(fmt.Sprintf("%s: one input took longer than %s", t.Name(), Deadline))
	})
	defer timer.Stop()
	fn()
}

// Files reads every file that matches the glob patterns (relative to the package directory, as
// tests run there), in pattern order. A pattern that matches nothing fails the test: a directory
// that moved would otherwise drop its seeds without a word.
func Files(tb testing.TB, patterns ...string) [][]byte {
	tb.Helper()
	var out [][]byte
	for _, pattern := range patterns {
		paths, err := filepath.Glob(pattern)
		if err != nil {
			tb.Fatal(err)
		}
		if len(paths) == 0 {
			tb.Fatalf("no seed files match %s", pattern)
		}
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				tb.Fatal(err)
			}
			out = append(out, data)
		}
	}
	return out
}

// AddFiles seeds f with each file Files reads, as a []byte input.
func AddFiles(f *testing.F, patterns ...string) {
	f.Helper()
	for _, data := range Files(f, patterns...) {
		f.Add(data)
	}
}

// hostile are SOAP documents made to break a parser: entity expansion and external entities,
// nesting at and past the parser's depth limit, a namespace flood, a UTF-16 declaration, CDATA,
// comments and processing instructions, undeclared prefixes, xsi:nil with content, unknown
// xsi:type, nested faults, odd header values and CIM datetimes.
//
//go:embed hostile/*.xml
var hostile embed.FS

// AddHostileSOAP seeds f with the hostile SOAP documents, as []byte inputs.
func AddHostileSOAP(f *testing.F) {
	f.Helper()
	entries, err := hostile.ReadDir("hostile")
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		data, err := hostile.ReadFile("hostile/" + e.Name())
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}
