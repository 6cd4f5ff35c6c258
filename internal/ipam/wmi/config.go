package wmi

import "github.com/winipam/terraform-provider-ipam/internal/wsman"

// Config is how the client reaches and logs in to the IPAM server: the WS-Management connection's
// settings. It is wsman.Config, named here so that a caller that builds an IPAM client (the
// provider's configuration) needs nothing from the wire layer.
type Config = wsman.Config

// KerberosConfig configures Kerberos logins (Auth = AuthKerberos).
type KerberosConfig = wsman.KerberosConfig

// Logger receives the WS-Management client's request lines; it never sees credentials.
type Logger = wsman.Logger

// Authentication schemes, and Config's defaults.
const (
	AuthNTLM        = wsman.AuthNTLM
	AuthBasic       = wsman.AuthBasic
	AuthKerberos    = wsman.AuthKerberos
	AuthCertificate = wsman.AuthCertificate

	DefaultTimeout         = wsman.DefaultTimeout
	DefaultMaxConcurrent   = wsman.DefaultMaxConcurrent
	DefaultMaxEnvelopeSize = wsman.DefaultMaxEnvelopeSize
	MinMaxEnvelopeSize     = wsman.MinMaxEnvelopeSize
)

// AuthSchemes lists the authentication schemes Config.Auth may name, the default first.
var AuthSchemes = []string{AuthNTLM, AuthBasic, AuthKerberos, AuthCertificate}

// NewClient checks the configuration and builds an IPAM client on a WS-Management connection.
// Nothing is sent yet. A configuration it cannot use fails with an error that reports
// failure.KindConfig (or failure.KindUnencryptedCredentials) and the setting at fault.
func NewClient(cfg Config) (*Client, error) {
	ws, err := wsman.NewClient(cfg)
	if err != nil {
		return nil, err
	}
	return New(ws), nil
}

// Endpoint returns the URL the client talks to.
func (c *Client) Endpoint() string { return c.ws.Endpoint() }
