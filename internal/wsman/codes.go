package wsman

// WS-Management HRESULTs (wsmerror.h) that clients must tell apart, with the SOAP code and subcode
// WinRM sends them with.
const (
	ErrResourceNotFound           uint32 = 0x80338000 // a:DestinationUnreachable
	ErrInvalidEnumerationContext  uint32 = 0x8033801B // wsen:InvalidEnumerationContext
	ErrCannotProcessFilter        uint32 = 0x8033801A // wsen:CannotProcessFilter
	ErrFilterDialectUnavailable   uint32 = 0x80338019 // wsen:FilterDialectRequestedUnavailable
	ErrInvalidSOAPBody            uint32 = 0x80338027 // wsman:InvalidBody
	ErrOperationTimedOut          uint32 = 0x80338029 // wsman:TimedOut
	ErrActionMismatch             uint32 = 0x80338031 // wsman:ActionMismatch
	ErrEncodingLimit              uint32 = 0x80338035 // wsman:EncodingLimit
	ErrInvalidParameter           uint32 = 0x8033803A // wsman:InvalidParameter
	ErrInvalidResourceURI         uint32 = 0x8033803B // wsman:InvalidResourceURI
	ErrInvalidSelectors           uint32 = 0x8033803D // wsman:InvalidSelectors
	ErrQuotaLimit                 uint32 = 0x8033803F // wsman:QuotaLimit
	ErrMaxEnvelopeSizeExceeded    uint32 = 0x80338048 // wsman:EncodingLimit, faultDetail/MaxEnvelopeSize
	ErrUnsupportedMedia           uint32 = 0x80338075
	ErrMinEnvelopeSize            uint32 = 0x8033807E
	ErrEnumerationModeUnsupported uint32 = 0x80338086
	// ErrQuotaMaxOperations is what WinRM reports past MaxConcurrentOperationsPerUser, in the
	// MSFT_WmiError's error_Code of a w:QuotaLimit fault.
	ErrQuotaMaxOperations uint32 = 0x803381A6
)

// quotaCodes are the WinRM quota errors after which PowerShell's CIM cmdlets sleep and retry
// (PowerShell cimChildJobBase.cs IsWsManQuotaReached, "copied from wsmerror.h"): WinRM reports them
// in an MSFT_WmiError's error_Code, with subcode w:QuotaLimit and no WSManFault (WinRb/WinRM's
// recorded wmi_error_v2.xml).
var quotaCodes = map[uint32]bool{
	0x803381A5: true, // ERROR_WSMAN_QUOTA_MAX_SHELLS
	0x803381A6: true, // ERROR_WSMAN_QUOTA_MAX_OPERATIONS
	0x803381A7: true, // ERROR_WSMAN_QUOTA_USER
	0x803381A8: true, // ERROR_WSMAN_QUOTA_SYSTEM
	0x803381AB: true, // ERROR_WSMAN_QUOTA_MAX_SHELLUSERS
	0x803381E4: true, // ERROR_WSMAN_QUOTA_MAX_SHELLS_PPQ
	0x803381E5: true, // ERROR_WSMAN_QUOTA_MAX_USERS_PPQ
	0x803381E6: true, // ERROR_WSMAN_QUOTA_MAX_PLUGINSHELLS_PPQ
	0x803381E7: true, // ERROR_WSMAN_QUOTA_MAX_PLUGINOPERATIONS_PPQ
	0x803381E8: true, // ERROR_WSMAN_QUOTA_MAX_OPERATIONS_USER_PPQ
	0x803381E9: true, // ERROR_WSMAN_QUOTA_MAX_COMMANDS_PER_SHELL_PPQ
	0x803381EA: true, // ERROR_WSMAN_QUOTA_MIN_REQUIREMENT_NOT_AVAILABLE_PPQ
}

// Quota reports whether the fault says the service is over a quota: it did not act, and the same
// request may succeed once other operations finish.
func (f *Fault) Quota() bool {
	if f.Subcode.Local == "QuotaLimit" || f.WSManCode == ErrQuotaLimit || quotaCodes[f.WSManCode] {
		return true
	}
	return f.WmiError != nil && quotaCodes[f.WmiError.ErrorCode]
}
