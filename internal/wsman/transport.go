package wsman

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/winipam/terraform-provider-ipam/internal/failure"
)

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
	// AllowUnencrypted permits Basic credentials over plain HTTP to a host that is not loopback.
	// NTLM and Kerberos over plain HTTP always seal every message, so they need no such permission.
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
	// MinMaxEnvelopeSize is the smallest MaxEnvelopeSize WinRM accepts.
	MinMaxEnvelopeSize = 8192
)

// ConfigError is a configuration NewClient cannot use. Setting says which part is at fault, so a
// front end can name it in its own terms.
type ConfigError struct {
	// Kind is failure.KindConfig, or failure.KindUnencryptedCredentials for Basic over plain HTTP
	// without AllowUnencrypted.
	Kind    failure.Kind
	Setting failure.Setting
	// Endpoint is set when the endpoint itself is sound.
	Endpoint string
	Msg      string
	Err      error
}

func configErr(s failure.Setting, format string, args ...any) *ConfigError {
	return &ConfigError{Kind: failure.KindConfig, Setting: s, Msg: fmt.Sprintf(format, args...)}
}

func (e *ConfigError) Error() string {
	if e.Err != nil {
		return e.Msg + ": " + e.Err.Error()
	}
	return e.Msg
}

func (e *ConfigError) Unwrap() error { return e.Err }

// Facts implements failure.Reporter.
func (e *ConfigError) Facts() failure.Facts {
	return failure.Facts{Kind: e.Kind, Setting: e.Setting, Endpoint: e.Endpoint, PlainHTTP: isPlainHTTP(e.Endpoint), NotActed: true}
}

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
	plain := u.Scheme == "http"
	switch {
	case plain && auth == AuthCertificate:
		return nil, configErr(failure.SettingAuth, "certificate authentication needs an https:// endpoint, not %s", endpoint)
	case plain && auth == AuthBasic && !cfg.AllowUnencrypted && !isLoopback(host):
		// Allowed only when the configuration says so: NTLM and Kerberos seal, HTTPS encrypts.
		ce := configErr(failure.SettingAllowUnencrypted, "refusing to send Basic credentials over unencrypted HTTP to %s", endpoint)
		ce.Kind, ce.Endpoint = failure.KindUnencryptedCredentials, endpoint
		return nil, ce
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
	if cfg.MaxEnvelopeSize < MinMaxEnvelopeSize {
		return nil, configErr(failure.SettingMaxEnvelopeSize, "the maximum envelope size, %d bytes, is below WinRM's minimum of %d bytes", cfg.MaxEnvelopeSize, MinMaxEnvelopeSize)
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
	c := &Client{
		endpoint:        endpoint,
		host:            u.Host,
		path:            u.RequestURI(),
		dialer:          newDialer(u, tlsConfig),
		sem:             make(chan struct{}, cfg.MaxConcurrent),
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
			return nil, configErr(failure.SettingCredentials, "basic authentication needs a username and a password")
		}
		c.header = basicHeader(cfg.Username, cfg.Password)
	case AuthNTLM:
		if cfg.Username == "" {
			return nil, configErr(failure.SettingCredentials, "NTLM authentication needs a username (DOMAIN\\user, user@domain or a local account) and a password")
		}
		c.mech = newNTLM(cfg.Username, cfg.Password)
		c.seal = plain
	case AuthKerberos:
		if c.mech, err = newKerberos(cfg, host); err != nil {
			return nil, err
		}
		c.seal = plain
	case AuthCertificate:
		c.header = certificateAuthHeader
	default:
		return nil, configErr(failure.SettingAuth, "authentication %q is not one of basic, ntlm, kerberos, certificate", cfg.Auth)
	}
	return c, nil
}

func normalizeEndpoint(raw string) (string, *url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", nil, configErr(failure.SettingEndpoint, "the endpoint is empty; it looks like https://ipam01.corp.example:5986/wsman")
	}
	u, err := url.Parse(raw)
	// Credentials in the endpoint are refused before anything echoes the endpoint back.
	if (err == nil && u.User != nil) || (err != nil && strings.Contains(raw, "@")) {
		return "", nil, configErr(failure.SettingEndpoint, "the endpoint must not carry credentials; they go in the username and password")
	}
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", nil, configErr(failure.SettingEndpoint, "the endpoint %q is not an http:// or https:// URL such as https://ipam01.corp.example:5986/wsman", raw)
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
			return nil, configErr(failure.SettingCACert, "the CA certificates to trust hold no PEM certificate")
		}
		tc.RootCAs = pool
	}
	hasCert, hasKey := len(cfg.ClientCert) > 0, len(cfg.ClientKey) > 0
	if hasCert != hasKey {
		return nil, configErr(failure.SettingClientCertificate, "a client certificate and its private key go together")
	}
	if auth == AuthCertificate && !hasCert {
		return nil, configErr(failure.SettingClientCertificate, "certificate authentication needs a client certificate and its private key")
	}
	if hasCert {
		pair, err := tls.X509KeyPair(cfg.ClientCert, cfg.ClientKey)
		if err != nil {
			ce := configErr(failure.SettingClientCertificate, "the client certificate and its private key")
			ce.Err = err
			return nil, ce
		}
		tc.Certificates = []tls.Certificate{pair}
		// http.sys asks for the client certificate by renegotiating after the request arrived, and
		// certificate logins over TLS 1.3 fail against Windows Server 2022 (fidelity audit item 2):
		// allow one renegotiation, which Go does only up to TLS 1.2, and stay at TLS 1.2. The
		// emulator cannot renegotiate (Go's TLS server does not), so only unit tests cover this.
		tc.Renegotiation = tls.RenegotiateOnceAsClient
		tc.MaxVersion = tls.VersionTLS12
	}
	return tc, nil
}
