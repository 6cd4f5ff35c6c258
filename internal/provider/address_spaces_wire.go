package provider

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// Terraform sends and takes resource values as msgpack (the encoding terraform-plugin-go reads
// with this library). A dynamic value travels with its type, as JSON; parsing and writing that
// type for every address space cost more than everything else the resource does. So the calls that
// only look at address_spaces, or hand it back as it came (validation, plans, an apply or a refresh
// where everything went as planned), read the msgpack directly and pass its bytes through. Only
// when the value must change (drift, a partial failure, an import) is it decoded into tftypes
// values and written anew (address_spaces_resource.go).

// wireValue is a resource value as msgpack: each attribute's encoding, by name.
type wireValue struct {
	attrs map[string]msgpack.RawMessage
}

// readWire reads a resource value; nil when it is null.
func readWire(dv *tfprotov6.DynamicValue) (*wireValue, error) {
	if dv == nil {
		return nil, nil
	}
	data := dv.MsgPack
	if data == nil && dv.JSON != nil {
		// Terraform sends msgpack; a JSON value is converted through tftypes.
		v, err := dv.Unmarshal(bulkTypeTF)
		if err != nil {
			return nil, err
		}
		m, err := tfprotov6.NewDynamicValue(bulkTypeTF, v)
		if err != nil {
			return nil, err
		}
		data = m.MsgPack
	}
	// Each attribute is a slice of data, not a copy: address_spaces is most of it.
	r := bytes.NewReader(data)
	dec := msgpack.NewDecoder(r)
	if c, err := dec.PeekCode(); err != nil {
		return nil, err
	} else if c == msgpcode.Nil {
		return nil, nil
	}
	n, err := dec.DecodeMapLen()
	if err != nil {
		return nil, fmt.Errorf("the resource value is not an object: %w", err)
	}
	w := &wireValue{attrs: make(map[string]msgpack.RawMessage, n)}
	for i := 0; i < n; i++ {
		name, err := dec.DecodeString()
		if err != nil {
			return nil, err
		}
		start := len(data) - r.Len()
		if err := dec.Skip(); err != nil {
			return nil, err
		}
		w.attrs[name] = data[start : len(data)-r.Len() : len(data)-r.Len()]
	}
	return w, nil
}

// value decodes one (small) attribute.
func (w *wireValue) value(name string, typ tftypes.Type) (tftypes.Value, error) {
	raw, ok := w.attrs[name]
	if !ok {
		return tftypes.NewValue(typ, nil), nil
	}
	return (&tfprotov6.DynamicValue{MsgPack: raw}).Unmarshal(typ)
}

// encodeAttr writes one (small) attribute's value.
func encodeAttr(typ tftypes.Type, v tftypes.Value) (msgpack.RawMessage, error) {
	dv, err := tfprotov6.NewDynamicValue(typ, v)
	if err != nil {
		return nil, err
	}
	return dv.MsgPack, nil
}

// writeWire writes a resource value from its attributes' encodings; an attribute of the schema
// that attrs lacks (or holds empty) is written null.
func writeWire(attrs map[string]msgpack.RawMessage) (*tfprotov6.DynamicValue, error) {
	var buf bytes.Buffer
	size := 16
	names := make([]string, 0, len(bulkTypeTF.AttributeTypes))
	for name := range bulkTypeTF.AttributeTypes {
		names = append(names, name)
		size += len(name) + 2 + len(attrs[name])
	}
	buf.Grow(size)
	enc := msgpack.NewEncoder(&buf)
	sort.Strings(names)
	if err := enc.EncodeMapLen(len(names)); err != nil {
		return nil, err
	}
	for _, name := range names {
		if err := enc.EncodeString(name); err != nil {
			return nil, err
		}
		raw := attrs[name]
		if len(raw) == 0 {
			raw = msgpack.RawMessage{msgpcode.Nil}
		}
		if _, err := buf.Write(raw); err != nil {
			return nil, err
		}
	}
	return &tfprotov6.DynamicValue{MsgPack: buf.Bytes()}, nil
}

// wireString and wireBool write a known string and bool.
func wireString(s string) msgpack.RawMessage {
	var buf bytes.Buffer
	_ = msgpack.NewEncoder(&buf).EncodeString(s)
	return buf.Bytes()
}

func wireBool(b bool) msgpack.RawMessage {
	if b {
		return msgpack.RawMessage{msgpcode.True}
	}
	return msgpack.RawMessage{msgpcode.False}
}

// wireIDs reads ids (a map of strings) as written: the known ones.
func wireIDs(raw msgpack.RawMessage) map[string]string {
	out := map[string]string{}
	if len(raw) == 0 {
		return out
	}
	dec := msgpack.NewDecoder(bytes.NewReader(raw))
	if c, err := dec.PeekCode(); err != nil || !isMap(c) {
		return out
	}
	n, err := dec.DecodeMapLen()
	if err != nil {
		return out
	}
	for i := 0; i < n; i++ {
		k, err := dec.DecodeString()
		if err != nil {
			return out
		}
		if c, err := dec.PeekCode(); err == nil && isString(c) {
			if v, err := dec.DecodeString(); err == nil {
				out[k] = v
			}
			continue
		}
		if dec.Skip() != nil {
			return out
		}
	}
	return out
}

// encodeIDs writes ids: the known ones, and unknown for the keys of unknown.
func encodeIDs(ids map[string]string, unknown []string) msgpack.RawMessage {
	var buf bytes.Buffer
	enc := msgpack.NewEncoder(&buf)
	keys := make([]string, 0, len(ids))
	for k := range ids {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	_ = enc.EncodeMapLen(len(keys) + len(unknown))
	for _, k := range keys {
		_ = enc.EncodeString(k)
		_ = enc.EncodeString(ids[k])
	}
	for _, k := range unknown {
		_ = enc.EncodeString(k)
		buf.Write(unknownWire)
	}
	return buf.Bytes()
}

// unknownWire is how msgpack carries an unknown value: an extension, which Terraform reads as
// unknown whatever its content.
var unknownWire = func() msgpack.RawMessage {
	raw, err := encodeAttr(tftypes.String, tftypes.NewValue(tftypes.String, tftypes.UnknownValue))
	if err != nil {
		panic(err)
	}
	return raw
}()

func isMap(c byte) bool    { return msgpcode.IsFixedMap(c) || c == msgpcode.Map16 || c == msgpcode.Map32 }
func isString(c byte) bool { return msgpcode.IsString(c) }
func isArray(c byte) bool {
	return msgpcode.IsFixedArray(c) || c == msgpcode.Array16 || c == msgpcode.Array32
}

// wireTypeName names what a msgpack value holds, for error messages.
func wireTypeName(c byte) string {
	switch {
	case c == msgpcode.Nil:
		return "null"
	case isString(c), msgpcode.IsBin(c):
		return "a string"
	case c == msgpcode.True, c == msgpcode.False:
		return "a bool"
	case isArray(c):
		return "a list"
	case isMap(c):
		return "a map"
	}
	return "a number"
}

// spacesValue is address_spaces as Terraform wrote it, with the items read from it. It is decoded
// into tftypes values only when a result must differ from it.
type spacesValue struct {
	wire    msgpack.RawMessage
	items   map[string]*bulkItem
	value   tftypes.Value
	decoded bool
	err     error
}

// decode returns address_spaces as a tftypes value, and gives each item its value as written.
func (sv *spacesValue) decode() (tftypes.Value, error) {
	if sv.decoded {
		return sv.value, sv.err
	}
	sv.decoded = true
	if len(sv.wire) == 0 {
		sv.value = tftypes.NewValue(tftypes.DynamicPseudoType, nil)
		return sv.value, nil
	}
	sv.value, sv.err = (&tfprotov6.DynamicValue{MsgPack: sv.wire}).Unmarshal(tftypes.DynamicPseudoType)
	if sv.err != nil {
		return sv.value, sv.err
	}
	if elems, ok := members(sv.value); ok {
		for k, it := range sv.items {
			if e, ok := elems[k]; ok {
				it.raw = e
			}
		}
	}
	return sv.value, nil
}

// errWireShape reports a dynamic value that is not written as [type, value].
var errWireShape = errors.New("a dynamic value is not written as its type and value")

// parseItems reads address_spaces: an object or map of items, checked against bulkFields.
// Unknown values are skipped (known is false when any part is unknown); problems collects what is
// wrong with the configuration, err what is wrong with the encoding. The items decode their value
// as written from sv when asked for it.
func parseItems(sv *spacesValue) (items map[string]*bulkItem, known bool, problems []itemProblem, err error) {
	raw := sv.wire
	items = map[string]*bulkItem{}
	if len(raw) == 0 {
		return items, true, nil, nil
	}
	r := bytes.NewReader(raw)
	dec := msgpack.NewDecoder(r)
	c, err := dec.PeekCode()
	switch {
	case err != nil:
		return nil, false, nil, err
	case msgpcode.IsExt(c):
		return items, false, nil, nil
	case c == msgpcode.Nil:
		return items, true, nil, nil
	}
	if n, err := dec.DecodeArrayLen(); err != nil || n != 2 {
		return nil, false, nil, errWireShape
	}
	// The value's type, as JSON, is not needed to read it: step over it without reading it.
	if n, err := dec.DecodeBytesLen(); err != nil {
		return nil, false, nil, err
	} else if _, err := r.Seek(int64(n), io.SeekCurrent); err != nil {
		return nil, false, nil, err
	}
	if c, err = dec.PeekCode(); err != nil {
		return nil, false, nil, err
	}
	switch {
	case msgpcode.IsExt(c):
		return items, false, nil, nil
	case c == msgpcode.Nil:
		return items, true, nil, nil
	case !isMap(c):
		return items, true, []itemProblem{{summary: "Invalid address_spaces", detail: fmt.Sprintf(
			"address_spaces must be a map (or object) of address spaces keyed by name, not %s.", wireTypeName(c))}}, nil
	}
	n, err := dec.DecodeMapLen()
	if err != nil {
		return nil, false, nil, err
	}
	known = true
	keys := make([]string, 0, n)
	for i := 0; i < n; i++ {
		key, err := dec.DecodeString()
		if err != nil {
			return nil, false, nil, err
		}
		it, itemKnown, ps, err := parseItem(dec, key)
		if err != nil {
			return nil, false, nil, err
		}
		problems = append(problems, ps...)
		known = known && itemKnown
		if it != nil {
			it.from = sv
			items[key] = it
		}
		keys = append(keys, key)
	}
	problems = append(nameProblems(keys), problems...)
	sortProblems(problems)
	sv.items = items
	return items, known, problems, nil
}

func parseItem(dec *msgpack.Decoder, key string) (*bulkItem, bool, []itemProblem, error) {
	bad := func(attr, summary, format string, args ...any) itemProblem {
		return itemProblem{key: key, attr: attr, summary: summary, detail: fmt.Sprintf(format, args...)}
	}
	c, err := dec.PeekCode()
	if err != nil {
		return nil, false, nil, err
	}
	if msgpcode.IsExt(c) {
		return nil, false, nil, dec.Skip()
	}
	if !isMap(c) {
		return nil, true, []itemProblem{bad("", "Invalid address space", "address_spaces[%q] must be an object with a type, not %s.", key, wireTypeName(c))}, dec.Skip()
	}
	n, err := dec.DecodeMapLen()
	if err != nil {
		return nil, false, nil, err
	}
	it := &bulkItem{space: itemSpace(key)}
	known := true
	var problems []itemProblem
	for i := 0; i < n; i++ {
		name, err := dec.DecodeString()
		if err != nil {
			return nil, false, nil, err
		}
		f := bulkFieldByName[name]
		if c, err = dec.PeekCode(); err != nil {
			return nil, false, nil, err
		}
		switch {
		case f == nil:
			problems = append(problems, bad(name, "Unknown attribute", "address_spaces[%q] has no attribute %q%s. Its attributes are %s.",
				key, name, didYouMean(name), fieldNames()))
			err = dec.Skip()
		case msgpcode.IsExt(c):
			known = false
			it.written.add(f)
			err = dec.Skip()
		case c == msgpcode.Nil:
			err = dec.Skip()
		case !f.isMap && isString(c):
			var s string
			if s, err = dec.DecodeString(); err == nil {
				it.written.add(f)
				it.setField(f, fieldValue{str: s})
			}
		case f.isMap && isMap(c):
			var cc map[string]string
			var why string
			var unknown bool
			if cc, why, unknown, err = wireStrings(dec); err == nil {
				switch {
				case unknown:
					known = false
					it.written.add(f)
				case why != "":
					problems = append(problems, bad(name, "Invalid attribute value", "address_spaces[%q].%s must be a map of strings; %s.", key, name, why))
				default:
					it.written.add(f)
					it.setField(f, fieldValue{cc: cc})
				}
			}
		default:
			what := "a string"
			if f.isMap {
				what = "a map of strings"
			}
			problems = append(problems, bad(name, "Invalid attribute value", "address_spaces[%q].%s must be %s, not %s.", key, name, what, wireTypeName(c)))
			err = dec.Skip()
		}
		if err != nil {
			return nil, false, nil, err
		}
	}
	ok, ps := checkItem(key, it, known)
	return it, ok, append(problems, ps...), nil
}

// wireStrings reads a map of strings; why says what is wrong with a map that is not one, and
// unknown that a value is not known yet.
func wireStrings(dec *msgpack.Decoder) (out map[string]string, why string, unknown bool, err error) {
	n, err := dec.DecodeMapLen()
	if err != nil {
		return nil, "", false, err
	}
	out = make(map[string]string, n)
	for i := 0; i < n; i++ {
		k, err := dec.DecodeString()
		if err != nil {
			return nil, "", false, err
		}
		c, err := dec.PeekCode()
		if err != nil {
			return nil, "", false, err
		}
		if !isString(c) {
			switch {
			case msgpcode.IsExt(c):
				unknown = true
			case why == "":
				why = fmt.Sprintf("%q is %s", k, wireTypeName(c))
			}
			if err := dec.Skip(); err != nil {
				return nil, "", false, err
			}
			continue
		}
		if out[k], err = dec.DecodeString(); err != nil {
			return nil, "", false, err
		}
	}
	return out, why, unknown, nil
}
