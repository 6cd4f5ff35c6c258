package wsman_test

import (
	"bytes"
	"cmp"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/winipam/terraform-provider-ipam/internal/emulator"
	"github.com/winipam/terraform-provider-ipam/internal/failure"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

// These tests exercise the HTTP client end to end: against the emulator over real HTTP(S) on
// 127.0.0.1, and against small httptest servers that play back responses in the shape Windows writes
// them (testdata/windows: hand-made, except those named after the project that recorded them).

const (
	testUser = "ipamadmin"
	testPass = "Corr3ct-H0rse-Battery"

	addressSpaceURI = wsman.WMIBase + "root/microsoft/ipam/MSFT_IPAM_AddressSpace"
	namespaceURI    = wsman.WMIBase + "root/microsoft/ipam/*"
)

// quiet discards the emulator's request log and the TLS handshake errors the tests provoke.
var quiet = log.New(io.Discard, "", 0)

// fastRetry keeps retries cheap: the suite must stay fast.
func fastRetry(attempts int) *wsman.RetryPolicy {
	return &wsman.RetryPolicy{Attempts: attempts, Base: time.Millisecond, Max: 5 * time.Millisecond}
}

// testCtx bounds every test.
func testCtx(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func newClient(t *testing.T, cfg wsman.Config) *wsman.Client {
	t.Helper()
	if cfg.Retry == nil {
		cfg.Retry = fastRetry(3)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	c, err := wsman.NewClient(cfg)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

// --- a counting front for the emulator ---------------------------------------------------------

// stats is what the server side saw.
type stats struct {
	mu          sync.Mutex
	requests    int
	actions     map[string]int
	inflight    int
	maxInflight int
	negotiates  int // NTLM NEGOTIATE messages: one per handshake
	conns       int
	released    []string // EnumerationContext of each Release
	authHeaders []string
	sealed      int // requests whose body was sealed ([MS-WSMV] 2.2.9.1)
}

func (s *stats) snapshot() (requests, negotiates, conns int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests, s.negotiates, s.conns
}

func (s *stats) action(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.actions[name]
}

func (s *stats) max() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxInflight
}

type testServer struct {
	*emulator.Server
	URL string // the WS-Man endpoint
	st  *stats
}

type serverOpts struct {
	tls *tls.Config
	// holdResponse delays each response's first byte: the time is spent inside the emulator's
	// operation, where its MaxConcurrentOperations quota counts it.
	holdResponse time.Duration
	// intercept, when it returns true, has answered the request in the emulator's place.
	intercept func(w http.ResponseWriter, r *http.Request) bool
}

// startServer runs an emulator behind a handler that counts what arrives. (emulator.Start does the
// same without the counting; TestCertificateAuth uses it directly.)
func startServer(t *testing.T, cfg emulator.Config, o serverOpts) *testServer {
	t.Helper()
	if cfg.Username == "" {
		cfg.Username, cfg.Password = testUser, testPass
	}
	cfg.Logger = quiet
	srv, err := emulator.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	st := &stats{actions: map[string]int{}}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		action, releaseCtx := "?", ""
		if env, err := wsman.Parse(body); err == nil {
			action = shortAction(env.Header.Action)
			if rel, err := env.Release(); err == nil {
				releaseCtx = rel.Context
			}
		}
		auth := r.Header.Get("Authorization")
		st.mu.Lock()
		st.requests++
		if wsman.IsEncrypted(r.Header.Get("Content-Type")) {
			st.sealed++
		}
		st.actions[action]++
		st.inflight++
		if st.inflight > st.maxInflight {
			st.maxInflight = st.inflight
		}
		if auth != "" {
			st.authHeaders = append(st.authHeaders, auth)
		}
		if isNTLMNegotiate(auth) {
			st.negotiates++
		}
		if releaseCtx != "" {
			st.released = append(st.released, releaseCtx)
		}
		st.mu.Unlock()
		defer func() {
			st.mu.Lock()
			st.inflight--
			st.mu.Unlock()
		}()
		if o.holdResponse > 0 {
			w = &heldWriter{ResponseWriter: w, d: o.holdResponse}
		}
		if o.intercept != nil && o.intercept(w, r) {
			return
		}
		srv.ServeHTTP(w, r)
	})
	hs := httptest.NewUnstartedServer(h)
	hs.Config.ConnContext = srv.ConnContext
	hs.Config.ErrorLog = quiet
	hs.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			st.mu.Lock()
			st.conns++
			st.mu.Unlock()
		}
	}
	if o.tls != nil {
		if err := srv.UseTLSCertificate(o.tls.Certificates[0]); err != nil {
			t.Fatal(err)
		}
		hs.TLS = o.tls
		hs.StartTLS()
	} else {
		hs.Start()
	}
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
	})
	return &testServer{Server: srv, URL: hs.URL + "/wsman", st: st}
}

type heldWriter struct {
	http.ResponseWriter
	d    time.Duration
	once sync.Once
}

func (w *heldWriter) hold()                  { w.once.Do(func() { time.Sleep(w.d) }) }
func (w *heldWriter) WriteHeader(status int) { w.hold(); w.ResponseWriter.WriteHeader(status) }
func (w *heldWriter) Write(b []byte) (int, error) {
	w.hold()
	return w.ResponseWriter.Write(b)
}

func shortAction(a string) string {
	if a == "" {
		return "Identify"
	}
	return a[strings.LastIndex(a, "/")+1:]
}

func isNTLMNegotiate(auth string) bool {
	scheme, tok, ok := strings.Cut(auth, " ")
	if !ok || (!strings.EqualFold(scheme, "Negotiate") && !strings.EqualFold(scheme, "NTLM")) {
		return false
	}
	b, err := base64.StdEncoding.DecodeString(tok)
	return err == nil && len(b) > 12 && bytes.HasPrefix(b, []byte("NTLMSSP\x00")) && b[8] == 1
}

// --- requests ----------------------------------------------------------------------------------

func identify(ctx context.Context, c *wsman.Client, idempotent bool) error {
	_, err := c.Do(ctx, wsman.Request{Body: wsman.Identify{}, Idempotent: idempotent})
	return err
}

func addSpace(ctx context.Context, c *wsman.Client, name, description string) (*wsman.InvokeOutput, error) {
	params := []wsman.Property{wsman.Scalar("Name", name)}
	if description != "" {
		params = append(params, wsman.Scalar("Description", description))
	}
	return c.Invoke(ctx, addressSpaceURI, "AddProviderAddressSpace", params, false)
}

// spaceNames enumerates the address spaces whose name matches a WQL LIKE pattern.
func spaceNames(ctx context.Context, t *testing.T, c *wsman.Client, like string) []string {
	t.Helper()
	var names []string
	err := c.Enumerate(ctx, namespaceURI, "SELECT * FROM MSFT_IPAM_AddressSpace WHERE Name LIKE '"+like+"'", func(in *wsman.Instance) error {
		n, _ := in.Text("Name")
		names = append(names, n)
		return nil
	})
	if err != nil {
		t.Fatalf("enumerate: %v", err)
	}
	return names
}

// --- assertions --------------------------------------------------------------------------------

func wantContains(t *testing.T, msg string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(msg, s) {
			t.Errorf("message does not contain %q:\n%s", s, msg)
		}
	}
}

// wantClean checks that an error message carries no raw XML and no credentials.
func wantClean(t *testing.T, err error, secrets ...string) {
	t.Helper()
	msg := err.Error()
	if strings.Contains(msg, "<") {
		t.Errorf("error message contains raw XML: %s", msg)
	}
	for _, s := range append(secrets, testPass) {
		if s != "" && strings.Contains(msg, s) {
			t.Errorf("error message contains a secret: %s", msg)
		}
	}
}

// wantKind checks what a failure reports of itself (failure.Facts), on which the front ends' advice
// rests, and returns the facts.
func wantKind(t *testing.T, err error, kind failure.Kind) failure.Facts {
	t.Helper()
	f, ok := failure.Of(err)
	if !ok || f.Kind != kind {
		t.Errorf("facts %+v (reported: %v), want kind %d: %v", f, ok, kind, err)
	}
	return f
}

func asTransport(t *testing.T, err error) *wsman.TransportError {
	t.Helper()
	var te *wsman.TransportError
	if !errors.As(err, &te) {
		t.Fatalf("error is %T (%v), want *wsman.TransportError", err, err)
	}
	return te
}

func asHTTP(t *testing.T, err error) *wsman.HTTPError {
	t.Helper()
	var he *wsman.HTTPError
	if !errors.As(err, &he) {
		t.Fatalf("error is %T (%v), want *wsman.HTTPError", err, err)
	}
	return he
}

func asFault(t *testing.T, err error) *wsman.Fault {
	t.Helper()
	var f *wsman.Fault
	if !errors.As(err, &f) {
		t.Fatalf("error is %T (%v), want *wsman.Fault", err, err)
	}
	return f
}

// closedPort returns a 127.0.0.1 address nobody listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// --- certificates ------------------------------------------------------------------------------

type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
	pool *x509.CertPool
}

var serial atomic.Int64

func newCA(cn string) *testCA {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial.Add(1)), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testCA{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pool: pool}
}

// issue signs a leaf: a server certificate for dnsNames, or a client certificate for cn.
func (ca *testCA) issue(cn string, dnsNames []string, client bool) (certPEM, keyPEM []byte, pair tls.Certificate) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial.Add(1)), Subject: pkix.Name{CommonName: cn}, DNSNames: dnsNames,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if client {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		panic(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		panic(err)
	}
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
	pair, err = tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		panic(err)
	}
	return certPEM, keyPEM, pair
}

// The server certificate names only ipam01.test, not 127.0.0.1, so that connecting by address
// fails host name verification unless TLSServerName is set.
const serverName = "ipam01.test"

type pkiSet struct {
	ca                    *testCA
	server                tls.Certificate
	clientCert, clientKey []byte // CN = testUser
	otherCert, otherKey   []byte // CN = someone-else
}

var testPKI = sync.OnceValue(func() *pkiSet {
	ca := newCA("IPAM test CA")
	_, _, server := ca.issue(serverName, []string{serverName}, false)
	cc, ck, _ := ca.issue(testUser, nil, true)
	oc, ok, _ := ca.issue("someone-else", nil, true)
	return &pkiSet{ca: ca, server: server, clientCert: cc, clientKey: ck, otherCert: oc, otherKey: ok}
})

func serverTLS() *tls.Config {
	p := testPKI()
	return &tls.Config{Certificates: []tls.Certificate{p.server}, ClientCAs: p.ca.pool,
		ClientAuth: tls.VerifyClientCertIfGiven, MinVersion: tls.VersionTLS12}
}

// --- NewClient ---------------------------------------------------------------------------------

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

// --- authentication ----------------------------------------------------------------------------

func TestAuthAgainstEmulator(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name         string
		disableBasic bool
		auth, user   string
		pass         string
		wantErr      []string // nil: success
	}{
		{name: "basic", auth: "basic", user: testUser, pass: testPass},
		{name: "basic wrong password", auth: "basic", user: testUser, pass: "wrong",
			wantErr: []string{"HTTP 401", "the server offers Negotiate, Basic"}},
		{name: "basic disabled on the server", disableBasic: true, auth: "basic", user: testUser, pass: testPass,
			wantErr: []string{"HTTP 401", "the server offers Negotiate)"}},
		{name: "ntlm DOMAIN\\user", auth: "ntlm", user: `CORP\` + testUser, pass: testPass},
		{name: "ntlm user@domain", auth: "ntlm", user: testUser + "@corp.example", pass: testPass},
		{name: "ntlm local account", auth: "ntlm", user: testUser, pass: testPass},
		{name: "ntlm is the default", auth: "", user: testUser, pass: testPass},
		{name: "ntlm with basic disabled", disableBasic: true, auth: "ntlm", user: `CORP\` + testUser, pass: testPass},
		{name: "ntlm wrong password", auth: "ntlm", user: `CORP\` + testUser, pass: "wrong",
			wantErr: []string{"HTTP 401", "Negotiate", "the credentials were refused"}},
		{name: "ntlm wrong user", auth: "ntlm", user: `CORP\mallory`, pass: testPass, wantErr: []string{"HTTP 401"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, emulator.Config{DisableBasic: tc.disableBasic}, serverOpts{})
			c := newClient(t, wsman.Config{Endpoint: srv.URL, Auth: tc.auth, Username: tc.user, Password: tc.pass})
			ctx := testCtx(t, 10*time.Second)
			err := identify(ctx, c, true)
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("identify: %v", err)
				}
				// A real call works too, and lands in the store.
				if _, err := addSpace(ctx, c, "auth-check", ""); err != nil {
					t.Fatalf("add: %v", err)
				}
				if got := spaceNames(ctx, t, c, "auth-check"); len(got) != 1 {
					t.Fatalf("enumerated %v", got)
				}
				return
			}
			if err == nil {
				t.Fatal("identify succeeded; want 401")
			}
			he := asHTTP(t, err)
			if he.Status != http.StatusUnauthorized {
				t.Errorf("status %d, want 401", he.Status)
			}
			wantContains(t, err.Error(), tc.wantErr...)
			wantClean(t, err, tc.pass)
			// The facts the advice rests on: the scheme used, and whether the server offers Basic.
			f := wantKind(t, err, failure.KindCredentialsRefused)
			if want := cmp.Or(tc.auth, "ntlm"); f.Auth != want || !f.NotActed || f.OffersScheme("Basic") == tc.disableBasic {
				t.Errorf("facts %+v: want auth %s, not acted, Basic offered %v", f, want, !tc.disableBasic)
			}
			// One login attempt: one request with Basic, NEGOTIATE and AUTHENTICATE with NTLM.
			if legs := map[bool]int64{true: 1, false: 2}[tc.auth == "basic"]; c.Requests() != legs {
				t.Errorf("a refused login was retried: %d requests, want %d", c.Requests(), legs)
			}
			// Credentials do not heal within a run, and each failed login counts towards a
			// domain account's lockout: later calls fail the same way without reaching the server.
			seen, _, _ := srv.st.snapshot()
			for range 3 {
				if err2 := identify(ctx, c, true); err2 == nil || err2.Error() != err.Error() {
					t.Fatalf("after a refused login: %v, want %v", err2, err)
				}
			}
			if now, _, _ := srv.st.snapshot(); now != seen || c.Requests() > 2 {
				t.Errorf("after a refused login, %d more requests reached the server (client sent %d in all)", now-seen, c.Requests())
			}
		})
	}
}

// A burst of first requests with a wrong password costs one failed login, not one per request:
// domain accounts lock out after a few.
func TestRefusedLoginBurst(t *testing.T) {
	t.Parallel()
	for _, auth := range []string{"basic", "ntlm"} {
		t.Run(auth, func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, emulator.Config{}, serverOpts{})
			c := newClient(t, wsman.Config{Endpoint: srv.URL, Auth: auth, Username: `CORP\` + testUser, Password: "wrong", MaxConcurrent: 16})
			ctx := testCtx(t, 10*time.Second)
			var wg sync.WaitGroup
			for range 32 {
				wg.Go(func() {
					if err := identify(ctx, c, true); err == nil || asHTTP(t, err).Status != http.StatusUnauthorized {
						t.Errorf("identify: %v, want 401", err)
					}
				})
			}
			wg.Wait()
			requests, negotiates, _ := srv.st.snapshot()
			if legs := map[string]int64{"basic": 1, "ntlm": 2}[auth]; c.Requests() != legs || negotiates > 1 {
				t.Errorf("the client sent %d requests (%d reached the server, %d NTLM handshakes); want one login attempt", c.Requests(), requests, negotiates)
			}
		})
	}
}

// A burst of first requests with the right password: after the first login, requests run in
// parallel, each NTLM connection logs in once, and no handshake leg strays onto another
// connection (which the server would answer with 401). Rounds make a race show.
func TestNTLMConcurrentLogins(t *testing.T) {
	t.Parallel()
	for round := range 3 {
		srv := startServer(t, emulator.Config{}, serverOpts{holdResponse: 50 * time.Millisecond})
		c := newClient(t, wsman.Config{Endpoint: srv.URL, Auth: "ntlm", Username: `CORP\` + testUser, Password: testPass, MaxConcurrent: 16})
		ctx := testCtx(t, 20*time.Second)
		var wg sync.WaitGroup
		for range 48 {
			wg.Go(func() {
				if err := identify(ctx, c, true); err != nil {
					t.Errorf("round %d: %v", round, err)
				}
			})
		}
		wg.Wait()
		_, negotiates, conns := srv.st.snapshot()
		if negotiates != conns {
			t.Errorf("round %d: %d NTLM handshakes on %d connections, want one per connection", round, negotiates, conns)
		}
		if m := srv.st.max(); m < 2 || m > 16 {
			t.Errorf("round %d: at most %d requests in flight, want 2..16", round, m)
		}
	}
}

// WinRM keeps an NTLM login, and the sealing that comes with it, for the life of the connection;
// the client must reuse it rather than log in on every request. Over plain HTTP, against a server
// with Windows' defaults, every message is sealed.
func TestNTLMKeepsConnectionAuthenticated(t *testing.T) {
	t.Parallel()
	srv := startServer(t, emulator.Config{DisableBasic: true, RequireEncryption: true}, serverOpts{})
	c := newClient(t, wsman.Config{Endpoint: srv.URL, Auth: "ntlm", Username: `CORP\` + testUser, Password: testPass})
	ctx := testCtx(t, 10*time.Second)

	if err := identify(ctx, c, true); err != nil {
		t.Fatal(err)
	}
	req1, hs1, conns1 := srv.st.snapshot()
	if hs1 != 1 || req1 != 3 || conns1 != 1 {
		t.Fatalf("first request: %d HTTP requests, %d handshakes, %d connections; want 3 (negotiate, authenticate, the sealed request), 1, 1", req1, hs1, conns1)
	}
	for i := 0; i < 3; i++ {
		if _, err := addSpace(ctx, c, fmt.Sprintf("kept-%d", i), ""); err != nil {
			t.Fatal(err)
		}
	}
	req2, hs2, conns2 := srv.st.snapshot()
	if hs2 != 1 || conns2 != 1 || req2 != req1+3 {
		t.Fatalf("after 3 more calls: %d HTTP requests, %d handshakes, %d connections; want %d, 1, 1", req2, hs2, conns2, req1+3)
	}
	srv.st.mu.Lock()
	defer srv.st.mu.Unlock()
	if srv.st.sealed != 4 {
		t.Errorf("%d of the 4 messages were sealed", srv.st.sealed)
	}
	for _, h := range srv.st.authHeaders {
		if strings.HasPrefix(strings.ToLower(h), "basic ") {
			t.Errorf("the NTLM client sent a Basic header, i.e. the password in clear: %.12s...", h)
		}
	}
}

// A session belongs to its connection. A dropped connection, a refused sealed message or an answer
// in clear on a sealed connection each end it: the next request opens a connection and logs in
// anew, never reusing a sequence number, and succeeds.
func TestSealedSessionsEndWithTheirConnection(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t, 20*time.Second)
	t.Run("dropped connection", func(t *testing.T) {
		t.Parallel()
		srv := startServer(t, emulator.Config{DisableBasic: true, RequireEncryption: true}, serverOpts{})
		c := newClient(t, wsman.Config{Endpoint: srv.URL, Username: `CORP\` + testUser, Password: testPass})
		if err := identify(ctx, c, true); err != nil {
			t.Fatal(err)
		}
		if err := srv.InjectFault(emulator.FaultRule{Kind: emulator.FaultDropBefore, Count: 1}); err != nil {
			t.Fatal(err)
		}
		if err := identify(ctx, c, true); err != nil {
			t.Fatalf("after a dropped connection: %v", err)
		}
		if _, negotiates, conns := srv.st.snapshot(); negotiates != 2 || conns != 2 {
			t.Errorf("%d logins on %d connections; want a new login on a new connection", negotiates, conns)
		}
	})
	t.Run("401 to a sealed message", func(t *testing.T) {
		t.Parallel()
		var refused atomic.Bool
		srv := startServer(t, emulator.Config{DisableBasic: true, RequireEncryption: true}, serverOpts{
			intercept: func(w http.ResponseWriter, r *http.Request) bool {
				if wsman.IsEncrypted(r.Header.Get("Content-Type")) && refused.CompareAndSwap(false, true) {
					w.Header().Set("WWW-Authenticate", "Negotiate")
					w.WriteHeader(http.StatusUnauthorized)
					return true
				}
				return false
			}})
		c := newClient(t, wsman.Config{Endpoint: srv.URL, Username: `CORP\` + testUser, Password: testPass})
		// Not idempotent: a 401 means the message was not processed, so it may go again.
		if _, err := addSpace(ctx, c, "after-401", ""); err != nil {
			t.Fatalf("a refused sealed message was not sent again on a new login: %v", err)
		}
		if _, negotiates, conns := srv.st.snapshot(); negotiates != 2 || conns != 2 {
			t.Errorf("%d logins on %d connections; want two of each", negotiates, conns)
		}
		// The refusal was not taken for a wrong password: the client still works.
		if err := identify(ctx, c, true); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("413 in clear", func(t *testing.T) {
		t.Parallel()
		srv := startServer(t, emulator.Config{DisableBasic: true, RequireEncryption: true, MaxRequestSize: 16 * 1024}, serverOpts{})
		c := newClient(t, wsman.Config{Endpoint: srv.URL, Username: `CORP\` + testUser, Password: testPass})
		_, err := addSpace(ctx, c, "big", strings.Repeat("x", 3000)) // fits the server's limit
		if err != nil {
			t.Fatal(err)
		}
		_, err = addSpace(ctx, c, "too-big", strings.Repeat("é", 12000))
		if he := asHTTP(t, err); he.Status != http.StatusRequestEntityTooLarge {
			t.Fatalf("want 413, got %v", err)
		}
		wantContains(t, err.Error(), "MaxEnvelopeSizekb", "was not processed")
		wantKind(t, err, failure.KindTooLarge)
		if err := identify(ctx, c, true); err != nil {
			t.Fatalf("after a 413: %v", err)
		}
		if _, negotiates, _ := srv.st.snapshot(); negotiates != 2 {
			t.Errorf("%d logins; the connection that got an answer in clear must not be used again", negotiates)
		}
	})
}

// Channel bindings: with CbtHardeningLevel=Strict, NTLM over HTTPS logs in only with bindings that
// name the server's certificate, which the client sends.
func TestNTLMChannelBindingStrict(t *testing.T) {
	t.Parallel()
	p := testPKI()
	run, err := emulator.Start(context.Background(), emulator.Config{Username: testUser, Password: testPass, DisableBasic: true,
		CBTHardening: "strict", Logger: quiet}, "127.0.0.1:0", serverTLS())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })
	c := newClient(t, wsman.Config{Endpoint: run.URL, Username: `CORP\` + testUser, Password: testPass, CACert: p.ca.pem, TLSServerName: serverName})
	if c.Sealing() {
		t.Fatal("a client over HTTPS seals")
	}
	if err := identify(testCtx(t, 10*time.Second), c, true); err != nil {
		t.Fatalf("NTLM over HTTPS with strict channel binding: %v", err)
	}
}

func TestCertificateAuth(t *testing.T) {
	t.Parallel()
	p := testPKI()
	run, err := emulator.Start(context.Background(), emulator.Config{Username: testUser, Password: testPass, DisableBasic: true, Logger: quiet}, "127.0.0.1:0", serverTLS())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })
	cases := []struct {
		name       string
		cert, key  []byte
		wantStatus int
	}{
		{name: "mapped certificate", cert: p.clientCert, key: p.clientKey},
		{name: "unmapped certificate", cert: p.otherCert, key: p.otherKey, wantStatus: http.StatusUnauthorized},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newClient(t, wsman.Config{Endpoint: run.URL, Auth: "certificate", CACert: p.ca.pem, TLSServerName: serverName,
				ClientCert: tc.cert, ClientKey: tc.key})
			ctx := testCtx(t, 10*time.Second)
			_, err := addSpace(ctx, c, "by-certificate", "")
			if tc.wantStatus == 0 {
				if err != nil {
					t.Fatalf("add: %v", err)
				}
				return
			}
			he := asHTTP(t, err)
			if he.Status != tc.wantStatus {
				t.Fatalf("status %d, want %d", he.Status, tc.wantStatus)
			}
			if f := wantKind(t, err, failure.KindCredentialsRefused); f.Auth != "certificate" {
				t.Errorf("facts %+v: want auth certificate", f)
			}
			wantClean(t, err)
		})
	}
}

// --- TLS ---------------------------------------------------------------------------------------

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
		{name: "ca_cert but wrong host name", cfg: wsman.Config{Endpoint: run.URL, Auth: "basic", CACert: p.ca.pem},
			wantKind: failure.KindCertificateName},
		{name: "ca_cert and tls_server_name", cfg: wsman.Config{Endpoint: run.URL, Auth: "basic", CACert: p.ca.pem, TLSServerName: serverName}},
		{name: "ntlm over tls", cfg: wsman.Config{Endpoint: run.URL, Auth: "ntlm", Username: `CORP\` + testUser, CACert: p.ca.pem, TLSServerName: serverName}},
		{name: "insecure", cfg: wsman.Config{Endpoint: run.URL, Auth: "basic", Insecure: true}},
		{name: "ca_cert of another authority", cfg: wsman.Config{Endpoint: run.URL, Auth: "basic", CACert: newCA("other CA").pem, TLSServerName: serverName},
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

// --- error classes of the HTTP layer -----------------------------------------------------------

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "windows", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestHTTPErrorClasses(t *testing.T) {
	t.Parallel()
	soap := func(status int, body []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/soap+xml;charset=UTF-8")
			w.WriteHeader(status)
			_, _ = w.Write(body)
		}
	}
	raw := func(status int, contentType string, body string, headers ...string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			for i := 0; i+1 < len(headers); i += 2 {
				w.Header().Add(headers[i], headers[i+1])
			}
			if contentType != "" {
				w.Header().Set("Content-Type", contentType)
			}
			w.WriteHeader(status)
			_, _ = io.WriteString(w, body)
		}
	}
	cases := []struct {
		name        string
		handler     http.HandlerFunc
		auth        string
		maxResponse int64
		idempotent  bool
		check       func(t *testing.T, err error)
		wantMsg     []string
		wantReqs    int64
		// tagName: the message names an element as <name> (the codec's wording, envelope.go);
		// only the body's content must stay out of it.
		tagName bool
	}{
		{name: "401 basic not offered", auth: "basic", handler: raw(401, "", "", "WWW-Authenticate", "Negotiate", "WWW-Authenticate", "Kerberos"),
			check: func(t *testing.T, err error) {
				wantStatus(t, err, 401)
				if f := wantKind(t, err, failure.KindCredentialsRefused); f.Auth != "basic" || f.OffersScheme("Basic") || !f.OffersScheme("Kerberos") {
					t.Errorf("facts %+v", f)
				}
			},
			wantMsg: []string{"HTTP 401 Unauthorized", "the server offers Negotiate, Kerberos"}},
		{name: "401 no scheme", auth: "basic", handler: raw(401, "", ""),
			check: func(t *testing.T, err error) { wantStatus(t, err, 401) }, wantMsg: []string{"no authentication scheme"}},
		{name: "404", handler: raw(404, "text/html", "<html><body>Not Found</body></html>"),
			check: func(t *testing.T, err error) { wantStatus(t, err, 404); wantKind(t, err, failure.KindWrongPath) }, wantMsg: []string{"HTTP 404", "/wsman"}},
		{name: "415", handler: raw(415, "", ""),
			check: func(t *testing.T, err error) { wantStatus(t, err, 415); wantKind(t, err, failure.KindNotWinRM) }, wantMsg: []string{"HTTP 415", "application/soap+xml"}},
		{name: "500 empty", handler: raw(500, "", ""), idempotent: true,
			check: func(t *testing.T, err error) {
				if he := asHTTP(t, err); he.Status != 500 || !he.EmptyBody {
					t.Errorf("got %+v", he)
				}
				wantKind(t, err, failure.KindUnencryptedRefused)
			},
			wantMsg: []string{"HTTP 500", "empty body", "refuses unencrypted traffic", "AllowUnencrypted"}, wantReqs: 1},
		{name: "500 html", handler: raw(500, "text/html", "<html><body><h1>Runtime Error</h1></body></html>"),
			check: func(t *testing.T, err error) {
				if he := asHTTP(t, err); he.Status != 500 || he.EmptyBody {
					t.Errorf("got %+v", he)
				}
			},
			wantMsg: []string{"HTTP 500"}},
		{name: "500 SOAP fault", handler: soap(500, readTestdata(t, "fault_provider_wmierror.xml")),
			check: func(t *testing.T, err error) {
				f := asFault(t, err)
				if f.WSManCode != 0x80041019 || f.Code != "Receiver" || f.Subcode.Local != "InternalError" || f.Machine != "ipam01.corp.example" {
					t.Errorf("fault %+v", f)
				}
				if f.Message != "Address space with the same name already exists." {
					t.Errorf("innermost message %q", f.Message)
				}
				w := f.WmiError
				if w == nil {
					t.Fatal("no MSFT_WmiError")
				}
				if w.CIMStatusCode != 11 || w.MessageID != "WIN32 183" || w.ErrorCode != 183 || w.ErrorType != "MI RESULT 11" ||
					w.Message != "Address space with the same name already exists." ||
					w.WindowsErrorMessage != "Cannot create a file when that file already exists." {
					t.Errorf("MSFT_WmiError %+v", w)
				}
			},
			wantMsg: []string{"0x80041019", "Address space with the same name already exists."}},
		{name: "503", handler: raw(503, "", ""), idempotent: true,
			// A refusal gets busyPatience (5) times the attempts (3) before the client gives up.
			check: func(t *testing.T, err error) { wantStatus(t, err, 503); wantKind(t, err, failure.KindBusy) }, wantMsg: []string{"HTTP 503", "busy or starting"}, wantReqs: 15},
		{name: "302 not followed", handler: raw(302, "", "", "Location", "/elsewhere"),
			check: func(t *testing.T, err error) { wantStatus(t, err, 302) }, wantMsg: []string{"HTTP 302"}},
		{name: "200 garbage", handler: raw(200, "application/soap+xml", "this is not XML at all"),
			check: func(t *testing.T, err error) {}, wantMsg: []string{"HTTP 200", "not a SOAP envelope"}},
		{name: "200 html", handler: raw(200, "text/html", "<html><head><title>IIS</title></head><body>Welcome</body></html>"),
			check: func(t *testing.T, err error) {}, wantMsg: []string{"not a SOAP envelope", "root element is"}, tagName: true},
		{name: "200 SOAP 1.1", handler: raw(200, "text/xml", `<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body/></Envelope>`),
			check: func(t *testing.T, err error) {}, wantMsg: []string{"not a SOAP envelope"}},
		{name: "200 truncated", handler: raw(200, "application/soap+xml", `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><x`),
			check: func(t *testing.T, err error) {}, wantMsg: []string{"not a SOAP envelope"}},
		{name: "oversize response", maxResponse: 1024, handler: soap(200, readTestdata(t, "pull_response_epr.xml")),
			check: func(t *testing.T, err error) {}, wantMsg: []string{"exceeds 1024 bytes"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var hits atomic.Int64
			hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/wsman" {
					t.Errorf("request to %s: redirect followed", r.URL.Path)
				}
				hits.Add(1)
				_, _ = io.Copy(io.Discard, r.Body)
				tc.handler(w, r)
			}))
			t.Cleanup(hs.Close)
			auth := tc.auth
			if auth == "" {
				auth = "basic"
			}
			c := newClient(t, wsman.Config{Endpoint: hs.URL, Auth: auth, Username: testUser, Password: testPass, MaxResponseSize: tc.maxResponse})
			err := identify(testCtx(t, 10*time.Second), c, tc.idempotent)
			if err == nil {
				t.Fatal("no error")
			}
			tc.check(t, err)
			wantContains(t, err.Error(), tc.wantMsg...)
			if tc.tagName {
				for _, leaked := range []string{"<title>", "IIS", "Welcome", "<body>"} {
					if strings.Contains(err.Error(), leaked) {
						t.Errorf("the body leaked into the message: %s", err)
					}
				}
			} else {
				wantClean(t, err)
			}
			want := tc.wantReqs
			if want == 0 {
				want = 1
			}
			if hits.Load() != want {
				t.Errorf("server saw %d requests, want %d", hits.Load(), want)
			}
		})
	}

	t.Run("connection refused", func(t *testing.T) {
		t.Parallel()
		c := newClient(t, wsman.Config{Endpoint: "http://" + closedPort(t) + "/wsman", Auth: "basic", Username: testUser, Password: testPass})
		// Not even a non-idempotent request can have reached a server: it is retried.
		_, err := addSpace(testCtx(t, 10*time.Second), c, "x", "")
		te := asTransport(t, err)
		if !te.NotSent || !te.Transient {
			t.Errorf("connection refused: NotSent=%v Transient=%v, want both", te.NotSent, te.Transient)
		}
		wantContains(t, err.Error(), "cannot reach the WinRM endpoint", "connection refused")
		wantKind(t, err, failure.KindConnectionRefused)
		wantClean(t, err)
		if c.Requests() != 3 {
			t.Errorf("%d attempts, want 3", c.Requests())
		}
	})
}

func wantStatus(t *testing.T, err error, status int) {
	t.Helper()
	if he := asHTTP(t, err); he.Status != status {
		t.Errorf("status %d, want %d", he.Status, status)
	}
}

// --- recorded Windows responses ----------------------------------------------------------------

type reply struct {
	status int
	file   string
}

// replayServer answers each request with the next recorded response and keeps the requests.
func replayServer(t *testing.T, replies ...reply) (endpoint string, requests func() []*wsman.Envelope) {
	t.Helper()
	var (
		mu   sync.Mutex
		got  []*wsman.Envelope
		next int
	)
	bodies := make([][]byte, len(replies))
	for i, r := range replies {
		bodies[i] = readTestdata(t, r.file)
	}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		env, err := wsman.Parse(data)
		if err != nil {
			t.Errorf("client sent an unparseable request: %v", err)
		}
		mu.Lock()
		got = append(got, env)
		i := next
		next++
		mu.Unlock()
		if i >= len(replies) {
			t.Errorf("unexpected request %d: %s", i+1, env.Header.Action)
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/soap+xml;charset=UTF-8")
		w.WriteHeader(replies[i].status)
		_, _ = w.Write(bodies[i])
	}))
	t.Cleanup(hs.Close)
	return hs.URL + "/wsman", func() []*wsman.Envelope {
		mu.Lock()
		defer mu.Unlock()
		return append([]*wsman.Envelope(nil), got...)
	}
}

func replayClient(t *testing.T, endpoint string) *wsman.Client {
	return newClient(t, wsman.Config{Endpoint: endpoint, Auth: "basic", Username: testUser, Password: testPass})
}

func actions(envs []*wsman.Envelope) []string {
	var out []string
	for _, e := range envs {
		out = append(out, shortAction(e.Header.Action))
	}
	return out
}

func TestRecordedEnumerateObjectAndEPR(t *testing.T) {
	t.Parallel()
	endpoint, requests := replayServer(t,
		reply{200, "enumerate_response_epr.xml"}, reply{200, "pull_response_epr.xml"}, reply{200, "pull_response_epr_end.xml"})
	c := replayClient(t, endpoint)
	var items []*wsman.Instance
	err := c.Enumerate(testCtx(t, 10*time.Second), namespaceURI, "SELECT * FROM MSFT_IPAM_AddressSpace", func(in *wsman.Instance) error {
		items = append(items, in)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	reqs := requests()
	if got := strings.Join(actions(reqs), ","); got != "Enumerate,Pull,Pull" {
		t.Fatalf("requests %s, want Enumerate,Pull,Pull", got)
	}
	// Each Pull carries the context of the latest response.
	for i, want := range []string{"uuid:22EB9809-5543-4020-A75C-FD95FF06217B", "uuid:8A1D3F55-0C2B-4E6A-9D7F-1B2C3D4E5F60"} {
		p, err := reqs[i+1].Pull()
		if err != nil || p.Context != want {
			t.Errorf("Pull %d: context %+v (%v), want %s", i+1, p, err, want)
		}
	}
	var names []string
	for _, in := range items {
		n, _ := in.Text("Name")
		names = append(names, n)
		if in.Class != "MSFT_IPAM_AddressSpace" || in.ResourceURI != addressSpaceURI {
			t.Errorf("item %s: class %q, resource URI %q", n, in.Class, in.ResourceURI)
		}
		if in.Has("EndpointReference") || in.Has("Address") || in.Has("ReferenceParameters") {
			t.Errorf("item %s: the EPR was read as properties: %+v", n, in.Properties)
		}
		if id, ok := in.Text("InstanceID"); !ok || !strings.HasPrefix(id, "{4B1E5D1C-") {
			t.Errorf("item %s: InstanceID %q", n, id)
		}
	}
	if got := strings.Join(names, "|"); got != "Default|ProviderAddSpace01|Tailspin & Toys|CustomerAddSpace01" {
		t.Fatalf("items %s", got)
	}
	if d, ok := items[0].Text("Description"); !ok || d != "Built-in default address space" {
		t.Errorf("Default: Description %q", d)
	}
	if items[2].Has("Owner") == false || items[2].Properties[0].Name != "AccessScopePath" {
		t.Errorf("property order or nil properties lost: %+v", items[2].Properties)
	}
	if _, ok := items[2].Text("Owner"); ok {
		t.Errorf("xsi:nil Owner read as a value")
	}
	if typ, _ := items[3].Text("Type"); typ != "2" {
		t.Errorf("CustomerAddSpace01 Type %q", typ)
	}
}

func TestRecordedEnumerateEndOfSequenceWithoutContext(t *testing.T) {
	t.Parallel()
	endpoint, requests := replayServer(t, reply{200, "enumerate_response_end.xml"})
	c := replayClient(t, endpoint)
	var items []*wsman.Instance
	err := c.Enumerate(testCtx(t, 10*time.Second), namespaceURI, "SELECT * FROM MSFT_IPAM_AddressSpace WHERE Name = 'ProviderAddSpace01'", func(in *wsman.Instance) error {
		items = append(items, in)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := actions(requests()); len(got) != 1 || got[0] != "Enumerate" {
		t.Fatalf("requests %v: an optimized enumeration that ended needs no Pull or Release", got)
	}
	if len(items) != 1 {
		t.Fatalf("%d items", len(items))
	}
	in := items[0]
	if n, _ := in.Text("Name"); n != "ProviderAddSpace01" {
		t.Errorf("Name %q", n)
	}
	if cc, _ := in.Text("CustomConfiguration"); cc != "Region=EU" {
		t.Errorf("CustomConfiguration %q", cc)
	}
	if in.Has("Location") {
		t.Errorf("cim:Location read as a property")
	}
}

func TestRecordedPullInvalidContext(t *testing.T) {
	t.Parallel()
	endpoint, requests := replayServer(t, reply{200, "enumerate_response_epr.xml"}, reply{500, "fault_invalid_enumeration_context.xml"})
	c := replayClient(t, endpoint)
	n := 0
	err := c.Enumerate(testCtx(t, 10*time.Second), namespaceURI, "SELECT * FROM MSFT_IPAM_AddressSpace", func(*wsman.Instance) error {
		n++
		return nil
	})
	f := asFault(t, err)
	if f.WSManCode != wsman.ErrInvalidEnumerationContext || f.Subcode.Space != wsman.NSEnumeration || f.Subcode.Local != "InvalidEnumerationContext" {
		t.Errorf("fault %+v", f)
	}
	wantContains(t, err.Error(), "0x8033801B", "enumeration context")
	wantClean(t, err)
	// A Pull consumes its context: it is not repeated, and there is nothing left to release.
	if got := strings.Join(actions(requests()), ","); got != "Enumerate,Pull" {
		t.Errorf("requests %s, want Enumerate,Pull", got)
	}
	if n != 1 {
		t.Errorf("callback saw %d items, want the 1 of the first page", n)
	}
}

func TestRecordedFaults(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		replies    []reply
		idempotent bool
		wantReqs   int
		check      func(t *testing.T, out *wsman.InvokeOutput, err error)
	}{
		{name: "resource not found", replies: []reply{{500, "fault_resource_not_found.xml"}}, idempotent: true, wantReqs: 1,
			check: func(t *testing.T, _ *wsman.InvokeOutput, err error) {
				f := asFault(t, err)
				if f.WSManCode != wsman.ErrResourceNotFound || f.Code != "Sender" || f.Subcode.Space != wsman.NSAddressing ||
					f.Subcode.Local != "DestinationUnreachable" || !strings.HasSuffix(f.Detail, "/InvalidResourceURI") {
					t.Errorf("fault %+v", f)
				}
				if f.Message != "Not found" {
					t.Errorf("message %q, want the __ExtendedStatus description", f.Message)
				}
				wantContains(t, err.Error(), "0x80338000")
			}},
		{name: "quota limit is retried, even when not idempotent", replies: []reply{{500, "fault_quota_limit.xml"}, {200, "invoke_output_no_returnvalue.xml"}}, wantReqs: 2,
			check: func(t *testing.T, out *wsman.InvokeOutput, err error) {
				if err != nil {
					t.Fatal(err)
				}
			}},
		// A refusal gets busyPatience (5) times the attempts (3) before the client gives up.
		{name: "quota limit until attempts run out", replies: repeatReply(reply{500, "fault_quota_limit.xml"}, 15), wantReqs: 15,
			check: func(t *testing.T, _ *wsman.InvokeOutput, err error) {
				if f := asFault(t, err); f.WSManCode != wsman.ErrQuotaLimit {
					t.Errorf("fault %+v", f)
				}
				wantContains(t, err.Error(), "0x8033803F", "concurrent operations")
			}},
		// The quota fault as a real WinRM sends it (WinRb/WinRM's recording): subcode w:QuotaLimit and
		// an MSFT_WmiError with the quota code, and no WSManFault. Retried as busy, like the others.
		{name: "recorded quota fault (WinRb) is retried", replies: []reply{{500, "winrb_wmi_error_v2.xml"}, {200, "invoke_output_no_returnvalue.xml"}}, wantReqs: 2,
			check: func(t *testing.T, _ *wsman.InvokeOutput, err error) {
				if err != nil {
					t.Fatal(err)
				}
			}},
		{name: "recorded quota fault (WinRb) until attempts run out", replies: repeatReply(reply{500, "winrb_wmi_error_v2.xml"}, 15), wantReqs: 15,
			check: func(t *testing.T, _ *wsman.InvokeOutput, err error) {
				f := asFault(t, err)
				if !f.Quota() || f.WSManCode != 0 || f.Subcode.Local != "QuotaLimit" || f.WmiError == nil ||
					f.WmiError.ErrorCode != 0x803381A5 || f.WmiError.CIMStatusCode != 27 || f.WmiError.MessageID != "HRESULT 0x803381a5" {
					t.Errorf("fault %+v, MSFT_WmiError %+v", f, f.WmiError)
				}
				wantContains(t, err.Error(), "maximum number of 30 concurrent shells")
			}},
		{name: "operation timeout retried when idempotent", replies: []reply{{500, "fault_operation_timeout.xml"}, {200, "invoke_output_no_returnvalue.xml"}}, idempotent: true, wantReqs: 2,
			check: func(t *testing.T, _ *wsman.InvokeOutput, err error) {
				if err != nil {
					t.Fatal(err)
				}
			}},
		{name: "operation timeout not retried otherwise", replies: []reply{{500, "fault_operation_timeout.xml"}}, wantReqs: 1,
			check: func(t *testing.T, _ *wsman.InvokeOutput, err error) {
				f := asFault(t, err)
				if f.WSManCode != wsman.ErrOperationTimedOut || f.Subcode.Local != "TimedOut" {
					t.Errorf("fault %+v", f)
				}
				wantContains(t, err.Error(), "0x80338029", "OperationTimeout")
			}},
		{name: "provider fault not retried", replies: []reply{{500, "fault_provider_wmierror.xml"}}, idempotent: true, wantReqs: 1,
			check: func(t *testing.T, _ *wsman.InvokeOutput, err error) {
				if f := asFault(t, err); f.WmiError == nil || f.WmiError.CIMStatusCode != 11 {
					t.Errorf("fault %+v", f)
				}
			}},
		{name: "output without ReturnValue", replies: []reply{{200, "invoke_output_no_returnvalue.xml"}}, wantReqs: 1,
			check: func(t *testing.T, out *wsman.InvokeOutput, err error) {
				if err != nil {
					t.Fatal(err)
				}
				if out.ReturnValue != nil {
					t.Errorf("ReturnValue %d, want none", *out.ReturnValue)
				}
				if out.ResourceURI != addressSpaceURI {
					t.Errorf("resource URI %q", out.ResourceURI)
				}
				p, ok := out.Param("Output")
				if !ok || len(p.Values) != 1 || p.Values[0].Instance == nil {
					t.Fatalf("Output %+v", p)
				}
				st := p.Values[0].Instance
				if st.Class != "MSFT_IPAM_OperationStatus" {
					t.Errorf("class %q", st.Class)
				}
				if v, _ := st.Text("RecordId"); v != "42" {
					t.Errorf("RecordId %q", v)
				}
				if v, _ := st.Text("Win32Status"); v != "0" {
					t.Errorf("Win32Status %q", v)
				}
				if _, ok := st.Text("ErrorMessage"); ok || !st.Has("ErrorMessage") {
					t.Errorf("ErrorMessage should be present and null")
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			endpoint, requests := replayServer(t, tc.replies...)
			c := replayClient(t, endpoint)
			inst := wsman.NewInstance("MSFT_IPAM_AddressSpace", addressSpaceURI, wsman.Scalar("InstanceID", "{4B1E5D1C-0000-4000-8000-000000000002}"))
			out, err := c.Invoke(testCtx(t, 10*time.Second), addressSpaceURI, "BulkDeleteAddressSpace",
				[]wsman.Property{wsman.Embedded("AddressSpace", inst)}, tc.idempotent)
			tc.check(t, out, err)
			if err != nil {
				wantClean(t, err)
			}
			if got := len(requests()); got != tc.wantReqs {
				t.Errorf("%d requests, want %d", got, tc.wantReqs)
			}
		})
	}
}

// --- retries against the emulator --------------------------------------------------------------

func TestRetries(t *testing.T) {
	t.Parallel()
	const timeout = 200 * time.Millisecond
	cases := []struct {
		name       string
		rule       emulator.FaultRule
		idempotent bool
		attempts   int
		timeout    time.Duration
		wantReqs   int
		wantErr    func(t *testing.T, err error) // nil: success
		wantStored bool                          // for the non-idempotent Add: did the server act?
	}{
		{name: "503 twice, idempotent", rule: emulator.FaultRule{Kind: emulator.FaultUnavailable, Count: 2}, idempotent: true, wantReqs: 3},
		{name: "503 twice, not idempotent", rule: emulator.FaultRule{Kind: emulator.FaultUnavailable, Count: 2}, wantReqs: 3, wantStored: true},
		{name: "503 always, capped by attempts", rule: emulator.FaultRule{Kind: emulator.FaultUnavailable}, idempotent: true, attempts: 4, wantReqs: 4 * 5,
			wantErr: func(t *testing.T, err error) { wantStatus(t, err, 503) }},
		{name: "503 with retries disabled", rule: emulator.FaultRule{Kind: emulator.FaultUnavailable, Count: 1}, idempotent: true, attempts: 1, wantReqs: 1,
			wantErr: func(t *testing.T, err error) { wantStatus(t, err, 503) }},
		{name: "quota, not idempotent", rule: emulator.FaultRule{Kind: emulator.FaultQuota, Count: 2}, wantReqs: 3, wantStored: true},
		{name: "500 empty is not retried", rule: emulator.FaultRule{Kind: emulator.FaultEmpty500, Count: 1}, idempotent: true, wantReqs: 1,
			wantErr: func(t *testing.T, err error) {
				if he := asHTTP(t, err); !he.EmptyBody {
					t.Errorf("%+v", he)
				}
			}},
		{name: "drop before, idempotent", rule: emulator.FaultRule{Kind: emulator.FaultDropBefore, Count: 1}, idempotent: true, wantReqs: 2},
		// The client cannot tell a drop before from a drop after acting: it must not repeat a call
		// that is not safe to repeat.
		{name: "drop before, not idempotent", rule: emulator.FaultRule{Kind: emulator.FaultDropBefore, Count: 1}, wantReqs: 1, wantStored: false,
			wantErr: wantDropped},
		{name: "drop after, idempotent", rule: emulator.FaultRule{Kind: emulator.FaultDropAfter, Count: 1}, idempotent: true, wantReqs: 2},
		{name: "drop after, not idempotent", rule: emulator.FaultRule{Kind: emulator.FaultDropAfter, Count: 1}, wantReqs: 1, wantStored: true,
			wantErr: wantDropped},
		{name: "no answer in time, idempotent", rule: emulator.FaultRule{Kind: emulator.FaultSlow, Count: 1, Delay: 5 * time.Second}, idempotent: true, timeout: timeout, wantReqs: 2},
		{name: "no answer in time, not idempotent", rule: emulator.FaultRule{Kind: emulator.FaultSlow, Count: 1, Delay: 5 * time.Second}, timeout: timeout, wantReqs: 1,
			wantErr: func(t *testing.T, err error) {
				te := asTransport(t, err)
				if te.NotSent || !te.Transient {
					t.Errorf("timeout: NotSent=%v Transient=%v", te.NotSent, te.Transient)
				}
				wantContains(t, err.Error(), "no answer within 200ms")
				wantKind(t, err, failure.KindTimeout)
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, emulator.Config{}, serverOpts{})
			attempts := tc.attempts
			if attempts == 0 {
				attempts = 3
			}
			c := newClient(t, wsman.Config{Endpoint: srv.URL, Auth: "basic", Username: testUser, Password: testPass,
				Retry: fastRetry(attempts), Timeout: tc.timeout})
			ctx := testCtx(t, 15*time.Second)
			rule := tc.rule
			var err error
			if tc.idempotent {
				rule.Action = "" // Identify has no action
				if e := srv.InjectFault(rule); e != nil {
					t.Fatal(e)
				}
				err = identify(ctx, c, true)
			} else {
				rule.Action = "AddProviderAddressSpace"
				if e := srv.InjectFault(rule); e != nil {
					t.Fatal(e)
				}
				_, err = addSpace(ctx, c, "retried", "")
			}
			if tc.wantErr == nil && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tc.wantErr != nil {
				if err == nil {
					t.Fatal("no error")
				}
				tc.wantErr(t, err)
				wantClean(t, err)
			}
			reqs, _, _ := srv.st.snapshot()
			if reqs != tc.wantReqs || c.Requests() != int64(tc.wantReqs) {
				t.Errorf("server saw %d requests, client made %d attempts; want %d", reqs, c.Requests(), tc.wantReqs)
			}
			if !tc.idempotent {
				srv.ClearFaults()
				stored := len(spaceNames(ctx, t, c, "retried")) == 1
				if stored != tc.wantStored {
					t.Errorf("address space stored: %v, want %v", stored, tc.wantStored)
				}
			}
		})
	}
}

func wantDropped(t *testing.T, err error) {
	t.Helper()
	te := asTransport(t, err)
	if te.NotSent || !te.Transient {
		t.Errorf("dropped connection: NotSent=%v Transient=%v, want false, true", te.NotSent, te.Transient)
	}
	wantKind(t, err, failure.KindConnectionDropped)
}

func TestCancellationStopsRetrying(t *testing.T) {
	t.Parallel()
	t.Run("during backoff", func(t *testing.T) {
		t.Parallel()
		srv := startServer(t, emulator.Config{}, serverOpts{})
		if err := srv.InjectFault(emulator.FaultRule{Kind: emulator.FaultUnavailable}); err != nil {
			t.Fatal(err)
		}
		c := newClient(t, wsman.Config{Endpoint: srv.URL, Auth: "basic", Username: testUser, Password: testPass,
			Retry: &wsman.RetryPolicy{Attempts: 1000, Base: 40 * time.Millisecond, Max: 40 * time.Millisecond}})
		ctx, cancel := context.WithTimeout(testCtx(t, 10*time.Second), 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := identify(ctx, c, true)
		elapsed := time.Since(start)
		if err == nil {
			t.Fatal("no error")
		}
		if elapsed > 2*time.Second {
			t.Errorf("Do returned %s after the context ended", elapsed-300*time.Millisecond)
		}
		if n := c.Requests(); n < 2 || n > 30 {
			t.Errorf("%d attempts in 300ms with 20-40ms backoff", n)
		}
		after := c.Requests()
		time.Sleep(100 * time.Millisecond)
		if c.Requests() != after {
			t.Errorf("attempts continued after Do returned")
		}
	})
	t.Run("in flight", func(t *testing.T) {
		t.Parallel()
		srv := startServer(t, emulator.Config{}, serverOpts{})
		if err := srv.InjectFault(emulator.FaultRule{Kind: emulator.FaultSlow, Delay: 5 * time.Second}); err != nil {
			t.Fatal(err)
		}
		c := newClient(t, wsman.Config{Endpoint: srv.URL, Auth: "basic", Username: testUser, Password: testPass, Timeout: 10 * time.Second})
		ctx, cancel := context.WithCancel(testCtx(t, 10*time.Second))
		time.AfterFunc(150*time.Millisecond, cancel)
		start := time.Now()
		err := identify(ctx, c, true)
		if elapsed := time.Since(start); elapsed > 10*time.Second {
			t.Errorf("Do took %s; the cancellation came after 150ms", elapsed)
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want context.Canceled", err)
		}
		_ = asTransport(t, err)
		if c.Requests() != 1 {
			t.Errorf("%d attempts: a cancelled request was retried", c.Requests())
		}
	})
	t.Run("already cancelled", func(t *testing.T) {
		t.Parallel()
		srv := startServer(t, emulator.Config{}, serverOpts{})
		c := newClient(t, wsman.Config{Endpoint: srv.URL, Auth: "basic", Username: testUser, Password: testPass})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if err := identify(ctx, c, true); !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want context.Canceled", err)
		}
		if reqs, _, _ := srv.st.snapshot(); reqs != 0 {
			t.Errorf("server saw %d requests", reqs)
		}
	})
}

// --- concurrency -------------------------------------------------------------------------------

func TestConcurrencyCap(t *testing.T) {
	t.Parallel()
	parallel := func(t *testing.T, n int, call func(ctx context.Context, i int) error) []error {
		ctx := testCtx(t, 15*time.Second)
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				<-start
				errs[i] = call(ctx, i)
			}(i)
		}
		close(start)
		wg.Wait()
		return errs
	}
	t.Run("in flight", func(t *testing.T) {
		t.Parallel()
		srv := startServer(t, emulator.Config{Latency: 40 * time.Millisecond}, serverOpts{})
		c := newClient(t, wsman.Config{Endpoint: srv.URL, Auth: "basic", Username: testUser, Password: testPass, MaxConcurrent: 2})
		for i, err := range parallel(t, 10, func(ctx context.Context, _ int) error { return identify(ctx, c, true) }) {
			if err != nil {
				t.Errorf("request %d: %v", i, err)
			}
		}
		if m := srv.st.max(); m != 2 {
			t.Errorf("at most %d requests were in flight, want exactly 2", m)
		}
	})
	quotaFaults := func(t *testing.T, maxConcurrent int) (faults int, inFlight int) {
		srv := startServer(t, emulator.Config{MaxConcurrentOperations: 2}, serverOpts{holdResponse: 40 * time.Millisecond})
		// No retries: a quota fault must not be hidden by a retry.
		c := newClient(t, wsman.Config{Endpoint: srv.URL, Auth: "basic", Username: testUser, Password: testPass,
			MaxConcurrent: maxConcurrent, Retry: fastRetry(1)})
		errs := parallel(t, 10, func(ctx context.Context, i int) error {
			_, err := addSpace(ctx, c, fmt.Sprintf("quota-%d", i), "")
			return err
		})
		for i, err := range errs {
			var f *wsman.Fault
			switch {
			case errors.As(err, &f) && f.Quota():
				faults++
			case err != nil:
				t.Errorf("request %d: %v", i, err)
			}
		}
		return faults, srv.st.max()
	}
	t.Run("server quota", func(t *testing.T) {
		t.Parallel()
		if faults, m := quotaFaults(t, 2); faults != 0 || m > 2 {
			t.Errorf("with MaxConcurrent = 2: %d quota faults reached the caller, %d in flight", faults, m)
		}
	})
	t.Run("server quota without the cap", func(t *testing.T) {
		// The control: the emulator does enforce its quota, so the test above means something.
		t.Parallel()
		if faults, _ := quotaFaults(t, 10); faults == 0 {
			t.Errorf("with MaxConcurrent = 10 no quota fault arrived; the emulator's quota is not exercised")
		}
	})
}

// --- enumeration against the emulator ----------------------------------------------------------

func seed(ctx context.Context, t *testing.T, c *wsman.Client, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if _, err := addSpace(ctx, c, fmt.Sprintf("space-%02d", i), "seeded for paging"); err != nil {
			t.Fatalf("seed %d: %v", i, err)
		}
	}
}

func TestEnumeratePages(t *testing.T) {
	t.Parallel()
	srv := startServer(t, emulator.Config{}, serverOpts{})
	c := newClient(t, wsman.Config{Endpoint: srv.URL, Auth: "basic", Username: testUser, Password: testPass, MaxEnvelopeSize: 8192})
	ctx := testCtx(t, 15*time.Second)
	seed(ctx, t, c, 40)
	seen := map[string]bool{}
	err := c.Enumerate(ctx, namespaceURI, "SELECT * FROM MSFT_IPAM_AddressSpace WHERE Name LIKE 'space-%'", func(in *wsman.Instance) error {
		n, _ := in.Text("Name")
		if seen[n] {
			t.Errorf("%s seen twice", n)
		}
		seen[n] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 40 {
		t.Errorf("%d items, want 40", len(seen))
	}
	if e, p, r := srv.st.action("Enumerate"), srv.st.action("Pull"), srv.st.action("Release"); e != 1 || p < 2 || r != 0 {
		t.Errorf("%d Enumerate, %d Pull, %d Release; want 1, several, 0", e, p, r)
	}
}

func TestEnumerateEarlyExitReleases(t *testing.T) {
	t.Parallel()
	stop := errors.New("seen enough")
	cases := []struct {
		name    string
		stopAt  int
		cancel  bool
		wantErr error
	}{
		{name: "callback error", stopAt: 3, wantErr: stop},
		{name: "context cancelled", stopAt: 3, cancel: true, wantErr: context.Canceled},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, emulator.Config{}, serverOpts{})
			c := newClient(t, wsman.Config{Endpoint: srv.URL, Auth: "basic", Username: testUser, Password: testPass, MaxEnvelopeSize: 8192})
			base := testCtx(t, 15*time.Second)
			seed(base, t, c, 30)
			ctx, cancel := context.WithCancel(base)
			defer cancel()
			n := 0
			err := c.Enumerate(ctx, namespaceURI, "SELECT * FROM MSFT_IPAM_AddressSpace WHERE Name LIKE 'space-%'", func(*wsman.Instance) error {
				n++
				if n == tc.stopAt {
					if tc.cancel {
						cancel()
						return nil
					}
					return stop
				}
				return nil
			})
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			}
			if p, r := srv.st.action("Pull"), srv.st.action("Release"); p != 0 || r != 1 {
				t.Fatalf("%d Pull, %d Release; want 0, 1", p, r)
			}
			srv.st.mu.Lock()
			released := srv.st.released[0]
			srv.st.mu.Unlock()
			// The server forgot the context: a later Pull of it fails.
			_, err = c.Do(base, wsman.Request{Header: wsman.Header{ResourceURI: namespaceURI, Action: wsman.ActionPull},
				Body: &wsman.Pull{Context: released, MaxElements: 10}})
			if f := asFault(t, err); f.WSManCode != wsman.ErrInvalidEnumerationContext {
				t.Errorf("Pull after Release: %v", err)
			}
		})
	}
}

// --- logging -----------------------------------------------------------------------------------

type logEntry struct {
	level, msg string
	fields     map[string]any
}

type recLogger struct {
	mu      sync.Mutex
	entries []logEntry
}

func (l *recLogger) add(level, msg string, f map[string]any) {
	cp := make(map[string]any, len(f))
	for k, v := range f {
		cp[k] = v
	}
	l.mu.Lock()
	l.entries = append(l.entries, logEntry{level, msg, cp})
	l.mu.Unlock()
}

func (l *recLogger) Debug(_ context.Context, msg string, f map[string]any) { l.add("debug", msg, f) }
func (l *recLogger) Trace(_ context.Context, msg string, f map[string]any) { l.add("trace", msg, f) }

func (l *recLogger) take() []logEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.entries
	l.entries = nil
	return out
}

func TestLogging(t *testing.T) {
	t.Parallel()
	// A password with XML's special characters: in a body it travels escaped.
	const secret = `Tr0ub&dor<3>"x"`
	escaped := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(secret)
	srv := startServer(t, emulator.Config{Username: testUser, Password: secret}, serverOpts{})
	logger := &recLogger{}
	c := newClient(t, wsman.Config{Endpoint: srv.URL, Auth: "basic", Username: testUser, Password: secret, Logger: logger})
	ctx := testCtx(t, 10*time.Second)
	basicHeader := base64.StdEncoding.EncodeToString([]byte(testUser + ":" + secret))
	forbidden := []string{secret, escaped, basicHeader, "Authorization"}

	var all []logEntry
	check := func(t *testing.T, entries []logEntry) {
		t.Helper()
		all = append(all, entries...)
		for _, e := range entries {
			for k, v := range e.fields {
				s := fmt.Sprint(v)
				for _, bad := range forbidden {
					if strings.Contains(s, bad) || strings.Contains(k, bad) {
						t.Errorf("%s %q: field %s carries %q: %.300s", e.level, e.msg, k, bad, s)
					}
				}
			}
		}
	}

	t.Run("one debug line per request, masked bodies", func(t *testing.T) {
		out, err := addSpace(ctx, c, "logged", "the password is "+secret+" here")
		if err != nil {
			t.Fatal(err)
		}
		got, _ := out.Param("output")
		if len(got.Values) != 1 || got.Values[0].Instance == nil {
			t.Fatalf("no output instance: %+v", out)
		}
		if d, _ := got.Values[0].Instance.Text("Description"); !strings.Contains(d, secret) {
			t.Fatalf("the caller's own data must come back unmasked: %q", d)
		}
		entries := logger.take()
		check(t, entries)
		var debug, trace []logEntry
		for _, e := range entries {
			if e.level == "debug" {
				debug = append(debug, e)
			} else {
				trace = append(trace, e)
			}
		}
		if len(debug) != 1 {
			t.Fatalf("%d debug lines for one request: %+v", len(debug), debug)
		}
		f := debug[0].fields
		if f["action"] != "AddProviderAddressSpace" || f["status"] != 200 {
			t.Errorf("debug fields %v", f)
		}
		if _, ok := f["duration_ms"].(int64); !ok {
			t.Errorf("duration_ms %T %v", f["duration_ms"], f["duration_ms"])
		}
		if len(trace) != 2 {
			t.Fatalf("%d trace lines, want request and response bodies", len(trace))
		}
		for _, e := range trace {
			body := fmt.Sprint(e.fields["body"])
			if !strings.Contains(body, "the password is *** here") {
				t.Errorf("%s: password not masked as ***: %.2000s", e.msg, body)
			}
		}
	})

	t.Run("failures and retries", func(t *testing.T) {
		if err := srv.InjectFault(emulator.FaultRule{Kind: emulator.FaultUnavailable, Count: 1}); err != nil {
			t.Fatal(err)
		}
		if err := identify(ctx, c, true); err != nil {
			t.Fatal(err)
		}
		if err := srv.InjectFault(emulator.FaultRule{Kind: emulator.FaultDropBefore, Count: 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := addSpace(ctx, c, "dropped", secret); err == nil {
			t.Fatal("dropped request succeeded")
		}
		_, _ = addSpace(ctx, c, "logged", secret) // a provider fault: it exists
		entries := logger.take()
		check(t, entries)
		requests := 0
		for _, e := range entries {
			if _, ok := e.fields["duration_ms"]; ok && e.level == "debug" {
				requests++
				if e.fields["action"] == nil {
					t.Errorf("debug line without action: %v", e.fields)
				}
			}
		}
		if requests != 4 { // 503 + retry, drop, fault
			t.Errorf("%d debug lines with duration_ms, want 4 (one per request)", requests)
		}

		// A wrong password: the 401 and its error carry neither password.
		wrong := newClient(t, wsman.Config{Endpoint: srv.URL, Auth: "basic", Username: testUser, Password: secret + "-wrong", Logger: logger})
		err := identify(ctx, wrong, true)
		wantStatus(t, err, 401)
		wantClean(t, err, secret)
		check(t, logger.take())
	})
	if len(all) == 0 {
		t.Fatal("nothing was logged")
	}
}

func repeatReply(r reply, n int) []reply {
	out := make([]reply, n)
	for i := range out {
		out[i] = r
	}
	return out
}
