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

// This file is the client's mapping of MSFT_IPAM_AddressSpace to ipam.AddressSpace. The emulator
// has its own (internal/emulator/codec.go) on purpose: were they one, a property the client
// misspelt, left out or numbered wrongly would be read back the same way and no test would see it.

// FromInstance reads an MSFT_IPAM_AddressSpace, its Type in the server's numbering n. Null and
// absent properties read as empty, so a server that writes "" and one that writes xsi:nil give the
// same object.
func FromInstance(in *wsman.Instance, n ipam.TypeNumbering) (*ipam.AddressSpace, error) {
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
	// An absent Type reads as the class default, 0: ProviderAddressSpace.
	if t := text("Type"); t != "" {
		v, err := strconv.ParseUint(strings.TrimSpace(t), 10, 16)
		typ, ok := n.FromWire(uint16(v))
		if err != nil || !ok {
			return nil, errf("Type %q is not Provider (%d) or Customer (%d) in %s", t,
				n.Wire(ipam.TypeProvider), n.Wire(ipam.TypeCustomer), n.Describe())
		}
		if typ == ipam.TypeProvider && a.AssociatedProviderAddressSpace != "" {
			// Only customer spaces carry one (ipam-api.md 1.2): the numbering is not what it seemed.
			return nil, errf("unexpected Type numbering: it carries AssociatedProviderAddressSpace %q, but its Type %q reads as Provider in %s",
				a.AssociatedProviderAddressSpace, t, n.Describe())
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

// toInstance writes an address space for BulkAddOrUpdateAddressSpace, Type in the server's
// numbering n: the key when known, and every settable property, empty ones included, unlike the
// Add methods. An item may update an object, and there an empty value is how a setting is
// cleared; a property left out might keep its old value (whether the server merges or replaces is
// undocumented, ipam-api.md 6.2), so the result would depend on the server.
func toInstance(a *ipam.AddressSpace, n ipam.TypeNumbering) *wsman.Instance {
	in := wsman.NewInstance(ClassAddressSpace, AddressSpaceURI)
	if a.InstanceID != "" {
		in.Add(wsman.Scalar("InstanceID", a.InstanceID))
	}
	in.Add(wsman.Scalar("Name", a.Name)).
		Add(wsman.Uint("Type", uint64(n.Wire(a.Type)))).
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

// deleteInstance writes an item of BulkDeleteAddressSpace: what identifies the object.
func deleteInstance(a *ipam.AddressSpace, n ipam.TypeNumbering) *wsman.Instance {
	in := wsman.NewInstance(ClassAddressSpace, AddressSpaceURI)
	if a.InstanceID != "" {
		in.Add(wsman.Scalar("InstanceID", a.InstanceID))
	}
	return in.Add(wsman.Scalar("Name", a.Name)).Add(wsman.Uint("Type", uint64(n.Wire(a.Type))))
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
// MSFT_WmiError or a WS-Management code), and an HTTP 413 into an *EnvelopeRefusedError; other
// transport and HTTP failures pass through, named.
func (c *Client) mapError(name, op string, err error) error {
	if refused(err) {
		return &EnvelopeRefusedError{Op: op, Name: name, MaxEnvelopeSize: c.ws.MaxEnvelopeSize(), Err: err}
	}
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
