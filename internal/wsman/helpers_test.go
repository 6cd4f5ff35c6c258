package wsman_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/winipam/terraform-provider-ipam/internal/emulator"
	"github.com/winipam/terraform-provider-ipam/internal/failure"
	"github.com/winipam/terraform-provider-ipam/internal/testcert"
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

// enumerateAll runs a WQL query and returns every instance it yields.
func enumerateAll(ctx context.Context, t *testing.T, c *wsman.Client, query string) []*wsman.Instance {
	t.Helper()
	var items []*wsman.Instance
	err := c.Enumerate(ctx, namespaceURI, query, func(in *wsman.Instance) error {
		items = append(items, in)
		return nil
	})
	if err != nil {
		t.Fatalf("enumerate: %v", err)
	}
	return items
}

// spaceNames enumerates the address spaces whose name matches a WQL LIKE pattern.
func spaceNames(ctx context.Context, t *testing.T, c *wsman.Client, like string) []string {
	t.Helper()
	var names []string
	for _, in := range enumerateAll(ctx, t, c, "SELECT * FROM MSFT_IPAM_AddressSpace WHERE Name LIKE '"+like+"'") {
		n, _ := in.Text("Name")
		names = append(names, n)
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

// errorAs returns the error of type E in err's chain, or fails the test.
func errorAs[E error](t *testing.T, err error) E {
	t.Helper()
	var target E
	if !errors.As(err, &target) {
		t.Fatalf("error is %T (%v), want %T", err, err, target)
	}
	return target
}

func asTransport(t *testing.T, err error) *wsman.TransportError {
	t.Helper()
	return errorAs[*wsman.TransportError](t, err)
}

func asHTTP(t *testing.T, err error) *wsman.HTTPError {
	t.Helper()
	return errorAs[*wsman.HTTPError](t, err)
}
func asFault(t *testing.T, err error) *wsman.Fault { t.Helper(); return errorAs[*wsman.Fault](t, err) }

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

// The server certificate names only ipam01.test, not 127.0.0.1, so that connecting by address
// fails host name verification unless TLSServerName is set.
const serverName = "ipam01.test"

type pkiSet struct {
	ca                    *testcert.CA
	server                tls.Certificate
	clientCert, clientKey []byte       // CN = testUser
	otherCert, otherKey   []byte       // CN = someone-else
	otherCA               *testcert.CA // signed none of the above
}

var testPKI = sync.OnceValue(func() *pkiSet {
	ca := testcert.NewCA("IPAM test CA")
	_, _, server := ca.Issue(serverName, []string{serverName}, false)
	cc, ck, _ := ca.Issue(testUser, nil, true)
	oc, ok, _ := ca.Issue("someone-else", nil, true)
	return &pkiSet{ca: ca, server: server, clientCert: cc, clientKey: ck, otherCert: oc, otherKey: ok, otherCA: testcert.NewCA("other CA")}
})

func serverTLS() *tls.Config {
	p := testPKI()
	return &tls.Config{Certificates: []tls.Certificate{p.server}, ClientCAs: p.ca.Pool,
		ClientAuth: tls.VerifyClientCertIfGiven, MinVersion: tls.VersionTLS12}
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "windows", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

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

func repeatReply(r reply, n int) []reply {
	out := make([]reply, n)
	for i := range out {
		out[i] = r
	}
	return out
}
