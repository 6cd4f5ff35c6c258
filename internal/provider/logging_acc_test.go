//go:build unix

package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winipam/terraform-provider-ipam/internal/acctest"
	"github.com/winipam/terraform-provider-ipam/internal/emulator"
)

// What the provider binary writes to stderr under Terraform: nothing when TF_LOG and TF_LOG_PROVIDER
// are unset (Terraform would read every line and drop it), the bodies at TF_LOG=trace. A wrapper in
// the dev_overrides directory starts the built provider with its stderr appended to a file.
func TestAccLogging_quietUnlessShown(t *testing.T) {
	tf := acctest.NeedTerraform(t)
	t.Parallel()
	stderr := filepath.Join(t.TempDir(), "provider-stderr")
	wrapDir := t.TempDir()
	wrapper := fmt.Sprintf("#!/bin/sh\necho started >>'%s'\nexec '%s' \"$@\" 2>>'%s'\n",
		stderr, filepath.Join(acctest.ProviderDir(t), "terraform-provider-ipam"), stderr)
	if err := os.WriteFile(filepath.Join(wrapDir, "terraform-provider-ipam"), []byte(wrapper), 0o700); err != nil {
		t.Fatal(err)
	}
	c := acctest.NewCLIWith(t, tf, wrapDir)

	emu := acctest.StartEmulator(t, emulator.Config{})
	c.Write(emu.ProviderBlock() + `data "ipam_address_spaces" "all" {}` + "\n")

	plan := func(env ...string) string {
		t.Helper()
		_ = os.Remove(stderr)
		before := emu.Requests()
		c.WithEnv(env...).MustSucceed("plan", "-input=false")
		if emu.Requests() == before {
			t.Fatalf("%v: the plan sent no request to the emulator", env)
		}
		out, err := os.ReadFile(stderr)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(out), "started") {
			t.Fatalf("%v: the wrapper did not run", env)
		}
		return string(out)
	}

	// go-plugin's own two lines at start (mTLS, socket address) are not the SDK's: only the SDK's and
	// the provider's lines name a module.
	if out := plan(); strings.Contains(out, `"@module"`) {
		t.Errorf("with no TF_LOG the provider wrote log lines:\n%.2000s", out)
	}
	if out := plan("TF_LOG=debug"); !strings.Contains(out, "WS-Management request") || strings.Contains(out, "response body") {
		t.Errorf("TF_LOG=debug: want the request lines and no bodies:\n%.2000s", out)
	}
	if out := plan("TF_LOG=trace"); !strings.Contains(out, "WS-Management response body") {
		t.Errorf("TF_LOG=trace: no body in the provider's lines:\n%.2000s", out)
	}
}
