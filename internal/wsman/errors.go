package wsman

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"time"
)

// TransportError is a failure below HTTP: no connection, TLS, a timeout, a dropped connection.
type TransportError struct {
	Endpoint string
	Err      error
	// NotSent is true when the server cannot have received the request (nothing was sent), so
	// repeating it is always safe.
	NotSent bool
	// Transient is true when the same request may succeed later.
	Transient bool
	// Hint says what the user can do.
	Hint string
}

func (e *TransportError) Error() string {
	msg := fmt.Sprintf("cannot reach the WinRM endpoint %s: %v", e.Endpoint, e.Err)
	if e.Hint != "" {
		msg += ". " + e.Hint
	}
	return msg
}

func (e *TransportError) Unwrap() error { return e.Err }

// HTTPError is a response that is neither a SOAP envelope nor a SOAP fault.
type HTTPError struct {
	Endpoint string
	Status   int
	// Offered are the WWW-Authenticate challenges of a 401.
	Offered   []string
	EmptyBody bool
	// Auth is the scheme the client used, so the message can suggest another.
	Auth string
	// AfterLogin marks a 401 on a connection whose NTLM or Kerberos login had succeeded: the
	// server refused the message, not the credentials.
	AfterLogin bool
	// Sealed says the refused message was sealed.
	Sealed bool
	// PlainHTTP says the endpoint is http://.
	PlainHTTP bool
}

func (e *HTTPError) Error() string {
	base := fmt.Sprintf("the WinRM endpoint %s answered HTTP %d %s", e.Endpoint, e.Status, http.StatusText(e.Status))
	switch {
	case e.Status == http.StatusUnauthorized && e.AfterLogin && !e.Sealed && e.PlainHTTP:
		return base + " after the login succeeded: the server refuses unencrypted messages (WinRM AllowUnencrypted is false, " +
			"the default), not the credentials"
	case e.Status == http.StatusUnauthorized && e.AfterLogin:
		return base + " to a request on a connection whose login had succeeded: the server dropped the connection's " +
			"security context, so the credentials are not the cause; the request was not processed"
	case e.Status == http.StatusUnauthorized:
		return base + ": " + e.authHint()
	case e.Status == http.StatusRequestEntityTooLarge:
		return base + ": the request is larger than the server's MaxEnvelopeSizekb (see winrm get winrm/config), so it " +
			"was not processed; lower max_envelope_size, or raise MaxEnvelopeSizekb on the server"
	case e.Status == http.StatusBadRequest && strings.EqualFold(e.Auth, "kerberos"):
		return base + ": if the account is in many groups, its Kerberos ticket may exceed the server's HTTP header limits " +
			"(http.sys MaxFieldLength and MaxRequestBytes); raise them on the server, or use auth = \"ntlm\""
	case e.Status == http.StatusBadRequest && e.PlainHTTP:
		return base + ": if this port is an HTTPS listener (5986 by default), use an https:// endpoint"
	case e.Status == http.StatusInternalServerError && e.EmptyBody:
		return base + " with an empty body: the server refuses unencrypted traffic (WinRM AllowUnencrypted is false, " +
			"the default). Use HTTPS (port 5986, endpoint https://HOST:5986/wsman), or, only on a trusted network, " +
			"set AllowUnencrypted=true on the server"
	case e.Status == http.StatusServiceUnavailable:
		return base + ": the WinRM service is busy or starting; try again later"
	case e.Status == http.StatusNotFound:
		return base + ": check the endpoint path, which is /wsman on Windows"
	case e.Status == http.StatusUnsupportedMediaType:
		return base + ": the server does not take SOAP 1.2 (application/soap+xml) here; check that the endpoint is a WinRM listener"
	}
	return base
}

func (e *HTTPError) authHint() string {
	var schemes []string
	offersBasic := false
	for _, v := range e.Offered {
		s, _, _ := strings.Cut(strings.TrimSpace(v), " ")
		if s == "" {
			continue
		}
		schemes = append(schemes, s)
		offersBasic = offersBasic || strings.EqualFold(s, "Basic")
	}
	offer := "no authentication scheme"
	if len(schemes) > 0 {
		offer = strings.Join(schemes, ", ")
	}
	msg := fmt.Sprintf("the credentials were refused (the server offers %s)", offer)
	switch {
	case strings.EqualFold(e.Auth, "basic") && !offersBasic:
		msg += `. Basic authentication is disabled on Windows by default; use auth = "ntlm", or enable Basic on the server (winrm set winrm/config/service/auth @{Basic="true"}), which also works only for local accounts`
	case strings.EqualFold(e.Auth, "basic") && e.PlainHTTP:
		msg += `. Basic works only with a local account, and over http:// only if the server allows unencrypted traffic (AllowUnencrypted=true); use auth = "ntlm", which seals every message`
	case strings.EqualFold(e.Auth, "basic"):
		msg += `. Basic works only with a local account on the IPAM server; for a domain account use auth = "ntlm"`
	case strings.EqualFold(e.Auth, "ntlm"):
		msg += `. Check the user name (DOMAIN\user or user@domain) and password, and that the account is in the server's local Administrators or WinRMRemoteWMIUsers__ group and in an IPAM group (IPAM Administrators or IPAM ASM Administrators)`
	case strings.EqualFold(e.Auth, "kerberos"):
		msg += `. Check the realm, that the endpoint uses the server's fully qualified name (not an IP address), and the service principal (HTTP/host, or WSMAN/host)`
	case strings.EqualFold(e.Auth, "certificate"):
		msg += `. Check that a certificate mapping exists for the client certificate (winrm create winrm/config/service/certmapping/...)`
	default:
		msg += ". Check the user name and password"
	}
	return msg
}

// classifyTransport wraps an error from http.Client.Do or reading a body into a TransportError
// with a hint and with what is known about whether the server saw the request.
func classifyTransport(endpoint string, err error, outer, inner context.Context, timeout time.Duration) *TransportError {
	te := &TransportError{Endpoint: endpoint, Err: err}
	var (
		opErr   *net.OpError
		dnsErr  *net.DNSError
		unknown x509.UnknownAuthorityError
		hostErr x509.HostnameError
		certErr *tls.CertificateVerificationError
		recErr  tls.RecordHeaderError
	)
	switch {
	case errors.Is(outer.Err(), context.DeadlineExceeded):
		te.Err = fmt.Errorf("the operation ran out of time (%w)", outer.Err())
		te.Hint = "Raise the resource's timeouts block if the server needs longer"
	case outer.Err() != nil:
		te.Err = outer.Err()
	case inner.Err() != nil || errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		te.Err = fmt.Errorf("no answer within %s", timeout)
		te.Transient = true
		te.Hint = "Raise the provider's timeout if the server is slow, or check that nothing between here and the server drops the connection"
	case errors.As(err, &dnsErr):
		te.NotSent = true
		te.Hint = "Check the host name in the endpoint"
	case errors.As(err, &unknown), errors.As(err, &certErr) && errors.As(certErr.Err, &unknown):
		te.NotSent = true
		te.Hint = "The server's certificate is not signed by a trusted authority: set ca_cert to the PEM of the CA that signed it (or, for testing only, insecure = true)"
	case errors.As(err, &hostErr):
		te.NotSent = true
		te.Hint = "The server's certificate does not name this host: use the name in the certificate in the endpoint, or set tls_server_name"
	case errors.As(err, &certErr):
		te.NotSent = true
		te.Hint = "The server's certificate could not be verified: check ca_cert, the server's clock and the certificate's validity"
	case errors.As(err, &recErr), errors.Is(err, http.ErrSchemeMismatch):
		// net/http reports a plain HTTP answer to its TLS handshake as ErrSchemeMismatch.
		te.NotSent = true
		te.Hint = "The server does not speak TLS on this port: use http:// for port 5985 or the HTTPS listener's port (5986)"
	case errors.Is(err, syscall.ECONNREFUSED):
		te.NotSent = true
		te.Transient = true
		te.Hint = "Is WinRM listening there? (Enable-PSRemoting or winrm quickconfig; 5985 is HTTP, 5986 HTTPS)"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.EPIPE):
		te.Transient = true
		te.Hint = "The connection was dropped"
		if strings.HasPrefix(endpoint, "http://") {
			// An HTTPS listener resets a connection that does not start with a TLS handshake.
			te.Hint += "; if this port is an HTTPS listener (5986 by default), use an https:// endpoint"
		}
	case errors.As(err, &opErr) && opErr.Op == "dial":
		te.NotSent = true
		te.Transient = true
	}
	return te
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
