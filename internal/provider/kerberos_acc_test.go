package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/winipam/terraform-provider-ipam/internal/emulator"
	"github.com/winipam/terraform-provider-ipam/internal/ipam/wmi"
	"github.com/winipam/terraform-provider-ipam/internal/testkdc"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

// Terraform drives the provider with auth = "kerberos": the provider gets its tickets from a real
// MIT KDC, and the emulator checks them with the service's keytab. The endpoint is a loopback
// address, so the service principal is given in kerberos.spn.
func TestAccProvider_kerberos(t *testing.T) {
	kdc := testkdc.Start(t)
	// Windows' defaults: Basic refused and every message over plain HTTP sealed, here with
	// Kerberos wrap tokens (RFC 4121).
	emu, err := emulator.Start(context.Background(), emulator.Config{Username: testkdc.User, Password: "basic-is-disabled",
		DisableBasic: true, RequireEncryption: true, KerberosKeytab: kdc.Keytab}, "127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	var configAs func(user, password string) string
	config := func(password string) string { return configAs(testkdc.User+"@"+testkdc.Realm, password) }
	// DOMAIN\user names no realm: the realm comes from krb5.conf's default_realm, never from the
	// NetBIOS name (here "IPAM", which is no realm the KDC knows).
	configAs = func(user, password string) string {
		return fmt.Sprintf(`
provider "ipam" {
  endpoint = %q
  auth     = "kerberos"
  username = %q
  password = %q
  kerberos {
    krb5_conf = %q
    spn       = %q
  }
}

resource "ipam_provider_address_space" "pa" {
  name        = "krb-provider"
  description = "created over kerberos"
}
`, emu.URL, user, password, kdc.Krb5Conf, testkdc.SPN)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: protoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config(kdc.Password),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("ipam_provider_address_space.pa", tfjsonpath.New("description"), knownvalue.StringExact("created over kerberos")),
				},
				Check: func(s *terraform.State) error {
					// Read back out of band, with a ticket of the test's own.
					ws, err := wsman.NewClient(wsman.Config{Endpoint: emu.URL, Auth: wsman.AuthKerberos, Username: testkdc.User + "@" + testkdc.Realm,
						Password: kdc.Password, Kerberos: wsman.KerberosConfig{Krb5Conf: kdc.Krb5Conf, SPN: testkdc.SPN}})
					if err != nil {
						return err
					}
					got, err := wmi.New(ws).GetByName(context.Background(), "krb-provider")
					if err != nil {
						return err
					}
					if id := s.RootModule().Resources["ipam_provider_address_space.pa"].Primary.ID; got.InstanceID != id || got.Description != "created over kerberos" {
						return fmt.Errorf("server holds %+v, state id %s", got, id)
					}
					return nil
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
