package wsman

import (
	"encoding/base64"
	"net/http"
	"strings"
)

// Authentication schemes a Client can use.
const (
	AuthBasic       = "basic"
	AuthNTLM        = "ntlm"
	AuthKerberos    = "kerberos"
	AuthCertificate = "certificate"
)

// certificateAuthHeader is what WinRM expects in Authorization with TLS client-certificate
// authentication (MS-WSMV 2.2.9.2).
const certificateAuthHeader = "http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual"

// mechanism is a login that belongs to a connection: NTLM or Kerberos, carried in
// "Authorization: Negotiate" headers (RFC 4559, [MS-WSMV] 3.2.4.1.1). Basic and certificate
// authentication instead put the same header on every request.
type mechanism interface {
	// begin starts a login on a new connection. bindings is the TLS channel binding hash (nil over
	// plain HTTP); seal says the login must yield message sealing (plain HTTP).
	begin(bindings []byte, seal bool) (handshake, error)
}

// handshake is one login in progress.
type handshake interface {
	// step takes the token of the server's 401 (nil at the start) and returns the next token.
	step(in []byte) ([]byte, error)
	// finish takes the token of the server's final answer, if any, and returns the sealer of the
	// connection (nil when not sealing).
	finish(in []byte) (Sealer, error)
}

// negotiateScheme is the HTTP authentication scheme both mechanisms use: Windows offers
// "Negotiate" and "Kerberos", and every WinRM client uses "Negotiate".
const negotiateScheme = "Negotiate"

// negotiateToken returns the token of a "WWW-Authenticate: Negotiate <base64>" (or Kerberos, or
// NTLM) challenge, or nil.
func negotiateToken(h http.Header) []byte {
	for _, v := range h.Values("WWW-Authenticate") {
		scheme, token, ok := strings.Cut(strings.TrimSpace(v), " ")
		known := strings.EqualFold(scheme, negotiateScheme) || strings.EqualFold(scheme, "Kerberos") || strings.EqualFold(scheme, "NTLM")
		if !ok || !known {
			continue
		}
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(token))
		if err == nil && len(b) > 0 {
			return b
		}
	}
	return nil
}

func basicHeader(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}
