package emulator

// The emulator's security properties, tested by behaviour: it listens on loopback unless told
// otherwise, never serves without credentials, compares them without leaking their length,
// stops reading a request at its size cap, refuses DTDs (and with them entity expansion and
// external entities), and survives hostile documents within the cap.

import (
	"bytes"
	"context"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	ntlmssp "github.com/Azure/go-ntlmssp"

	"github.com/winipam/terraform-provider-ipam/internal/emulator/emutest"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

// hostileDeadline bounds how long the emulator may take to refuse a hostile request. It is a
// blow-up guard (the quadratic namespace handling took 100s on a 500 KB request), generous enough
// for a loaded machine, not a timing claim.
const hostileDeadline = 15 * time.Second

// TestSecurityMainProcess is not a test: TestSecurityListensOnLoopbackByDefault runs this test
// binary again with IPAM_EMULATOR_SECURITY_MAIN=1 to run the emulator's Main with the arguments
// after "--", as the command line does, in a process of its own that it can stop with a signal.
func TestSecurityMainProcess(t *testing.T) {
	if os.Getenv("IPAM_EMULATOR_SECURITY_MAIN") != "1" {
		t.Skip("helper process for TestSecurityListensOnLoopbackByDefault")
	}
	os.Exit(Main(flag.Args(), os.Stdout, os.Stderr))
}

// The command line's -listen defaults to 127.0.0.1:5985: the documented default, and what the
// emulator binds when -listen is left out.
func TestSecurityListensOnLoopbackByDefault(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"-h"}, &stdout, &stderr); code != 0 {
		t.Fatalf("-h: exit %d", code)
	}
	if !regexp.MustCompile(`-listen string\s+[^\n]*\(default "127\.0\.0\.1:5985"\)`).MatchString(stderr.String()) {
		t.Fatalf("-h does not document -listen's default as 127.0.0.1:5985:\n%s", stderr.String())
	}

	// Run Main without -listen, in a process of its own, and see where it listens.
	cmd := exec.Command(os.Args[0], "-test.run=^TestSecurityMainProcess$", "--", "-db", ":memory:", "-username", testUser, "-password", testPass)
	cmd.Env = append(os.Environ(), "IPAM_EMULATOR_SECURITY_MAIN=1")
	p, err := emutest.Launch(t, cmd)
	if err != nil {
		// Another emulator may hold the port; the error still names the address it tried.
		if strings.Contains(p.Stderr(), "listen tcp 127.0.0.1:5985: bind: address already in use") {
			t.Logf("port 5985 is taken on this machine; the emulator tried 127.0.0.1:5985: %s", strings.TrimSpace(p.Stderr()))
			return
		}
		t.Fatal(err)
	}
	if p.URL != "http://127.0.0.1:5985/wsman" {
		t.Fatalf("without -listen the emulator listens on %s", p.URL)
	}
	// Not reachable on this machine's other addresses.
	for _, ip := range nonLoopbackAddrs(t) {
		addr := net.JoinHostPort(ip.String(), "5985")
		if c, err := net.DialTimeout("tcp", addr, 2*time.Second); err == nil {
			c.Close()
			t.Errorf("the emulator started without -listen answers on %s", addr)
		}
	}
	p.Stop(syscall.SIGTERM)
}

func nonLoopbackAddrs(t *testing.T) []net.IP {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	var ips []net.IP
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && !n.IP.IsLinkLocalUnicast() && n.IP.To4() != nil {
			ips = append(ips, n.IP)
		}
	}
	return ips
}

// The emulator never serves without authentication: New and the command line refuse to start
// without a username and a password.
func TestSecurityRequiresCredentialsToStart(t *testing.T) {
	for _, tc := range []struct{ user, pass string }{{"", ""}, {testUser, ""}, {"", testPass}} {
		srv, err := New(context.Background(), Config{Username: tc.user, Password: tc.pass})
		if err == nil {
			srv.Close()
			t.Fatalf("New accepted username %q, password %q", tc.user, tc.pass)
		}
		if !strings.Contains(err.Error(), "never serves without authentication") {
			t.Errorf("New's error does not say why: %v", err)
		}
	}
	// The command line, with the environment variables unset.
	t.Setenv("IPAM_EMULATOR_USERNAME", "")
	t.Setenv("IPAM_EMULATOR_PASSWORD", "")
	for _, args := range [][]string{
		{"-listen", "127.0.0.1:0", "-db", ":memory:"},
		{"-listen", "127.0.0.1:0", "-db", ":memory:", "-username", testUser},
		{"-listen", "127.0.0.1:0", "-db", ":memory:", "-password", testPass},
	} {
		var stdout, stderr bytes.Buffer
		code := Main(args, &stdout, &stderr)
		if code == 0 || strings.Contains(stdout.String(), "listening") || !strings.Contains(stderr.String(), "username and a password") {
			t.Fatalf("Main %q: exit %d\nstdout: %s\nstderr: %s", args, code, &stdout, &stderr)
		}
	}
}

// Every endpoint answers 401 without credentials, and does nothing: no fault rule is added, no
// counter is shown, no SOAP call runs. Other paths and methods are not served at all (404, 405,
// as http.sys answers for a URL WinRM has not registered), and reveal nothing either.
func TestSecurityEveryEndpointNeedsCredentials(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	base := strings.TrimSuffix(h.url, "/wsman")
	addProvider := mustMarshal(t, wsman.Header{ResourceURI: addressSpaceURI, Action: addressSpaceURI + "/AddProviderAddressSpace", MessageID: "uuid:1"},
		&wsman.InvokeInput{Method: "AddProviderAddressSpace", Params: []wsman.Property{wsman.Scalar("Name", "sneaky")}})
	basic := func(user, pass string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	}
	for _, tc := range []struct {
		method, path, authz string
		body                []byte
		want                int
	}{
		{"POST", "/wsman", "", addProvider, 401},
		{"POST", "/wsman", basic(testUser, "wrong"), addProvider, 401},
		{"POST", "/wsman", "Negotiate", addProvider, 401},
		{"POST", "/wsman", "Negotiate " + base64.StdEncoding.EncodeToString([]byte("NTLMSSP\x00\x03\x00\x00\x00")), addProvider, 401},
		{"POST", "/wsman", certificateAuthHeader, addProvider, 401}, // no client certificate on plain HTTP
		{"POST", "/emulator/faults", "", []byte(`{"kind":"503"}`), 401},
		{"POST", "/emulator/faults", basic(testUser, "wrong"), []byte(`{"kind":"503"}`), 401},
		{"DELETE", "/emulator/faults", "", nil, 401},
		{"GET", "/emulator/faults", "", nil, 401},
		{"GET", "/emulator/stats", "", nil, 401},
		{"POST", "/emulator/stats", "", nil, 401},
		{"GET", "/emulator/stats", basic("root", testPass), nil, 401},
		{"GET", "/wsman", "", nil, 405},
		{"PUT", "/wsman", "", addProvider, 405},
		{"GET", "/", "", nil, 404},
		{"POST", "/emulator", "", nil, 404},
		{"POST", "/WSMAN", "", addProvider, 404},
	} {
		req, _ := http.NewRequest(tc.method, base+tc.path, bytes.NewReader(tc.body))
		if tc.authz != "" {
			req.Header.Set("Authorization", tc.authz)
		}
		resp, body := roundTrip(t, req)
		name := fmt.Sprintf("%s %s (Authorization %.20q)", tc.method, tc.path, tc.authz)
		if resp.StatusCode != tc.want {
			t.Errorf("%s: status %d, want %d", name, resp.StatusCode, tc.want)
		}
		if tc.want == 401 && len(resp.Header.Values("WWW-Authenticate")) == 0 {
			t.Errorf("%s: a 401 that offers no scheme", name)
		}
		if strings.Contains(string(body), "requests") || strings.Contains(string(body), "Envelope") {
			t.Errorf("%s: the answer reveals something: %q", name, body)
		}
	}
	// Nothing happened: no address space was added, no fault is injected, and only the requests
	// above were counted.
	if got := names(h.query("SELECT * FROM MSFT_IPAM_AddressSpace WHERE Name = 'sneaky'")); got != "" {
		t.Fatalf("an unauthenticated call added %q", got)
	}
	h.mustAddProvider("after") // would be a 503 if a fault rule had been added
}

func mustMarshal(t *testing.T, h wsman.Header, body wsman.Body) []byte {
	t.Helper()
	msg, err := wsman.Marshal(h, body)
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

// An NTLM login holds for its own connection only, as WinRM's does: another connection without
// credentials is refused.
func TestSecurityNTLMLoginIsPerConnection(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	identify := mustMarshal(t, wsman.Header{}, wsman.Identify{})
	do := func(ctx context.Context, authz string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/wsman", bytes.NewReader(identify)).WithContext(ctx)
		req.Header.Set("Content-Type", wsman.ContentType)
		if authz != "" {
			req.Header.Set("Authorization", authz)
		}
		rec := httptest.NewRecorder()
		h.srv.ServeHTTP(rec, req)
		return rec
	}
	login := func(ctx context.Context, user, pass string) int {
		neg, err := ntlmssp.NewNegotiateMessage("", "")
		if err != nil {
			t.Fatal(err)
		}
		rec := do(ctx, "Negotiate "+base64.StdEncoding.EncodeToString(neg))
		_, chal, _ := strings.Cut(rec.Header().Get("WWW-Authenticate"), " ")
		cm, err := base64.StdEncoding.DecodeString(chal)
		if rec.Code != 401 || err != nil {
			t.Fatalf("no NTLM challenge: %d %q", rec.Code, rec.Header().Get("WWW-Authenticate"))
		}
		auth, err := ntlmssp.NewAuthenticateMessage(cm, user, pass, nil)
		if err != nil {
			t.Fatal(err)
		}
		return do(ctx, "Negotiate "+base64.StdEncoding.EncodeToString(auth)).Code
	}
	connA := h.srv.ConnContext(context.Background(), nil)
	connB := h.srv.ConnContext(context.Background(), nil)
	if code := login(connA, `CORP\`+testUser, testPass+"x"); code != 401 {
		t.Fatalf("NTLM with a wrong password: %d", code)
	}
	if code := do(connA, "").Code; code != 401 {
		t.Fatalf("after a failed NTLM login, the connection is served: %d", code)
	}
	if code := login(connA, `CORP\`+testUser, testPass); code != 200 {
		t.Fatalf("NTLM with the right password: %d", code)
	}
	if code := do(connA, "").Code; code != 200 {
		t.Fatalf("the logged-in connection is refused: %d", code)
	}
	if code := do(connB, "").Code; code != 401 {
		t.Fatalf("another connection without credentials is served: %d", code)
	}
	if code := do(context.Background(), "").Code; code != 401 {
		t.Fatalf("a request without connection state is served: %d", code)
	}
	// A new handshake on the connection drops the old login until it completes.
	neg, _ := ntlmssp.NewNegotiateMessage("", "")
	do(connA, "Negotiate "+base64.StdEncoding.EncodeToString(neg))
	if code := do(connA, "").Code; code != 401 {
		t.Fatalf("a restarted handshake kept the old login: %d", code)
	}
}

// Credentials are compared as a whole, in constant time: wrong passwords of the password's length,
// shorter and longer (its prefixes and extensions among them), wrong case, and wrong users all get
// the same 401 as no credentials, and only the exact password gets in.
func TestSecurityCredentialComparison(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	identify := mustMarshal(t, wsman.Header{}, wsman.Identify{})
	try := func(user, pass string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, h.url, bytes.NewReader(identify))
		req.SetBasicAuth(user, pass)
		resp, body := roundTrip(t, req)
		return resp.StatusCode, fmt.Sprint(resp.Header.Values("WWW-Authenticate")) + string(body)
	}
	_, refused := try("", "")
	sameLength := []byte(testPass)
	sameLength[len(sameLength)-1] ^= 1
	for _, tc := range []struct{ user, pass string }{
		{testUser, string(sameLength)},
		{testUser, strings.ToUpper(testPass)},
		{testUser, testPass[:1]},
		{testUser, testPass[:len(testPass)-1]},
		{testUser, testPass + "!"},
		{testUser, testPass + testPass},
		{testUser, strings.Repeat("x", 10000)},
		{testUser, ""},
		{testUser, testPass + "\x00"},
		{"admim", testPass},
		{"adm", testPass},
		{"administrator", testPass},
		{"", testPass},
		{`CORP\root`, testPass},
	} {
		code, answer := try(tc.user, tc.pass)
		if code != 401 || answer != refused {
			t.Errorf("user %q, password %q: %d %q; want the same 401 as no credentials (%q)", tc.user, tc.pass, code, answer, refused)
		}
	}
	for _, user := range []string{testUser, strings.ToUpper(testUser), `CORP\` + testUser, testUser + "@corp.example"} {
		if code, _ := try(user, testPass); code != 200 {
			t.Errorf("user %q with the right password: %d", user, code)
		}
	}
}

// countingReader yields an endless request body and counts what was taken from it.
type countingReader struct{ n atomic.Int64 }

func (c *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	c.n.Add(int64(len(p)))
	return len(p), nil
}

// countingBody counts what the emulator reads of a request body.
type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (c countingBody) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// A body over MaxRequestSize gets WinRM's EncodingLimit fault, and the emulator reads no more
// than the cap (and one byte to know it is over): an endless body does not keep it reading.
func TestSecurityRequestSizeCap(t *testing.T) {
	t.Parallel()
	const limit = 64 * 1024
	srv, err := New(context.Background(), Config{Username: testUser, Password: testPass, MaxRequestSize: limit})
	if err != nil {
		t.Fatal(err)
	}
	var read atomic.Int64
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = countingBody{r.Body, &read}
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
	})
	post := func(body io.Reader, length int64) (int, *wsman.Envelope) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, hs.URL+"/wsman", body)
		req.ContentLength = length
		req.SetBasicAuth(testUser, testPass)
		req.Header.Set("Content-Type", wsman.ContentType)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("no answer: %v", err)
		}
		defer resp.Body.Close()
		if resp.StatusCode == http.StatusRequestEntityTooLarge {
			return resp.StatusCode, nil
		}
		env, err := wsman.Unmarshal(resp.Body, 0)
		if err != nil {
			t.Fatalf("status %d with an unreadable body: %v", resp.StatusCode, err)
		}
		return resp.StatusCode, env
	}
	// [MS-WSMV] 3.1.4.1.20: HTTP 413, without processing.
	wantEncodingLimit := func(what string, status int, _ *wsman.Envelope) {
		t.Helper()
		if status != http.StatusRequestEntityTooLarge {
			t.Fatalf("%s: status %d; want 413", what, status)
		}
	}

	// An endless chunked body.
	endless := &countingReader{}
	status, env := post(endless, -1)
	wantEncodingLimit("endless body", status, env)
	if got := read.Load(); got != limit+1 {
		t.Fatalf("the emulator read %d bytes of an endless body; want the cap plus one, %d", got, limit+1)
	}
	// The client pushed only what the connection buffered before the server hung up.
	if sent := endless.n.Load(); sent > 256<<20 {
		t.Fatalf("the client sent %d bytes: the server kept the endless body flowing", sent)
	}

	// A body one byte over the cap, and one exactly at it (which is read, and parsed).
	read.Store(0)
	status, env = post(bytes.NewReader(bytes.Repeat([]byte(" "), limit+1)), limit+1)
	wantEncodingLimit("one byte over", status, env)
	read.Store(0)
	atCap := append([]byte(`<s:Envelope xmlns:s="`+wsman.NSSoap+`"><s:Body/></s:Envelope>`), bytes.Repeat([]byte(" "), limit)...)[:limit]
	status, env = post(bytes.NewReader(atCap), limit)
	if f, ok := env.Fault(); status != 500 || !ok || f.Subcode.Local == "EncodingLimit" {
		t.Fatalf("a body at the cap: status %d, fault %+v; want it read and refused as a request, not as too large", status, f)
	}
	if got := read.Load(); got != limit {
		t.Fatalf("read %d bytes of a %d-byte body", got, limit)
	}
}

// DTDs are refused before anything in them is used: no entity is expanded (a billion laughs is
// answered at once), no external entity or DTD is fetched or read.
func TestSecurityRejectsDTDs(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	var fetched atomic.Int64
	attacker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fetched.Add(1)
		fmt.Fprint(w, `<!ENTITY x "pwned">`)
	}))
	t.Cleanup(attacker.Close)
	env := func(body string) string {
		return `<s:Envelope xmlns:s="` + wsman.NSSoap + `"><s:Body>` + body + `</s:Body></s:Envelope>`
	}
	var laughs strings.Builder
	laughs.WriteString(`<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">`)
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&laughs, `<!ENTITY lol%d "%s">`, i, strings.Repeat(fmt.Sprintf("&lol%d;", i-1), 10))
	}
	laughs.WriteString(`]>` + env(`<x>&lol9;</x>`))
	for name, doc := range map[string]string{
		"billion laughs":     laughs.String(),
		"external entity":    `<!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]>` + env(`<x>&x;</x>`),
		"external DTD":       `<!DOCTYPE s SYSTEM "` + attacker.URL + `/evil.dtd">` + env(`<x>&x;</x>`),
		"parameter entity":   `<!DOCTYPE s [<!ENTITY % p SYSTEM "` + attacker.URL + `/p">%p;]>` + env(`<x/>`),
		"DTD after a PI":     `<?xml version="1.0"?><?pi x?><!DOCTYPE s>` + env(`<x/>`),
		"undeclared entity":  env(`<x>&x;</x>`),
		"entity in attrib":   env(`<x a="&x;"/>`),
		"DOCTYPE in body":    `<s:Envelope xmlns:s="` + wsman.NSSoap + `"><!DOCTYPE x><s:Body/></s:Envelope>`,
		"huge internal DTD":  `<!DOCTYPE s [` + strings.Repeat(`<!ENTITY e "`+strings.Repeat("a", 1000)+`">`, 400) + `]>` + env(`<x/>`),
		"unterminated DTD":   `<!DOCTYPE s [` + strings.Repeat("<!ENTITY ", 40000),
		"entity-like in DTD": `<!DOCTYPE s [<!ELEMENT s ANY><!ATTLIST s a CDATA "&#x26;x;">]>` + env(`<x/>`),
	} {
		start := time.Now()
		status, answer := h.postRaw([]byte(doc))
		elapsed := time.Since(start)
		if status != 500 {
			t.Errorf("%s: status %d, want a 500 fault", name, status)
			continue
		}
		resp, err := wsman.Parse(answer)
		if err != nil {
			t.Errorf("%s: the answer is not a SOAP envelope: %v", name, err)
			continue
		}
		f, ok := resp.Fault()
		if !ok || f.Subcode.Local != "SchemaValidationError" {
			t.Errorf("%s: want a SchemaValidationError fault, got %+v", name, f)
		}
		if strings.Contains(string(answer), "lollollol") || strings.Contains(string(answer), "root:") || strings.Contains(string(answer), "pwned") {
			t.Errorf("%s: the answer carries expanded or fetched content: %s", name, answer)
		}
		if elapsed > hostileDeadline {
			t.Errorf("%s: took %s", name, elapsed)
		}
	}
	if n := fetched.Load(); n != 0 {
		t.Fatalf("the emulator fetched an external DTD or entity %d times", n)
	}
}

// Hostile documents within the size cap (nesting, namespace declarations, attributes, a huge
// SOAP header) are answered, quickly, with a fault or a normal answer, and the server goes on
// serving. An HTTP header over net/http's 1 MB limit is refused before the emulator sees it.
func TestSecurityHostileDocuments(t *testing.T) {
	t.Parallel()
	run, err := Start(context.Background(), Config{Username: testUser, Password: testPass}, "127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })
	h := &harness{t: t, srv: run.Server, url: run.URL}
	const budget = DefaultMaxRequestSize - 1024
	envOpen := `<s:Envelope xmlns:s="` + wsman.NSSoap + `" xmlns:a="` + wsman.NSAddressing + `" xmlns:w="` + wsman.NSWSMan + `">`
	fill := func(prefix, unit, suffix string) string {
		n := (budget - len(prefix) - len(suffix)) / len(unit)
		return prefix + strings.Repeat(unit, n) + suffix
	}
	nsFlood := func() string {
		var b strings.Builder
		b.WriteString(`<s:Envelope xmlns:s="` + wsman.NSSoap + `"`)
		for i := 0; i < 12000; i++ {
			fmt.Fprintf(&b, ` xmlns:a%d="u"`, i)
		}
		b.WriteString(`><s:Body><x>`)
		return fill(b.String(), `<y xmlns:z="v"/>`, `</x></s:Body></s:Envelope>`)
	}
	identify := `<s:Body><wsmid:Identify xmlns:wsmid="` + wsman.NSIdentity + `"/></s:Body></s:Envelope>`
	for _, tc := range []struct {
		name string
		doc  string
		want int // 200 or 500
	}{
		{"nested 160000 deep", fill(envOpen+`<s:Body>`, `<a>`, ``), 500},
		{"nested 64 deep", envOpen + `<s:Body>` + strings.Repeat("<a>", 62) + strings.Repeat("</a>", 62) + `</s:Body></s:Envelope>`, 500},
		{"namespace declarations", nsFlood(), 500},
		{"attributes", fill(envOpen+`<s:Body><x`, ` a="1"`, `/></s:Body></s:Envelope>`), 500},
		{"distinct attributes", func() string {
			var b strings.Builder
			b.WriteString(envOpen + `<s:Body><x`)
			for i := 0; b.Len() < budget-64; i++ {
				fmt.Fprintf(&b, ` a%d="1"`, i)
			}
			return b.String() + `/></s:Body></s:Envelope>`
		}(), 500},
		{"elements", fill(envOpen+`<s:Body><x>`, `<y/>`, `</x></s:Body></s:Envelope>`), 500},
		{"SOAP header of selectors", fill(envOpen+`<s:Header><w:SelectorSet>`, `<w:Selector Name="a">b</w:Selector>`, `</w:SelectorSet></s:Header>`+identify), 200},
		{"huge MessageID", fill(envOpen+`<s:Header><a:MessageID>`, `x`, `</a:MessageID></s:Header>`+identify), 200},
		{"huge text", fill(envOpen+`<s:Body><x>`, `&amp;`, `</x></s:Body></s:Envelope>`), 500},
		{"character references", fill(envOpen+`<s:Body><x>`, `&#x10FFFF;`, `</x></s:Body></s:Envelope>`), 500},
		{"comments", fill(envOpen+`<s:Body>`, `<!---->`, `</s:Body></s:Envelope>`), 500},
	} {
		if len(tc.doc) > DefaultMaxRequestSize {
			t.Fatalf("%s: %d bytes, over the cap", tc.name, len(tc.doc))
		}
		start := time.Now()
		status, answer := h.postRaw([]byte(tc.doc))
		elapsed := time.Since(start)
		if status != tc.want {
			t.Errorf("%s: status %d, want %d: %.300s", tc.name, status, tc.want, answer)
		}
		if _, err := wsman.Parse(answer); err != nil {
			t.Errorf("%s: the answer is not a SOAP envelope: %v", tc.name, err)
		}
		if elapsed > hostileDeadline {
			t.Errorf("%s (%d bytes): took %s", tc.name, len(tc.doc), elapsed)
		}
	}

	// An HTTP header over 1 MB: net/http answers 431 and the emulator goes on serving.
	req, _ := http.NewRequest(http.MethodPost, run.URL, strings.NewReader(`<x/>`))
	req.SetBasicAuth(testUser, testPass)
	req.Header.Set("Content-Type", wsman.ContentType)
	req.Header.Set("X-Padding", strings.Repeat("p", 2<<20))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("oversized header: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("oversized header: status %d, want 431", resp.StatusCode)
	}
	h.mustAddProvider("still-serving")
}
