// Package acctest holds what the provider's acceptance tests share: an emulator on loopback and
// the provider block that reaches it, configurations read from testdata/<TestName>/, an
// out-of-band IPAM client whose checks are state checks, drift steps, the emulator's request log,
// and a runner for the terraform CLI for what terraform-plugin-testing cannot do (-parallelism,
// signals, -generate-config-out as a user runs it). Only tests import it (lint holds this).
package acctest

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/winipam/terraform-provider-ipam/internal/emulator"
)

// The credentials of the emulators the acceptance tests start.
const (
	User     = "admin"
	Password = "acc-Pa55!"
)

// Emulator is an in-process emulator on loopback, for one test.
type Emulator struct {
	*emulator.Running
	t testing.TB
}

// StartEmulator runs an emulator on loopback for one test, with an in-memory database and the
// defaults of a Windows server as it ships: Basic refused, and every message over plain HTTP must
// be sealed (AllowUnencrypted=false). Without CustomFields in cfg, Region and CostCenter are
// defined.
func StartEmulator(t testing.TB, cfg emulator.Config) *Emulator {
	t.Helper()
	cfg.DisableBasic, cfg.RequireEncryption = true, true
	return StartEmulatorAsConfigured(t, cfg)
}

// StartWithOutOfBand is StartEmulator and an out-of-band client of that emulator.
func StartWithOutOfBand(t testing.TB, cfg emulator.Config) (*Emulator, *OutOfBand) {
	t.Helper()
	emu := StartEmulator(t, cfg)
	return emu, NewOutOfBand(t, emu.URL)
}

// StartEmulatorAsConfigured is StartEmulator with cfg's own DisableBasic and RequireEncryption,
// for tests that log in with Basic.
func StartEmulatorAsConfigured(t testing.TB, cfg emulator.Config) *Emulator {
	t.Helper()
	if cfg.Username == "" {
		cfg.Username, cfg.Password = User, Password
	}
	if cfg.CustomFields == nil {
		cfg.CustomFields = []string{"Region", "CostCenter"}
	}
	emu, err := emulator.Start(context.Background(), cfg, "127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	return &Emulator{Running: emu, t: t}
}

// ProviderBlock configures the provider for this emulator the way a user configures it for a
// Windows server at its defaults: an http:// endpoint, a user and a password (NTLM, every message
// sealed), and a 20s timeout per request.
func (e *Emulator) ProviderBlock() string {
	return ProviderBlock(e.URL, `timeout = "20s"`)
}

// Config is the provider block followed by a configuration file of the test's (see HCL).
func (e *Emulator) Config(file string, data ...any) string {
	e.t.Helper()
	return e.ProviderBlock() + HCL(e.t, file, data...)
}

// InjectFault is emulator.Running's InjectFault that fails the test on error.
func (e *Emulator) InjectFault(rule emulator.FaultRule) {
	e.t.Helper()
	if err := e.Running.InjectFault(rule); err != nil {
		e.t.Fatal(err)
	}
}

// SetFailItems is emulator.Running's SetFailItems that fails the test on error.
func (e *Emulator) SetFailItems(pattern string) {
	e.t.Helper()
	if err := e.Running.SetFailItems(pattern); err != nil {
		e.t.Fatal(err)
	}
}

// ProviderBlock is a provider block for endpoint with the emulators' user (as DOMAIN\user) and
// password, and nothing else but settings: more attribute lines (or blocks), as written in HCL.
func ProviderBlock(endpoint string, settings ...string) string {
	return ProviderBlockAs(endpoint, `CORP\`+User, Password, settings...)
}

// ProviderBlockAs is ProviderBlock with another user name and password.
func ProviderBlockAs(endpoint, username, password string, settings ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\nprovider \"ipam\" {\n  endpoint = %q\n  username = %q\n  password = %q\n", endpoint, username, password)
	for _, s := range settings {
		for _, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
			b.WriteString("  " + line + "\n")
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// ErrorText matches a phrase in Terraform's output however the CLI wraps it: the words may be
// separated by any run of blanks, line breaks and the "│" that frames a diagnostic.
func ErrorText(phrase string) *regexp.Regexp {
	words := strings.Fields(phrase)
	for i, w := range words {
		words[i] = regexp.QuoteMeta(w)
	}
	return regexp.MustCompile(strings.Join(words, `[\s│]+`))
}

// ErrorsInOrder matches the phrases in this order, anything between them.
func ErrorsInOrder(phrases ...string) *regexp.Regexp {
	parts := make([]string, len(phrases))
	for i, p := range phrases {
		parts[i] = ErrorText(p).String()
	}
	return regexp.MustCompile(`(?s)` + strings.Join(parts, `.*`))
}

// RawXML spots a SOAP body leaking into a diagnostic.
var RawXML = regexp.MustCompile(`<[A-Za-z][\w.-]*:[A-Za-z]|xmlns|</`)
