package kerberos

import (
	"encoding/asn1"
	"fmt"
	"math"
	"time"

	"github.com/jcmturner/gokrb5/v8/crypto"
	"github.com/jcmturner/gokrb5/v8/iana/keyusage"
	"github.com/jcmturner/gokrb5/v8/types"
)

// ASN.1 of the AP-REP (RFC 4120 section 5.5.2), which gokrb5 v8 can read but not write. The
// standard library's decoder is used for reading too: it does not panic on hostile input.
type (
	encryptionKeyASN struct {
		KeyType  int32  `asn1:"explicit,tag:0"`
		KeyValue []byte `asn1:"explicit,tag:1"`
	}
	encryptedDataASN struct {
		EType  int32  `asn1:"explicit,tag:0"`
		KVNO   int    `asn1:"optional,explicit,tag:1"`
		Cipher []byte `asn1:"explicit,tag:2"`
	}
	apRepASN struct {
		PVNO    int              `asn1:"explicit,tag:0"`
		MsgType int              `asn1:"explicit,tag:1"`
		EncPart encryptedDataASN `asn1:"explicit,tag:2"`
	}
	encAPRepPartASN struct {
		CTime     time.Time        `asn1:"generalized,explicit,tag:0"`
		Cusec     int              `asn1:"explicit,tag:1"`
		Subkey    encryptionKeyASN `asn1:"optional,explicit,tag:2"`
		SeqNumber int64            `asn1:"optional,explicit,tag:3"`
	}
)

// Application tags and message type of RFC 4120 section 5.10 and 7.5.7.
const (
	appAPRep        = "application,explicit,tag:15"
	appEncAPRepPart = "application,explicit,tag:27"
	msgTypeAPRep    = 15
	pvno            = 5
)

// apRepPart is what an AP-REP tells the initiator (RFC 4120 section 5.5.2).
type apRepPart struct {
	ctime  time.Time
	cusec  int
	subkey *types.EncryptionKey
	seq    uint32
}

// makeAPRep builds an AP-REP whose EncAPRepPart, encrypted in the ticket's session key with key
// usage 12, repeats the authenticator's ctime and cusec and carries the acceptor's subkey and
// initial sequence number (RFC 4120 sections 3.2.4 and 5.5.2, RFC 4121 section 4.1).
func makeAPRep(sessionKey types.EncryptionKey, p apRepPart) ([]byte, error) {
	part := encAPRepPartASN{CTime: p.ctime.UTC().Truncate(time.Second), Cusec: p.cusec, SeqNumber: int64(p.seq)}
	if p.subkey != nil {
		part.Subkey = encryptionKeyASN{KeyType: p.subkey.KeyType, KeyValue: p.subkey.KeyValue}
	}
	plain, err := asn1.MarshalWithParams(part, appEncAPRepPart)
	if err != nil {
		return nil, fmt.Errorf("kerberos: encoding EncAPRepPart: %w", err)
	}
	ed, err := crypto.GetEncryptedData(plain, sessionKey, keyusage.AP_REP_ENCPART, 0)
	if err != nil {
		return nil, fmt.Errorf("kerberos: encrypting EncAPRepPart: %w", err)
	}
	rep := apRepASN{PVNO: pvno, MsgType: msgTypeAPRep, EncPart: encryptedDataASN{EType: ed.EType, Cipher: ed.Cipher}}
	return asn1.MarshalWithParams(rep, appAPRep)
}

// parseAPRep decrypts an AP-REP with the ticket's session key (key usage 12) and reads its
// EncAPRepPart (RFC 4120 section 5.5.2).
func parseAPRep(b []byte, sessionKey types.EncryptionKey) (apRepPart, error) {
	var p apRepPart
	var rep apRepASN
	if rest, err := asn1.UnmarshalWithParams(b, &rep, appAPRep); err != nil || len(rest) != 0 {
		return p, fmt.Errorf("%w: AP-REP: %v", ErrMalformed, err)
	}
	if rep.PVNO != pvno || rep.MsgType != msgTypeAPRep {
		return p, fmt.Errorf("%w: AP-REP of version %d and type %d", ErrMalformed, rep.PVNO, rep.MsgType)
	}
	if rep.EncPart.EType != sessionKey.KeyType {
		return p, fmt.Errorf("%w: the AP-REP is encrypted with etype %d, the session key is etype %d", ErrMutualAuth, rep.EncPart.EType, sessionKey.KeyType)
	}
	// gokrb5's decryption slices off the checksum before checking the length.
	if len(rep.EncPart.Cipher) < 32 {
		return p, fmt.Errorf("%w: the AP-REP's encrypted part is too short", ErrMalformed)
	}
	plain, err := crypto.DecryptMessage(rep.EncPart.Cipher, sessionKey, keyusage.AP_REP_ENCPART)
	if err != nil {
		return p, fmt.Errorf("%w: the AP-REP does not decrypt with the session key: %v", ErrMutualAuth, err)
	}
	var part encAPRepPartASN
	// RFC 3961 ciphers may pad the plaintext, so bytes after the encoding are not an error.
	if _, err := asn1.UnmarshalWithParams(plain, &part, appEncAPRepPart); err != nil {
		return p, fmt.Errorf("%w: EncAPRepPart: %v", ErrMalformed, err)
	}
	seq, err := seq32(part.SeqNumber)
	if err != nil {
		return p, err
	}
	p = apRepPart{ctime: part.CTime, cusec: part.Cusec, seq: seq}
	if len(part.Subkey.KeyValue) != 0 {
		p.subkey = &types.EncryptionKey{KeyType: part.Subkey.KeyType, KeyValue: part.Subkey.KeyValue}
	}
	return p, nil
}

// seq32 reads a seq-number, a UInt32 that some encoders write as a signed 32-bit integer (RFC 4120
// section 5.5.1 allows for the practice), from its decoding into an int64.
func seq32(v int64) (uint32, error) {
	if v < math.MinInt32 || v > math.MaxUint32 {
		return 0, fmt.Errorf("%w: sequence number %d out of range", ErrMalformed, v)
	}
	return uint32(v), nil
}
