package provider

import (
	"os"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// protoV6ProviderFactories serve the provider in the test process, so acceptance tests run real
// Terraform against the real WS-Management client. What else the acceptance tests share (the
// emulator, the provider block, the out-of-band client, the terraform CLI) is in internal/acctest.
var protoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"ipam": NewServer("test"),
}

func TestMain(m *testing.M) {
	// Terraform must not read the machine's CLI configuration (it may name a missing file).
	os.Unsetenv("TF_CLI_CONFIG_FILE")
	os.Exit(m.Run())
}

// accTest runs steps against the provider served in this process, in parallel with the other
// tests: the test case of most acceptance tests.
func accTest(t *testing.T, steps []resource.TestStep) {
	t.Helper()
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: protoV6ProviderFactories, Steps: steps})
}
