package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"

	"github.com/winipam/terraform-provider-ipam/internal/ipam"
)

// caseInsensitive keeps the prior value when the planned one differs from it only in case: IPAM
// compares names ignoring case, so "DC-West" and "dc-west" are the same object and no change.
type caseInsensitive struct{}

func (caseInsensitive) Description(context.Context) string {
	return "a value that differs from the current one only in case is no change"
}
func (m caseInsensitive) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (caseInsensitive) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.StateValue.IsNull() || req.StateValue.IsUnknown() || req.PlanValue.IsNull() || req.PlanValue.IsUnknown() {
		return
	}
	if ipam.SameName(req.PlanValue.ValueString(), req.StateValue.ValueString()) {
		resp.PlanValue = req.StateValue
	}
}

// sameCustomConfiguration keeps the prior map when the planned one holds the same fields, names
// compared ignoring case, as IPAM matches custom fields.
type sameCustomConfiguration struct{}

func (sameCustomConfiguration) Description(context.Context) string {
	return "custom field names that differ only in case are no change"
}
func (m sameCustomConfiguration) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (sameCustomConfiguration) PlanModifyMap(ctx context.Context, req planmodifier.MapRequest, resp *planmodifier.MapResponse) {
	if req.StateValue.IsNull() || req.StateValue.IsUnknown() || req.PlanValue.IsNull() || req.PlanValue.IsUnknown() {
		return
	}
	plan, ok1 := customConfigurationOf(req.PlanValue)
	state, ok2 := customConfigurationOf(req.StateValue)
	if ok1 && ok2 && plan.Equal(state) {
		resp.PlanValue = req.StateValue
	}
}
