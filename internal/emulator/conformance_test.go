//go:build unix

package emulator_test

// Conformance tests: clients that nobody here wrote talk to the emulator. curl posts the raw SOAP
// files README shows (examples/emulator/soap), Debian's python3-winrm sends envelopes with
// Protocol.send_message, and Debian's wsl WS-Man client runs identify, enum and invoke. After every
// step of an external client, the emulator's state is read back independently, over HTTP with the
// wsman codec. The clients are installed by .ci/test-deps; a missing one skips its test unless
// IPAM_CONFORMANCE=require (make test sets it), which makes it fail instead.

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/winipam/terraform-provider-ipam/internal/emulator"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

const (
	confUser = "admin"
	// confPass stays within [A-Za-z0-9!._-]: wsl passes it through a shell twice.
	confPass = "secret"

	classURI     = wsman.WMIBase + "root/microsoft/ipam/MSFT_IPAM_AddressSpace"
	wildcardURI  = wsman.WMIBase + "root/microsoft/ipam/*"
	selectSpaces = "SELECT * FROM MSFT_IPAM_AddressSpace"

	// commandTimeout bounds every external command, so that no client can hang the suite.
	commandTimeout = 60 * time.Second

	// Win32 codes and HRESULTs the emulator answers with (ipam-api.md 3.1).
	win32AlreadyExists = 183
	win32NotFound      = 1168
	wbemAlreadyExists  = 0x80041019
)

// soapContentType is the header README's curl command sends.
const soapContentType = "application/soap+xml;charset=UTF-8"

// missingTool skips the test, or fails it when IPAM_CONFORMANCE=require.
func missingTool(t *testing.T, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("IPAM_CONFORMANCE") == "require" {
		t.Fatalf("%s (IPAM_CONFORMANCE=require; run .ci/test-deps to install the clients)", msg)
	}
	t.Skipf("%s; run .ci/test-deps, or set IPAM_CONFORMANCE=require to make this a failure", msg)
}

// needTools checks that the named commands are on PATH.
func needTools(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			missingTool(t, "conformance client %s is not installed", n)
		}
	}
}

// pywinrmPython is Debian's interpreter; a python3 earlier on PATH (pyenv) has no winrm module.
const pywinrmPython = "/usr/bin/python3"

func needPywinrm(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(pywinrmPython); err != nil {
		missingTool(t, "%s is missing", pywinrmPython)
	}
	res := runCommand(t, "", cleanEnv(), pywinrmPython, "-I", "-c", "import winrm.protocol")
	if res.code != 0 {
		missingTool(t, "python3-winrm is not installed for %s: %s", pywinrmPython, bytes.TrimSpace(res.stderr))
	}
}

// repoRoot is the module root: README's commands run from there.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found from the package directory: %v", err)
	}
	return root
}

// exampleSOAP is where the SOAP files README shows live, relative to the module root.
const exampleSOAP = "examples/emulator/soap"

// startEmulator serves an in-process emulator with an in-memory database on loopback and returns its
// /wsman URL.
func startEmulator(t *testing.T) string {
	t.Helper()
	return startEmulatorWith(t, emulator.Config{})
}

// startEmulatorWith is startEmulator with settings of the test's own.
func startEmulatorWith(t *testing.T, cfg emulator.Config) string {
	t.Helper()
	cfg.Username, cfg.Password, cfg.DBPath = confUser, confPass, ":memory:"
	srv, err := emulator.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(srv)
	hs.Config.ConnContext = srv.ConnContext // per-connection login state, as emulator.Start serves it
	hs.Listener.Close()
	hs.Listener = ln
	hs.Start()
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
	})
	return hs.URL + "/wsman"
}

// cleanEnv is the environment of external commands: PATH and locale only, so that no proxy,
// WS* variable or user configuration of this machine changes what a client does.
func cleanEnv(extra ...string) []string {
	env := []string{"PATH=" + os.Getenv("PATH"), "LC_ALL=C.UTF-8"}
	return append(env, extra...)
}

type cmdResult struct {
	stdout, stderr []byte
	code           int
}

// runCommand runs an external command with stdin closed and a deadline; on timeout its whole
// process group is killed. A command that cannot start fails the test.
func runCommand(t *testing.T, dir string, env []string, name string, args ...string) cmdResult {
	t.Helper()
	return runCommandFor(t, commandTimeout, dir, env, name, args...)
}

func runCommandFor(t *testing.T, timeout time.Duration, dir string, env []string, name string, args ...string) cmdResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir, cmd.Env, cmd.Stdin = dir, env, nil
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s %s: no answer within %s (stdout %q, stderr %q)", name, strings.Join(args, " "), timeout, stdout.Bytes(), stderr.Bytes())
	}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return cmdResult{stdout.Bytes(), stderr.Bytes(), exit.ExitCode()}
	case err != nil:
		t.Fatalf("%s: %v", name, err)
	}
	return cmdResult{stdout.Bytes(), stderr.Bytes(), 0}
}

// wsClient reads the emulator's state independently of the client under test: it speaks WS-Man
// over HTTP with the wsman codec, never through the database.
type wsClient struct {
	t   *testing.T
	url string
}

func randomUUID(t *testing.T) string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%X-%X-%X-%X-%X", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// send posts one request; a zero MaxEnvelopeSize in hdr means 512000, as WinRM clients send.
func (c *wsClient) send(hdr wsman.Header, body wsman.Body) *wsman.Envelope {
	c.t.Helper()
	hdr.To = c.url
	hdr.MessageID = "uuid:" + randomUUID(c.t)
	if hdr.MaxEnvelopeSize == 0 {
		hdr.MaxEnvelopeSize = 512000
	}
	hdr.OperationTimeout = time.Minute
	msg, err := wsman.Marshal(hdr, body)
	if err != nil {
		c.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, c.url, bytes.NewReader(msg))
	if err != nil {
		c.t.Fatal(err)
	}
	req.SetBasicAuth(confUser, confPass)
	req.Header.Set("Content-Type", wsman.ContentType)
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	resp, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	env, err := wsman.Unmarshal(resp.Body, 0)
	if err != nil {
		c.t.Fatalf("HTTP %d with an unreadable body: %v", resp.StatusCode, err)
	}
	return env
}

// query runs a WQL query with OptimizeEnumeration and pulls every page.
func (c *wsClient) query(wql string) []*wsman.Instance {
	c.t.Helper()
	env := c.send(wsman.Header{ResourceURI: wildcardURI, Action: wsman.ActionEnumerate},
		&wsman.Enumerate{Dialect: wsman.DialectWQL, Filter: wql, Optimize: true, MaxElements: 32000})
	var items []*wsman.Instance
	for pages := 1; ; pages++ {
		if f, ok := env.Fault(); ok {
			c.t.Fatalf("independent read %q: %v", wql, f)
		}
		res, err := env.EnumerationResult()
		if err != nil {
			c.t.Fatalf("independent read %q: %v", wql, err)
		}
		items = append(items, res.Items...)
		if res.EndOfSequence {
			return items
		}
		if pages > 1000 {
			c.t.Fatalf("independent read %q does not end", wql)
		}
		env = c.send(wsman.Header{ResourceURI: wildcardURI, Action: wsman.ActionPull},
			&wsman.Pull{Context: res.Context, MaxElements: 32000})
	}
}

// names returns the names a query finds, in record order.
func (c *wsClient) names(wql string) []string {
	c.t.Helper()
	return namesOf(c.query(wql))
}

// byName returns the address space with that name, or nil.
func (c *wsClient) byName(name string) *wsman.Instance {
	c.t.Helper()
	items := c.query(selectSpaces + " WHERE Name = '" + strings.ReplaceAll(name, "'", `\'`) + "'")
	switch len(items) {
	case 0:
		return nil
	case 1:
		return items[0]
	}
	c.t.Fatalf("%d address spaces are named %q", len(items), name)
	return nil
}

// mustHave reads one address space back and checks the listed properties.
func (c *wsClient) mustHave(name string, want map[string]string) {
	c.t.Helper()
	in := c.byName(name)
	if in == nil {
		c.t.Fatalf("independent read: %q does not exist", name)
	}
	for k, v := range want {
		if got := text(in, k); got != v {
			c.t.Errorf("independent read: %s of %q is %q, want %q", k, name, got, v)
		}
	}
}

// bulk calls a bulk method and returns the per-item statuses.
func (c *wsClient) bulk(method string, items ...*wsman.Instance) []*wsman.Instance {
	c.t.Helper()
	env := c.send(wsman.Header{ResourceURI: classURI, Action: wsman.MethodAction(classURI, method)},
		&wsman.InvokeInput{Method: method, Params: []wsman.Property{wsman.Embedded("AddressSpace", items...)}})
	if f, ok := env.Fault(); ok {
		c.t.Fatalf("%s: %v", method, f)
	}
	out, err := env.InvokeOutput(method)
	if err != nil {
		c.t.Fatal(err)
	}
	if out.ReturnValue == nil || *out.ReturnValue != 0 {
		c.t.Fatalf("%s: ReturnValue %v", method, out.ReturnValue)
	}
	return (&wsman.Instance{Properties: out.Params}).Instances("Output")
}

func text(in *wsman.Instance, name string) string {
	v, _ := in.Text(name)
	return v
}

func namesOf(items []*wsman.Instance) []string {
	out := make([]string, 0, len(items))
	for _, in := range items {
		out = append(out, text(in, "Name"))
	}
	return out
}

func wantNames(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("%s: names %q, want %q", what, got, want)
	}
}

// wantStatuses checks the Output of a bulk call: one status per item, in order, with these
// Win32Status values.
func wantStatuses(t *testing.T, what string, statuses []*wsman.Instance, want ...uint32) {
	t.Helper()
	if len(statuses) != len(want) {
		t.Fatalf("%s: %d statuses, want %d", what, len(statuses), len(want))
	}
	for i, st := range statuses {
		if text(st, "Index") != strconv.Itoa(i) || text(st, "Win32Status") != strconv.FormatUint(uint64(want[i]), 10) {
			t.Errorf("%s: item %d has Index %s, Win32Status %s (%s); want Win32Status %d", what, i,
				text(st, "Index"), text(st, "Win32Status"), text(st, "ErrorMessage"), want[i])
		}
		if want[i] == 0 && (text(st, "RecordId") == "" || text(st, "RecordId") == "0") {
			t.Errorf("%s: item %d succeeded without a RecordId", what, i)
		}
		if want[i] != 0 && text(st, "ErrorMessage") == "" {
			t.Errorf("%s: item %d failed without an ErrorMessage", what, i)
		}
	}
}

// parseResponse reads a response body with the wsman codec.
func parseResponse(t *testing.T, what string, body []byte) *wsman.Envelope {
	t.Helper()
	env, err := wsman.Parse(body)
	if err != nil {
		t.Fatalf("%s: unreadable response: %v\n%s", what, err, body)
	}
	return env
}

// methodOutput reads a method's response, failing on a fault.
func methodOutput(t *testing.T, what string, env *wsman.Envelope, method string) *wsman.InvokeOutput {
	t.Helper()
	if f, ok := env.Fault(); ok {
		t.Fatalf("%s: fault %v", what, f)
	}
	out, err := env.InvokeOutput(method)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if out.ReturnValue == nil || *out.ReturnValue != 0 {
		t.Fatalf("%s: ReturnValue %v, want 0", what, out.ReturnValue)
	}
	if out.ResourceURI != classURI {
		t.Errorf("%s: the _OUTPUT element is in namespace %q, want the class URI", what, out.ResourceURI)
	}
	return out
}

func outputInstance(t *testing.T, what string, out *wsman.InvokeOutput) *wsman.Instance {
	t.Helper()
	p, ok := out.Param("output")
	if !ok || len(p.Values) != 1 || p.Values[0].Instance == nil {
		t.Fatalf("%s: no output instance in %+v", what, out.Params)
	}
	return p.Values[0].Instance
}

func outputStatuses(out *wsman.InvokeOutput) []*wsman.Instance {
	return (&wsman.Instance{Properties: out.Params}).Instances("Output")
}

// wantProviderFault checks a fault carrying an IPAM error: WSManFault code, MSFT_WmiError with the
// Win32 code, and a reason a human can read.
func wantProviderFault(t *testing.T, what string, env *wsman.Envelope, win32 uint32, msgPart string) {
	t.Helper()
	f, ok := env.Fault()
	if !ok {
		t.Fatalf("%s: want a fault, got <%v>", what, env.Body)
	}
	if f.WmiError == nil || f.WmiError.ErrorCode != win32 || f.WmiError.MessageID != fmt.Sprintf("WIN32 %d", win32) {
		t.Fatalf("%s: want MSFT_WmiError with error_Code %d, got %+v", what, win32, f.WmiError)
	}
	if f.WSManCode == 0 || !strings.Contains(f.WmiError.Message, msgPart) || !strings.Contains(f.Reason, msgPart) {
		t.Fatalf("%s: want WSManFault code and %q in the message and reason, got code %#x, reason %q, message %q",
			what, msgPart, f.WSManCode, f.Reason, f.WmiError.Message)
	}
}

// ---- curl with the README's SOAP files ----

var httpStatusLine = regexp.MustCompile(`(?m)^HTTP_STATUS=(\d{3})$`)

// curlSOAP posts a file of examples/emulator/soap with README's curl command, from the module
// root as README runs it, and returns the HTTP status and body. The status goes to stderr through
// -w, so stdout is exactly what a user sees.
func curlSOAP(t *testing.T, url, file, user, pass string) (int, []byte) {
	t.Helper()
	res := runCommand(t, repoRoot(t), cleanEnv(), "curl", "-sS", "-u", user+":"+pass, "-H", "Content-Type: "+soapContentType,
		"--data-binary", "@"+exampleSOAP+"/"+file, "-w", `%{stderr}HTTP_STATUS=%{http_code}\n`, url)
	if res.code != 0 {
		t.Fatalf("curl %s: exit %d: %s", file, res.code, res.stderr)
	}
	m := httpStatusLine.FindSubmatch(res.stderr)
	if m == nil {
		t.Fatalf("curl %s: no status in %q", file, res.stderr)
	}
	status, _ := strconv.Atoi(string(m[1]))
	return status, res.stdout
}

func TestConformanceSOAPExamples(t *testing.T) {
	t.Parallel()
	needTools(t, "xmllint")
	dir := filepath.Join(repoRoot(t), exampleSOAP)
	want := map[string]struct{ resourceURI, action string }{
		"add-provider.xml":                  {classURI, classURI + "/AddProviderAddressSpace"},
		"add-customer.xml":                  {classURI, classURI + "/AddCustomerAddressSpace"},
		"add-customer-missing-provider.xml": {classURI, classURI + "/AddCustomerAddressSpace"},
		"enumerate.xml":                     {wildcardURI, wsman.ActionEnumerate},
		"update.xml":                        {classURI, classURI + "/BulkAddOrUpdateAddressSpace"},
		"delete.xml":                        {classURI, classURI + "/BulkDeleteAddressSpace"},
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.xml"))
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, path := range files {
		name := filepath.Base(path)
		w, known := want[name]
		delete(want, name)
		// A parser nobody here wrote must take the file as it is.
		if res := runCommand(t, dir, cleanEnv(), "xmllint", "--noout", name); res.code != 0 || len(res.stderr) > 0 {
			t.Errorf("xmllint %s: exit %d: %s", name, res.code, res.stderr)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(data, []byte("\n  <s:Header>\n    <wsa:To>")) {
			t.Errorf("%s is not indented for reading", name)
		}
		env := parseResponse(t, name, data)
		h := env.Header
		if h.To != "http://127.0.0.1:5985/wsman" || h.ResourceURI == "" || h.Action == "" ||
			h.MaxEnvelopeSize != 512000 || h.OperationTimeout != time.Minute || h.Locale != "en-US" {
			t.Errorf("%s header: %+v", name, h)
		}
		if known && (h.ResourceURI != w.resourceURI || h.Action != w.action) {
			t.Errorf("%s: ResourceURI %s and Action %s, want %s and %s", name, h.ResourceURI, h.Action, w.resourceURI, w.action)
		}
		if !regexp.MustCompile(`^uuid:[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$`).MatchString(h.MessageID) {
			t.Errorf("%s: MessageID %q is not a uuid: URN", name, h.MessageID)
		} else if other, dup := ids[h.MessageID]; dup {
			t.Errorf("%s and %s share MessageID %s", name, other, h.MessageID)
		}
		ids[h.MessageID] = name
	}
	for name := range want {
		t.Errorf("%s/%s is missing", exampleSOAP, name)
	}
}

func TestConformanceCurl(t *testing.T) {
	t.Parallel()
	needTools(t, "curl")
	url := startEmulator(t)
	ws := &wsClient{t: t, url: url}
	post := func(file string, wantStatus int) *wsman.Envelope {
		t.Helper()
		status, body := curlSOAP(t, url, file, confUser, confPass)
		if status != wantStatus {
			t.Fatalf("curl %s: HTTP %d, want %d\n%s", file, status, wantStatus, body)
		}
		return parseResponse(t, "curl "+file, body)
	}

	// Add the provider space.
	out := methodOutput(t, "add-provider.xml", post("add-provider.xml", http.StatusOK), "AddProviderAddressSpace")
	pa := outputInstance(t, "add-provider.xml", out)
	if text(pa, "Name") != "DC-West" || text(pa, "Type") != "0" || text(pa, "InstanceID") == "" {
		t.Fatalf("add-provider.xml output: %+v", pa)
	}
	ws.mustHave("DC-West", map[string]string{"InstanceID": text(pa, "InstanceID"), "Owner": "netops", "Type": "0",
		"Description": "Provider address space of the west data center"})

	// Adding it again is a fault, and changes nothing.
	wantProviderFault(t, "add-provider.xml again", post("add-provider.xml", http.StatusInternalServerError), win32AlreadyExists, "already exists")
	wantNames(t, "after the duplicate", ws.names(selectSpaces), "Default", "DC-West")

	// A customer space on a provider space that does not exist is a fault.
	wantProviderFault(t, "add-customer-missing-provider.xml", post("add-customer-missing-provider.xml", http.StatusInternalServerError),
		win32NotFound, `"DC-Nowhere"`)
	wantNames(t, "after the missing provider", ws.names(selectSpaces), "Default", "DC-West")

	// Add the customer space.
	out = methodOutput(t, "add-customer.xml", post("add-customer.xml", http.StatusOK), "AddCustomerAddressSpace")
	ca := outputInstance(t, "add-customer.xml", out)
	ws.mustHave("Tenant-A", map[string]string{"InstanceID": text(ca, "InstanceID"), "Type": "1", "AssociatedProviderAddressSpace": "DC-West",
		"IsolationMethod": "NVGRE", "Tenant": "Contoso", "VMNetwork": "contoso-net", "Owner": "contoso-admins"})

	// Read everything back with the file README shows.
	env := post("enumerate.xml", http.StatusOK)
	res, err := env.EnumerationResult()
	if err != nil {
		t.Fatal(err)
	}
	if res.Pull || !res.EndOfSequence || res.Context != "" {
		t.Fatalf("enumerate.xml: want every item in an EnumerateResponse ending the sequence, got %+v", res)
	}
	wantNames(t, "enumerate.xml", namesOf(res.Items), ws.names(selectSpaces)...)
	wantNames(t, "enumerate.xml", namesOf(res.Items), "Default", "DC-West", "Tenant-A")

	// Update the description by name; what the item leaves out keeps its value.
	out = methodOutput(t, "update.xml", post("update.xml", http.StatusOK), "BulkAddOrUpdateAddressSpace")
	wantStatuses(t, "update.xml", outputStatuses(out), 0)
	ws.mustHave("DC-West", map[string]string{"InstanceID": text(pa, "InstanceID"), "Owner": "netops",
		"Description": "West data center, moved to the new hall"})

	// Delete the customer, then the provider, in one call.
	out = methodOutput(t, "delete.xml", post("delete.xml", http.StatusOK), "BulkDeleteAddressSpace")
	wantStatuses(t, "delete.xml", outputStatuses(out), 0, 0)
	wantNames(t, "after delete.xml", ws.names(selectSpaces), "Default")

	// Deleting again fails per item, not as a call.
	out = methodOutput(t, "delete.xml again", post("delete.xml", http.StatusOK), "BulkDeleteAddressSpace")
	wantStatuses(t, "delete.xml again", outputStatuses(out), win32NotFound, win32NotFound)

	// A wrong password is HTTP 401 with no body.
	if status, body := curlSOAP(t, url, "add-provider.xml", confUser, "wrong"); status != http.StatusUnauthorized || len(body) != 0 {
		t.Fatalf("wrong password: HTTP %d, body %q", status, body)
	}
	wantNames(t, "after the wrong password", ws.names(selectSpaces), "Default")
}

// ---- python3-winrm ----

type pyResult struct {
	Namespace   string              `json:"namespace"`
	ReturnValue *int                `json:"returnValue"`
	Output      map[string]*string  `json:"output"`
	Statuses    []map[string]string `json:"statuses"`
	Items       []map[string]string `json:"items"`
	Pages       int                 `json:"pages"`
	Pulls       int                 `json:"pulls"`
	Error       *struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
}

// pywinrm runs one operation of testdata/conformance/pywinrm_client.py.
func pywinrm(t *testing.T, url, password string, args ...string) pyResult {
	t.Helper()
	return pywinrmWith(t, url, confUser, password, nil, args...)
}

// pywinrmWith runs the pywinrm script as user, with extra environment (e.g. IPAM_TRANSPORT).
func pywinrmWith(t *testing.T, url, user, password string, extra []string, args ...string) pyResult {
	t.Helper()
	script, err := filepath.Abs(filepath.Join("testdata", "conformance", "pywinrm_client.py"))
	if err != nil {
		t.Fatal(err)
	}
	env := cleanEnv(append([]string{"IPAM_ENDPOINT=" + url, "IPAM_USERNAME=" + user, "IPAM_PASSWORD=" + password, "HOME=" + t.TempDir()}, extra...)...)
	res := runCommand(t, t.TempDir(), env, pywinrmPython, append([]string{"-I", script}, args...)...)
	if res.code != 0 {
		t.Fatalf("pywinrm %s: exit %d\nstdout: %s\nstderr: %s", args[0], res.code, res.stdout, res.stderr)
	}
	var out pyResult
	if err := json.Unmarshal(res.stdout, &out); err != nil {
		t.Fatalf("pywinrm %s: %v in %q", args[0], err, res.stdout)
	}
	return out
}

func (r pyResult) ok(t *testing.T, what string) pyResult {
	t.Helper()
	if r.Error != nil {
		t.Fatalf("pywinrm %s raised %s: %s", what, r.Error.Type, r.Error.Message)
	}
	return r
}

func (r pyResult) raised(t *testing.T, what, errType string, msgParts ...string) {
	t.Helper()
	if r.Error == nil {
		t.Fatalf("pywinrm %s: want %s, got %+v", what, errType, r)
	}
	if r.Error.Type != errType {
		t.Fatalf("pywinrm %s: raised %s (%s), want %s", what, r.Error.Type, r.Error.Message, errType)
	}
	for _, p := range msgParts {
		if !strings.Contains(r.Error.Message, p) {
			t.Errorf("pywinrm %s: message %q lacks %q", what, r.Error.Message, p)
		}
	}
}

func (r pyResult) method(t *testing.T, what string) pyResult {
	t.Helper()
	r.ok(t, what)
	if r.ReturnValue == nil || *r.ReturnValue != 0 || r.Namespace != classURI {
		t.Fatalf("pywinrm %s: ReturnValue %v in namespace %q", what, r.ReturnValue, r.Namespace)
	}
	return r
}

func (r pyResult) wantStatuses(t *testing.T, what string, want ...string) {
	t.Helper()
	if len(r.Statuses) != len(want) {
		t.Fatalf("pywinrm %s: statuses %v, want %d", what, r.Statuses, len(want))
	}
	for i, st := range r.Statuses {
		if st["Index"] != strconv.Itoa(i) || st["Win32Status"] != want[i] {
			t.Errorf("pywinrm %s: item %d: %v, want Win32Status %s", what, i, st, want[i])
		}
	}
}

func pyNames(items []map[string]string) []string {
	out := make([]string, 0, len(items))
	for _, in := range items {
		out = append(out, in["Name"])
	}
	return out
}

// pywinrm logs in with NTLM (requests_ntlm and ntlm_auth, nobody's code here). The independent reads
// use Basic; the wsman client tests cover a server that refuses it.
func TestConformancePywinrmNTLM(t *testing.T) {
	t.Parallel()
	needPywinrm(t)
	url := startEmulator(t)
	ws := &wsClient{t: t, url: url}
	// Debian's OpenSSL 3 keeps MD4, which NTLM is built on, in its legacy provider.
	conf, err := filepath.Abs(filepath.Join("testdata", "conformance", "openssl-legacy.cnf"))
	if err != nil {
		t.Fatal(err)
	}
	ntlm := []string{"IPAM_TRANSPORT=ntlm", "OPENSSL_CONF=" + conf}
	py := func(user, password string, args ...string) pyResult {
		t.Helper()
		return pywinrmWith(t, url, user, password, ntlm, args...)
	}
	r := py(`CORP\`+confUser, confPass, "add-provider", "NTLM-West", "ntlm-owner", "added over NTLM").method(t, "add-provider")
	id := *r.Output["InstanceID"]
	ws.mustHave("NTLM-West", map[string]string{"InstanceID": id, "Owner": "ntlm-owner", "Type": "0"})
	r = py(confUser+"@corp.example", confPass, "query", selectSpaces+" WHERE Name = 'NTLM-West'", "10").ok(t, "query")
	wantNames(t, "pywinrm NTLM query", pyNames(r.Items), "NTLM-West")
	py(confUser, confPass, "update", id, "NTLM-West", "updated over NTLM").method(t, "update").wantStatuses(t, "update", "0")
	ws.mustHave("NTLM-West", map[string]string{"Description": "updated over NTLM"})
	py(confUser, confPass, "delete", "NTLM-West").method(t, "delete").wantStatuses(t, "delete", "0")
	if ws.byName("NTLM-West") != nil {
		t.Fatal("NTLM-West still exists after the delete")
	}
	py(confUser, "not-the-password", "query", selectSpaces, "10").raised(t, "wrong password over NTLM", "winrm.exceptions.InvalidCredentialsError")
}

// pywinrm seals every message with NTLM session security (ntlm-auth's, nobody's code here) against
// an emulator with Windows' defaults: Basic refused, unencrypted messages refused. Add, bulk calls
// and Enumerate/Pull all travel sealed both ways; unsealed messages are refused as Windows refuses
// them.
func TestConformancePywinrmNTLMSealed(t *testing.T) {
	t.Parallel()
	needPywinrm(t)
	url := startEmulatorWith(t, emulator.Config{DisableBasic: true, RequireEncryption: true})
	conf, err := filepath.Abs(filepath.Join("testdata", "conformance", "openssl-legacy.cnf"))
	if err != nil {
		t.Fatal(err)
	}
	py := func(encryption, password string, args ...string) pyResult {
		t.Helper()
		return pywinrmWith(t, url, `CORP\`+confUser, password, []string{"IPAM_TRANSPORT=ntlm", "OPENSSL_CONF=" + conf, "IPAM_MESSAGE_ENCRYPTION=" + encryption}, args...)
	}
	sealed := func(args ...string) pyResult { t.Helper(); return py("always", confPass, args...) }

	r := sealed("add-provider", "Sealed-West", "sealed-owner", "added sealed").method(t, "add-provider")
	id := *r.Output["InstanceID"]
	sealed("add-customer", "Sealed-Tenant", "Sealed-West", "NVGRE").method(t, "add-customer")
	// One item per page: the Enumerate and every Pull travel sealed.
	r = sealed("query", selectSpaces+" WHERE Name LIKE 'Sealed-%'", "1").ok(t, "query")
	wantNames(t, "sealed query", pyNames(r.Items), "Sealed-West", "Sealed-Tenant")
	if r.Pages != 2 || r.Pulls != 1 {
		t.Errorf("sealed query: %d pages and %d pulls, want 2 and 1", r.Pages, r.Pulls)
	}
	sealed("update", id, "Sealed-West", "updated sealed").method(t, "update").wantStatuses(t, "update", "0")
	r = sealed("query", selectSpaces+" WHERE Name = 'Sealed-West'", "10").ok(t, "query after update")
	if len(r.Items) != 1 || r.Items[0]["Description"] != "updated sealed" || r.Items[0]["InstanceID"] != id {
		t.Fatalf("after the sealed update: %v", r.Items)
	}
	sealed("delete", "Sealed-Tenant", "Sealed-West").method(t, "delete").wantStatuses(t, "delete", "0", "0")
	wantNames(t, "after the sealed delete", pyNames(sealed("query", selectSpaces, "10").ok(t, "query").Items), "Default")

	// The same login without sealing: the server refuses the message (401, as Windows answers it).
	py("never", confPass, "query", selectSpaces, "10").raised(t, "unsealed NTLM", "winrm.exceptions.InvalidCredentialsError")
	py("always", "not-the-password", "query", selectSpaces, "10").raised(t, "wrong password, sealed", "winrm.exceptions.InvalidCredentialsError")
	basic := pywinrmWith(t, url, confUser, confPass, nil, "query", selectSpaces, "10")
	basic.raised(t, "Basic against Windows' defaults", "winrm.exceptions.InvalidCredentialsError")
}

func TestConformancePywinrm(t *testing.T) {
	t.Parallel()
	needPywinrm(t)
	url := startEmulator(t)
	ws := &wsClient{t: t, url: url}
	py := func(args ...string) pyResult { t.Helper(); return pywinrm(t, url, confPass, args...) }

	// Add.
	r := py("add-provider", "PY-West", "py-owner", "added by pywinrm").method(t, "add-provider")
	if r.Output["Name"] == nil || *r.Output["Name"] != "PY-West" || r.Output["Description"] == nil || r.Output["Tenant"] != nil {
		t.Fatalf("add-provider output: %v", r.Output)
	}
	id := *r.Output["InstanceID"]
	ws.mustHave("PY-West", map[string]string{"InstanceID": id, "Owner": "py-owner", "Description": "added by pywinrm", "Type": "0"})
	py("add-customer", "PY-Tenant", "PY-West", "IPRewrite").method(t, "add-customer")
	ws.mustHave("PY-Tenant", map[string]string{"AssociatedProviderAddressSpace": "PY-West", "IsolationMethod": "IPRewrite", "Type": "1"})

	// Read back, one item per page: Enumerate, then Pull until EndOfSequence.
	r = py("query", selectSpaces+" WHERE Name LIKE 'PY-%'", "1").ok(t, "query")
	wantNames(t, "pywinrm query", pyNames(r.Items), "PY-West", "PY-Tenant")
	if r.Pages != 2 || r.Pulls != 1 {
		t.Errorf("pywinrm query: %d pages and %d pulls, want 2 and 1", r.Pages, r.Pulls)
	}
	r = py("query", "SELECT Name, Owner FROM MSFT_IPAM_AddressSpace", "2").ok(t, "query all")
	wantNames(t, "pywinrm query all", pyNames(r.Items), ws.names(selectSpaces)...)
	if r.Items[1]["Owner"] != "py-owner" || len(r.Items[1]) != 3 {
		t.Errorf("pywinrm query with a property list: %v", r.Items[1])
	}

	// Update: rename by InstanceID and change the description.
	py("update", id, "PY-West-2", "updated by pywinrm").method(t, "update").wantStatuses(t, "update", "0")
	ws.mustHave("PY-West-2", map[string]string{"InstanceID": id, "Owner": "py-owner", "Description": "updated by pywinrm"})
	ws.mustHave("PY-Tenant", map[string]string{"AssociatedProviderAddressSpace": "PY-West-2"})
	if ws.byName("PY-West") != nil {
		t.Fatal("the old name is still there after the rename")
	}

	// Faults: pywinrm raises WinRMError with the SOAP fault's reason and codes.
	py("add-provider", "py-west-2", "x", "y").raised(t, "duplicate add", "winrm.exceptions.WinRMError",
		`already exists (extended fault data: `, "'http_status_code': 500", fmt.Sprintf("'wsmanfault_code': '%d'", wbemAlreadyExists),
		"'fault_code': 's:Receiver'", "'fault_subcode': 'w:InternalError'")
	py("add-customer", "PY-Other", "PY-Nowhere", "NVGRE").raised(t, "customer on a missing provider", "winrm.exceptions.WinRMError",
		`"PY-Nowhere" does not exist`)
	py("query", "SELECT * FROM Win32_Process", "10").raised(t, "query of another class", "winrm.exceptions.WinRMError",
		"'fault_subcode': 'n:CannotProcessFilter'", fmt.Sprintf("'wsmanfault_code': '%d'", wsman.FaultCannotProcessFilter.HRESULT()))
	pywinrm(t, url, "wrong", "delete", "PY-Tenant").raised(t, "wrong password", "winrm.exceptions.InvalidCredentialsError")
	wantNames(t, "after the faults", ws.names(selectSpaces), "Default", "PY-West-2", "PY-Tenant")

	// Delete, customer first.
	py("delete", "PY-Tenant", "PY-West-2").method(t, "delete").wantStatuses(t, "delete", "0", "0")
	wantNames(t, "after delete", ws.names(selectSpaces), "Default")
	py("delete", "PY-Tenant").method(t, "delete again").wantStatuses(t, "delete again", strconv.Itoa(win32NotFound))
}

// ---- wsl ----

// wslRun is one wsl invocation: its exit code, its stdout without colour escapes, and every
// response it received, in order.
type wslRun struct {
	code      int
	stdout    string
	responses []*wsman.Envelope
}

var ansiEscape = regexp.MustCompile("\x1b\\[[0-9;]*m")

// wslRunner runs wsl safely: a private HOME and working directory per run (wsl writes its
// config, requests, responses and a log with the password there), no history file, stdin closed,
// every variable wsl would otherwise prompt for set, SHELL=/bin/bash for its wrapper, and a
// deadline.
type wslRunner struct {
	t        *testing.T
	home     string
	hostPort string
	inputs   string
	runs     int
}

func newWSL(t *testing.T, url string) *wslRunner {
	t.Helper()
	hostPort := strings.TrimSuffix(strings.TrimPrefix(url, "http://"), "/wsman")
	inputs, err := filepath.Abs(filepath.Join("testdata", "conformance", "wsl"))
	if err != nil {
		t.Fatal(err)
	}
	return &wslRunner{t: t, home: t.TempDir(), hostPort: hostPort, inputs: inputs}
}

func (w *wslRunner) run(password string, args ...string) wslRun {
	w.t.Helper()
	w.runs++
	dir := filepath.Join(w.home, fmt.Sprintf("run-%02d", w.runs))
	if err := os.Mkdir(dir, 0o700); err != nil {
		w.t.Fatal(err)
	}
	// wsl splices file names into shell commands unquoted: give it plain relative names.
	inputs, err := os.ReadDir(w.inputs)
	if err != nil {
		w.t.Fatal(err)
	}
	for _, in := range inputs {
		data, err := os.ReadFile(filepath.Join(w.inputs, in.Name()))
		if err != nil {
			w.t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, in.Name()), data, 0o600); err != nil {
			w.t.Fatal(err)
		}
	}
	env := cleanEnv("HOME="+w.home, "SHELL=/bin/bash", "WSENDPOINT="+w.hostPort, "WSUSER="+confUser, "WSPASS="+password,
		"WSNOSSL=1", "KEEPHISTORY=0", "WSAUTOMATED=1", "OUTPREFIX="+dir)
	res := runCommand(w.t, dir, env, "wsl", args...)
	run := wslRun{code: res.code, stdout: ansiEscape.ReplaceAllString(string(res.stdout), "")}
	for i := 1; ; i++ {
		data, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("response-%d.xml", i)))
		if errors.Is(err, os.ErrNotExist) {
			break
		}
		if err != nil {
			w.t.Fatal(err)
		}
		if len(data) == 0 {
			run.responses = append(run.responses, nil)
			continue
		}
		run.responses = append(run.responses, parseResponse(w.t, "wsl "+args[0], data))
	}
	if _, err := os.Stat(filepath.Join(dir, ".wslrun")); err == nil {
		w.t.Errorf("wsl %s wrote .wslrun (it holds the password) despite KEEPHISTORY=0", args[0])
	}
	return run
}

// last returns the last response of a run that must have succeeded.
func (r wslRun) last(t *testing.T, what string) *wsman.Envelope {
	t.Helper()
	if r.code != 0 || len(r.responses) == 0 || r.responses[len(r.responses)-1] == nil {
		t.Fatalf("wsl %s: exit %d, %d responses\n%s", what, r.code, len(r.responses), r.stdout)
	}
	return r.responses[len(r.responses)-1]
}

// items collects the items of every Enumerate and Pull response of a run.
func (r wslRun) items(t *testing.T, what string) []*wsman.Instance {
	t.Helper()
	r.last(t, what)
	var items []*wsman.Instance
	for i, env := range r.responses {
		res, err := env.EnumerationResult()
		if err != nil {
			t.Fatalf("wsl %s: response %d: %v", what, i+1, err)
		}
		if res.Pull != (i > 0) || res.EndOfSequence != (i == len(r.responses)-1) {
			t.Fatalf("wsl %s: response %d of %d is Pull=%v EndOfSequence=%v", what, i+1, len(r.responses), res.Pull, res.EndOfSequence)
		}
		items = append(items, res.Items...)
	}
	return items
}

func TestConformanceWSL(t *testing.T) {
	t.Parallel()
	needTools(t, "wsl", "curl", "xmllint", "uuidgen", "bash")
	url := startEmulator(t)
	ws := &wsClient{t: t, url: url}
	wsl := newWSL(t, url)

	// Identify.
	env := wsl.run(confPass, "id", "check").last(t, "id")
	if env.Body == nil || env.Body.Local != "IdentifyResponse" || env.Body.Child("", "ProductVendor") == nil {
		t.Fatalf("wsl id: body <%v>", env.Body)
	}

	// Add: a static invoke with the input from a file and an EPR without selectors (-inst), so
	// that wsl does not enumerate EPRs first and paste their w:-prefixed selectors unbound.
	invoke := []string{"invoke", classURI}
	run := wsl.run(confPass, append(invoke, "AddProviderAddressSpace", "-raw", "add-provider.xml", "-inst", "static-class-epr.xml")...)
	if len(run.responses) != 1 {
		t.Fatalf("wsl invoke sent %d requests, want 1", len(run.responses))
	}
	pa := outputInstance(t, "wsl add", methodOutput(t, "wsl add", run.last(t, "add"), "AddProviderAddressSpace"))
	ws.mustHave("WSL-Provider", map[string]string{"InstanceID": text(pa, "InstanceID"), "Owner": "wsl-owner", "Description": "added by wsl"})

	// Add with NAME=VALUE parameters, which wsl writes into the _INPUT element itself.
	run = wsl.run(confPass, append(invoke, "AddCustomerAddressSpace", "-inst", "static-class-epr.xml", "Name=WSL-Customer",
		"AssociatedProviderAddressSpace=WSL-Provider", "IsolationMethod=NVGRE", "Description=two words")...)
	methodOutput(t, "wsl add customer", run.last(t, "add customer"), "AddCustomerAddressSpace")
	ws.mustHave("WSL-Customer", map[string]string{"AssociatedProviderAddressSpace": "WSL-Provider", "IsolationMethod": "NVGRE",
		"Description": "two words", "Type": "1"})

	// Read back with the WQL dialect: optimized with wsl's default of 512 items (one response),
	// then one item per page, which makes wsl Pull until the context runs out.
	enum := []string{"enum", wildcardURI, "-dialect", wsman.DialectWQL, "-filter"}
	run = wsl.run(confPass, append(enum, selectSpaces+" WHERE Name LIKE 'WSL-%'")...)
	if len(run.responses) != 1 {
		t.Fatalf("wsl enum: %d responses, want 1", len(run.responses))
	}
	wantNames(t, "wsl enum", namesOf(run.items(t, "enum")), "WSL-Provider", "WSL-Customer")
	run = wsl.run(confPass, append(enum, selectSpaces, "-opti", "1")...)
	all := ws.names(selectSpaces)
	if len(run.responses) != len(all) {
		t.Errorf("wsl enum -opti 1: %d responses for %d items", len(run.responses), len(all))
	}
	wantNames(t, "wsl enum -opti 1", namesOf(run.items(t, "enum -opti 1")), all...)

	// Update with BulkAddOrUpdateAddressSpace, found by name.
	run = wsl.run(confPass, append(invoke, "BulkAddOrUpdateAddressSpace", "-raw", "bulk-update.xml", "-inst", "static-class-epr.xml")...)
	wantStatuses(t, "wsl update", outputStatuses(methodOutput(t, "wsl update", run.last(t, "update"), "BulkAddOrUpdateAddressSpace")), 0, 0)
	ws.mustHave("WSL-Provider", map[string]string{"InstanceID": text(pa, "InstanceID"), "Owner": "wsl-owner", "Description": "updated by wsl"})
	ws.mustHave("WSL-Customer", map[string]string{"Tenant": "4001", "Description": "two words"})

	// A fault: adding the provider space again. wsl exits 1 and shows the fault; its curl retries
	// an HTTP 500 once, so the server sees the call twice and must refuse it both times.
	run = wsl.run(confPass, append(invoke, "AddProviderAddressSpace", "-raw", "add-provider.xml", "-inst", "static-class-epr.xml")...)
	if run.code != 1 || !strings.Contains(run.stdout, "s:Fault") || !strings.Contains(run.stdout, `"WSL-Provider" already exists`) {
		t.Fatalf("wsl duplicate add: exit %d, want 1 and the fault shown\n%s", run.code, run.stdout)
	}
	wantProviderFault(t, "wsl duplicate add", run.responses[0], win32AlreadyExists, "already exists")
	wantNames(t, "after the wsl fault", ws.names(selectSpaces+" WHERE Name LIKE 'WSL-%'"), "WSL-Provider", "WSL-Customer")

	// A wrong password: wsl finds an empty response and exits 1.
	run = wsl.run("wrong", "enum", wildcardURI, "-dialect", wsman.DialectWQL, "-filter", selectSpaces)
	if run.code != 1 || !strings.Contains(run.stdout, "verify credentials") {
		t.Fatalf("wsl with a wrong password: exit %d\n%s", run.code, run.stdout)
	}

	// Delete with BulkDeleteAddressSpace, customer first.
	run = wsl.run(confPass, append(invoke, "BulkDeleteAddressSpace", "-raw", "bulk-delete.xml", "-inst", "static-class-epr.xml")...)
	wantStatuses(t, "wsl delete", outputStatuses(methodOutput(t, "wsl delete", run.last(t, "delete"), "BulkDeleteAddressSpace")), 0, 0)
	wantNames(t, "after wsl delete", ws.names(selectSpaces), "Default")
}
