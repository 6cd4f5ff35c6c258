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

	"github.com/winipam/terraform-provider-ipam/internal/failure"
)

// The errors of this package say what happened in the protocol's and Windows' terms, and report
// it as failure.Facts; what a user should do about it is for the front end to say, in its own
// words (the provider's diagnostics, the soap command).

// TransportError is a failure below HTTP: no connection, TLS, a timeout, a dropped connection.
type TransportError struct {
	Endpoint string
	Err      error
	// NotSent is true when the server cannot have received the request (nothing was sent), so
	// repeating it is always safe.
	NotSent bool
	// Transient is true when the same request may succeed later.
	Transient bool
	// Kind says what failed: a TLS verification, a refused or dropped connection, a timeout...
	Kind failure.Kind
}

func (e *TransportError) Error() string {
	return fmt.Sprintf("cannot reach the WinRM endpoint %s: %v", e.Endpoint, e.Err)
}

func (e *TransportError) Unwrap() error { return e.Err }

// Facts implements failure.Reporter.
func (e *TransportError) Facts() failure.Facts {
	return failure.Facts{Kind: e.Kind, Endpoint: e.Endpoint, PlainHTTP: isPlainHTTP(e.Endpoint), NotActed: e.NotSent}
}

// HTTPError is a response that is neither a SOAP envelope nor a SOAP fault.
type HTTPError struct {
	Endpoint string
	Status   int
	// Offered are the WWW-Authenticate challenges of a 401.
	Offered   []string
	EmptyBody bool
	// Auth is the scheme the client used.
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
	switch e.kind() {
	case failure.KindUnsealedRefused:
		return base + " after the login succeeded: the server refuses unencrypted messages (WinRM AllowUnencrypted is false, " +
			"the default), not the credentials"
	case failure.KindSessionLost:
		return base + " to a request on a connection whose login had succeeded: the server dropped the connection's " +
			"security context, so the credentials are not the cause; the request was not processed"
	case failure.KindCredentialsRefused:
		offer := "no authentication scheme"
		if schemes := e.schemes(); len(schemes) > 0 {
			offer = strings.Join(schemes, ", ")
		}
		return fmt.Sprintf("%s: the credentials were refused (the server offers %s)", base, offer)
	case failure.KindTooLarge:
		return base + ": the request is larger than the server's MaxEnvelopeSizekb (see winrm get winrm/config), so it " +
			"was not processed"
	case failure.KindBadRequest:
		if strings.EqualFold(e.Auth, AuthKerberos) {
			return base + ": if the account is in many groups, its Kerberos ticket may exceed the server's HTTP header limits " +
				"(http.sys MaxFieldLength and MaxRequestBytes)"
		}
	case failure.KindUnencryptedRefused:
		return base + " with an empty body: the server refuses unencrypted traffic (WinRM AllowUnencrypted is false, the default)"
	case failure.KindBusy:
		return base + ": the WinRM service is busy or starting"
	case failure.KindNotWinRM:
		return base + ": the server does not take SOAP 1.2 (application/soap+xml) here"
	}
	return base
}

// kind classifies the answer.
func (e *HTTPError) kind() failure.Kind {
	switch {
	case e.Status == http.StatusUnauthorized && e.AfterLogin && !e.Sealed && e.PlainHTTP:
		return failure.KindUnsealedRefused
	case e.Status == http.StatusUnauthorized && e.AfterLogin:
		return failure.KindSessionLost
	case e.Status == http.StatusInternalServerError && !e.EmptyBody:
		return failure.KindHTTPStatus
	}
	if k, ok := statusKinds[e.Status]; ok {
		return k
	}
	return failure.KindHTTPStatus
}

// statusKinds are the answers without a SOAP body that say more than their status.
var statusKinds = map[int]failure.Kind{
	http.StatusUnauthorized:          failure.KindCredentialsRefused,
	http.StatusRequestEntityTooLarge: failure.KindTooLarge,
	http.StatusBadRequest:            failure.KindBadRequest,
	// WinRM's answer to unencrypted traffic it does not allow: 500 with an empty body.
	http.StatusInternalServerError:  failure.KindUnencryptedRefused,
	http.StatusServiceUnavailable:   failure.KindBusy,
	http.StatusNotFound:             failure.KindWrongPath,
	http.StatusUnsupportedMediaType: failure.KindNotWinRM,
}

// schemes returns the names of the offered authentication schemes.
func (e *HTTPError) schemes() []string {
	var schemes []string
	for _, v := range e.Offered {
		if s, _, _ := strings.Cut(strings.TrimSpace(v), " "); s != "" {
			schemes = append(schemes, s)
		}
	}
	return schemes
}

// Facts implements failure.Reporter. A refused login is one the server did not act on.
func (e *HTTPError) Facts() failure.Facts {
	return failure.Facts{Kind: e.kind(), Endpoint: e.Endpoint, PlainHTTP: e.PlainHTTP, Auth: strings.ToLower(e.Auth),
		Offered: e.schemes(), NotActed: e.Status == http.StatusUnauthorized}
}

// classifyTransport wraps an error from http.Client.Do or reading a body into a TransportError
// with its kind and with what is known about whether the server saw the request.
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
		te.Err, te.Kind = fmt.Errorf("the operation ran out of time (%w)", outer.Err()), failure.KindDeadline
	case outer.Err() != nil:
		te.Err, te.Kind = outer.Err(), failure.KindCanceled
	case inner.Err() != nil || errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		te.Err, te.Kind = fmt.Errorf("no answer within %s", timeout), failure.KindTimeout
		te.Transient = true
	case errors.As(err, &dnsErr):
		te.NotSent, te.Kind = true, failure.KindHostUnknown
	case errors.As(err, &unknown), errors.As(err, &certErr) && errors.As(certErr.Err, &unknown):
		te.NotSent, te.Kind = true, failure.KindUntrustedCertificate
	case errors.As(err, &hostErr):
		te.NotSent, te.Kind = true, failure.KindCertificateName
	case errors.As(err, &certErr):
		te.NotSent, te.Kind = true, failure.KindCertificateInvalid
	case errors.As(err, &recErr), errors.Is(err, http.ErrSchemeMismatch):
		// net/http reports a plain HTTP answer to its TLS handshake as ErrSchemeMismatch.
		te.NotSent, te.Kind = true, failure.KindNotTLS
	case errors.Is(err, syscall.ECONNREFUSED):
		te.NotSent, te.Transient, te.Kind = true, true, failure.KindConnectionRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.EPIPE):
		// Over http://, this is also how an HTTPS listener answers a connection that does not
		// start with a TLS handshake.
		te.Transient, te.Kind = true, failure.KindConnectionDropped
	case errors.As(err, &opErr) && opErr.Op == "dial":
		te.NotSent, te.Transient, te.Kind = true, true, failure.KindUnreachable
	}
	return te
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func isPlainHTTP(endpoint string) bool { return strings.HasPrefix(endpoint, "http://") }
