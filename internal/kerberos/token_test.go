package kerberos

import (
	"bytes"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/jcmturner/gokrb5/v8/gssapi"
	"github.com/jcmturner/gokrb5/v8/spnego"
)

// NegTokenResp encodings, against the constants gokrb5's SPNEGO service sends
// (spnego/http.go: accept-completed with Kerberos, reject).
func TestSPNEGORespEncoding(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		state int
		mech  asn1.ObjectIdentifier
		want  string
	}{
		{negAcceptCompleted, oidKRB5, "oRQwEqADCgEAoQsGCSqGSIb3EgECAg=="},
		{negAcceptIncomplete, oidKRB5, "oRQwEqADCgEBoQsGCSqGSIb3EgECAg=="},
		{negReject, nil, "oQcwBaADCgEC"},
	} {
		b, err := spnegoResp(tc.state, tc.mech, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := base64.StdEncoding.EncodeToString(b); got != tc.want {
			t.Errorf("negState %d: %s, want %s", tc.state, got, tc.want)
		}
		r, err := parseSPNEGOResp(b)
		if err != nil || r.state != tc.state || !r.supportedMech.Equal(tc.mech) || r.responseToken != nil {
			t.Errorf("negState %d parsed as %+v, %v", tc.state, r, err)
		}
	}
	// negState is optional (RFC 4178 section 4.2.2): absent, it reads as -1.
	b, _ := hex.DecodeString("a10f300da10b06092a864886f712010202")
	if r, err := parseSPNEGOResp(b); err != nil || r.state != -1 {
		t.Errorf("without negState: %+v, %v", r, err)
	}
}

// The NegTokenInit is what gokrb5's encoder makes of the same mechanism token, and the acceptor
// reads gokrb5's.
func TestSPNEGOInitEncoding(t *testing.T) {
	t.Parallel()
	mechToken := []byte{0x60, 0x03, 0x06, 0x01, 0x2a}
	ours, mechTypes, err := spnegoInit(mechToken)
	if err != nil {
		t.Fatal(err)
	}
	st := spnego.SPNEGOToken{Init: true, NegTokenInit: spnego.NegTokenInit{MechTokenBytes: mechToken}}
	st.NegTokenInit.MechTypes = append(st.NegTokenInit.MechTypes, gssapi.OIDKRB5.OID())
	theirs, err := st.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ours, theirs) {
		t.Errorf("ours   %x\ngokrb5 %x", ours, theirs)
	}
	if got := hex.EncodeToString(mechTypes); got != "300b06092a864886f712010202" {
		t.Errorf("mechTypes DER %s", got)
	}
	mech, inner, err := gssUnframe(theirs)
	if err != nil || !mech.Equal(oidSPNEGO) {
		t.Fatalf("%v %v", mech, err)
	}
	init, err := parseSPNEGOInit(inner)
	if err != nil || len(init.MechTypes) != 1 || !init.MechTypes[0].Equal(oidKRB5) || !bytes.Equal(init.MechToken, mechToken) {
		t.Errorf("parsed %+v, %v", init, err)
	}
}

// ChannelBindingsHash against MD5 values computed independently (Python's hashlib over the
// gss_channel_bindings_struct of RFC 4121 section 4.1.1.2).
func TestChannelBindingsHash(t *testing.T) {
	t.Parallel()
	app := append([]byte("tls-server-end-point:"), make([]byte, 32)...)
	for i := range 32 {
		app[21+i] = byte(i)
	}
	for _, tc := range []struct {
		app  []byte
		want string
	}{
		{app, "8f1214c9c9cab8dc3bf866da9aba57a7"},
		{nil, "441018525208457705bf09a8ee3c1093"},
	} {
		if got := hex.EncodeToString(ChannelBindingsHash(tc.app)); got != tc.want {
			t.Errorf("%q: %s, want %s", tc.app, got, tc.want)
		}
	}
}

// The authenticator checksum of RFC 4121 section 4.1.1, byte for byte.
func TestGSSChecksum(t *testing.T) {
	t.Parallel()
	bnd := bytes.Repeat([]byte{0xab}, 16)
	c := gssChecksum(bnd, initiatorFlags)
	want := "10000000" + "abababababababababababababababab" + "3e000000"
	if got := hex.EncodeToString(c); got != want {
		t.Errorf("checksum %s, want %s", got, want)
	}
	got, flags, err := parseGSSChecksum(c)
	if err != nil || !bytes.Equal(got[:], bnd) || flags != 0x3e {
		t.Errorf("parsed % x, %#x, %v", got, flags, err)
	}
	if zero := gssChecksum(nil, 0); !bytes.Equal(zero[4:20], make([]byte, 16)) {
		t.Errorf("no bindings: % x", zero)
	}
	for _, bad := range [][]byte{nil, c[:23], append([]byte{0x11}, c[1:]...)} {
		if _, _, err := parseGSSChecksum(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("% x: %v", bad, err)
		}
	}
}

// GSS framing rejects what is not an RFC 2743 token.
func TestGSSUnframe(t *testing.T) {
	t.Parallel()
	good, _ := krb5Token(oidKRB5, tokAPReq, []byte{1, 2, 3})
	if mech, id, msg, err := parseKRB5Token(good); err != nil || !mech.Equal(oidKRB5) || !bytes.Equal(id, tokAPReq) || !bytes.Equal(msg, []byte{1, 2, 3}) {
		t.Errorf("%v %x %x %v", mech, id, msg, err)
	}
	spn, _ := gssFrame(oidSPNEGO, []byte{0xa0, 0x00})
	for name, b := range map[string][]byte{
		"empty":          nil,
		"trailing bytes": append(append([]byte{}, good...), 0),
		"truncated":      good[:len(good)-1],
		"not Kerberos":   spn,
		"no token ID":    mustFrame(t, oidKRB5, []byte{0x01}),
		"wrong tag":      append([]byte{0x61}, good[1:]...),
	} {
		if _, _, _, err := parseKRB5Token(b); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func mustFrame(t *testing.T, mech asn1.ObjectIdentifier, inner []byte) []byte {
	t.Helper()
	b, err := gssFrame(mech, inner)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
