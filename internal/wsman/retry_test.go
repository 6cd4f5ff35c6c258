package wsman

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
)

// The retry decision, stated as a table of outcomes rather than recomputed from the code.
func TestClassifyRetry(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want retryClass
		// idempotent and other say whether an idempotent and a non-idempotent request may go again.
		idempotent, other bool
	}{
		{"connection refused", &TransportError{NotSent: true, Transient: true}, retryNotActed, true, true},
		{"unknown host", &TransportError{NotSent: true}, retryNever, false, false},
		{"dropped mid-way", &TransportError{Transient: true}, retryIdempotent, true, false},
		{"TLS verification", &TransportError{NotSent: true, Transient: false}, retryNever, false, false},
		{"HTTP 503", &HTTPError{Status: http.StatusServiceUnavailable}, retryBusy, true, true},
		{"HTTP 500 empty", &HTTPError{Status: http.StatusInternalServerError, EmptyBody: true}, retryNever, false, false},
		{"HTTP 401 login refused", &HTTPError{Status: http.StatusUnauthorized}, retryNever, false, false},
		{"HTTP 401 after login", &HTTPError{Status: http.StatusUnauthorized, AfterLogin: true, Sealed: true}, retryNotActed, true, true},
		{"HTTP 413", &HTTPError{Status: http.StatusRequestEntityTooLarge}, retryNever, false, false},
		{"quota, WSManFault code", &Fault{WSManCode: ErrQuotaLimit}, retryBusy, true, true},
		{"quota, subcode only", &Fault{Subcode: QName{Space: NSWSMan, Local: "QuotaLimit"}}, retryBusy, true, true},
		{"quota, MSFT_WmiError max operations", &Fault{WmiError: &WmiError{ErrorCode: 0x803381A6}}, retryBusy, true, true},
		{"quota, MSFT_WmiError PPQ", &Fault{WmiError: &WmiError{ErrorCode: 0x803381EA}}, retryBusy, true, true},
		{"not a quota code", &Fault{WmiError: &WmiError{ErrorCode: 0x803381A9}}, retryNever, false, false},
		{"operation timed out", &Fault{WSManCode: FaultTimedOut.HRESULT()}, retryIdempotent, true, false},
		{"provider error", &Fault{WSManCode: 0x80041001}, retryNever, false, false},
		{"wrapped quota", fmt.Errorf("call: %w", &Fault{WSManCode: ErrQuotaLimit}), retryBusy, true, true},
		{"anything else", errors.New("boom"), retryNever, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := classifyRetry(tc.err)
			if got != tc.want || got.allows(true) != tc.idempotent || got.allows(false) != tc.other {
				t.Fatalf("class %d (idempotent %v, other %v), want %d (%v, %v)", got, got.allows(true), got.allows(false), tc.want, tc.idempotent, tc.other)
			}
		})
	}
}
