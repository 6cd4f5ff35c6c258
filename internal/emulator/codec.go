package emulator

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/winipam/terraform-provider-ipam/internal/ipam"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

// This file is the emulator's own mapping of MSFT_IPAM_AddressSpace, written from the class's
// documentation (ipam-api.md 1.2), not shared with the client's (internal/ipam/wmi/codec.go) on
// purpose: decoding what the client sends independently is what catches the client's encoding
// mistakes (a misspelt or missing property, a wrong Type number) in every test that runs against
// the emulator.

// Resource URIs the emulator serves (ipam-api.md 1.1, 4.1).
const (
	ipamNamespace    = wsman.WMIBase + "root/microsoft/ipam"
	classAddressSp   = "MSFT_IPAM_AddressSpace"
	classOpStatus    = "MSFT_IPAM_OperationStatus"
	addressSpaceURI  = ipamNamespace + "/" + classAddressSp
	opStatusURI      = ipamNamespace + "/" + classOpStatus
	namespaceWildURI = ipamNamespace + "/*"
)

// instanceProperties lists the properties of MSFT_IPAM_AddressSpace the emulator returns, in the
// alphabetical order WinRM writes them.
var instanceProperties = []string{
	"AccessScopePath", "AssociatedProviderAddressSpace", "CustomConfiguration", "Description", "InstanceID",
	"IPv4PercentageUtilized", "IPv4Utilization", "IPv6PercentageUtilized", "IPv6Utilization",
	"IsInheritedAccessScope", "IsolationMethod", "Name", "Owner", "Tenant", "Type", "VMNetwork",
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// propertyText returns a property's wire text, Type in the numbering n; null is ok=false. WMI
// returns null, not an empty string, for a string property that holds nothing.
func propertyText(a *ipam.AddressSpace, name string, n ipam.TypeNumbering) (string, bool) {
	var v string
	switch name {
	case "AccessScopePath":
		v = a.AccessScopePath
	case "AssociatedProviderAddressSpace":
		v = a.AssociatedProviderAddressSpace
	case "CustomConfiguration":
		v = a.CustomConfiguration.String()
	case "Description":
		v = a.Description
	case "InstanceID":
		v = a.InstanceID
	case "IPv4PercentageUtilized":
		return formatFloat(a.IPv4PercentageUtilized), true
	case "IPv6PercentageUtilized":
		return formatFloat(a.IPv6PercentageUtilized), true
	case "IPv4Utilization":
		return strconv.Itoa(int(a.IPv4Utilization)), true
	case "IPv6Utilization":
		return strconv.Itoa(int(a.IPv6Utilization)), true
	case "IsInheritedAccessScope":
		return strconv.FormatBool(a.IsInheritedAccessScope), true
	case "IsolationMethod":
		v = a.IsolationMethod
	case "Name":
		v = a.Name
	case "Owner":
		v = a.Owner
	case "Tenant":
		v = a.Tenant
	case "Type":
		return strconv.Itoa(int(n.Wire(a.Type))), true
	case "VMNetwork":
		v = a.VMNetwork
	}
	return v, v != ""
}

// canonicalProperty returns the class's spelling of a property name, or false.
func canonicalProperty(name string) (string, bool) {
	for _, p := range instanceProperties {
		if strings.EqualFold(p, name) {
			return p, true
		}
	}
	return "", false
}

// toInstance encodes an address space, Type in the numbering n; props limits it to a property
// list (nil: all). The key, InstanceID, is always included, as WMI does for a WQL property list.
func toInstance(a *ipam.AddressSpace, props []string, n ipam.TypeNumbering) *wsman.Instance {
	in := wsman.NewInstance(classAddressSp, addressSpaceURI)
	in.Properties = make([]wsman.Property, 0, len(instanceProperties))
	for _, name := range instanceProperties {
		if props != nil && name != "InstanceID" && !containsFold(props, name) {
			continue
		}
		if v, ok := propertyText(a, name, n); ok {
			in.Add(wsman.Scalar(name, v))
		} else {
			in.Add(wsman.Null(name))
		}
	}
	return in
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// wqlRow lets the WQL evaluator read an address space's properties, Type in the WMI numbering.
type wqlRow struct{ a *ipam.AddressSpace }

func (r wqlRow) Get(property string) (string, bool, bool) {
	return renderedRow{r.a, ipam.NumberingWMI}.Get(property)
}

// renderedRow lets the WQL evaluator read an address space's properties as a server answering in
// numbering n renders them, so that `Type = N` selects what the same server returns as Type N.
type renderedRow struct {
	a *ipam.AddressSpace
	n ipam.TypeNumbering
}

func (r renderedRow) Get(property string) (string, bool, bool) {
	name, ok := canonicalProperty(property)
	if !ok {
		return "", false, false
	}
	v, notNull := propertyText(r.a, name, r.n)
	return v, !notNull, true
}

func operationStatus(st ipam.OperationStatus) *wsman.Instance {
	in := wsman.NewInstance(classOpStatus, opStatusURI,
		wsman.Uint("Index", uint64(st.Index)),
		wsman.Uint("RecordId", st.RecordID),
		wsman.Uint("Win32Status", uint64(st.Win32Status)))
	if st.ErrorMessage != "" {
		in.Add(wsman.Scalar("ErrorMessage", st.ErrorMessage))
	} else {
		in.Add(wsman.Null("ErrorMessage"))
	}
	return in
}

// patchFromInstance reads one embedded MSFT_IPAM_AddressSpace of a bulk call, Type in the
// numbering n. A property sent as xsi:nil clears it; one left out is not sent. Read-only
// properties are ignored.
func patchFromInstance(in *wsman.Instance, n ipam.TypeNumbering) patch {
	var p patch
	if in == nil || !strings.EqualFold(in.Class, classAddressSp) {
		class := "nothing"
		if in != nil {
			class = in.Class
		}
		p.decodeErr = invalid("", "the item is a %s, not an %s", class, classAddressSp)
		return p
	}
	return readPatch(in, n)
}

// readPatch reads the address-space properties of an instance or of a method's in-parameters.
func readPatch(in *wsman.Instance, n ipam.TypeNumbering) patch {
	var p patch
	str := func(name string) *string {
		prop, ok := in.Property(name)
		if !ok {
			return nil
		}
		if len(prop.Values) != 1 || prop.Values[0].Instance != nil {
			p.decodeErr = invalid("", "property %s must be a single string", name)
			return nil
		}
		v := prop.Values[0].Text // "" for xsi:nil
		return &v
	}
	p.InstanceID = str("InstanceID")
	p.Name = str("Name")
	p.Owner = str("Owner")
	p.Description = str("Description")
	p.AssociatedProviderAddressSpace = str("AssociatedProviderAddressSpace")
	p.Tenant = str("Tenant")
	p.VMNetwork = str("VMNetwork")
	p.IsolationMethod = str("IsolationMethod")
	p.Custom = str("CustomConfiguration")
	if p.InstanceID != nil && *p.InstanceID == "" {
		p.InstanceID = nil
	}
	if t := str("Type"); t != nil && *t != "" {
		// Type is a uint16 (ipam-api.md 1.2), in the numbering this server answers in.
		v, err := strconv.ParseUint(strings.TrimSpace(*t), 10, 16)
		typ, ok := n.FromWire(uint16(v))
		if err != nil || !ok {
			p.decodeErr = invalid(p.name(), "Type %q is neither %d (Provider) nor %d (Customer)", *t,
				n.Wire(ipam.TypeProvider), n.Wire(ipam.TypeCustomer))
		} else {
			p.Type = &typ
		}
	}
	return p
}

// addressSpaceFromParams reads the in-parameters of AddProviderAddressSpace and
// AddCustomerAddressSpace.
func addressSpaceFromParams(in *wsman.InvokeInput, typ ipam.Type) (ipam.AddressSpace, error) {
	allowed := []string{"Name", "Owner", "Description", "CustomConfiguration"}
	if typ == ipam.TypeCustomer {
		allowed = append(allowed, "AssociatedProviderAddressSpace", "Tenant", "VMNetwork", "IsolationMethod")
	}
	a := ipam.AddressSpace{Type: typ}
	for _, p := range in.Params {
		if !containsFold(allowed, p.Name) {
			return a, fmt.Errorf("%s has no parameter %q", in.Method, p.Name)
		}
		if len(p.Values) != 1 || p.Values[0].Instance != nil {
			return a, fmt.Errorf("parameter %s of %s must be a single string", p.Name, in.Method)
		}
	}
	// The Add methods take no Type (the method names it), so the numbering does not matter here.
	p := readPatch(&wsman.Instance{Properties: in.Params}, ipam.NumberingWMI)
	if p.decodeErr != nil {
		return a, p.decodeErr
	}
	return a, p.apply(&a)
}
