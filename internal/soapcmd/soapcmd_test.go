package soapcmd

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winipam/terraform-provider-ipam/internal/emulator"
)

func TestSoapCommand(t *testing.T) {
	emu, err := emulator.Start(context.Background(), emulator.Config{Username: "admin", Password: "s3cret-Pass", DisableBasic: true, RequireEncryption: true},
		"127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	enumerate, err := os.ReadFile(filepath.Join("..", "..", "examples", "emulator", "soap", "enumerate.xml"))
	if err != nil {
		t.Fatal(err)
	}
	run := func(password, file string, stdin []byte, args ...string) (int, string, string) {
		t.Setenv("IPAM_ENDPOINT", emu.URL)
		t.Setenv("IPAM_USERNAME", `CORP\admin`)
		t.Setenv("IPAM_PASSWORD", password)
		t.Setenv("IPAM_AUTH", "")
		var out, errOut bytes.Buffer
		code := Main(append(args, file), bytes.NewReader(stdin), &out, &errOut)
		return code, out.String(), errOut.String()
	}

	// Against Windows' defaults: NTLM and sealing, from the environment alone.
	code, out, errOut := run("s3cret-Pass", "-", enumerate)
	if code != 0 || !strings.Contains(out, "<p:Name>Default</p:Name>") && !strings.Contains(out, ">Default<") {
		t.Fatalf("enumerate: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	// A fault is printed and exits 1.
	code, out, _ = run("s3cret-Pass", "-", []byte(strings.Replace(string(enumerate), "MSFT_IPAM_AddressSpace", "No_Such_Class", 1)))
	if code != 1 || !strings.Contains(out, "Fault") {
		t.Fatalf("a query the server refuses: exit %d, stdout %s", code, out)
	}
	// A wrong password: exit 1, the 401 explained, no password anywhere.
	code, out, errOut = run("not-the-pass", "-", enumerate)
	if code != 1 || !strings.Contains(errOut, "401") || !strings.Contains(errOut, "check -username") ||
		strings.Contains(out+errOut, "not-the-pass") || strings.Contains(out+errOut, "s3cret-Pass") {
		t.Fatalf("wrong password: exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	// Bad usage.
	if code, _, errOut = run("s3cret-Pass", filepath.Join(t.TempDir(), "missing.xml"), nil); code != 2 || !strings.Contains(errOut, "missing.xml") {
		t.Fatalf("missing file: exit %d, stderr %s", code, errOut)
	}
	if code, _, _ = run("s3cret-Pass", "-", nil, "-auth", "digest"); code != 2 {
		t.Fatalf("unknown auth: exit %d, want 2", code)
	}
	// Basic in clear to another host is refused before anything is sent, with this command's advice.
	code, _, errOut = run("s3cret-Pass", "-", enumerate, "-endpoint", "http://192.0.2.1:5985/wsman", "-auth", "basic")
	if code != 2 || !strings.Contains(errOut, "refusing to send Basic credentials") || !strings.Contains(errOut, "-auth ntlm") {
		t.Fatalf("basic over http: exit %d, stderr %s", code, errOut)
	}
}
