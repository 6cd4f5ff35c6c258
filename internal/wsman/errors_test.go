package wsman

import (
	"crypto/tls"
	"strings"
	"testing"

	"github.com/winipam/terraform-provider-ipam/internal/failure"
	"github.com/winipam/terraform-provider-ipam/internal/testcert"
)

// What answers that carry no SOAP body say, and the facts they report (on which the front ends'
// advice rests), stated as literal expectations.
func TestHTTPErrorFacts(t *testing.T) {
	const ep = "http://ipam01.corp.example:5985/wsman"
	cases := []struct {
		name string
		err  HTTPError
		kind failure.Kind
		want []string
		not  []string
	}{
		{"413", HTTPError{Endpoint: ep, Status: 413, PlainHTTP: true}, failure.KindTooLarge,
			[]string{"HTTP 413", "MaxEnvelopeSizekb", "winrm get winrm/config", "was not processed"}, nil},
		{"400 with kerberos", HTTPError{Endpoint: ep, Status: 400, Auth: "kerberos"}, failure.KindBadRequest,
			[]string{"HTTP 400", "Kerberos ticket", "MaxFieldLength", "MaxRequestBytes"}, nil},
		{"400 over http", HTTPError{Endpoint: ep, Status: 400, Auth: "ntlm", PlainHTTP: true}, failure.KindBadRequest,
			[]string{"HTTP 400"}, []string{"Kerberos"}},
		{"401 after an unsealed message over http", HTTPError{Endpoint: ep, Status: 401, Auth: "ntlm", AfterLogin: true, PlainHTTP: true},
			failure.KindUnsealedRefused, []string{"after the login succeeded", "AllowUnencrypted", "not the credentials"}, []string{"password"}},
		{"401 after a sealed message", HTTPError{Endpoint: ep, Status: 401, Auth: "ntlm", AfterLogin: true, Sealed: true, PlainHTTP: true},
			failure.KindSessionLost, []string{"whose login had succeeded", "security context", "credentials are not the cause", "not processed"},
			[]string{"AllowUnencrypted", "password"}},
		{"401 login refused, ntlm", HTTPError{Endpoint: ep, Status: 401, Auth: "ntlm", PlainHTTP: true, Offered: []string{"Negotiate"}},
			failure.KindCredentialsRefused, []string{"credentials were refused", "offers Negotiate)"}, []string{"AllowUnencrypted"}},
		{"401 basic over http", HTTPError{Endpoint: ep, Status: 401, Auth: "basic", PlainHTTP: true, Offered: []string{"Negotiate", `Basic realm="WSMAN"`}},
			failure.KindCredentialsRefused, []string{"credentials were refused", "offers Negotiate, Basic)"}, []string{"realm"}},
		{"404", HTTPError{Endpoint: ep, Status: 404}, failure.KindWrongPath, []string{"HTTP 404 Not Found"}, nil},
		{"302", HTTPError{Endpoint: ep, Status: 302}, failure.KindHTTPStatus, []string{"HTTP 302 Found"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			msg := tc.err.Error()
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("%q lacks %q", msg, w)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(msg, n) {
					t.Errorf("%q should not say %q", msg, n)
				}
			}
			f, ok := failure.Of(&tc.err)
			if !ok || f.Kind != tc.kind || f.Auth != tc.err.Auth || f.PlainHTTP != tc.err.PlainHTTP || f.NotActed != (tc.err.Status == 401) {
				t.Errorf("facts %+v", f)
			}
			if want := len(tc.err.Offered); len(f.Offered) != want || (want > 0 && strings.Contains(strings.Join(f.Offered, ","), " ")) {
				t.Errorf("offered schemes %q, want the %d scheme names", f.Offered, want)
			}
		})
	}
}

// With a client certificate, the client allows one renegotiation and stays at TLS 1.2: http.sys
// asks for the certificate by renegotiating, which TLS 1.3 cannot do (fidelity audit item 2). Go's
// TLS server cannot renegotiate, so no test here talks to such a server; this checks the settings.
func TestBuildTLSClientCertificate(t *testing.T) {
	certPEM, keyPEM, _ := testcert.NewCA("IPAM test CA").Issue("admin", nil, true)
	with, err := buildTLS(Config{ClientCert: certPEM, ClientKey: keyPEM}, AuthCertificate)
	if err != nil {
		t.Fatal(err)
	}
	if with.Renegotiation != tls.RenegotiateOnceAsClient || with.MaxVersion != tls.VersionTLS12 || len(with.Certificates) != 1 {
		t.Errorf("with a client certificate: renegotiation %v, max version %x, %d certificates; want once, TLS 1.2, 1",
			with.Renegotiation, with.MaxVersion, len(with.Certificates))
	}
	without, err := buildTLS(Config{}, AuthNTLM)
	if err != nil {
		t.Fatal(err)
	}
	if without.Renegotiation != tls.RenegotiateNever || without.MaxVersion != 0 || without.MinVersion != tls.VersionTLS12 {
		t.Errorf("without one: renegotiation %v, versions %x..%x; want never, TLS 1.2 up to the newest", without.Renegotiation, without.MinVersion, without.MaxVersion)
	}
}
