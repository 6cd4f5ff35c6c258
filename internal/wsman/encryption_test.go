package wsman

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// xorSealer stands in for NTLM or Kerberos: a fixed-size header that carries a checksum, and the
// message XORed with a key. It is enough to check the framing, which does not depend on the cipher.
type xorSealer struct{ key byte }

func (s xorSealer) Seal(msg []byte) ([]byte, []byte, error) {
	out := make([]byte, len(msg))
	var sum byte
	for i, b := range msg {
		out[i] = b ^ s.key
		sum += b
	}
	return []byte{'S', 'I', 'G', sum}, out, nil
}

func (s xorSealer) Unseal(header, data []byte) ([]byte, error) {
	out := make([]byte, len(data))
	var sum byte
	for i, b := range data {
		out[i] = b ^ s.key
		sum += out[i]
	}
	if !bytes.Equal(header, []byte{'S', 'I', 'G', sum}) {
		return nil, errors.New("bad signature")
	}
	return out, nil
}

// The framing of [MS-WSMV] 2.2.9.1.1, written out by hand here rather than with the code under test.
func referenceEncrypted(header, data []byte, n int) []byte {
	var b bytes.Buffer
	b.WriteString("--Encrypted Boundary\r\n")
	b.WriteString("\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n")
	b.WriteString("\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=" + itoa(n) + "\r\n")
	b.WriteString("--Encrypted Boundary\r\n")
	b.WriteString("\tContent-Type: application/octet-stream\r\n")
	b.Write([]byte{byte(len(header)), 0, 0, 0})
	b.Write(header)
	b.Write(data)
	b.WriteString("--Encrypted Boundary--\r\n")
	return b.Bytes()
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var d []byte
	for ; n > 0; n /= 10 {
		d = append([]byte{byte('0' + n%10)}, d...)
	}
	return string(d)
}

func TestEncodeEncryptedFraming(t *testing.T) {
	s := xorSealer{key: 0x5A}
	msg := []byte(`<s:Envelope>hello</s:Envelope>`)
	got, err := EncodeEncrypted(s, ProtocolSPNEGO, ContentType, msg)
	if err != nil {
		t.Fatal(err)
	}
	header, data, _ := s.Seal(msg)
	if want := referenceEncrypted(header, data, len(msg)); !bytes.Equal(got, want) {
		t.Fatalf("framing:\n got %q\nwant %q", got, want)
	}
	if ct := EncryptedContentType(ProtocolSPNEGO); ct != `multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";boundary="Encrypted Boundary"` {
		t.Fatalf("content type %q", ct)
	}
}

func TestDecodeEncrypted(t *testing.T) {
	s := xorSealer{key: 0x33}
	ct := EncryptedContentType(ProtocolSPNEGO)
	msg := []byte(`<s:Envelope>` + strings.Repeat("payload ", 100) + `</s:Envelope>`)
	header, data, _ := s.Seal(msg)
	body := referenceEncrypted(header, data, len(msg))
	got, typ, err := DecodeEncrypted(s, ct, body)
	if err != nil || !bytes.Equal(got, msg) || typ != "application/soap+xml;charset=UTF-8" {
		t.Fatalf("got %q, %q, %v", got, typ, err)
	}
	if !IsEncrypted(ct) || IsEncrypted(ContentType) || EncryptedProtocol(ct) != ProtocolSPNEGO {
		t.Fatal("content type helpers disagree")
	}

	// Sealed data that happens to hold the boundary text is still read whole: the payload ends at
	// the last closing delimiter.
	tricky := []byte("--Encrypted Boundary--\r\n in the message")
	th, td, _ := xorSealer{key: 0}.Seal(tricky)
	if got, _, err := DecodeEncrypted(xorSealer{key: 0}, ct, referenceEncrypted(th, td, len(tricky))); err != nil || !bytes.Equal(got, tricky) {
		t.Fatalf("tricky payload: %q, %v", got, err)
	}

	bad := []struct {
		name, ct, want string
		body           []byte
	}{
		{"not multipart", ContentType, "is not multipart/encrypted", body},
		{"no boundary", "multipart/encrypted;protocol=\"" + ProtocolSPNEGO + "\"", "names no boundary", body},
		{"wrong protocol", EncryptedContentType(ProtocolKerberos), "first part is not", body},
		{"length mismatch", ct, "the body says 5", referenceEncrypted(header, data, 5)},
		{"truncated", ct, "no closing boundary", body[:len(body)-10]},
		{"header too long", ct, "claims a", bytes.Replace(body, []byte{4, 0, 0, 0, 'S'}, []byte{0xff, 0xff, 0, 0, 'S'}, 1)},
		{"tampered", ct, "bad signature", bytes.Replace(body, []byte("--Encrypted Boundary--"), []byte("X--Encrypted Boundary--"), 1)},
		{"empty", ct, "does not start with its boundary", nil},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := DecodeEncrypted(s, tc.ct, tc.body)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func FuzzDecodeEncrypted(f *testing.F) {
	s := xorSealer{key: 7}
	header, data, _ := s.Seal([]byte("<a/>"))
	f.Add(referenceEncrypted(header, data, 4))
	f.Add([]byte("--Encrypted Boundary\r\n--Encrypted Boundary\r\n\r\n--Encrypted Boundary--"))
	f.Fuzz(func(t *testing.T, body []byte) {
		msg, _, err := DecodeEncrypted(s, EncryptedContentType(ProtocolSPNEGO), body)
		if err == nil && msg == nil {
			t.Fatal("no error and no message")
		}
	})
}
