package ipam

import (
	"fmt"
	"sort"
	"strings"
)

// CustomConfiguration is the CustomConfiguration property as a map of custom-field name to value.
// On the wire it is "Name=Value;Name=Value" (Add-IpamAddressSpace -CustomConfiguration). Field names
// are matched case-insensitively, like every IPAM name.
type CustomConfiguration map[string]string

// ParseCustomConfiguration reads "Name=Value;Name=Value". Blanks around names, values and
// separators are dropped, empty segments are skipped, and a value keeps any '=' after the first,
// so whatever a server returns can be read. A segment without '=', an empty name, or a name given
// twice is an error.
func ParseCustomConfiguration(s string) (CustomConfiguration, error) {
	cc := CustomConfiguration{}
	for _, seg := range strings.Split(s, ";") {
		seg = strings.TrimSpace(seg)
		if seg == "" {
			continue
		}
		name, value, ok := strings.Cut(seg, "=")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if !ok {
			return nil, fmt.Errorf("%w: custom configuration entry %q is not Name=Value", ErrInvalid, seg)
		}
		if name == "" {
			return nil, fmt.Errorf("%w: custom configuration entry %q has no field name", ErrInvalid, seg)
		}
		if prev, dup := cc.lookup(name); dup {
			return nil, fmt.Errorf("%w: custom field %q is given twice in the custom configuration", ErrInvalid, prev)
		}
		cc[name] = value
	}
	return cc, nil
}

// lookup finds a field name case-insensitively and returns the spelling stored in the map.
func (c CustomConfiguration) lookup(name string) (string, bool) {
	if _, ok := c[name]; ok {
		return name, true
	}
	for k := range c {
		if SameName(k, name) {
			return k, true
		}
	}
	return "", false
}

// Get returns the value of a field, matching its name case-insensitively.
func (c CustomConfiguration) Get(name string) (string, bool) {
	k, ok := c.lookup(name)
	if !ok {
		return "", false
	}
	return c[k], true
}

// Names returns the field names in canonical order: case-insensitive, then byte order as a tie-break.
func (c CustomConfiguration) Names() []string {
	names := make([]string, 0, len(c))
	for k := range c {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := strings.ToLower(names[i]), strings.ToLower(names[j])
		if a != b {
			return a < b
		}
		return names[i] < names[j]
	})
	return names
}

// String formats the canonical wire form: fields in Names order, "Name=Value" joined by ';', no
// blanks. Two equal maps always format the same, whatever order a server returned them in.
func (c CustomConfiguration) String() string {
	var b strings.Builder
	for i, k := range c.Names() {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(c[k])
	}
	return b.String()
}

// Validate checks what the wire form can carry: names non-blank, unique ignoring case, and
// neither names nor values containing ';' or '=' or surrounding blanks that a round trip would lose.
func (c CustomConfiguration) Validate() error {
	seen := make(map[string]string, len(c))
	for _, k := range c.Names() {
		v := c[k]
		switch {
		case strings.TrimSpace(k) == "":
			return fmt.Errorf("%w: a custom field name is blank", ErrInvalid)
		case strings.ContainsAny(k, ";="):
			return fmt.Errorf("%w: custom field name %q contains ';' or '='", ErrInvalid, k)
		case strings.ContainsAny(v, ";="):
			return fmt.Errorf("%w: value of custom field %q contains ';' or '='", ErrInvalid, k)
		case strings.TrimSpace(k) != k:
			return fmt.Errorf("%w: custom field name %q has leading or trailing blanks", ErrInvalid, k)
		case strings.TrimSpace(v) != v:
			return fmt.Errorf("%w: value of custom field %q has leading or trailing blanks", ErrInvalid, k)
		}
		key := NameKey(k)
		if prev, dup := seen[key]; dup {
			return fmt.Errorf("%w: custom fields %q and %q differ only in case", ErrInvalid, prev, k)
		}
		seen[key] = k
	}
	return nil
}

// BuiltinCustomFields are the custom fields IPAM itself defines: Tenant, VMNetwork and
// IsolationMethod are read from them (MS-IPAMM2 3.1.1.1.33), so CustomConfiguration may not name
// them. The spelling is IPAM's.
var BuiltinCustomFields = []string{"Tenant", "VmNetwork", "IsolationMethod"}

// BuiltinCustomField returns IPAM's spelling of a built-in custom field, matched ignoring case, or
// false when name is not one.
func BuiltinCustomField(name string) (string, bool) {
	for _, b := range BuiltinCustomFields {
		if SameName(name, b) {
			return b, true
		}
	}
	return "", false
}

// Equal reports whether two configurations hold the same fields (names compared ignoring case)
// with the same values.
func (c CustomConfiguration) Equal(o CustomConfiguration) bool {
	if len(c) != len(o) {
		return false
	}
	for k, v := range c {
		ov, ok := o.Get(k)
		if !ok || ov != v {
			return false
		}
	}
	return true
}
