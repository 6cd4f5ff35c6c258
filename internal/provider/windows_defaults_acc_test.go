package provider

import (
	"strings"
	"testing"

	"github.com/winipam/terraform-provider-ipam/internal/acctest"
	"github.com/winipam/terraform-provider-ipam/internal/emulator"
	"github.com/winipam/terraform-provider-ipam/internal/ipam"
)

// TestAccWindowsDefaults is a user's first day against a Windows Server as it ships: WinRM on
// plain HTTP, Basic refused, every message sealed (AllowUnencrypted=false). The provider binary
// built from this tree, run by the terraform CLI, is given an endpoint, a user and a password and
// nothing else; it applies, plans clean, shows drift made out of band, and destroys. It does the
// same against a server that numbers Type as [MS-IPAMM2] does, and against one that answers every
// third request with WinRM's quota fault, in the shape Windows sends it.
func TestAccWindowsDefaults(t *testing.T) {
	tf := acctest.NeedTerraform(t)
	t.Parallel()
	acctest.ProviderDir(t) // one build for every case
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
			reqs := &acctest.RequestLog{}
			emu := acctest.StartEmulator(t, emulator.Config{TypeNumbering: tc.numbering, CustomFields: []string{"Region"}, Logger: reqs.Logger()})
			if tc.quotaEvery > 0 {
				emu.InjectFault(emulator.FaultRule{Kind: emulator.FaultQuota, Every: tc.quotaEvery})
			}
			if !strings.HasPrefix(emu.URL, "http://") {
				t.Fatalf("the emulator serves %s; this test is about plain HTTP", emu.URL)
			}
			oob := acctest.NewOutOfBand(t, emu.URL)

			cli := acctest.NewCLI(t, tf)
			// A provider block with an endpoint, a user and a password, nothing else.
			cli.Write(acctest.ProviderBlock(emu.URL) + acctest.HCL(t, "shared/spaces_and_bulk.tf", map[string]string{"Prefix": "WD", "Version": "v1"}))

			cli.MustSucceed("apply", "-input=false", "-no-color", "-auto-approve")
			for name, want := range map[string]ipam.Type{"WD-PA": ipam.TypeProvider, "WD-CA": ipam.TypeCustomer,
				"WD-Bulk-PA": ipam.TypeProvider, "WD-Bulk-CA": ipam.TypeCustomer} {
				got := oob.Get(name)
				if got.Type != want {
					t.Fatalf("after apply, the server holds %q as %+v; want a %v", name, got, want)
				}
			}
			if code, out := cli.Run("plan", "-input=false", "-no-color", "-detailed-exitcode"); code != 0 {
				t.Fatalf("plan after apply: exit %d, want 0 (no changes):\n%s", code, out)
			}

			// Somebody edits IPAM by hand; the next plan shows it as an update in place.
			oob.Change("WD-CA", func(a *ipam.AddressSpace) { a.Description = "edited at the console" })
			code, out := cli.Run("plan", "-input=false", "-no-color", "-detailed-exitcode")
			if code != 2 || !strings.Contains(out, "ipam_customer_address_space.ca will be updated in-place") ||
				!strings.Contains(out, `"edited at the console" -> "customer v1"`) {
				t.Fatalf("plan after the out-of-band edit: exit %d, want 2 with the description's drift:\n%s", code, out)
			}

			cli.MustSucceed("destroy", "-input=false", "-no-color", "-auto-approve")
			for _, name := range []string{"WD-PA", "WD-CA", "WD-Bulk-PA", "WD-Bulk-CA"} {
				if got, err := oob.Find(name); err != nil || got != nil {
					t.Errorf("after destroy: %q is %+v (%v); want it gone", name, got, err)
				}
			}

			answers, _ := reqs.Stats()
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
				types, err := oob.WireText("SELECT * FROM MSFT_IPAM_AddressSpace WHERE Name = 'Default'", "Type")
				if err != nil || len(types) != 1 || types[0] != "1" {
					t.Errorf("Default's Type on the wire: %v, %v; want [1] (MS-IPAMM2 numbering)", types, err)
				}
			}
		})
	}
}
