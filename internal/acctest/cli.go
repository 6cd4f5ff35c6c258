package acctest

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/winipam/terraform-provider-ipam/internal/emulator"
	"github.com/winipam/terraform-provider-ipam/internal/emulator/emutest"
)

// CLI runs the terraform on PATH in one working directory, with the provider binary built from
// this module found through dev_overrides (no terraform init), as a user runs it: for what
// terraform-plugin-testing cannot do (-parallelism, signals, a state written by hand).
type CLI struct {
	t  testing.TB
	tf string
	// Dir is the working directory: main.tf, terraform.tfstate.
	Dir string
	env []string
}

// NeedTerraform skips unless this is an acceptance run with a terraform to run, and returns it.
func NeedTerraform(t testing.TB) string {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		var err error
		if tf, err = exec.LookPath("terraform"); err != nil {
			t.Skip("no terraform on PATH")
		}
	}
	return tf
}

// ProviderDir returns a directory holding the provider binary built from this module (one build
// for the tests that run at the same time).
func ProviderDir(t testing.TB) string {
	t.Helper()
	return filepath.Dir(emutest.Binary(t))
}

// NewCLI runs tf with the provider binary built from this module.
func NewCLI(t testing.TB, tf string) *CLI {
	t.Helper()
	return NewCLIWith(t, tf, ProviderDir(t))
}

// NewCLIWith points dev_overrides at binDir, whose terraform-provider-ipam may wrap the build.
func NewCLIWith(t testing.TB, tf, binDir string) *CLI {
	t.Helper()
	cliConfig := filepath.Join(t.TempDir(), "dev.tfrc")
	if err := os.WriteFile(cliConfig, []byte(fmt.Sprintf(`provider_installation {
  dev_overrides {
    "winipam/ipam" = %q
  }
  direct {}
}
`, binDir)), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"TF_CLI_CONFIG_FILE=" + cliConfig, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1"}
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k != "TF_CLI_CONFIG_FILE" && k != "CHECKPOINT_DISABLE" && k != "TF_IN_AUTOMATION" && !strings.HasPrefix(k, "TF_REATTACH") &&
			!strings.HasPrefix(k, "TF_LOG") && !strings.HasPrefix(k, "TF_CLI_ARGS") && !strings.HasPrefix(k, "IPAM_") {
			env = append(env, kv)
		}
	}
	return &CLI{t: t, tf: tf, Dir: t.TempDir(), env: env}
}

// WithEnv is the same working directory run with more environment variables ("NAME=value").
func (c *CLI) WithEnv(env ...string) *CLI {
	d := *c
	d.env = append(append([]string(nil), c.env...), env...)
	return &d
}

// Write sets main.tf: the required_providers block, then body.
func (c *CLI) Write(body string) {
	c.t.Helper()
	if err := os.WriteFile(filepath.Join(c.Dir, "main.tf"), []byte(`terraform {
  required_providers {
    ipam = { source = "winipam/ipam" }
  }
}
`+body), 0o600); err != nil {
		c.t.Fatal(err)
	}
}

// command prepares terraform args in the working directory.
func (c *CLI) command(stdout, stderr *emutest.Output, args ...string) *exec.Cmd {
	cmd := exec.Command(c.tf, args...)
	cmd.Dir, cmd.Env = c.Dir, c.env
	cmd.Stdout, cmd.Stderr = stdout, stderr
	return cmd
}

// Run runs terraform to the end and returns its exit code and output (stdout and stderr).
func (c *CLI) Run(args ...string) (int, string) {
	c.t.Helper()
	out := &emutest.Output{}
	return c.exit(c.command(out, out, args...).Run(), args), out.String()
}

func (c *CLI) exit(err error, args []string) int {
	c.t.Helper()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return ee.ExitCode()
	case err != nil:
		c.t.Fatalf("terraform %s: %v", strings.Join(args, " "), err)
	}
	return 0
}

// MustSucceed runs terraform and fails the test unless it exits 0; it returns the output.
func (c *CLI) MustSucceed(args ...string) string {
	c.t.Helper()
	start := time.Now()
	code, out := c.Run(args...)
	if code != 0 {
		c.t.Fatalf("terraform %s exited %d, want 0:\n%s", strings.Join(args, " "), code, out)
	}
	c.t.Logf("terraform %s: exit %d in %s", strings.Join(args, " "), code, time.Since(start).Round(10*time.Millisecond))
	return out
}

// State is the state as terraform show -json shows it: what terraform-plugin-testing's state
// checks read.
func (c *CLI) State() (*tfjson.State, error) {
	c.t.Helper()
	stdout, stderr := &emutest.Output{}, &emutest.Output{}
	if code := c.exit(c.command(stdout, stderr, "show", "-json", "-no-color").Run(), []string{"show", "-json"}); code != 0 {
		return nil, fmt.Errorf("terraform show -json exited %d:\n%s", code, stderr)
	}
	var st tfjson.State
	st.UseJSONNumber(true) // as terraform-plugin-testing reads it
	if err := json.Unmarshal([]byte(stdout.String()), &st); err != nil {
		return nil, fmt.Errorf("terraform show -json: %w", err)
	}
	return &st, nil
}

// Tail returns the last lines of s.
func Tail(s string, lines int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(l) > lines {
		l = l[len(l)-lines:]
	}
	return strings.Join(l, "\n")
}

// Head returns the first lines of s.
func Head(s string, lines int) string {
	l := strings.Split(s, "\n")
	if len(l) > lines {
		l = append(l[:lines], "...")
	}
	return strings.Join(l, "\n")
}

// FirstError is Head of what follows the first "Error: " in terraform's output (or its head).
func FirstError(out string, lines int) string {
	return Head(out[max(0, strings.Index(out, "Error: ")):], lines)
}

// GenerateConfig runs terraform plan -generate-config-out=generated.tf, which must plan imports
// imports and nothing else, and returns generated.tf (and logs it). computed are attributes
// Terraform must not write into it, at any depth.
func (c *CLI) GenerateConfig(imports int, computed ...string) string {
	c.t.Helper()
	out := c.MustSucceed("plan", "-input=false", "-no-color", "-generate-config-out=generated.tf")
	if !ErrorText(fmt.Sprintf("Plan: %d to import, 0 to add, 0 to change, 0 to destroy.", imports)).MatchString(out) {
		c.t.Fatalf("the plan with generated configuration is not a clean import:\n%s", out)
	}
	generated, err := os.ReadFile(filepath.Join(c.Dir, "generated.tf"))
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Logf("generated.tf:\n%s", generated)
	if len(computed) > 0 && regexp.MustCompile(`(?m)^\s*(`+strings.Join(computed, "|")+`)\s+=`).Match(generated) {
		c.t.Errorf("generated.tf sets computed-only attributes (%s)", strings.Join(computed, ", "))
	}
	return string(generated)
}

// ExpectMatches fails the test for each pattern text (what, for the message) does not match.
func ExpectMatches(t testing.TB, what, text string, patterns ...string) {
	t.Helper()
	for _, p := range patterns {
		if !regexp.MustCompile(p).MatchString(text) {
			t.Errorf("%s does not match %s", what, p)
		}
	}
}

// StartCLI begins a test of the terraform CLI against an emulator: it skips unless this is an
// acceptance run with a terraform, runs the test in parallel with the others, and returns the CLI
// (with the provider built from this module), an emulator started with cfg, and an out-of-band
// client of it.
func StartCLI(t *testing.T, cfg emulator.Config) (*CLI, *Emulator, *OutOfBand) {
	t.Helper()
	tf := NeedTerraform(t)
	t.Parallel()
	cli := NewCLI(t, tf)
	emu, oob := StartWithOutOfBand(t, cfg)
	return cli, emu, oob
}
