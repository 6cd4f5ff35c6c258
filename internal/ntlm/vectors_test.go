package ntlm

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
	"time"
)

// The NTLMv2 example of [MS-NLMP] 4.2.4: user "User", domain "Domain", password "Password", server
// challenge 0123456789abcdef, client challenge aa*8, time 0, random session key 55*16 (4.2.1).
// Every expected value below is copied from the spec's text, not computed by this package.

// unhex decodes a hex dump written with spaces and line breaks.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		t.Fatalf("bad hex in test: %v", err)
	}
	return b
}

const (
	specServerChallenge = "01 23 45 67 89 ab cd ef"
	specClientChallenge = "aa aa aa aa aa aa aa aa"
	specTime            = "00 00 00 00 00 00 00 00"
	specRandomKey       = "55 55 55 55 55 55 55 55 55 55 55 55 55 55 55 55"

	// 4.2.4.1.1
	specNTOWFv2 = "0c 86 8a 40 3b fd 7a 93 a3 00 1e f2 2e f0 2e 3f"
	// 4.2.4.1.2
	specSessionBaseKey = "8d e4 0c ca db c1 4a 82 f1 5c b0 ad 0d e9 5c a3"
	// 4.2.4.2.1
	specLMv2Response = "86 c3 50 97 ac 9c ec 10 25 54 76 4a 57 cc cc 19 aa aa aa aa aa aa aa aa"
	// 4.2.4.2.2: the Response field of NTLMv2_RESPONSE, that is NTProofStr.
	specNTProofStr = "68 cd 0a b8 51 e5 1c 96 aa bc 92 7b eb ef 6a 1c"
	// 4.2.4.2.3
	specEncryptedSessionKey = "c5 da d2 54 4f c9 79 90 94 ce 1c e9 0b c9 d0 3e"

	// 4.2.4.1.3 prints temp with its first offset column lost; these are the same bytes as they
	// appear at offset 0x94 of the AUTHENTICATE_MESSAGE of 4.2.4.3.
	specTemp = `01 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00
		aa aa aa aa aa aa aa aa 00 00 00 00
		02 00 0c 00 44 00 6f 00 6d 00 61 00 69 00 6e 00
		01 00 0c 00 53 00 65 00 72 00 76 00 65 00 72 00
		00 00 00 00 00 00 00 00`

	// 4.2.4.3
	specChallengeMessage = `4e 54 4c 4d 53 53 50 00 02 00 00 00 0c 00 0c 00
		38 00 00 00 33 82 8a e2 01 23 45 67 89 ab cd ef
		00 00 00 00 00 00 00 00 24 00 24 00 44 00 00 00
		06 00 70 17 00 00 00 0f 53 00 65 00 72 00 76 00
		65 00 72 00 02 00 0c 00 44 00 6f 00 6d 00 61 00
		69 00 6e 00 01 00 0c 00 53 00 65 00 72 00 76 00
		65 00 72 00 00 00 00 00`
	// 4.2.4.3. It predates the MIC field: its payload starts at 0x48, right after the Version.
	specAuthenticateMessage = `4e 54 4c 4d 53 53 50 00 03 00 00 00 18 00 18 00
		6c 00 00 00 54 00 54 00 84 00 00 00 0c 00 0c 00
		48 00 00 00 08 00 08 00 54 00 00 00 10 00 10 00
		5c 00 00 00 10 00 10 00 d8 00 00 00 35 82 88 e2
		05 01 28 0a 00 00 00 0f 44 00 6f 00 6d 00 61 00
		69 00 6e 00 55 00 73 00 65 00 72 00 43 00 4f 00
		4d 00 50 00 55 00 54 00 45 00 52 00 86 c3 50 97
		ac 9c ec 10 25 54 76 4a 57 cc cc 19 aa aa aa aa
		aa aa aa aa 68 cd 0a b8 51 e5 1c 96 aa bc 92 7b
		eb ef 6a 1c 01 01 00 00 00 00 00 00 00 00 00 00
		00 00 00 00 aa aa aa aa aa aa aa aa 00 00 00 00
		02 00 0c 00 44 00 6f 00 6d 00 61 00 69 00 6e 00
		01 00 0c 00 53 00 65 00 72 00 76 00 65 00 72 00
		00 00 00 00 00 00 00 00 c5 da d2 54 4f c9 79 90
		94 ce 1c e9 0b c9 d0 3e`

	// 4.2.4.4. The spec seals "Plaintext" in UTF-16LE (there is no "Hello" example in 4.2.4).
	specPlaintext   = "50 00 6c 00 61 00 69 00 6e 00 74 00 65 00 78 00 74 00"
	specClientSeal  = "59 f6 00 97 3c c4 96 0a 25 48 0a 7c 19 6e 4c 58"
	specClientSign  = "47 88 dc 86 1b 47 82 f3 5d 43 fd 98 fe 1a 2d 39"
	specSealedData  = "54 e5 01 65 bf 19 36 dc 99 60 20 c1 81 1b 0f 06 fb 5f"
	specChecksum    = "70 35 28 51 f2 56 43 09" // before RC4
	specSignature   = "01 00 00 00 7f b3 8e c5 c5 5d 49 76 00 00 00 00"
	specAuthFlags   = negotiateFlags(0xe2888235) // NegotiateFlags of the AUTHENTICATE_MESSAGE
	specChallFlags  = negotiateFlags(0xe28a8233) // "Challenge Flags" of 4.2.4
	specUser        = "User"
	specDomain      = "Domain"
	specPassword    = "Password"
	specWorkstation = "COMPUTER"
)

func TestSpecNTOWFv2(t *testing.T) {
	t.Parallel()
	if got, want := ntowfV2(specPassword, specUser, specDomain), unhex(t, specNTOWFv2); !bytes.Equal(got, want) {
		t.Errorf("NTOWFv2 = %x, want %x", got, want)
	}
}

// TestSpecResponses builds temp from the spec's inputs (the CHALLENGE_MESSAGE's AV pairs as they
// are: no timestamp, no MIC, no channel bindings) and checks each value 4.2.4 lists.
func TestSpecResponses(t *testing.T) {
	t.Parallel()
	key := unhex(t, specNTOWFv2)
	ch, err := parseChallenge(unhex(t, specChallengeMessage))
	if err != nil {
		t.Fatal(err)
	}
	temp := clientChallengeBlob(unhex(t, specTime), unhex(t, specClientChallenge), ch.targetInfo.marshal())
	if want := unhex(t, specTemp); !bytes.Equal(temp, want) {
		t.Fatalf("temp = %x\nwant   %x", temp, want)
	}
	proof := ntProofStr(key, unhex(t, specServerChallenge), temp)
	base := sessionBaseKey(key, proof)
	for _, c := range []struct {
		name      string
		got, want []byte
	}{
		{"NTProofStr", proof, unhex(t, specNTProofStr)},
		{"SessionBaseKey", base, unhex(t, specSessionBaseKey)},
		{"LMv2 response", lmV2Response(key, unhex(t, specServerChallenge), unhex(t, specClientChallenge)), unhex(t, specLMv2Response)},
		{"EncryptedRandomSessionKey", rc4K(base, unhex(t, specRandomKey)), unhex(t, specEncryptedSessionKey)},
		{"client sealing key", sealKey(specAuthFlags, unhex(t, specRandomKey), true), unhex(t, specClientSeal)},
		{"client signing key", signKey(unhex(t, specRandomKey), true), unhex(t, specClientSign)},
		{"checksum", hmacMD5(unhex(t, specClientSign), []byte{0, 0, 0, 0}, unhex(t, specPlaintext))[:8], unhex(t, specChecksum)},
	} {
		if !bytes.Equal(c.got, c.want) {
			t.Errorf("%s = %x, want %x", c.name, c.got, c.want)
		}
	}
}

func TestSpecChallengeParses(t *testing.T) {
	t.Parallel()
	ch, err := parseChallenge(unhex(t, specChallengeMessage))
	if err != nil {
		t.Fatal(err)
	}
	if ch.flags != specChallFlags {
		t.Errorf("flags = %08x, want %08x", uint32(ch.flags), uint32(specChallFlags))
	}
	if !bytes.Equal(ch.serverChallenge, unhex(t, specServerChallenge)) {
		t.Errorf("server challenge = %x", ch.serverChallenge)
	}
	// The message carries TargetName "Server", but its flags lack NTLMSSP_REQUEST_TARGET, so
	// [MS-NLMP] 2.2.1.2 says the field MUST be ignored.
	if ch.targetName != "" {
		t.Errorf("target name = %q, want it ignored", ch.targetName)
	}
	for id, want := range map[avID]string{avNbDomainName: "Domain", avNbComputerName: "Server"} {
		v, ok := ch.targetInfo.get(id)
		if got, _ := decodeUTF16(v, ""); !ok || got != want {
			t.Errorf("AV pair %d = %q, want %q", id, got, want)
		}
	}
}

// TestSpecGSSWrapEx seals the 4.2.4.4 plaintext with a client Session keyed by the random session
// key, and unseals the spec's output with the matching server Session.
func TestSpecGSSWrapEx(t *testing.T) {
	t.Parallel()
	client := newSession(specAuthFlags, unhex(t, specRandomKey), true)
	sig, sealed, err := client.Seal(unhex(t, specPlaintext))
	if err != nil {
		t.Fatal(err)
	}
	if want := unhex(t, specSealedData); !bytes.Equal(sealed, want) {
		t.Errorf("sealed = %x, want %x", sealed, want)
	}
	if want := unhex(t, specSignature); !bytes.Equal(sig, want) {
		t.Errorf("signature = %x, want %x", sig, want)
	}

	wantSpecUnsealed(t, newSession(specAuthFlags, unhex(t, specRandomKey), false))
}

// wantSpecUnsealed unseals the spec's 4.2.4.4 signature and sealed data with s, and wants the
// plaintext back.
func wantSpecUnsealed(t *testing.T, s *Session) {
	t.Helper()
	msg, err := s.Unseal(unhex(t, specSignature), unhex(t, specSealedData))
	if err != nil {
		t.Fatal(err)
	}
	if want := unhex(t, specPlaintext); !bytes.Equal(msg, want) {
		t.Errorf("unsealed = %x, want %x", msg, want)
	}
}

// TestSpecAuthenticateAccepted feeds the spec's own CHALLENGE and AUTHENTICATE messages to the
// server side, then unseals the spec's GSS_WrapEx output with the Session it derived: the server
// recovers the random session key from EncryptedRandomSessionKey.
func TestSpecAuthenticateAccepted(t *testing.T) {
	t.Parallel()
	var looked []string
	srv := &Server{Lookup: func(user, domain string) (string, bool) {
		looked = append(looked, user+"|"+domain)
		return specPassword, true
	}}
	a := &Acceptor{
		server:          srv,
		challenge:       unhex(t, specChallengeMessage),
		serverChallenge: unhex(t, specServerChallenge),
		flags:           specChallFlags,
	}
	id, sess, err := a.Accept(unhex(t, specAuthenticateMessage), nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Identity{User: specUser, Domain: specDomain, Workstation: specWorkstation}); id != want {
		t.Errorf("identity = %+v, want %+v", id, want)
	}
	if len(looked) != 1 || looked[0] != "User|Domain" {
		t.Errorf("lookups = %q", looked)
	}
	wantSpecUnsealed(t, sess)
}

// TestSpecClient runs the Client against the spec's CHALLENGE_MESSAGE with the spec's nonces. That
// challenge has no MsvAvTimestamp, so the client sends the LMv2 response (which the spec lists) and
// no MIC; its NTLMv2 response differs from the spec's because [MS-NLMP] 3.1.5.1.2 now adds
// MsvAvChannelBindings and MsvAvTargetName, which the 4.2.4 example predates. The Session, keyed by
// the injected random session key, must still reproduce 4.2.4.4.
func TestSpecClient(t *testing.T) {
	t.Parallel()
	c := NewClient(specUser, specDomain, specPassword)
	c.Rand = bytes.NewReader(unhex(t, specClientChallenge+specRandomKey))
	c.Now = func() time.Time { return time.Date(1601, 1, 1, 0, 0, 0, 0, time.UTC) }
	out, sess, err := c.Authenticate(unhex(t, specChallengeMessage), nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := parseAuthenticate(out)
	if err != nil {
		t.Fatal(err)
	}
	if want := unhex(t, specLMv2Response); !bytes.Equal(m.lmResponse, want) {
		t.Errorf("LmChallengeResponse = %x, want %x", m.lmResponse, want)
	}
	temp := m.ntResponse[16:]
	if want := unhex(t, "01 01 00 00 00 00 00 00"+specTime+specClientChallenge); !bytes.Equal(temp[:24], want) {
		t.Errorf("client challenge header = %x, want %x", temp[:24], want)
	}
	if !bytes.Equal(out[micOffset:micOffset+micLen], make([]byte, micLen)) {
		t.Errorf("MIC = %x, want zero without a server timestamp", out[micOffset:micOffset+micLen])
	}
	if m.flags != specAuthFlags {
		t.Errorf("flags = %08x, want %08x as in the spec's AUTHENTICATE_MESSAGE", uint32(m.flags), uint32(specAuthFlags))
	}
	sig, sealed, err := sess.Seal(unhex(t, specPlaintext))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sealed, unhex(t, specSealedData)) || !bytes.Equal(sig, unhex(t, specSignature)) {
		t.Errorf("Seal = %x %x, want the 4.2.4.4 output", sig, sealed)
	}
}
