// Package failure names, as typed facts, what went wrong below IPAM itself: reaching the server,
// securing the connection, logging in, the server refusing a request before acting on it, or the
// client's own configuration. The layers that talk to the server (wsman, ipam/wmi) report these
// facts with their errors, and each front end (the Terraform provider, the soap command) says what
// to do about them in its own words: the layers below know no front end's vocabulary, and a front
// end needs no import of the wire layer to read them. It imports nothing of this project.
package failure

import (
	"errors"
	"strings"
)

// Kind says what failed.
type Kind int

// The failures a front end words differently.
const (
	KindUnknown Kind = iota

	// KindCanceled: the caller's context was canceled.
	KindCanceled
	// KindDeadline: the caller's context ran out of time (an operation's own deadline).
	KindDeadline
	// KindTimeout: no answer within the client's per-request timeout.
	KindTimeout
	// KindHostUnknown: the endpoint's host name does not resolve.
	KindHostUnknown
	// KindUntrustedCertificate: the server's certificate is not signed by a trusted authority.
	KindUntrustedCertificate
	// KindCertificateName: the server's certificate does not name the host.
	KindCertificateName
	// KindCertificateInvalid: the server's certificate could not be verified for another reason.
	KindCertificateInvalid
	// KindNotTLS: the server does not speak TLS on the endpoint's port.
	KindNotTLS
	// KindConnectionRefused: nothing listens on the endpoint's port.
	KindConnectionRefused
	// KindConnectionDropped: the connection was reset or closed during the exchange.
	KindConnectionDropped
	// KindUnreachable: the connection could not be opened for another reason.
	KindUnreachable

	// KindCredentialsRefused: the server refused the login (HTTP 401).
	KindCredentialsRefused
	// KindUnsealedRefused: the server refused an unsealed message over plain HTTP after the login
	// succeeded (HTTP 401): it refuses unencrypted messages, not the credentials.
	KindUnsealedRefused
	// KindSessionLost: the server refused a message on a connection whose login had succeeded
	// (HTTP 401): it dropped the connection's security context.
	KindSessionLost
	// KindTooLarge: the request was larger than the server's MaxEnvelopeSizekb (HTTP 413); it was
	// not processed.
	KindTooLarge
	// KindBadRequest: the server found the request malformed (HTTP 400).
	KindBadRequest
	// KindUnencryptedRefused: HTTP 500 with an empty body, WinRM's answer to unencrypted traffic it
	// does not allow.
	KindUnencryptedRefused
	// KindBusy: the service is busy or starting (HTTP 503).
	KindBusy
	// KindWrongPath: nothing answers at the endpoint's path (HTTP 404).
	KindWrongPath
	// KindNotWinRM: the endpoint does not take SOAP 1.2 (HTTP 415).
	KindNotWinRM
	// KindHTTPStatus: another HTTP status without a SOAP body.
	KindHTTPStatus

	// KindKerberosPassword: the KDC refused the password.
	KindKerberosPassword
	// KindKerberosUser: the KDC does not know the user.
	KindKerberosUser
	// KindKerberosService: the KDC does not know the service principal.
	KindKerberosService
	// KindKerberosAccount: the account is disabled or locked out.
	KindKerberosAccount
	// KindKerberosClock: the clocks of the client and the KDC differ too much.
	KindKerberosClock
	// KindKerberosNoKDC: no KDC of the realm answered.
	KindKerberosNoKDC
	// KindKerberos: another failure to get a Kerberos ticket.
	KindKerberos

	// KindConfig: the client's configuration is not usable; Setting says which part.
	KindConfig
	// KindUnencryptedCredentials: the client refused to send Basic credentials in clear text.
	KindUnencryptedCredentials

	// KindEnvelopeRefused: the server refused a request with HTTP 413 that the client could not
	// split any further.
	KindEnvelopeRefused
	// KindItemTooLarge: one item alone does not fit the client's maximum envelope size.
	KindItemTooLarge
	// KindTypeNumbering: the server numbers MSFT_IPAM_AddressSpace.Type in neither documented way.
	KindTypeNumbering
)

// Setting is the part of a client's configuration a KindConfig failure is about.
type Setting int

// The settings of a WS-Management client.
const (
	SettingNone Setting = iota
	SettingEndpoint
	SettingCredentials
	SettingAuth
	SettingAllowUnencrypted
	SettingCACert
	SettingClientCertificate
	SettingMaxEnvelopeSize
	SettingKerberosRealm
	SettingKerberosSPN
	SettingKrb5Conf
)

// Facts is what a failure reports about itself. Only the fields its Kind concerns are set. It
// never holds a credential.
type Facts struct {
	Kind Kind
	// Endpoint is the URL the client talks to.
	Endpoint string
	// PlainHTTP says the endpoint is http://.
	PlainHTTP bool
	// Auth is the authentication scheme the client used: basic, ntlm, kerberos or certificate.
	Auth string
	// Offered are the names of the authentication schemes the server offered with a refusal.
	Offered []string
	// NotActed says the server cannot have acted on the request: it never left, or the server
	// refused the login (or the Kerberos ticket could not be had) before reading it.
	NotActed bool
	// Setting is the configuration a KindConfig or KindUnencryptedCredentials failure is about.
	Setting Setting
	// Realm and Krb5Conf are the Kerberos realm and configuration file.
	Realm, Krb5Conf string
	// MaxEnvelopeSize is the client's maximum envelope size, in bytes.
	MaxEnvelopeSize int
}

// Reporter is an error that reports its facts.
type Reporter interface {
	error
	Facts() Facts
}

// Of returns the facts of the first error in err's chain that reports them.
func Of(err error) (Facts, bool) {
	var r Reporter
	if errors.As(err, &r) {
		return r.Facts(), true
	}
	return Facts{}, false
}

// OffersScheme reports whether the server offered an authentication scheme (case-insensitive).
func (f Facts) OffersScheme(scheme string) bool {
	for _, s := range f.Offered {
		if strings.EqualFold(s, scheme) {
			return true
		}
	}
	return false
}
