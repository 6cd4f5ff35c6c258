package wsman

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"

	krbclient "github.com/jcmturner/gokrb5/v8/client"
	krbconfig "github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/spnego"
)

// newKerberos returns a function that puts an SPNEGO Kerberos token on each request. Kerberos
// needs the server's fully qualified name: a ticket cannot be issued for an IP address.
func newKerberos(cfg Config, host string) (func(*http.Request), error) {
	if net.ParseIP(host) != nil || !strings.Contains(host, ".") {
		return nil, fmt.Errorf("kerberos needs the server's fully qualified domain name in the endpoint, not %q", host)
	}
	if cfg.Username == "" || cfg.Password == "" {
		return nil, errors.New("kerberos authentication needs a username and a password")
	}
	user, realm := cfg.Username, cfg.Kerberos.Realm
	if u, r, ok := strings.Cut(user, "@"); ok {
		user = u
		if realm == "" {
			realm = r
		}
	} else if d, u, ok := strings.Cut(user, `\`); ok {
		user = u
		if realm == "" {
			realm = d
		}
	}
	if realm == "" {
		return nil, errors.New("kerberos needs a realm: set kerberos.realm or write the username as user@REALM")
	}
	realm = strings.ToUpper(realm)
	path := cfg.Kerberos.Krb5Conf
	if path == "" {
		path = os.Getenv("KRB5_CONFIG")
	}
	if path == "" {
		path = "/etc/krb5.conf"
	}
	kc, err := krbconfig.Load(path)
	if err != nil {
		return nil, fmt.Errorf("kerberos configuration %s: %w", path, err)
	}
	cl := krbclient.NewWithPassword(user, realm, cfg.Password, kc, krbclient.DisablePAFXFAST(true))
	spn := cfg.Kerberos.SPN
	if spn == "" {
		spn = "HTTP/" + host
	}
	return func(r *http.Request) {
		if err := spnego.SetSPNEGOHeader(cl, r, spn); err != nil {
			// The request then goes without a token and the server's 401 says why; the
			// reason is kept for the log through the header's absence.
			r.Header.Del("Authorization")
		}
	}, nil
}
