package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/winipam/terraform-provider-ipam/internal/ipam"
)

// addressSpacesDataSource is ipam_address_spaces: the address spaces a filter selects, in one query.
type addressSpacesDataSource struct{ dataSourceClient }

// NewAddressSpacesDataSource is ipam_address_spaces.
func NewAddressSpacesDataSource() datasource.DataSource {
	return &addressSpacesDataSource{}
}

// addressSpacesDataModel is ipam_address_spaces: the filters as configured and what they selected.
type addressSpacesDataModel struct {
	Type                 types.String            `tfsdk:"type"`
	ProviderAddressSpace types.String            `tfsdk:"provider_address_space"`
	Tenant               types.String            `tfsdk:"tenant"`
	NamePattern          types.String            `tfsdk:"name_pattern"`
	AddressSpaces        []addressSpaceDataModel `tfsdk:"address_spaces"`
	Names                []types.String          `tfsdk:"names"`
}

// filter turns the configured filters into an ipam.Filter; unset filters select everything.
func (m *addressSpacesDataModel) filter() (ipam.Filter, error) {
	var f ipam.Filter
	if s := m.Type.ValueString(); s != "" {
		t, err := ipam.ParseType(s)
		if err != nil {
			return f, err
		}
		f.Type = &t
	}
	f.ProviderAddressSpace = m.ProviderAddressSpace.ValueString()
	f.Tenant = m.Tenant.ValueString()
	f.NameLike = m.NamePattern.ValueString()
	return f, nil
}

func (d *addressSpacesDataSource) Metadata(_ context.Context, _ datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = "ipam_address_spaces"
}

func (d *addressSpacesDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists address spaces, provider and customer, optionally filtered. Filters combine with AND; " +
			"with none set, every address space is listed, including the built-in `Default` provider address space. " +
			"The filters are sent to IPAM as one WQL query, so the server does the selecting.",
		Attributes: map[string]schema.Attribute{
			"type": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only address spaces of this type: `Provider` or `Customer` (any case).",
				Validators:          []validator.String{stringvalidator.OneOfCaseInsensitive(ipam.TypeProvider.String(), ipam.TypeCustomer.String())},
			},
			"provider_address_space": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Only the customer address spaces that live on the provider address space of this " +
					"name (compared ignoring case). Provider address spaces never match.",
				Validators: []validator.String{nameValidator()},
			},
			"tenant": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only the customer address spaces of this tenant (compared ignoring case).",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"name_pattern": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Only address spaces whose name matches this WQL `LIKE` pattern, compared ignoring " +
					"case: `%` matches any run of characters (including none), `_` any one character, `[abc]` one " +
					"character of a set, `[a-f]` one of a range and `[^abc]` one not in the set; every other character " +
					"matches itself. There is no escape character: write `[%]`, `[_]` or `[[]` to match those literally. " +
					"For example `DC-%` selects every name starting with `DC-`, and `Tenant-[AB]` selects `Tenant-A` " +
					"and `Tenant-B`.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1), likePatternValidator()},
			},
			"address_spaces": schema.ListNestedAttribute{
				Computed: true,
				MarkdownDescription: "The address spaces selected, in the order IPAM returns them, each with the same " +
					"attributes as the `ipam_address_space` data source.",
				NestedObject: schema.NestedAttributeObject{Attributes: addressSpaceDataAttributes()},
			},
			"names": schema.ListAttribute{
				ElementType:         types.StringType,
				Computed:            true,
				MarkdownDescription: "The names of the address spaces selected, in the same order as `address_spaces`.",
			},
		},
	}
}

func (d *addressSpacesDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var state addressSpacesDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	f, err := state.filter()
	if err != nil {
		resp.Diagnostics.AddError("Invalid address space type", trimKind(err)+"\n\nSet type to Provider or Customer.")
		return
	}
	list, err := d.client.List(ctx, f)
	if err != nil {
		resp.Diagnostics.AddError("Cannot list address spaces", trimKind(err)+
			"\n\nCheck the provider's connection settings and that the account may read IPAM address spaces.")
		return
	}
	tflog.Debug(ctx, "listed address spaces", map[string]any{"count": len(list)})
	state.AddressSpaces = make([]addressSpaceDataModel, len(list))
	state.Names = make([]types.String, len(list))
	for i := range list {
		state.AddressSpaces[i] = addressSpaceDataFromDomain(&list[i])
		state.Names[i] = types.StringValue(list[i].Name)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}
