// Package kerberos establishes Kerberos GSS-API security contexts for WinRM and seals its
// messages: the initiator (the provider's client) and the acceptor (the emulator playing
// Windows) exchange an AP-REQ and an AP-REP (RFC 4120, RFC 4121 section 4.1), carried bare or in
// SPNEGO (RFC 4178), and then wrap each SOAP message with confidentiality (RFC 4121 section
// 4.2.6.2) in the layout of [MS-WSMV] 2.2.9.1.2. It builds on gokrb5 for tickets, keytabs and
// ciphers, and adds what gokrb5 v8 lacks: channel bindings in the authenticator checksum, the
// AP-REP of mutual authentication, and sealed Wrap tokens.
package kerberos
