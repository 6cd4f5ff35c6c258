package wsman

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Client sends WS-Management requests to one endpoint. It is safe for concurrent use; at most
// MaxConcurrent requests are in flight at once, because WinRM enforces per-user quotas.
type Client struct {
	endpoint string
	auth     func(*http.Request) error
	authName string
	// refusedLogin holds the first 401 the server answered: credentials do not heal within a
	// run, and every further failed login counts towards an Active Directory account lockout.
	refusedLogin atomic.Pointer[HTTPError]
	// Until the server has taken the credentials once, requests go one at a time (loginGate):
	// a burst of first requests with a wrong password would count as that many failed logins.
	loginGate       chan struct{}
	loggedIn        atomic.Bool
	maxEnvelopeSize int
	timeout         time.Duration
	maxResponseSize int64
	retry           RetryPolicy
	// sem counts requests in flight. Each takes an HTTP client with one connection of its own
	// (a slot): the most recently used idle one, so that sequential requests share a connection
	// and its login, or a new one.
	sem      chan struct{}
	slotMu   sync.Mutex
	idle     []*http.Client
	newSlot  func() *http.Client
	log      Logger
	secrets  []string
	requests atomic.Int64
}

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

// Logger receives one debug line per request and, at trace, the bodies. Fields never hold
// credentials; bodies have every configured secret masked.
type Logger interface {
	Debug(ctx context.Context, msg string, fields map[string]any)
	Trace(ctx context.Context, msg string, fields map[string]any)
}

// Request is one call: its header (To, MessageID, MaxEnvelopeSize and OperationTimeout are filled
// in by the client) and body. Idempotent marks it safe to send again after an ambiguous failure.
type Request struct {
	Header     Header
	Body       Body
	Idempotent bool
}

// Requests returns how many HTTP requests the client has sent, for tests and benchmarks.
func (c *Client) Requests() int64 { return c.requests.Load() }

// Endpoint returns the URL the client talks to.
func (c *Client) Endpoint() string { return c.endpoint }

// MaxEnvelopeSize is the largest envelope the client sends or accepts.
func (c *Client) MaxEnvelopeSize() int { return c.maxEnvelopeSize }

// Do sends a request and returns the parsed response. A SOAP fault comes back as a *Fault error;
// failures below SOAP as *TransportError or *HTTPError. Idempotent requests are retried on
// transient failures; other requests are retried only when the server cannot have acted on them.
func (c *Client) Do(ctx context.Context, req Request) (*Envelope, error) {
	var lastErr error
	attempts := c.retry.Attempts
	if attempts < 1 {
		attempts = 1
	}
	// A server that refused to act (busy: 503, quota) gets more patience than an outcome that is
	// unknown: repeating a refused request is always safe, and a busy WinRM frees up within seconds.
	busyAttempts := attempts * busyPatience
	if attempts == 1 {
		busyAttempts = 1 // retries are off
	}
	for attempt, busy := 1, 0; ; attempt++ {
		env, err := c.once(ctx, req)
		if err == nil {
			return env, nil
		}
		lastErr = err
		if refused(err) {
			busy++
			attempt = min(attempt, attempts-1)
		}
		if attempt >= attempts || busy >= busyAttempts || !retryable(err, req.Idempotent) || ctx.Err() != nil {
			return nil, lastErr
		}
		wait := c.backoff(max(attempt, min(busy, attempts)))
		c.debug(ctx, "WS-Management request will be retried", map[string]any{
			"action": shortAction(req.Header.Action), "attempt": attempt, "backoff_ms": wait.Milliseconds(), "error": err.Error()})
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return nil, lastErr
		}
	}
}

func (c *Client) takeSlot() *http.Client {
	c.slotMu.Lock()
	defer c.slotMu.Unlock()
	if n := len(c.idle); n > 0 {
		hc := c.idle[n-1]
		c.idle = c.idle[:n-1]
		return hc
	}
	return c.newSlot()
}

func (c *Client) putSlot(hc *http.Client) {
	c.slotMu.Lock()
	c.idle = append(c.idle, hc)
	c.slotMu.Unlock()
}

func (c *Client) backoff(attempt int) time.Duration {
	d := c.retry.Base << (attempt - 1)
	if d > c.retry.Max || d <= 0 {
		d = c.retry.Max
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

// retryable says whether a failed attempt may be sent again. A request the server refused before
// acting on it (connection refused, 503, quota) can always be; one whose fate is unknown
// (connection dropped mid-way, timeout) only when repeating it is harmless. A failure that cannot
// heal (TLS verification, an unknown host) is not repeated at all, even though nothing was sent.
// busyPatience multiplies the attempts a request gets when the server says it is busy.
const busyPatience = 5

// refused reports a failure where the server said it did not act: HTTP 503 or WinRM's quota fault.
func refused(err error) bool {
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Status == http.StatusServiceUnavailable
	}
	var f *Fault
	return errors.As(err, &f) && f.WSManCode == ErrQuotaLimit
}

func retryable(err error, idempotent bool) bool {
	var te *TransportError
	if errors.As(err, &te) {
		return te.Transient && (te.NotSent || idempotent)
	}
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Status == http.StatusServiceUnavailable
	}
	var f *Fault
	if errors.As(err, &f) {
		return f.WSManCode == ErrQuotaLimit || (idempotent && f.WSManCode == ErrOperationTimedOut)
	}
	return false
}

func (c *Client) once(ctx context.Context, req Request) (*Envelope, error) {
	h := req.Header
	h.To = c.endpoint
	h.MessageID = "uuid:" + newMessageID()
	h.MaxEnvelopeSize = c.maxEnvelopeSize
	h.OperationTimeout = c.timeout
	if h.Locale == "" {
		h.Locale = "en-US"
	}
	body, err := Marshal(h, req.Body)
	if err != nil {
		return nil, err
	}
	if len(body) > c.maxEnvelopeSize {
		return nil, fmt.Errorf("wsman: the %s request is %d bytes, more than max_envelope_size (%d)", shortAction(h.Action), len(body), c.maxEnvelopeSize)
	}
	if c.auth != nil && !c.loggedIn.Load() {
		select {
		case c.loginGate <- struct{}{}:
			if c.loggedIn.Load() {
				<-c.loginGate // the request ahead logged in while this one waited
			} else {
				defer func() { <-c.loginGate }()
			}
		case <-ctx.Done():
			return nil, &TransportError{Endpoint: c.endpoint, Err: ctx.Err(), NotSent: true}
		}
	}
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, &TransportError{Endpoint: c.endpoint, Err: ctx.Err(), NotSent: true}
	}
	hc := c.takeSlot()
	defer func() {
		c.putSlot(hc)
		<-c.sem
	}()

	// The server works for at most OperationTimeout; the HTTP exchange gets a little more so that
	// the server's own timeout fault can arrive.
	rctx, cancel := context.WithTimeout(ctx, c.timeout+c.timeout/4+time.Second)
	defer cancel()
	hreq, err := http.NewRequestWithContext(rctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	hreq.Header.Set("Content-Type", ContentType)
	hreq.Header.Set("User-Agent", "terraform-provider-ipam")
	hreq.ContentLength = int64(len(body))
	hreq.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	if he := c.refusedLogin.Load(); he != nil {
		return nil, he
	}
	if c.auth != nil {
		if err := c.auth(hreq); err != nil {
			return nil, err
		}
	}
	c.trace(ctx, "WS-Management request body", map[string]any{"action": shortAction(h.Action), "body": maskedBody{c, body}})
	start := time.Now()
	c.requests.Add(1)
	resp, err := hc.Do(hreq)
	if err != nil {
		terr := classifyTransport(c.endpoint, err, ctx, rctx, c.timeout)
		c.debug(ctx, "WS-Management request failed", map[string]any{
			"action": shortAction(h.Action), "duration_ms": time.Since(start).Milliseconds(), "error": terr.Error()})
		return nil, terr
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, c.maxResponseSize+1))
	if err != nil {
		return nil, classifyTransport(c.endpoint, err, ctx, rctx, c.timeout)
	}
	fields := map[string]any{"action": shortAction(h.Action), "status": resp.StatusCode, "bytes": len(data),
		"duration_ms": time.Since(start).Milliseconds()}
	if int64(len(data)) > c.maxResponseSize {
		c.debug(ctx, "WS-Management response too large", fields)
		return nil, fmt.Errorf("wsman: the response from %s exceeds %d bytes", c.endpoint, c.maxResponseSize)
	}
	c.trace(ctx, "WS-Management response body", map[string]any{"action": shortAction(h.Action), "body": maskedBody{c, data}})
	env, perr := c.interpret(resp, data)
	if he := (*HTTPError)(nil); errors.As(perr, &he) && he.Status == http.StatusUnauthorized && c.auth != nil {
		c.refusedLogin.CompareAndSwap(nil, he)
	} else {
		c.loggedIn.Store(true)
	}
	if f := (*Fault)(nil); errors.As(perr, &f) {
		fields["fault"] = fmt.Sprintf("0x%08X", f.WSManCode)
	} else if perr != nil {
		fields["error"] = perr.Error()
	}
	c.debug(ctx, "WS-Management request", fields)
	return env, perr
}

// interpret turns an HTTP response into an envelope or a typed error.
func (c *Client) interpret(resp *http.Response, data []byte) (*Envelope, error) {
	isSOAP := strings.HasPrefix(strings.ToLower(resp.Header.Get("Content-Type")), "application/soap+xml")
	if resp.StatusCode == http.StatusOK || (resp.StatusCode == http.StatusInternalServerError && isSOAP && len(data) > 0) {
		env, err := Parse(data)
		if err != nil {
			return nil, fmt.Errorf("wsman: %s answered with HTTP %d and a body that is not a SOAP envelope: %w", c.endpoint, resp.StatusCode, err)
		}
		if f, ok := env.Fault(); ok {
			return nil, f
		}
		if resp.StatusCode != http.StatusOK {
			return nil, &HTTPError{Endpoint: c.endpoint, Status: resp.StatusCode}
		}
		return env, nil
	}
	return nil, &HTTPError{Endpoint: c.endpoint, Status: resp.StatusCode, Offered: resp.Header.Values("WWW-Authenticate"),
		EmptyBody: len(data) == 0, Auth: c.authName}
}

// maskedBody is a body for a trace line, copied and masked only when the line is written: with
// tracing off, a body of hundreds of kilobytes is neither copied nor searched for secrets.
type maskedBody struct {
	c    *Client
	body []byte
}

func (m maskedBody) String() string { return m.c.mask(string(m.body)) }

// MarshalJSON serves loggers that write JSON (go-plugin's hclog does).
func (m maskedBody) MarshalJSON() ([]byte, error) { return json.Marshal(m.String()) }

func (c *Client) mask(s string) string {
	for _, secret := range c.secrets {
		if secret == "" {
			continue
		}
		// In a body the secret travels XML-escaped, as this package or another writer escapes it.
		var text, attr xmlWriter
		text.text(secret)
		attr.attr(secret)
		var std strings.Builder
		_ = xml.EscapeText(&std, []byte(secret))
		for _, form := range []string{text.b.String(), attr.b.String(), std.String(), secret} {
			if form != "" {
				s = strings.ReplaceAll(s, form, "***")
			}
		}
	}
	return s
}

func (c *Client) debug(ctx context.Context, msg string, fields map[string]any) {
	if c.log != nil {
		c.log.Debug(ctx, msg, fields)
	}
}

func (c *Client) trace(ctx context.Context, msg string, fields map[string]any) {
	if c.log != nil {
		c.log.Trace(ctx, msg, fields)
	}
}

func shortAction(action string) string {
	if i := strings.LastIndex(action, "/"); i >= 0 {
		return action[i+1:]
	}
	if action == "" {
		return "Identify"
	}
	return action
}

func newMessageID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%08X-%04X-%04X-%04X-%012X", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// Invoke calls a class-level (static) CIM method: no SelectorSet, as the IPAM methods need.
func (c *Client) Invoke(ctx context.Context, resourceURI, method string, params []Property, idempotent bool) (*InvokeOutput, error) {
	env, err := c.Do(ctx, Request{
		Header:     Header{ResourceURI: resourceURI, Action: MethodAction(resourceURI, method)},
		Body:       &InvokeInput{Method: method, Params: params},
		Idempotent: idempotent,
	})
	if err != nil {
		return nil, err
	}
	return env.InvokeOutput(method)
}

// Enumerate runs a WQL query on a namespace resource URI (ending in /*) and calls fn for every
// instance, pulling page after page. If fn fails or ctx ends early, the enumeration is released.
func (c *Client) Enumerate(ctx context.Context, resourceURI, query string, fn func(*Instance) error) error {
	const maxElements = 32000 // WinRM's MaxBatchItems; MaxEnvelopeSize bounds each page anyway
	env, err := c.Do(ctx, Request{
		Header:     Header{ResourceURI: resourceURI, Action: ActionEnumerate},
		Body:       &Enumerate{Dialect: DialectWQL, Filter: query, Optimize: true, MaxElements: maxElements},
		Idempotent: true,
	})
	if err != nil {
		return err
	}
	res, err := env.EnumerationResult()
	if err != nil {
		return err
	}
	for pages := 1; ; pages++ {
		for _, in := range res.Items {
			if err := fn(in); err != nil {
				c.release(ctx, resourceURI, res)
				return err
			}
		}
		if res.EndOfSequence || res.Context == "" {
			return nil
		}
		if pages > 1_000_000 {
			c.release(ctx, resourceURI, res)
			return fmt.Errorf("wsman: enumeration at %s does not end", c.endpoint)
		}
		if err := ctx.Err(); err != nil {
			c.release(context.WithoutCancel(ctx), resourceURI, res)
			return err
		}
		// A Pull is not repeated: each one consumes its context, so a retry would skip a page.
		env, err := c.Do(ctx, Request{
			Header: Header{ResourceURI: resourceURI, Action: ActionPull},
			Body:   &Pull{Context: res.Context, MaxElements: maxElements},
		})
		if err != nil {
			return err
		}
		if res, err = env.EnumerationResult(); err != nil {
			return err
		}
	}
}

func (c *Client) release(ctx context.Context, resourceURI string, res *EnumerationResult) {
	if res.EndOfSequence || res.Context == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_, _ = c.Do(ctx, Request{Header: Header{ResourceURI: resourceURI, Action: ActionRelease}, Body: &Release{Context: res.Context}})
}

// Get reads one instance by its selectors (WS-Transfer Get).
func (c *Client) Get(ctx context.Context, resourceURI string, selectors ...Selector) (*Instance, error) {
	env, err := c.Do(ctx, Request{Header: Header{ResourceURI: resourceURI, Action: ActionGet, Selectors: selectors}, Idempotent: true})
	if err != nil {
		return nil, err
	}
	return env.Instance()
}
