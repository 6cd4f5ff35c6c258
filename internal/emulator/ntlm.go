package emulator

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"strings"
)

// The emulator's side of NTLM over HTTP ([MS-NLMP], [MS-WSMV] 3.2.4.1.1) is internal/ntlm's
// Server: a NEGOTIATE_MESSAGE in an "Authorization: Negotiate" (or "NTLM") header gets a
// CHALLENGE_MESSAGE in a 401, and the AUTHENTICATE_MESSAGE is checked against the configured
// password. As WinRM does, the login and its session security then hold for the rest of the TCP
// connection. This file only reads the HTTP side of it.

var ntlmSignature = []byte("NTLMSSP\x00")

// ntlmMessageType returns the type of an NTLM message (1, 2 or 3), or 0.
func ntlmMessageType(msg []byte) uint32 {
	if len(msg) < 12 || !bytes.Equal(msg[:8], ntlmSignature) {
		return 0
	}
	return binary.LittleEndian.Uint32(msg[8:12])
}

// parseNegotiateHeader returns the NTLM token of an "Authorization: Negotiate|NTLM <base64>"
// header.
func parseNegotiateHeader(v string) ([]byte, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok || (!strings.EqualFold(scheme, "Negotiate") && !strings.EqualFold(scheme, "NTLM")) {
		return nil, false
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(token))
	if err != nil || ntlmMessageType(b) == 0 {
		return nil, false
	}
	return b, true
}
