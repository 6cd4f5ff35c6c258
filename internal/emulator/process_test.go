//go:build unix

package emulator_test

// The emulator as users run it: the real binary, started with the documented command, driven
// with README's curl commands, stopped with signals, and killed with SIGKILL in the middle of a
// bulk call. Its SQLite file must keep every committed call and none of a call that did not commit.

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/winipam/terraform-provider-ipam/internal/emulator"
	"github.com/winipam/terraform-provider-ipam/internal/emulator/emutest"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

// readmeCurl is README's command for posting a SOAP file to an emulator started with the
// documented command line; only the port in the URL changes in tests.
const readmeCurl = `curl -sS -u admin:secret -H 'Content-Type: application/soap+xml;charset=UTF-8' --data-binary @examples/emulator/soap/%s http://127.0.0.1:5985/wsman`

// startEmulatorProcess runs the documented command on a free loopback port and waits for its
// ready line.
func startEmulatorProcess(t *testing.T, bin, db string, extra ...string) *emulatorProcess {
	t.Helper()
	cmd := emutest.Command(bin, append([]string{"-listen", "127.0.0.1:0", "-db", db, "-username", confUser, "-password", confPass}, extra...)...)
	cmd.Env = cleanEnv()
	cmd.Dir = filepath.Dir(db)
	p := &emulatorProcess{Process: emutest.Start(t, cmd), t: t}
	if p.Database != db {
		t.Fatalf("the emulator names database %q, want %q", p.Database, db)
	}
	if want := "http://127.0.0.1:" + p.Port() + "/wsman"; p.URL != want {
		t.Fatalf("the emulator listens on %s, want %s", p.URL, want)
	}
	return p
}

// emulatorProcess is a running `terraform-provider-ipam emulator`.
type emulatorProcess struct {
	*emutest.Process
	t *testing.T
}

// stop sends sig and waits for the process to exit; it must exit 0 after saying it stopped.
func (p *emulatorProcess) stop(sig os.Signal) {
	p.t.Helper()
	if code := p.Stop(sig); code != 0 || !strings.Contains(p.Stdout(), "IPAM emulator stopped") {
		p.t.Fatalf("after %v: exit code %d\nstdout: %s\nstderr: %s", sig, code, p.Stdout(), p.Stderr())
	}
}

// readme runs README's curl command for one SOAP file, from the module root, against p.
func (p *emulatorProcess) readme(file string) *wsman.Envelope {
	p.t.Helper()
	line := strings.Replace(fmt.Sprintf(readmeCurl, file), "http://127.0.0.1:5985/", "http://127.0.0.1:"+p.Port()+"/", 1)
	res := runCommand(p.t, repoRoot(p.t), cleanEnv(), "sh", "-c", line)
	if res.code != 0 || len(res.stderr) != 0 {
		p.t.Fatalf("%s: exit %d: %s", line, res.code, res.stderr)
	}
	return parseResponse(p.t, file, res.stdout)
}

func TestEmulatorProcess(t *testing.T) {
	t.Parallel()
	bin := emutest.Binary(t)

	t.Run("documented command, README curl, restart", func(t *testing.T) {
		t.Parallel()
		needTools(t, "curl", "sh")
		db := filepath.Join(t.TempDir(), "ipam.db")
		p := startEmulatorProcess(t, bin, db)
		ws := &wsClient{t: t, url: p.URL}

		pa := outputInstance(t, "add-provider.xml", methodOutput(t, "add-provider.xml", p.readme("add-provider.xml"), "AddProviderAddressSpace"))
		methodOutput(t, "add-customer.xml", p.readme("add-customer.xml"), "AddCustomerAddressSpace")
		wantStatuses(t, "update.xml", outputStatuses(methodOutput(t, "update.xml", p.readme("update.xml"), "BulkAddOrUpdateAddressSpace")), 0)
		wantProviderFault(t, "add-provider.xml again", p.readme("add-provider.xml"), win32AlreadyExists, "already exists")
		res, err := p.readme("enumerate.xml").EnumerationResult()
		if err != nil {
			t.Fatal(err)
		}
		wantNames(t, "enumerate.xml", namesOf(res.Items), "Default", "DC-West", "Tenant-A")
		before := ws.query(selectSpaces)
		p.stop(syscall.SIGTERM)

		// A restart on the same file serves the same objects, InstanceIDs included.
		p = startEmulatorProcess(t, bin, db)
		ws = &wsClient{t: t, url: p.URL}
		after := ws.query(selectSpaces)
		if len(after) != len(before) {
			t.Fatalf("after restart: %q, want %q", namesOf(after), namesOf(before))
		}
		for i := range before {
			for _, prop := range []string{"InstanceID", "Name", "Type", "Owner", "Description", "AssociatedProviderAddressSpace", "Tenant", "VMNetwork", "IsolationMethod"} {
				if text(after[i], prop) != text(before[i], prop) {
					t.Errorf("after restart: %s of %q is %q, was %q", prop, text(before[i], "Name"), text(after[i], prop), text(before[i], prop))
				}
			}
		}
		ws.mustHave("DC-West", map[string]string{"InstanceID": text(pa, "InstanceID"), "Description": "West data center, moved to the new hall"})
		res, err = p.readme("enumerate.xml").EnumerationResult()
		if err != nil {
			t.Fatal(err)
		}
		wantNames(t, "enumerate.xml after restart", namesOf(res.Items), "Default", "DC-West", "Tenant-A")

		// Deletions persist too, through SIGINT.
		wantStatuses(t, "delete.xml", outputStatuses(methodOutput(t, "delete.xml", p.readme("delete.xml"), "BulkDeleteAddressSpace")), 0, 0)
		p.stop(os.Interrupt)
		p = startEmulatorProcess(t, bin, db)
		wantNames(t, "after delete and restart", (&wsClient{t: t, url: p.URL}).names(selectSpaces), "Default")
		p.stop(syscall.SIGTERM)
	})

	t.Run("kill -9 during a bulk call", func(t *testing.T) {
		t.Parallel()
		const (
			items   = 2000
			latency = 200 * time.Millisecond
		)
		db := filepath.Join(t.TempDir(), "ipam.db")
		p := startEmulatorProcess(t, bin, db, "-latency", latency.String())
		ws := &wsClient{t: t, url: p.URL}

		// Committed data: one call with a provider and its customer, one bulk call of many items.
		wantStatuses(t, "committed call", ws.bulk("BulkAddOrUpdateAddressSpace",
			wsman.NewInstance("MSFT_IPAM_AddressSpace", classURI, wsman.Scalar("Name", "Kept-PA"), wsman.Scalar("Type", "0")),
			wsman.NewInstance("MSFT_IPAM_AddressSpace", classURI, wsman.Scalar("Name", "Kept-CA"), wsman.Scalar("Type", "1"),
				wsman.Scalar("AssociatedProviderAddressSpace", "Kept-PA"), wsman.Scalar("IsolationMethod", "NVGRE"))), 0, 0)
		start := time.Now()
		wantStatuses(t, "base bulk", bulkLarge(t, ws, bulkItems("base", items)), make([]uint32, items)...)
		took := time.Since(start)
		// The server's own time, from its request log ("... POST BulkAddOrUpdateAddressSpace 200 618000B
		// 1.2s"), leaves out the client's work; fall back on the time seen by the client.
		if m := bulkLogLine.FindAllStringSubmatch(p.Stderr(), -1); m != nil {
			if d, err := time.ParseDuration(m[len(m)-1][1]); err == nil && d >= latency {
				took = d
			}
		}
		work := took - latency
		if n := len(ws.query("SELECT Name FROM MSFT_IPAM_AddressSpace WHERE Name LIKE 'base-%'")); n != items {
			t.Fatalf("%d base items committed, want %d", n, items)
		}

		// The same kind of call, killed half way through the time the first one took to work.
		crash := bulkItems("crash", items)
		msg, err := wsman.Marshal(wsman.Header{To: p.URL, ResourceURI: classURI, Action: wsman.MethodAction(classURI, "BulkAddOrUpdateAddressSpace"),
			MessageID: "uuid:" + randomUUID(t), MaxEnvelopeSize: 8 << 20},
			&wsman.InvokeInput{Method: "BulkAddOrUpdateAddressSpace", Params: []wsman.Property{wsman.Embedded("AddressSpace", crash...)}})
		if err != nil {
			t.Fatal(err)
		}
		answered := make(chan error, 1)
		go func() {
			req, _ := http.NewRequest(http.MethodPost, p.URL, bytes.NewReader(msg))
			req.SetBasicAuth(confUser, confPass)
			req.Header.Set("Content-Type", wsman.ContentType)
			resp, err := (&http.Client{Timeout: commandTimeout}).Do(req)
			if err == nil {
				resp.Body.Close()
				err = fmt.Errorf("HTTP %d", resp.StatusCode)
			}
			answered <- err
		}()
		time.Sleep(latency + work/2)
		p.Kill9()
		if err := <-answered; strings.HasPrefix(err.Error(), "HTTP") {
			t.Logf("the call was answered (%v) before SIGKILL; the kill came after it committed", err)
		} else {
			t.Logf("SIGKILL %s into the call (the same call took %s): the client got %v", latency+work/2, took, err)
		}

		// Restarted on the same file, the database is consistent: all of the killed call or none.
		p = startEmulatorProcess(t, bin, db)
		ws = &wsClient{t: t, url: p.URL}
		got := len(ws.query("SELECT Name FROM MSFT_IPAM_AddressSpace WHERE Name LIKE 'crash-%'"))
		switch got {
		case 0:
			t.Logf("the killed call left nothing")
		case items:
			t.Logf("the killed call had committed all %d items", items)
		default:
			t.Fatalf("the killed call left %d of its %d items: it was not one transaction", got, items)
		}
		if n := len(ws.query("SELECT Name FROM MSFT_IPAM_AddressSpace WHERE Name LIKE 'base-%'")); n != items {
			t.Fatalf("%d of the %d committed base items survived", n, items)
		}
		ws.mustHave("Kept-CA", map[string]string{"AssociatedProviderAddressSpace": "Kept-PA", "IsolationMethod": "NVGRE", "Type": "1"})
		if n := len(ws.query(selectSpaces)); n != 3+items+got {
			t.Fatalf("%d address spaces after the restart, want %d", n, 3+items+got)
		}

		// The client retries the ambiguous call: add-or-update converges, whatever had committed.
		for i := 0; i < 2; i++ {
			wantStatuses(t, fmt.Sprintf("retry %d", i+1), bulkLarge(t, ws, crash), make([]uint32, items)...)
			if n := len(ws.query("SELECT Name FROM MSFT_IPAM_AddressSpace WHERE Name LIKE 'crash-%'")); n != items {
				t.Fatalf("retry %d: %d crash items, want %d", i+1, n, items)
			}
		}
		if n := len(ws.query(selectSpaces)); n != 3+2*items {
			t.Fatalf("%d address spaces after the retries, want %d", n, 3+2*items)
		}
		p.stop(syscall.SIGTERM)
	})
}

var bulkLogLine = regexp.MustCompile(`(?m) POST BulkAddOrUpdateAddressSpace 200 \d+B (\S+)$`)

// bulkItems builds n provider address spaces named prefix-0000 and on.
func bulkItems(prefix string, n int) []*wsman.Instance {
	out := make([]*wsman.Instance, n)
	for i := range out {
		out[i] = wsman.NewInstance("MSFT_IPAM_AddressSpace", classURI,
			wsman.Scalar("Name", fmt.Sprintf("%s-%04d", prefix, i)), wsman.Scalar("Type", "0"))
	}
	return out
}

// bulkLarge sends a bulk call whose request fits the server's default limit and whose Output,
// one status per item, is larger than 512000 bytes: the client asks for a larger envelope.
func bulkLarge(t *testing.T, ws *wsClient, items []*wsman.Instance) []*wsman.Instance {
	t.Helper()
	hdr := wsman.Header{ResourceURI: classURI, Action: wsman.MethodAction(classURI, "BulkAddOrUpdateAddressSpace"), MaxEnvelopeSize: 8 << 20}
	body := &wsman.InvokeInput{Method: "BulkAddOrUpdateAddressSpace", Params: []wsman.Property{wsman.Embedded("AddressSpace", items...)}}
	if msg, err := wsman.Marshal(hdr, body); err != nil || len(msg) > emulator.DefaultMaxRequestSize {
		t.Fatalf("a bulk request of %d items takes %d bytes (%v), more than the emulator takes", len(items), len(msg), err)
	}
	env := ws.send(hdr, body)
	out := methodOutput(t, "bulk call", env, "BulkAddOrUpdateAddressSpace")
	return outputStatuses(out)
}
