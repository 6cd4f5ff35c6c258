package wmi

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/winipam/terraform-provider-ipam/internal/ipam"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

// FromInstance reads an MSFT_IPAM_AddressSpace. Null and absent properties read as empty, so a
// server that writes "" and one that writes xsi:nil give the same object.
func FromInstance(in *wsman.Instance) (*ipam.AddressSpace, error) {
	text := func(name string) string {
		v, _ := in.Text(name)
		return v
	}
	a := &ipam.AddressSpace{
		InstanceID:                     text("InstanceID"),
		Name:                           text("Name"),
		Owner:                          text("Owner"),
		Description:                    text("Description"),
		AssociatedProviderAddressSpace: text("AssociatedProviderAddressSpace"),
		Tenant:                         text("Tenant"),
		VMNetwork:                      text("VMNetwork"),
		IsolationMethod:                text("IsolationMethod"),
		AccessScopePath:                text("AccessScopePath"),
	}
	errf := func(format string, args ...any) error {
		return fmt.Errorf("address space %q from the server: %s", a.Name, fmt.Sprintf(format, args...))
	}
	if a.InstanceID == "" {
		return nil, errf("it has no InstanceID")
	}
	if t := text("Type"); t != "" {
		typ, err := ipam.ParseType(t)
		if err != nil {
			return nil, errf("Type %q is not Provider (0) or Customer (1)", t)
		}
		a.Type = typ
	}
	cc, err := ipam.ParseCustomConfiguration(text("CustomConfiguration"))
	if err != nil {
		return nil, errf("%v", err)
	}
	a.CustomConfiguration = cc
	for _, f := range []struct {
		name string
		dst  *float64
	}{{"IPv4PercentageUtilized", &a.IPv4PercentageUtilized}, {"IPv6PercentageUtilized", &a.IPv6PercentageUtilized}} {
		if v := text(f.name); v != "" {
			// NaN and infinity parse, but Terraform cannot hold them (NaN panics the framework).
			if *f.dst, err = strconv.ParseFloat(strings.TrimSpace(v), 64); err != nil || math.IsNaN(*f.dst) || math.IsInf(*f.dst, 0) {
				return nil, errf("%s %q is not a number", f.name, v)
			}
		}
	}
	for _, f := range []struct {
		name string
		dst  *ipam.Utilization
	}{{"IPv4Utilization", &a.IPv4Utilization}, {"IPv6Utilization", &a.IPv6Utilization}} {
		if v := text(f.name); v != "" {
			n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 16)
			if err != nil {
				return nil, errf("%s %q is not a uint16", f.name, v)
			}
			*f.dst = ipam.Utilization(n)
		}
	}
	if v := text("IsInheritedAccessScope"); v != "" {
		if a.IsInheritedAccessScope, err = strconv.ParseBool(strings.ToLower(strings.TrimSpace(v))); err != nil {
			return nil, errf("IsInheritedAccessScope %q is not a boolean", v)
		}
	}
	return a, nil
}

// toInstance writes an address space for BulkAddOrUpdateAddressSpace: the key when known, and
// every settable property, so the result does not depend on whether the server merges or replaces.
func toInstance(a *ipam.AddressSpace) *wsman.Instance {
	in := wsman.NewInstance(ClassAddressSpace, AddressSpaceURI)
	if a.InstanceID != "" {
		in.Add(wsman.Scalar("InstanceID", a.InstanceID))
	}
	in.Add(wsman.Scalar("Name", a.Name)).
		Add(wsman.Uint("Type", uint64(a.Type))).
		Add(wsman.Scalar("Owner", a.Owner)).
		Add(wsman.Scalar("Description", a.Description)).
		Add(wsman.Scalar("CustomConfiguration", a.CustomConfiguration.String()))
	if a.Type == ipam.TypeCustomer {
		in.Add(wsman.Scalar("AssociatedProviderAddressSpace", a.AssociatedProviderAddressSpace)).
			Add(wsman.Scalar("Tenant", a.Tenant)).
			Add(wsman.Scalar("VMNetwork", a.VMNetwork)).
			Add(wsman.Scalar("IsolationMethod", a.IsolationMethod))
	}
	return in
}

func operationStatus(in *wsman.Instance) (ipam.OperationStatus, error) {
	var st ipam.OperationStatus
	num := func(name string, bits int) (uint64, error) {
		v, ok := in.Text(name)
		if !ok {
			return 0, nil
		}
		n, err := strconv.ParseUint(strings.TrimSpace(v), 10, bits)
		if err != nil {
			return 0, fmt.Errorf("operation status %s %q is not a number", name, v)
		}
		return n, nil
	}
	idx, err := num("Index", 32)
	if err != nil {
		return st, err
	}
	if _, ok := in.Text("Index"); !ok {
		return st, errors.New("an operation status has no Index")
	}
	rec, err := num("RecordId", 64)
	if err != nil {
		return st, err
	}
	w32, err := num("Win32Status", 32)
	if err != nil {
		return st, err
	}
	st.Index, st.RecordID, st.Win32Status = uint32(idx), rec, uint32(w32)
	st.ErrorMessage, _ = in.Text("ErrorMessage")
	return st, nil
}

// mapError turns a failed call into an *ipam.Error when the server said why (a SOAP fault with an
// MSFT_WmiError or a WS-Management code); transport and HTTP failures pass through, named.
func mapError(name, op string, err error) error {
	var f *wsman.Fault
	if !errors.As(err, &f) {
		if name != "" {
			return fmt.Errorf("%s %q: %w", op, name, err)
		}
		return fmt.Errorf("%s: %w", op, err)
	}
	kind, code := ipam.KindFailed, f.WSManCode
	if we := f.WmiError; we != nil {
		if we.ErrorCode != 0 {
			code = we.ErrorCode
			kind = ipam.KindForCode(we.ErrorCode)
		}
		if kind == ipam.KindFailed {
			kind = ipam.KindForCIMStatus(we.CIMStatusCode)
		}
	}
	if kind == ipam.KindFailed {
		kind = ipam.KindForCode(f.WSManCode)
	}
	msg := f.Text()
	if f.WmiError == nil && f.WSManCode != 0 && code == f.WSManCode {
		msg = fmt.Sprintf("%s (WS-Management fault)", msg)
	}
	return ipam.NewError(kind, code, name, msg)
}
