package provider

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/winipam/terraform-provider-ipam/internal/failure"
)

// reported is a failure from below IPAM, as the wire layer reports one.
type reported struct {
	msg   string
	facts failure.Facts
}

func (r *reported) Error() string        { return r.msg }
func (r *reported) Facts() failure.Facts { return r.facts }

// What the provider tells a user to do, by the facts a failure reports: the words the docs'
// troubleshooting table and the acceptance tests quote, stated literally.
func TestAdvice(t *testing.T) {
	t.Parallel()
	const plain, tls = "http://ipam01.corp.example:5985/wsman", "https://ipam01.corp.example:5986/wsman"
	cases := []struct {
		name  string
		facts failure.Facts
		want  []string // "" : no advice
	}{
		{"deadline", failure.Facts{Kind: failure.KindDeadline}, []string{"Raise the resource's timeouts block"}},
		{"timeout", failure.Facts{Kind: failure.KindTimeout}, []string{"Raise the provider's timeout", "drops the connection"}},
		{"dns", failure.Facts{Kind: failure.KindHostUnknown}, []string{"Check the host name in the endpoint"}},
		{"untrusted certificate", failure.Facts{Kind: failure.KindUntrustedCertificate, Endpoint: tls},
			[]string{"not signed by a trusted authority", "set ca_cert", "insecure = true"}},
		{"certificate name", failure.Facts{Kind: failure.KindCertificateName}, []string{"does not name this host", "tls_server_name"}},
		{"certificate invalid", failure.Facts{Kind: failure.KindCertificateInvalid}, []string{"could not be verified", "ca_cert", "clock"}},
		{"not TLS", failure.Facts{Kind: failure.KindNotTLS}, []string{"does not speak TLS on this port", "http://"}},
		{"connection refused", failure.Facts{Kind: failure.KindConnectionRefused}, []string{"Is WinRM listening there?", "5985", "5986"}},
		{"dropped over https", failure.Facts{Kind: failure.KindConnectionDropped, Endpoint: tls}, []string{"The connection was dropped"}},
		{"dropped over http", failure.Facts{Kind: failure.KindConnectionDropped, Endpoint: plain, PlainHTTP: true},
			[]string{"The connection was dropped", "HTTPS listener", "use an https:// endpoint"}},
		{"basic not offered", failure.Facts{Kind: failure.KindCredentialsRefused, Auth: "basic", Offered: []string{"Negotiate", "Kerberos"}},
			[]string{"Basic authentication is disabled on Windows by default", `auth = "ntlm"`, "local accounts"}},
		{"basic over http", failure.Facts{Kind: failure.KindCredentialsRefused, Auth: "basic", PlainHTTP: true, Offered: []string{"Negotiate", "Basic"}},
			[]string{"local account", "AllowUnencrypted=true", `auth = "ntlm"`}},
		{"basic over https", failure.Facts{Kind: failure.KindCredentialsRefused, Auth: "basic", Offered: []string{"Basic"}},
			[]string{"Basic works only with a local account", `auth = "ntlm"`}},
		{"ntlm refused", failure.Facts{Kind: failure.KindCredentialsRefused, Auth: "ntlm", Offered: []string{"Negotiate"}},
			[]string{`DOMAIN\user or user@domain`, "password", "IPAM Administrators"}},
		{"kerberos refused", failure.Facts{Kind: failure.KindCredentialsRefused, Auth: "kerberos"},
			[]string{"realm", "fully qualified name", "service principal"}},
		{"certificate refused", failure.Facts{Kind: failure.KindCredentialsRefused, Auth: "certificate"}, []string{"certificate mapping"}},
		{"413", failure.Facts{Kind: failure.KindTooLarge}, []string{"max_envelope_size", "MaxEnvelopeSizekb"}},
		{"400 kerberos", failure.Facts{Kind: failure.KindBadRequest, Auth: "kerberos", PlainHTTP: true}, []string{`auth = "ntlm"`}},
		{"400 over http", failure.Facts{Kind: failure.KindBadRequest, Auth: "ntlm", PlainHTTP: true}, []string{"HTTPS listener", "https://"}},
		{"400 over https", failure.Facts{Kind: failure.KindBadRequest, Auth: "ntlm"}, nil},
		{"500 empty", failure.Facts{Kind: failure.KindUnencryptedRefused}, []string{"Use HTTPS", "AllowUnencrypted=true"}},
		{"503", failure.Facts{Kind: failure.KindBusy}, []string{"Try again later", "max_concurrent_requests"}},
		{"404", failure.Facts{Kind: failure.KindWrongPath}, []string{"/wsman"}},
		{"415", failure.Facts{Kind: failure.KindNotWinRM}, []string{"WinRM listener"}},
		{"401 after an unsealed message", failure.Facts{Kind: failure.KindUnsealedRefused}, nil},
		{"kerberos password", failure.Facts{Kind: failure.KindKerberosPassword}, []string{"Check the password", "lockout"}},
		{"kerberos user", failure.Facts{Kind: failure.KindKerberosUser}, []string{"user@REALM"}},
		{"kerberos service", failure.Facts{Kind: failure.KindKerberosService}, []string{"kerberos.spn", "WSMAN/host"}},
		{"kerberos clock", failure.Facts{Kind: failure.KindKerberosClock}, []string{"clock"}},
		{"kerberos no KDC", failure.Facts{Kind: failure.KindKerberosNoKDC, Realm: "CORP.EXAMPLE", Krb5Conf: "/etc/krb5.conf"},
			[]string{"kdc entries for CORP.EXAMPLE in /etc/krb5.conf", "port 88"}},
		{"basic in clear to an address", failure.Facts{Kind: failure.KindUnencryptedCredentials, Setting: failure.SettingAllowUnencrypted,
			Endpoint: "http://10.1.2.3:5985/wsman", PlainHTTP: true},
			[]string{`auth = "ntlm"`, "https://10.1.2.3:5986/wsman", "allow_unencrypted = true"}},
		{"ca_cert", failure.Facts{Kind: failure.KindConfig, Setting: failure.SettingCACert}, []string{"ca_cert"}},
		{"client certificate", failure.Facts{Kind: failure.KindConfig, Setting: failure.SettingClientCertificate}, []string{"client_cert and client_key"}},
		{"max_envelope_size", failure.Facts{Kind: failure.KindConfig, Setting: failure.SettingMaxEnvelopeSize}, []string{"max_envelope_size"}},
		{"kerberos realm", failure.Facts{Kind: failure.KindConfig, Setting: failure.SettingKerberosRealm},
			[]string{"user@REALM", "kerberos.realm", "default_realm"}},
		{"kerberos spn", failure.Facts{Kind: failure.KindConfig, Setting: failure.SettingKerberosSPN}, []string{"kerberos.spn"}},
		{"envelope refused", failure.Facts{Kind: failure.KindEnvelopeRefused, MaxEnvelopeSize: 512000},
			[]string{"Raise MaxEnvelopeSizekb", "max_envelope_size (now 512000 bytes)", "MaxEnvelopeSizekb x 1024"}},
		{"item too large", failure.Facts{Kind: failure.KindItemTooLarge, MaxEnvelopeSize: 8192}, []string{"max_envelope_size (now 8192 bytes)"}},
		{"type numbering", failure.Facts{Kind: failure.KindTypeNumbering}, []string{"Please report", "Get-CimInstance"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := advice(tc.facts)
			if tc.want == nil && got != "" {
				t.Errorf("advice %q, want none", got)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("advice %q lacks %q", got, w)
				}
			}
		})
	}
}

// The advice follows the failure's own message, and the failure stays reachable; an error that
// reports no facts, or facts without advice, is left as it is.
func TestWithAdvice(t *testing.T) {
	t.Parallel()
	inner := &reported{msg: "cannot reach the WinRM endpoint https://x/wsman: x509: certificate signed by unknown authority",
		facts: failure.Facts{Kind: failure.KindUntrustedCertificate, NotActed: true}}
	wrapped := fmt.Errorf("reading address spaces: %w", inner)
	got := withAdvice(wrapped)
	want := "reading address spaces: cannot reach the WinRM endpoint https://x/wsman: x509: certificate signed by unknown authority. " +
		"The server's certificate is not signed by a trusted authority: set ca_cert to the PEM of the CA that signed it (or, for testing only, insecure = true)"
	if got.Error() != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if r := (*reported)(nil); !errors.As(got, &r) || r != inner || !refusedBeforeActing(got) {
		t.Errorf("the failure is not reachable through the advice: %v", got)
	}
	plain := errors.New("boom")
	if withAdvice(plain) != plain || withAdvice(nil) != nil {
		t.Errorf("an error without facts changed")
	}
	silent := &reported{msg: "401 after login", facts: failure.Facts{Kind: failure.KindUnsealedRefused}}
	if withAdvice(silent) != error(silent) {
		t.Errorf("an error without advice changed")
	}
	results := withAdviceEach([]error{nil, inner})
	if results[0] != nil || !strings.Contains(results[1].Error(), "set ca_cert") {
		t.Errorf("per-item results %v", results)
	}
}
