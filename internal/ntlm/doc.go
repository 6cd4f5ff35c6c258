// Package ntlm speaks NTLMv2 ([MS-NLMP]) as a client and as a server, with the session security
// (message sealing and signing, [MS-NLMP] 3.4) that WinRM over plain HTTP requires after login.
//
// The client side (Client) writes the NEGOTIATE and AUTHENTICATE messages a Windows client would,
// including the MIC and the channel binding AV pair. The server side (Server, Acceptor) plays a
// Windows host: it issues challenges, checks NTLMv2 responses, the MIC and channel bindings. Both
// return a Session that seals and unseals the messages of one connection, in order.
//
// Only what WinRM uses is implemented: connection-oriented NTLMv2 with Unicode strings, extended
// session security and key exchange. NTLMv1, LM, anonymous logons and connectionless (datagram)
// NTLM are refused.
package ntlm
