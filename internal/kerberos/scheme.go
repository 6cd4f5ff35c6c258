package kerberos

import "strings"

// Scheme is the HTTP authentication scheme that carries the context tokens; it decides their
// framing, so both sides must agree on it.
type Scheme int

const (
	// Negotiate carries SPNEGO tokens (RFC 4559, RFC 4178), WinRM's usual scheme.
	Negotiate Scheme = iota
	// Kerberos carries bare GSS-API Kerberos tokens, which WinRM also takes ([MS-WSMV] 2.2.9.1.2).
	Kerberos
)

// String returns the scheme's name as written in Authorization and WWW-Authenticate headers.
func (s Scheme) String() string {
	if s == Kerberos {
		return "Kerberos"
	}
	return "Negotiate"
}

// ParseScheme reads a scheme name from a header; scheme names are case-insensitive (RFC 7235
// section 2.1).
func ParseScheme(name string) (Scheme, bool) {
	switch {
	case strings.EqualFold(name, "Negotiate"):
		return Negotiate, true
	case strings.EqualFold(name, "Kerberos"):
		return Kerberos, true
	}
	return 0, false
}
