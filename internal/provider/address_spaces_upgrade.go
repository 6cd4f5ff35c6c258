package provider

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// bulkItemV0 is the object type of an item in version 0 of the schema, where every attribute was
// declared and set (an unset string was "", an unset map {}).
var bulkItemV0 = tftypes.Object{AttributeTypes: map[string]tftypes.Type{
	"type": tftypes.String, "owner": tftypes.String, "description": tftypes.String,
	"custom_configuration": tftypes.Map{ElementType: tftypes.String}, "provider_address_space": tftypes.String,
	"isolation_method": tftypes.String, "tenant": tftypes.String, "vm_network": tftypes.String,
}}

// upgradeBulkV0 reads a version 0 state, as JSON, into version 1: address_spaces keeps its map of
// objects, which a dynamic attribute stores with its type. The plan after the upgrade compares
// the configuration with it as IPAM does, so the attributes version 0 filled with "" show no diff.
func upgradeBulkV0(raw []byte) (tftypes.Value, error) {
	var old struct {
		ID            *string                               `json:"id"`
		AddressSpaces map[string]map[string]json.RawMessage `json:"address_spaces"`
		IDs           map[string]string                     `json:"ids"`
		Timeouts      json.RawMessage                       `json:"timeouts"`
	}
	if err := json.Unmarshal(raw, &old); err != nil {
		return tftypes.Value{}, fmt.Errorf("the version 0 state does not read: %w", err)
	}
	items := make(map[string]tftypes.Value, len(old.AddressSpaces))
	for key, attrs := range old.AddressSpaces {
		vals := make(map[string]tftypes.Value, len(bulkItemV0.AttributeTypes))
		for name, typ := range bulkItemV0.AttributeTypes {
			v, err := valueOfJSON(typ, attrs[name])
			if err != nil {
				return tftypes.Value{}, fmt.Errorf("address_spaces[%q].%s: %w", key, name, err)
			}
			vals[name] = v
		}
		items[key] = tftypes.NewValue(bulkItemV0, vals)
	}
	timeoutsValue, err := valueOfJSON(bulkTimeoutsType, old.Timeouts)
	if err != nil {
		return tftypes.Value{}, fmt.Errorf("timeouts: %w", err)
	}
	id := tftypes.NewValue(tftypes.String, nil)
	if old.ID != nil {
		id = tftypes.NewValue(tftypes.String, *old.ID)
	}
	return tftypes.NewValue(bulkTypeTF, map[string]tftypes.Value{
		"id":             id,
		"address_spaces": tftypes.NewValue(tftypes.Map{ElementType: bulkItemV0}, items),
		"ids":            rawOfIDs(old.IDs),
		"partial":        tftypes.NewValue(tftypes.Bool, false),
		"timeouts":       timeoutsValue,
	}), nil
}

// valueOfJSON reads a JSON value of state as a value of typ; absent or null JSON is null.
func valueOfJSON(typ tftypes.Type, raw json.RawMessage) (tftypes.Value, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return tftypes.NewValue(typ, nil), nil
	}
	return tftypes.ValueFromJSONWithOpts(raw, typ, tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true})
}

// upgradeBulkV1 converts a state of the current version from JSON, as Terraform stores it, to
// msgpack. Terraform asks for this before every plan and refresh, and converting through tftypes
// parses address_spaces' type, which for thousands of items costs more than the plan itself. JSON
// values of a state convert one to one: objects and maps to maps, lists to arrays, and a dynamic
// value, which JSON holds as {"value", "type"}, to [type, value] as msgpack does. Attributes the
// schema does not have are dropped.
func upgradeBulkV1(data []byte) (*tfprotov6.DynamicValue, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, fmt.Errorf("the state does not read: %w", err)
	}
	if top == nil {
		return &tfprotov6.DynamicValue{MsgPack: []byte{msgpcode.Nil}}, nil
	}
	attrs := make(map[string]msgpack.RawMessage, len(bulkTypeTF.AttributeTypes))
	for name, typ := range bulkTypeTF.AttributeTypes {
		raw, ok := top[name]
		if !ok {
			continue
		}
		var err error
		switch name {
		case "address_spaces":
			attrs[name], err = dynamicJSONToWire(raw)
		case "timeouts":
			// An object: through tftypes, which fills attributes an older state lacks.
			var v tftypes.Value
			if v, err = valueOfJSON(typ, raw); err == nil {
				attrs[name], err = encodeAttr(typ, v)
			}
		default:
			attrs[name], err = jsonToWire(raw)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	return writeWire(attrs)
}

// dynamicJSONToWire converts a dynamic value from JSON ({"value", "type"}) to msgpack.
func dynamicJSONToWire(raw json.RawMessage) (msgpack.RawMessage, error) {
	if string(bytes.TrimSpace(raw)) == "null" {
		return msgpack.RawMessage{msgpcode.Nil}, nil
	}
	var dv struct {
		Value json.RawMessage `json:"value"`
		Type  json.RawMessage `json:"type"`
	}
	if err := json.Unmarshal(raw, &dv); err != nil {
		return nil, err
	}
	if len(dv.Type) == 0 {
		return nil, errors.New("a dynamic value has no type")
	}
	value, err := jsonToWire(dv.Value)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := msgpack.NewEncoder(&buf)
	if err := enc.EncodeArrayLen(2); err != nil {
		return nil, err
	}
	if err := enc.EncodeBytes(dv.Type); err != nil {
		return nil, err
	}
	buf.Write(value)
	return buf.Bytes(), nil
}

// jsonToWire converts a JSON value of a state to msgpack.
func jsonToWire(raw json.RawMessage) (msgpack.RawMessage, error) {
	if len(raw) == 0 {
		return msgpack.RawMessage{msgpcode.Nil}, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := encodeJSONValue(msgpack.NewEncoder(&buf), v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func encodeJSONValue(enc *msgpack.Encoder, v any) error {
	switch x := v.(type) {
	case nil:
		return enc.EncodeNil()
	case bool:
		return enc.EncodeBool(x)
	case string:
		return enc.EncodeString(x)
	case json.Number:
		// As cty writes numbers: an integer, else a float, else the exact decimal as a string.
		if i, err := x.Int64(); err == nil {
			return enc.EncodeInt(i)
		}
		if f, err := strconv.ParseFloat(string(x), 64); err == nil && strconv.FormatFloat(f, 'g', -1, 64) == string(x) {
			return enc.EncodeFloat64(f)
		}
		return enc.EncodeString(string(x))
	case []any:
		if err := enc.EncodeArrayLen(len(x)); err != nil {
			return err
		}
		for _, e := range x {
			if err := encodeJSONValue(enc, e); err != nil {
				return err
			}
		}
		return nil
	case map[string]any:
		if err := enc.EncodeMapLen(len(x)); err != nil {
			return err
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if err := enc.EncodeString(k); err != nil {
				return err
			}
			if err := encodeJSONValue(enc, x[k]); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("unexpected JSON value %T", v)
}
