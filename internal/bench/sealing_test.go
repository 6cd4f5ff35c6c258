package main

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/winipam/terraform-provider-ipam/internal/ntlm"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

// BenchmarkSealNTLM prices, per byte, what the bulk-sealed case of make bench adds to the bulk
// one: a message sealed into its multipart/encrypted body by one side ([MS-WSMV] 2.2.9.1, NTLM's
// RC4 and HMAC-MD5) and unsealed by the other, over one logged-in session. The sizes are those of
// the 1,000-key case: an Enumerate request, one bulk call of a create, the Pull answer of a refresh.
// The provider seals what it sends and unseals what it receives, so a step's sealing CPU is about
// (bytes sent + bytes received) divided by the throughput, split between provider and emulator.
func BenchmarkSealNTLM(b *testing.B) {
	client, server := ntlmSessions(b)
	const soap = "application/soap+xml;charset=UTF-8"
	for _, size := range []int{2 << 10, 200 << 10, 900 << 10} {
		msg := bytes.Repeat([]byte("<a:Name>bench-ca-00001</a:Name>"), size/31+1)[:size]
		b.Run(fmt.Sprintf("%dKiB", size>>10), func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				body, err := wsman.EncodeEncrypted(client, wsman.ProtocolSPNEGO, soap, msg)
				if err != nil {
					b.Fatal(err)
				}
				got, _, err := wsman.DecodeEncrypted(server, wsman.EncryptedContentType(wsman.ProtocolSPNEGO), body)
				if err != nil {
					b.Fatal(err)
				}
				if len(got) != size {
					b.Fatalf("unsealed %d bytes, sealed %d", len(got), size)
				}
			}
		})
	}
}

// BenchmarkNTLMLogin is the CPU of one login in process, both sides (negotiate, challenge,
// authenticate, accept): the bulk-sealed case logs in once per provider connection.
func BenchmarkNTLMLogin(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		ntlmSessions(b)
	}
}

// ntlmSessions logs a client in to a server in process and returns both ends' sessions.
func ntlmSessions(tb testing.TB) (client, server *ntlm.Session) {
	tb.Helper()
	c := ntlm.NewClient("bench", "", "bench-password")
	s := ntlm.NewServer("ipam01", "", func(user, _ string) (string, bool) { return "bench-password", user == "bench" })
	challenge, acc, err := s.Challenge(c.Negotiate())
	if err != nil {
		tb.Fatal(err)
	}
	auth, client, err := c.Authenticate(challenge, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if _, server, err = acc.Accept(auth, nil); err != nil {
		tb.Fatal(err)
	}
	if client == nil || server == nil {
		tb.Fatal("the login gave no sealing session")
	}
	return client, server
}
