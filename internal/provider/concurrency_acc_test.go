package provider

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/winipam/terraform-provider-ipam/internal/acctest"
	"github.com/winipam/terraform-provider-ipam/internal/emulator"
	"github.com/winipam/terraform-provider-ipam/internal/ipam"
)

// The client's cap on requests in flight and its retries against WinRM's concurrent-operations
// quota: 200 resources applied at -parallelism=50 by the terraform CLI (terraform-plugin-testing
// cannot pass -parallelism).

// quotaEmulator serves an emulator whose every operation takes latency inside the window in
// which the emulator counts it against MaxConcurrentOperations, as WinRM counts an operation from
// its receipt to its answer. (Config.Latency is spent before the emulator counts a request in
// flight, so with it alone the quota is seldom reached: see the report of this test.)
func quotaEmulator(t *testing.T, cfg emulator.Config, latency time.Duration) string {
	t.Helper()
	cfg.Username, cfg.Password = acctest.User, acctest.Password
	cfg.CustomFields = []string{"Region", "CostCenter"}
	srv, err := emulator.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		t.Fatal(err)
	}
	hs := &http.Server{Handler: delayedAnswers{h: srv, d: latency}, ConnContext: srv.ConnContext, ReadHeaderTimeout: 30 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() {
		_ = hs.Close()
		_ = srv.Close()
	})
	return "http://" + ln.Addr().String() + "/wsman"
}

// delayedAnswers holds each answer back for d before its first byte, inside the handler.
type delayedAnswers struct {
	h http.Handler
	d time.Duration
}

func (s delayedAnswers) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.h.ServeHTTP(&delayedWriter{ResponseWriter: w, d: s.d}, r)
}

type delayedWriter struct {
	http.ResponseWriter
	d       time.Duration
	started bool
}

func (w *delayedWriter) wait() {
	if !w.started {
		w.started = true
		time.Sleep(w.d)
	}
}

func (w *delayedWriter) WriteHeader(code int) {
	w.wait()
	w.ResponseWriter.WriteHeader(code)
}

func (w *delayedWriter) Write(p []byte) (int, error) {
	w.wait()
	return w.ResponseWriter.Write(p)
}

// TestAccConcurrency_quota applies 200 customer address spaces (for_each, on one provider space)
// with -parallelism=50 against an emulator that, like WinRM, answers a quota fault past 5
// operations in flight, each taking 20ms: the client's cap and its retries must absorb it, with
// no failure and no duplicate; then a destroy must succeed too. It runs once with the provider's
// default cap (8 in flight, already past the quota) and once with max_concurrent_requests = 50,
// where only the retries stand between the quota and a failed apply.
//
// terraform-plugin-testing cannot pass -parallelism: terraform-exec always puts -parallelism=10
// on the command line, after whatever TF_CLI_ARGS_apply inserts, so its own value wins. This test
// runs the terraform CLI itself, as TestAccAddressSpaceResource_generateConfigCLI does.
func TestAccConcurrency_quota(t *testing.T) {
	tf := acctest.NeedTerraform(t)
	t.Parallel()
	acctest.ProviderDir(t) // one build for both runs
	const n = 200
	for _, tc := range []struct {
		name     string
		settings []string
	}{
		{"default-cap", nil},
		{"cap-50", []string{"max_concurrent_requests = 50"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reqs := &acctest.RequestLog{}
			url := quotaEmulator(t, emulator.Config{MaxConcurrentOperations: 5, Logger: reqs.Logger()}, 20*time.Millisecond)
			oob := acctest.NewOutOfBandAs(t, url, acctest.Login{MaxConcurrent: 1})
			cli := acctest.NewCLI(t, tf)
			// The provider's timeout is its default here: the quota, not latency, is tested.
			cli.Write(acctest.ProviderBlock(url, tc.settings...) + fmt.Sprintf(`
resource "ipam_provider_address_space" "pa" {
  name = "CC-PA"
}

resource "ipam_customer_address_space" "ca" {
  for_each               = toset([for i in range(%d) : format("CC-%%03d", i)])
  name                   = each.key
  provider_address_space = ipam_provider_address_space.pa.name
  isolation_method       = "NVGRE"
  tenant                 = each.key
}
`, n))
			managed := []string{"CC-PA"}
			for i := 0; i < n; i++ {
				managed = append(managed, fmt.Sprintf("CC-%03d", i))
			}
			// list reads the server; the quota may turn the out-of-band reader away too.
			list := func() []ipam.AddressSpace {
				t.Helper()
				for attempt := 0; ; attempt++ {
					server, err := oob.List()
					if err == nil {
						return server
					}
					if attempt == 20 {
						t.Fatalf("out of band: %v", err)
					}
					time.Sleep(100 * time.Millisecond)
				}
			}

			code, out := cli.Run("apply", "-input=false", "-no-color", "-auto-approve", "-parallelism=50")
			byAction, peak := reqs.Stats()
			t.Logf("apply of %d resources: exit %d; answers by action %v, peak in flight %d", n+1, code, byAction, peak)
			if code != 0 || !strings.Contains(out, fmt.Sprintf("Apply complete! Resources: %d added, 0 changed, 0 destroyed.", n+1)) {
				t.Errorf("the apply failed under the quota (%d quota faults answered): %d diagnostics; the first:\n%s",
					byAction["quota"], strings.Count(out, "Error: "), acctest.FirstError(out, 12))
			}
			if byAction["quota"] == 0 {
				t.Errorf("the emulator never answered a quota fault: the test did not exercise the quota (answers: %v)", byAction)
			}
			// Every Add was sent once: a quota fault is answered before the server acts, and
			// the client retried only those.
			if got := byAction["AddCustomerAddressSpace"]; got > n {
				t.Errorf("the emulator answered %d AddCustomerAddressSpace calls, more than the %d resources", got, n)
			}

			// Exactly what the state tracks is on the server, once each: nothing lost, nothing
			// duplicated, nothing untracked.
			server := list()
			spaces, err := stateSpaces(cli)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := compareWithServer(spaces, server, stateCompare{managed: managed}); err != nil {
				t.Error(err)
			}
			if code == 0 {
				if len(server) != n+2 {
					t.Errorf("the server holds %d address spaces, want %d (%d customer spaces, CC-PA and Default)", len(server), n+2, n)
				}
				if len(spaces) != n+1 {
					t.Errorf("the state tracks %d address spaces, want %d", len(spaces), n+1)
				}
			} else {
				// The failed ones converge once the pressure is off.
				cli.MustSucceed("apply", "-input=false", "-no-color", "-auto-approve")
			}
			cli.MustSucceed("plan", "-input=false", "-no-color", "-detailed-exitcode", "-parallelism=50")

			reqs.Reset()
			code, out = cli.Run("destroy", "-input=false", "-no-color", "-auto-approve", "-parallelism=50")
			byAction, peak = reqs.Stats()
			t.Logf("destroy: exit %d; answers by action %v, peak in flight %d", code, byAction, peak)
			if code != 0 || !strings.Contains(out, fmt.Sprintf("Destroy complete! Resources: %d destroyed.", n+1)) {
				t.Errorf("the destroy failed under the quota (%d quota faults answered): %d diagnostics; the first:\n%s",
					byAction["quota"], strings.Count(out, "Error: "), acctest.FirstError(out, 12))
				cli.MustSucceed("destroy", "-input=false", "-no-color", "-auto-approve")
			}
			if server := list(); len(server) != 1 || server[0].Name != ipam.DefaultProviderName {
				t.Errorf("after destroy the server holds %d address spaces, want only Default", len(server))
			}
		})
	}
}
