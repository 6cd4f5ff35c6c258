package provider

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/winipam/terraform-provider-ipam/internal/ipam"
)

var (
	_ resource.Resource                   = (*addressSpacesResource)(nil)
	_ resource.ResourceWithConfigure      = (*addressSpacesResource)(nil)
	_ resource.ResourceWithImportState    = (*addressSpacesResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*addressSpacesResource)(nil)
	_ resource.ResourceWithValidateConfig = (*addressSpacesResource)(nil)
)

// addressSpacesResource is ipam_address_spaces: many address spaces in one resource, keyed by name,
// applied through BulkAddOrUpdateAddressSpace and BulkDeleteAddressSpace.
type addressSpacesResource struct {
	client ipam.Client
}

// NewAddressSpacesResource is ipam_address_spaces.
func NewAddressSpacesResource() resource.Resource { return &addressSpacesResource{} }

type addressSpacesModel struct {
	ID            types.String   `tfsdk:"id"`
	AddressSpaces types.Map      `tfsdk:"address_spaces"`
	IDs           types.Map      `tfsdk:"ids"`
	Timeouts      timeouts.Value `tfsdk:"timeouts"`
}

// Default timeouts of ipam_address_spaces: a few bulk calls, even for thousands of items.
const (
	defaultBulkWriteTimeout = 30 * time.Minute
	defaultBulkReadTimeout  = 10 * time.Minute
)

// bulkItem is one value of address_spaces.
type bulkItem struct {
	Type                 types.String `tfsdk:"type"`
	Owner                types.String `tfsdk:"owner"`
	Description          types.String `tfsdk:"description"`
	CustomConfiguration  types.Map    `tfsdk:"custom_configuration"`
	ProviderAddressSpace types.String `tfsdk:"provider_address_space"`
	IsolationMethod      types.String `tfsdk:"isolation_method"`
	Tenant               types.String `tfsdk:"tenant"`
	VMNetwork            types.String `tfsdk:"vm_network"`
}

var bulkItemType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"type":                   types.StringType,
	"owner":                  types.StringType,
	"description":            types.StringType,
	"custom_configuration":   types.MapType{ElemType: types.StringType},
	"provider_address_space": types.StringType,
	"isolation_method":       types.StringType,
	"tenant":                 types.StringType,
	"vm_network":             types.StringType,
}}

// privateDestroy marks a planned destroy, so that Delete can tell it from the first half of a
// replacement.
const privateDestroy = "destroy"

func (r *addressSpacesResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = "ipam_address_spaces"
}

func (r *addressSpacesResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	emptyString := func(desc string, v ...validator.String) schema.StringAttribute {
		return schema.StringAttribute{Optional: true, Computed: true, Default: stringdefault.StaticString(""), MarkdownDescription: desc, Validators: v}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Many address spaces in one resource, keyed by name, applied with IPAM's bulk methods " +
			"(`BulkAddOrUpdateAddressSpace`, `BulkDeleteAddressSpace`): a change to a thousand address spaces costs a " +
			"few round trips.\n\n**Adoption:** an address space that already exists in IPAM under a listed name is " +
			"adopted and brought to the configured values, not refused. Address spaces whose names are not in the map " +
			"are never touched.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Identifier of this set of address spaces in the state.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"address_spaces": schema.MapNestedAttribute{
				Required: true,
				MarkdownDescription: "The address spaces, keyed by name (names are unique across both types and compared " +
					"ignoring case; renaming a key deletes the old address space and creates the new one). Provider spaces " +
					"are applied before the customer spaces that name them.",
				Validators: []validator.Map{keysAreNames{}},
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"type": schema.StringAttribute{
							Required:            true,
							MarkdownDescription: "`Provider` or `Customer`. Changing it replaces that one address space.",
							Validators:          []validator.String{stringvalidator.OneOf("Provider", "Customer")},
						},
						"owner":       emptyString(fmt.Sprintf("Owner. At most %d characters.", ipam.MaxOwnerLength), lengthValidator{max: ipam.MaxOwnerLength}),
						"description": emptyString(fmt.Sprintf("Description. At most %d characters.", ipam.MaxDescriptionLength), lengthValidator{max: ipam.MaxDescriptionLength}),
						"custom_configuration": schema.MapAttribute{
							ElementType: types.StringType, Optional: true, Computed: true,
							Default:             mapdefault.StaticValue(types.MapValueMust(types.StringType, nil)),
							MarkdownDescription: "Custom fields and their values; each field must be defined in IPAM.",
							Validators:          []validator.Map{customConfigurationValidator{}},
						},
						"provider_address_space": schema.StringAttribute{
							Optional:            true,
							MarkdownDescription: "Customer spaces only, and required for them: the provider space's name.",
						},
						"isolation_method": schema.StringAttribute{
							Optional:            true,
							MarkdownDescription: "Customer spaces only, and required for them: `NVGRE` or `IPRewrite`.",
							Validators:          []validator.String{stringvalidator.OneOfCaseInsensitive(ipam.IsolationMethods...)},
						},
						"tenant":     emptyString("Customer spaces only: the tenant."),
						"vm_network": emptyString("Customer spaces only: the VM network."),
					},
				},
			},
			"ids": schema.MapAttribute{
				ElementType: types.StringType,
				Computed:    true,
				MarkdownDescription: "The server's `InstanceID` of each address space, by name. A plan shows an id as " +
					"unknown only for address spaces it creates or replaces.",
			},
		},
		Blocks: map[string]schema.Block{
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}),
		},
	}
}

func (r *addressSpacesResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if req.ProviderData == nil {
		return
	}
	client, ok := req.ProviderData.(ipam.Client)
	if !ok {
		resp.Diagnostics.AddError("Unexpected provider data", fmt.Sprintf("Expected an ipam.Client, got %T. This is a bug in the provider.", req.ProviderData))
		return
	}
	r.client = client
}

// keysAreNames checks the map's keys: valid names, none equal to another ignoring case.
type keysAreNames struct{}

func (keysAreNames) Description(context.Context) string {
	return "keys are address space names, unique ignoring case"
}
func (v keysAreNames) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (keysAreNames) ValidateMap(_ context.Context, req validator.MapRequest, resp *validator.MapResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	seen := map[string]string{}
	for _, k := range sortedKeys(req.ConfigValue.Elements()) {
		if err := ipam.ValidateName(k); err != nil {
			resp.Diagnostics.AddAttributeError(req.Path.AtMapKey(k), "Invalid address space name", trimKind(err))
		}
		if prev, dup := seen[strings.ToLower(k)]; dup {
			resp.Diagnostics.AddAttributeError(req.Path.AtMapKey(k), "Duplicate address space name",
				fmt.Sprintf("%q and %q differ only in case; IPAM treats them as the same address space.", prev, k))
		}
		seen[strings.ToLower(k)] = k
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ValidateConfig checks what depends on an item's type, at plan time.
func (r *addressSpacesResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var spaces types.Map
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("address_spaces"), &spaces)...)
	if resp.Diagnostics.HasError() || spaces.IsNull() || spaces.IsUnknown() {
		return
	}
	items, d := itemsOf(spaces)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	for _, k := range sortedKeys(items) {
		it := items[k]
		p := path.Root("address_spaces").AtMapKey(k)
		if it.Type.IsUnknown() {
			continue
		}
		switch it.Type.ValueString() {
		case "Provider":
			for name, v := range map[string]types.String{"provider_address_space": it.ProviderAddressSpace, "isolation_method": it.IsolationMethod,
				"tenant": it.Tenant, "vm_network": it.VMNetwork} {
				if !v.IsNull() && !v.IsUnknown() && v.ValueString() != "" {
					resp.Diagnostics.AddAttributeError(p.AtName(name), "Attribute only for customer address spaces",
						fmt.Sprintf("%s is set on %q, a provider address space; only customer address spaces have it.", name, k))
				}
			}
		case "Customer":
			if it.ProviderAddressSpace.IsNull() {
				resp.Diagnostics.AddAttributeError(p.AtName("provider_address_space"), "Missing provider address space",
					fmt.Sprintf("Customer address space %q needs provider_address_space.", k))
			} else if pa := it.ProviderAddressSpace.ValueString(); !it.ProviderAddressSpace.IsUnknown() {
				if other, ok := items[pa]; ok && other.Type.ValueString() == "Customer" {
					resp.Diagnostics.AddAttributeError(p.AtName("provider_address_space"), "Not a provider address space",
						fmt.Sprintf("%q names %q, which is a customer address space in this map.", k, pa))
				}
			}
			if it.IsolationMethod.IsNull() {
				resp.Diagnostics.AddAttributeError(p.AtName("isolation_method"), "Missing isolation method",
					fmt.Sprintf("Customer address space %q needs isolation_method (NVGRE or IPRewrite).", k))
			}
		}
	}
}
