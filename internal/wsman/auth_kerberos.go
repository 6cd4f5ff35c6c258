package wsman

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"

	krbclient "github.com/jcmturner/gokrb5/v8/client"
	krbconfig "github.com/jcmturner/gokrb5/v8/config"

	"github.com/winipam/terraform-provider-ipam/internal/failure"
	"github.com/winipam/terraform-provider-ipam/internal/kerberos"
)

// KerberosError is a failure to get a Kerberos service ticket: the request was not sent.
type KerberosError struct {
	SPN, Realm string
	// Reason is what the KDC or the network said, in words.
	Reason string
	// Kind says which failure it is: a refused password, an unknown user or service, a clock skew,
	// no KDC answering (failure.KindKerberos for another).
	Kind failure.Kind
	// Krb5Conf is the krb5.conf the realm's KDCs were taken from.
	Krb5Conf string
	// Final is true when trying again cannot help within this run (a wrong password, an unknown
	// principal), so the client stops asking the KDC: each failed try counts towards an account
	// lockout in Active Directory.
	Final bool
}

func (e *KerberosError) Error() string {
	return fmt.Sprintf("kerberos: cannot get a service ticket for %s in realm %s: %s", e.SPN, e.Realm, e.Reason)
}

// Facts implements failure.Reporter. Nothing was sent.
func (e *KerberosError) Facts() failure.Facts {
	return failure.Facts{Kind: e.Kind, Auth: AuthKerberos, Realm: e.Realm, Krb5Conf: e.Krb5Conf, NotActed: true}
}

// kerberosRealm works out the user and realm of a login: from user@REALM, else kerberos.realm,
// else krb5.conf's default_realm. The NetBIOS name of DOMAIN\user is never taken for the realm: an
// Active Directory realm is the domain's DNS name, which usually differs (fidelity audit item 8).
func kerberosRealm(username, configured, defaultRealm string) (user, realm string, err error) {
	user, realm = username, configured
	if u, r, ok := strings.Cut(username, "@"); ok {
		user = u
		if realm == "" {
			realm = r
		}
	} else if _, u, ok := strings.Cut(username, `\`); ok {
		user = u
	}
	if realm == "" {
		realm = defaultRealm
	}
	if realm == "" {
		return "", "", configErr(failure.SettingKerberosRealm, "kerberos needs a realm, and none is known: the username %q names "+
			"none (user@REALM), none is configured, and krb5.conf has no default_realm; the NETBIOS name of DOMAIN\\user is not the realm", user)
	}
	return user, strings.ToUpper(realm), nil
}

// kerberosMechanism logs connections in with Kerberos tickets from the realm's KDC. Without an
// explicit SPN, Kerberos needs the server's fully qualified name to name the service: a ticket
// cannot be issued for an IP address.
type kerberosMechanism struct {
	client *krbclient.Client
	spn    string
	realm  string
	conf   string
	mu     sync.Mutex
	// final is a failure that trying again cannot heal within this run (a wrong password, an
	// unknown principal): the client stops asking the KDC, since each failed try counts towards
	// an account lockout in Active Directory.
	final *KerberosError
}

func newKerberos(cfg Config, host string) (*kerberosMechanism, error) {
	spn := cfg.Kerberos.SPN
	if spn == "" {
		if net.ParseIP(host) != nil || !strings.Contains(host, ".") {
			return nil, configErr(failure.SettingKerberosSPN, "kerberos needs the server's fully qualified domain name in the endpoint, not %q, or the service principal", host)
		}
		spn = "HTTP/" + host
	}
	if cfg.Username == "" || cfg.Password == "" {
		return nil, configErr(failure.SettingCredentials, "kerberos authentication needs a username and a password")
	}
	path := cfg.Kerberos.Krb5Conf
	if path == "" {
		path = os.Getenv("KRB5_CONFIG")
	}
	if path == "" {
		path = "/etc/krb5.conf"
	}
	kc, err := krbconfig.Load(path)
	if err != nil {
		ce := configErr(failure.SettingKrb5Conf, "kerberos configuration %s", path)
		ce.Err = err
		return nil, ce
	}
	user, realm, err := kerberosRealm(cfg.Username, cfg.Kerberos.Realm, kc.LibDefaults.DefaultRealm)
	if err != nil {
		return nil, err
	}
	cl := krbclient.NewWithPassword(user, realm, cfg.Password, kc, krbclient.DisablePAFXFAST(true))
	return &kerberosMechanism{client: cl, spn: spn, realm: realm, conf: path}, nil
}

func (m *kerberosMechanism) begin(bindings []byte, seal bool) (handshake, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.final != nil {
		return nil, m.final
	}
	init, err := kerberos.NewInitiator(m.client, m.spn, bindings)
	if err != nil {
		ke := kerberosError(err, m.spn, m.realm, m.conf)
		if ke.Final {
			m.final = ke
		}
		return nil, ke
	}
	return &kerberosHandshake{init: init, seal: seal}, nil
}

// kerberosHandshake is one AP-REQ, answered by the server's AP-REP (mutual authentication), which
// gives the keys that seal messages over plain HTTP.
type kerberosHandshake struct {
	init *kerberos.Initiator
	seal bool
}

func (h *kerberosHandshake) step(in []byte) ([]byte, error) {
	if in == nil {
		return h.init.Token(kerberos.Negotiate), nil
	}
	// A 401 with a token: a KRB-ERROR or an SPNEGO reject; Kerberos has no second leg.
	if _, err := h.init.Complete(kerberos.Negotiate, in); err != nil {
		return nil, err
	}
	return nil, errors.New("the server asked for another Kerberos leg")
}

func (h *kerberosHandshake) finish(in []byte) (Sealer, error) {
	if h.seal {
		s, err := h.init.Complete(kerberos.Negotiate, in)
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	_, err := h.init.Authenticated(kerberos.Negotiate, in)
	return nil, err
}

// kerberosError names the usual failures; gokrb5 reports them as text that carries the
// Kerberos error name (RFC 4120 section 7.5.9).
func kerberosError(err error, spn, realm, confPath string) *KerberosError {
	msg := err.Error()
	ke := &KerberosError{SPN: spn, Realm: realm, Reason: msg, Kind: failure.KindKerberos, Krb5Conf: confPath}
	for _, k := range kerberosFailures {
		if strings.Contains(msg, k.name) {
			ke.Reason, ke.Kind, ke.Final = k.reason, k.kind, k.final
			break
		}
	}
	return ke
}

// kerberosFailures are the Kerberos errors a user can act on, by their RFC 4120 names.
var kerberosFailures = []struct {
	name, reason string
	kind         failure.Kind
	final        bool
}{
	{"KDC_ERR_PREAUTH_FAILED", "the KDC refused the password", failure.KindKerberosPassword, true},
	{"KDC_ERR_C_PRINCIPAL_UNKNOWN", "the KDC does not know the user", failure.KindKerberosUser, true},
	{"KDC_ERR_S_PRINCIPAL_UNKNOWN", "the KDC does not know the service principal", failure.KindKerberosService, true},
	{"KDC_ERR_CLIENT_REVOKED", "the account is disabled or locked out", failure.KindKerberosAccount, true},
	{"KRB_AP_ERR_SKEW", "the clocks of this machine and the KDC differ by more than the allowed skew", failure.KindKerberosClock, true},
	{"Networking_Error", "no KDC of the realm answered", failure.KindKerberosNoKDC, false},
}
