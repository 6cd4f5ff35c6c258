package kerberos

import (
	"encoding/asn1"
	"fmt"
)

// SPNEGO negotiation states (RFC 4178 section 4.2.2).
const (
	negAcceptCompleted  = 0
	negAcceptIncomplete = 1
	negReject           = 2
	negRequestMIC       = 3
)

// negTokenInit is RFC 4178 section 4.2.1's NegTokenInit.
type negTokenInit struct {
	MechTypes   []asn1.ObjectIdentifier `asn1:"explicit,tag:0"`
	ReqFlags    asn1.BitString          `asn1:"explicit,optional,tag:1"`
	MechToken   []byte                  `asn1:"explicit,optional,tag:2"`
	MechListMIC []byte                  `asn1:"explicit,optional,tag:3"`
}

// negTokenRespOut is RFC 4178 section 4.2.2's NegTokenResp as this package sends it: negState is
// always present, so it cannot be an optional field (encoding/asn1 would drop the value 0).
type negTokenRespOut struct {
	NegState      asn1.Enumerated       `asn1:"explicit,tag:0"`
	SupportedMech asn1.ObjectIdentifier `asn1:"explicit,optional,tag:1"`
	ResponseToken []byte                `asn1:"explicit,optional,tag:2"`
	MechListMIC   []byte                `asn1:"explicit,optional,tag:3"`
}

// negTokenRespIn is NegTokenResp as received: negState may be absent (RFC 4178 section 4.2.2).
type negTokenRespIn struct {
	NegState      asn1.RawValue         `asn1:"explicit,optional,tag:0"`
	SupportedMech asn1.ObjectIdentifier `asn1:"explicit,optional,tag:1"`
	ResponseToken []byte                `asn1:"explicit,optional,tag:2"`
	MechListMIC   []byte                `asn1:"explicit,optional,tag:3"`
}

// negTokenResp is a parsed NegTokenResp; state is -1 when negState was absent.
type negTokenResp struct {
	state         int
	supportedMech asn1.ObjectIdentifier
	responseToken []byte
	mechListMIC   []byte
}

// choice wraps a NegTokenInit ([0]) or NegTokenResp ([1]) as a NegotiationToken (RFC 4178 section 4.2).
func choice(tag int, v any) ([]byte, error) {
	b, err := asn1.Marshal(v)
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: tag, IsCompound: true, Bytes: b})
}

// unchoice returns the alternative's tag and contents of a NegotiationToken.
func unchoice(b []byte) (int, []byte, error) {
	var raw asn1.RawValue
	rest, err := asn1.Unmarshal(b, &raw)
	if err != nil || len(rest) != 0 || raw.Class != asn1.ClassContextSpecific || !raw.IsCompound {
		return 0, nil, fmt.Errorf("%w: not an SPNEGO NegotiationToken", ErrMalformed)
	}
	return raw.Tag, raw.Bytes, nil
}

// spnegoInit frames a Kerberos context token as SPNEGO's initial token, offering Kerberos alone
// (RFC 4178 section 4.2.1). It also returns the DER of the mechanism list, which a mechListMIC
// covers (RFC 4178 section 5).
func spnegoInit(mechToken []byte) (token, mechTypes []byte, err error) {
	mechs := []asn1.ObjectIdentifier{oidKRB5}
	if mechTypes, err = asn1.Marshal(mechs); err != nil {
		return nil, nil, err
	}
	init, err := choice(0, negTokenInit{MechTypes: mechs, MechToken: mechToken})
	if err != nil {
		return nil, nil, err
	}
	token, err = gssFrame(oidSPNEGO, init)
	return token, mechTypes, err
}

// parseSPNEGOInit reads the NegotiationToken inside an SPNEGO initial context token.
func parseSPNEGOInit(inner []byte) (negTokenInit, error) {
	var n negTokenInit
	tag, body, err := unchoice(inner)
	if err != nil {
		return n, err
	}
	if tag != 0 {
		return n, fmt.Errorf("%w: SPNEGO token is not a NegTokenInit", ErrMalformed)
	}
	if rest, err := asn1.Unmarshal(body, &n); err != nil || len(rest) != 0 {
		return n, fmt.Errorf("%w: SPNEGO NegTokenInit: %v", ErrMalformed, err)
	}
	return n, nil
}

// spnegoResp builds a NegTokenResp.
func spnegoResp(state int, mech asn1.ObjectIdentifier, responseToken, mic []byte) ([]byte, error) {
	return choice(1, negTokenRespOut{NegState: asn1.Enumerated(state), SupportedMech: mech, ResponseToken: responseToken, MechListMIC: mic})
}

// parseSPNEGOResp reads a NegTokenResp, which travels without the GSS-API framing (RFC 4178
// section 4.2).
func parseSPNEGOResp(b []byte) (negTokenResp, error) {
	r := negTokenResp{state: -1}
	tag, body, err := unchoice(b)
	if err != nil {
		return r, err
	}
	if tag != 1 {
		return r, fmt.Errorf("%w: SPNEGO token is not a NegTokenResp", ErrMalformed)
	}
	var in negTokenRespIn
	if rest, err := asn1.Unmarshal(body, &in); err != nil || len(rest) != 0 {
		return r, fmt.Errorf("%w: SPNEGO NegTokenResp: %v", ErrMalformed, err)
	}
	if len(in.NegState.FullBytes) != 0 {
		var st asn1.Enumerated
		if rest, err := asn1.Unmarshal(in.NegState.Bytes, &st); err != nil || len(rest) != 0 {
			return r, fmt.Errorf("%w: SPNEGO negState: %v", ErrMalformed, err)
		}
		r.state = int(st)
	}
	r.supportedMech, r.responseToken, r.mechListMIC = in.SupportedMech, in.ResponseToken, in.MechListMIC
	return r, nil
}
