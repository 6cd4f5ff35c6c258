package ipam

import (
	"fmt"
	"strings"
)

// TypeNumbering is how a server writes MSFT_IPAM_AddressSpace.Type on the wire. Two Microsoft
// documents disagree, and which one the WMI provider (IPAMServerPSProvider) uses is undocumented:
// neither its MOF nor its cdxml is public (ipam-api.md 1.2; fidelity-audit item 3). Clients learn
// it from the server; the emulator can answer in either.
type TypeNumbering uint8

const (
	// NumberingWMI is the WMI class documentation (win32 IPAMServerPSProv/msft-ipam-addressspace.md):
	// ProviderAddressSpace (0), CustomerAddressSpace (1); the values of Type itself.
	NumberingWMI TypeNumbering = iota
	// NumberingIPAMM2 is [MS-IPAMM2] 2.2.5.62 IPAddressSpaceType, the console protocol's enum:
	// None (0), Provider (1), Customer (2).
	NumberingIPAMM2
)

// String returns the numbering's name as the emulator's -type-numbering flag takes it.
func (n TypeNumbering) String() string {
	switch n {
	case NumberingWMI:
		return "wmi"
	case NumberingIPAMM2:
		return "ipamm2"
	}
	return fmt.Sprintf("TypeNumbering(%d)", uint8(n))
}

// Describe says where the numbering comes from and what it numbers, for error messages.
func (n TypeNumbering) Describe() string {
	switch n {
	case NumberingWMI:
		return "the WMI class documentation's numbering (Provider 0, Customer 1)"
	case NumberingIPAMM2:
		return "the [MS-IPAMM2] 2.2.5.62 numbering (None 0, Provider 1, Customer 2)"
	}
	return n.String()
}

// ParseTypeNumbering reads a numbering's name ("wmi" or "ipamm2"), in any case.
func ParseTypeNumbering(s string) (TypeNumbering, error) {
	for _, n := range []TypeNumbering{NumberingWMI, NumberingIPAMM2} {
		if strings.EqualFold(strings.TrimSpace(s), n.String()) {
			return n, nil
		}
	}
	return 0, fmt.Errorf("%w: Type numbering %q is neither %q nor %q", ErrInvalid, s, NumberingWMI, NumberingIPAMM2)
}

// Wire returns the number n gives t. MS-IPAMM2's enum is the WMI one shifted by its None (0), so
// a t that is not Valid maps to a number no valid Type has in n either.
func (n TypeNumbering) Wire(t Type) uint16 {
	if n == NumberingIPAMM2 {
		return uint16(t) + 1
	}
	return uint16(t)
}

// FromWire returns the Type a wire number names in n; false for a number that names none
// (MS-IPAMM2's None included: no stored address space has it).
func (n TypeNumbering) FromWire(v uint16) (Type, bool) {
	if n == NumberingIPAMM2 {
		if v == 0 {
			return 0, false
		}
		v--
	}
	t := Type(v)
	return t, t.Valid()
}
