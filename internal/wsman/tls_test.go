package wsman_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/winipam/terraform-provider-ipam/internal/emulator"
	"github.com/winipam/terraform-provider-ipam/internal/failure"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

func TestTLS(t *testing.T) {
	t.Parallel()
	p := testPKI()
	run, err := emulator.Start(context.Background(), emulator.Config{Username: testUser, Password: testPass, Logger: quiet}, "127.0.0.1:0", serverTLS())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })
	plain, err := emulator.Start(context.Background(), emulator.Config{Username: testUser, Password: testPass, Logger: quiet}, "127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { plain.Close() })
	tlsHostPort := strings.TrimSuffix(strings.TrimPrefix(run.URL, "https://"), "/wsman")
	plainHostPort := strings.TrimSuffix(strings.TrimPrefix(plain.URL, "http://"), "/wsman")

	cases := []struct {
		name     string
		cfg      wsman.Config
		wantKind failure.Kind // KindUnknown: success
		// dropped: the failure looks like a dropped connection, which an idempotent request
		// retries; every other failure here is NotSent and cannot heal, so it is not retried.
		dropped bool
	}{
		{name: "unknown authority", cfg: wsman.Config{Endpoint: run.URL, Auth: "basic", TLSServerName: serverName},
			wantKind: failure.KindUntrustedCertificate},
		// Go checks the host name before the chain: by address, the name is the first complaint.
		{name: "unknown authority, by address", cfg: wsman.Config{Endpoint: run.URL, Auth: "basic"},
			wantKind: failure.KindCertificateName},
		{name: "ca_cert but wrong host name", cfg: wsman.Config{Endpoint: run.URL, Auth: "basic", CACert: p.ca.PEM},
			wantKind: failure.KindCertificateName},
		{name: "ca_cert and tls_server_name", cfg: wsman.Config{Endpoint: run.URL, Auth: "basic", CACert: p.ca.PEM, TLSServerName: serverName}},
		{name: "ntlm over tls", cfg: wsman.Config{Endpoint: run.URL, Auth: "ntlm", Username: `CORP\` + testUser, CACert: p.ca.PEM, TLSServerName: serverName}},
		{name: "insecure", cfg: wsman.Config{Endpoint: run.URL, Auth: "basic", Insecure: true}},
		{name: "ca_cert of another authority", cfg: wsman.Config{Endpoint: run.URL, Auth: "basic", CACert: p.otherCA.PEM, TLSServerName: serverName},
			wantKind: failure.KindUntrustedCertificate},
		{name: "https to a plain HTTP port", cfg: wsman.Config{Endpoint: "https://" + plainHostPort + "/wsman", Auth: "basic", Insecure: true},
			wantKind: failure.KindNotTLS},
		{name: "plain http to the TLS port", cfg: wsman.Config{Endpoint: "http://" + tlsHostPort + "/wsman", Auth: "basic"},
			wantKind: failure.KindConnectionDropped, dropped: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := tc.cfg
			if cfg.Username == "" {
				cfg.Username = testUser
			}
			cfg.Password = testPass
			c := newClient(t, cfg)
			ctx := testCtx(t, 10*time.Second)
			err := identify(ctx, c, true)
			if tc.wantKind == failure.KindUnknown {
				if err != nil {
					t.Fatalf("identify: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("identify succeeded")
			}
			te := asTransport(t, err)
			wantContains(t, err.Error(), "cannot reach the WinRM endpoint "+cfg.Endpoint)
			if f := wantKind(t, err, tc.wantKind); f.PlainHTTP != strings.HasPrefix(cfg.Endpoint, "http://") {
				t.Errorf("facts %+v: PlainHTTP wrong for %s", f, cfg.Endpoint)
			}
			wantClean(t, err)
			if tc.dropped {
				if te.NotSent || !te.Transient || c.Requests() != 3 {
					t.Errorf("NotSent=%v Transient=%v after %d attempts; want false, true, 3", te.NotSent, te.Transient, c.Requests())
				}
				return
			}
			if !te.NotSent || te.Transient {
				t.Errorf("NotSent=%v Transient=%v; a TLS failure is NotSent and not transient", te.NotSent, te.Transient)
			}
			if c.Requests() != 1 {
				t.Errorf("a failure that cannot heal was retried: %d attempts", c.Requests())
			}
		})
	}
}
