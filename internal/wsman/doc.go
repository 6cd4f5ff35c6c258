// Package wsman speaks generic WS-Management (WinRM), both ways: SOAP 1.2 envelopes for CIM method
// invocation, WS-Transfer Get and WS-Enumeration (Enumerate, Pull, Release), CIM value encoding and
// SOAP faults, as Windows' WinRM service reads and writes them ([MS-WSMV], DSP0226, DSP0230), and a
// client that carries them over HTTP(S) with Basic, certificate, NTLM or Kerberos logins and message
// sealing. It knows nothing of IPAM or Terraform; both the IPAM client and the emulator build on it.
//
// The files follow the message kinds, as net/http's do: envelope.go (header, marshalling, parsing),
// invoke.go, enumerate.go (Enumerate, Pull, Release), get.go, identify.go, fault.go and
// fault_codes.go; cim.go holds instance values; client.go, conn.go, transport.go, retry.go and
// errors.go the HTTP client; auth*.go, channel_binding.go and encryption.go the logins and sealing.
package wsman
