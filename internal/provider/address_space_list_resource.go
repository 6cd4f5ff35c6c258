package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/winipam/terraform-provider-ipam/internal/ipam"
)

// addressSpaceListResource lists the provider or customer address spaces IPAM holds, for
// `terraform query` (Terraform 1.14 and later): list blocks of ipam_provider_address_space and
// ipam_customer_address_space. Each result carries the resource's identity and, with
// include_resource, the state a refresh of that resource would write, so that
// -generate-config-out writes configuration that imports with no changes. It shares the
// resource's type name, client and models.
type addressSpaceListResource struct {
	addressSpaceResource
}

// NewProviderAddressSpaceListResource is the list resource of ipam_provider_address_space.
func NewProviderAddressSpaceListResource() list.ListResource {
	return &addressSpaceListResource{addressSpaceResource{typ: ipam.TypeProvider}}
}

// NewCustomerAddressSpaceListResource is the list resource of ipam_customer_address_space.
func NewCustomerAddressSpaceListResource() list.ListResource {
	return &addressSpaceListResource{addressSpaceResource{typ: ipam.TypeCustomer}}
}

func (l *addressSpaceListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	attrs := map[string]schema.Attribute{
		"name_pattern": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Only address spaces whose name matches this WQL `LIKE` pattern, compared ignoring case, " +
				"as the `ipam_address_spaces` data source's `name_pattern`: `%` any run of characters, `_` one character, " +
				"`[abc]` or `[a-f]` one of a set, `[^abc]` one not in it. For example `DC-%`.",
			Validators: []validator.String{stringvalidator.LengthAtLeast(1), likePatternValidator()},
		},
		"owner": schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: "Only address spaces with this owner (compared ignoring case).",
			Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
		},
	}
	desc := "Lists the provider address spaces IPAM holds, for `terraform query` (Terraform 1.14 and later). Filters " +
		"combine with AND and are sent to IPAM as one WQL query. The built-in `" + ipam.DefaultProviderName + "` provider " +
		"address space is never listed: every IPAM server has it and Terraform cannot create or delete it."
	if l.typ == ipam.TypeCustomer {
		desc = "Lists the customer address spaces IPAM holds, for `terraform query` (Terraform 1.14 and later). Filters " +
			"combine with AND and are sent to IPAM as one WQL query."
		attrs["provider_address_space"] = schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: "Only the customer address spaces on the provider address space of this name (compared ignoring case).",
			Validators:          []validator.String{nameValidator()},
		}
		attrs["tenant"] = schema.StringAttribute{
			Optional:            true,
			MarkdownDescription: "Only the customer address spaces of this tenant (compared ignoring case).",
			Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
		}
	}
	resp.Schema = schema.Schema{MarkdownDescription: desc, Attributes: attrs}
}

// filter is the query a list block's configuration asks for.
func (l *addressSpaceListResource) filter(ctx context.Context, config tfsdk.Config, diags *diag.Diagnostics) ipam.Filter {
	text := func(name string) string {
		var v types.String
		diags.Append(config.GetAttribute(ctx, path.Root(name), &v)...)
		return v.ValueString()
	}
	typ := l.typ
	f := ipam.Filter{Type: &typ, NameLike: text("name_pattern"), Owner: text("owner")}
	if l.typ == ipam.TypeCustomer {
		f.ProviderAddressSpace = text("provider_address_space")
		f.Tenant = text("tenant")
	}
	return f
}

func (l *addressSpaceListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var diags diag.Diagnostics
	f := l.filter(ctx, req.Config, &diags)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	spaces, err := l.client.List(ctx, f)
	if err != nil {
		diags.AddError(fmt.Sprintf("Cannot list %s address spaces", l.kind()), trimKind(err)+
			"\n\nCheck the provider's connection settings and that the account may read IPAM address spaces.")
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	tflog.Debug(ctx, "listed address spaces", map[string]any{"type": l.typeName(), "count": len(spaces)})
	stream.Results = func(push func(list.ListResult) bool) {
		var sent int64
		for i := range spaces {
			a := &spaces[i]
			if l.typ == ipam.TypeProvider && ipam.SameName(a.Name, ipam.DefaultProviderName) {
				continue // built in: never offered for management
			}
			if req.Limit > 0 && sent >= req.Limit {
				return
			}
			sent++
			if !push(l.result(ctx, req, a)) {
				return
			}
		}
	}
}

// result is one address space found: its identity, its name and, when asked for, the state a
// refresh of the resource writes for it.
func (l *addressSpaceListResource) result(ctx context.Context, req list.ListRequest, a *ipam.AddressSpace) list.ListResult {
	res := req.NewListResult(ctx)
	res.DisplayName = a.Name
	setIdentity(ctx, res.Identity, a.InstanceID, &res.Diagnostics)
	if !req.IncludeResource {
		return res
	}
	// The timeouts block as Terraform would read it from a configuration that does not set it.
	var none timeouts.Value
	res.Diagnostics.Append(res.Resource.GetAttribute(ctx, path.Root("timeouts"), &none)...)
	var prior, state spaceModel = &providerSpaceModel{Timeouts: none}, &providerSpaceModel{}
	if l.typ == ipam.TypeCustomer {
		prior, state = &customerSpaceModel{Timeouts: none}, &customerSpaceModel{}
	}
	state.fromDomain(a, prior)
	res.Diagnostics.Append(res.Resource.Set(ctx, state)...)
	return res
}
