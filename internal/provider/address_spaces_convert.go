package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The conversions between address_spaces and bulkItem values are written out rather than left to
// the framework's reflection (ElementsAs, MapValueFrom), which cost about a millisecond per item:
// seconds for every plan of a map of thousands.

// itemsOf reads address_spaces.
func itemsOf(m types.Map) (map[string]bulkItem, diag.Diagnostics) {
	var diags diag.Diagnostics
	elems := m.Elements()
	items := make(map[string]bulkItem, len(elems))
	for name, v := range elems {
		obj, ok := v.(types.Object)
		if !ok {
			diags.AddError("Unexpected address_spaces value", fmt.Sprintf("Element %q is a %T, not an object. This is a bug in the provider.", name, v))
			continue
		}
		if obj.IsUnknown() {
			// Not known until apply (it depends on another resource): every field is unknown.
			u := types.StringUnknown()
			items[name] = bulkItem{Type: u, Owner: u, Description: u, CustomConfiguration: types.MapUnknown(types.StringType),
				ProviderAddressSpace: u, IsolationMethod: u, Tenant: u, VMNetwork: u}
			continue
		}
		a := obj.Attributes()
		str := func(k string) types.String {
			s, ok := a[k].(types.String)
			if !ok {
				return types.StringNull()
			}
			return s
		}
		cc, ok := a["custom_configuration"].(types.Map)
		if !ok {
			cc = types.MapNull(types.StringType)
		}
		items[name] = bulkItem{
			Type: str("type"), Owner: str("owner"), Description: str("description"), CustomConfiguration: cc,
			ProviderAddressSpace: str("provider_address_space"), IsolationMethod: str("isolation_method"),
			Tenant: str("tenant"), VMNetwork: str("vm_network"),
		}
	}
	return items, diags
}

// mapOf writes address_spaces.
func mapOf(items map[string]bulkItem) (types.Map, diag.Diagnostics) {
	var diags diag.Diagnostics
	elems := make(map[string]attr.Value, len(items))
	for name, it := range items {
		obj, d := types.ObjectValue(bulkItemType.AttrTypes, map[string]attr.Value{
			"type": it.Type, "owner": it.Owner, "description": it.Description, "custom_configuration": it.CustomConfiguration,
			"provider_address_space": it.ProviderAddressSpace, "isolation_method": it.IsolationMethod,
			"tenant": it.Tenant, "vm_network": it.VMNetwork,
		})
		diags.Append(d...)
		elems[name] = obj
	}
	m, d := types.MapValue(bulkItemType, elems)
	diags.Append(d...)
	return m, diags
}
