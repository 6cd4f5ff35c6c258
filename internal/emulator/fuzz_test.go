package emulator

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	krbclient "github.com/jcmturner/gokrb5/v8/client"
	krbconfig "github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/iana/etypeID"
	"github.com/jcmturner/gokrb5/v8/iana/nametype"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/spnego"
	"github.com/jcmturner/gokrb5/v8/types"

	"github.com/winipam/terraform-provider-ipam/internal/fuzztest"
	"github.com/winipam/terraform-provider-ipam/internal/ntlm"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

// newFuzzServer is one in-memory emulator shared by every input of a fuzz target (each fuzz
// worker process builds its own), so an input costs a request, not a database.
func newFuzzServer(f *testing.F) *Server {
	f.Helper()
	srv, err := New(context.Background(), Config{Username: testUser, Password: testPass, DBPath: ":memory:",
		CustomFields: []string{"Region", "CostCenter"}})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { srv.Close() })
	return srv
}

// FuzzServeRequest posts arbitrary bytes as an authenticated SOAP request. Whatever the body,
// the emulator answers (no panic, no hang) with a status WinRM uses, and a 200 or 500 with a body
// carries a well-formed SOAP envelope: a fault exactly when the status is 500, and no larger than
// the MaxEnvelopeSize the request asked for. Seeds are the requests users and tests send (the curl
// examples and the client's golden requests), the hostile documents of internal/fuzztest, and
// more in testdata/fuzz/FuzzServeRequest (requests of the emulator's own, former crashers).
func FuzzServeRequest(f *testing.F) {
	fuzztest.AddFiles(f, filepath.Join("..", "..", "examples", "emulator", "soap", "*.xml"),
		filepath.Join("..", "wsman", "testdata", "golden", "*request*.xml"))
	fuzztest.AddHostileSOAP(f)
	srv := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/wsman", bytes.NewReader(body))
		req.SetBasicAuth(testUser, testPass)
		req.Header.Set("Content-Type", wsman.ContentType)
		rec := httptest.NewRecorder()
		fuzztest.WithinDeadline(t, func() { srv.ServeHTTP(rec, req) })
		checkResponse(t, body, rec)
	})
}

func checkResponse(t *testing.T, reqBody []byte, rec *httptest.ResponseRecorder) {
	t.Helper()
	status, out := rec.Code, rec.Body.Bytes()
	switch status {
	case http.StatusOK, http.StatusUnauthorized, http.StatusUnsupportedMediaType, http.StatusInternalServerError, http.StatusServiceUnavailable,
		http.StatusRequestEntityTooLarge:
	default:
		t.Fatalf("status %d, which WinRM does not answer a POST with; body %q", status, out)
	}
	if (status != http.StatusOK && status != http.StatusInternalServerError) || len(out) == 0 {
		if status == http.StatusOK {
			t.Fatal("200 with an empty body")
		}
		return
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/soap+xml") {
		t.Fatalf("status %d with Content-Type %q", status, ct)
	}
	env, err := wsman.Parse(out)
	if err != nil {
		t.Fatalf("status %d with a body that is not a SOAP envelope: %v\n%s", status, err, out)
	}
	f, isFault := env.Fault()
	if isFault != (status == http.StatusInternalServerError) {
		t.Fatalf("status %d but fault=%v:\n%s", status, isFault, out)
	}
	if isFault && (f.WSManCode == 0 || f.Reason == "") {
		t.Fatalf("a fault without a WS-Management code or reason:\n%s", out)
	}
	// A response never exceeds the MaxEnvelopeSize the request asked for.
	if req, err := wsman.Parse(reqBody); err == nil && status == http.StatusOK {
		if limit := req.Header.MaxEnvelopeSize; limit > 0 && len(out) > limit {
			t.Fatalf("a %d-byte response to a request with MaxEnvelopeSize %d", len(out), limit)
		}
	}
}

// FuzzNTLM feeds the server's NTLM handshake over HTTP arbitrary messages, on one connection: a
// real NEGOTIATE_MESSAGE, the fuzzed token as the client's answer to the server's challenge, then an
// arbitrary Authorization header. Nothing may panic, and only the right credentials get in.
// (internal/ntlm fuzzes the message parsers themselves.)
func FuzzNTLM(f *testing.F) {
	cl := ntlm.NewClient("admin", "CORP", "Pa55w0rd!")
	negotiate := cl.Negotiate()
	f.Add(negotiate, "Negotiate "+base64.StdEncoding.EncodeToString(negotiate))
	challenge, _, err := ntlm.NewServer("ipam01", "", func(string, string) (string, bool) { return "Pa55w0rd!", true }).Challenge(negotiate)
	if err != nil {
		f.Fatal(err)
	}
	for _, user := range []string{`CORP\admin`, "admin@corp.example", "admin"} {
		u, d := ntlm.SplitUser(user)
		auth, _, err := ntlm.NewClient(u, d, "Pa55w0rd!").Authenticate(challenge, nil)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(auth, "NTLM "+base64.StdEncoding.EncodeToString(auth))
		f.Add(auth[:64], "Negotiate "+base64.StdEncoding.EncodeToString(auth[:64]))
	}
	f.Add([]byte("NTLMSSP\x00\x03\x00\x00\x00"), "Basic "+base64.StdEncoding.EncodeToString([]byte(testUser+":"+testPass)))
	f.Add([]byte{}, "Negotiate !!!")
	srv := newFuzzServer(f)
	identify := []byte(`<s:Envelope xmlns:s="` + wsman.NSSoap + `"><s:Body><wsmid:Identify xmlns:wsmid="` + wsman.NSIdentity + `"/></s:Body></s:Envelope>`)
	f.Fuzz(func(t *testing.T, msg []byte, authorization string) {
		fuzztest.WithinDeadline(t, func() { checkNTLM(t, srv, identify, msg, authorization) })
	})
}

func checkNTLM(t *testing.T, srv *Server, identify, msg []byte, authorization string) {
	typ := ntlmMessageType(msg)
	tok, ok := parseNegotiateHeader("Negotiate " + base64.StdEncoding.EncodeToString(msg))
	if ok != (typ != 0) || (ok && !bytes.Equal(tok, msg)) {
		t.Fatalf("parseNegotiateHeader disagrees with the message type %d", typ)
	}

	// Over HTTP, on one connection: NEGOTIATE, then the fuzzed message as the answer to the
	// server's challenge, then an arbitrary Authorization header.
	ctx := srv.ConnContext(context.Background(), nil)
	do := func(authz string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/wsman", bytes.NewReader(identify)).WithContext(ctx)
		req.Header.Set("Content-Type", wsman.ContentType)
		if authz != "" {
			req.Header.Set("Authorization", authz)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec
	}
	negotiate := ntlm.NewClient("admin", "", "x").Negotiate()
	rec := do("Negotiate " + base64.StdEncoding.EncodeToString(negotiate))
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("NEGOTIATE_MESSAGE: status %d, want 401 with a challenge", rec.Code)
	}
	scheme, challenge, _ := strings.Cut(rec.Header().Get("WWW-Authenticate"), " ")
	if cm, err := base64.StdEncoding.DecodeString(challenge); scheme != "Negotiate" || err != nil || ntlmMessageType(cm) != 2 {
		t.Fatalf("NEGOTIATE_MESSAGE answered with WWW-Authenticate %q", rec.Header().Get("WWW-Authenticate"))
	}
	// The server's challenge is random, so a fuzzed answer cannot be right (2^-128).
	rec = do("Negotiate " + base64.StdEncoding.EncodeToString(msg))
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("a fuzzed answer to a random challenge: status %d, want 401", rec.Code)
	}
	rec = do(authorization)
	switch rec.Code {
	case http.StatusUnauthorized:
	case http.StatusOK:
		// Only the right Basic credentials get in (the connection's NTLM login failed above).
		u, p, ok := (&http.Request{Header: http.Header{"Authorization": {authorization}}}).BasicAuth()
		if !ok || p != testPass || !srv.sameUser(u) {
			t.Fatalf("Authorization %q was let in", authorization)
		}
	default:
		t.Fatalf("Authorization %q: status %d", authorization, rec.Code)
	}
}

// kerberosFixture is an acceptor for HTTP/ipam.ipam.test and a genuine SPNEGO token for alice,
// made without a KDC: the ticket is sealed with the service's key, as a KDC would seal it.
func kerberosFixture(tb testing.TB, serviceSecret string) (*kerberosAcceptor, func() []byte) {
	tb.Helper()
	kt := keytab.New()
	if err := kt.AddEntry("HTTP/ipam.ipam.test", "IPAM.TEST", serviceSecret, time.Now(), 1, etypeID.AES256_CTS_HMAC_SHA1_96); err != nil {
		tb.Fatal(err)
	}
	b, err := kt.Marshal()
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "http.keytab")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		tb.Fatal(err)
	}
	acc, err := newKerberosAcceptor(path, ntlm.CBTRelaxed)
	if err != nil {
		tb.Fatal(err)
	}
	token := func() []byte {
		cl := krbclient.NewWithPassword("alice", "IPAM.TEST", "unused", krbconfig.New())
		now := time.Now().UTC()
		tkt, key, err := messages.NewTicket(types.NewPrincipalName(nametype.KRB_NT_PRINCIPAL, "alice"), "IPAM.TEST",
			types.NewPrincipalName(nametype.KRB_NT_SRV_HST, "HTTP/ipam.ipam.test"), "IPAM.TEST",
			types.NewKrbFlags(), kt, etypeID.AES256_CTS_HMAC_SHA1_96, 1, now, now, now.Add(time.Hour), now.Add(time.Hour))
		if err != nil {
			tb.Fatal(err)
		}
		init, err := spnego.NewNegTokenInitKRB5(cl, tkt, key)
		if err != nil {
			tb.Fatal(err)
		}
		st := spnego.SPNEGOToken{Init: true, NegTokenInit: init}
		b, err := st.Marshal()
		if err != nil {
			tb.Fatal(err)
		}
		return b
	}
	return acc, token
}

// A genuine token is accepted once; the same token again is a replay, as Windows refuses it.
func TestKerberosAcceptReplay(t *testing.T) {
	acc, token := kerberosFixture(t, "service-secret")
	tok := token()
	if l, err := acc.accept("Negotiate", tok, nil); err != nil || l.user != "alice" {
		t.Fatalf("genuine token: %q, %v", l.user, err)
	}
	if _, err := acc.accept("Negotiate", tok, nil); err == nil {
		t.Fatal("a replayed token was accepted")
	}
	other, _ := kerberosFixture(t, "another-secret") // the ticket does not decrypt with this key
	if _, err := other.accept("Negotiate", token(), nil); err == nil {
		t.Fatal("a ticket sealed with another key was accepted")
	}
}

// No token but a genuine one gets in, and no input panics or hangs the acceptor.
func FuzzKerberos(f *testing.F) {
	acc, token := kerberosFixture(f, "service-secret")
	tok := token()
	f.Add(tok, false)
	f.Add(tok[:len(tok)/2], false)
	f.Add([]byte{0x60, 0x82, 0xff, 0xff, 0x06}, true)
	f.Add(bytes.Repeat([]byte{0x30, 0x80}, 64), true)
	f.Fuzz(func(t *testing.T, b []byte, bare bool) {
		scheme := "Negotiate"
		if bare {
			scheme = "Kerberos"
		}
		fuzztest.WithinDeadline(t, func() {
			l, err := acc.accept(scheme, b, nil)
			if err == nil && l.user != "alice" {
				t.Fatalf("accepted as %q", l.user)
			}
		})
	})
}
