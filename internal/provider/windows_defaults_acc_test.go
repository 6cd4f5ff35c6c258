package provider

import (
	"context"
	"fmt"
	"log"
	"strings"
	"testing"
	"time"

	"github.com/winipam/terraform-provider-ipam/internal/emulator"
	"github.com/winipam/terraform-provider-ipam/internal/ipam"
	"github.com/winipam/terraform-provider-ipam/internal/ipam/wmi"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

// TestAccWindowsDefaults is a user's first day against a Windows Server as it ships: WinRM on
// plain HTTP, Basic refused, every message sealed (AllowUnencrypted=false). The provider binary
// built from this tree, run by the terraform CLI, is given an endpoint, a user and a password and
// nothing else; it applies, plans clean, shows drift made out of band, and destroys. It does the
// same against a server that numbers Type as [MS-IPAMM2] does, and against one that answers every
// third request with WinRM's quota fault, in the shape Windows sends it.
func TestAccWindowsDefaults(t *testing.T) {
	tf := needTerraformCLI(t)
	t.Parallel()
	cliProviderDir(t) // one build for every case
	for _, tc := range []struct {
		name       string
		numbering  ipam.TypeNumbering
		quotaEvery int
	}{
		{name: "defaults"},
		{name: "ipamm2-type-numbering", numbering: ipam.NumberingIPAMM2},
		{name: "quota-every-third-request", quotaEvery: 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			reqs := &timedLog{}
			emu, err := emulator.Start(context.Background(), emulator.Config{Username: testUser, Password: testPass,
				DisableBasic: true, RequireEncryption: true, TypeNumbering: tc.numbering, CustomFields: []string{"Region"},
				Logger: log.New(reqs, "", 0)}, "127.0.0.1:0", nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { emu.Close() })
			if tc.quotaEvery > 0 {
				if err := emu.InjectFault(emulator.FaultRule{Kind: emulator.FaultQuota, Every: tc.quotaEvery}); err != nil {
					t.Fatal(err)
				}
			}
			if !strings.HasPrefix(emu.URL, "http://") {
				t.Fatalf("the emulator serves %s; this test is about plain HTTP", emu.URL)
			}
			oob := newOutOfBand(t, emu)

			cli := newTerraformCLI(t, tf)
			cli.write(fmt.Sprintf(`
provider "ipam" {
  endpoint = %q
  username = %q
  password = %q
}

resource "ipam_provider_address_space" "dc" {
  name        = "WD-DC"
  description = "datacenter"
}

resource "ipam_customer_address_space" "tenant" {
  name                   = "WD-Tenant"
  provider_address_space = ipam_provider_address_space.dc.name
  isolation_method       = "NVGRE"
  tenant                 = "contoso"
}

resource "ipam_address_spaces" "bulk" {
  address_spaces = {
    "WD-Bulk-PA" = { type = "Provider", owner = "netops" }
    "WD-Bulk-CA" = { type = "Customer", provider_address_space = "WD-Bulk-PA", isolation_method = "IPRewrite",
                     custom_configuration = { Region = "west" } }
  }
}
`, emu.URL, `CORP\`+testUser, testPass))

			cli.mustSucceed("apply", "-input=false", "-no-color", "-auto-approve")
			for name, want := range map[string]ipam.Type{"WD-DC": ipam.TypeProvider, "WD-Tenant": ipam.TypeCustomer,
				"WD-Bulk-PA": ipam.TypeProvider, "WD-Bulk-CA": ipam.TypeCustomer} {
				got := oob.get(name)
				if got.Type != want {
					t.Fatalf("after apply, the server holds %q as %+v; want a %v", name, got, want)
				}
			}
			if code, out := cli.run("plan", "-input=false", "-no-color", "-detailed-exitcode"); code != 0 {
				t.Fatalf("plan after apply: exit %d, want 0 (no changes):\n%s", code, out)
			}

			// Somebody edits IPAM by hand; the next plan shows it as an update in place.
			oob.change("WD-Tenant", func(a *ipam.AddressSpace) { a.Description = "edited at the console" })
			code, out := cli.run("plan", "-input=false", "-no-color", "-detailed-exitcode")
			if code != 2 || !strings.Contains(out, "ipam_customer_address_space.tenant will be updated in-place") ||
				!strings.Contains(out, `"edited at the console" -> null`) {
				t.Fatalf("plan after the out-of-band edit: exit %d, want 2 with the description's drift:\n%s", code, out)
			}

			cli.mustSucceed("destroy", "-input=false", "-no-color", "-auto-approve")
			for _, name := range []string{"WD-DC", "WD-Tenant", "WD-Bulk-PA", "WD-Bulk-CA"} {
				if got, err := oob.find(name); err != nil || got != nil {
					t.Errorf("after destroy: %q is %+v (%v); want it gone", name, got, err)
				}
			}

			answers, _ := reqs.stats()
			t.Logf("answers by action: %v", answers)
			if answers["unencrypted-refused"] != 0 || answers["sealed-without-login"] != 0 || answers["unseal-failed"] != 0 {
				t.Errorf("the server refused messages: %v", answers)
			}
			if answers["login"] == 0 {
				t.Errorf("no login was seen: %v", answers)
			}
			if tc.quotaEvery > 0 && answers["fault-quota"] == 0 {
				t.Errorf("no quota fault was answered: the case did not exercise the quota (%v)", answers)
			}
			if tc.numbering == ipam.NumberingIPAMM2 {
				// The server really answered in the other numbering: its Default is Type 1.
				ws, err := wsman.NewClient(wsman.Config{Endpoint: emu.URL, Username: testUser, Password: testPass, Timeout: 20 * time.Second})
				if err != nil {
					t.Fatal(err)
				}
				var types []string
				err = ws.Enumerate(context.Background(), wmi.NamespaceURI, "SELECT * FROM MSFT_IPAM_AddressSpace WHERE Name = 'Default'", func(in *wsman.Instance) error {
					v, _ := in.Text("Type")
					types = append(types, v)
					return nil
				})
				if err != nil || len(types) != 1 || types[0] != "1" {
					t.Errorf("Default's Type on the wire: %v, %v; want [1] (MS-IPAMM2 numbering)", types, err)
				}
			}
		})
	}
}
