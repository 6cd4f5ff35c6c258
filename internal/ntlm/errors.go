package ntlm

import "errors"

// Errors a caller can tell apart with errors.Is. The messages never carry passwords or keys.
var (
	// ErrMalformed reports a message that does not parse or breaks the layout of [MS-NLMP] 2.2
	// (SEC_E_INVALID_TOKEN on Windows).
	ErrMalformed = errors.New("ntlm: malformed message")
	// ErrUnsupported reports a well-formed request for something this package refuses: NTLMv1,
	// anonymous logon, OEM strings or connectionless NTLM.
	ErrUnsupported = errors.New("ntlm: unsupported NTLM variant")
	// ErrWeakSecurity reports that the other side did not grant what the caller requires, such as
	// sealing over plain HTTP ([MS-NLMP] 3.1.5.1.2, 3.2.5.1.1).
	ErrWeakSecurity = errors.New("ntlm: negotiated security is too weak")
	// ErrLogonFailure reports an unknown user or a wrong password; like Windows, the two are not
	// told apart (STATUS_LOGON_FAILURE).
	ErrLogonFailure = errors.New("ntlm: unknown user name or bad password")
	// ErrBadMIC reports an AUTHENTICATE_MESSAGE whose MIC is missing though its MsvAvFlags announce
	// one, or does not match: the handshake was tampered with ([MS-NLMP] 3.2.5.1.2).
	ErrBadMIC = errors.New("ntlm: message integrity code (MIC) check failed")
	// ErrChannelBindings reports channel bindings that are missing or name another TLS channel
	// (GSS_S_BAD_BINDINGS, [MS-NLMP] 3.2.5.1.2).
	ErrChannelBindings = errors.New("ntlm: channel bindings do not match")
	// ErrBadSignature reports a sealed message whose signature does not verify: it was altered,
	// or sealed with other keys ([MS-NLMP] 3.4.4).
	ErrBadSignature = errors.New("ntlm: message signature check failed")
	// ErrOutOfSequence reports a sealed message that is not the next one expected: replayed,
	// reordered or lost ([MS-NLMP] 3.4.4).
	ErrOutOfSequence = errors.New("ntlm: message out of sequence")
	// ErrSessionBroken reports use of a Session after a message failed to unseal: the RC4 streams
	// of the two sides no longer line up, so the connection must log in again.
	ErrSessionBroken = errors.New("ntlm: session broken by an earlier failure")
	// ErrNoSessionSecurity reports Seal or Unseal on a login that did not negotiate sealing.
	ErrNoSessionSecurity = errors.New("ntlm: sealing was not negotiated")
)
