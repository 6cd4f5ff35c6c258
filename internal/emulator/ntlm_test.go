package emulator

import (
	"encoding/binary"
	"testing"

	ntlmssp "github.com/Azure/go-ntlmssp"
)

func TestNTLMv2Verification(t *testing.T) {
	t.Parallel()
	negotiate, err := ntlmssp.NewNegotiateMessage("", "")
	if err != nil {
		t.Fatal(err)
	}
	if ntlmMessageType(negotiate) != 1 {
		t.Fatal("negotiate message not recognised")
	}
	for _, tc := range []struct {
		user, pass string
		ok         bool
	}{
		{`CORP\admin`, "Pa55w0rd!", true},
		{"admin@corp.example", "Pa55w0rd!", true},
		{"admin", "Pa55w0rd!", true},
		{"ADMIN", "Pa55w0rd!", true},
		{`CORP\admin`, "wrong", false},
		{`CORP\admin`, "pa55w0rd!", false},
	} {
		challenge := newChallenge()
		auth, err := ntlmssp.NewAuthenticateMessage(challengeMessage(challenge, negotiateFlags(negotiate)), tc.user, tc.pass, nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.user, err)
		}
		user, err := verifyNTLMv2(auth, challenge, "Pa55w0rd!")
		if (err == nil) != tc.ok {
			t.Errorf("%s/%s: verified=%v (%v)", tc.user, tc.pass, err == nil, err)
		}
		if err == nil && !(&Server{cfg: Config{Username: "admin"}}).sameUser(user) {
			t.Errorf("%s: user %q not recognised", tc.user, user)
		}
		// A replay against another challenge fails.
		if _, err := verifyNTLMv2(auth, newChallenge(), "Pa55w0rd!"); err == nil {
			t.Errorf("%s: accepted against a different challenge", tc.user)
		}
	}
}

func TestNTLMMalformedMessages(t *testing.T) {
	t.Parallel()
	challenge := newChallenge()
	good, err := ntlmssp.NewAuthenticateMessage(challengeMessage(challenge, 0), "admin", "x", nil)
	if err != nil {
		t.Fatal(err)
	}
	bad := [][]byte{nil, []byte("NTLMSSP\x00"), good[:40], good[:63]}
	outOfRange := append([]byte(nil), good...)
	binary.LittleEndian.PutUint32(outOfRange[24:], 0xFFFFFFF0) // NT response offset
	bad = append(bad, outOfRange)
	huge := append([]byte(nil), good...)
	binary.LittleEndian.PutUint16(huge[20:], 0xFFFF)
	bad = append(bad, huge)
	for i, msg := range bad {
		if _, err := verifyNTLMv2(msg, challenge, "x"); err == nil {
			t.Errorf("message %d accepted", i)
		}
	}
}
