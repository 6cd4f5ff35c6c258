//go:build unix

package kerberos

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/winipam/terraform-provider-ipam/internal/testkdc"
)

// python is Debian's interpreter, which has python3-gssapi; a PATH may lead to another one.
const python = "/usr/bin/python3"

// requireGSSAPI skips the test, or fails it under IPAM_CONFORMANCE=require, when python3-gssapi
// with its IOV functions is missing.
func requireGSSAPI(t *testing.T) {
	t.Helper()
	if out, err := exec.Command(python, "-c", "import gssapi.raw; gssapi.raw.wrap_iov; gssapi.raw.acquire_cred_with_password").CombinedOutput(); err != nil {
		testkdc.Missing(t, "MIT's GSS-API for Python (Debian package python3-gssapi) is not usable: %v %s", err, bytes.TrimSpace(out))
	}
}

// mitPeer is testdata/gss_peer.py running against the test realm.
type mitPeer struct {
	t   *testing.T
	in  io.WriteCloser
	out *bufio.Scanner
}

// startMIT starts the MIT peer in mode (initiate or accept) with mech (krb5 or spnego) and, if
// appData is not nil, channel bindings with that application data.
func startMIT(t *testing.T, kdc *testkdc.KDC, mode, mech string, appData []byte) *mitPeer {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	args := []string{filepath.Join("testdata", "gss_peer.py"), mode, mech}
	if appData != nil {
		args = append(args, hex.EncodeToString(appData))
	}
	cmd := exec.CommandContext(ctx, python, args...)
	cmd.Env = append(os.Environ(), kdc.Env()...)
	cmd.Env = append(cmd.Env, "KRB5_KTNAME=FILE:"+kdc.Keytab, "KRB5RCACHEDIR="+t.TempDir())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		in.Close()
		_ = cmd.Wait()
		cancel()
		if t.Failed() {
			t.Logf("gss_peer.py stderr:\n%s", stderr.String())
		}
	})
	p := &mitPeer{t: t, in: in, out: bufio.NewScanner(out)}
	p.out.Buffer(nil, 1<<24)
	if mode == "initiate" {
		p.send(kdc.Password)
	}
	return p
}

func (p *mitPeer) send(words ...string) {
	p.t.Helper()
	if _, err := fmt.Fprintln(p.in, strings.Join(words, " ")); err != nil {
		p.t.Fatal(err)
	}
}

// recv reads the next answer; it returns the error text of an ERROR answer.
func (p *mitPeer) recv(verb string) ([][]byte, error) {
	p.t.Helper()
	if !p.out.Scan() {
		p.t.Fatalf("gss_peer.py ended before %s: %v", verb, p.out.Err())
	}
	words := strings.Fields(p.out.Text())
	if len(words) > 0 && words[0] == "ERROR" {
		return nil, errors.New(strings.Join(words[1:], " "))
	}
	if len(words) == 0 || words[0] != verb {
		p.t.Fatalf("gss_peer.py said %q, want %s", p.out.Text(), verb)
	}
	var args [][]byte
	for _, w := range words[1:] {
		if w == "-" {
			args = append(args, nil)
			continue
		}
		b, err := base64.StdEncoding.DecodeString(w)
		if err != nil {
			b = []byte(w) // READY's principal name
		}
		args = append(args, b)
	}
	return args, nil
}

// b64 encodes a byte string for gss_peer.py, which writes the empty one as "-".
func b64(b []byte) string {
	if len(b) == 0 {
		return "-"
	}
	return base64.StdEncoding.EncodeToString(b)
}

// checkMITHeader checks that MIT sealed in the layout this package writes and documents: a 60-byte
// header with EC 0 and RRC 28, and data as long as the message.
func checkMITHeader(t *testing.T, h, d []byte, n int, flags byte) {
	t.Helper()
	if len(h) != 60 || len(d) != n {
		t.Fatalf("MIT sealed %d bytes into a header of %d and data of %d; want 60 and %d", n, len(h), len(d), n)
	}
	if ec, rrc := binary.BigEndian.Uint16(h[4:6]), binary.BigEndian.Uint16(h[6:8]); ec != 0 || rrc != 28 || h[2] != flags {
		t.Fatalf("MIT's header: flags %#x, EC %d, RRC %d; want %#x, 0, 28", h[2], ec, rrc, flags)
	}
}

// exchangeMIT seals messages both ways between a Session and the MIT peer, checks the tampered
// and replayed ones fail, and checks MIT's layout; mitFlags are the flags MIT's tokens carry.
func exchangeMIT(t *testing.T, p *mitPeer, sess *Session, mitFlags byte) {
	t.Helper()
	for i, n := range []int{0, 1, 15, 16, 17, 1000, 70000} {
		msg := bytes.Repeat([]byte{byte('a' + i)}, n)
		// Go seals, MIT unseals, with gss_unwrap_iov (pyspnego) and, for every other message,
		// with plain gss_unwrap.
		h, d, err := sess.Seal(msg)
		if err != nil {
			t.Fatal(err)
		}
		verb := "UNSEAL"
		if i%2 == 1 {
			verb = "UNWRAP"
		}
		p.send(verb, b64(h), b64(d))
		got, err := p.recv("PLAIN")
		if err != nil || !bytes.Equal(got[0], msg) {
			t.Fatalf("MIT's %s of a %d-byte message from Go: %v", verb, n, err)
		}
		// MIT seals, Go unseals.
		p.send("SEAL", b64(msg))
		got, err = p.recv("SEALED")
		if err != nil {
			t.Fatal(err)
		}
		checkMITHeader(t, got[0], got[1], n, mitFlags)
		plain, err := sess.Unseal(got[0], got[1])
		if err != nil || !bytes.Equal(plain, msg) {
			t.Fatalf("Go's Unseal of a %d-byte message from MIT: %v", n, err)
		}
		if _, err := sess.Unseal(got[0], got[1]); !errors.Is(err, ErrSequence) {
			t.Fatalf("Go took MIT's message twice: %v", err)
		}
	}
	// MIT refuses a tampered message from Go, then takes the genuine one.
	h, d, err := sess.Seal([]byte("<s:Envelope/>"))
	if err != nil {
		t.Fatal(err)
	}
	bad := append([]byte{}, d...)
	bad[0] ^= 1
	p.send("UNSEAL", b64(h), b64(bad))
	if _, err := p.recv("PLAIN"); err == nil {
		t.Fatal("MIT unsealed a tampered message")
	}
	p.send("UNSEAL", b64(h), b64(d))
	if got, err := p.recv("PLAIN"); err != nil || string(got[0]) != "<s:Envelope/>" {
		t.Fatalf("MIT after the tampered message: %v", err)
	}
	// Go refuses a tampered message from MIT.
	p.send("SEAL", b64([]byte("<s:Envelope/>")))
	got, err := p.recv("SEALED")
	if err != nil {
		t.Fatal(err)
	}
	got[0][20] ^= 1
	if _, err := sess.Unseal(got[0], got[1]); !errors.Is(err, ErrIntegrity) {
		t.Fatalf("Go's Unseal of a tampered message from MIT: %v", err)
	}
}

// MIT's GSS-API, as pyspnego drives it for WinRM, is the client of the Go acceptor: it takes the
// acceptor's AP-REP, and each side unseals what the other sealed, in both schemes, with and
// without channel bindings.
func TestMITInitiator(t *testing.T) {
	requireGSSAPI(t)
	kdc := testkdc.Start(t)
	cbData := []byte("tls-server-end-point:" + strings.Repeat("\x5a", 32))
	for _, tc := range []struct {
		mech    string
		scheme  Scheme
		appData []byte
		policy  BindingPolicy
		channel []byte
		wantErr error
	}{
		{"krb5", Kerberos, nil, BindingsRelaxed, nil, nil},
		{"spnego", Negotiate, nil, BindingsRelaxed, nil, nil},
		// MIT hashes the bindings as ChannelBindingsHash does.
		{"spnego", Negotiate, cbData, BindingsStrict, ChannelBindingsHash(cbData), nil},
		{"krb5", Kerberos, cbData, BindingsStrict, ChannelBindingsHash(cbData), nil},
		{"spnego", Negotiate, cbData, BindingsRelaxed, ChannelBindingsHash([]byte("tls-server-end-point:other")), ErrChannelBindings},
		{"krb5", Kerberos, nil, BindingsStrict, ChannelBindingsHash(cbData), ErrChannelBindings},
	} {
		name := fmt.Sprintf("%s bindings %t policy %s", tc.mech, tc.appData != nil, tc.policy)
		t.Run(name, func(t *testing.T) {
			p := startMIT(t, kdc, "initiate", tc.mech, tc.appData)
			tok, err := p.recv("TOKEN")
			if err != nil {
				t.Fatal(err)
			}
			acc, err := newTestAcceptor(t, kdc, tc.policy).Accept(tc.scheme, tok[0], tc.channel)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("accept: %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("accept: %v", err)
			}
			if acc.User != testkdc.User || acc.Realm != testkdc.Realm {
				t.Errorf("client %s@%s", acc.User, acc.Realm)
			}
			p.send("REPLY", b64(acc.Response))
			if _, err := p.recv("READY"); err != nil {
				t.Fatalf("MIT did not take the acceptor's answer: %v", err)
			}
			exchangeMIT(t, p, acc.Session, flagSealed|flagAcceptorSubkey)
			p.send("QUIT")
		})
	}
}

// MIT's GSS-API is the service of the Go initiator: MIT takes the AP-REQ and its authenticator
// checksum (bindings included), the initiator takes MIT's AP-REP, and sealed messages flow both ways.
func TestMITAcceptor(t *testing.T) {
	requireGSSAPI(t)
	kdc := testkdc.Start(t)
	cl := newClient(t, kdc, kdc.Password)
	cbData := []byte("tls-server-end-point:" + strings.Repeat("\xa5", 32))
	for _, tc := range []struct {
		mech            string
		scheme          Scheme
		clientAppData   []byte
		acceptorAppData []byte
		ok              bool
	}{
		{"krb5", Kerberos, nil, nil, true},
		{"spnego", Negotiate, nil, nil, true},
		{"spnego", Negotiate, cbData, cbData, true},
		{"krb5", Kerberos, cbData, cbData, true},
		{"krb5", Kerberos, cbData, []byte("tls-server-end-point:other"), false},
	} {
		name := fmt.Sprintf("%s bindings %t/%t", tc.mech, tc.clientAppData != nil, tc.acceptorAppData != nil)
		t.Run(name, func(t *testing.T) {
			var cb []byte
			if tc.clientAppData != nil {
				cb = ChannelBindingsHash(tc.clientAppData)
			}
			ini, err := NewInitiator(cl, testkdc.SPN, cb)
			if err != nil {
				t.Fatal(err)
			}
			p := startMIT(t, kdc, "accept", tc.mech, tc.acceptorAppData)
			p.send("TOKEN", b64(ini.Token(tc.scheme)))
			reply, err := p.recv("REPLY")
			if !tc.ok {
				// MIT answers with a KRB-ERROR token, which the initiator must report, and then
				// fails the context.
				if err == nil {
					_, err = ini.Complete(tc.scheme, reply[0])
					if !errors.Is(err, ErrRejected) {
						t.Errorf("complete with MIT's refusal: %v", err)
					}
					t.Logf("MIT's refusal: %v", err)
					_, err = p.recv("READY")
				}
				if err == nil || !strings.Contains(err.Error(), "channel bindings") {
					t.Fatalf("MIT took bindings of another channel: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("MIT refused the AP-REQ: %v", err)
			}
			sess, err := ini.Complete(tc.scheme, reply[0])
			if err != nil {
				t.Fatalf("complete with MIT's answer: %v", err)
			}
			if name, err := p.recv("READY"); err != nil || string(name[0]) != testkdc.User+"@"+testkdc.Realm {
				t.Fatalf("MIT's context: %q, %v", name, err)
			}
			if !sess.acceptorSubkey {
				t.Error("MIT sent no acceptor subkey")
			}
			exchangeMIT(t, p, sess, flagSentByAcceptor|flagSealed|flagAcceptorSubkey)
			p.send("QUIT")
		})
	}
}
