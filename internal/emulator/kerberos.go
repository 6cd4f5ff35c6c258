package emulator

import (
	"errors"
	"fmt"

	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/service"

	"github.com/winipam/terraform-provider-ipam/internal/kerberos"
	"github.com/winipam/terraform-provider-ipam/internal/ntlm"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

// kerberosAcceptor checks Kerberos logins against the service keys of a keytab, as WinRM does
// with the computer account's keys. Tickets come from a real KDC; the emulator is only the service.
type kerberosAcceptor struct {
	acc *kerberos.Acceptor
}

func newKerberosAcceptor(path string, cbt ntlm.CBTHardening) (*kerberosAcceptor, error) {
	kt, err := keytab.Load(path)
	if err != nil {
		return nil, fmt.Errorf("kerberos keytab %s: %w", path, err)
	}
	policy := map[ntlm.CBTHardening]kerberos.BindingPolicy{ntlm.CBTNone: kerberos.BindingsNone,
		ntlm.CBTRelaxed: kerberos.BindingsRelaxed, ntlm.CBTStrict: kerberos.BindingsStrict}[cbt]
	// MIT KDCs issue no PAC, and the emulator needs no group membership from it.
	return &kerberosAcceptor{acc: kerberos.NewAcceptor(service.NewSettings(kt, service.DecodePAC(false)), policy)}, nil
}

// kerberosLogin is an accepted Kerberos login.
type kerberosLogin struct {
	user string
	// token answers the login: the AP-REP of mutual authentication.
	token  []byte
	sealer wsman.Sealer
}

// accept verifies a token from an Authorization header: SPNEGO under "Negotiate" (RFC 4559), or
// a bare GSS-API Kerberos token under "Kerberos", which WinRM also accepts ([MS-WSMV] 2.2.9.1),
// against the TLS channel's bindings (nil over plain HTTP).
func (k *kerberosAcceptor) accept(scheme string, token, bindings []byte) (kerberosLogin, error) {
	s, ok := kerberos.ParseScheme(scheme)
	if !ok {
		return kerberosLogin{}, fmt.Errorf("scheme %q carries no Kerberos token", scheme)
	}
	a, err := k.acc.Accept(s, token, bindings)
	if err != nil {
		return kerberosLogin{}, err
	}
	if a.Session == nil {
		return kerberosLogin{}, errors.New("the Kerberos login gave no session")
	}
	return kerberosLogin{user: a.User, token: a.Response, sealer: a.Session}, nil
}
