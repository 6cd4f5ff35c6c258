// Package emulator is a Windows Server IPAM stand-in: a WS-Management server that speaks WinRM's
// wire protocol as Windows does at its defaults (NTLM and Kerberos logins with sealed messages,
// Basic, TLS, SOAP faults, Enumerate and Pull, MaxEnvelopeSize), in front of an IPAM engine that
// enforces the documented rules of MSFT_IPAM_AddressSpace and its four methods, backed by SQLite,
// with fault injection for tests and demos. "terraform-provider-ipam emulator" runs it (Main);
// Start runs one in-process. It reuses the codecs of internal/wsman and knows nothing of Terraform.
//
// server.go and enumerate.go answer the WS-Management messages, auth.go, ntlm.go, kerberos.go and
// sealing.go log clients in and seal, codec.go maps the class, engine.go holds the IPAM rules,
// store.go the database, and faults.go the injected faults.
package emulator
