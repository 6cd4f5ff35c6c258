// Package ipam holds the domain model of Windows Server IPAM address spaces: the types, the rules
// IPAM enforces on them, and the typed errors its calls fail with. It knows nothing of XML, HTTP or
// Terraform, so the provider, the WS-Man client and the emulator all share one definition.
package ipam

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Type is MSFT_IPAM_AddressSpace.Type, a uint16 on the wire.
type Type uint16

const (
	// TypeProvider is ProviderAddressSpace (0): a non-virtual (physical) network.
	TypeProvider Type = 0
	// TypeCustomer is CustomerAddressSpace (1): a Hyper-V Network Virtualization tenant network.
	TypeCustomer Type = 1
)

// String returns the short name users write in configuration: "Provider" or "Customer".
func (t Type) String() string { return enumName(typeNames[:], int(t), "Type") }

var typeNames = [...]string{TypeProvider: "Provider", TypeCustomer: "Customer"}

// enumName is the name of value v of an enumeration, or Kind(v) for one without a name.
func enumName(names []string, v int, kind string) string {
	if v < len(names) && names[v] != "" {
		return names[v]
	}
	return kind + "(" + strconv.Itoa(v) + ")"
}

// Valid reports whether t is one of the two types IPAM knows.
func (t Type) Valid() bool { return t == TypeProvider || t == TypeCustomer }

// ParseType accepts the short name, the enum name the cmdlets print (ProviderAddressSpace) or the
// wire number, in any case.
func ParseType(s string) (Type, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "provider", "provideraddressspace", "0":
		return TypeProvider, nil
	case "customer", "customeraddressspace", "1":
		return TypeCustomer, nil
	}
	return 0, fmt.Errorf("%w: address space type %q is neither Provider nor Customer", ErrInvalid, s)
}

// Utilization is the threshold status in IPv4Utilization and IPv6Utilization.
type Utilization uint16

// Utilization values, as documented for MSFT_IPAM_AddressSpace.
const (
	UtilizationNone    Utilization = 0
	UtilizationUnder   Utilization = 1
	UtilizationOptimal Utilization = 2
	UtilizationOver    Utilization = 3
)

// String returns the documented name of the status.
func (u Utilization) String() string { return enumName(utilizationNames[:], int(u), "Utilization") }

var utilizationNames = [...]string{UtilizationNone: "None", UtilizationUnder: "Under", UtilizationOptimal: "Optimal", UtilizationOver: "Over"}

// Isolation methods IPAM accepts for a customer address space (Add-IpamAddressSpace -IsolationMethod).
const (
	IsolationNVGRE     = "NVGRE"
	IsolationIPRewrite = "IPRewrite"
)

// IsolationMethods lists the accepted isolation methods in their canonical spelling.
var IsolationMethods = []string{IsolationNVGRE, IsolationIPRewrite}

// CanonicalIsolationMethod returns the canonical spelling of an isolation method, matched
// case-insensitively, or an Invalid error.
func CanonicalIsolationMethod(s string) (string, error) {
	for _, m := range IsolationMethods {
		if strings.EqualFold(s, m) {
			return m, nil
		}
	}
	return "", fmt.Errorf("%w: isolation method %q is not one of %s", ErrInvalid, s, strings.Join(IsolationMethods, ", "))
}

// DefaultProviderName is the built-in provider address space every IPAM server has; it can be
// neither created, changed nor deleted.
const DefaultProviderName = "Default"

// AddressSpace is one MSFT_IPAM_AddressSpace: every property a user can set or read. The inherited
// CIM_ManagedSystemElement status properties are left out; IPAM does not fill them with anything a
// user manages.
type AddressSpace struct {
	// InstanceID is the class key; opaque, assigned by the server.
	InstanceID string
	Name       string
	Type       Type
	Owner      string
	// Description is inherited from CIM_ManagedElement.
	Description string
	// AssociatedProviderAddressSpace is the provider space's name; customer spaces only.
	AssociatedProviderAddressSpace string
	Tenant                         string
	VMNetwork                      string
	IsolationMethod                string
	CustomConfiguration            CustomConfiguration

	// Read-outs computed by the server.
	IPv4PercentageUtilized float64
	IPv6PercentageUtilized float64
	IPv4Utilization        Utilization
	IPv6Utilization        Utilization
	// AccessScopePath and IsInheritedAccessScope exist from Windows Server 2016 on.
	AccessScopePath        string
	IsInheritedAccessScope bool
}

// SameName reports whether two address-space names denote the same object: IPAM compares names
// case-insensitively. Custom field names compare the same way.
func SameName(a, b string) bool { return strings.EqualFold(a, b) }

// NameKey returns the key a name is filed under: two names share a key exactly when SameName holds
// (strings.ToLower is not that: it keeps 'ſ' and 's' apart and merges 'İ' with 'i', which
// strings.EqualFold does the other way round). Each rune becomes one member of its simple
// case-folding orbit, the lower-case one where the orbit has it, so an ASCII name's key is its
// lower case.
func NameKey(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	for _, r := range name {
		b.WriteRune(foldRune(r))
	}
	return b.String()
}

func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	}
	least := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		least = min(least, f)
	}
	lower := unicode.ToLower(least)
	for f := unicode.SimpleFold(least); f != least; f = unicode.SimpleFold(f) {
		if f == lower {
			return lower
		}
	}
	return least
}

// OperationStatus is one MSFT_IPAM_OperationStatus: the outcome of one item of a bulk call.
type OperationStatus struct {
	// Index is the position of the item in the call's input array.
	Index uint32
	// RecordID identifies the object on the server.
	RecordID uint64
	// Win32Status is 0 on success, otherwise a Win32 error code.
	Win32Status  uint32
	ErrorMessage string
}

// Err returns nil for a successful item, otherwise a typed error carrying the Win32 code.
func (s OperationStatus) Err(name string) error {
	if s.Win32Status == 0 {
		return nil
	}
	return NewError(KindForCode(s.Win32Status), s.Win32Status, name, s.ErrorMessage)
}
