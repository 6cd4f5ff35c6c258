package ntlm

import "strings"

// SplitUser turns a Windows logon name into the user and domain an AUTHENTICATE_MESSAGE carries,
// as a Windows client does:
//
//   - "DOMAIN\user" gives user "user" and domain "DOMAIN" (".\user" keeps "." as the domain: the
//     server reads it as its own machine, and the response key is computed over what was sent).
//   - "user@example.com", a user principal name, is sent whole as the user with an empty domain;
//     Windows clients do so and the domain controller resolves the UPN. Splitting it at "@" would
//     give a DNS domain where a NetBIOS one is expected, and a response key the DC does not compute.
//   - "user" gives an empty domain, which the server takes as its own.
func SplitUser(logon string) (user, domain string) {
	if d, u, ok := strings.Cut(logon, `\`); ok {
		return u, d
	}
	return logon, ""
}
