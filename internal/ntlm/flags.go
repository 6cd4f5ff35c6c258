package ntlm

// negotiateFlags is the NEGOTIATE structure of [MS-NLMP] 2.2.2.5: what a side asks for, offers or
// has agreed to.
type negotiateFlags uint32

// The flags this package reads or writes ([MS-NLMP] 2.2.2.5; the letter is the spec's bit name).
const (
	flagUnicode         negotiateFlags = 0x00000001 // A
	flagOEM             negotiateFlags = 0x00000002 // B
	flagRequestTarget   negotiateFlags = 0x00000004 // C
	flagSign            negotiateFlags = 0x00000010 // D
	flagSeal            negotiateFlags = 0x00000020 // E
	flagDatagram        negotiateFlags = 0x00000040 // F
	flagLMKey           negotiateFlags = 0x00000080 // G
	flagNTLM            negotiateFlags = 0x00000200 // H
	flagAlwaysSign      negotiateFlags = 0x00008000 // M
	flagTargetDomain    negotiateFlags = 0x00010000 // N
	flagTargetServer    negotiateFlags = 0x00020000 // O
	flagESS             negotiateFlags = 0x00080000 // P: extended session security
	flagNonNTSessionKey negotiateFlags = 0x00400000 // R
	flagTargetInfo      negotiateFlags = 0x00800000 // S
	flagVersion         negotiateFlags = 0x02000000 // T
	flag128             negotiateFlags = 0x20000000 // U
	flagKeyExch         negotiateFlags = 0x40000000 // V
	flag56              negotiateFlags = 0x80000000 // W
)

// has reports whether every flag in want is set.
func (f negotiateFlags) has(want negotiateFlags) bool { return f&want == want }

// clientFlags is what the client asks for in its NEGOTIATE_MESSAGE: the flags [MS-NLMP]
// 3.1.5.1.1 always sets, plus Integrity and Confidentiality with 128-bit keys and key exchange,
// as Windows clients and WinRM's own client do.
const clientFlags = flagUnicode | flagRequestTarget | flagSign | flagSeal | flagNTLM | flagAlwaysSign |
	flagESS | flagTargetInfo | flagVersion | flag128 | flagKeyExch | flag56

// serverFlags is what the server supports (CfgFlg, [MS-NLMP] 3.2.1.1); it grants the ones a client
// asks for ([MS-NLMP] 3.2.5.1.1). LM keys, OEM strings and datagrams are not among them.
const serverFlags = flagUnicode | flagRequestTarget | flagSign | flagSeal | flagNTLM | flagAlwaysSign |
	flagESS | flagTargetInfo | flagVersion | flag128 | flagKeyExch | flag56

// sealingFlags is what sealing needs: SEAL with extended session security, whose sealing keys are
// the only ones this package derives ([MS-NLMP] 3.4.5.3), SIGN for the signing keys, and 128-bit
// keys, which modern Windows requires (ServerRequire128bitEncryption, [MS-NLMP] 3.2.1.1 <60>).
const sealingFlags = flagSign | flagSeal | flagESS | flag128

// keyFlags are the flags that change the keys: an AUTHENTICATE_MESSAGE may not claim any of them
// that the CHALLENGE_MESSAGE did not grant.
const keyFlags = flagSign | flagSeal | flagESS | flag128 | flag56 | flagKeyExch | flagLMKey |
	flagDatagram | flagNonNTSessionKey
