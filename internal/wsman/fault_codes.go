package wsman

// HRESULTs of WinRM's quota faults, which carry no FaultCode of their own: the w:QuotaLimit
// subcode's, and the one WinRM reports past MaxConcurrentOperationsPerUser in the MSFT_WmiError's
// error_Code of a w:QuotaLimit fault. The HRESULTs of the other faults are in faultTable
// (FaultCode.HRESULT).
const (
	ErrQuotaLimit         uint32 = 0x8033803F
	ErrQuotaMaxOperations uint32 = 0x803381A6
)

// FaultCode names a fault a WS-Management service sends, so that a server (the emulator) and
// tests write it the way WinRM does without spelling out its code, subcode, detail, HRESULT and
// reason each time: NewFault fills them in from faultTable.
type FaultCode int

// The faults the emulator and the tests send, each as WinRM writes it.
const (
	// FaultResourceNotFound: no resource at the resource URI (and selectors).
	FaultResourceNotFound FaultCode = iota + 1
	// FaultActionMismatch: the action is not one the resource has.
	FaultActionMismatch
	// FaultInvalidParameter: a parameter of the operation is not valid.
	FaultInvalidParameter
	// FaultInvalidSelectors: the selectors do not name one instance.
	FaultInvalidSelectors
	// FaultEncodingLimit: the request exceeds an internal encoding limit.
	FaultEncodingLimit
	// FaultMaxEnvelopeSize: the response would exceed the request's MaxEnvelopeSize.
	FaultMaxEnvelopeSize
	// FaultMinimumEnvelopeLimit: the request's MaxEnvelopeSize is below the service's minimum.
	FaultMinimumEnvelopeLimit
	// FaultSchemaValidationError: the message is not a well-formed SOAP envelope.
	FaultSchemaValidationError
	// FaultCannotProcessFilter: the data source cannot run the filter (a bad WQL query).
	FaultCannotProcessFilter
	// FaultFilterDialectUnavailable: the filter dialect is not supported for the resource.
	FaultFilterDialectUnavailable
	// FaultFilteringRequired: enumerating the resource needs a filter.
	FaultFilteringRequired
	// FaultEnumerationModeUnsupported: the wsman:EnumerationMode is not supported.
	FaultEnumerationModeUnsupported
	// FaultInvalidEnumerationContext: the enumeration context is unknown, finished or expired.
	FaultInvalidEnumerationContext
	// FaultQuotaLimit: the user is over a WinRM quota, such as MaxConcurrentOperationsPerUser.
	FaultQuotaLimit
	// FaultTimedOut: the operation did not finish within its OperationTimeout.
	FaultTimedOut
	// FaultInternalError: the service or its data source failed.
	FaultInternalError
)

// faultSpec is how WinRM writes one fault: SOAP code and subcode, wsman:FaultDetail, the HRESULT of
// its f:WSManFault (wsmerror.h), and the s:Reason text of an English-language Windows.
type faultSpec struct {
	code    string
	subcode QName
	detail  string
	hresult uint32
	reason  string
}

var faultTable = map[FaultCode]faultSpec{
	FaultResourceNotFound: {"Sender", QName{NSAddressing, "DestinationUnreachable"}, "InvalidResourceURI", 0x80338000,
		"The WS-Management service cannot process the request. The service cannot find the resource identified by the resource URI and selectors."},
	FaultActionMismatch: {"Sender", QName{NSWSMan, "ActionMismatch"}, "", 0x80338031,
		"The WS-Management service cannot process the request because the WS-Addressing Action URI in the request is not compatible with the resource."},
	FaultInvalidParameter: {"Sender", QName{NSWSMan, "InvalidParameter"}, "", 0x8033803A,
		"The WS-Management service cannot process the request because a parameter for the operation is not valid."},
	FaultInvalidSelectors: {"Sender", QName{NSWSMan, "InvalidSelectors"}, "InsufficientSelectors", 0x8033803D,
		"The WS-Management service cannot process the request because the selectors for the resource are not valid."},
	FaultEncodingLimit: {"Sender", QName{NSWSMan, "EncodingLimit"}, "MaxEnvelopeSize", 0x80338035,
		"The WS-Management service cannot process the request because the encoding of the request exceeds an internal encoding limit."},
	FaultMaxEnvelopeSize: {"Sender", QName{NSWSMan, "EncodingLimit"}, "MaxEnvelopeSize", 0x80338048,
		"The WS-Management service cannot process the request because the encoding of the request exceeds an internal encoding limit."},
	FaultMinimumEnvelopeLimit: {"Sender", QName{NSWSMan, "EncodingLimit"}, "MinimumEnvelopeLimit", 0x8033807E,
		"The WS-Management service cannot process the request because the envelope size in the request is too small."},
	FaultSchemaValidationError: {"Sender", QName{NSWSMan, "SchemaValidationError"}, "", 0x80338041,
		"The SOAP XML in the message does not match the corresponding XML schema definition."},
	FaultCannotProcessFilter: {"Sender", QName{NSEnumeration, "CannotProcessFilter"}, "", 0x8033801A,
		"The data source could not process the filter. The filter might be missing or it might be invalid."},
	FaultFilterDialectUnavailable: {"Sender", QName{NSEnumeration, "FilterDialectRequestedUnavailable"}, "", 0x80338019,
		"The filter dialect (the type associated with the filter) was not supported for this resource."},
	FaultFilteringRequired: {"Sender", QName{NSWSMan, "UnsupportedFeature"}, "FilteringRequired", 0x8033804F,
		"The WS-Management service does not support the filter dialect in the request. The filter dialect is the type of filter, such as XPath or WQL."},
	FaultEnumerationModeUnsupported: {"Sender", QName{NSWSMan, "UnsupportedFeature"}, "EnumerationMode", 0x80338086,
		"The WS-Management service does not support the specified enumeration mode."},
	FaultInvalidEnumerationContext: {"Receiver", QName{NSEnumeration, "InvalidEnumerationContext"}, "", 0x8033801B,
		"The WS-Enumeration context in the enumeration is not valid. Enumeration may have been completed or canceled."},
	// WinRM sends a quota fault without an f:WSManFault: the quota's HRESULT travels in the
	// MSFT_WmiError's error_Code (WinRb/WinRM's recorded wmi_error_v2.xml), which the sender attaches.
	FaultQuotaLimit: {"Sender", QName{NSWSMan, "QuotaLimit"}, "", 0,
		"The WS-Management service cannot process the request. This user is allowed a maximum number of " +
			"concurrent operations, which has been exceeded. Close existing operations for this user, or raise the quota for this user."},
	FaultTimedOut: {"Receiver", QName{NSWSMan, "TimedOut"}, "", 0x80338029,
		"The WS-Management service cannot complete the operation within the time specified in OperationTimeout."},
	FaultInternalError: {"Receiver", QName{NSWSMan, "InternalError"}, "", 0x80338083,
		"The WS-Management service cannot process the request. The data source failed to return results for the request."},
}

// HRESULT is the code of the fault's f:WSManFault, by which clients tell faults apart.
func (c FaultCode) HRESULT() uint32 { return faultTable[c].hresult }

// NewFault builds the fault code names, as WinRM writes it, with message as its f:Message (the
// service's own words; empty leaves the f:WSManFault out when the code has no HRESULT either).
func NewFault(code FaultCode, message string) *Fault {
	spec, ok := faultTable[code]
	if !ok {
		spec = faultTable[FaultInternalError]
	}
	f := &Fault{Code: spec.code, Subcode: spec.subcode, WSManCode: spec.hresult, Reason: spec.reason, Message: message}
	if spec.detail != "" {
		f.Detail = FaultDetailBase + spec.detail
	}
	return f
}

// NewProviderFault is how a WMI provider's own error reaches a client: a w:InternalError with the
// provider's HRESULT, the provider's message as reason and message (clients such as pywinrm show
// only s:Reason), and the MSFT_WmiError it raised (MS-WSMV 4.10).
func NewProviderFault(hresult uint32, e *WmiError) *Fault {
	f := NewFault(FaultInternalError, e.Message)
	f.WSManCode, f.Reason, f.WmiError = hresult, e.Message, e
	return f
}

// WithWmiError attaches the MSFT_WmiError a WMI provider raised with the fault, and returns f.
func (f *Fault) WithWmiError(e *WmiError) *Fault {
	f.WmiError = e
	return f
}

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
	if f.Subcode.Local == faultTable[FaultQuotaLimit].subcode.Local || f.WSManCode == ErrQuotaLimit || quotaCodes[f.WSManCode] {
		return true
	}
	return f.WmiError != nil && quotaCodes[f.WmiError.ErrorCode]
}
