package kerberos

import (
	"bytes"
	"encoding/asn1"
	"fmt"
)

// Mechanism OIDs.
var (
	// oidKRB5 is the Kerberos v5 GSS-API mechanism (RFC 1964, RFC 4121).
	oidKRB5 = asn1.ObjectIdentifier{1, 2, 840, 113554, 1, 2, 2}
	// oidMSKRB5 is the truncated Kerberos OID that Windows also offers and accepts; a Windows
	// client that offers it first expects it back as the supportedMech ([MS-SPNG] 3.1.5.2, <9>).
	oidMSKRB5 = asn1.ObjectIdentifier{1, 2, 840, 48018, 1, 2, 2}
	// oidSPNEGO is SPNEGO (RFC 4178).
	oidSPNEGO = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 2}
)

// Token IDs that follow the OID in a Kerberos context token (RFC 4121 section 4.1).
var (
	tokAPReq = []byte{0x01, 0x00}
	tokAPRep = []byte{0x02, 0x00}
	tokError = []byte{0x03, 0x00}
)

func isKRB5(oid asn1.ObjectIdentifier) bool { return oid.Equal(oidKRB5) || oid.Equal(oidMSKRB5) }

// gssFrame wraps an inner token in the mechanism-independent framing of RFC 2743 section 3.1:
// [APPLICATION 0] IMPLICIT SEQUENCE { thisMech OID, innerContextToken }.
func gssFrame(mech asn1.ObjectIdentifier, inner ...[]byte) ([]byte, error) {
	oid, err := asn1.Marshal(mech)
	if err != nil {
		return nil, err
	}
	body := append(oid, bytes.Join(inner, nil)...)
	return asn1.Marshal(asn1.RawValue{Class: asn1.ClassApplication, Tag: 0, IsCompound: true, Bytes: body})
}

// gssUnframe splits a token framed as in RFC 2743 section 3.1 into its mechanism and inner token.
func gssUnframe(b []byte) (asn1.ObjectIdentifier, []byte, error) {
	var raw asn1.RawValue
	rest, err := asn1.Unmarshal(b, &raw)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: not a GSS-API token: %v", ErrMalformed, err)
	}
	if len(rest) != 0 || raw.Class != asn1.ClassApplication || raw.Tag != 0 || !raw.IsCompound {
		return nil, nil, fmt.Errorf("%w: not a GSS-API token", ErrMalformed)
	}
	var mech asn1.ObjectIdentifier
	inner, err := asn1.Unmarshal(raw.Bytes, &mech)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: GSS-API token without a mechanism: %v", ErrMalformed, err)
	}
	return mech, inner, nil
}

// krb5Token frames a Kerberos message as a Kerberos mechanism context token (RFC 4121 section 4.1).
func krb5Token(mech asn1.ObjectIdentifier, tokID, msg []byte) ([]byte, error) {
	return gssFrame(mech, tokID, msg)
}

// parseKRB5Token returns the mechanism OID, token ID and Kerberos message of a context token.
func parseKRB5Token(b []byte) (mech asn1.ObjectIdentifier, tokID, msg []byte, err error) {
	mech, inner, err := gssUnframe(b)
	if err != nil {
		return nil, nil, nil, err
	}
	if !isKRB5(mech) {
		return nil, nil, nil, fmt.Errorf("%w: mechanism %s is not Kerberos", ErrMalformed, mech)
	}
	if len(inner) < 2 {
		return nil, nil, nil, fmt.Errorf("%w: Kerberos token without a token ID", ErrMalformed)
	}
	return mech, inner[:2], inner[2:], nil
}
