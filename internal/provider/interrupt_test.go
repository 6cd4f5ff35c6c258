//go:build unix

package provider

// Interruptions, as users meet them: Ctrl-C (SIGINT) to terraform in the middle of a long bulk
// apply, and the IPAM server dying (kill -9 of the emulator) in the middle of a bulk call. Both
// need real processes, so these tests run the terraform CLI with the provider binary built from
// this module (as TestAccAddressSpaceResource_generateConfigCLI does) against the emulator binary.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/winipam/terraform-provider-ipam/internal/acctest"
	"github.com/winipam/terraform-provider-ipam/internal/emulator/emutest"
	"github.com/winipam/terraform-provider-ipam/internal/ipam"
)

// emulatorBinary is a running `terraform-provider-ipam emulator`.
type emulatorBinary struct {
	*emutest.Process
	t *testing.T
}

// startEmulatorBinary runs the emulator command on listen ("127.0.0.1:0": a free port) with the
// database file db, and waits for its ready line.
func startEmulatorBinary(t *testing.T, bin, listen, db string, extra ...string) *emulatorBinary {
	t.Helper()
	cmd := emutest.Command(bin, append([]string{"-listen", listen, "-db", db, "-username", acctest.User, "-password", acctest.Password,
		"-custom-field", "Region"}, extra...)...)
	return &emulatorBinary{Process: emutest.Start(t, cmd), t: t}
}

// requests reads GET /emulator/stats: how many requests the emulator has received.
func (p *emulatorBinary) requests() (int64, error) {
	req, err := http.NewRequest(http.MethodGet, strings.TrimSuffix(p.URL, "/wsman")+"/emulator/stats", nil)
	if err != nil {
		return 0, err
	}
	req.SetBasicAuth(acctest.User, acctest.Password)
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var stats map[string]int64
	if err := json.NewDecoder(resp.Body).Decode(&stats); err != nil {
		return 0, err
	}
	return stats["requests"], nil
}

// served counts the calls of a method the emulator has answered with HTTP 200, from its log.
func (p *emulatorBinary) served(method string) int {
	return strings.Count(p.Stderr(), " POST "+method+" 200 ")
}

// waitServed waits until the emulator has answered more than n calls of method, or the process
// running beside it ends (then it returns false).
func (p *emulatorBinary) waitServed(method string, n int, other <-chan struct{}, limit time.Duration) bool {
	p.t.Helper()
	deadline := time.After(limit)
	for p.served(method) <= n {
		select {
		case <-other:
			return false
		case <-deadline:
			p.t.Fatalf("the emulator answered no %s call within %s\n%s", method, limit, p.Stderr())
		case <-time.After(5 * time.Millisecond):
		}
	}
	return true
}

// interruptItems is an ipam_address_spaces body with n keys: a tenth provider spaces, the rest
// customer spaces on them, all with this description.
func interruptItems(n int, description string) ([]string, string) {
	var names []string
	var b strings.Builder
	b.WriteString("\nresource \"ipam_address_spaces\" \"all\" {\n  address_spaces = {\n")
	for i := 0; i < n; i++ {
		if i%10 == 0 {
			name := fmt.Sprintf("IR-P-%04d", i)
			names = append(names, name)
			fmt.Fprintf(&b, "    %q = { type = \"Provider\", description = %q, custom_configuration = { Region = \"EU\" } }\n", name, description)
		} else {
			name := fmt.Sprintf("IR-C-%04d", i)
			names = append(names, name)
			fmt.Fprintf(&b, "    %q = { type = \"Customer\", provider_address_space = \"IR-P-%04d\", isolation_method = \"NVGRE\", description = %q }\n", name, i/10*10, description)
		}
	}
	b.WriteString("  }\n}\n")
	return names, b.String()
}

// serverState lists what the emulator holds and checks it is consistent: no name twice, every
// customer space on a provider space that exists.
func serverState(t *testing.T, oob *acctest.OutOfBand) []ipam.AddressSpace {
	t.Helper()
	list, err := oob.List()
	if err != nil {
		t.Fatalf("out of band: %v", err)
	}
	names := map[string]*ipam.AddressSpace{}
	for i := range list {
		k := ipam.NameKey(list[i].Name)
		if names[k] != nil {
			t.Errorf("DUPLICATE: the server holds %q twice", list[i].Name)
		}
		names[k] = &list[i]
	}
	for _, a := range list {
		if a.Type == ipam.TypeCustomer {
			if pa := names[ipam.NameKey(a.AssociatedProviderAddressSpace)]; pa == nil || pa.Type != ipam.TypeProvider {
				t.Errorf("INCONSISTENT: customer space %q names provider space %q, which the server does not hold", a.Name, a.AssociatedProviderAddressSpace)
			}
		}
	}
	return list
}

// interruptKeys is how many keys the interrupted resource has: enough for several bulk calls.
const interruptKeys = 3000

// TestAccInterrupt_bulkApply interrupts a long bulk apply with SIGINT, then kills the emulator with
// SIGKILL in the middle of a bulk call, and checks after each that nothing is lost and that the
// next apply converges.
func TestAccInterrupt_bulkApply(t *testing.T) {
	tf := acctest.NeedTerraform(t)
	t.Parallel()
	const (
		n       = interruptKeys
		latency = 300 * time.Millisecond
	)
	bin := emutest.Binary(t)
	db := filepath.Join(t.TempDir(), "ipam.db")
	emu := startEmulatorBinary(t, bin, "127.0.0.1:0", db, "-latency", latency.String())
	cli := acctest.NewCLI(t, tf)
	block := acctest.ProviderBlock(emu.URL, `timeout = "60s"`)
	names, v1 := interruptItems(n, "v1")
	cli.Write(block + v1)
	apply := []string{"apply", "-input=false", "-no-color", "-auto-approve"}

	// 1. SIGINT to terraform once the first bulk call has been answered.
	before, err := emu.requests()
	if err != nil {
		t.Fatal(err)
	}
	run := cli.Start(apply...)
	if !emu.waitServed("BulkAddOrUpdateAddressSpace", 0, run.Exited, 2*time.Minute) {
		t.Fatalf("terraform exited before the first bulk call was answered:\n%s", acctest.Tail(run.Output(), 40))
	}
	after, err := emu.requests()
	if err != nil {
		t.Fatal(err)
	}
	run.Signal(os.Interrupt)
	interruptedAt := time.Since(run.Started)
	code := run.Wait(exitLimit)
	t.Logf("SIGINT %s into the apply, after %d requests (GET /emulator/stats: %d before the apply); terraform exited %d after %s",
		interruptedAt.Round(time.Millisecond), after-before, before, code, time.Since(run.Started).Round(time.Millisecond))
	checkExit(t, run, "SIGINT", code, n)
	if !strings.Contains(run.Output(), "Interrupt received") {
		t.Errorf("terraform did not report the interrupt:\n%s", acctest.Tail(run.Output(), 40))
	}

	// What the state saved is on the server with the state's ids; what the server holds under
	// the managed names and the state does not track is left for the next apply to adopt.
	oob := acctest.NewOutOfBand(t, emu.URL)
	server := serverState(t, oob)
	spaces, err := stateSpaces(cli)
	if err != nil {
		t.Fatalf("terraform saved no readable state after SIGINT: %v", err)
	}
	untracked, err := compareWithServer(spaces, server, stateCompare{managed: names, allowUntracked: true})
	if err != nil {
		t.Errorf("the state saved after SIGINT does not match the server: %v", err)
	}
	t.Logf("after SIGINT: the server holds %d of the %d address spaces, the state tracks %d, %d untracked (to be adopted)",
		len(server)-1, n, len(spaces), len(untracked))
	if len(server)-1 == 0 || len(server)-1 == n {
		t.Errorf("the interrupt came too early or too late to test anything: the server holds %d of %d", len(server)-1, n)
	}
	// What finished is saved: the first bulk call, which carried every provider space (they go
	// first, and fit one call), was answered before the interrupt. Only the call in flight when it
	// came may have an unknown outcome, and what it created is adopted by the next apply.
	tracked := map[string]bool{}
	for _, sp := range spaces {
		tracked[ipam.NameKey(sp.name)] = true
	}
	var finished, lost []string
	for _, name := range names {
		if strings.HasPrefix(name, "IR-P-") {
			finished = append(finished, name)
			if !tracked[ipam.NameKey(name)] {
				lost = append(lost, name)
			}
		}
	}
	if len(lost) > 0 {
		t.Errorf("BUG: the bulk call that created the %d provider spaces was answered before SIGINT, but the state saved after "+
			"the interrupt tracks %d of them (%d untracked on the server): what finished was not saved. Terraform said:\n%s",
			len(finished), len(finished)-len(lost), len(untracked), acctest.FirstError(run.Output(), 40))
	}
	idsBefore := map[string]string{}
	for _, a := range server {
		idsBefore[ipam.NameKey(a.Name)] = a.InstanceID
	}

	// The next apply, uninterrupted, converges: exactly the configured names, once each, and what
	// the interrupted apply had created keeps its identity (adopted, not re-created).
	cli.MustSucceed(apply...)
	cli.MustSucceed("plan", "-input=false", "-no-color", "-detailed-exitcode")
	checkConverged(t, oob, cli, names, idsBefore)

	// 2. kill -9 of the emulator during a bulk call that changes every key.
	_, v2 := interruptItems(n, "v2")
	cli.Write(block + v2)
	idsBefore = map[string]string{}
	for _, a := range serverState(t, oob) {
		idsBefore[ipam.NameKey(a.Name)] = a.InstanceID
	}
	served := emu.served("BulkAddOrUpdateAddressSpace")
	run = cli.Start(apply...)
	if !emu.waitServed("BulkAddOrUpdateAddressSpace", served, run.Exited, 2*time.Minute) {
		t.Fatalf("terraform exited before the first bulk call of the update was answered:\n%s", acctest.Tail(run.Output(), 40))
	}
	// The next call is under way: sent, and at or just past the end of the emulator's latency,
	// where its transaction starts.
	time.Sleep(latency + 50*time.Millisecond)
	emu.Kill9()
	killedAt := time.Since(run.Started)
	code = run.Wait(exitLimit)
	t.Logf("SIGKILL of the emulator %s into the apply; terraform exited %d after %s", killedAt.Round(time.Millisecond),
		code, time.Since(run.Started).Round(time.Millisecond))
	checkExit(t, run, "the server's death", code, n)
	text := run.Output()
	if !acctest.ErrorText("cannot reach the WinRM endpoint " + emu.URL).MatchString(text) {
		t.Errorf("terraform's error does not say the endpoint cannot be reached:\n%s", acctest.Head(text, 40))
	}
	if !regexp.MustCompile(`Error: Cannot (apply|update|read)`).MatchString(text) {
		t.Errorf("terraform's error does not say what it could not do:\n%s", acctest.Head(text, 40))
	}

	// Restarted on the same file (and port), the database is consistent, and every address space
	// is there once, with either the old or the new description.
	emu = startEmulatorBinary(t, bin, "127.0.0.1:"+emu.Port(), db, "-latency", latency.String())
	oob = acctest.NewOutOfBand(t, emu.URL)
	server = serverState(t, oob)
	descs := map[string]int{}
	for _, a := range server {
		if a.Name != ipam.DefaultProviderName {
			descs[a.Description]++
		}
		if old, ok := idsBefore[ipam.NameKey(a.Name)]; !ok || old != a.InstanceID {
			t.Errorf("after the restart %q has InstanceID %s, before the apply it had %q", a.Name, a.InstanceID, old)
		}
	}
	t.Logf("after the restart the server holds %d address spaces; descriptions: %v", len(server), descs)
	if len(server) != n+1 || descs["v1"]+descs["v2"] != n {
		t.Errorf("after the restart the server holds %d address spaces (descriptions %v), want %d with v1 or v2 and Default", len(server), descs, n)
	}
	spaces, err = stateSpaces(cli)
	if err != nil {
		t.Fatal(err)
	}
	// The call the kill cut short may have committed without the client knowing: the state may
	// hold v1 where the server has v2, until the next refresh. Identities must match.
	if _, err := compareWithServer(spaces, server, stateCompare{managed: names, want: names, idsOnly: true}); err != nil {
		t.Errorf("the state saved after the server died does not match the server: %v", err)
	}

	// The next apply converges.
	cli.MustSucceed(apply...)
	cli.MustSucceed("plan", "-input=false", "-no-color", "-detailed-exitcode")
	checkConverged(t, oob, cli, names, idsBefore)
	for _, a := range serverState(t, oob) {
		if a.Name != ipam.DefaultProviderName && a.Description != "v2" {
			t.Errorf("after the converging apply %q has description %q, want v2", a.Name, a.Description)
		}
	}
	emu.Stop(syscall.SIGTERM)
}

// exitLimit bounds how long terraform may take to exit once the apply was interrupted; the
// emulator's latency makes the call in flight last at most a second or so.
const exitLimit = 20 * time.Second

// checkExit checks how terraform ended after an interruption: by itself, in time, with a
// non-zero exit code and no raw XML in what it printed.
func checkExit(t *testing.T, run *acctest.Run, what string, code, keys int) {
	t.Helper()
	text := run.Output()
	switch code {
	case -1:
		// Seen before ipam_address_spaces capped its diagnostics (d29fd9d): one attribute
		// diagnostic per key, and Terraform's cost of rendering each grows with the configuration.
		t.Errorf("BUG: terraform did not exit within %s of %s; it had printed %d error diagnostics for a resource of %d keys, "+
			"and was still printing (the test ended it). The last ones:\n%s", exitLimit, what, run.Diagnostics(), keys, acctest.Tail(text, 14))
	case 0:
		t.Errorf("terraform exited 0 after %s in the middle of the apply:\n%s", what, acctest.Tail(text, 40))
	default:
		t.Logf("terraform after %s printed %d error diagnostics (%d bytes); the first:\n%s", what, run.Diagnostics(), len(text),
			acctest.FirstError(text, 14))
	}
	if acctest.RawXML.MatchString(text) {
		t.Errorf("terraform's output after %s shows raw XML:\n%s", what, acctest.Tail(text, 40))
	}
}

// checkConverged checks that the server holds exactly the configured names once each (and
// Default), that the state tracks exactly them with the server's ids and values, and that the
// address spaces in idsBefore kept their InstanceIDs.
func checkConverged(t *testing.T, oob *acctest.OutOfBand, cli *acctest.CLI, names []string, idsBefore map[string]string) {
	t.Helper()
	server := serverState(t, oob)
	if len(server) != len(names)+1 {
		t.Errorf("the server holds %d address spaces, want %d and Default", len(server), len(names))
	}
	spaces, err := stateSpaces(cli)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := compareWithServer(spaces, server, stateCompare{managed: names, want: names}); err != nil {
		t.Errorf("after the converging apply: %v", err)
	}
	recreated := 0
	for _, a := range server {
		if old, ok := idsBefore[ipam.NameKey(a.Name)]; ok && old != a.InstanceID {
			recreated++
			if recreated <= 5 {
				t.Errorf("RE-CREATED: %q had InstanceID %s, now %s", a.Name, old, a.InstanceID)
			}
		}
	}
	if recreated > 5 {
		t.Errorf("... %d address spaces re-created in all", recreated)
	}
}
