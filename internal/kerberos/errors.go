package kerberos

import "errors"

// Errors that callers tell apart with errors.Is; the failures of this package wrap them with
// details. Failures to get a ticket instead keep gokrb5's text, which names the KDC's error.
var (
	// ErrMalformed marks a token or message that cannot be parsed: a client bug or an attack,
	// never a reason to ask the KDC again.
	ErrMalformed = errors.New("malformed kerberos token")
	// ErrRejected marks a refused context: the server answered with a KRB-ERROR or an SPNEGO
	// reject, or the acceptor found that the ticket or authenticator does not verify.
	ErrRejected = errors.New("kerberos context rejected")
	// ErrMutualAuth marks an AP-REP that does not prove the server knows the session key.
	ErrMutualAuth = errors.New("kerberos mutual authentication failed")
	// ErrChannelBindings marks channel bindings that are missing or differ from the channel's.
	ErrChannelBindings = errors.New("kerberos channel bindings do not match")
	// ErrEncType marks a session key whose encryption type this package cannot seal with.
	ErrEncType = errors.New("kerberos encryption type not supported for sealing")
	// ErrIntegrity marks a sealed message that was altered, or sealed with another key.
	ErrIntegrity = errors.New("kerberos sealed message failed its integrity check")
	// ErrSequence marks a sealed message that is replayed, reordered or follows a lost one.
	ErrSequence = errors.New("kerberos sealed message out of sequence")
)
