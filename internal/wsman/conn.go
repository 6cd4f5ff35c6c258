package wsman

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// conn is one connection to the endpoint and the login that belongs to it. WinRM authenticates
// connections, not requests: an NTLM or Kerberos login, and the sealing keys and sequence numbers
// that come with it, hold for the life of the TCP connection. So the client owns its connections
// instead of leaving them to a pool: a new connection gets a new login, and a connection whose
// exchange failed half way is closed, never used again with a stale sequence number.
type conn struct {
	nc net.Conn
	br *bufio.Reader
	// cert is the server's certificate over TLS, for channel binding.
	cert *x509.Certificate
	// loggedIn is set once a connection-bound login (NTLM, Kerberos) has succeeded.
	loggedIn bool
	// sealer seals every message after a login over plain HTTP; nil otherwise.
	sealer Sealer
	// broken marks a connection that must not carry another request.
	broken    bool
	idleSince time.Time
	// used counts the exchanges on the connection; a reused connection may have been closed by the
	// server while idle.
	used int
}

// connIdleTimeout closes connections idle for longer; Windows' http.sys drops idle connections
// after two minutes (IdleConnectionTimeout), and a login on a connection it dropped is lost.
const connIdleTimeout = 90 * time.Second

// dialer opens connections to one endpoint.
type dialer struct {
	u    *url.URL
	addr string
	tls  *tls.Config
	// proxy returns the proxy for the endpoint, if the environment names one.
	proxy func(*http.Request) (*url.URL, error)
}

func newDialer(u *url.URL, tc *tls.Config) *dialer {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	d := &dialer{u: u, addr: net.JoinHostPort(u.Hostname(), port), proxy: http.ProxyFromEnvironment}
	if u.Scheme == "https" {
		d.tls = tc.Clone()
		if d.tls.ServerName == "" {
			d.tls.ServerName = u.Hostname()
		}
	}
	return d
}

// dialError marks a failure to open a connection: nothing was sent.
type dialError struct{ err error }

func (e *dialError) Error() string { return e.err.Error() }
func (e *dialError) Unwrap() error { return e.err }

func (d *dialer) dial(ctx context.Context) (*conn, error) {
	nd := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	target := d.addr
	proxy, err := d.proxy(&http.Request{URL: d.u, Header: http.Header{}})
	if err != nil {
		return nil, &dialError{fmt.Errorf("proxy from the environment: %w", err)}
	}
	if proxy != nil {
		if proxy.Scheme != "http" {
			return nil, &dialError{fmt.Errorf("the proxy %s is not an http:// proxy; only those can tunnel WinRM (set NO_PROXY for this host)", proxy.Redacted())}
		}
		target = proxy.Host
		if proxy.Port() == "" {
			target = net.JoinHostPort(proxy.Hostname(), "80")
		}
	}
	nc, err := nd.DialContext(ctx, "tcp", target)
	if err != nil {
		return nil, &dialError{err}
	}
	c := &conn{nc: nc}
	if proxy != nil {
		// A tunnel, for http:// too: a login belongs to one connection, and a forwarding proxy
		// would not keep the client's requests on one connection to the server.
		if err := c.connect(ctx, proxy, d.addr); err != nil {
			nc.Close()
			return nil, &dialError{err}
		}
	}
	if d.tls != nil {
		tc := tls.Client(c.nc, d.tls)
		if err := tc.HandshakeContext(ctx); err != nil {
			nc.Close()
			return nil, &dialError{err}
		}
		c.nc = tc
		if st := tc.ConnectionState(); len(st.PeerCertificates) > 0 {
			c.cert = st.PeerCertificates[0]
		}
	}
	c.br = bufio.NewReaderSize(c.nc, 32<<10)
	return c, nil
}

// connect opens an HTTP CONNECT tunnel through a proxy.
func (c *conn) connect(ctx context.Context, proxy *url.URL, addr string) error {
	req := "CONNECT " + addr + " HTTP/1.1\r\nHost: " + addr + "\r\n"
	if u := proxy.User; u != nil {
		pass, _ := u.Password()
		req += "Proxy-Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(u.Username()+":"+pass)) + "\r\n"
	}
	stop := c.watch(ctx)
	defer stop()
	if _, err := io.WriteString(c.nc, req+"\r\n"); err != nil {
		return err
	}
	br := bufio.NewReader(c.nc)
	resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodConnect})
	if err != nil {
		return fmt.Errorf("proxy %s: %w", proxy.Redacted(), err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("proxy %s refused to connect to %s: %s", proxy.Redacted(), addr, resp.Status)
	}
	if br.Buffered() > 0 {
		return fmt.Errorf("proxy %s sent data before the tunnel was open", proxy.Redacted())
	}
	return nil
}

// watch makes the connection's reads and writes fail when ctx ends. The context's own timer, not
// a socket deadline, ends them, so that ctx.Err() already tells a timeout when an I/O call fails.
// The returned function stops watching.
func (c *conn) watch(ctx context.Context) func() {
	stop := context.AfterFunc(ctx, func() { _ = c.nc.SetDeadline(time.Unix(1, 0)) })
	return func() {
		stop()
		_ = c.nc.SetDeadline(time.Time{})
	}
}

// alive reports whether an idle connection can still carry a request: the server may have closed
// it while it was idle, and a request written to a closed connection has an unknown fate.
func (c *conn) alive() bool {
	if c.broken || time.Since(c.idleSince) > connIdleTimeout {
		return false
	}
	if c.br.Buffered() > 0 {
		return false // nothing should arrive unasked
	}
	_ = c.nc.SetReadDeadline(time.Now())
	_, err := c.br.Peek(1)
	_ = c.nc.SetReadDeadline(time.Time{})
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func (c *conn) close() {
	c.broken = true
	_ = c.nc.Close()
}

// response is an HTTP response read whole.
type response struct {
	status int
	header http.Header
	body   []byte
}

// exchangeError is a failure while a request was written or its answer read; written says
// whether any of the request may have reached the server.
type exchangeError struct {
	err     error
	written bool
}

func (e *exchangeError) Error() string { return e.err.Error() }
func (e *exchangeError) Unwrap() error { return e.err }

// errResponseTooLarge is returned for a response body over the client's limit.
var errResponseTooLarge = errors.New("response too large")

// roundTrip sends one POST and reads its answer. Any failure leaves the connection closed.
func (c *conn) roundTrip(ctx context.Context, host, path string, header http.Header, body []byte, maxResponse int64) (*response, error) {
	stop := c.watch(ctx)
	defer stop()
	c.used++
	var h bytes.Buffer
	h.WriteString("POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\n")
	_ = header.Write(&h)
	h.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n")
	bufs := net.Buffers{h.Bytes(), body}
	if _, err := bufs.WriteTo(c.nc); err != nil {
		c.close()
		return nil, &exchangeError{err: err, written: true}
	}
	resp, err := http.ReadResponse(c.br, &http.Request{Method: http.MethodPost})
	if err != nil {
		c.close()
		return nil, &exchangeError{err: err, written: true}
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	resp.Body.Close()
	if err != nil {
		c.close()
		return nil, &exchangeError{err: err, written: true}
	}
	if int64(len(data)) > maxResponse {
		c.close()
		return nil, errResponseTooLarge
	}
	if resp.Close {
		c.close()
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: data}, nil
}
