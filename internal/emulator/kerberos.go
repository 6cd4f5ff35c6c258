package emulator

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jcmturner/gokrb5/v8/gssapi"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/service"
	"github.com/jcmturner/gokrb5/v8/spnego"
)

// kerberosAcceptor checks Kerberos logins against the service keys of a keytab, as WinRM does
// with the computer account's keys. Tickets come from a real KDC; the emulator is only the service.
type kerberosAcceptor struct {
	settings *service.Settings
}

func newKerberosAcceptor(path string) (*kerberosAcceptor, error) {
	kt, err := keytab.Load(path)
	if err != nil {
		return nil, fmt.Errorf("kerberos keytab %s: %w", path, err)
	}
	// MIT KDCs issue no PAC, and the emulator needs no group membership from it.
	return &kerberosAcceptor{settings: service.NewSettings(kt, service.DecodePAC(false))}, nil
}

// accept verifies a token from an Authorization header: SPNEGO under "Negotiate" (RFC 4559), or
// a bare GSS-API Kerberos token under "Kerberos", which WinRM also accepts (MS-WSMV 2.2.9.1). It
// returns the client's user name. The AP-REP of mutual authentication is not sent back: WinRM
// clients do not require it over HTTPS.
func (k *kerberosAcceptor) accept(scheme string, token []byte) (user string, err error) {
	// gokrb5's ASN.1 decoding is not hardened against hostile input; a bad token is a refusal.
	defer func() {
		if r := recover(); r != nil {
			user, err = "", fmt.Errorf("malformed kerberos token: %v", r)
		}
	}()
	var mech []byte
	if strings.EqualFold(scheme, "Kerberos") {
		mech = token
	} else {
		var st spnego.SPNEGOToken
		if err := st.Unmarshal(token); err != nil {
			return "", err
		}
		if !st.Init || len(st.NegTokenInit.MechTypes) == 0 {
			return "", errors.New("not an SPNEGO NegTokenInit")
		}
		oid := st.NegTokenInit.MechTypes[0]
		if !oid.Equal(gssapi.OIDKRB5.OID()) && !oid.Equal(gssapi.OIDMSLegacyKRB5.OID()) {
			return "", errors.New("the SPNEGO token does not offer Kerberos")
		}
		mech = st.NegTokenInit.MechTokenBytes
	}
	var kt spnego.KRB5Token
	if err := kt.Unmarshal(mech); err != nil {
		return "", err
	}
	if !kt.IsAPReq() {
		return "", errors.New("the Kerberos token is not an AP-REQ")
	}
	ok, creds, err := service.VerifyAPREQ(&kt.APReq, k.settings)
	if err != nil {
		return "", err
	}
	if !ok || creds == nil {
		return "", errors.New("the Kerberos ticket was refused")
	}
	return creds.UserName(), nil
}
