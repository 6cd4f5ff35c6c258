//go:build unix

package emulator_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/winipam/terraform-provider-ipam/internal/emulator"
	"github.com/winipam/terraform-provider-ipam/internal/failure"
	"github.com/winipam/terraform-provider-ipam/internal/ipam"
	"github.com/winipam/terraform-provider-ipam/internal/ipam/wmi"
	"github.com/winipam/terraform-provider-ipam/internal/testcert"
	"github.com/winipam/terraform-provider-ipam/internal/testkdc"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

// startKerberosEmulator serves an emulator that takes Kerberos logins for testkdc.User with
// the keys of testkdc.SPN, with Windows' defaults: every message over plain HTTP must be sealed.
func startKerberosEmulator(t *testing.T, kdc *testkdc.KDC) string {
	t.Helper()
	return startKerberosEmulatorWith(t, kdc, true)
}

// startKerberosEmulatorWith is startKerberosEmulator; without requireEncryption it takes unsealed
// messages too, as a server with AllowUnencrypted=true does.
func startKerberosEmulatorWith(t *testing.T, kdc *testkdc.KDC, requireEncryption bool) string {
	t.Helper()
	srv, err := emulator.New(context.Background(), emulator.Config{Username: testkdc.User, Password: confPass,
		DBPath: ":memory:", DisableBasic: true, RequireEncryption: requireEncryption, KerberosKeytab: kdc.Keytab})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(srv)
	hs.Config.ConnContext = srv.ConnContext
	hs.Start()
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
	})
	return hs.URL + "/wsman"
}

// throwawayTLS is a server TLS configuration with a throwaway certificate for testkdc.Host.
func throwawayTLS() *tls.Config {
	_, _, pair := testcert.NewCA("IPAM test CA").Issue(testkdc.Host, []string{testkdc.Host}, false)
	return &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
}

func kerberosClient(t *testing.T, kdc *testkdc.KDC, endpoint, user, pass, spn string) *wmi.Client {
	t.Helper()
	ws, err := wsman.NewClient(wsman.Config{Endpoint: endpoint, Auth: wsman.AuthKerberos, Username: user, Password: pass,
		Kerberos: wsman.KerberosConfig{Krb5Conf: kdc.Krb5Conf, SPN: spn}})
	if err != nil {
		t.Fatal(err)
	}
	return wmi.New(ws)
}

// Our client logs in with a ticket the MIT KDC issued, and the emulator checks it with the
// service's keytab and answers with an AP-REP; over plain HTTP every message then travels sealed
// with RFC 4121 wrap tokens, both ways (the emulator refuses unsealed ones). A wrong password, an
// unknown service and a ticket for another service fail with errors that say so.
func TestKerberosLogin(t *testing.T) {
	kdc := testkdc.Start(t)
	endpoint := startKerberosEmulator(t, kdc)
	ctx := context.Background()

	cl := kerberosClient(t, kdc, endpoint, testkdc.User+"@"+testkdc.Realm, kdc.Password, testkdc.SPN)
	pa, err := cl.AddProviderAddressSpace(ctx, ipam.AddressSpace{Name: "krb-provider", Type: ipam.TypeProvider})
	if err != nil {
		t.Fatalf("add over kerberos: %v\nKDC log:\n%s", err, kdc.Log())
	}
	got, err := cl.Get(ctx, pa.InstanceID)
	if err != nil || got.Name != "krb-provider" {
		t.Fatalf("get over kerberos: %+v, %v", got, err)
	}

	t.Run("DOMAIN\\user takes krb5.conf's default_realm, not the NetBIOS name", func(t *testing.T) {
		cl := kerberosClient(t, kdc, endpoint, `IPAM\`+testkdc.User, kdc.Password, testkdc.SPN)
		if _, err := cl.GetByName(ctx, "krb-provider"); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("concurrent requests", func(t *testing.T) {
		// One login for all of them, and no token refused as a replay of another.
		ws, err := wsman.NewClient(wsman.Config{Endpoint: endpoint, Auth: wsman.AuthKerberos, Username: testkdc.User + "@" + testkdc.Realm,
			Password: kdc.Password, MaxConcurrent: 16, Kerberos: wsman.KerberosConfig{Krb5Conf: kdc.Krb5Conf, SPN: testkdc.SPN}})
		if err != nil {
			t.Fatal(err)
		}
		before := strings.Count(kdc.Log(), "AS_REQ")
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for range 64 {
			wg.Go(func() {
				if _, err := ws.Do(ctx, wsman.Request{Body: wsman.Identify{}, Idempotent: true}); err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		// Pre-authentication takes two AS exchanges: the first learns that it is required.
		if n := strings.Count(kdc.Log(), "AS_REQ") - before; n > 2 {
			t.Errorf("the KDC saw %d AS requests for one client, want one login", n)
		}
	})

	t.Run("over HTTPS with strict channel binding", func(t *testing.T) {
		run, err := emulator.Start(ctx, emulator.Config{Username: testkdc.User, Password: confPass, DisableBasic: true,
			KerberosKeytab: kdc.Keytab, CBTHardening: "strict"}, "127.0.0.1:0", throwawayTLS())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { run.Close() })
		ws, err := wsman.NewClient(wsman.Config{Endpoint: run.URL, Auth: wsman.AuthKerberos, Username: testkdc.User + "@" + testkdc.Realm,
			Password: kdc.Password, Insecure: true, Kerberos: wsman.KerberosConfig{Krb5Conf: kdc.Krb5Conf, SPN: testkdc.SPN}})
		if err != nil {
			t.Fatal(err)
		}
		if ws.Sealing() {
			t.Fatal("the client seals over HTTPS")
		}
		if _, err := wmi.New(ws).GetByName(ctx, "Default"); err != nil {
			t.Fatalf("kerberos over HTTPS, strict channel binding: %v", err)
		}
	})

	t.Run("wrong password asks the KDC once", func(t *testing.T) {
		cl := kerberosClient(t, kdc, endpoint, testkdc.User+"@"+testkdc.Realm, "not-"+kdc.Password, testkdc.SPN)
		before := strings.Count(kdc.Log(), "PREAUTH_FAILED")
		for range 3 {
			_, err := cl.GetByName(ctx, "krb-provider")
			var ke *wsman.KerberosError
			if !errors.As(err, &ke) || !strings.Contains(err.Error(), "the KDC refused the password") {
				t.Fatalf("error %v, want a kerberos error about the password", err)
			}
			if strings.Contains(err.Error(), kdc.Password) {
				t.Fatal("the error shows the password")
			}
		}
		if n := strings.Count(kdc.Log(), "PREAUTH_FAILED") - before; n != 1 {
			t.Errorf("the KDC logged %d failed pre-authentications, want 1: a wrong password must not be tried again", n)
		}
		if cl.Requests() != 0 {
			t.Errorf("%d requests reached the server without a ticket", cl.Requests())
		}
	})

	t.Run("unknown user", func(t *testing.T) {
		cl := kerberosClient(t, kdc, endpoint, "mallory@"+testkdc.Realm, kdc.Password, testkdc.SPN)
		_, err := cl.GetByName(ctx, "krb-provider")
		if err == nil || !strings.Contains(err.Error(), "the KDC does not know the user") {
			t.Fatalf("error %v", err)
		}
	})

	t.Run("unknown service principal", func(t *testing.T) {
		cl := kerberosClient(t, kdc, endpoint, testkdc.User+"@"+testkdc.Realm, kdc.Password, "HTTP/nowhere.ipam.test")
		_, err := cl.GetByName(ctx, "krb-provider")
		if err == nil || !strings.Contains(err.Error(), "the KDC does not know the service principal") ||
			!strings.Contains(err.Error(), "HTTP/nowhere.ipam.test") {
			t.Fatalf("error %v", err)
		}
	})

	t.Run("ticket for another service", func(t *testing.T) {
		// The KDC issues it, but the emulator holds no key for it: HTTP 401, as WinRM answers.
		cl := kerberosClient(t, kdc, endpoint, testkdc.User+"@"+testkdc.Realm, kdc.Password, testkdc.OtherSPN)
		_, err := cl.GetByName(ctx, "krb-provider")
		var he *wsman.HTTPError
		if !errors.As(err, &he) || he.Status != http.StatusUnauthorized || !strings.Contains(err.Error(), "the credentials were refused") {
			t.Fatalf("error %v, want HTTP 401", err)
		}
		// What the provider's advice about the realm and the service principal rests on.
		if f, _ := failure.Of(err); f.Kind != failure.KindCredentialsRefused || f.Auth != wsman.AuthKerberos {
			t.Fatalf("facts %+v", f)
		}
	})

	t.Run("malformed tokens", func(t *testing.T) {
		// Hostile or broken tokens are refused with 401, and the server goes on.
		for _, h := range []string{
			"Negotiate " + base64.StdEncoding.EncodeToString([]byte{0x60, 0x82, 0xff, 0xff, 0x06}),
			"Negotiate " + base64.StdEncoding.EncodeToString([]byte{0xa0, 0x03, 0x30, 0x01, 0x00}),
			"Kerberos " + base64.StdEncoding.EncodeToString([]byte{0x60, 0x05, 0x06, 0x03, 0x2a, 0x86, 0x48}),
			"Kerberos " + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0x30, 0x80}, 64)),
			"Kerberos !!not-base64",
		} {
			req, err := http.NewRequest(http.MethodPost, endpoint, strings.NewReader("<x/>"))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", soapContentType)
			req.Header.Set("Authorization", h)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatalf("%s: %v", h, err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s: HTTP %d, want 401", h, resp.StatusCode)
			}
		}
		if _, err := cl.GetByName(ctx, "krb-provider"); err != nil {
			t.Fatalf("after malformed tokens: %v", err)
		}
	})

	t.Run("no KDC", func(t *testing.T) {
		conf := t.TempDir() + "/krb5.conf"
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		if err := os.WriteFile(conf, []byte("[libdefaults]\n udp_preference_limit = 1\n[realms]\n "+testkdc.Realm+" = {\n  kdc = "+addr+"\n }\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		ws, err := wsman.NewClient(wsman.Config{Endpoint: endpoint, Auth: wsman.AuthKerberos, Username: testkdc.User + "@" + testkdc.Realm,
			Password: kdc.Password, Kerberos: wsman.KerberosConfig{Krb5Conf: conf, SPN: testkdc.SPN}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = wmi.New(ws).GetByName(ctx, "krb-provider")
		if err == nil || !strings.Contains(err.Error(), "no KDC of the realm answered") {
			t.Fatalf("error %v", err)
		}
		if f, _ := failure.Of(err); f.Kind != failure.KindKerberosNoKDC || f.Krb5Conf != conf || f.Realm != testkdc.Realm || !f.NotActed {
			t.Fatalf("facts %+v", f)
		}
	})
}

// MIT's own GSS-API, through curl --negotiate with a ticket from kinit, logs in to the emulator:
// the emulator takes tokens that gokrb5 did not make.
func TestConformanceKerberosCurl(t *testing.T) {
	needTools(t, "curl", "kinit")
	kdc := testkdc.Start(t)
	// curl logs in with Kerberos but cannot seal: a server that allows unencrypted traffic.
	endpoint := startKerberosEmulatorWith(t, kdc, false)
	u, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	// The service's name must resolve to the emulator: curl asks for a ticket for HTTP@<host>.
	svcURL := "http://" + testkdc.Host + ":" + u.Port() + "/wsman"
	resolve := testkdc.Host + ":" + u.Port() + ":127.0.0.1"
	env := append(cleanEnv(), kdc.Env()...)

	kctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	kinit := exec.CommandContext(kctx, "kinit", testkdc.User+"@"+testkdc.Realm)
	kinit.Env = env
	kinit.Stdin = strings.NewReader(kdc.Password + "\n")
	if out, err := kinit.CombinedOutput(); err != nil {
		t.Fatalf("kinit: %v\n%s\nKDC log:\n%s", err, out, kdc.Log())
	}
	curl := func(args ...string) (int, []byte, []byte) {
		t.Helper()
		base := []string{"-sS", "--resolve", resolve, "-H", "Content-Type: " + soapContentType,
			"--data-binary", "@" + exampleSOAP + "/add-provider.xml", "-w", `%{stderr}HTTP_STATUS=%{http_code}\n`}
		res := runCommand(t, repoRoot(t), env, "curl", append(append(base, args...), svcURL)...)
		if res.code != 0 {
			t.Fatalf("curl: exit %d: %s", res.code, res.stderr)
		}
		m := httpStatusLine.FindSubmatch(res.stderr)
		if m == nil {
			t.Fatalf("curl: no status in %q", res.stderr)
		}
		code, _ := strconv.Atoi(string(m[1]))
		return code, res.stdout, res.stderr
	}

	status, body, stderr := curl("--negotiate", "-u", ":")
	if status != http.StatusOK {
		t.Fatalf("curl --negotiate: HTTP %d\n%s\n%s\nKDC log:\n%s", status, body, stderr, kdc.Log())
	}
	out := methodOutput(t, "add-provider.xml", parseResponse(t, "curl --negotiate", body), "AddProviderAddressSpace")
	if pa := outputInstance(t, "add-provider.xml", out); text(pa, "Name") != "DC-West" {
		t.Fatalf("add-provider.xml output: %+v", pa)
	}
	// Read back with our client and a ticket of its own.
	cl := kerberosClient(t, kdc, endpoint, testkdc.User+"@"+testkdc.Realm, kdc.Password, testkdc.SPN)
	if _, err := cl.GetByName(context.Background(), "DC-West"); err != nil {
		t.Fatalf("read back: %v", err)
	}

	// With Windows' defaults the same login is taken but the unsealed message is refused: HTTP 500
	// with an empty body, as Windows answers after a Kerberos login.
	strict, err := url.Parse(startKerberosEmulator(t, kdc))
	if err != nil {
		t.Fatal(err)
	}
	strictRes := runCommand(t, repoRoot(t), env, "curl", "-sS", "--negotiate", "-u", ":", "--resolve", testkdc.Host+":"+strict.Port()+":127.0.0.1",
		"-H", "Content-Type: "+soapContentType, "--data-binary", "@"+exampleSOAP+"/add-provider.xml", "-w", `%{stderr}HTTP_STATUS=%{http_code}\n`,
		"http://"+testkdc.Host+":"+strict.Port()+"/wsman")
	if m := httpStatusLine.FindSubmatch(strictRes.stderr); m == nil || string(m[1]) != "500" || len(strictRes.stdout) != 0 {
		t.Fatalf("curl --negotiate without sealing against Windows' defaults: %q / %q; want HTTP 500 and no body", strictRes.stdout, strictRes.stderr)
	}

	// Without a login the emulator offers Negotiate and Kerberos, and no Basic.
	status, _, stderr = curl("-D", "/dev/stderr")
	headers := strings.ToLower(string(stderr))
	if status != http.StatusUnauthorized || !strings.Contains(headers, "www-authenticate: kerberos") ||
		strings.Contains(headers, "basic") {
		t.Fatalf("without a ticket: HTTP %d\n%s", status, stderr)
	}
}
