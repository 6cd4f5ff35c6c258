package provider

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/winipam/terraform-provider-ipam/internal/ipam"
)

// The items of ipam_address_spaces are described once, in bulkFields: the documentation, the
// validation, the conversion between Terraform values and ipam.AddressSpace, and the comparison
// that decides which keys changed all follow from it.
//
// address_spaces is a dynamic attribute: Terraform hands it over as the value written, an object
// (or a map) of objects, without converting it to a declared type. Terraform's conversion of a map
// of objects compares the types of every pair of entries, which at 10,000 keys costs more than the
// rest of a plan; a dynamic value costs what terraform_data's input does. The provider checks the
// shape itself, against this table.

// fieldValue is the value of one field: a string, or for custom_configuration its custom fields.
type fieldValue struct {
	str string
	cc  ipam.CustomConfiguration
}

// bulkField is one attribute of an item.
type bulkField struct {
	name string
	doc  string
	// isMap: a map of strings (custom_configuration); otherwise a string.
	isMap bool
	// customerOnly: provider spaces may not set it. requiredFor: the types that must.
	customerOnly bool
	requiredFor  []ipam.Type
	get          func(*ipam.AddressSpace) fieldValue
	set          func(*ipam.AddressSpace, fieldValue)
	// check validates a configured value; same compares two values as IPAM does.
	check func(fieldValue) error
	same  func(a, b fieldValue) bool
	// bit is the field in a fieldSet.
	bit fieldSet
}

// fieldSet is a set of bulkFields.
type fieldSet uint32

func (s fieldSet) has(f *bulkField) bool { return s&f.bit != 0 }
func (s *fieldSet) add(f *bulkField)     { *s |= f.bit }

func sameString(a, b fieldValue) bool { return a.str == b.str }
func sameFold(a, b fieldValue) bool   { return ipam.SameName(a.str, b.str) }
func noCheck(fieldValue) error        { return nil }

// maxLength counts as Windows does (UTF-16 code units), as the single resources' lengthValidator.
func maxLength(what string, n int) func(fieldValue) error {
	return func(v fieldValue) error {
		if l := ipam.Length(v.str); l > n {
			return fmt.Errorf("%s is %d characters long; IPAM takes at most %d", what, l, n)
		}
		return nil
	}
}

// bulkFields are the attributes of an item of address_spaces, in the order the documentation
// lists them.
var bulkFields = []bulkField{
	{
		name: "type", doc: "`Provider` or `Customer`. Required. Changing it replaces that one address space (IPAM never changes a type).",
		requiredFor: []ipam.Type{ipam.TypeProvider, ipam.TypeCustomer},
		get:         func(a *ipam.AddressSpace) fieldValue { return fieldValue{str: a.Type.String()} },
		set: func(a *ipam.AddressSpace, v fieldValue) {
			if v.str == "Customer" {
				a.Type = ipam.TypeCustomer
			}
		},
		check: func(v fieldValue) error {
			if v.str != "Provider" && v.str != "Customer" {
				return fmt.Errorf("type %q is not Provider or Customer", v.str)
			}
			return nil
		},
		same: sameString,
	},
	{
		name: "owner", doc: fmt.Sprintf("Owner, at most %d characters.", ipam.MaxOwnerLength),
		get:   func(a *ipam.AddressSpace) fieldValue { return fieldValue{str: a.Owner} },
		set:   func(a *ipam.AddressSpace, v fieldValue) { a.Owner = v.str },
		check: maxLength("owner", ipam.MaxOwnerLength), same: sameString,
	},
	{
		name: "description", doc: fmt.Sprintf("Description, at most %d characters.", ipam.MaxDescriptionLength),
		get:   func(a *ipam.AddressSpace) fieldValue { return fieldValue{str: a.Description} },
		set:   func(a *ipam.AddressSpace, v fieldValue) { a.Description = v.str },
		check: maxLength("description", ipam.MaxDescriptionLength), same: sameString,
	},
	{
		name: "custom_configuration", isMap: true,
		doc: "Custom fields and their values, a map of strings; each field must be defined in IPAM. Neither names nor " +
			"values may hold `;` or `=`.",
		get: func(a *ipam.AddressSpace) fieldValue { return fieldValue{cc: a.CustomConfiguration} },
		set: func(a *ipam.AddressSpace, v fieldValue) { a.CustomConfiguration = v.cc },
		check: func(v fieldValue) error {
			if err := v.cc.Validate(); err != nil {
				return fmt.Errorf("custom_configuration: %s", trimKind(err))
			}
			return nil
		},
		same: func(a, b fieldValue) bool { return a.cc.Equal(b.cc) },
	},
	{
		name: "provider_address_space", customerOnly: true, requiredFor: []ipam.Type{ipam.TypeCustomer},
		doc: "The provider address space's name. Customer spaces only, and required for them.",
		get: func(a *ipam.AddressSpace) fieldValue { return fieldValue{str: a.AssociatedProviderAddressSpace} },
		set: func(a *ipam.AddressSpace, v fieldValue) { a.AssociatedProviderAddressSpace = v.str },
		check: func(v fieldValue) error {
			if err := ipam.ValidateName(v.str); err != nil {
				return fmt.Errorf("provider_address_space: %s", trimKind(err))
			}
			return nil
		},
		same: sameFold,
	},
	{
		name: "isolation_method", customerOnly: true, requiredFor: []ipam.Type{ipam.TypeCustomer},
		doc: "`NVGRE` or `IPRewrite` (any case). Customer spaces only, and required for them.",
		get: func(a *ipam.AddressSpace) fieldValue { return fieldValue{str: a.IsolationMethod} },
		set: func(a *ipam.AddressSpace, v fieldValue) {
			a.IsolationMethod = v.str
			if canon, err := ipam.CanonicalIsolationMethod(v.str); err == nil {
				a.IsolationMethod = canon
			}
		},
		check: func(v fieldValue) error {
			_, err := ipam.CanonicalIsolationMethod(v.str)
			if err != nil {
				return fmt.Errorf("%s", trimKind(err))
			}
			return nil
		},
		same: sameFold,
	},
	{
		name: "tenant", customerOnly: true, doc: "The tenant. Customer spaces only.",
		get:   func(a *ipam.AddressSpace) fieldValue { return fieldValue{str: a.Tenant} },
		set:   func(a *ipam.AddressSpace, v fieldValue) { a.Tenant = v.str },
		check: noCheck, same: sameString,
	},
	{
		name: "vm_network", customerOnly: true, doc: "The VM network. Customer spaces only.",
		get:   func(a *ipam.AddressSpace) fieldValue { return fieldValue{str: a.VMNetwork} },
		set:   func(a *ipam.AddressSpace, v fieldValue) { a.VMNetwork = v.str },
		check: noCheck, same: sameString,
	},
}

// bulkFieldByName finds a field of bulkFields.
var bulkFieldByName = func() map[string]*bulkField {
	m := make(map[string]*bulkField, len(bulkFields))
	for i := range bulkFields {
		bulkFields[i].bit = 1 << i
		m[bulkFields[i].name] = &bulkFields[i]
	}
	return m
}()

// Fields the code names.
var (
	typeField     = bulkFieldByName["type"]
	providerField = bulkFieldByName["provider_address_space"]
)

func (f *bulkField) required(t ipam.Type) bool {
	for _, r := range f.requiredFor {
		if r == t {
			return true
		}
	}
	return false
}

// fieldsDoc documents the items for the schema, from which the resource's documentation is made.
func fieldsDoc() string {
	var b strings.Builder
	b.WriteString("The address spaces, keyed by name (names are unique across both types and compared ignoring case; " +
		"renaming a key deletes the old address space and creates the new one). Provider spaces are applied before " +
		"the customer spaces that name them. Each value is an object with these attributes; leaving one out is the " +
		"same as setting it to `\"\"` (or `{}`):\n\n")
	for _, f := range bulkFields {
		fmt.Fprintf(&b, "  - `%s` (%s) %s\n", f.name, map[bool]string{false: "String", true: "Map of String"}[f.isMap], f.doc)
	}
	b.WriteString("\n  The attribute is dynamic: Terraform takes the value as written, so editors offer no completion for " +
		"these attributes, and the provider checks them at plan time.")
	return b.String()
}

// bulkItem is one item of address_spaces as Terraform holds it: the address space it describes
// and the value as written, which state and plans hand back unchanged when nothing changed.
type bulkItem struct {
	space ipam.AddressSpace
	// typeName is type as written, which space.Type cannot hold when it is neither type.
	typeName string
	// written are the fields the value writes (not null).
	written fieldSet
	// raw is the value as written, decoded from from when first needed (spacesValue).
	raw  tftypes.Value
	from *spacesValue
}

// rawValue returns the item's value as written.
func (it *bulkItem) rawValue() (tftypes.Value, error) {
	if it.raw.Type() == nil && it.from != nil {
		if _, err := it.from.decode(); err != nil {
			return tftypes.Value{}, err
		}
	}
	return it.raw, nil
}

// value returns a field's value, the zero value when the item does not set it.
func (it *bulkItem) value(f *bulkField) fieldValue { return f.get(&it.space) }

// itemProblem is something wrong with a configured item, at an attribute (empty: the item).
type itemProblem struct {
	key, attr, summary, detail string
}

// nameProblems checks the keys: names IPAM takes, none equal to another ignoring case.
func nameProblems(keys []string) []itemProblem {
	var problems []itemProblem
	seen := map[string]string{}
	for _, key := range keys {
		if err := ipam.ValidateName(key); err != nil {
			problems = append(problems, itemProblem{key: key, summary: "Invalid address space name", detail: trimKind(err)})
		}
		if prev, dup := seen[ipam.NameKey(key)]; dup {
			problems = append(problems, itemProblem{key: key, summary: "Duplicate address space name",
				detail: fmt.Sprintf("%q and %q differ only in case; IPAM treats them as the same address space.", prev, key)})
		}
		seen[ipam.NameKey(key)] = key
	}
	return problems
}

// sortProblems orders problems by key, keeping each key's in the order found.
func sortProblems(problems []itemProblem) {
	sort.SliceStable(problems, func(i, j int) bool { return problems[i].key < problems[j].key })
}

func itemSpace(key string) ipam.AddressSpace { return ipam.AddressSpace{Name: key} }

// checkItem checks an item's fields against its type: the type itself, the fields its type
// requires, and those only customer spaces have. known is false when the item has unknown parts;
// the result is false then, or when its type is unusable.
func checkItem(key string, it *bulkItem, known bool) (bool, []itemProblem) {
	bad := func(attr, summary, format string, args ...any) itemProblem {
		return itemProblem{key: key, attr: attr, summary: summary, detail: fmt.Sprintf(format, args...)}
	}
	if it.written.has(typeField) && it.typeName != "" {
		if err := typeField.check(fieldValue{str: it.typeName}); err != nil {
			return false, []itemProblem{bad("type", "Invalid address space type", "address_spaces[%q]: %s.", key, err)}
		}
	}
	if !known {
		return false, nil
	}
	if !it.written.has(typeField) {
		return false, []itemProblem{bad("", "Missing type", "address_spaces[%q] needs type = \"Provider\" or \"Customer\".", key)}
	}
	var problems []itemProblem
	typ := it.space.Type
	for i := range bulkFields {
		f := &bulkFields[i]
		switch {
		case f.name == "type":
		case f.customerOnly && typ != ipam.TypeCustomer && it.written.has(f) && !isZero(f, it):
			problems = append(problems, bad(f.name, "Attribute only for customer address spaces",
				"%s is set on %q, a provider address space; only customer address spaces have it.", f.name, key))
		case f.required(typ) && !it.written.has(f):
			problems = append(problems, bad(f.name, "Missing "+strings.ReplaceAll(f.name, "_", " "),
				"Customer address space %q needs %s.", key, f.name))
		case it.written.has(f):
			if err := f.check(f.get(&it.space)); err != nil {
				problems = append(problems, bad(f.name, "Invalid attribute value", "address_spaces[%q]: %s.", key, err))
			}
		}
	}
	return true, problems
}

// setField sets a field of the item from its configured value.
func (it *bulkItem) setField(f *bulkField, v fieldValue) {
	if f.name == "type" {
		it.typeName = v.str
	}
	f.set(&it.space, v)
}

func isZero(f *bulkField, it *bulkItem) bool {
	v := f.get(&it.space)
	return v.str == "" && len(v.cc) == 0
}

// members returns the attributes of an object or the elements of a map.
func members(v tftypes.Value) (map[string]tftypes.Value, bool) {
	if v.IsNull() || !v.IsKnown() {
		return nil, false
	}
	if !v.Type().Is(tftypes.Object{}) && !v.Type().Is(tftypes.Map{}) {
		return nil, false
	}
	var m map[string]tftypes.Value
	if err := v.As(&m); err != nil {
		return nil, false
	}
	return m, true
}

func fieldNames() string {
	names := make([]string, len(bulkFields))
	for i, f := range bulkFields {
		names[i] = f.name
	}
	return strings.Join(names, ", ")
}

// didYouMean suggests the field a misspelt attribute name most likely means.
func didYouMean(name string) string {
	best, bestDist := "", 3
	for _, f := range bulkFields {
		if d := editDistance(strings.ToLower(name), f.name); d < bestDist {
			best, bestDist = f.name, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// editDistance is the Levenshtein distance of two short strings.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur := make([]int, len(rb)+1)
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(rb)]
}

// itemOfServer is the item for what the server holds under key. When prior describes the same
// address space it is returned as it is, so that state and plan keep the configuration's spelling;
// otherwise the item writes the fields prior wrote and every field the server holds a value for,
// with prior's spelling where IPAM treats the two as equal.
func itemOfServer(key string, a *ipam.AddressSpace, prior *bulkItem) (*bulkItem, error) {
	if prior != nil && sameSpace(&prior.space, a) {
		return prior, nil
	}
	it := &bulkItem{space: *a}
	it.space.Name = key
	attrs := map[string]tftypes.Value{}
	var priorAttrs map[string]tftypes.Value
	if prior != nil {
		raw, err := prior.rawValue()
		if err != nil {
			return nil, err
		}
		priorAttrs, _ = members(raw)
	}
	for i := range bulkFields {
		f := &bulkFields[i]
		if f.customerOnly && a.Type != ipam.TypeCustomer {
			continue
		}
		server := f.get(a)
		wrote := prior != nil && prior.written.has(f)
		if !wrote && server.str == "" && len(server.cc) == 0 && f.name != "type" {
			continue
		}
		it.written.add(f)
		if wrote && prior.space.Type == a.Type && f.same(prior.value(f), server) {
			attrs[f.name] = priorAttrs[f.name]
			continue
		}
		attrs[f.name] = rawOfField(f, server)
	}
	it.raw = objectValue(attrs)
	return it, nil
}

func rawOfField(f *bulkField, v fieldValue) tftypes.Value {
	if !f.isMap {
		return tftypes.NewValue(tftypes.String, v.str)
	}
	m := make(map[string]tftypes.Value, len(v.cc))
	for k, s := range v.cc {
		m[k] = tftypes.NewValue(tftypes.String, s)
	}
	return tftypes.NewValue(tftypes.Map{ElementType: tftypes.String}, m)
}

// objectValue builds an object value from its attributes.
func objectValue(attrs map[string]tftypes.Value) tftypes.Value {
	types := make(map[string]tftypes.Type, len(attrs))
	for k, v := range attrs {
		types[k] = v.Type()
	}
	return tftypes.NewValue(tftypes.Object{AttributeTypes: types}, attrs)
}

// itemsValue builds address_spaces from items: a map when every item has the same type (as
// Terraform converts a map of objects), an object otherwise.
func itemsValue(items map[string]*bulkItem) (tftypes.Value, error) {
	vals := make(map[string]tftypes.Value, len(items))
	var elem tftypes.Type
	same := true
	for k, it := range items {
		raw, err := it.rawValue()
		if err != nil {
			return tftypes.Value{}, err
		}
		vals[k] = raw
		switch {
		case elem == nil:
			elem = raw.Type()
		case !elem.Equal(raw.Type()):
			same = false
		}
	}
	if same && elem != nil {
		return tftypes.NewValue(tftypes.Map{ElementType: elem}, vals), nil
	}
	return objectValue(vals), nil
}
