package wsman

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	ntlmssp "github.com/Azure/go-ntlmssp"
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

// Config is how to reach and log in to a WinRM endpoint.
type Config struct {
	// Endpoint is the listener's URL, e.g. https://ipam01.corp.example:5986/wsman. A URL without a
	// path gets /wsman.
	Endpoint           string
	Username, Password string
	// Auth is one of AuthBasic, AuthNTLM (the default), AuthKerberos, AuthCertificate.
	Auth string
	// Insecure skips verification of the server's certificate.
	Insecure bool
	// CACert is PEM; when set, only these authorities are trusted, instead of the system's.
	CACert        []byte
	TLSServerName string
	// ClientCert and ClientKey are PEM, for AuthCertificate.
	ClientCert, ClientKey []byte
	// AllowUnencrypted permits credentials over plain HTTP to a host that is not loopback.
	AllowUnencrypted bool
	Kerberos         KerberosConfig
	// Timeout bounds each request, and is sent as wsman:OperationTimeout. Default 60s.
	Timeout time.Duration
	// MaxConcurrent caps requests in flight. Default 8.
	MaxConcurrent int
	// MaxEnvelopeSize is the largest envelope sent or accepted, in bytes. Default 512000.
	MaxEnvelopeSize int
	// MaxResponseSize bounds a response body. Default 64 MiB.
	MaxResponseSize int64
	// Retry defaults to DefaultRetryPolicy.
	Retry  *RetryPolicy
	Logger Logger
}

// KerberosConfig configures AuthKerberos.
type KerberosConfig struct {
	Realm string
	// Krb5Conf is the path of a krb5.conf; empty uses KRB5_CONFIG or /etc/krb5.conf.
	Krb5Conf string
	// SPN defaults to HTTP/<host of the endpoint>.
	SPN string
}

// Defaults of Config.
const (
	DefaultTimeout         = 60 * time.Second
	DefaultMaxConcurrent   = 8
	DefaultMaxEnvelopeSize = 512000
	defaultMaxResponse     = 64 << 20
)

// NewClient checks the configuration and builds a client. Nothing is sent yet.
func NewClient(cfg Config) (*Client, error) {
	endpoint, u, err := normalizeEndpoint(cfg.Endpoint)
	if err != nil {
		return nil, err
	}
	auth := strings.ToLower(strings.TrimSpace(cfg.Auth))
	if auth == "" {
		auth = AuthNTLM
	}
	host := strings.ToLower(u.Hostname())
	if u.Scheme == "http" {
		if auth == AuthCertificate {
			return nil, fmt.Errorf("certificate authentication needs an https:// endpoint, not %s", endpoint)
		}
		if !cfg.AllowUnencrypted && !isLoopback(host) {
			return nil, fmt.Errorf("refusing to send credentials over unencrypted HTTP to %s: use the HTTPS listener "+
				"(https://%s:5986/wsman), or set allow_unencrypted = true if the network is trusted and the server allows "+
				"unencrypted traffic", endpoint, host)
		}
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxConcurrent <= 0 {
		cfg.MaxConcurrent = DefaultMaxConcurrent
	}
	if cfg.MaxEnvelopeSize <= 0 {
		cfg.MaxEnvelopeSize = DefaultMaxEnvelopeSize
	}
	if cfg.MaxEnvelopeSize < 8192 {
		return nil, fmt.Errorf("max_envelope_size %d is below WinRM's minimum of 8192 bytes", cfg.MaxEnvelopeSize)
	}
	if cfg.MaxResponseSize <= 0 {
		cfg.MaxResponseSize = defaultMaxResponse
	}
	retry := DefaultRetryPolicy
	if cfg.Retry != nil {
		retry = *cfg.Retry
	}
	tlsConfig, err := buildTLS(cfg, auth)
	if err != nil {
		return nil, err
	}
	// Each of the MaxConcurrent slots has a transport with one connection of its own. NTLM
	// authenticates a connection, and its three legs must travel on the same one: with a shared
	// pool, a concurrent request could take the connection between two legs (HTTP 401).
	slot := func() *http.Client {
		var rt http.RoundTripper = &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSClientConfig:       tlsConfig,
			TLSHandshakeTimeout:   30 * time.Second,
			MaxIdleConns:          1,
			MaxIdleConnsPerHost:   1,
			MaxConnsPerHost:       1,
			IdleConnTimeout:       90 * time.Second,
			ExpectContinueTimeout: time.Second,
			ForceAttemptHTTP2:     false, // WinRM speaks HTTP/1.1
		}
		if auth == AuthNTLM {
			// The negotiator reads the credentials from a Basic header it never sends, and keeps
			// the connection authenticated, as WinRM does, so later requests on it need no handshake.
			rt = ntlmssp.Negotiator{RoundTripper: rt}
		}
		return &http.Client{Transport: rt, CheckRedirect: noRedirects}
	}
	c := &Client{
		endpoint:        endpoint,
		sem:             make(chan struct{}, cfg.MaxConcurrent),
		newSlot:         slot,
		maxEnvelopeSize: cfg.MaxEnvelopeSize,
		timeout:         cfg.Timeout,
		maxResponseSize: cfg.MaxResponseSize,
		retry:           retry,
		loginGate:       make(chan struct{}, 1),
		log:             cfg.Logger,
		secrets:         []string{cfg.Password},
		authName:        auth,
	}
	switch auth {
	case AuthBasic:
		if cfg.Username == "" {
			return nil, errors.New("basic authentication needs a username and a password")
		}
		c.auth = basicAuth(cfg.Username, cfg.Password)
	case AuthNTLM:
		if cfg.Username == "" {
			return nil, errors.New("NTLM authentication needs a username (DOMAIN\\user, user@domain or a local account) and a password")
		}
		c.auth = basicAuth(cfg.Username, cfg.Password)
	case AuthKerberos:
		spnego, err := newKerberos(cfg, host)
		if err != nil {
			return nil, err
		}
		c.auth = spnego
	case AuthCertificate:
		c.auth = func(r *http.Request) error { r.Header.Set("Authorization", certificateAuthHeader); return nil }
	default:
		return nil, fmt.Errorf("auth %q is not one of basic, ntlm, kerberos, certificate", cfg.Auth)
	}
	return c, nil
}

func basicAuth(user, pass string) func(*http.Request) error {
	return func(r *http.Request) error { r.SetBasicAuth(user, pass); return nil }
}

func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func normalizeEndpoint(raw string) (string, *url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", nil, errors.New("the endpoint is empty; it looks like https://ipam01.corp.example:5986/wsman")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", nil, fmt.Errorf("the endpoint %q is not an http:// or https:// URL such as https://ipam01.corp.example:5986/wsman", raw)
	}
	if u.User != nil {
		return "", nil, errors.New("the endpoint must not carry credentials; use username and password")
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/wsman"
	}
	return u.String(), u, nil
}

func isLoopback(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func buildTLS(cfg Config, auth string) (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: cfg.TLSServerName, InsecureSkipVerify: cfg.Insecure} //nolint:gosec // insecure is the user's explicit choice
	if len(cfg.CACert) > 0 {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(cfg.CACert) {
			return nil, errors.New("ca_cert holds no PEM certificate")
		}
		tc.RootCAs = pool
	}
	hasCert, hasKey := len(cfg.ClientCert) > 0, len(cfg.ClientKey) > 0
	if hasCert != hasKey {
		return nil, errors.New("client_cert and client_key go together")
	}
	if auth == AuthCertificate && !hasCert {
		return nil, errors.New("certificate authentication needs client_cert and client_key")
	}
	if hasCert {
		pair, err := tls.X509KeyPair(cfg.ClientCert, cfg.ClientKey)
		if err != nil {
			return nil, fmt.Errorf("client_cert/client_key: %w", err)
		}
		tc.Certificates = []tls.Certificate{pair}
	}
	return tc, nil
}
