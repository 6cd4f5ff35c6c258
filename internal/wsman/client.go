package wsman

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/winipam/terraform-provider-ipam/internal/failure"
)

// Client sends WS-Management requests to one endpoint. It is safe for concurrent use; at most
// MaxConcurrent requests are in flight at once, because WinRM enforces per-user quotas.
type Client struct {
	endpoint string
	// host and path are the Host header and request target of every request.
	host, path string
	dialer     *dialer
	// header is the Authorization of every request (Basic, certificate); mech logs connections in
	// instead (NTLM, Kerberos).
	header   string
	mech     mechanism
	authName string
	// seal is set over plain HTTP with NTLM or Kerberos: every message is sealed ([MS-WSMV]
	// 2.2.9.1), as a Windows server with AllowUnencrypted=false (its default) requires.
	seal bool
	// refusedLogin holds the first refused login: credentials do not heal within a run, and every
	// further failed login counts towards an Active Directory account lockout.
	refusedLogin atomic.Pointer[refusal]
	// Until the server has taken the credentials once, logins go one at a time (loginGate): a
	// burst of first requests with a wrong password would count as that many failed logins.
	loginGate       chan struct{}
	loggedIn        atomic.Bool
	maxEnvelopeSize int
	timeout         time.Duration
	maxResponseSize int64
	retry           RetryPolicy
	// sem counts requests in flight; each has a connection of its own while it runs: the most
	// recently used idle one (so sequential requests share a connection and its login), or a new one.
	sem      chan struct{}
	connMu   sync.Mutex
	idle     []*conn
	log      Logger
	secrets  []string
	requests atomic.Int64
}

// refusal is a remembered refused login.
type refusal struct{ err error }

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

// Requests returns how many HTTP requests the client has sent or tried to send (an attempt that
// could not connect counts too), login legs included, for tests and benchmarks.
func (c *Client) Requests() int64 { return c.requests.Load() }

// Endpoint returns the URL the client talks to.
func (c *Client) Endpoint() string { return c.endpoint }

// MaxEnvelopeSize is the largest envelope the client sends or accepts.
func (c *Client) MaxEnvelopeSize() int { return c.maxEnvelopeSize }

// Sealing reports whether messages are sealed (plain HTTP with NTLM or Kerberos).
func (c *Client) Sealing() bool { return c.seal }

// Close closes the idle connections. The client stays usable; a later request opens a new one.
func (c *Client) Close() {
	c.connMu.Lock()
	idle := c.idle
	c.idle = nil
	c.connMu.Unlock()
	for _, cn := range idle {
		cn.close()
	}
}

// Do sends a request and returns the parsed response. A SOAP fault comes back as a *Fault error;
// failures below SOAP as *TransportError or *HTTPError. Idempotent requests are retried on
// transient failures; other requests are retried only when the server cannot have acted on them.
func (c *Client) Do(ctx context.Context, req Request) (*Envelope, error) {
	var env *Envelope
	err := c.retrying(ctx, shortAction(req.Header.Action), req.Idempotent, func() (err error) {
		env, err = c.once(ctx, req)
		return err
	})
	if err != nil {
		return nil, err
	}
	return env, nil
}

// retrying runs try until it succeeds or the retry policy (retry.go) says to stop, waiting the
// policy's backoff between tries, and returns try's last error.
func (c *Client) retrying(ctx context.Context, action string, idempotent bool, try func() error) error {
	attempts := max(c.retry.Attempts, 1)
	busyAttempts := attempts * busyPatience
	if attempts == 1 {
		busyAttempts = 1 // retries are off
	}
	for attempt, busy := 1, 0; ; attempt++ {
		err := try()
		if err == nil {
			return nil
		}
		class := classifyRetry(err)
		if class == retryBusy {
			busy++
			attempt = min(attempt, attempts-1)
		}
		if attempt >= attempts || busy >= busyAttempts || !class.allows(idempotent) || ctx.Err() != nil {
			return err
		}
		wait := c.retry.backoff(max(attempt, min(busy, attempts)))
		c.debug(ctx, "WS-Management request will be retried", map[string]any{
			"action": action, "attempt": attempt, "backoff_ms": wait.Milliseconds(), "error": err.Error()})
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return err
		}
	}
}

// takeConn returns the most recently used idle connection that is still open, or a new one.
func (c *Client) takeConn(ctx context.Context) (*conn, error) {
	for {
		c.connMu.Lock()
		n := len(c.idle)
		if n == 0 {
			c.connMu.Unlock()
			return c.dialer.dial(ctx)
		}
		cn := c.idle[n-1]
		c.idle = c.idle[:n-1]
		c.connMu.Unlock()
		if cn.alive() {
			return cn, nil
		}
		cn.close()
	}
}

func (c *Client) putConn(cn *conn) {
	if cn.broken {
		return
	}
	cn.idleSince = time.Now()
	c.connMu.Lock()
	c.idle = append(c.idle, cn)
	c.connMu.Unlock()
}

func (c *Client) once(ctx context.Context, req Request) (*Envelope, error) {
	h := req.Header
	h.To = c.endpoint
	h.MessageID = "uuid:" + NewUUID()
	h.MaxEnvelopeSize = c.maxEnvelopeSize
	h.OperationTimeout = c.timeout
	if h.Locale == "" {
		h.Locale = "en-US"
	}
	body, err := Marshal(h, req.Body)
	if err != nil {
		return nil, err
	}
	action := shortAction(h.Action)
	if len(body) > c.maxEnvelopeSize {
		return nil, fmt.Errorf("wsman: the %s request is %d bytes, more than the maximum envelope size (%d)", action, len(body), c.maxEnvelopeSize)
	}
	r, err := c.send(ctx, action, body)
	if err != nil {
		return nil, err
	}
	env, perr := c.interpret(r)
	fields := map[string]any{"action": action, "status": r.status, "bytes": r.size, "duration_ms": r.took.Milliseconds(), "sealed": r.sealed}
	if e, ok := req.Body.(*Enumerate); ok && e.Filter != "" {
		fields["query"] = maskedBody{c, []byte(e.Filter)} // the query as sent, in the server's own terms
	}
	if f := (*Fault)(nil); errors.As(perr, &f) {
		fields["fault"] = fmt.Sprintf("0x%08X", f.WSManCode)
	} else if perr != nil {
		fields["error"] = perr.Error()
	}
	c.debug(ctx, "WS-Management request", fields)
	return env, perr
}

// DoRaw sends an envelope as it is, through the same connections, login and sealing as Do, and
// returns the HTTP status and the (unsealed) body of the answer. It is for tools that post SOAP
// files; it is tried once, and again only when the server cannot have acted on it.
func (c *Client) DoRaw(ctx context.Context, envelope []byte) (status int, body []byte, err error) {
	var r *reply
	err = c.retrying(ctx, "raw", false, func() (err error) {
		if r, err = c.send(ctx, "raw", envelope); err == nil && r.status == http.StatusUnauthorized {
			err = c.interpretErr(r)
		}
		return err
	})
	if r == nil {
		return 0, nil, err
	}
	return r.status, r.data, err
}

// reply is an answer read whole and unsealed, with what interpreting it needs to know.
type reply struct {
	status      int
	header      http.Header
	contentType string
	data        []byte
	// size is the body's size on the wire; sealed says it was sealed.
	size   int
	sealed bool
	took   time.Duration
	// afterLogin says the connection's NTLM or Kerberos login had succeeded before this answer;
	// sealedConn that the connection sealed its messages.
	afterLogin, sealedConn bool
}

// send runs one exchange: a connection (reused or new, logged in if its scheme needs it), the
// request (sealed when the connection seals), and its answer (unsealed). A 401 is remembered when
// it refuses the credentials.
func (c *Client) send(ctx context.Context, action string, body []byte) (*reply, error) {
	if r := c.refusedLogin.Load(); r != nil {
		return nil, r.err
	}
	if !c.loggedIn.Load() {
		select {
		case c.loginGate <- struct{}{}:
			if c.loggedIn.Load() {
				<-c.loginGate // the request ahead logged in while this one waited
			} else {
				defer func() { <-c.loginGate }()
			}
		case <-ctx.Done():
			return nil, c.notSent(ctx)
		}
		if r := c.refusedLogin.Load(); r != nil {
			return nil, r.err
		}
	}
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, c.notSent(ctx)
	}
	defer func() { <-c.sem }()

	// The server works for at most OperationTimeout; the exchange gets a little more so that the
	// server's own timeout fault can arrive.
	rctx, cancel := context.WithTimeout(ctx, c.timeout+c.timeout/4+time.Second)
	defer cancel()
	start := time.Now()
	fail := func(err error, sent bool) error {
		terr := classifyTransport(c.endpoint, err, ctx, rctx, c.timeout)
		if !sent {
			terr.NotSent = true
		}
		c.debug(ctx, "WS-Management request failed", map[string]any{
			"action": action, "duration_ms": time.Since(start).Milliseconds(), "error": terr.Error()})
		return terr
	}
	cn, err := c.takeConn(rctx)
	if err != nil {
		c.requests.Add(1) // an attempt, though it could not be sent
		return nil, fail(err, false)
	}
	defer c.putConn(cn)
	if c.mech != nil && !cn.loggedIn {
		if err := c.login(rctx, cn); err != nil {
			cn.close()
			var ex *exchangeError
			if errors.As(err, &ex) || errors.As(err, new(*dialError)) {
				return nil, fail(err, false) // a login leg carries no request
			}
			c.debug(ctx, "WS-Management login failed", map[string]any{"action": action, "error": err.Error()})
			return nil, err
		}
	}

	hdr := http.Header{"Content-Type": {ContentType}, "User-Agent": {userAgent}}
	payload := body
	if cn.sealer != nil {
		if payload, err = EncodeEncrypted(cn.sealer, ProtocolSPNEGO, ContentType, body); err != nil {
			cn.close()
			return nil, fmt.Errorf("wsman: sealing the %s request: %w", action, err)
		}
		hdr.Set("Content-Type", EncryptedContentType(ProtocolSPNEGO))
	}
	if c.header != "" {
		hdr.Set("Authorization", c.header)
	}
	c.trace(ctx, "WS-Management request body", map[string]any{"action": action, "body": maskedBody{c, body}})
	c.requests.Add(1)
	resp, err := cn.roundTrip(rctx, c.host, c.path, hdr, payload, c.maxResponseSize)
	if errors.Is(err, errResponseTooLarge) {
		c.debug(ctx, "WS-Management response too large", map[string]any{"action": action})
		return nil, fmt.Errorf("wsman: the response from %s exceeds %d bytes", c.endpoint, c.maxResponseSize)
	}
	if err != nil {
		return nil, fail(err, true)
	}
	r := &reply{status: resp.status, header: resp.header, contentType: resp.header.Get("Content-Type"), data: resp.body,
		size: len(resp.body), took: time.Since(start), afterLogin: c.mech != nil && cn.loggedIn, sealedConn: cn.sealer != nil}
	switch {
	case cn.sealer != nil && IsEncrypted(r.contentType):
		if r.data, r.contentType, err = DecodeEncrypted(cn.sealer, r.contentType, resp.body); err != nil {
			cn.close()
			return nil, fmt.Errorf("wsman: the %s response from %s cannot be unsealed: %w", action, c.endpoint, err)
		}
		r.sealed = true
	case cn.sealer != nil && resp.status == http.StatusOK:
		// A sealed request's answer is sealed too; one in clear could come from anyone on the path.
		cn.close()
		return nil, fmt.Errorf("wsman: %s answered a sealed %s request in clear text; refusing the answer", c.endpoint, action)
	case cn.sealer != nil:
		// An error in clear (413, 503, 500 without a body): whether the server unsealed the request,
		// and so used up its sequence number, is unknown; the next request logs in anew.
		cn.close()
	}
	c.trace(ctx, "WS-Management response body", map[string]any{"action": action, "body": maskedBody{c, r.data}})
	switch {
	case r.status == http.StatusUnauthorized && r.afterLogin:
		cn.close() // the message, not the password, was refused; a new connection logs in anew
	case r.status == http.StatusUnauthorized:
		c.refusedLogin.CompareAndSwap(nil, &refusal{c.interpretErr(r)})
	case c.mech == nil:
		c.loggedIn.Store(true)
	}
	return r, nil
}

// notSent is the error of a request whose context ended before it could be sent.
func (c *Client) notSent(ctx context.Context) *TransportError {
	kind := failure.KindCanceled
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		kind = failure.KindDeadline
	}
	return &TransportError{Endpoint: c.endpoint, Err: ctx.Err(), NotSent: true, Kind: kind}
}

// userAgent names the client in requests.
const userAgent = "terraform-provider-ipam"

// login runs a connection-bound login (NTLM or Kerberos) on a new connection, with empty-bodied
// POSTs as pywinrm and pypsrp do: the request itself then travels once, sealed when the connection
// is plain HTTP. A 401 to the last leg is a refused login, which is remembered.
func (c *Client) login(ctx context.Context, cn *conn) error {
	var bindings []byte
	if cn.cert != nil {
		bindings = ChannelBindingHash(cn.cert)
	}
	hs, err := c.mech.begin(bindings, c.seal)
	if err != nil {
		var ke *KerberosError
		if errors.As(err, &ke) && ke.Final {
			c.refusedLogin.CompareAndSwap(nil, &refusal{err})
		}
		return err
	}
	out, err := hs.step(nil)
	if err != nil {
		return err
	}
	for leg := 1; ; leg++ {
		hdr := http.Header{"User-Agent": {userAgent}, "Authorization": {negotiateScheme + " " + base64.StdEncoding.EncodeToString(out)}}
		c.requests.Add(1)
		start := time.Now()
		resp, err := cn.roundTrip(ctx, c.host, c.path, hdr, nil, c.maxResponseSize)
		if err != nil {
			return err
		}
		c.debug(ctx, "WS-Management request", map[string]any{"action": "login", "auth": c.authName, "leg": leg,
			"status": resp.status, "duration_ms": time.Since(start).Milliseconds()})
		in := negotiateToken(resp.header)
		if resp.status == http.StatusUnauthorized {
			if in == nil || leg >= 3 {
				he := &HTTPError{Endpoint: c.endpoint, Status: resp.status, Offered: resp.header.Values("WWW-Authenticate"),
					EmptyBody: len(resp.body) == 0, Auth: c.authName, PlainHTTP: c.dialer.tls == nil}
				c.refusedLogin.CompareAndSwap(nil, &refusal{he})
				return he
			}
			if out, err = hs.step(in); err != nil {
				return fmt.Errorf("wsman: login to %s: %w", c.endpoint, err)
			}
			continue
		}
		// Any other answer to an empty-bodied leg means the login was taken.
		sealer, err := hs.finish(in)
		if err != nil {
			return fmt.Errorf("wsman: login to %s: %w", c.endpoint, err)
		}
		if c.seal && sealer == nil {
			return fmt.Errorf("wsman: login to %s gave no message sealing, which plain HTTP needs", c.endpoint)
		}
		cn.loggedIn, cn.sealer = true, sealer
		c.loggedIn.Store(true)
		return nil
	}
}

// interpret turns an answer into an envelope or a typed error.
func (c *Client) interpret(r *reply) (*Envelope, error) {
	isSOAP := strings.HasPrefix(strings.ToLower(r.contentType), "application/soap+xml")
	if r.status == http.StatusOK || (r.status == http.StatusInternalServerError && isSOAP && len(r.data) > 0) {
		env, err := Parse(r.data)
		if err != nil {
			return nil, fmt.Errorf("wsman: %s answered with HTTP %d and a body that is not a SOAP envelope: %w", c.endpoint, r.status, err)
		}
		if f, ok := env.Fault(); ok {
			return nil, f
		}
		if r.status != http.StatusOK {
			return nil, &HTTPError{Endpoint: c.endpoint, Status: r.status}
		}
		return env, nil
	}
	return nil, c.interpretErr(r)
}

// interpretErr is the error of an answer that is not a SOAP envelope.
func (c *Client) interpretErr(r *reply) *HTTPError {
	return &HTTPError{Endpoint: c.endpoint, Status: r.status, Offered: r.header.Values("WWW-Authenticate"),
		EmptyBody: len(r.data) == 0, Auth: c.authName, PlainHTTP: c.dialer.tls == nil,
		AfterLogin: r.status == http.StatusUnauthorized && r.afterLogin, Sealed: r.sealedConn}
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
