package kerberos

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jcmturner/gokrb5/v8/iana/nametype"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/service"
	"github.com/jcmturner/gokrb5/v8/types"
)

// fakeRealm makes service tickets in-process with a keytab's key, as a KDC would, for tests that
// must run without one: the fuzz targets and the unsupported-etype check.
type fakeRealm struct {
	kt       *keytab.Keytab
	etype    int32
	acceptor *Acceptor
}

const (
	fakeRealmName = "IPAM.TEST"
	fakeSPN       = "HTTP/ipam.ipam.test"
)

func newFakeRealm(t testing.TB, etype int32) *fakeRealm {
	t.Helper()
	kt := keytab.New()
	if err := kt.AddEntry(fakeSPN, fakeRealmName, "service-password", time.Now(), 1, etype); err != nil {
		t.Fatal(err)
	}
	return &fakeRealm{kt: kt, etype: etype, acceptor: NewAcceptor(service.NewSettings(kt, service.DecodePAC(false)), BindingsRelaxed)}
}

// initiator returns an Initiator with a fresh ticket for alice.
func (r *fakeRealm) initiator(t testing.TB) *Initiator {
	t.Helper()
	cname := types.NewPrincipalName(nametype.KRB_NT_PRINCIPAL, "alice")
	now := time.Now().UTC()
	tkt, key, err := messages.NewTicket(cname, fakeRealmName, types.NewPrincipalName(nametype.KRB_NT_PRINCIPAL, fakeSPN), fakeRealmName,
		types.NewKrbFlags(), r.kt, r.etype, 1, now, now, now.Add(time.Hour), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	ini, err := newInitiator(fakeSPN, fakeRealmName, cname, tkt, key, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ini
}

// A whole context in-process: this always runs, where the KDC tests may be skipped.
func TestLoopback(t *testing.T) {
	t.Parallel()
	for _, etype := range []int32{17, 18} {
		r := newFakeRealm(t, etype)
		for _, s := range []Scheme{Negotiate, Kerberos} {
			ini := r.initiator(t)
			acc, err := r.acceptor.Accept(s, ini.Token(s), nil)
			if err != nil {
				t.Fatalf("etype %d %s: accept: %v", etype, s, err)
			}
			sess, err := ini.Complete(s, acc.Response)
			if err != nil {
				t.Fatalf("etype %d %s: complete: %v", etype, s, err)
			}
			if acc.User != "alice" || acc.Realm != fakeRealmName {
				t.Errorf("client %s@%s", acc.User, acc.Realm)
			}
			for i := range 3 {
				msg := bytes.Repeat([]byte{byte(i)}, 100*i)
				h, d, _ := sess.Seal(msg)
				if got, err := acc.Session.Unseal(h, d); err != nil || !bytes.Equal(got, msg) {
					t.Fatalf("to the acceptor: %v", err)
				}
				h, d, _ = acc.Session.Seal(msg)
				if got, err := sess.Unseal(h, d); err != nil || !bytes.Equal(got, msg) {
					t.Fatalf("to the initiator: %v", err)
				}
			}
		}
	}
}

// A ticket with an RC4 session key authenticates, but cannot seal: the acceptor says so.
func TestAcceptRC4(t *testing.T) {
	t.Parallel()
	r := newFakeRealm(t, 23)
	_, err := r.acceptor.Accept(Negotiate, r.initiator(t).Token(Negotiate), nil)
	if !errors.Is(err, ErrEncType) || !strings.Contains(err.Error(), "rc4-hmac (etype 23)") {
		t.Fatalf("RC4 ticket: %v", err)
	}
}

// ap-options travel outside the authenticator's encryption, so anyone on the path can change
// them: emptied, they must not crash the acceptor, and the checksum's mutual flag still asks for
// the AP-REP.
func TestAcceptEmptyAPOptions(t *testing.T) {
	t.Parallel()
	r := newFakeRealm(t, 18)
	ini := r.initiator(t)
	_, _, msg, err := parseKRB5Token(ini.Token(Kerberos))
	if err != nil {
		t.Fatal(err)
	}
	var apreq messages.APReq
	if err := apreq.Unmarshal(msg); err != nil {
		t.Fatal(err)
	}
	apreq.APOptions.Bytes, apreq.APOptions.BitLength = nil, 0
	der, err := apreq.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := krb5Token(oidKRB5, tokAPReq, der)
	acc, err := r.acceptor.Accept(Kerberos, tok, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ini.Complete(Kerberos, acc.Response); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		opts []byte
		want bool
	}{{nil, false}, {[]byte{0x20, 0, 0, 0}, true}, {[]byte{0x40, 0, 0, 0}, false}, {[]byte{0xdf}, false}} {
		if got := mutualRequired(tc.opts); got != tc.want {
			t.Errorf("mutualRequired(% x) = %t", tc.opts, got)
		}
	}
}
