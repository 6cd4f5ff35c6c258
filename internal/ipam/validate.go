package ipam

import (
	"fmt"
	"strings"
	"unicode/utf16"
)

// Length limits from MS-IPAMM2 3.1.4.18 ValidateAddressSpace. Windows counts UTF-16 code units.
const (
	MaxNameLength        = 1000
	MaxDescriptionLength = 4000
	MaxOwnerLength       = 1000
)

// Length returns the length of s as Windows counts it (UTF-16 code units).
func Length(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// ValidateName applies the name rule: not blank, at most MaxNameLength.
func ValidateName(name string) error {
	if strings.TrimSpace(name) == "" {
		return fmt.Errorf("%w: address space name must not be empty or blank", ErrInvalid)
	}
	if n := Length(name); n > MaxNameLength {
		return fmt.Errorf("%w: address space name is %d characters long; the limit is %d", ErrInvalid, n, MaxNameLength)
	}
	return nil
}

func validateLength(what, s string, limit int) error {
	if n := Length(s); n > limit {
		return fmt.Errorf("%w: %s is %d characters long; the limit is %d", ErrInvalid, what, n, limit)
	}
	return nil
}

// Validate applies every rule IPAM checks on an address space before storing it: the name, the
// length limits, the type, and the fields that only a customer space may carry. It does not check
// what needs the server's data (uniqueness, the provider space existing, custom fields being known).
func (a *AddressSpace) Validate() error {
	errf := func(format string, args ...any) error {
		return &Error{Kind: KindInvalid, Code: Win32InvalidParameter, Name: a.Name, Message: fmt.Sprintf(format, args...)}
	}
	wrap := func(err error) error {
		if err == nil {
			return nil
		}
		return &Error{Kind: KindInvalid, Code: Win32InvalidParameter, Name: a.Name, Message: strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": ")}
	}
	if err := ValidateName(a.Name); err != nil {
		return wrap(err)
	}
	if err := validateLength("description", a.Description, MaxDescriptionLength); err != nil {
		return wrap(err)
	}
	if err := validateLength("owner", a.Owner, MaxOwnerLength); err != nil {
		return wrap(err)
	}
	if err := wrap(a.CustomConfiguration.Validate()); err != nil {
		return err
	}
	switch a.Type {
	case TypeProvider:
		for _, f := range [...]struct{ name, value string }{
			{"AssociatedProviderAddressSpace", a.AssociatedProviderAddressSpace},
			{"Tenant", a.Tenant},
			{"VMNetwork", a.VMNetwork},
			{"IsolationMethod", a.IsolationMethod},
		} {
			if f.value != "" {
				return errf("%s can only be set on a customer address space", f.name)
			}
		}
	case TypeCustomer:
		if strings.TrimSpace(a.AssociatedProviderAddressSpace) == "" {
			return errf("a customer address space needs an associated provider address space")
		}
		if a.IsolationMethod == "" {
			return errf("a customer address space needs an isolation method (%s)", strings.Join(IsolationMethods, " or "))
		}
		if _, err := CanonicalIsolationMethod(a.IsolationMethod); err != nil {
			return wrap(err)
		}
	default:
		return errf("type %d is neither Provider (0) nor Customer (1)", a.Type)
	}
	return nil
}
