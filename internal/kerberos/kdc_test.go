//go:build unix

package kerberos

import (
	"bytes"
	"encoding/asn1"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/iana/errorcode"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/service"
	"github.com/jcmturner/gokrb5/v8/spnego"
	"github.com/jcmturner/gokrb5/v8/types"

	"github.com/winipam/terraform-provider-ipam/internal/testkdc"
)

// newClient returns a gokrb5 client of the test realm; etypes, if any, are the session key types
// it asks the KDC for, which decide the context's key.
func newClient(t *testing.T, kdc *testkdc.KDC, password string, etypes ...int32) *client.Client {
	t.Helper()
	cfg, err := config.Load(kdc.Krb5Conf)
	if err != nil {
		t.Fatal(err)
	}
	if len(etypes) > 0 {
		cfg.LibDefaults.DefaultTGSEnctypeIDs = etypes
	}
	return client.NewWithPassword(testkdc.User, testkdc.Realm, password, cfg, client.DisablePAFXFAST(true))
}

// newTestAcceptor returns an Acceptor with the service's keytab, set up as the emulator does.
func newTestAcceptor(t *testing.T, kdc *testkdc.KDC, policy BindingPolicy) *Acceptor {
	t.Helper()
	kt, err := keytab.Load(kdc.Keytab)
	if err != nil {
		t.Fatal(err)
	}
	return NewAcceptor(service.NewSettings(kt, service.DecodePAC(false)), policy)
}

// handshake runs initiator, acceptor, initiator.
func handshake(t *testing.T, cl *client.Client, a *Acceptor, s Scheme) (*Initiator, *Accepted, *Session) {
	t.Helper()
	ini, err := NewInitiator(cl, testkdc.SPN, nil)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := a.Accept(s, ini.Token(s), nil)
	if err != nil {
		t.Fatalf("accept: %v", err)
	}
	sess, err := ini.Complete(s, acc.Response)
	if err != nil {
		t.Fatalf("complete: %v", err)
	}
	return ini, acc, sess
}

// exchange sends n messages each way and checks they arrive.
func exchange(t *testing.T, ini, acc *Session, n int) {
	t.Helper()
	for i := range n {
		req := []byte(strings.Repeat(fmt.Sprintf("<request %d/>", i), 1+i*50))
		h, d, err := ini.Seal(req)
		if err != nil {
			t.Fatal(err)
		}
		if len(h) != 60 || len(d) != len(req) {
			t.Fatalf("header %d bytes, data %d bytes for %d", len(h), len(d), len(req))
		}
		got, err := acc.Unseal(h, d)
		if err != nil || !bytes.Equal(got, req) {
			t.Fatalf("request %d: %v", i, err)
		}
		resp := []byte(strings.Repeat(fmt.Sprintf("<response %d/>", i), 1+i*30))
		if h, d, err = acc.Seal(resp); err != nil {
			t.Fatal(err)
		}
		if got, err = ini.Unseal(h, d); err != nil || !bytes.Equal(got, resp) {
			t.Fatalf("response %d: %v", i, err)
		}
	}
}

// Contexts with tickets from a real MIT KDC: both schemes, both AES types, the failures that the
// AP exchange and sealing must catch.
func TestKDC(t *testing.T) {
	kdc := testkdc.Start(t)
	cl := newClient(t, kdc, kdc.Password)
	a := newTestAcceptor(t, kdc, BindingsRelaxed)

	for _, s := range []Scheme{Negotiate, Kerberos} {
		for _, etype := range []int32{18, 17} {
			t.Run(fmt.Sprintf("%s etype %d", s, etype), func(t *testing.T) {
				ini, acc, sess := handshake(t, newClient(t, kdc, kdc.Password, etype), a, s)
				if acc.User != testkdc.User || acc.Realm != testkdc.Realm {
					t.Errorf("client %s@%s", acc.User, acc.Realm)
				}
				if ini.sessionKey.KeyType != etype || sess.key.KeyType != etype || !sess.acceptorSubkey ||
					bytes.Equal(sess.key.KeyValue, ini.subkey.KeyValue) || bytes.Equal(sess.key.KeyValue, ini.sessionKey.KeyValue) {
					t.Errorf("the session is not keyed by a fresh acceptor subkey of etype %d", etype)
				}
				wantFirst := byte(0x60)
				if s == Negotiate {
					wantFirst = 0xa1
				}
				if acc.Response[0] != wantFirst {
					t.Errorf("response starts %#x, want %#x", acc.Response[0], wantFirst)
				}
				exchange(t, sess, acc.Session, 4)
			})
		}
	}

	t.Run("sealed messages over a real context", func(t *testing.T) {
		_, acc, sess := handshake(t, cl, a, Negotiate)
		h, d, err := sess.Seal([]byte("<s:Envelope/>"))
		if err != nil {
			t.Fatal(err)
		}
		bad := append([]byte{}, d...)
		bad[3] ^= 1
		if _, err := acc.Session.Unseal(h, bad); !errors.Is(err, ErrIntegrity) {
			t.Errorf("tampered: %v", err)
		}
		if _, err := acc.Session.Unseal(h, d); err != nil {
			t.Fatal(err)
		}
		if _, err := acc.Session.Unseal(h, d); !errors.Is(err, ErrSequence) {
			t.Errorf("replayed: %v", err)
		}
		_, other, _ := handshake(t, cl, a, Negotiate)
		h2, d2, _ := sess.Seal([]byte("<s:Envelope/>"))
		if _, err := other.Session.Unseal(h2, d2); !errors.Is(err, ErrIntegrity) {
			t.Errorf("another context's message: %v", err)
		}
	})

	t.Run("AP-REP checks", func(t *testing.T) {
		// Two contexts with the same cached ticket share its session key; an AP-REP for one
		// decrypts for the other, but answers another authenticator.
		ini1, err := NewInitiator(cl, testkdc.SPN, nil)
		if err != nil {
			t.Fatal(err)
		}
		ini2, err := NewInitiator(cl, testkdc.SPN, nil)
		if err != nil {
			t.Fatal(err)
		}
		acc1, err := a.Accept(Kerberos, ini1.Token(Kerberos), nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ini2.Complete(Kerberos, acc1.Response); !errors.Is(err, ErrMutualAuth) || !strings.Contains(err.Error(), "another authenticator") {
			t.Errorf("AP-REP of another context: %v", err)
		}
		bad := append([]byte{}, acc1.Response...)
		bad[len(bad)-5] ^= 1
		if _, err := ini1.Complete(Kerberos, bad); !errors.Is(err, ErrMutualAuth) {
			t.Errorf("tampered AP-REP: %v", err)
		}
		if _, err := ini1.Complete(Kerberos, acc1.Response); err == nil {
			t.Error("a second answer to one context was taken")
		}
	})

	t.Run("server answers without an AP-REP", func(t *testing.T) {
		for _, tc := range []struct {
			name       string
			s          Scheme
			token      []byte
			wantMutual bool
		}{
			{"no token", Negotiate, nil, false},
			{"accept-completed alone", Negotiate, mustSPNEGOResp(t, negAcceptCompleted, oidKRB5, nil), false},
		} {
			ini, err := NewInitiator(cl, testkdc.SPN, nil)
			if err != nil {
				t.Fatal(err)
			}
			if mutual, err := ini.Authenticated(tc.s, tc.token); err != nil || mutual != tc.wantMutual {
				t.Errorf("%s: Authenticated: %t, %v", tc.name, mutual, err)
			}
			ini2, _ := NewInitiator(cl, testkdc.SPN, nil)
			if _, err := ini2.Complete(tc.s, tc.token); !errors.Is(err, ErrMutualAuth) && !errors.Is(err, ErrMalformed) {
				t.Errorf("%s: Complete: %v", tc.name, err)
			}
		}
		ini, _ := NewInitiator(cl, testkdc.SPN, nil)
		acc, err := a.Accept(Negotiate, ini.Token(Negotiate), nil)
		if err != nil {
			t.Fatal(err)
		}
		if mutual, err := ini.Authenticated(Negotiate, acc.Response); err != nil || !mutual {
			t.Errorf("Authenticated with an AP-REP: %t, %v", mutual, err)
		}
	})

	t.Run("server refuses", func(t *testing.T) {
		ke := messages.NewKRBError(types.PrincipalName{}, testkdc.Realm, errorcode.KRB_AP_ERR_SKEW, "")
		der, err := ke.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		krbErr, _ := krb5Token(oidKRB5, tokError, der)
		for _, tc := range []struct {
			name  string
			s     Scheme
			token []byte
			want  string
		}{
			{"bare KRB-ERROR", Kerberos, krbErr, "KRB_AP_ERR_SKEW"},
			{"SPNEGO reject with a KRB-ERROR", Negotiate, mustSPNEGOResp(t, negReject, oidKRB5, krbErr), "reject): KRB Error: (37) KRB_AP_ERR_SKEW"},
			{"SPNEGO reject", Negotiate, mustSPNEGOResp(t, negReject, nil, nil), "SPNEGO reject"},
			{"KRB-ERROR as response token", Negotiate, mustSPNEGOResp(t, negAcceptCompleted, oidKRB5, krbErr), "KRB_AP_ERR_SKEW"},
		} {
			ini, _ := NewInitiator(cl, testkdc.SPN, nil)
			_, err := ini.Complete(tc.s, tc.token)
			if !errors.Is(err, ErrRejected) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: %v", tc.name, err)
			}
		}
	})

	t.Run("SPNEGO mechListMIC", func(t *testing.T) {
		withMIC := newTestAcceptor(t, kdc, BindingsRelaxed)
		withMIC.sendMIC = true
		_, acc, sess := handshake(t, cl, withMIC, Negotiate)
		exchange(t, sess, acc.Session, 2)

		ini, _ := NewInitiator(cl, testkdc.SPN, nil)
		acc, err := withMIC.Accept(Negotiate, ini.Token(Negotiate), nil)
		if err != nil {
			t.Fatal(err)
		}
		bad := append([]byte{}, acc.Response...)
		bad[len(bad)-1] ^= 1 // the MIC's checksum ends the token
		if _, err := ini.Complete(Negotiate, bad); !errors.Is(err, ErrMutualAuth) {
			t.Errorf("tampered mechListMIC: %v", err)
		}
	})

	t.Run("channel bindings", func(t *testing.T) {
		cbA := ChannelBindingsHash([]byte("tls-server-end-point:AAAA"))
		cbB := ChannelBindingsHash([]byte("tls-server-end-point:BBBB"))
		for _, tc := range []struct {
			policy          BindingPolicy
			client, channel []byte
			ok              bool
		}{
			{BindingsNone, cbA, cbB, true},
			{BindingsNone, nil, cbA, true},
			{BindingsRelaxed, cbA, cbA, true},
			{BindingsRelaxed, nil, cbA, true},
			{BindingsRelaxed, cbA, cbB, false},
			{BindingsRelaxed, cbA, nil, true}, // plain HTTP: ignored ([MS-WSMV] 2.2.4.34)
			{BindingsStrict, cbA, cbA, true},
			{BindingsStrict, nil, cbA, false},
			{BindingsStrict, cbA, cbB, false},
			{BindingsStrict, nil, nil, true},
		} {
			ini, err := NewInitiator(cl, testkdc.SPN, tc.client)
			if err != nil {
				t.Fatal(err)
			}
			_, err = newTestAcceptor(t, kdc, tc.policy).Accept(Negotiate, ini.Token(Negotiate), tc.channel)
			if tc.ok && err != nil || !tc.ok && !errors.Is(err, ErrChannelBindings) {
				t.Errorf("policy %s, client %x, channel %x: %v", tc.policy, tc.client, tc.channel, err)
			}
		}
	})

	t.Run("ticket for another service", func(t *testing.T) {
		ini, err := NewInitiator(cl, testkdc.OtherSPN, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Accept(Negotiate, ini.Token(Negotiate), nil); !errors.Is(err, ErrRejected) {
			t.Errorf("accepted a ticket for %s: %v", testkdc.OtherSPN, err)
		}
	})

	t.Run("replayed AP-REQ", func(t *testing.T) {
		ini, _ := NewInitiator(cl, testkdc.SPN, nil)
		if _, err := a.Accept(Kerberos, ini.Token(Kerberos), nil); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Accept(Kerberos, ini.Token(Kerberos), nil); !errors.Is(err, ErrRejected) || !strings.Contains(err.Error(), "replay") {
			t.Errorf("replayed: %v", err)
		}
	})

	t.Run("KDC errors keep their names", func(t *testing.T) {
		if _, err := NewInitiator(newClient(t, kdc, "wrong"), testkdc.SPN, nil); err == nil || !strings.Contains(err.Error(), "KDC_ERR_PREAUTH_FAILED") {
			t.Errorf("wrong password: %v", err)
		}
		if _, err := NewInitiator(cl, "HTTP/nowhere.ipam.test", nil); err == nil || !strings.Contains(err.Error(), "KDC_ERR_S_PRINCIPAL_UNKNOWN") {
			t.Errorf("unknown service: %v", err)
		}
		if _, err := NewInitiator(cl, testkdc.SPN, []byte{1, 2, 3}); err == nil {
			t.Error("a channel bindings hash of 3 bytes was taken")
		}
	})

	// gokrb5's own SPNEGO client asks for no mutual authentication: authenticated, no AP-REP, and
	// a session keyed as MIT's acceptor keys it.
	t.Run("initiator without mutual authentication", func(t *testing.T) {
		tok, err := spnego.SPNEGOClient(cl, testkdc.SPN).InitSecContext()
		if err != nil {
			t.Fatal(err)
		}
		b, err := tok.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		acc, err := a.Accept(Negotiate, b, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := parseSPNEGOResp(acc.Response)
		if err != nil || resp.state != negAcceptCompleted || resp.responseToken != nil || acc.User != testkdc.User {
			t.Errorf("answer %+v, %v, user %q", resp, err, acc.User)
		}
		if acc.Session == nil || acc.Session.acceptorSubkey || acc.Session.sendSeq != acc.Session.recvSeq {
			t.Errorf("session %+v", acc.Session)
		}
	})
}

func mustSPNEGOResp(t *testing.T, state int, mech asn1.ObjectIdentifier, token []byte) []byte {
	t.Helper()
	b, err := spnegoResp(state, mech, token, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
