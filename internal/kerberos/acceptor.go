package kerberos

import (
	"encoding/asn1"
	"fmt"

	"github.com/jcmturner/gokrb5/v8/credentials"
	"github.com/jcmturner/gokrb5/v8/crypto"
	krbflags "github.com/jcmturner/gokrb5/v8/iana/flags"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/service"
	"github.com/jcmturner/gokrb5/v8/types"
)

// Acceptor is the service's side: it checks AP-REQs against the service's keys, as WinRM does
// with the computer account's, and answers them.
type Acceptor struct {
	settings *service.Settings
	policy   BindingPolicy
	// sendMIC adds an SPNEGO mechListMIC to the answer, which RFC 4178 section 5 makes optional
	// here; tests use it to exercise the initiator's check.
	sendMIC bool
}

// NewAcceptor returns an Acceptor that verifies tickets with settings (its keytab, clock skew,
// PAC decoding; gokrb5's service.NewSettings) and treats channel bindings per policy.
func NewAcceptor(settings *service.Settings, policy BindingPolicy) *Acceptor {
	return &Acceptor{settings: settings, policy: policy}
}

// Accepted is an established context on the acceptor's side.
type Accepted struct {
	// User and Realm name the client (its principal's name and realm).
	User, Realm string
	// Response goes back in the WWW-Authenticate header under the request's scheme: the AP-REP,
	// in an SPNEGO NegTokenResp for Negotiate. It is nil only for a bare Kerberos token that did
	// not ask for mutual authentication.
	Response []byte
	// Session seals and unseals the connection's messages.
	Session *Session
}

// Accept verifies a token from an Authorization header under the scheme and answers it. bindings
// is the channel's hash (ChannelBindingsHash), nil over plain HTTP. A client that asked for mutual
// authentication gets an AP-REP with a fresh acceptor subkey and sequence number, which key the
// Session; one that did not gets no AP-REP, and the Session uses its subkey and its sequence number
// in both directions, as MIT's acceptor does (RFC 4121 section 2). Errors wrap ErrMalformed
// for a token that does not parse, ErrRejected for a ticket or authenticator that does not verify,
// ErrChannelBindings and ErrEncType.
func (a *Acceptor) Accept(s Scheme, token, bindings []byte) (*Accepted, error) {
	if err := checkBindingsLen(bindings); err != nil {
		return nil, err
	}
	in, err := a.unpack(s, token)
	if err != nil {
		return nil, err
	}
	if string(in.tokID) != string(tokAPReq) {
		return nil, fmt.Errorf("%w: token ID %x where an AP-REQ was expected", ErrMalformed, in.tokID)
	}
	var apreq messages.APReq
	if err := safely(func() error { return apreq.Unmarshal(in.msg) }); err != nil {
		return nil, fmt.Errorf("%w: AP-REQ: %w", ErrMalformed, err)
	}
	var ok bool
	var creds *credentials.Credentials
	err = safely(func() (err error) {
		ok, creds, err = service.VerifyAPREQ(&apreq, a.settings)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRejected, err)
	}
	if !ok || creds == nil {
		return nil, fmt.Errorf("%w: the ticket was refused", ErrRejected)
	}
	auth := apreq.Authenticator
	var bnd [16]byte
	var gssFlags uint32
	switch auth.Cksum.CksumType {
	case cksumTypeGSS:
		if bnd, gssFlags, err = parseGSSChecksum(auth.Cksum.Checksum); err != nil {
			return nil, err
		}
	case 0:
		// No checksum: no flags and no bindings ([MS-KILE] 3.4.5).
	default:
		return nil, fmt.Errorf("%w: authenticator checksum type %d is not RFC 4121's", ErrMalformed, auth.Cksum.CksumType)
	}
	if err := checkBindings(a.policy, bindings, bnd); err != nil {
		return nil, err
	}
	initSeq, err := seq32(auth.SeqNumber)
	if err != nil {
		return nil, err
	}
	ticketKey := apreq.Ticket.DecryptedEncPart.Key
	initKey := ticketKey
	if len(auth.SubKey.KeyValue) != 0 {
		initKey = auth.SubKey
	}
	acc := &Accepted{User: creds.UserName(), Realm: creds.Domain()}

	mutual := mutualRequired(apreq.APOptions.Bytes) || gssFlags&gssFlagMutual != 0
	var apRepToken []byte
	if !mutual {
		if acc.Session, err = newSession(initKey, false, false, uint64(initSeq), uint64(initSeq)); err != nil {
			return nil, err
		}
	} else if apRepToken, acc.Session, err = apRep(in.mech, ticketKey, initKey.KeyType, auth, initSeq); err != nil {
		return nil, err
	}
	if in.bare {
		acc.Response = apRepToken
		return acc, nil
	}
	var mic []byte
	if a.sendMIC {
		if mic, err = acc.Session.mic(in.mechTypes); err != nil {
			return nil, err
		}
	}
	if acc.Response, err = spnegoResp(negAcceptCompleted, in.supportedMech, apRepToken, mic); err != nil {
		return nil, err
	}
	return acc, nil
}

// apRep builds the AP-REP token with a fresh acceptor subkey of the initiator's key type (the
// client's subkey, else the ticket's session key) and sequence number, and the Session they key;
// the EncAPRepPart is encrypted in the ticket's session key (RFC 4120 section 5.5.2).
func apRep(mech asn1.ObjectIdentifier, ticketKey types.EncryptionKey, keyType int32, auth types.Authenticator, initSeq uint32) ([]byte, *Session, error) {
	// Refuse a key type that cannot seal before making keys of it.
	if _, err := sealingEtype(keyType); err != nil {
		return nil, nil, err
	}
	et, err := crypto.GetEtype(keyType)
	if err != nil {
		return nil, nil, err
	}
	subkey, err := types.GenerateEncryptionKey(et)
	if err != nil {
		return nil, nil, fmt.Errorf("kerberos: generating the acceptor subkey: %w", err)
	}
	seq, err := randomSeq()
	if err != nil {
		return nil, nil, err
	}
	rep, err := makeAPRep(ticketKey, apRepPart{ctime: auth.CTime, cusec: auth.Cusec, subkey: &subkey, seq: seq})
	if err != nil {
		return nil, nil, err
	}
	sess, err := newSession(subkey, false, true, uint64(seq), uint64(initSeq))
	if err != nil {
		return nil, nil, err
	}
	tok, err := krb5Token(mech, tokAPRep, rep)
	return tok, sess, err
}

// mutualRequired reads the mutual-required bit of AP-REQ's ap-options (RFC 4120 section 5.5.1:
// bit 2 of a KerberosFlags bit string). gokrb5's types.IsFlagSet would panic on a short bit string,
// and ap-options are not integrity-protected, so anyone on the path can shorten them.
func mutualRequired(apOptions []byte) bool {
	return len(apOptions) > 0 && apOptions[0]&(0x80>>krbflags.APOptionMutualRequired) != 0
}

// acceptorInput is a client's Kerberos token and how to frame the answer.
type acceptorInput struct {
	mech  asn1.ObjectIdentifier // the OID the client's token used, which the AP-REP token repeats
	tokID []byte
	msg   []byte
	// bare is set when the answer is a bare Kerberos token; else it is a NegTokenResp naming
	// supportedMech and with a MIC over mechTypes.
	bare          bool
	supportedMech asn1.ObjectIdentifier
	mechTypes     []byte
}

// unpack finds the Kerberos token in what a client sent. Under Negotiate it also takes a bare
// Kerberos token, as MIT's and Windows' acceptors do, and answers it bare.
func (a *Acceptor) unpack(s Scheme, token []byte) (acceptorInput, error) {
	var in acceptorInput
	mech, inner, err := gssUnframe(token)
	if err != nil {
		return in, err
	}
	switch {
	case isKRB5(mech):
		in.bare = true
		in.mech, in.tokID, in.msg, err = parseKRB5Token(token)
		return in, err
	case s == Kerberos:
		return in, fmt.Errorf("%w: mechanism %s under the Kerberos scheme", ErrMalformed, mech)
	case !mech.Equal(oidSPNEGO):
		return in, fmt.Errorf("%w: mechanism %s is neither SPNEGO nor Kerberos", ErrMalformed, mech)
	}
	init, err := parseSPNEGOInit(inner)
	if err != nil {
		return in, err
	}
	// The optimistic token is for the client's first mechanism (RFC 4178 section 4.2.1); a client
	// that prefers another (NTLM) would need a round this acceptor does not make.
	if len(init.MechTypes) == 0 || !isKRB5(init.MechTypes[0]) {
		return in, fmt.Errorf("%w: the client does not offer Kerberos first", ErrRejected)
	}
	if len(init.MechToken) == 0 {
		return in, fmt.Errorf("%w: the SPNEGO NegTokenInit carries no Kerberos token", ErrMalformed)
	}
	// Windows clients that offer the truncated OID first want it back ([MS-SPNG] 3.1.5.2, <9>).
	in.supportedMech = init.MechTypes[0]
	if in.mechTypes, err = asn1.Marshal(init.MechTypes); err != nil {
		return in, err
	}
	in.mech, in.tokID, in.msg, err = parseKRB5Token(init.MechToken)
	return in, err
}
