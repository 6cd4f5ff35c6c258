package ipam

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestKindForCode(t *testing.T) {
	checkExamples(t, "KindForCode", KindForCode, []example[uint32, Kind]{
		// Win32 codes, as bulk calls report them in Win32Status, and their HRESULT_FROM_WIN32 forms.
		{183, KindAlreadyExists},        // ERROR_ALREADY_EXISTS
		{0x800700B7, KindAlreadyExists}, // HRESULT ERROR_ALREADY_EXISTS
		{5010, KindAlreadyExists},       // ERROR_OBJECT_ALREADY_EXISTS
		{0x80071392, KindAlreadyExists}, // HRESULT ERROR_OBJECT_ALREADY_EXISTS
		{1168, KindNotFound},            // ERROR_NOT_FOUND
		{0x80070490, KindNotFound},      // HRESULT ERROR_NOT_FOUND
		{4312, KindNotFound},            // ERROR_OBJECT_NOT_FOUND
		{0x800710D8, KindNotFound},      // HRESULT ERROR_OBJECT_NOT_FOUND
		{2, KindNotFound},               // ERROR_FILE_NOT_FOUND
		{0x80070002, KindNotFound},      // HRESULT ERROR_FILE_NOT_FOUND
		{5, KindAccessDenied},           // ERROR_ACCESS_DENIED
		{0x80070005, KindAccessDenied},  // HRESULT ERROR_ACCESS_DENIED
		{87, KindInvalid},               // ERROR_INVALID_PARAMETER
		{0x80070057, KindInvalid},       // HRESULT ERROR_INVALID_PARAMETER
		{13, KindInvalid},               // ERROR_INVALID_DATA
		{0x8007000D, KindInvalid},       // HRESULT ERROR_INVALID_DATA
		{4317, KindInvalid},             // ERROR_INVALID_OPERATION
		{0x800710DD, KindInvalid},       // HRESULT ERROR_INVALID_OPERATION
		{5001, KindInUse},               // ERROR_DEPENDENT_RESOURCE_EXISTS
		{0x80071389, KindInUse},         // HRESULT ERROR_DEPENDENT_RESOURCE_EXISTS
		{2404, KindInUse},               // ERROR_DEVICE_IN_USE
		{145, KindInUse},                // ERROR_DIR_NOT_EMPTY
		{0x80070091, KindInUse},         // HRESULT ERROR_DIR_NOT_EMPTY
		// WBEM HRESULTs, as ReturnValue carries them.
		{0x80041002, KindNotFound},      // WBEM_E_NOT_FOUND
		{0x80041019, KindAlreadyExists}, // WBEM_E_ALREADY_EXISTS
		{0x80041003, KindAccessDenied},  // WBEM_E_ACCESS_DENIED
		{0x80041008, KindInvalid},       // WBEM_E_INVALID_PARAMETER
		{0x80041017, KindInvalid},       // WBEM_E_INVALID_QUERY
		{0x8004100C, KindInvalid},       // WBEM_E_NOT_SUPPORTED
		{0x80041023, KindInvalid},       // WBEM_E_READ_ONLY
		{0x80041001, KindFailed},        // WBEM_E_FAILED
		{0x80041004, KindFailed},        // WBEM_E_PROVIDER_FAILURE
		// Unknown codes.
		{0, KindFailed},          // zero
		{31, KindFailed},         // ERROR_GEN_FAILURE
		{0x8007001F, KindFailed}, // HRESULT ERROR_GEN_FAILURE
		{0x80004005, KindFailed}, // E_FAIL
		{0x80338000, KindFailed}, // WSMan resource not found
		{0xFFFFFFFF, KindFailed}, // all ones
		// A Win32 code only counts when it is the low word of a FACILITY_WIN32 HRESULT.
		{0x800400B7, KindFailed}, // other facility, low word 183
		{0x000700B7, KindFailed}, // no severity bit, low word 183
	})
}

// Every Win32 code KindForCode knows classifies the same as its HRESULT_FROM_WIN32 form.
func TestKindForCodeWin32AndHRESULTAgree(t *testing.T) {
	t.Parallel()
	for code := uint32(1); code <= 0xFFFF; code++ {
		if a, b := KindForCode(code), KindForCode(HRESULTFromWin32(code)); a != b {
			t.Errorf("KindForCode(%d) = %v but KindForCode(0x%08X) = %v", code, a, HRESULTFromWin32(code), b)
		}
	}
}

func TestKindForCIMStatus(t *testing.T) {
	checkExamples(t, "KindForCIMStatus", KindForCIMStatus, []example[uint32, Kind]{
		{0, KindFailed},
		{1, KindFailed},         // CIM_ERR_FAILED
		{2, KindAccessDenied},   // CIM_ERR_ACCESS_DENIED
		{3, KindFailed},         // CIM_ERR_INVALID_NAMESPACE
		{4, KindInvalid},        // CIM_ERR_INVALID_PARAMETER
		{5, KindFailed},         // CIM_ERR_INVALID_CLASS
		{6, KindNotFound},       // CIM_ERR_NOT_FOUND
		{7, KindInvalid},        // CIM_ERR_NOT_SUPPORTED
		{8, KindInUse},          // CIM_ERR_CLASS_HAS_CHILDREN
		{9, KindInUse},          // CIM_ERR_CLASS_HAS_INSTANCES
		{10, KindFailed},        // CIM_ERR_INVALID_SUPERCLASS
		{11, KindAlreadyExists}, // CIM_ERR_ALREADY_EXISTS
		{12, KindInvalid},       // CIM_ERR_NO_SUCH_PROPERTY
		{13, KindInvalid},       // CIM_ERR_TYPE_MISMATCH
		{14, KindFailed},        // CIM_ERR_QUERY_LANGUAGE_NOT_SUPPORTED
		{15, KindInvalid},       // CIM_ERR_INVALID_QUERY
		{16, KindFailed},        // CIM_ERR_METHOD_NOT_AVAILABLE
		{17, KindFailed},        // CIM_ERR_METHOD_NOT_FOUND
		{29, KindFailed},
		{0x80041002, KindFailed}, // not a CIM status code
	})
}

func TestHRESULTFromWin32(t *testing.T) {
	checkExamples(t, "HRESULTFromWin32", HRESULTFromWin32, []example[uint32, uint32]{
		{0, 0},
		{5, 0x80070005},
		{87, 0x80070057},
		{183, 0x800700B7},
		{1168, 0x80070490},
		{5001, 0x80071389},
		{0xFFFF, 0x8007FFFF},
		// Already an HRESULT: unchanged.
		{0x800700B7, 0x800700B7},
		{0x80041002, 0x80041002},
		{0x80338000, 0x80338000},
		{0xFFFFFFFF, 0xFFFFFFFF},
		// Like the Windows macro, only the low 16 bits of a Win32 code survive.
		{0x00012345, 0x80072345},
	})
}

func TestErrorText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{
			"everything",
			NewError(KindAlreadyExists, 0x800700B7, "Contoso", "an address space with this name exists"),
			`address space "Contoso": an address space with this name exists (code 0x800700B7)`,
		},
		{
			"win32 code is shown as 8 hex digits",
			NewError(KindInvalid, Win32InvalidParameter, "x", "bad"),
			`address space "x": bad (code 0x00000057)`,
		},
		{
			"no name",
			NewError(KindNotFound, Win32NotFound, "", "gone"),
			`gone (code 0x00000490)`,
		},
		{
			"no code",
			NewError(KindInUse, 0, "Contoso", "has subnets"),
			`address space "Contoso": has subnets`,
		},
		{
			"no message falls back to the kind",
			NewError(KindAccessDenied, 0x80070005, "Contoso", ""),
			`address space "Contoso": access denied (code 0x80070005)`,
		},
		{
			"bare",
			NewError(KindFailed, 0, "", ""),
			`failed`,
		},
		{
			"unknown kind reads as failed",
			NewError(Kind(42), 0, "", ""),
			`failed`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestErrorTextContainsNameMessageAndCode(t *testing.T) {
	t.Parallel()
	err := NewError(KindForCode(0x800700B7), 0x800700B7, "MainDataCenter", "already there")
	for _, part := range []string{"MainDataCenter", "already there", "code 0x800700B7"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("Error() = %q does not contain %q", err.Error(), part)
		}
	}
}

var sentinels = map[Kind]error{
	KindFailed:        ErrFailed,
	KindNotFound:      ErrNotFound,
	KindAlreadyExists: ErrAlreadyExists,
	KindInUse:         ErrInUse,
	KindInvalid:       ErrInvalid,
	KindAccessDenied:  ErrAccessDenied,
}

func TestErrorIsSentinel(t *testing.T) {
	t.Parallel()
	for kind, want := range sentinels {
		t.Run(want.Error(), func(t *testing.T) {
			t.Parallel()
			err := NewError(kind, 1, "n", "m")
			wrapped := fmt.Errorf("creating: %w", err)
			twice := fmt.Errorf("apply: %w", wrapped)
			for _, e := range []error{err, wrapped, twice} {
				if !errors.Is(e, want) {
					t.Errorf("errors.Is(%v, %v) = false", e, want)
				}
				for other, s := range sentinels {
					if other != kind && errors.Is(e, s) {
						t.Errorf("errors.Is(%v, %v) = true for kind %v", e, s, kind)
					}
				}
				var te *Error
				if !errors.As(e, &te) || te != err {
					t.Errorf("errors.As(%v) did not find the *Error", e)
				}
				if got := KindOf(e); got != kind {
					t.Errorf("KindOf(%v) = %v, want %v", e, got, kind)
				}
			}
			if got := err.Unwrap(); got != want {
				t.Errorf("Unwrap() = %v, want %v", got, want)
			}
		})
	}
}

func TestErrorIsThroughCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code uint32
		want error
	}{
		{183, ErrAlreadyExists},
		{0x800700B7, ErrAlreadyExists},
		{0x80041019, ErrAlreadyExists},
		{1168, ErrNotFound},
		{0x80070490, ErrNotFound},
		{0x80041002, ErrNotFound},
		{5, ErrAccessDenied},
		{0x80070005, ErrAccessDenied},
		{0x80041003, ErrAccessDenied},
		{87, ErrInvalid},
		{0x80041008, ErrInvalid},
		{5001, ErrInUse},
		{31, ErrFailed},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("0x%X", tt.code), func(t *testing.T) {
			t.Parallel()
			err := fmt.Errorf("wrapped: %w", NewError(KindForCode(tt.code), tt.code, "a", ""))
			if !errors.Is(err, tt.want) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.want)
			}
		})
	}
}

func TestKindOf(t *testing.T) {
	checkExamples(t, "KindOf", KindOf, []example[error, Kind]{
		{nil, KindFailed},                               // nil
		{errors.New("boom"), KindFailed},                // plain error
		{NewError(KindInUse, 5001, "a", ""), KindInUse}, // *Error
		{fmt.Errorf("x: %w", NewError(KindNotFound, 1168, "a", "")), KindNotFound}, // wrapped *Error
		{ErrAccessDenied, KindAccessDenied},                                        // sentinel
		{fmt.Errorf("%w: bad name", ErrInvalid), KindInvalid},                      // wrapped sentinel
		{fmt.Errorf("%w: boom", ErrFailed), KindFailed},                            // wrapped ErrFailed
		{func() error { _, err := ParseType("x"); return err }(), KindInvalid},     // ParseType error
		{errors.Join(errors.New("a"), ErrAlreadyExists), KindAlreadyExists},        // joined
		// The *Error's own Kind wins over any sentinel wrapped elsewhere in the chain.
		{errors.Join(ErrNotFound, NewError(KindInUse, 0, "", "")), KindInUse}, // *Error beside sentinel
	})
}

func TestOperationStatusErr(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		status   OperationStatus
		wantKind Kind
		wantIs   error
	}{
		{"already exists", OperationStatus{Index: 0, Win32Status: 183, ErrorMessage: "The address space already exists."}, KindAlreadyExists, ErrAlreadyExists},
		{"not found", OperationStatus{Index: 1, Win32Status: 1168, ErrorMessage: "not there"}, KindNotFound, ErrNotFound},
		{"in use", OperationStatus{Index: 2, Win32Status: 5001, ErrorMessage: "has ranges"}, KindInUse, ErrInUse},
		{"invalid", OperationStatus{Index: 3, Win32Status: 87, ErrorMessage: "bad"}, KindInvalid, ErrInvalid},
		{"access denied HRESULT", OperationStatus{Index: 4, Win32Status: 0x80070005, ErrorMessage: "no"}, KindAccessDenied, ErrAccessDenied},
		{"unknown, no message", OperationStatus{Index: 5, Win32Status: 31}, KindFailed, ErrFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.status.Err("Contoso")
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Err() = %#v, want an *Error", err)
			}
			if e.Kind != tt.wantKind || e.Code != tt.status.Win32Status || e.Name != "Contoso" || e.Message != tt.status.ErrorMessage {
				t.Errorf("Err() = %+v, want Kind %v Code %d Name Contoso Message %q", *e, tt.wantKind, tt.status.Win32Status, tt.status.ErrorMessage)
			}
			if !errors.Is(err, tt.wantIs) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.wantIs)
			}
			if tt.status.ErrorMessage != "" && !strings.Contains(err.Error(), tt.status.ErrorMessage) {
				t.Errorf("Error() = %q lacks the message %q", err.Error(), tt.status.ErrorMessage)
			}
			if want := fmt.Sprintf("code 0x%08X", tt.status.Win32Status); !strings.Contains(err.Error(), want) {
				t.Errorf("Error() = %q lacks %q", err.Error(), want)
			}
		})
	}
}

func TestOperationStatusErrSuccess(t *testing.T) {
	t.Parallel()
	// A successful item is nil, whatever else the status carries; and it is an untyped nil, so
	// that err != nil checks work.
	for _, s := range []OperationStatus{{}, {Index: 7, RecordID: 42}, {ErrorMessage: "The operation completed successfully."}} {
		if err := s.Err("x"); err != nil {
			t.Errorf("%+v.Err() = %v, want nil", s, err)
		}
	}
}
