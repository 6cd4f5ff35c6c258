package ntlm

import (
	"encoding/binary"
	"fmt"
)

// avID names the information an AV_PAIR holds ([MS-NLMP] 2.2.2.1).
type avID uint16

const (
	avEOL             avID = 0x0000
	avNbComputerName  avID = 0x0001
	avNbDomainName    avID = 0x0002
	avDNSComputerName avID = 0x0003
	avDNSDomainName   avID = 0x0004
	avFlags           avID = 0x0006
	avTimestamp       avID = 0x0007
	avTargetName      avID = 0x0009
	avChannelBindings avID = 0x000A
)

// MsvAvFlags bits ([MS-NLMP] 2.2.2.1).
const avFlagMICPresent uint32 = 0x00000002

// avPair is one attribute/value pair of a TargetInfo or an NTLMv2 client challenge.
type avPair struct {
	id    avID
	value []byte
}

// avPairs is a sequence of AV pairs in wire order, without the closing MsvAvEOL.
type avPairs []avPair

// fixedAVLen is the value length of the AV pairs this package interprets and whose length is fixed.
var fixedAVLen = map[avID]int{
	avFlags:           4,
	avTimestamp:       8,
	avChannelBindings: 16,
}

// parseAVPairs reads AV pairs up to and including MsvAvEOL ([MS-NLMP] 2.2.2.1). Bytes after the
// EOL are ignored: the NTLMv2 client challenge ends with Z(4) after it ([MS-NLMP] 3.3.2). A
// repeated AvId is refused, so that no two readers can disagree on which value counts.
func parseAVPairs(b []byte) (avPairs, error) {
	var pairs avPairs
	seen := map[avID]bool{}
	for {
		if len(b) < 4 {
			return nil, fmt.Errorf("%w: AV pairs end without MsvAvEOL", ErrMalformed)
		}
		id := avID(binary.LittleEndian.Uint16(b))
		n := int(binary.LittleEndian.Uint16(b[2:]))
		b = b[4:]
		if n > len(b) {
			return nil, fmt.Errorf("%w: AV pair 0x%04x runs past its buffer", ErrMalformed, uint16(id))
		}
		if id == avEOL {
			if n != 0 {
				return nil, fmt.Errorf("%w: MsvAvEOL has a value", ErrMalformed)
			}
			return pairs, nil
		}
		if want, ok := fixedAVLen[id]; ok && n != want {
			return nil, fmt.Errorf("%w: AV pair 0x%04x is %d bytes, want %d", ErrMalformed, uint16(id), n, want)
		}
		if seen[id] {
			return nil, fmt.Errorf("%w: AV pair 0x%04x appears twice", ErrMalformed, uint16(id))
		}
		seen[id] = true
		pairs = append(pairs, avPair{id: id, value: b[:n:n]})
		b = b[n:]
	}
}

// get returns the value of the pair with the given id.
func (p avPairs) get(id avID) ([]byte, bool) {
	for _, a := range p {
		if a.id == id {
			return a.value, true
		}
	}
	return nil, false
}

// flags returns the MsvAvFlags value, or 0 when there is none.
func (p avPairs) flags() uint32 {
	if v, ok := p.get(avFlags); ok {
		return binary.LittleEndian.Uint32(v)
	}
	return 0
}

// set replaces the value of the pair with the given id, or appends the pair.
func (p avPairs) set(id avID, value []byte) avPairs {
	for i := range p {
		if p[i].id == id {
			p[i].value = value
			return p
		}
	}
	return append(p, avPair{id: id, value: value})
}

// marshal writes the pairs followed by MsvAvEOL (AddAvPair, [MS-NLMP] 6).
func (p avPairs) marshal() []byte {
	n := 4
	for _, a := range p {
		n += 4 + len(a.value)
	}
	b := make([]byte, 0, n)
	for _, a := range p {
		b = binary.LittleEndian.AppendUint16(b, uint16(a.id))
		b = binary.LittleEndian.AppendUint16(b, uint16(len(a.value)))
		b = append(b, a.value...)
	}
	return append(b, 0, 0, 0, 0)
}
