package wsman_test

import (
	"strings"
	"testing"
	"time"

	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

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
	if f.WSManCode != wsman.FaultInvalidEnumerationContext.HRESULT() || f.Subcode.Space != wsman.NSEnumeration || f.Subcode.Local != "InvalidEnumerationContext" {
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
	succeeds := func(t *testing.T, _ *wsman.InvokeOutput, err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
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
				if f.WSManCode != wsman.FaultResourceNotFound.HRESULT() || f.Code != "Sender" || f.Subcode.Space != wsman.NSAddressing ||
					f.Subcode.Local != "DestinationUnreachable" || !strings.HasSuffix(f.Detail, "/InvalidResourceURI") {
					t.Errorf("fault %+v", f)
				}
				if f.Message != "Not found" {
					t.Errorf("message %q, want the __ExtendedStatus description", f.Message)
				}
				wantContains(t, err.Error(), "0x80338000")
			}},
		{name: "quota limit is retried, even when not idempotent", replies: []reply{{500, "fault_quota_limit.xml"}, {200, "invoke_output_no_returnvalue.xml"}}, wantReqs: 2,
			check: succeeds},
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
			check: succeeds},
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
			check: succeeds},
		{name: "operation timeout not retried otherwise", replies: []reply{{500, "fault_operation_timeout.xml"}}, wantReqs: 1,
			check: func(t *testing.T, _ *wsman.InvokeOutput, err error) {
				f := asFault(t, err)
				if f.WSManCode != wsman.FaultTimedOut.HRESULT() || f.Subcode.Local != "TimedOut" {
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
