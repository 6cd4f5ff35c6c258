package ntlm

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
	"time"
)

// fixedServer is a Server with known randomness and time.
func fixedServer(t *testing.T) *Server {
	t.Helper()
	s := NewServer("ipam01", "corp.example", func(user, domain string) (string, bool) {
		return "pw", user == "alice"
	})
	s.Rand = bytes.NewReader(bytes.Repeat([]byte{0x11}, 8))
	s.Now = func() time.Time { return time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC) }
	return s
}

// TestNegotiateMessage pins the client's NEGOTIATE_MESSAGE: the flags of [MS-NLMP] 3.1.5.1.1 plus
// SIGN, SEAL, KEY_EXCH, 128 and 56 (0xe2888235, the same flags as the AUTHENTICATE_MESSAGE of
// 4.2.4.3), empty domain and workstation, and a Version.
func TestNegotiateMessage(t *testing.T) {
	t.Parallel()
	want := unhex(t, `4e 54 4c 4d 53 53 50 00 01 00 00 00 35 82 88 e2
		00 00 00 00 28 00 00 00 00 00 00 00 28 00 00 00
		0a 00 7c 4f 00 00 00 0f`)
	if got := NewClient("u", "d", "p").Negotiate(); !bytes.Equal(got, want) {
		t.Errorf("NEGOTIATE_MESSAGE = %x\nwant                %x", got, want)
	}
}

// TestChallengeMessage checks the server's CHALLENGE_MESSAGE byte by byte against a layout written
// out from [MS-NLMP] 2.2.1.2 and 3.2.5.1.1.
func TestChallengeMessage(t *testing.T) {
	t.Parallel()
	got, _, err := fixedServer(t).Challenge(NewClient("u", "d", "p").Negotiate())
	if err != nil {
		t.Fatal(err)
	}
	// 2024-05-01T12:00:00Z as a FILETIME: (1714564800 + 11644473600) * 10^7 = 0x01da9bbf17ba6000.
	want := unhex(t, `4e 54 4c 4d 53 53 50 00 02 00 00 00
		08 00 08 00 38 00 00 00
		35 82 89 e2
		11 11 11 11 11 11 11 11
		00 00 00 00 00 00 00 00
		72 00 72 00 40 00 00 00
		0a 00 7c 4f 00 00 00 0f
		43 00 4f 00 52 00 50 00
		02 00 08 00 43 00 4f 00 52 00 50 00
		01 00 0c 00 49 00 50 00 41 00 4d 00 30 00 31 00
		04 00 18 00 63 00 6f 00 72 00 70 00 2e 00 65 00 78 00 61 00 6d 00 70 00 6c 00 65 00
		03 00 26 00 69 00 70 00 61 00 6d 00 30 00 31 00 2e 00 63 00 6f 00 72 00 70 00 2e 00
		            65 00 78 00 61 00 6d 00 70 00 6c 00 65 00
		07 00 08 00 00 60 ba 17 bf 9b da 01
		00 00 00 00`)
	if !bytes.Equal(got, want) {
		t.Errorf("CHALLENGE_MESSAGE = %x\nwant                %x", got, want)
	}
}

// TestChallengeGrants checks the server grants what it supports among what the client asks for.
func TestChallengeGrants(t *testing.T) {
	t.Parallel()
	always := flagUnicode | flagRequestTarget | flagNTLM | flagAlwaysSign | flagTargetInfo | flagTargetDomain
	for _, tc := range []struct {
		name      string
		requested negotiateFlags
		want      negotiateFlags
		err       error
	}{
		{"authentication only", flagUnicode | flagNTLM | flag128 | flag56, always, nil},
		{"sign without seal", flagUnicode | flagSign | flagESS | flag128 | flagKeyExch,
			always | flagSign | flagESS | flag128 | flagKeyExch, nil},
		{"LM key and datagram are not granted", flagUnicode | flagLMKey | flagDatagram | flagOEM, always, nil},
		{"seal without 128-bit keys", flagUnicode | flagSeal | flagESS | flag56, 0, ErrWeakSecurity},
		// pywinrm's ntlm-auth 1.4 asks for OEM only; Windows grants it ([MS-NLMP] 3.2.5.1.1).
		{"OEM only", flagOEM | flagNTLM, always&^flagUnicode | flagOEM, nil},
		{"no character set", flagNTLM, 0, ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			challenge, _, err := fixedServer(t).Challenge(marshalNegotiate(tc.requested))
			if !errors.Is(err, tc.err) {
				t.Fatalf("Challenge = %v, want %v", err, tc.err)
			}
			if err != nil {
				return
			}
			if got := negotiateFlags(binary.LittleEndian.Uint32(challenge[20:])); got != tc.want {
				t.Errorf("granted %08x, want %08x", uint32(got), uint32(tc.want))
			}
		})
	}
}

func TestWorkgroupServer(t *testing.T) {
	t.Parallel()
	s := NewServer("standalone", "", nil)
	challenge, _, err := s.Challenge(NewClient("u", "", "p").Negotiate())
	if err != nil {
		t.Fatal(err)
	}
	ch, err := parseChallenge(challenge)
	if err != nil {
		t.Fatal(err)
	}
	if ch.targetName != "STANDALONE" || !ch.flags.has(flagTargetServer) || ch.flags.has(flagTargetDomain) {
		t.Errorf("target %q with flags %08x, want the computer as a server target", ch.targetName, uint32(ch.flags))
	}
	if v, _ := ch.targetInfo.get(avNbDomainName); !bytes.Equal(v, encodeUTF16("STANDALONE")) {
		t.Errorf("MsvAvNbDomainName = %x, want the computer name", v)
	}
	if _, ok := ch.targetInfo.get(avDNSDomainName); ok {
		t.Error("a workgroup server announces a DNS domain")
	}
}

// acceptorFor runs a Challenge and returns the Acceptor with the CHALLENGE_MESSAGE.
func acceptorFor(t *testing.T, s *Server) (*Acceptor, []byte) {
	t.Helper()
	challenge, a, err := s.Challenge(NewClient("alice", "", "pw").Negotiate())
	if err != nil {
		t.Fatal(err)
	}
	return a, challenge
}

// authenticateWith builds an AUTHENTICATE_MESSAGE with the given fields around a valid header.
func authenticateWith(t *testing.T, m authenticateMessage) []byte {
	t.Helper()
	b, err := m.marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAcceptRefusesVariants(t *testing.T) {
	t.Parallel()
	flags := clientFlags
	// ntlmV2 is an NTLMv2_RESPONSE with a zero NTProofStr and the given response version.
	ntlmV2 := func(version byte) []byte {
		r := append(make([]byte, 16), clientChallengeBlob(make([]byte, 8), make([]byte, 8), avPairs{}.marshal())...)
		r[16], r[17] = version, version
		return r
	}
	for _, tc := range []struct {
		name string
		msg  authenticateMessage
		want error
	}{
		{"NTLMv1", authenticateMessage{flags: flags, user: encodeUTF16("alice"), ntResponse: make([]byte, 24), lmResponse: make([]byte, 24)}, ErrUnsupported},
		{"anonymous", authenticateMessage{flags: flags, lmResponse: []byte{0}}, ErrUnsupported},
		{"OEM strings after a Unicode challenge", authenticateMessage{flags: flags &^ flagUnicode, user: []byte("alice"), ntResponse: make([]byte, 60)}, ErrMalformed},
		{"short NTLMv2 response", authenticateMessage{flags: flags, user: encodeUTF16("alice"), ntResponse: make([]byte, 40)}, ErrMalformed},
		{"NTLMv2 response version 2", authenticateMessage{flags: flags, user: encodeUTF16("alice"), ntResponse: ntlmV2(2)}, ErrMalformed},
		{"flags the server did not grant", authenticateMessage{flags: flags | flagDatagram, user: encodeUTF16("alice"), ntResponse: make([]byte, 60)}, ErrMalformed},
		{"odd-length user name", authenticateMessage{flags: flags, user: []byte("alice"), ntResponse: ntlmV2(1)}, ErrMalformed},
		{"wrong password", authenticateMessage{flags: flags, user: encodeUTF16("alice"), ntResponse: ntlmV2(1)}, ErrLogonFailure},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, _ := acceptorFor(t, fixedServer(t))
			if _, _, err := a.Accept(authenticateWith(t, tc.msg), nil); !errors.Is(err, tc.want) {
				t.Fatalf("Accept = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestAcceptKeyExchange checks that a client which negotiated KEY_EXCH must send a 16-byte
// EncryptedRandomSessionKey (SEC_E_INVALID_TOKEN otherwise, [MS-NLMP] 3.2.5.1.2).
func TestAcceptKeyExchange(t *testing.T) {
	t.Parallel()
	s := fixedServer(t)
	a, challenge := acceptorFor(t, s)
	c := NewClient("alice", "", "pw")
	auth, _, err := c.Authenticate(challenge, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := parseAuthenticate(auth)
	if err != nil {
		t.Fatal(err)
	}
	m.encryptedKey = m.encryptedKey[:8]
	if _, _, err := a.Accept(authenticateWith(t, m), nil); !errors.Is(err, ErrMalformed) {
		t.Fatalf("Accept = %v, want %v", err, ErrMalformed)
	}
}

// TestAcceptMICFieldMissing sends an announced MIC in a message whose payload starts where the MIC
// field would be, as a pre-Vista layout would.
func TestAcceptMICFieldMissing(t *testing.T) {
	t.Parallel()
	a, challenge := acceptorFor(t, fixedServer(t))
	auth, _, err := NewClient("alice", "", "pw").Authenticate(challenge, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Drop the MIC field: move the payload 16 bytes down and fix the offsets.
	short := append(bytes.Clone(auth[:micOffset]), auth[authenticateHeaderLen:]...)
	for _, f := range authenticateFields {
		off := binary.LittleEndian.Uint32(short[f.at+4:])
		binary.LittleEndian.PutUint32(short[f.at+4:], off-micLen)
	}
	if m, err := parseAuthenticate(short); err != nil || m.hasMIC {
		t.Fatalf("parse = %+v, %v; want a message without a MIC field", m, err)
	}
	if _, _, err := a.Accept(short, nil); !errors.Is(err, ErrBadMIC) {
		t.Fatalf("Accept = %v, want %v", err, ErrBadMIC)
	}
}

// TestAcceptRetriesWithoutDomain checks a response key computed without the domain is accepted, as
// [MS-NLMP] 3.2.5.1.2 says servers SHOULD.
func TestAcceptRetriesWithoutDomain(t *testing.T) {
	t.Parallel()
	a, _ := acceptorFor(t, fixedServer(t))
	temp := clientChallengeBlob(make([]byte, 8), bytes.Repeat([]byte{7}, 8), avPairs{}.marshal())
	proof := ntProofStr(ntowfV2("pw", "alice", ""), a.serverChallenge, temp)
	if _, err := a.verifyResponse("alice", "CORP", proof, temp); err != nil {
		t.Fatalf("verifyResponse: %v", err)
	}
	proof[0] ^= 1
	if _, err := a.verifyResponse("alice", "CORP", proof, temp); !errors.Is(err, ErrLogonFailure) {
		t.Fatalf("verifyResponse = %v, want %v", err, ErrLogonFailure)
	}
}

func TestParseAVPairs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		in   string
		want error
	}{
		{"empty list", "00 00 00 00", nil},
		{"trailing bytes after EOL", "01 00 02 00 41 00 00 00 00 00 ff ff", nil},
		{"no EOL", "01 00 02 00 41 00", ErrMalformed},
		{"truncated header", "01 00", ErrMalformed},
		{"value past the end", "01 00 09 00 41 00 00 00", ErrMalformed},
		{"EOL with a value", "00 00 01 00 00", ErrMalformed},
		{"duplicate", "06 00 04 00 00 00 00 00 06 00 04 00 02 00 00 00 00 00 00 00", ErrMalformed},
		{"short MsvAvFlags", "06 00 02 00 02 00 00 00 00 00", ErrMalformed},
		{"short timestamp", "07 00 04 00 00 00 00 00 00 00 00 00", ErrMalformed},
		{"long channel bindings", "0a 00 11 00 " + "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00" + " 00 00 00 00", ErrMalformed},
	} {
		if _, err := parseAVPairs(unhex(t, tc.in)); !errors.Is(err, tc.want) {
			t.Errorf("%s: parseAVPairs = %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestFileTime(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		t    time.Time
		want uint64
	}{
		{time.Date(1601, 1, 1, 0, 0, 0, 0, time.UTC), 0},
		{time.Unix(0, 0), 116444736000000000},
		{time.Unix(0, 250), 116444736000000002},
	} {
		if got := binary.LittleEndian.Uint64(fileTime(tc.t)); got != tc.want {
			t.Errorf("fileTime(%v) = %d, want %d", tc.t, got, tc.want)
		}
	}
}
