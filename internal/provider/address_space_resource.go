package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/float64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/winipam/terraform-provider-ipam/internal/ipam"
)

// addressSpaceResource is ipam_provider_address_space or ipam_customer_address_space: one address
// space of one type, created with its Add method and changed and deleted through the bulk methods.
type addressSpaceResource struct {
	typ    ipam.Type
	client ipam.Client
}

// NewProviderAddressSpaceResource is ipam_provider_address_space.
func NewProviderAddressSpaceResource() resource.Resource {
	return &addressSpaceResource{typ: ipam.TypeProvider}
}

// NewCustomerAddressSpaceResource is ipam_customer_address_space.
func NewCustomerAddressSpaceResource() resource.Resource {
	return &addressSpaceResource{typ: ipam.TypeCustomer}
}

func (r *addressSpaceResource) typeName() string {
	if r.typ == ipam.TypeCustomer {
		return "ipam_customer_address_space"
	}
	return "ipam_provider_address_space"
}

func (r *addressSpaceResource) kind() string { return strings.ToLower(r.typ.String()) }

func (r *addressSpaceResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = r.typeName()
}

// commonAttributes are the attributes both resource types have.
func commonAttributes(kind string) map[string]schema.Attribute {
	readOut := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc,
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}}
	}
	percent := func(desc string) schema.Float64Attribute {
		return schema.Float64Attribute{Computed: true, MarkdownDescription: desc,
			PlanModifiers: []planmodifier.Float64{float64planmodifier.UseStateForUnknown()}}
	}
	return map[string]schema.Attribute{
		"id": readOut("The server's `InstanceID` of the address space. It survives renames, so drift is tracked by it."),
		"name": schema.StringAttribute{
			Required: true,
			MarkdownDescription: fmt.Sprintf("Name of the %s address space, unique across all address spaces; IPAM compares "+
				"names ignoring case, so a change of case alone is no change. At most %d characters. Renaming is done in place.",
				kind, ipam.MaxNameLength),
			Validators:    []validator.String{nameValidator()},
			PlanModifiers: []planmodifier.String{caseInsensitive{}},
		},
		"owner": schema.StringAttribute{
			Optional: true, Computed: true, Default: stringdefault.StaticString(""),
			MarkdownDescription: fmt.Sprintf("Owner of the address space. At most %d characters.", ipam.MaxOwnerLength),
			Validators:          []validator.String{lengthValidator(ipam.MaxOwnerLength)},
		},
		"description": schema.StringAttribute{
			Optional: true, Computed: true, Default: stringdefault.StaticString(""),
			MarkdownDescription: fmt.Sprintf("Description. At most %d characters.", ipam.MaxDescriptionLength),
			Validators:          []validator.String{lengthValidator(ipam.MaxDescriptionLength)},
		},
		"custom_configuration": schema.MapAttribute{
			ElementType: types.StringType,
			Optional:    true, Computed: true,
			Default: mapdefault.StaticValue(types.MapValueMust(types.StringType, nil)),
			MarkdownDescription: "Custom fields and their values (IPAM's `CustomConfiguration`, written `Name=Value;...` on " +
				"the wire). Each field must be defined in IPAM; names and values cannot contain `;` or `=`. The order IPAM " +
				"returns them in never causes a diff.",
			Validators:    []validator.Map{customConfigurationValidator{}},
			PlanModifiers: []planmodifier.Map{sameCustomConfiguration{}},
		},
		"ipv4_utilization_percent": percent("Percentage of the IPv4 addresses in the address space that are in use."),
		"ipv6_utilization_percent": percent("Percentage of the IPv6 addresses in the address space that are in use."),
		"ipv4_utilization_status":  readOut("IPv4 utilisation against IPAM's thresholds: `None`, `Under`, `Optimal` or `Over`."),
		"ipv6_utilization_status":  readOut("IPv6 utilisation against IPAM's thresholds: `None`, `Under`, `Optimal` or `Over`."),
		"access_scope_path":        readOut("IPAM access scope of the address space (Windows Server 2016 and later)."),
	}
}

func (r *addressSpaceResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := commonAttributes(r.kind())
	desc := "A provider address space (PA): a physical network that customer address spaces live on. Created with " +
		"`AddProviderAddressSpace`, changed and deleted through `BulkAddOrUpdateAddressSpace` and `BulkDeleteAddressSpace`."
	if r.typ == ipam.TypeCustomer {
		desc = "A customer address space (CA): a Hyper-V Network Virtualization tenant network on a provider address space. " +
			"Created with `AddCustomerAddressSpace`, changed and deleted through `BulkAddOrUpdateAddressSpace` and `BulkDeleteAddressSpace`."
		attrs["provider_address_space"] = schema.StringAttribute{
			Required: true,
			MarkdownDescription: "Name of the provider address space this one lives on. Changing it moves the customer " +
				"address space in place.",
			Validators:    []validator.String{nameValidator()},
			PlanModifiers: []planmodifier.String{caseInsensitive{}},
		}
		attrs["isolation_method"] = schema.StringAttribute{
			Required:            true,
			MarkdownDescription: "How tenant traffic is isolated: `NVGRE` or `IPRewrite`.",
			Validators:          []validator.String{stringvalidator.OneOfCaseInsensitive(ipam.IsolationMethods...)},
			PlanModifiers:       []planmodifier.String{caseInsensitive{}},
		}
		attrs["tenant"] = schema.StringAttribute{
			Optional: true, Computed: true, Default: stringdefault.StaticString(""),
			MarkdownDescription: "Tenant that owns the address space.",
		}
		attrs["vm_network"] = schema.StringAttribute{
			Optional: true, Computed: true, Default: stringdefault.StaticString(""),
			MarkdownDescription: "Name of the VM network that holds the address space.",
		}
	}
	resp.Schema = schema.Schema{MarkdownDescription: desc, Attributes: attrs, Blocks: map[string]schema.Block{
		"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true}),
	}}
}

// Default timeouts of the single resources: one IPAM call each, retries included.
const (
	defaultWriteTimeout = 10 * time.Minute
	defaultReadTimeout  = 5 * time.Minute
)

func (r *addressSpaceResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if c := clientFrom(req.ProviderData, &resp.Diagnostics); c != nil {
		r.client = c
	}
}

func (r *addressSpaceResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	plan := r.read(ctx, req.Plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.timeouts().Create, defaultWriteTimeout, &resp.Diagnostics)
	defer cancel()
	a := plan.toDomain()
	var created *ipam.AddressSpace
	var err error
	if r.typ == ipam.TypeCustomer {
		created, err = r.client.AddCustomerAddressSpace(ctx, a)
	} else {
		created, err = r.client.AddProviderAddressSpace(ctx, a)
	}
	if err != nil {
		resp.Diagnostics.Append(errorDiagnostic("create", r.typeName(), a.Name, err))
		return
	}
	r.setState(ctx, &resp.State, resp.Identity, created, plan, &resp.Diagnostics)
}

func (r *addressSpaceResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	prior := r.read(ctx, req.State, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, prior.timeouts().Read, defaultReadTimeout, &resp.Diagnostics)
	defer cancel()
	id := prior.common().ID.ValueString()
	a, err := r.client.Get(ctx, id)
	if errors.Is(err, ipam.ErrNotFound) {
		// Deleted outside Terraform: the next plan re-creates it. The framework wants an identity
		// even from a read that removes the resource, and a state written before identities (by
		// Terraform before 1.12, or an earlier build of this provider) has none yet.
		setIdentity(ctx, resp.Identity, id, &resp.Diagnostics)
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.Append(errorDiagnostic("read", r.typeName(), prior.common().Name.ValueString(), err))
		return
	}
	if a.Type != r.typ {
		resp.Diagnostics.AddError(fmt.Sprintf("Address space %q is not a %s address space", a.Name, r.kind()),
			fmt.Sprintf("InstanceID %s now belongs to a %s address space. Remove it from the state (terraform state rm) "+
				"and import it into the matching resource type.", id, strings.ToLower(a.Type.String())))
		return
	}
	r.setState(ctx, &resp.State, resp.Identity, a, prior, &resp.Diagnostics)
}

// setState writes what the server holds for a as the state, in prior's spelling, with its identity.
func (r *addressSpaceResource) setState(ctx context.Context, state *tfsdk.State, identity *tfsdk.ResourceIdentity,
	a *ipam.AddressSpace, prior spaceModel, diags *diag.Diagnostics) {
	m := r.newModel()
	m.fromDomain(a, prior)
	diags.Append(state.Set(ctx, m)...)
	setIdentity(ctx, identity, a.InstanceID, diags)
}

func (r *addressSpaceResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	plan := r.read(ctx, req.Plan, &resp.Diagnostics)
	prior := r.read(ctx, req.State, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, plan.timeouts().Update, defaultWriteTimeout, &resp.Diagnostics)
	defer cancel()
	a := plan.toDomain()
	a.InstanceID = prior.common().ID.ValueString()
	if err := only(r.client.BulkAddOrUpdate(ctx, []ipam.AddressSpace{a})); err != nil {
		resp.Diagnostics.Append(errorDiagnostic("update", r.typeName(), a.Name, err))
		return
	}
	// The bulk call returns statuses, not objects: the state is the plan, whose computed values
	// were kept from the prior state. The InstanceID, and so the identity, stays.
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	setIdentity(ctx, resp.Identity, a.InstanceID, &resp.Diagnostics)
}

func (r *addressSpaceResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	state := r.read(ctx, req.State, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, state.timeouts().Delete, defaultWriteTimeout, &resp.Diagnostics)
	defer cancel()
	// Waiting for customer spaces to go is bounded more tightly than the whole delete.
	ctx, cancelInUse := context.WithTimeout(ctx, inUseRetryWindow)
	defer cancelInUse()
	a := state.toDomain()
	// Terraform deletes resources it sees no dependency between in parallel, so a provider space
	// may go while its customer spaces (named by a literal, not a reference) are still being
	// deleted: IPAM then says it is in use. That clears within moments; other causes do not, and
	// the delete timeout bounds the wait.
	for wait := 500 * time.Millisecond; ; wait = min(2*wait, 5*time.Second) {
		err := only(r.client.BulkDelete(ctx, []ipam.AddressSpace{a}))
		if err == nil || errors.Is(err, ipam.ErrNotFound) {
			return
		}
		if r.typ != ipam.TypeProvider || !errors.Is(err, ipam.ErrInUse) || sleepCtx(ctx, wait) != nil {
			resp.Diagnostics.Append(errorDiagnostic("delete", r.typeName(), a.Name, err))
			return
		}
		tflog.Debug(ctx, "provider address space still in use; retrying the delete", map[string]any{"name": a.Name, "wait_ms": wait.Milliseconds()})
	}
}

// only is the outcome of a bulk call of one item: the call's error, else the item's.
func only(results []error, err error) error {
	switch {
	case err != nil:
		return err
	case len(results) != 1:
		return fmt.Errorf("the bulk call returned %d results for one address space", len(results))
	}
	return results[0]
}

// inUseRetryWindow bounds how long a delete waits for customer spaces that are going away.
const inUseRetryWindow = 15 * time.Second

// sleepCtx waits d, or returns the context's error if it ends first.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ImportState takes the address space's name (or its InstanceID) from an import ID, or its
// InstanceID from an import block's identity (Terraform 1.12 and later).
func (r *addressSpaceResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	a := r.importTarget(ctx, req, &resp.Diagnostics)
	if a == nil {
		return
	}
	if a.Type != r.typ {
		other := (&addressSpaceResource{typ: a.Type}).typeName()
		resp.Diagnostics.AddError(fmt.Sprintf("Address space %q is a %s address space", a.Name, strings.ToLower(a.Type.String())),
			fmt.Sprintf("Import it into %s instead.", other))
		return
	}
	// Read fills in the rest, as after any refresh.
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), a.InstanceID)...)
	setIdentity(ctx, resp.Identity, a.InstanceID, &resp.Diagnostics)
}

// importTarget reads the address space an import names; nil after an error.
func (r *addressSpaceResource) importTarget(ctx context.Context, req resource.ImportStateRequest, diags *diag.Diagnostics) *ipam.AddressSpace {
	id := strings.TrimSpace(req.ID)
	if req.ID == "" {
		if id = identityID(ctx, req.Identity, diags); diags.HasError() {
			return nil
		}
		if id == "" {
			diags.AddError("Missing import identity", fmt.Sprintf("Import a %s address space by the id in its identity "+
				"(its InstanceID), or by its name:\n  import {\n    to       = %s.example\n    identity = { id = \"{...}\" }\n  }",
				r.kind(), r.typeName()))
			return nil
		}
		a, err := r.client.Get(ctx, id)
		if errors.Is(err, ipam.ErrNotFound) {
			diags.AddError(fmt.Sprintf("No address space has InstanceID %s", id), "IPAM has no address space with this "+
				"InstanceID: it was deleted, or the identity belongs to another IPAM server. Import it by name instead, "+
				"or list what IPAM holds with terraform query.")
			return nil
		}
		if err != nil {
			diags.Append(errorDiagnostic("import", r.typeName(), id, err))
			return nil
		}
		return a
	}
	if id == "" {
		diags.AddError("Missing import ID", fmt.Sprintf("Import a %s address space by its name: terraform import %s.example \"Name\"", r.kind(), r.typeName()))
		return nil
	}
	a, err := r.client.GetByName(ctx, id)
	if errors.Is(err, ipam.ErrNotFound) && strings.HasPrefix(id, "{") {
		a, err = r.client.Get(ctx, id)
	}
	if errors.Is(err, ipam.ErrNotFound) {
		diags.AddError(fmt.Sprintf("No address space named %q", id), "IPAM has no address space with this name (names are compared ignoring case). Check the name, or list them with the ipam_address_spaces data source.")
		return nil
	}
	if err != nil {
		diags.Append(errorDiagnostic("import", r.typeName(), id, err))
		return nil
	}
	return a
}
