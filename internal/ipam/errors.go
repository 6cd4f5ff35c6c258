package ipam

import (
	"errors"
	"fmt"
)

// Sentinel errors for errors.Is; every *Error unwraps to the one for its Kind.
var (
	ErrNotFound      = errors.New("not found")
	ErrAlreadyExists = errors.New("already exists")
	ErrInUse         = errors.New("in use")
	ErrInvalid       = errors.New("invalid")
	ErrAccessDenied  = errors.New("access denied")
	ErrFailed        = errors.New("failed")
	// ErrNotSent marks items of a bulk call that were never sent because an earlier batch failed.
	ErrNotSent = errors.New("not sent: an earlier batch of the call failed")
)

// Kind classifies an IPAM failure by what a caller can do about it.
type Kind int

// The kinds of failure callers treat differently.
const (
	KindFailed Kind = iota
	KindNotFound
	KindAlreadyExists
	KindInUse
	KindInvalid
	KindAccessDenied
)

func (k Kind) sentinel() error {
	switch k {
	case KindNotFound:
		return ErrNotFound
	case KindAlreadyExists:
		return ErrAlreadyExists
	case KindInUse:
		return ErrInUse
	case KindInvalid:
		return ErrInvalid
	case KindAccessDenied:
		return ErrAccessDenied
	default:
		return ErrFailed
	}
}

// Windows codes IPAM failures carry. Win32 codes are what bulk calls report per item; HRESULTs are
// what ReturnValue and WS-Man faults carry (0x8007xxxx wraps a Win32 code, 0x8004xxxx is WBEM).
const (
	Win32AccessDenied        uint32 = 5    // ERROR_ACCESS_DENIED
	Win32InvalidData         uint32 = 13   // ERROR_INVALID_DATA
	Win32InvalidParameter    uint32 = 87   // ERROR_INVALID_PARAMETER
	Win32AlreadyExists       uint32 = 183  // ERROR_ALREADY_EXISTS
	Win32NotFound            uint32 = 1168 // ERROR_NOT_FOUND
	Win32DependentResources  uint32 = 5001 // ERROR_DEPENDENT_RESOURCE_EXISTS
	Win32ObjectAlreadyExists uint32 = 5010 // ERROR_OBJECT_ALREADY_EXISTS
	Win32ObjectNotFound      uint32 = 4312 // ERROR_OBJECT_NOT_FOUND
	Win32InvalidOperation    uint32 = 4317 // ERROR_INVALID_OPERATION
	WBEMFailed               uint32 = 0x80041001
	WBEMNotFound             uint32 = 0x80041002
	WBEMAccessDenied         uint32 = 0x80041003
	WBEMInvalidParameter     uint32 = 0x80041008
	WBEMNotSupported         uint32 = 0x8004100C
	WBEMInvalidQuery         uint32 = 0x80041017
	WBEMAlreadyExists        uint32 = 0x80041019
	WBEMReadOnly             uint32 = 0x80041023
	hresultWin32Facility     uint32 = 0x80070000
	hresultWin32FacilityMask uint32 = 0xFFFF0000
	hresultWin32CodeMask     uint32 = 0x0000FFFF
)

// HRESULTFromWin32 wraps a Win32 code the way Windows does (HRESULT_FROM_WIN32).
func HRESULTFromWin32(code uint32) uint32 {
	if code == 0 || code&0x80000000 != 0 {
		return code
	}
	return hresultWin32Facility | (code & hresultWin32CodeMask)
}

// KindForCode classifies a Win32 code or an HRESULT.
func KindForCode(code uint32) Kind {
	if code&hresultWin32FacilityMask == hresultWin32Facility {
		code &= hresultWin32CodeMask
	}
	switch code {
	case Win32NotFound, Win32ObjectNotFound, WBEMNotFound, 2 /* ERROR_FILE_NOT_FOUND */ :
		return KindNotFound
	case Win32AlreadyExists, Win32ObjectAlreadyExists, WBEMAlreadyExists:
		return KindAlreadyExists
	case Win32DependentResources, 2404 /* ERROR_DEVICE_IN_USE */, 145 /* ERROR_DIR_NOT_EMPTY */ :
		return KindInUse
	case Win32InvalidData, Win32InvalidParameter, Win32InvalidOperation, WBEMInvalidParameter, WBEMInvalidQuery, WBEMReadOnly, WBEMNotSupported:
		return KindInvalid
	case Win32AccessDenied, WBEMAccessDenied:
		return KindAccessDenied
	}
	return KindFailed
}

// KindForCIMStatus classifies a CIM_Error.CIMStatusCode.
func KindForCIMStatus(status uint32) Kind {
	switch status {
	case 2:
		return KindAccessDenied
	case 4, 7, 12, 13, 15:
		return KindInvalid
	case 6:
		return KindNotFound
	case 8, 9:
		return KindInUse
	case 11:
		return KindAlreadyExists
	}
	return KindFailed
}

// Error is a failure reported by IPAM for one object. It keeps the Windows code so that messages
// and logs can show it, and unwraps to the sentinel of its Kind.
type Error struct {
	Kind Kind
	// Code is the Win32 code or HRESULT Windows reported; 0 when it reported none.
	Code uint32
	// Name is the address space the failure is about, when known.
	Name string
	// Message is IPAM's own text.
	Message string
}

// NewError builds an *Error; message defaults to the kind's generic text.
func NewError(kind Kind, code uint32, name, message string) *Error {
	return &Error{Kind: kind, Code: code, Name: name, Message: message}
}

func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = e.Kind.sentinel().Error()
	}
	if e.Name != "" {
		msg = fmt.Sprintf("address space %q: %s", e.Name, msg)
	}
	if e.Code != 0 {
		msg = fmt.Sprintf("%s (code 0x%08X)", msg, e.Code)
	}
	return msg
}

// Unwrap lets errors.Is match the sentinel of the error's Kind.
func (e *Error) Unwrap() error { return e.Kind.sentinel() }

// KindOf returns the Kind of err: the Kind of an *Error it wraps, or the Kind whose sentinel it
// wraps, or KindFailed.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	for _, k := range []Kind{KindNotFound, KindAlreadyExists, KindInUse, KindInvalid, KindAccessDenied} {
		if errors.Is(err, k.sentinel()) {
			return k
		}
	}
	return KindFailed
}
