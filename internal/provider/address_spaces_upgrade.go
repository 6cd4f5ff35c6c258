package provider

import (
	"encoding/json"
	"fmt"

	"github.com/hashicorp/terraform-plugin-go/tftypes"
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
