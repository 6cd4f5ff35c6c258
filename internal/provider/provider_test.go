package provider

import (
	"fmt"
	"os"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/winipam/terraform-provider-ipam/internal/acctest"
	"github.com/winipam/terraform-provider-ipam/internal/emulator"
	"github.com/winipam/terraform-provider-ipam/internal/testkdc"
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

// Terraform drives the provider with auth = "kerberos": the provider gets its tickets from a real
// MIT KDC, and the emulator checks them with the service's keytab. The endpoint is a loopback
// address, so the service principal is given in kerberos.spn.
func TestAccProvider_kerberos(t *testing.T) {
	kdc := testkdc.Start(t)
	// Windows' defaults: Basic refused and every message over plain HTTP sealed, here with
	// Kerberos wrap tokens (RFC 4121).
	emu := acctest.StartEmulator(t, emulator.Config{Username: testkdc.User, Password: "basic-is-disabled",
		KerberosKeytab: kdc.Keytab, CustomFields: []string{}})
	// Read back out of band, with a ticket of the test's own.
	oob := acctest.NewOutOfBandAs(t, emu.URL, acctest.Login{Username: testkdc.User + "@" + testkdc.Realm, Password: kdc.Password,
		Auth: "kerberos", Krb5Conf: kdc.Krb5Conf, SPN: testkdc.SPN})
	// DOMAIN\user names no realm: the realm comes from krb5.conf's default_realm, never from the
	// NetBIOS name (here "IPAM", which is no realm the KDC knows).
	configAs := func(user, password string) string {
		return acctest.ProviderBlockAs(emu.URL, user, password, `auth = "kerberos"`,
			fmt.Sprintf("kerberos {\n  krb5_conf = %q\n  spn       = %q\n}", kdc.Krb5Conf, testkdc.SPN)) + `
resource "ipam_provider_address_space" "pa" {
  name        = "krb-provider"
  description = "created over kerberos"
}
`
	}
	config := func(password string) string { return configAs(testkdc.User+"@"+testkdc.Realm, password) }
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config(kdc.Password),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("ipam_provider_address_space.pa", atPath("description"), knownvalue.StringExact("created over kerberos")),
					oob.ExpectStateID("ipam_provider_address_space.pa", "krb-provider"),
					oob.Expect("krb-provider", map[string]string{"description": "created over kerberos"}),
				},
			},
			{Config: config(kdc.Password), PlanOnly: true},
			{Config: configAs(`IPAM\`+testkdc.User, kdc.Password), PlanOnly: true},
			{Config: config("not-" + kdc.Password), PlanOnly: true, ExpectError: regexp.MustCompile(`(?s)kerberos: cannot get a service ticket.*the KDC refused\s+the\s+password`)},
			// The destroy after the last step uses its configuration.
			{Config: config(kdc.Password), PlanOnly: true},
		},
	})
}
