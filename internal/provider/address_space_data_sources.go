package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/winipam/terraform-provider-ipam/internal/ipam"
)

// The two data sources, ipam_address_space (one address space by name) and ipam_address_spaces
// (the address spaces a filter selects, in one query), and what they share: each address space is
// read as an addressSpaceDataModel, and both take their client in dataSourceClient's Configure.

// addressSpaceDataModel is every readable property of an address space of either type. It is the
// ipam_address_space data source and each element of ipam_address_spaces' address_spaces, and it
// embeds the resources' commonModel so both read the server's values through the same conversion.
type addressSpaceDataModel struct {
	commonModel
	customerPart
	Type                   types.String `tfsdk:"type"`
	IsInheritedAccessScope types.Bool   `tfsdk:"is_inherited_access_scope"`
}

// addressSpaceDataFromDomain converts what the server holds, with names spelled as the server
// stores them.
func addressSpaceDataFromDomain(a *ipam.AddressSpace) addressSpaceDataModel {
	var m addressSpaceDataModel
	m.commonModel.fromDomain(a, &commonModel{})
	m.customerPart.fromDomain(a, customerPart{})
	m.Type = types.StringValue(a.Type.String())
	m.IsInheritedAccessScope = types.BoolValue(a.IsInheritedAccessScope)
	return m
}

// addressSpaceDataAttributes are the computed attributes of one address space, shared by both data
// sources so that ipam_address_spaces' elements read exactly like ipam_address_space.
func addressSpaceDataAttributes() map[string]schema.Attribute {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	percent := func(desc string) schema.Float64Attribute {
		return schema.Float64Attribute{Computed: true, MarkdownDescription: desc}
	}
	return map[string]schema.Attribute{
		"id":   str("The server's `InstanceID` of the address space."),
		"name": str("Name of the address space, spelled as IPAM stores it."),
		"type": str("`Provider` for a provider address space (a physical network) or `Customer` for a customer " +
			"address space (a Hyper-V Network Virtualization tenant network)."),
		"owner":       str("Owner of the address space; empty when none is set."),
		"description": str("Description; empty when none is set."),
		"custom_configuration": schema.MapAttribute{
			ElementType: types.StringType, Computed: true,
			MarkdownDescription: "Custom fields and their values (IPAM's `CustomConfiguration`), keyed by the field names " +
				"as IPAM spells them. The built-in fields are separate attributes.",
		},
		"provider_address_space": str("Name of the provider address space a customer address space lives on; empty " +
			"for a provider address space."),
		"isolation_method": str("How a customer address space isolates tenant traffic: `NVGRE` or `IPRewrite`; empty " +
			"for a provider address space."),
		"tenant":                   str("Tenant of a customer address space; empty when none is set and for a provider address space."),
		"vm_network":               str("VM network of a customer address space; empty when none is set and for a provider address space."),
		"ipv4_utilization_percent": percent("Percentage of the IPv4 addresses in the address space that are in use."),
		"ipv6_utilization_percent": percent("Percentage of the IPv6 addresses in the address space that are in use."),
		"ipv4_utilization_status":  str("IPv4 utilisation against IPAM's thresholds: `None`, `Under`, `Optimal` or `Over`."),
		"ipv6_utilization_status":  str("IPv6 utilisation against IPAM's thresholds: `None`, `Under`, `Optimal` or `Over`."),
		"access_scope_path":        str("IPAM access scope of the address space, e.g. `\\Global` (Windows Server 2016 and later)."),
		"is_inherited_access_scope": schema.BoolAttribute{
			Computed: true,
			MarkdownDescription: "Whether the access scope is inherited rather than set on the address space itself " +
				"(Windows Server 2016 and later).",
		},
	}
}

// dataSourceClient is what both data sources embed: the client, and the Configure that takes it.
type dataSourceClient struct {
	client ipam.Client
}

func (d *dataSourceClient) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if c := clientFrom(req.ProviderData, &resp.Diagnostics); c != nil {
		d.client = c
	}
}

// clientFrom is the ipam.Client the provider's Configure hands to those of the resources and data
// sources as their ProviderData; nil before the provider is configured.
func clientFrom(providerData any, diags *diag.Diagnostics) ipam.Client {
	if providerData == nil {
		return nil
	}
	client, ok := providerData.(ipam.Client)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("Expected an ipam.Client, got %T. This is a bug in the provider.", providerData))
	}
	return client
}

// addressSpaceDataSource is ipam_address_space: one address space of either type, looked up by name.
type addressSpaceDataSource struct{ dataSourceClient }

// NewAddressSpaceDataSource is ipam_address_space.
func NewAddressSpaceDataSource() datasource.DataSource {
	return &addressSpaceDataSource{}
}

func (d *addressSpaceDataSource) Metadata(_ context.Context, _ datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = "ipam_address_space"
}

func (d *addressSpaceDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := addressSpaceDataAttributes()
	attrs["name"] = schema.StringAttribute{
		Required: true,
		MarkdownDescription: "Name of the address space to read, provider or customer. IPAM compares names ignoring " +
			"case, so `dc-west` finds `DC-West`; after the read this holds the name as IPAM spells it.",
		Validators: []validator.String{nameValidator()},
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one address space, provider or customer, by name: every property IPAM reports, " +
			"including the utilisation read-outs. Fails when no address space has the name; to test whether one " +
			"exists, use `ipam_address_spaces` with `name_pattern` instead.",
		Attributes: attrs,
	}
}

func (d *addressSpaceDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var name types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("name"), &name)...)
	if resp.Diagnostics.HasError() {
		return
	}
	a, err := d.client.GetByName(ctx, name.ValueString())
	if errors.Is(err, ipam.ErrNotFound) {
		resp.Diagnostics.AddAttributeError(path.Root("name"), fmt.Sprintf("No address space named %q", name.ValueString()),
			"IPAM has no address space with this name (names are compared ignoring case). Check the name, or list "+
				"the address spaces with the ipam_address_spaces data source.")
		return
	}
	if err != nil {
		resp.Diagnostics.Append(errorDiagnostic("read", "ipam_address_space", name.ValueString(), err))
		return
	}
	tflog.Debug(ctx, "read address space", map[string]any{"name": a.Name, "instance_id": a.InstanceID, "type": a.Type.String()})
	state := addressSpaceDataFromDomain(a)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

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
