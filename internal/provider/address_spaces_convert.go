package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The conversions between address_spaces and bulkItem values are written out rather than left to
// the framework's reflection (ElementsAs, MapValueFrom), which cost about a millisecond per item:
// seconds for every plan of a map of thousands. They work on the raw tftypes values: the
// framework's conversion of the whole map to attr values and back (Get, Set, GetAttribute,
// SetAttribute) cost more than everything else a plan of a large map does.

// itemDefaults are the values address_spaces' optional attributes take when the configuration
// leaves them null. ModifyPlan sets them (see applyItemDefaults), as the schema's defaults did.
var itemDefaults = map[string]tftypes.Value{
	"owner":                tftypes.NewValue(tftypes.String, ""),
	"description":          tftypes.NewValue(tftypes.String, ""),
	"tenant":               tftypes.NewValue(tftypes.String, ""),
	"vm_network":           tftypes.NewValue(tftypes.String, ""),
	"custom_configuration": tftypes.NewValue(tftypes.Map{ElementType: tftypes.String}, map[string]tftypes.Value{}),
}

// applyItemDefaults returns plan with itemDefaults set where config holds null, working on the raw
// values: it rebuilds only the items it changes.
func applyItemDefaults(plan, config tftypes.Value) (tftypes.Value, error) {
	step := func(v tftypes.Value, s tftypes.AttributePathStep) (tftypes.Value, bool) {
		if !v.IsKnown() || v.IsNull() {
			return tftypes.Value{}, false
		}
		x, err := v.ApplyTerraform5AttributePathStep(s)
		if err != nil {
			return tftypes.Value{}, false
		}
		xv, ok := x.(tftypes.Value)
		return xv, ok
	}
	planSpaces, ok1 := step(plan, tftypes.AttributeName("address_spaces"))
	configSpaces, ok2 := step(config, tftypes.AttributeName("address_spaces"))
	if !ok1 || !ok2 || !planSpaces.IsKnown() || planSpaces.IsNull() {
		return plan, nil
	}
	elems, err := rawElems(planSpaces)
	if err != nil {
		return plan, err
	}
	changed := false
	for key, elem := range elems {
		configElem, ok := step(configSpaces, tftypes.ElementKeyString(key))
		if !ok || !elem.IsKnown() || elem.IsNull() {
			continue
		}
		var attrs map[string]tftypes.Value
		for name, def := range itemDefaults {
			cv, ok := step(configElem, tftypes.AttributeName(name))
			if !ok || !cv.IsNull() {
				continue
			}
			if pv, ok := step(elem, tftypes.AttributeName(name)); ok && pv.Equal(def) {
				continue
			}
			if attrs == nil {
				if attrs, err = rawElems(elem); err != nil {
					return plan, err
				}
			}
			attrs[name] = def
		}
		if attrs != nil {
			elems[key] = tftypes.NewValue(elem.Type(), attrs)
			changed = true
		}
	}
	if !changed {
		return plan, nil
	}
	return withRawAttrs(plan, map[string]tftypes.Value{"address_spaces": tftypes.NewValue(planSpaces.Type(), elems)})
}

// rawElems returns a copy of the attributes of an object or the elements of a map: As hands out
// the value's own map, which must not change.
func rawElems(v tftypes.Value) (map[string]tftypes.Value, error) {
	var m map[string]tftypes.Value
	if err := v.As(&m); err != nil {
		return nil, err
	}
	out := make(map[string]tftypes.Value, len(m))
	for k, x := range m {
		out[k] = x
	}
	return out, nil
}

var (
	bulkItemTF   = bulkItemType.TerraformType(context.Background())
	bulkSpacesTF = tftypes.Map{ElementType: bulkItemTF}
	bulkIDsTF    = tftypes.Map{ElementType: tftypes.String}
)

// rawAttr returns the attribute name of an object value; false when v is null or unknown or has
// no such attribute.
func rawAttr(v tftypes.Value, name string) (tftypes.Value, bool) {
	if !v.IsKnown() || v.IsNull() {
		return tftypes.Value{}, false
	}
	x, err := v.ApplyTerraform5AttributePathStep(tftypes.AttributeName(name))
	if err != nil {
		return tftypes.Value{}, false
	}
	xv, ok := x.(tftypes.Value)
	return xv, ok
}

func stringOfRaw(v tftypes.Value) (types.String, error) {
	switch {
	case !v.IsKnown():
		return types.StringUnknown(), nil
	case v.IsNull():
		return types.StringNull(), nil
	}
	var s string
	if err := v.As(&s); err != nil {
		return types.StringNull(), err
	}
	return types.StringValue(s), nil
}

func stringMapOfRaw(v tftypes.Value) (types.Map, error) {
	switch {
	case !v.IsKnown():
		return types.MapUnknown(types.StringType), nil
	case v.IsNull():
		return types.MapNull(types.StringType), nil
	}
	var raw map[string]tftypes.Value
	if err := v.As(&raw); err != nil {
		return types.MapNull(types.StringType), err
	}
	elems := make(map[string]attr.Value, len(raw))
	for k, e := range raw {
		s, err := stringOfRaw(e)
		if err != nil {
			return types.MapNull(types.StringType), err
		}
		elems[k] = s
	}
	return types.MapValueMust(types.StringType, elems), nil
}

// itemsOfRaw reads address_spaces from a known, non-null raw map, as itemsOf does.
func itemsOfRaw(spaces tftypes.Value) (map[string]bulkItem, error) {
	var elems map[string]tftypes.Value
	if err := spaces.As(&elems); err != nil {
		return nil, err
	}
	items := make(map[string]bulkItem, len(elems))
	for name, obj := range elems {
		if !obj.IsKnown() {
			u := types.StringUnknown()
			items[name] = bulkItem{Type: u, Owner: u, Description: u, CustomConfiguration: types.MapUnknown(types.StringType),
				ProviderAddressSpace: u, IsolationMethod: u, Tenant: u, VMNetwork: u}
			continue
		}
		var err error
		str := func(k string) types.String {
			v, ok := rawAttr(obj, k)
			if !ok || err != nil {
				return types.StringNull()
			}
			s, e := stringOfRaw(v)
			if e != nil {
				err = fmt.Errorf("address_spaces[%q].%s: %w", name, k, e)
			}
			return s
		}
		cc := types.MapNull(types.StringType)
		if v, ok := rawAttr(obj, "custom_configuration"); ok {
			if cc, err = stringMapOfRaw(v); err != nil {
				return nil, fmt.Errorf("address_spaces[%q].custom_configuration: %w", name, err)
			}
		}
		items[name] = bulkItem{
			Type: str("type"), Owner: str("owner"), Description: str("description"), CustomConfiguration: cc,
			ProviderAddressSpace: str("provider_address_space"), IsolationMethod: str("isolation_method"),
			Tenant: str("tenant"), VMNetwork: str("vm_network"),
		}
		if err != nil {
			return nil, err
		}
	}
	return items, nil
}

// rawOfItem writes one value of address_spaces.
func rawOfItem(ctx context.Context, it bulkItem) (tftypes.Value, error) {
	attrs := make(map[string]tftypes.Value, 8)
	for name, v := range map[string]attr.Value{
		"type": it.Type, "owner": it.Owner, "description": it.Description, "custom_configuration": it.CustomConfiguration,
		"provider_address_space": it.ProviderAddressSpace, "isolation_method": it.IsolationMethod,
		"tenant": it.Tenant, "vm_network": it.VMNetwork,
	} {
		tv, err := v.ToTerraformValue(ctx)
		if err != nil {
			return tftypes.Value{}, err
		}
		attrs[name] = tv
	}
	return tftypes.NewValue(bulkItemTF, attrs), nil
}

// rawOfItems writes address_spaces.
func rawOfItems(ctx context.Context, items map[string]bulkItem) (tftypes.Value, error) {
	elems := make(map[string]tftypes.Value, len(items))
	for name, it := range items {
		v, err := rawOfItem(ctx, it)
		if err != nil {
			return tftypes.Value{}, err
		}
		elems[name] = v
	}
	return tftypes.NewValue(bulkSpacesTF, elems), nil
}

// rawOfIDs writes ids.
func rawOfIDs(ids map[string]string) tftypes.Value {
	elems := make(map[string]tftypes.Value, len(ids))
	for k, v := range ids {
		elems[k] = tftypes.NewValue(tftypes.String, v)
	}
	return tftypes.NewValue(bulkIDsTF, elems)
}

// withRawAttrs returns the object v with some attributes replaced.
func withRawAttrs(v tftypes.Value, set map[string]tftypes.Value) (tftypes.Value, error) {
	attrs, err := rawElems(v)
	if err != nil {
		return v, err
	}
	for k, x := range set {
		attrs[k] = x
	}
	return tftypes.NewValue(v.Type(), attrs), nil
}
