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
)

// Retryable reports whether a WS-Management fault code is transient: the service was busy or ran
// out of time, and the same request may succeed later.
func Retryable(code uint32) bool {
	return code == ErrQuotaLimit || code == ErrOperationTimedOut
}
