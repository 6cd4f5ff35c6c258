package provider

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/winipam/terraform-provider-ipam/internal/emulator"
)

const (
	testUser = "admin"
	testPass = "acc-Pa55!"
)

// protoV6ProviderFactories serve the provider in the test process, so acceptance tests run real
// Terraform against the real WS-Management client.
var protoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"ipam": NewServer("test"),
}

// startEmulator runs an emulator on loopback for one test, with an in-memory database and the
// defaults of a Windows server as it ships: Basic refused, and every message over plain HTTP must
// be sealed (AllowUnencrypted=false).
func startEmulator(t *testing.T, cfg emulator.Config) *emulator.Running {
	t.Helper()
	cfg.Username, cfg.Password = testUser, testPass
	cfg.DisableBasic, cfg.RequireEncryption = true, true
	if cfg.CustomFields == nil {
		cfg.CustomFields = []string{"Region", "CostCenter"}
	}
	emu, err := emulator.Start(context.Background(), cfg, "127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	return emu
}

// providerBlock configures the provider for an emulator the way a user configures it for a Windows
// server at its defaults: an http:// endpoint, a user and a password, nothing else (NTLM, every
// message sealed).
func providerBlock(emu *emulator.Running) string {
	return fmt.Sprintf(`
provider "ipam" {
  endpoint = %q
  username = %q
  password = %q
  timeout  = "20s"
}
`, emu.URL, `CORP\`+testUser, testPass)
}

func TestMain(m *testing.M) {
	// Terraform must not read the machine's CLI configuration (it may name a missing file).
	os.Unsetenv("TF_CLI_CONFIG_FILE")
	QuietFrameworkTrace()
	os.Exit(m.Run())
}
