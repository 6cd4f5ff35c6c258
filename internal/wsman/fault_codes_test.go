package wsman

import (
	"reflect"
	"testing"
)

// Every fault code has a row in the table, and a fault built from it reads back as it was written.
func TestNewFaultRoundTrip(t *testing.T) {
	t.Parallel()
	for code := FaultResourceNotFound; code <= FaultInternalError; code++ {
		spec, ok := faultTable[code]
		if !ok || spec.code == "" || spec.subcode.Local == "" || spec.reason == "" {
			t.Errorf("fault code %d has no complete row: %+v", code, spec)
			continue
		}
		want := NewFault(code, "the service's own words")
		want.Machine = "localhost"
		if code == FaultQuotaLimit {
			want = want.WithWmiError(&WmiError{CIMStatusCode: 27, Message: want.Reason, ErrorCode: ErrQuotaMaxOperations})
		}
		got, ok := mustRoundTrip(t, Header{Action: ActionWSManFault, RelatesTo: "uuid:1"}, want).Fault()
		if !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("fault code %d:\n got %+v\nwant %+v", code, got, want)
		}
		if code == FaultQuotaLimit && !got.Quota() {
			t.Errorf("a quota fault does not read as one")
		}
	}
	pf := NewProviderFault(0x80041019, &WmiError{CIMStatusCode: 11, Message: "exists", MessageID: "WIN32 183", ErrorCode: 183})
	if pf.Reason != "exists" || pf.Message != "exists" || pf.WSManCode != 0x80041019 || pf.Subcode.Local != "InternalError" {
		t.Errorf("provider fault: %+v", pf)
	}
}
