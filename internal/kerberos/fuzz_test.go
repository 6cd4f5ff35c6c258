package kerberos

import (
	"bytes"
	"encoding/asn1"
	"testing"
)

// The acceptor reads tokens from anyone who can reach WinRM's port: no input may crash it, and
// what it accepts has a user and a session.
func FuzzAccept(f *testing.F) {
	r := newFakeRealm(f, 18)
	for _, s := range []Scheme{Negotiate, Kerberos} {
		tok := r.initiator(f).Token(s)
		f.Add(uint8(s), tok)
		f.Add(uint8(s), tok[:len(tok)/2])
		f.Add(uint8(s), tok[:40])
	}
	f.Add(uint8(Negotiate), []byte{0x60, 0x03, 0x06, 0x01, 0x00})
	f.Add(uint8(Negotiate), []byte{0xa1, 0x00})
	f.Add(uint8(Kerberos), []byte{})
	f.Fuzz(func(t *testing.T, scheme uint8, token []byte) {
		acc, err := r.acceptor.Accept(Scheme(scheme%2), token, nil)
		if err == nil && (acc.Session == nil || acc.User != "alice") {
			t.Fatalf("accepted without a session or user: %+v", acc)
		}
	})
}

// The initiator reads the server's answer, which an attacker in the middle may write: no input
// may crash it, and none completes the context without the service's key.
func FuzzComplete(f *testing.F) {
	r := newFakeRealm(f, 18)
	for _, s := range []Scheme{Negotiate, Kerberos} {
		acc, err := r.acceptor.Accept(s, r.initiator(f).Token(s), nil)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(s), acc.Response)
		f.Add(uint8(s), acc.Response[:len(acc.Response)-10])
	}
	f.Add(uint8(Negotiate), mustSPNEGO(f, negReject, nil, nil))
	f.Add(uint8(Negotiate), mustSPNEGO(f, negAcceptCompleted, oidKRB5, []byte{0x60, 0x00}))
	f.Add(uint8(Kerberos), []byte{})
	f.Fuzz(func(t *testing.T, scheme uint8, token []byte) {
		// Every seed answers another initiator, so none may complete this one.
		if sess, err := r.initiator(t).Complete(Scheme(scheme%2), token); err == nil {
			t.Fatalf("completed with a forged answer: %+v", sess)
		}
	})
}

// Unseal reads what the peer sent; no input may crash it. Whatever the input, sealing it as a
// message and unsealing gives it back.
func FuzzUnseal(f *testing.F) {
	key := testKey(18, 9)
	ini, _ := sessionPair(f, key, true, 5, 6)
	for _, msg := range []string{"", "x", "<s:Envelope/>", string(bytes.Repeat([]byte{0}, 200))} {
		h, d, err := ini.Seal([]byte(msg))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(h, d)
	}
	f.Add([]byte{0x05, 0x04, 0x06, 0xff, 0xff, 0xff, 0xff, 0xff}, []byte{})
	f.Fuzz(func(t *testing.T, header, data []byte) {
		_, acc := sessionPair(t, key, true, 5, 6)
		_, _ = acc.Unseal(header, data)
		ini, acc := sessionPair(t, key, true, 5, 6)
		msg := append(append([]byte{}, header...), data...)
		h, d, err := ini.Seal(msg)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := acc.Unseal(h, d); err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("round trip of %d bytes: %v", len(msg), err)
		}
	})
}

func mustSPNEGO(f *testing.F, state int, mech asn1.ObjectIdentifier, token []byte) []byte {
	b, err := spnegoResp(state, mech, token, nil)
	if err != nil {
		f.Fatal(err)
	}
	return b
}
