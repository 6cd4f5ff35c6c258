package wsman_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winipam/terraform-provider-ipam/internal/failure"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

func TestNewClientConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	krb5 := filepath.Join(dir, "krb5.conf")
	if err := os.WriteFile(krb5, []byte("[libdefaults]\n  default_realm = CORP.EXAMPLE\n\n[realms]\n  CORP.EXAMPLE = {\n    kdc = 127.0.0.1:1\n  }\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	krb5NoDefault := filepath.Join(dir, "krb5-no-default.conf")
	if err := os.WriteFile(krb5NoDefault, []byte("[realms]\n  CORP.EXAMPLE = {\n    kdc = 127.0.0.1:1\n  }\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := testPKI()
	creds := func(cfg wsman.Config) wsman.Config {
		if cfg.Username == "" {
			cfg.Username, cfg.Password = testUser, testPass
		}
		return cfg
	}
	cases := []struct {
		name         string
		cfg          wsman.Config
		wantErr      []string // substrings of the error; nil: NewClient must succeed
		wantSetting  failure.Setting
		wantEndpoint string
		wantEnvelope int
		wantSealing  bool
	}{
		{name: "empty endpoint", cfg: wsman.Config{}, wantErr: []string{"endpoint is empty", "https://"}, wantSetting: failure.SettingEndpoint},
		{name: "blank endpoint", cfg: wsman.Config{Endpoint: "   "}, wantErr: []string{"endpoint is empty"}, wantSetting: failure.SettingEndpoint},
		{name: "no scheme", cfg: wsman.Config{Endpoint: "ipam01.corp.example:5986"}, wantErr: []string{"not an http:// or https:// URL"}, wantSetting: failure.SettingEndpoint},
		{name: "ftp scheme", cfg: wsman.Config{Endpoint: "ftp://ipam01.corp.example/wsman"}, wantErr: []string{"not an http:// or https:// URL"}, wantSetting: failure.SettingEndpoint},
		{name: "no host", cfg: wsman.Config{Endpoint: "https:///wsman"}, wantErr: []string{"not an http:// or https:// URL"}, wantSetting: failure.SettingEndpoint},
		{name: "unparseable", cfg: wsman.Config{Endpoint: "https://ipam01:port/wsman"}, wantErr: []string{"not an http:// or https:// URL"}, wantSetting: failure.SettingEndpoint},
		{name: "credentials in URL", cfg: wsman.Config{Endpoint: "https://bob:pw@ipam01.corp.example:5986/wsman"}, wantErr: []string{"must not carry credentials"}, wantSetting: failure.SettingEndpoint},
		// The endpoint is echoed in other errors: with credentials in it, they must not be.
		{name: "credentials in URL with another scheme", cfg: wsman.Config{Endpoint: "htps://bob:" + testPass + "@ipam01.corp.example/wsman"}, wantErr: []string{"must not carry credentials"}, wantSetting: failure.SettingEndpoint},
		{name: "credentials in an unparseable URL", cfg: wsman.Config{Endpoint: "https://bob:" + testPass + "@ipam01:port/wsman"}, wantErr: []string{"must not carry credentials"}, wantSetting: failure.SettingEndpoint},

		{name: "plain http, basic, to an address", cfg: wsman.Config{Endpoint: "http://10.1.2.3:5985/wsman", Auth: "basic"},
			wantErr: []string{"refusing to send Basic credentials over unencrypted HTTP to http://10.1.2.3:5985/wsman"}, wantSetting: failure.SettingAllowUnencrypted},
		{name: "plain http, basic, to a name", cfg: wsman.Config{Endpoint: "http://ipam.example.com:5985/wsman", Auth: "basic"},
			wantErr: []string{"refusing to send Basic credentials over unencrypted HTTP to http://ipam.example.com:5985/wsman"}, wantSetting: failure.SettingAllowUnencrypted},
		// A Windows server at its defaults: endpoint, user and password are all it takes.
		{name: "plain http to a name, ntlm, seals", cfg: wsman.Config{Endpoint: "http://ipam.example.com:5985/wsman"},
			wantEndpoint: "http://ipam.example.com:5985/wsman", wantSealing: true},
		{name: "plain http, kerberos, seals", cfg: wsman.Config{Endpoint: "http://ipam.example.com:5985/wsman", Auth: "kerberos", Kerberos: wsman.KerberosConfig{Realm: "CORP.EXAMPLE", Krb5Conf: krb5}},
			wantEndpoint: "http://ipam.example.com:5985/wsman", wantSealing: true},
		{name: "https, ntlm, does not seal", cfg: wsman.Config{Endpoint: "https://ipam.example.com:5986/wsman"},
			wantEndpoint: "https://ipam.example.com:5986/wsman"},
		{name: "plain http, basic, allowed", cfg: wsman.Config{Endpoint: "http://ipam.example.com:5985", Auth: "basic", AllowUnencrypted: true},
			wantEndpoint: "http://ipam.example.com:5985/wsman"},
		{name: "plain http to 127.0.0.1", cfg: wsman.Config{Endpoint: "http://127.0.0.1:5985/wsman", Auth: "basic"}, wantEndpoint: "http://127.0.0.1:5985/wsman"},
		{name: "plain http to localhost", cfg: wsman.Config{Endpoint: "http://localhost:5985"}, wantEndpoint: "http://localhost:5985/wsman", wantSealing: true},
		{name: "plain http to ::1", cfg: wsman.Config{Endpoint: "http://[::1]:5985/"}, wantEndpoint: "http://[::1]:5985/wsman", wantSealing: true},

		{name: "path defaults to /wsman", cfg: wsman.Config{Endpoint: "https://ipam01.corp.example:5986"}, wantEndpoint: "https://ipam01.corp.example:5986/wsman"},
		{name: "root path becomes /wsman", cfg: wsman.Config{Endpoint: " https://ipam01.corp.example:5986/ "}, wantEndpoint: "https://ipam01.corp.example:5986/wsman"},
		{name: "own path kept", cfg: wsman.Config{Endpoint: "https://ipam01.corp.example/custom/wsman"}, wantEndpoint: "https://ipam01.corp.example/custom/wsman"},

		{name: "envelope below minimum", cfg: wsman.Config{Endpoint: "https://ipam01.corp.example", MaxEnvelopeSize: 8191}, wantErr: []string{"8191 bytes", "minimum of 8192"}, wantSetting: failure.SettingMaxEnvelopeSize},
		{name: "envelope at minimum", cfg: wsman.Config{Endpoint: "https://ipam01.corp.example", MaxEnvelopeSize: 8192}, wantEndpoint: "https://ipam01.corp.example/wsman", wantEnvelope: 8192},
		{name: "envelope default", cfg: wsman.Config{Endpoint: "https://ipam01.corp.example"}, wantEndpoint: "https://ipam01.corp.example/wsman", wantEnvelope: wsman.DefaultMaxEnvelopeSize},

		{name: "unknown auth", cfg: wsman.Config{Endpoint: "https://ipam01.corp.example", Auth: "digest"}, wantErr: []string{`authentication "digest"`, "basic, ntlm, kerberos, certificate"}, wantSetting: failure.SettingAuth},
		{name: "auth is case-insensitive", cfg: wsman.Config{Endpoint: "https://ipam01.corp.example", Auth: " NTLM "}, wantEndpoint: "https://ipam01.corp.example/wsman"},
		{name: "basic without user", cfg: wsman.Config{Endpoint: "https://ipam01.corp.example", Auth: "basic", Username: "", Password: ""}, wantErr: []string{"basic authentication needs a username"}, wantSetting: failure.SettingCredentials},
		{name: "ntlm without user", cfg: wsman.Config{Endpoint: "https://ipam01.corp.example", Auth: "ntlm"}, wantErr: []string{"NTLM authentication needs a username"}, wantSetting: failure.SettingCredentials},

		{name: "certificate over http", cfg: wsman.Config{Endpoint: "http://127.0.0.1:5985", Auth: "certificate", ClientCert: p.clientCert, ClientKey: p.clientKey},
			wantErr: []string{"certificate authentication needs an https:// endpoint"}, wantSetting: failure.SettingAuth},
		{name: "certificate without cert", cfg: wsman.Config{Endpoint: "https://ipam01.corp.example", Auth: "certificate"}, wantErr: []string{"certificate authentication needs a client certificate and its private key"}, wantSetting: failure.SettingClientCertificate},
		{name: "client cert without key", cfg: wsman.Config{Endpoint: "https://ipam01.corp.example", Auth: "certificate", ClientCert: p.clientCert},
			wantErr: []string{"a client certificate and its private key go together"}, wantSetting: failure.SettingClientCertificate},
		{name: "client key without cert", cfg: wsman.Config{Endpoint: "https://ipam01.corp.example", ClientKey: p.clientKey}, wantErr: []string{"a client certificate and its private key go together"}, wantSetting: failure.SettingClientCertificate},
		{name: "client cert with a foreign key", cfg: wsman.Config{Endpoint: "https://ipam01.corp.example", Auth: "certificate", ClientCert: p.clientCert, ClientKey: p.otherKey},
			wantErr: []string{"the client certificate and its private key: tls: private key does not match public key"}, wantSetting: failure.SettingClientCertificate},
		{name: "certificate ok", cfg: wsman.Config{Endpoint: "https://ipam01.corp.example", Auth: "certificate", ClientCert: p.clientCert, ClientKey: p.clientKey},
			wantEndpoint: "https://ipam01.corp.example/wsman"},
		{name: "ca_cert not PEM", cfg: wsman.Config{Endpoint: "https://ipam01.corp.example", CACert: []byte("not a certificate")}, wantErr: []string{"CA certificates to trust hold no PEM certificate"}, wantSetting: failure.SettingCACert},

		{name: "kerberos to an IP address", cfg: wsman.Config{Endpoint: "https://10.1.2.3:5986/wsman", Auth: "kerberos", Kerberos: wsman.KerberosConfig{Realm: "CORP.EXAMPLE", Krb5Conf: krb5}},
			wantErr: []string{"kerberos needs the server's fully qualified domain name", `"10.1.2.3"`}, wantSetting: failure.SettingKerberosSPN},
		{name: "kerberos to an IP address with an explicit SPN", cfg: wsman.Config{Endpoint: "https://10.1.2.3:5986/wsman", Auth: "kerberos", Kerberos: wsman.KerberosConfig{Realm: "CORP.EXAMPLE", Krb5Conf: krb5, SPN: "HTTP/ipam01.corp.example"}},
			wantEndpoint: "https://10.1.2.3:5986/wsman"},
		{name: "kerberos to a short name", cfg: wsman.Config{Endpoint: "https://ipam01:5986/wsman", Auth: "kerberos", Kerberos: wsman.KerberosConfig{Realm: "CORP.EXAMPLE", Krb5Conf: krb5}},
			wantErr: []string{"fully qualified domain name", `"ipam01"`}, wantSetting: failure.SettingKerberosSPN},
		{name: "kerberos without realm", cfg: wsman.Config{Endpoint: "https://ipam01.corp.example:5986/wsman", Auth: "kerberos", Kerberos: wsman.KerberosConfig{Krb5Conf: krb5NoDefault}},
			wantErr: []string{"kerberos needs a realm", "user@REALM", "default_realm"}, wantSetting: failure.SettingKerberosRealm},
		{name: "kerberos DOMAIN\\user without realm", cfg: wsman.Config{Endpoint: "https://ipam01.corp.example:5986/wsman", Auth: "kerberos", Username: `CORP\alice`, Password: testPass, Kerberos: wsman.KerberosConfig{Krb5Conf: krb5NoDefault}},
			wantErr: []string{"kerberos needs a realm", `"alice"`, "NETBIOS name"}, wantSetting: failure.SettingKerberosRealm},
		{name: "kerberos realm from krb5.conf", cfg: wsman.Config{Endpoint: "https://ipam01.corp.example:5986/wsman", Auth: "kerberos", Kerberos: wsman.KerberosConfig{Krb5Conf: krb5}},
			wantEndpoint: "https://ipam01.corp.example:5986/wsman"},
		{name: "kerberos without password", cfg: wsman.Config{Endpoint: "https://ipam01.corp.example:5986/wsman", Auth: "kerberos", Username: "alice@CORP.EXAMPLE", Kerberos: wsman.KerberosConfig{Krb5Conf: krb5}},
			wantErr: []string{"kerberos authentication needs a username and a password"}, wantSetting: failure.SettingCredentials},
		{name: "kerberos without krb5.conf", cfg: wsman.Config{Endpoint: "https://ipam01.corp.example:5986/wsman", Auth: "kerberos", Kerberos: wsman.KerberosConfig{Realm: "CORP.EXAMPLE", Krb5Conf: filepath.Join(dir, "missing.conf")}},
			wantErr: []string{"kerberos configuration", "missing.conf"}, wantSetting: failure.SettingKrb5Conf},
		{name: "kerberos realm from user@REALM", cfg: wsman.Config{Endpoint: "https://ipam01.corp.example:5986/wsman", Auth: "kerberos", Username: "alice@corp.example", Password: testPass, Kerberos: wsman.KerberosConfig{Krb5Conf: krb5}},
			wantEndpoint: "https://ipam01.corp.example:5986/wsman"},
		{name: "kerberos realm from DOMAIN\\user", cfg: wsman.Config{Endpoint: "https://ipam01.corp.example:5986/wsman", Auth: "kerberos", Username: `CORP\alice`, Password: testPass, Kerberos: wsman.KerberosConfig{Krb5Conf: krb5}},
			wantEndpoint: "https://ipam01.corp.example:5986/wsman"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := tc.cfg
			if !strings.HasPrefix(tc.name, "basic without") && !strings.HasPrefix(tc.name, "ntlm without") && !strings.Contains(tc.name, "without password") {
				cfg = creds(cfg)
			}
			c, err := wsman.NewClient(cfg)
			if tc.wantErr != nil {
				if err == nil {
					t.Fatalf("NewClient succeeded with endpoint %s; want an error with %q", c.Endpoint(), tc.wantErr)
				}
				if c != nil {
					t.Errorf("NewClient returned a client along with the error")
				}
				wantContains(t, err.Error(), tc.wantErr...)
				wantClean(t, err)
				kind := failure.KindConfig
				if tc.wantSetting == failure.SettingAllowUnencrypted {
					kind = failure.KindUnencryptedCredentials
				}
				if f := wantKind(t, err, kind); f.Setting != tc.wantSetting {
					t.Errorf("setting %d, want %d", f.Setting, tc.wantSetting)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewClient: %v", err)
			}
			if c.Endpoint() != tc.wantEndpoint {
				t.Errorf("endpoint %q, want %q", c.Endpoint(), tc.wantEndpoint)
			}
			if c.Sealing() != tc.wantSealing {
				t.Errorf("Sealing() = %v, want %v", c.Sealing(), tc.wantSealing)
			}
			if tc.wantEnvelope != 0 && c.MaxEnvelopeSize() != tc.wantEnvelope {
				t.Errorf("MaxEnvelopeSize %d, want %d", c.MaxEnvelopeSize(), tc.wantEnvelope)
			}
			if c.Requests() != 0 {
				t.Errorf("NewClient sent %d requests", c.Requests())
			}
		})
	}
}
