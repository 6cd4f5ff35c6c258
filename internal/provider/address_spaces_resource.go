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
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
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
	// The nested attributes carry no validators, defaults or plan modifiers: ValidateConfig and
	// ModifyPlan do their work (itemValidators, itemDefaults) in one pass over the map, where the
	// framework's walk per key and attribute cost more than the rest of a plan.
	emptyString := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Optional: true, Computed: true, MarkdownDescription: desc}
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
						},
						"owner":       emptyString(fmt.Sprintf("Owner. At most %d characters.", ipam.MaxOwnerLength)),
						"description": emptyString(fmt.Sprintf("Description. At most %d characters.", ipam.MaxDescriptionLength)),
						"custom_configuration": schema.MapAttribute{
							ElementType: types.StringType, Optional: true, Computed: true,
							MarkdownDescription: "Custom fields and their values; each field must be defined in IPAM.",
						},
						"provider_address_space": schema.StringAttribute{
							Optional:            true,
							MarkdownDescription: "Customer spaces only, and required for them: the provider space's name.",
						},
						"isolation_method": schema.StringAttribute{
							Optional:            true,
							MarkdownDescription: "Customer spaces only, and required for them: `NVGRE` or `IPRewrite`.",
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

// itemValidators are the validators of address_spaces' attributes, which ValidateConfig runs.
var itemValidators = struct {
	typ, owner, description, isolationMethod validator.String
	customConfiguration                      validator.Map
}{
	typ:                 stringvalidator.OneOf("Provider", "Customer"),
	owner:               lengthValidator{max: ipam.MaxOwnerLength},
	description:         lengthValidator{max: ipam.MaxDescriptionLength},
	isolationMethod:     stringvalidator.OneOfCaseInsensitive(ipam.IsolationMethods...),
	customConfiguration: customConfigurationValidator{},
}

// ValidateConfig runs the validators of address_spaces' attributes and checks what depends on an
// item's type, at plan time.
func (r *addressSpacesResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	spaces, ok := rawAttr(req.Config.Raw, "address_spaces")
	if !ok || !spaces.IsKnown() || spaces.IsNull() {
		return
	}
	items, err := itemsOfRaw(spaces)
	if err != nil {
		resp.Diagnostics.AddError("Unexpected address_spaces value", err.Error()+"\n\nThis is a bug in the provider.")
		return
	}
	caps := validator.ValidateSchemaClientCapabilities{WriteOnlyAttributesAllowed: req.ClientCapabilities.WriteOnlyAttributesAllowed}
	str := func(p path.Path, v types.String, val validator.String) {
		vr := &validator.StringResponse{}
		val.ValidateString(ctx, validator.StringRequest{Path: p, PathExpression: p.Expression(), ConfigValue: v, Config: req.Config, ClientCapabilities: caps}, vr)
		resp.Diagnostics.Append(vr.Diagnostics...)
	}
	for _, k := range sortedKeys(items) {
		it := items[k]
		p := path.Root("address_spaces").AtMapKey(k)
		str(p.AtName("type"), it.Type, itemValidators.typ)
		str(p.AtName("owner"), it.Owner, itemValidators.owner)
		str(p.AtName("description"), it.Description, itemValidators.description)
		str(p.AtName("isolation_method"), it.IsolationMethod, itemValidators.isolationMethod)
		cp := p.AtName("custom_configuration")
		mr := &validator.MapResponse{}
		itemValidators.customConfiguration.ValidateMap(ctx, validator.MapRequest{Path: cp, PathExpression: cp.Expression(),
			ConfigValue: it.CustomConfiguration, Config: req.Config, ClientCapabilities: caps}, mr)
		resp.Diagnostics.Append(mr.Diagnostics...)
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
