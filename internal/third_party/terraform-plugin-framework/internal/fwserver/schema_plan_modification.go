// Copyright IBM Corp. 2021, 2026
// SPDX-License-Identifier: MPL-2.0

package fwserver

import (
	"context"

	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/internal/fwschema"
	"github.com/hashicorp/terraform-plugin-framework/internal/fwschema/fwxschema"
	"github.com/hashicorp/terraform-plugin-framework/internal/fwschemadata"
	"github.com/hashicorp/terraform-plugin-framework/internal/privatestate"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
)

// ModifySchemaPlanRequest represents a request for a schema to run all
// attribute plan modification functions.
type ModifySchemaPlanRequest struct {
	// Config is the configuration the user supplied for the resource.
	Config tfsdk.Config

	// State is the current state of the resource.
	State tfsdk.State

	// Plan is the planned new state for the resource.
	Plan tfsdk.Plan

	// ProviderMeta is metadata from the provider_meta block of the module.
	ProviderMeta tfsdk.Config

	// Private is provider private state data.
	Private *privatestate.ProviderData
}

// ModifySchemaPlanResponse represents a response to a ModifySchemaPlanRequest.
type ModifySchemaPlanResponse struct {
	// Plan is the planned new state for the resource.
	Plan tfsdk.Plan

	// RequiresReplace is a list of attribute paths that require the
	// resource to be replaced. They should point to the specific field
	// that changed that requires the resource to be destroyed and
	// recreated.
	RequiresReplace path.Paths

	// Private is provider private state data following potential modifications.
	Private *privatestate.ProviderData

	// Diagnostics report errors or warnings related to running all attribute
	// plan modifiers. Returning an empty slice indicates a successful
	// plan modification with no warnings or errors generated.
	Diagnostics diag.Diagnostics
}

// SchemaModifyPlan runs all AttributePlanModifiers in all schema attributes
// and blocks.
//
// TODO: Clean up this abstraction back into an internal Schema type method.
// The extra Schema parameter is a carry-over of creating the proto6server
// package from the tfsdk package and not wanting to export the method.
// Reference: https://github.com/hashicorp/terraform-plugin-framework/issues/365
func SchemaModifyPlan(ctx context.Context, s fwschema.Schema, req ModifySchemaPlanRequest, resp *ModifySchemaPlanResponse) {
	var diags diag.Diagnostics

	configData := &fwschemadata.Data{
		Description:    fwschemadata.DataDescriptionConfiguration,
		Schema:         req.Config.Schema,
		TerraformValue: req.Config.Raw,
	}

	planData := &fwschemadata.Data{
		Description:    fwschemadata.DataDescriptionPlan,
		Schema:         req.Plan.Schema,
		TerraformValue: req.Plan.Raw,
	}

	stateData := &fwschemadata.Data{
		Description:    fwschemadata.DataDescriptionState,
		Schema:         req.State.Schema,
		TerraformValue: req.State.Raw,
	}

	for name, attribute := range s.GetAttributes() {
		// Patched (see README): an attribute with no plan modifier at any depth, whose types are all
		// base types, can neither change the plan nor fail to convert, so it is not even read.
		if !attributeHasPlanModifiers(attribute) && readCannotFail(ctx, name, req.Config.Schema, req.Config.Raw) &&
			readCannotFail(ctx, name, req.Plan.Schema, req.Plan.Raw) && readCannotFail(ctx, name, req.State.Schema, req.State.Raw) {
			continue
		}

		attrReq := ModifyAttributePlanRequest{
			AttributePath: path.Root(name),
			Config:        req.Config,
			State:         req.State,
			Plan:          req.Plan,
			ProviderMeta:  req.ProviderMeta,
			Private:       req.Private,
		}

		attrReq.AttributeConfig, diags = configData.ValueAtPath(ctx, attrReq.AttributePath)

		resp.Diagnostics.Append(diags...)

		if diags.HasError() {
			return
		}

		attrReq.AttributePlan, diags = planData.ValueAtPath(ctx, attrReq.AttributePath)

		resp.Diagnostics.Append(diags...)

		if diags.HasError() {
			return
		}

		attrReq.AttributeState, diags = stateData.ValueAtPath(ctx, attrReq.AttributePath)

		resp.Diagnostics.Append(diags...)

		if diags.HasError() {
			return
		}

		// Patched (see README): an attribute with no plan modifier at any depth keeps its planned
		// value (the reads above still report values that do not convert), so the walk over its
		// elements and writing it back are skipped.
		if !attributeHasPlanModifiers(attribute) {
			continue
		}

		attrResp := ModifyAttributePlanResponse{
			AttributePlan: attrReq.AttributePlan,
			Private:       attrReq.Private,
		}

		AttributeModifyPlan(ctx, attribute, attrReq, &attrResp)

		resp.Diagnostics.Append(attrResp.Diagnostics...)

		if resp.Diagnostics.HasError() {
			return
		}

		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, attrReq.AttributePath, attrResp.AttributePlan)...)

		if resp.Diagnostics.HasError() {
			return
		}

		resp.RequiresReplace = append(resp.RequiresReplace, attrResp.RequiresReplace...)
		resp.Private = attrResp.Private
	}

	for name, block := range s.GetBlocks() {
		blockReq := ModifyAttributePlanRequest{
			AttributePath: path.Root(name),
			Config:        req.Config,
			State:         req.State,
			Plan:          req.Plan,
			ProviderMeta:  req.ProviderMeta,
			Private:       req.Private,
		}

		blockReq.AttributeConfig, diags = configData.ValueAtPath(ctx, blockReq.AttributePath)

		resp.Diagnostics.Append(diags...)

		if diags.HasError() {
			return
		}

		blockReq.AttributePlan, diags = planData.ValueAtPath(ctx, blockReq.AttributePath)

		resp.Diagnostics.Append(diags...)

		if diags.HasError() {
			return
		}

		blockReq.AttributeState, diags = stateData.ValueAtPath(ctx, blockReq.AttributePath)

		resp.Diagnostics.Append(diags...)

		if diags.HasError() {
			return
		}

		blockResp := ModifyAttributePlanResponse{
			AttributePlan: blockReq.AttributePlan,
			Private:       blockReq.Private,
		}

		BlockModifyPlan(ctx, block, blockReq, &blockResp)

		resp.Diagnostics.Append(blockResp.Diagnostics...)

		if resp.Diagnostics.HasError() {
			return
		}

		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, blockReq.AttributePath, blockResp.AttributePlan)...)

		if resp.Diagnostics.HasError() {
			return
		}

		resp.RequiresReplace = append(resp.RequiresReplace, blockResp.RequiresReplace...)
		resp.Private = blockResp.Private
	}
}

// attributeHasPlanModifiers reports whether a, its nested object or an attribute nested in it at
// any depth has a plan modifier.
func attributeHasPlanModifiers(a fwschema.Attribute) bool {
	return fwschema.AttributeTreeHas(a, func(a fwschema.Attribute) bool {
		switch m := a.(type) {
		case fwxschema.AttributeWithBoolPlanModifiers:
			if len(m.BoolPlanModifiers()) > 0 {
				return true
			}
		case fwxschema.AttributeWithFloat32PlanModifiers:
			if len(m.Float32PlanModifiers()) > 0 {
				return true
			}
		case fwxschema.AttributeWithFloat64PlanModifiers:
			if len(m.Float64PlanModifiers()) > 0 {
				return true
			}
		case fwxschema.AttributeWithInt32PlanModifiers:
			if len(m.Int32PlanModifiers()) > 0 {
				return true
			}
		case fwxschema.AttributeWithInt64PlanModifiers:
			if len(m.Int64PlanModifiers()) > 0 {
				return true
			}
		case fwxschema.AttributeWithListPlanModifiers:
			if len(m.ListPlanModifiers()) > 0 {
				return true
			}
		case fwxschema.AttributeWithMapPlanModifiers:
			if len(m.MapPlanModifiers()) > 0 {
				return true
			}
		case fwxschema.AttributeWithNumberPlanModifiers:
			if len(m.NumberPlanModifiers()) > 0 {
				return true
			}
		case fwxschema.AttributeWithObjectPlanModifiers:
			if len(m.ObjectPlanModifiers()) > 0 {
				return true
			}
		case fwxschema.AttributeWithSetPlanModifiers:
			if len(m.SetPlanModifiers()) > 0 {
				return true
			}
		case fwxschema.AttributeWithStringPlanModifiers:
			if len(m.StringPlanModifiers()) > 0 {
				return true
			}
		case fwxschema.AttributeWithDynamicPlanModifiers:
			if len(m.DynamicPlanModifiers()) > 0 {
				return true
			}
		}

		if na, ok := a.(fwschema.NestedAttribute); ok {
			if o, ok := na.GetNestedObject().(fwxschema.NestedAttributeObjectWithPlanModifiers); ok && len(o.ObjectPlanModifiers()) > 0 {
				return true
			}
		}

		return false
	})
}

// readCannotFail reports whether reading the attribute name of raw, under schema s, cannot fail
// or report anything: its types are base types without validation of their own, and raw holds it
// with that type.
func readCannotFail(ctx context.Context, name string, s fwschema.Schema, raw tftypes.Value) bool {
	if s == nil {
		return false
	}
	a, ok := s.GetAttributes()[name]
	if !ok || !fwschema.TypeIsBase(a.GetType()) {
		return false
	}
	obj, ok := raw.Type().(tftypes.Object)
	if !ok {
		return false
	}
	got, ok := obj.AttributeTypes[name]
	return ok && got.Equal(a.GetType().TerraformType(ctx))
}
