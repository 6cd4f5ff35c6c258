package kerberos

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jcmturner/gokrb5/v8/types"
)

// testKey returns a fixed key of the etype, different per fill byte.
func testKey(etype int32, fill byte) types.EncryptionKey {
	n := 32
	if etype == 17 {
		n = 16
	}
	return types.EncryptionKey{KeyType: etype, KeyValue: bytes.Repeat([]byte{fill}, n)}
}

// sessionPair returns the two ends of one context keyed by key.
func sessionPair(t testing.TB, key types.EncryptionKey, acceptorSubkey bool, initSeq, accSeq uint64) (ini, acc *Session) {
	t.Helper()
	ini, err := newSession(key, true, acceptorSubkey, initSeq, accSeq)
	if err != nil {
		t.Fatal(err)
	}
	acc, err = newSession(key, false, acceptorSubkey, accSeq, initSeq)
	if err != nil {
		t.Fatal(err)
	}
	return ini, acc
}

// The WinRM layout: a 60-byte header (token header, 28 rotated bytes, encrypted confounder) with
// EC 0 and RRC 28, the data as long as the message, the flags and sequence numbers of RFC 4121.
func TestSealLayout(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		etype          int32
		acceptorSubkey bool
		wantIniFlags   byte
		wantAccFlags   byte
	}{
		{18, true, 0x06, 0x07},
		{17, true, 0x06, 0x07},
		{18, false, 0x02, 0x03},
	} {
		ini, acc := sessionPair(t, testKey(tc.etype, 1), tc.acceptorSubkey, 1000, 0x3fffffff)
		for i, n := range []int{0, 1, 15, 16, 17, 100, 4096} {
			msg := bytes.Repeat([]byte{'x'}, n)
			for _, side := range []struct {
				s     *Session
				flags byte
				seq   uint64
			}{{ini, tc.wantIniFlags, 1000}, {acc, tc.wantAccFlags, 0x3fffffff}} {
				h, d, err := side.s.Seal(msg)
				if err != nil {
					t.Fatal(err)
				}
				if len(h) != 60 || len(d) != n {
					t.Fatalf("etype %d, %d bytes: header %d bytes, data %d bytes; want 60 and %d", tc.etype, n, len(h), len(d), n)
				}
				want := []byte{0x05, 0x04, side.flags, 0xFF, 0x00, 0x00, 0x00, 28}
				if !bytes.Equal(h[:8], want) {
					t.Errorf("etype %d: header starts % x, want % x", tc.etype, h[:8], want)
				}
				if got := binary.BigEndian.Uint64(h[8:16]); got != side.seq+uint64(i) {
					t.Errorf("sequence number %d, want %d", got, side.seq+uint64(i))
				}
				if n >= 16 && bytes.Contains(append(h, d...), msg) {
					t.Error("the plaintext shows in the sealed message")
				}
			}
		}
	}
}

// Messages go both ways, interleaved, and come out as they went in.
func TestSealUnsealBothWays(t *testing.T) {
	t.Parallel()
	for _, etype := range []int32{17, 18} {
		ini, acc := sessionPair(t, testKey(etype, 2), true, 7, 9)
		for i := range 5 {
			for _, dir := range []struct {
				name     string
				from, to *Session
			}{{"to acceptor", ini, acc}, {"to initiator", acc, ini}} {
				msg := []byte(strings.Repeat(fmt.Sprintf("<s:Envelope %d %s/>", i, dir.name), i*7+1))
				h, d, err := dir.from.Seal(msg)
				if err != nil {
					t.Fatal(err)
				}
				got, err := dir.to.Unseal(h, d)
				if err != nil {
					t.Fatalf("etype %d, message %d %s: %v", etype, i, dir.name, err)
				}
				if !bytes.Equal(got, msg) {
					t.Fatalf("etype %d, message %d %s: got %q", etype, i, dir.name, got)
				}
			}
		}
	}
}

// Unseal takes any EC and RRC a peer chooses, however the peer splits header from data,
// including the rotation by RRC + EC that [MS-KILE] 3.4.5.4.1 describes.
func TestUnsealAnyECAndRRC(t *testing.T) {
	t.Parallel()
	key := testKey(18, 3)
	msg := []byte("<s:Envelope>reply</s:Envelope>")
	for _, tc := range []struct{ ec, rrc, rotate int }{
		{0, 28, 28},     // MIT gss_wrap_iov and this package
		{0, 0, 0},       // MIT gss_wrap: no rotation
		{16, 44, 44},    // EC of one block, rotated as RFC 4121 says
		{16, 28, 44},    // rotated by RRC + EC ([MS-KILE] 3.4.5.4.1)
		{16, 28, 28},    // EC of one block, rotated by RRC
		{5, 3, 3},       // odd values
		{1, 1000, 1000}, // RRC longer than the token: modulo its length
		{0, 65535, 65535},
	} {
		ini, acc := sessionPair(t, key, true, 50, 60)
		tok, err := sealToken(acc.et, key.KeyValue, usage(true, true), acc.flags(true)|flagSealed, 60, msg, tc.ec, tc.rrc, tc.rotate)
		if err != nil {
			t.Fatal(err)
		}
		for _, split := range []int{0, 16, 60, 16 + tc.rrc%(len(tok)-16) + 16, len(tok)} {
			split = min(split, len(tok))
			ini.recvSeq = 60
			got, err := ini.Unseal(tok[:split], tok[split:])
			if err != nil || !bytes.Equal(got, msg) {
				t.Errorf("EC %d, RRC %d rotated by %d, split at %d: %q, %v", tc.ec, tc.rrc, tc.rotate, split, got, err)
			}
		}
	}
}

// Any change to a sealed message fails it, and the session takes the genuine one afterwards.
func TestUnsealTamper(t *testing.T) {
	t.Parallel()
	ini, acc := sessionPair(t, testKey(18, 4), true, 1, 2)
	msg := []byte("<s:Envelope>Add-IpamAddressSpace</s:Envelope>")
	h, d, err := ini.Seal(msg)
	if err != nil {
		t.Fatal(err)
	}
	tok := append(append([]byte{}, h...), d...)
	for i := range tok {
		for _, bit := range []byte{0x01, 0x80} {
			bad := append([]byte{}, tok...)
			bad[i] ^= bit
			got, err := acc.Unseal(bad[:60], bad[60:])
			if err == nil {
				t.Fatalf("byte %d changed by %#x: unsealed %q", i, bit, got)
			}
			if !errors.Is(err, ErrIntegrity) && !errors.Is(err, ErrMalformed) {
				t.Fatalf("byte %d: %v, want ErrIntegrity or ErrMalformed", i, err)
			}
		}
	}
	for name, bad := range map[string][2][]byte{
		"truncated":  {h, d[:len(d)-1]},
		"header cut": {h[:15], nil},
		"extended":   {h, append(append([]byte{}, d...), 0)},
		"empty":      {nil, nil},
	} {
		if _, err := acc.Unseal(bad[0], bad[1]); err == nil {
			t.Errorf("%s: unsealed", name)
		}
	}
	got, err := acc.Unseal(h, d)
	if err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("the genuine message after the forged ones: %q, %v", got, err)
	}
}

// Replayed, reordered and lost messages are refused (RFC 4121 section 4.2.1).
func TestUnsealSequence(t *testing.T) {
	t.Parallel()
	ini, acc := sessionPair(t, testKey(18, 5), true, 100, 200)
	var hs, ds [4][]byte
	for i := range hs {
		var err error
		if hs[i], ds[i], err = ini.Seal([]byte{byte(i)}); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		i  int
		ok bool
	}{
		{1, false}, // ahead of 0: reordered
		{0, true},
		{0, false}, // replayed
		{1, true},
		{3, false}, // 2 is lost
		{2, true},
		{3, true},
		{3, false},
	}
	for n, st := range steps {
		got, err := acc.Unseal(hs[st.i], ds[st.i])
		if st.ok && (err != nil || !bytes.Equal(got, []byte{byte(st.i)})) {
			t.Fatalf("step %d, message %d: %q, %v", n, st.i, got, err)
		}
		if !st.ok && !errors.Is(err, ErrSequence) {
			t.Fatalf("step %d, message %d: %v, want ErrSequence", n, st.i, err)
		}
	}
}

// A message goes back to its sender, or comes with another key or key flag: refused.
func TestUnsealWrongPeer(t *testing.T) {
	t.Parallel()
	ini, acc := sessionPair(t, testKey(18, 6), true, 1, 1)
	h, d, err := ini.Seal([]byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ini.Unseal(h, d); !errors.Is(err, ErrIntegrity) {
		t.Errorf("reflected to its sender: %v", err)
	}
	_, other := sessionPair(t, testKey(18, 7), true, 1, 1)
	if _, err := other.Unseal(h, d); !errors.Is(err, ErrIntegrity) {
		t.Errorf("another key: %v", err)
	}
	_, noSubkey := sessionPair(t, testKey(18, 6), false, 1, 1)
	if _, err := noSubkey.Unseal(h, d); !errors.Is(err, ErrIntegrity) {
		t.Errorf("AcceptorSubkey flag where the context has none: %v", err)
	}
	aes128, _ := sessionPair(t, testKey(17, 6), true, 1, 1)
	h2, d2, _ := aes128.Seal([]byte("hello"))
	if _, err := acc.Unseal(h2, d2); !errors.Is(err, ErrIntegrity) {
		t.Errorf("another etype: %v", err)
	}
	// Signed but not sealed: not what WinRM takes.
	tok, err := sealToken(ini.et, ini.key.KeyValue, usage(false, true), ini.flags(false), 1, []byte("hello"), 0, 28, 28)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := acc.Unseal(tok, nil); !errors.Is(err, ErrMalformed) {
		t.Errorf("without the Sealed flag: %v", err)
	}
	if got, err := acc.Unseal(h, d); err != nil || string(got) != "hello" {
		t.Errorf("genuine: %q, %v", got, err)
	}
}

// Keys that are not AES-SHA1 cannot seal, and the error says which etype and what is needed.
func TestSealingEtype(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		etype int32
		want  string
	}{
		{23, "rc4-hmac (etype 23)"},
		{16, "des3-cbc-sha1 (etype 16)"},
		{20, "aes256-cts-hmac-sha384-192 (etype 20)"},
		{99, "unknown (etype 99)"},
	} {
		_, err := newSession(types.EncryptionKey{KeyType: tc.etype, KeyValue: make([]byte, 16)}, true, true, 0, 0)
		if !errors.Is(err, ErrEncType) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "needs AES") {
			t.Errorf("etype %d: %v", tc.etype, err)
		}
	}
	if _, err := newSession(types.EncryptionKey{KeyType: 18, KeyValue: make([]byte, 16)}, true, true, 0, 0); !errors.Is(err, ErrMalformed) {
		t.Errorf("an AES256 key of 16 bytes: %v", err)
	}
}

// A MIC verifies once, in sequence, from the other side only.
func TestMIC(t *testing.T) {
	t.Parallel()
	ini, acc := sessionPair(t, testKey(18, 8), true, 1, 41)
	mechTypes := []byte{0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02}
	mic, err := acc.mic(mechTypes)
	if err != nil {
		t.Fatal(err)
	}
	if len(mic) != 28 || !bytes.Equal(mic[:8], []byte{0x04, 0x04, 0x05, 0xff, 0xff, 0xff, 0xff, 0xff}) || binary.BigEndian.Uint64(mic[8:16]) != 41 {
		t.Fatalf("MIC token % x", mic)
	}
	if err := ini.verifyMIC(append([]byte{0}, mechTypes...), mic); !errors.Is(err, ErrIntegrity) {
		t.Errorf("over other bytes: %v", err)
	}
	if err := acc.verifyMIC(mechTypes, mic); !errors.Is(err, ErrIntegrity) {
		t.Errorf("reflected: %v", err)
	}
	if err := ini.verifyMIC(mechTypes, mic); err != nil {
		t.Fatal(err)
	}
	if err := ini.verifyMIC(mechTypes, mic); !errors.Is(err, ErrSequence) {
		t.Errorf("replayed: %v", err)
	}
	// The MIC took the acceptor's sequence number 41; its first sealed message is 42.
	h, d, _ := acc.Seal([]byte("first"))
	if got, err := ini.Unseal(h, d); err != nil || string(got) != "first" {
		t.Errorf("first message after the MIC: %q, %v", got, err)
	}
}

// Key usages of RFC 4121 section 2; a Go peer would agree with itself on wrong ones, MIT would not.
func TestKeyUsages(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		fromAcceptor, seal bool
		want               uint32
	}{{true, true, 22}, {true, false, 23}, {false, true, 24}, {false, false, 25}} {
		if got := usage(tc.fromAcceptor, tc.seal); got != tc.want {
			t.Errorf("from acceptor %t, seal %t: usage %d, want %d", tc.fromAcceptor, tc.seal, got, tc.want)
		}
	}
}
