package kerberos

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jcmturner/gokrb5/v8/client"
	"github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/iana/chksumtype"
	krbflags "github.com/jcmturner/gokrb5/v8/iana/flags"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/types"
)

// Initiator is the client's half of one context: it holds the AP-REQ sent to the server and
// what is needed to check the server's AP-REP. Use it for one context only.
type Initiator struct {
	spn        string
	sessionKey types.EncryptionKey
	subkey     types.EncryptionKey
	ctime      time.Time
	cusec      int
	seq        uint32
	krb5Token  []byte
	spnego     []byte
	mechTypes  []byte

	mu   sync.Mutex
	done bool
}

// initiatorFlags are the GSS flags the initiator asks for (RFC 4121 section 4.1.1.1): mutual
// authentication, so that the acceptor's AP-REP gives the keys that seal; replay and sequence
// detection, which Session enforces; confidentiality and integrity, which sealing is.
const initiatorFlags = gssFlagMutual | gssFlagReplay | gssFlagSequence | gssFlagConf | gssFlagInteg

// NewInitiator gets a service ticket for spn (logging cl in first if needed) and builds the AP-REQ:
// mutual authentication required, an authenticator with a fresh subkey and sequence number, and
// the RFC 4121 checksum carrying bindings, the channel bindings hash of ChannelBindingsHash (nil
// without a TLS channel). Errors keep gokrb5's words, such as KDC_ERR_PREAUTH_FAILED.
func NewInitiator(cl *client.Client, spn string, bindings []byte) (*Initiator, error) {
	if err := checkBindingsLen(bindings); err != nil {
		return nil, err
	}
	if err := cl.AffirmLogin(); err != nil {
		return nil, fmt.Errorf("kerberos: login to realm %s: %w", cl.Credentials.Domain(), err)
	}
	tkt, sessionKey, err := cl.GetServiceTicket(spn)
	if err != nil {
		return nil, fmt.Errorf("kerberos: service ticket for %s: %w", spn, err)
	}
	return newInitiator(spn, cl.Credentials.Domain(), cl.Credentials.CName(), tkt, sessionKey, bindings)
}

// newInitiator builds the AP-REQ for a ticket of the client crealm/cname.
func newInitiator(spn, crealm string, cname types.PrincipalName, tkt messages.Ticket, sessionKey types.EncryptionKey, bindings []byte) (*Initiator, error) {
	et, err := crypto.GetEtype(sessionKey.KeyType)
	if err != nil {
		return nil, fmt.Errorf("kerberos: session key for %s: %w", spn, err)
	}
	i := &Initiator{spn: spn, sessionKey: sessionKey}
	// The subkey has the session key's type, as MIT's initiator chooses it.
	if i.subkey, err = types.GenerateEncryptionKey(et); err != nil {
		return nil, fmt.Errorf("kerberos: generating a subkey: %w", err)
	}
	if i.seq, err = randomSeq(); err != nil {
		return nil, err
	}
	i.ctime, i.cusec = authenticatorTime()
	auth := types.Authenticator{
		AVNO:      pvno,
		CRealm:    crealm,
		CName:     cname,
		Cksum:     types.Checksum{CksumType: chksumtype.GSSAPI, Checksum: gssChecksum(bindings, initiatorFlags)},
		CTime:     i.ctime,
		Cusec:     i.cusec,
		SubKey:    i.subkey,
		SeqNumber: int64(i.seq),
	}
	apreq, err := messages.NewAPReq(tkt, sessionKey, auth)
	if err != nil {
		return nil, fmt.Errorf("kerberos: AP-REQ for %s: %w", spn, err)
	}
	types.SetFlag(&apreq.APOptions, krbflags.APOptionMutualRequired)
	der, err := apreq.Marshal()
	if err != nil {
		return nil, fmt.Errorf("kerberos: AP-REQ for %s: %w", spn, err)
	}
	if i.krb5Token, err = krb5Token(oidKRB5, tokAPReq, der); err != nil {
		return nil, err
	}
	if i.spnego, i.mechTypes, err = spnegoInit(i.krb5Token); err != nil {
		return nil, err
	}
	return i, nil
}

// Token returns the token to send in the Authorization header under the scheme: an SPNEGO
// NegTokenInit offering Kerberos for Negotiate, the bare Kerberos AP-REQ token for Kerberos.
func (i *Initiator) Token(s Scheme) []byte {
	if s == Kerberos {
		return i.krb5Token
	}
	return i.spnego
}

// Complete checks the server's answer, sent under the same scheme, and returns the Session that
// seals messages. The answer must carry the AP-REP: with mutual authentication required, the
// acceptor picks its own subkey and sequence number ([MS-KILE] 3.1.1.2, RFC 4121 section 2),
// which only the AP-REP tells, so without it there is nothing to seal with. The AP-REP proves that
// the server holds the service's key; Complete checks that it answers this AP-REQ (RFC 4120
// section 3.2.5).
func (i *Initiator) Complete(s Scheme, token []byte) (*Session, error) {
	if err := i.finish(); err != nil {
		return nil, err
	}
	rep, mic, err := i.serverReply(s, token)
	if err != nil {
		return nil, err
	}
	if rep == nil {
		return nil, fmt.Errorf("%w: %s sent no AP-REP, so no session keys", ErrMutualAuth, i.spn)
	}
	// RFC 4121 section 2: the acceptor's subkey if it sent one, else the initiator's.
	key, acceptorSubkey := i.subkey, false
	if rep.subkey != nil {
		key, acceptorSubkey = *rep.subkey, true
	}
	sess, err := newSession(key, true, acceptorSubkey, uint64(i.seq), uint64(rep.seq))
	if err != nil {
		return nil, err
	}
	if mic != nil {
		// A mechListMIC consumes one of the acceptor's sequence numbers, as in MIT's SPNEGO.
		if err := sess.verifyMIC(i.mechTypes, mic); err != nil {
			return nil, fmt.Errorf("%w: SPNEGO mechListMIC: %w", ErrMutualAuth, err)
		}
	}
	return sess, nil
}

// Authenticated is Complete for callers that need no sealing, as over HTTPS: it refuses a
// rejection and checks an AP-REP when the answer carries one, but takes an answer with none (an
// empty token, or SPNEGO's accept-completed alone). It returns whether the server proved itself
// with an AP-REP; when it did not, only TLS vouches for the server.
func (i *Initiator) Authenticated(s Scheme, token []byte) (mutual bool, err error) {
	if err := i.finish(); err != nil {
		return false, err
	}
	if len(token) == 0 {
		return false, nil
	}
	rep, _, err := i.serverReply(s, token)
	return rep != nil, err
}

// finish marks the context as completed: a second answer to one AP-REQ is refused.
func (i *Initiator) finish() error {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.done {
		return errors.New("kerberos: this context is already complete")
	}
	i.done = true
	return nil
}

// serverReply unpacks the server's token and checks the AP-REP in it, if any. It also returns an
// SPNEGO mechListMIC, which needs the session to check.
func (i *Initiator) serverReply(s Scheme, token []byte) (rep *apRepPart, mic []byte, err error) {
	mechToken := token
	if s == Negotiate && (len(token) == 0 || token[0] != 0x60) {
		resp, err := parseSPNEGOResp(token)
		if err != nil {
			return nil, nil, err
		}
		switch resp.state {
		case negReject:
			// A KRB-ERROR in the reject says why (RFC 4121 section 4.1, [MS-KILE] 3.4.5).
			if _, tokID, msg, err := parseKRB5Token(resp.responseToken); err == nil && string(tokID) == string(tokError) {
				return nil, nil, fmt.Errorf("%w: %s rejected the Kerberos context (SPNEGO reject): %w", ErrRejected, i.spn, krbError(msg))
			}
			return nil, nil, fmt.Errorf("%w: %s rejected the Kerberos context (SPNEGO reject)", ErrRejected, i.spn)
		case negAcceptIncomplete, negRequestMIC:
			return nil, nil, fmt.Errorf("%w: %s asks for another SPNEGO round (negState %d), which this client does not make",
				ErrMalformed, i.spn, resp.state)
		}
		if resp.supportedMech != nil && !isKRB5(resp.supportedMech) {
			return nil, nil, fmt.Errorf("%w: %s chose mechanism %s, not Kerberos", ErrRejected, i.spn, resp.supportedMech)
		}
		if len(resp.responseToken) == 0 {
			return nil, nil, nil
		}
		mechToken, mic = resp.responseToken, resp.mechListMIC
	}
	_, tokID, msg, err := parseKRB5Token(mechToken)
	if err != nil {
		return nil, nil, err
	}
	switch string(tokID) {
	case string(tokAPRep):
	case string(tokError):
		return nil, nil, fmt.Errorf("%w: %s answered: %w", ErrRejected, i.spn, krbError(msg))
	default:
		return nil, nil, fmt.Errorf("%w: token ID %x where an AP-REP was expected", ErrMalformed, tokID)
	}
	p, err := parseAPRep(msg, i.sessionKey)
	if err != nil {
		return nil, nil, err
	}
	if p.ctime.Unix() != i.ctime.Unix() || p.cusec != i.cusec {
		return nil, nil, fmt.Errorf("%w: the AP-REP answers another authenticator (RFC 4120 section 3.2.5)", ErrMutualAuth)
	}
	return &p, mic, nil
}

// krbError decodes a KRB-ERROR for its text; gokrb5 names the error code as RFC 4120 section
// 7.5.9 does.
func krbError(msg []byte) error {
	var ke messages.KRBError
	if err := safely(func() error { return ke.Unmarshal(msg) }); err != nil {
		return fmt.Errorf("%w: KRB-ERROR: %w", ErrMalformed, err)
	}
	return ke
}

// safely runs a gokrb5 decoder, whose ASN.1 decoding is not hardened against hostile input:
// a panic becomes an error.
func safely(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", ErrMalformed, r)
		}
	}()
	return f()
}

// checkBindingsLen refuses a channel bindings hash that is not MD5's 16 bytes (RFC 4121 section 4.1.1.2).
func checkBindingsLen(bindings []byte) error {
	if bindings != nil && len(bindings) != 16 {
		return fmt.Errorf("kerberos: channel bindings hash of %d bytes, want 16 (MD5)", len(bindings))
	}
	return nil
}

// clock hands out authenticator times.
var clock struct {
	sync.Mutex
	last int64
}

// authenticatorTime returns the time for a new authenticator, to the microsecond, later than any
// it returned before: a replay cache tells one client's authenticators apart by ctime and cusec
// alone (RFC 4120 section 3.2.3), so two contexts made in one microsecond would collide.
func authenticatorTime() (time.Time, int) {
	clock.Lock()
	defer clock.Unlock()
	us := time.Now().UnixMicro()
	if us <= clock.last {
		us = clock.last + 1
	}
	clock.last = us
	t := time.UnixMicro(us).UTC()
	return t.Truncate(time.Second), t.Nanosecond() / 1000
}

// randomSeq returns an initial sequence number. Like MIT (krb5_generate_seq_number), it keeps to
// 30 bits, which every peer decodes the same whether it reads the UInt32 as signed or not, and
// avoids 0, which some encoders omit (RFC 4120 section 5.5.1).
func randomSeq() (uint32, error) {
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return 0, fmt.Errorf("kerberos: random sequence number: %w", err)
	}
	return max(binary.BigEndian.Uint32(b[:])&0x3fffffff, 1), nil
}
