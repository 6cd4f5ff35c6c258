package provider

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/hashicorp/terraform-plugin-log/tfsdklog"

	"github.com/winipam/terraform-provider-ipam/internal/acctest"
	"github.com/winipam/terraform-provider-ipam/internal/emulator"
)

// Lines the provider writes to stderr, with the loggers set up as terraform-plugin-go's tf6server
// sets them up when Terraform runs the provider (tf6server.New: the SDK's level from TF_LOG_SDK, the
// provider's from TF_LOG_PROVIDER_IPAM, both to stderr). Each case runs in a child process, since
// FollowTerraformLogLevel changes the process's environment.
func TestFollowTerraformLogLevel(t *testing.T) {
	if os.Getenv("IPAM_LOGGING_CHILD") == "1" {
		FollowTerraformLogLevel()
		ctx := tfsdklog.NewRootSDKLogger(context.Background(), tfsdklog.WithLevelFromEnv(envSDKLog), tfsdklog.WithStderrFromInit())
		ctx = tfsdklog.NewRootProviderLogger(ctx, tfsdklog.WithStderrFromInit(), tfsdklog.WithLogName("ipam"),
			tflog.WithLevelFromEnv("TF_LOG_PROVIDER", "ipam"))
		tfsdklog.Trace(ctx, "sdk line")
		tflog.Debug(ctx, "provider line")
		tfLogger{}.Trace(ctx, "WS-Management response body", map[string]any{"body": "<s:Envelope/>"})
		return
	}
	const sdk, prov, body = "sdk line", "provider line", "WS-Management response body"
	for _, tc := range []struct {
		env  []string
		want []string // the lines written; the others must not be
	}{
		{nil, nil},
		{[]string{"TF_LOG=off"}, nil},
		{[]string{"TF_LOG=trace", "TF_LOG_PROVIDER=OFF"}, nil},
		{[]string{"TF_LOG_CORE=trace"}, nil},
		{[]string{"TF_LOG=trace"}, []string{sdk, prov, body}},
		{[]string{"TF_LOG=debug"}, []string{prov}},
		{[]string{"TF_LOG=trace", "TF_LOG_PROVIDER=info"}, nil},
		{[]string{"TF_LOG=bogus"}, []string{sdk, prov, body}}, // Terraform reads it as trace
		{[]string{"TF_LOG_PROVIDER=trace"}, []string{sdk, prov, body}},
		{[]string{"TF_LOG_PROVIDER_IPAM=debug"}, []string{prov}}, // set explicitly: kept
		{[]string{"TF_LOG=debug", "TF_LOG_PROVIDER_IPAM_WSMAN=trace"}, []string{prov, body}},
	} {
		cmd := childTest("TestFollowTerraformLogLevel", []string{"TF_LOG"}, append(tc.env, "IPAM_LOGGING_CHILD=1")...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("%v: %v\n%s", tc.env, err, stderr.String())
		}
		for _, line := range []string{sdk, prov, body} {
			want := false
			for _, w := range tc.want {
				want = want || w == line
			}
			if got := strings.Contains(stderr.String(), line); got != want {
				t.Errorf("%v: %q written: %v, want %v\n%s", tc.env, line, got, want, stderr.String())
			}
		}
	}
}

// childTest runs the test named name alone in a child process of this test binary, for settings
// that are process-wide: its environment is this one without the variables whose names start with
// one of drop, plus add.
func childTest(name string, drop []string, add ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^"+name+"$")
next:
	for _, kv := range os.Environ() {
		for _, p := range drop {
			if strings.HasPrefix(kv, p) {
				continue next
			}
		}
		cmd.Env = append(cmd.Env, kv)
	}
	cmd.Env = append(cmd.Env, add...)
	return cmd
}

// What the provider binary writes to stderr under Terraform: nothing when TF_LOG and TF_LOG_PROVIDER
// are unset (Terraform would read every line and drop it), the bodies at TF_LOG=trace. A wrapper in
// the dev_overrides directory starts the built provider with its stderr appended to a file.
func TestAccLogging_quietUnlessShown(t *testing.T) {
	tf := acctest.NeedTerraform(t)
	if runtime.GOOS == "windows" {
		t.Skip("the wrapper is a shell script")
	}
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
