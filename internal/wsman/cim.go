package wsman

import (
	"fmt"
	"strconv"
	"strings"
)

// Instance is a CIM instance as WS-Management carries it: an embedded method parameter, a method
// output, or an enumerated item. Property order is kept, so encoding is deterministic.
type Instance struct {
	// Class is the CIM class name, e.g. MSFT_IPAM_AddressSpace.
	Class string
	// ResourceURI is the class's namespace URI, in which its properties are written.
	ResourceURI string
	Properties  []Property
}

// Property is a named CIM value. WS-Management writes an array as the element repeated, so a
// property holds a list of values; a scalar has one.
type Property struct {
	Name   string
	Values []Value
}

// Value is one scalar (text), an embedded instance, or null.
type Value struct {
	Nil      bool
	Text     string
	Instance *Instance
}

// Scalar builds a property with one text value.
func Scalar(name, text string) Property { return Property{Name: name, Values: []Value{{Text: text}}} }

// Uint builds a property with one unsigned integer value.
func Uint(name string, v uint64) Property { return Scalar(name, strconv.FormatUint(v, 10)) }

// Null builds a property whose value is xsi:nil.
func Null(name string) Property { return Property{Name: name, Values: []Value{{Nil: true}}} }

// Embedded builds a property holding one or more embedded instances (an array when more than one).
func Embedded(name string, insts ...*Instance) Property {
	p := Property{Name: name, Values: make([]Value, len(insts))}
	for i, in := range insts {
		p.Values[i] = Value{Instance: in}
	}
	return p
}

// NewInstance starts an instance of a class whose resource URI is known.
func NewInstance(class, resourceURI string, props ...Property) *Instance {
	return &Instance{Class: class, ResourceURI: resourceURI, Properties: props}
}

// Add appends a property.
func (in *Instance) Add(p Property) *Instance {
	in.Properties = append(in.Properties, p)
	return in
}

// Property returns a property by name; CIM property names are case-insensitive.
func (in *Instance) Property(name string) (Property, bool) {
	if in == nil {
		return Property{}, false
	}
	for _, p := range in.Properties {
		if strings.EqualFold(p.Name, name) {
			return p, true
		}
	}
	return Property{}, false
}

// Has reports whether the property is present at all (null counts as present).
func (in *Instance) Has(name string) bool {
	_, ok := in.Property(name)
	return ok
}

// Text returns the first value of a scalar property; ok is false when it is absent or null.
func (in *Instance) Text(name string) (string, bool) {
	p, ok := in.Property(name)
	if !ok || len(p.Values) == 0 || p.Values[0].Nil || p.Values[0].Instance != nil {
		return "", false
	}
	return p.Values[0].Text, true
}

// Instances returns the embedded instances a property holds, skipping nulls.
func (in *Instance) Instances(name string) []*Instance {
	p, _ := in.Property(name)
	out := make([]*Instance, 0, len(p.Values))
	for _, v := range p.Values {
		if v.Instance != nil {
			out = append(out, v.Instance)
		}
	}
	return out
}

// writeProperties writes each value of each property as <prefix:Name>, with embedded instances
// declared as xsi:type in their own class namespace (MS-WSMV 3.1.4.1.26; OMI wsbuf _PackInstance).
// depth picks a fresh prefix for every level of nesting.
func (w *xmlWriter) writeProperties(prefix string, props []Property, depth int) {
	for _, p := range props {
		name := prefix + ":" + w.name(p.Name)
		for _, v := range p.Values {
			switch {
			case v.Nil:
				w.raw("<" + name + ` xsi:nil="true"/>`)
			case v.Instance != nil:
				w.writeEmbedded(name, v.Instance, depth+1)
			default:
				w.element(name, v.Text)
			}
		}
	}
}

func (w *xmlWriter) writeEmbedded(name string, in *Instance, depth int) {
	w.needNamespace(in)
	pfx := "c" + strconv.Itoa(depth)
	w.raw("<" + name + " xmlns:" + pfx + `="`)
	w.attr(in.ResourceURI)
	w.raw(`" xsi:type="` + pfx + ":")
	w.attr(w.name(in.Class))
	w.raw(`_Type">`)
	w.writeProperties(pfx, in.Properties, depth)
	w.raw("</" + name + ">")
}

// needNamespace refuses an instance without a resource URI: its properties are written in that
// namespace, and xmlns:c1="" is not well-formed XML (see writeParams).
func (w *xmlWriter) needNamespace(in *Instance) {
	if in.ResourceURI == "" && w.err == nil {
		w.err = fmt.Errorf("wsman: an instance of %q needs its class's resource URI as its namespace", truncate(in.Class))
	}
}

// writeItem writes an enumerated instance the way WinRM does: an element named by the class, in
// the class namespace.
func (w *xmlWriter) writeItem(in *Instance) {
	w.needNamespace(in)
	w.raw(`<p:` + w.name(in.Class) + ` xmlns:p="`)
	w.attr(in.ResourceURI)
	w.raw(`">`)
	w.writeProperties("p", in.Properties, 0)
	w.raw("</p:" + in.Class + ">")
}

// decodeProperties turns an element's children into properties, folding repeated elements into
// one array-valued property.
func decodeProperties(el *Element) []Property {
	var props []Property
	index := map[string]int{}
	for _, c := range el.Children {
		if c.Space == NSCIM && c.Local == "Location" {
			continue // the instance's EPR, not a property (MS-WSMV 4.1.2.4)
		}
		v := decodeValue(c)
		if i, ok := index[c.Local]; ok {
			props[i].Values = append(props[i].Values, v)
			continue
		}
		index[c.Local] = len(props)
		props = append(props, Property{Name: c.Local, Values: []Value{v}})
	}
	return props
}

// cimScalarWrappers are the DSP0230 wrappers of datetime values: <p:X><cim:Datetime>v</cim:Datetime></p:X>.
var cimScalarWrappers = map[string]bool{"Datetime": true, "Date": true, "Time": true, "Interval": true, "CIMDateTime": true}

func decodeValue(c *Element) Value {
	switch {
	case c.isNil():
		return Value{Nil: true}
	case len(c.Children) == 1 && c.Children[0].Space == NSCIM && cimScalarWrappers[c.Children[0].Local]:
		return Value{Text: c.Children[0].Text}
	case len(c.Children) > 0:
		return Value{Instance: decodeInstance(c)}
	case hasXSIType(c) && !hasCIMScalarType(c):
		return Value{Instance: decodeInstance(c)} // an empty embedded instance
	default:
		return Value{Text: c.Text}
	}
}

func hasXSIType(c *Element) bool {
	_, ok := c.Attr(NSXSI, "type")
	return ok
}

// hasCIMScalarType reports an xsi:type naming a DSP0230 scalar type (cim:cimString,
// cim:cimUnsignedInt, ...). WinRM writes these on MSFT_WmiError's properties (WinRb wmi_error_v2.xml)
// and OMI on CIM_Error's (wsbuf.c PackCimErrorXsiType); a class type such as
// p:MSFT_IPAM_AddressSpace_Type still means an embedded instance. The prefix is resolved, not compared.
func hasCIMScalarType(c *Element) bool {
	t, _ := c.Attr(NSXSI, "type")
	space, local := c.ResolveQName(t)
	return space == NSCIM && strings.HasPrefix(local, "cim")
}

// decodeInstance reads an embedded or enumerated instance. The class comes from xsi:type
// (without its _Type suffix) when present, otherwise from the element's name, as OMI's parser does.
func decodeInstance(el *Element) *Instance {
	in := &Instance{Class: el.Local, ResourceURI: el.Space}
	if t, ok := el.Attr(NSXSI, "type"); ok {
		space, local := el.ResolveQName(t)
		in.Class = strings.TrimSuffix(local, "_Type")
		if space != "" {
			in.ResourceURI = space
		}
	} else if len(el.Children) > 0 {
		in.ResourceURI = el.Children[0].Space
	}
	in.Properties = decodeProperties(el)
	return in
}
