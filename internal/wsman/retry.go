package wsman

import (
	"crypto/rand"
	"errors"
	"math/big"
	"net/http"
	"time"
)

// RetryPolicy says how often and how patiently a request that is safe to repeat is retried after
// a transient failure.
type RetryPolicy struct {
	// Attempts counts the first try; 1 disables retries.
	Attempts int
	// Base is the first backoff; each retry doubles it, with full jitter, up to Max.
	Base, Max time.Duration
}

// DefaultRetryPolicy retries a few times within a couple of seconds.
var DefaultRetryPolicy = RetryPolicy{Attempts: 4, Base: 200 * time.Millisecond, Max: 2 * time.Second}

// busyPatience multiplies the attempts a request gets when the server says it is busy: repeating a
// refused request is always safe, and a busy WinRM frees up within seconds.
const busyPatience = 5

// retryClass is what a failed attempt allows.
type retryClass int

const (
	// retryNever: the failure cannot heal by repeating the request (bad credentials, TLS
	// verification, a fault about the request itself), or its fate is unknown and it is not safe.
	retryNever retryClass = iota
	// retryNotActed: the server did not act on the request (nothing was sent, or it refused before
	// acting), so it can be sent again.
	retryNotActed
	// retryBusy: the server did not act because it is busy (HTTP 503, a WinRM quota fault).
	retryBusy
	// retryIdempotent: the request's fate is unknown; only a request that is harmless to repeat
	// may be sent again.
	retryIdempotent
)

// classifyRetry is the one decision of what a failure allows. Every rule is in the table test.
func classifyRetry(err error) retryClass {
	var te *TransportError
	if errors.As(err, &te) {
		switch {
		case !te.Transient:
			return retryNever
		case te.NotSent:
			return retryNotActed
		}
		return retryIdempotent
	}
	var he *HTTPError
	if errors.As(err, &he) {
		switch {
		case he.Status == http.StatusServiceUnavailable:
			return retryBusy
		case he.Status == http.StatusUnauthorized && he.AfterLogin:
			// The server refused a message on a connection whose login had succeeded: the
			// request was not processed, and a new connection gets a new login.
			return retryNotActed
		}
		return retryNever
	}
	var f *Fault
	if errors.As(err, &f) {
		switch {
		case f.Quota():
			return retryBusy
		case f.WSManCode == FaultTimedOut.HRESULT():
			return retryIdempotent
		}
	}
	return retryNever
}

// allows says whether a class of failure may be retried for a request.
func (r retryClass) allows(idempotent bool) bool {
	return r == retryNotActed || r == retryBusy || (r == retryIdempotent && idempotent)
}

func (p RetryPolicy) backoff(attempt int) time.Duration {
	d := p.Base << (attempt - 1)
	if d > p.Max || d <= 0 {
		d = p.Max
	}
	if d <= 0 {
		return 0
	}
	n, err := rand.Int(rand.Reader, big.NewInt(int64(d)))
	if err != nil {
		return d
	}
	return d/2 + time.Duration(n.Int64())/2
}
