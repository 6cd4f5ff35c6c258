package wsman

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	krbclient "github.com/jcmturner/gokrb5/v8/client"
	krbconfig "github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/spnego"
)

// KerberosError is a failure to get a Kerberos service ticket: the request was not sent.
type KerberosError struct {
	SPN, Realm string
	// Reason is what the KDC or the network said, in words.
	Reason string
	// Hint says what the user can do.
	Hint string
	// Final is true when trying again cannot help within this run (a wrong password, an unknown
	// principal), so the client stops asking the KDC: each failed try counts towards an account
	// lockout in Active Directory.
	Final bool
}

func (e *KerberosError) Error() string {
	msg := fmt.Sprintf("kerberos: cannot get a service ticket for %s in realm %s: %s", e.SPN, e.Realm, e.Reason)
	if e.Hint != "" {
		msg += ". " + e.Hint
	}
	return msg
}

// newKerberos returns a function that puts an SPNEGO Kerberos token on each request. Without an
// explicit SPN, Kerberos needs the server's fully qualified name to name the service: a ticket
// cannot be issued for an IP address.
func newKerberos(cfg Config, host string) (func(*http.Request) error, error) {
	spn := cfg.Kerberos.SPN
	if spn == "" {
		if net.ParseIP(host) != nil || !strings.Contains(host, ".") {
			return nil, fmt.Errorf("kerberos needs the server's fully qualified domain name in the endpoint, not %q (or the service principal in kerberos.spn)", host)
		}
		spn = "HTTP/" + host
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
	var (
		mu    sync.Mutex
		final *KerberosError
		last  int64 // microsecond at which the last token was complete
	)
	return func(r *http.Request) error {
		mu.Lock()
		defer mu.Unlock()
		if final != nil {
			return final
		}
		// A service's replay cache tells authenticators apart by their time to the microsecond
		// (RFC 4120 3.2.3), so two tokens made within one microsecond would fail as a replay.
		for time.Now().UnixMicro() <= last {
			time.Sleep(time.Microsecond)
		}
		err := spnego.SetSPNEGOHeader(cl, r, spn)
		last = time.Now().UnixMicro()
		if err == nil {
			return nil
		}
		ke := kerberosError(err, spn, realm, path)
		if ke.Final {
			final = ke
		}
		return ke
	}, nil
}

// kerberosError names the usual failures; gokrb5 reports them as text that carries the
// Kerberos error name (RFC 4120 section 7.5.9).
func kerberosError(err error, spn, realm, confPath string) *KerberosError {
	msg := err.Error()
	ke := &KerberosError{SPN: spn, Realm: realm, Reason: msg}
	switch {
	case strings.Contains(msg, "KDC_ERR_PREAUTH_FAILED"):
		ke.Reason, ke.Final = "the KDC refused the password", true
		ke.Hint = "Check the password; each failed login counts towards the account's lockout"
	case strings.Contains(msg, "KDC_ERR_C_PRINCIPAL_UNKNOWN"):
		ke.Reason, ke.Final = "the KDC does not know the user", true
		ke.Hint = "Check the username and the realm (user@REALM; the realm is the domain's DNS name in upper case)"
	case strings.Contains(msg, "KDC_ERR_S_PRINCIPAL_UNKNOWN"):
		ke.Reason, ke.Final = "the KDC does not know the service principal", true
		ke.Hint = "Use the endpoint's fully qualified name as registered in the directory, or set kerberos.spn (WinRM registers HTTP/host and WSMAN/host)"
	case strings.Contains(msg, "KDC_ERR_CLIENT_REVOKED"):
		ke.Reason, ke.Final = "the account is disabled or locked out", true
	case strings.Contains(msg, "KRB_AP_ERR_SKEW"):
		ke.Reason, ke.Final = "the clocks of this machine and the KDC differ by more than the allowed skew", true
		ke.Hint = "Synchronise this machine's clock with the domain"
	case strings.Contains(msg, "Networking_Error"):
		ke.Reason = "no KDC of the realm answered"
		ke.Hint = fmt.Sprintf("Check the kdc entries for %s in %s and that port 88 is reachable", realm, confPath)
	}
	return ke
}
