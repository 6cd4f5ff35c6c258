package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/winipam/terraform-provider-ipam/internal/ipam"
)

// ipam_address_spaces is served on terraform-plugin-go directly, not through the framework: the
// framework converts and walks every value of a plan, several times per call, which for a map of
// thousands of address spaces cost three times the provider CPU of everything else (measured with
// make bench at 1,000 keys: 1.9 s against 5.6 s over the five steps, 83 against 137 MiB). The
// provider's configuration and the other resources stay on the framework; server.go routes this
// resource's calls here, and both share the configured client.

// bulkTypeName is the resource's type name.
const bulkTypeName = "ipam_address_spaces"

// Default timeouts of ipam_address_spaces: a few bulk calls, even for thousands of items.
const (
	defaultBulkWriteTimeout = 30 * time.Minute
	defaultBulkReadTimeout  = 10 * time.Minute
)

// bulkSchemaVersion 1 made address_spaces dynamic; version 0 declared it a map of objects.
const bulkSchemaVersion = 1

// privateReplacing marks the plan of a create. When Terraform replaces a resource, the Delete of
// the old object gets the private data of the new object's plan, so this mark tells that Delete
// from a destroy. The create removes it.
const privateReplacing = "replacing"

// bulkResource serves ipam_address_spaces' calls.
type bulkResource struct {
	// client is the configured client; nil until the provider is configured.
	client func() ipam.Client
}

var (
	bulkTimeoutsType = tftypes.Object{AttributeTypes: map[string]tftypes.Type{
		"create": tftypes.String, "read": tftypes.String, "update": tftypes.String, "delete": tftypes.String}}
	bulkIDsTF  = tftypes.Map{ElementType: tftypes.String}
	bulkTypeTF = tftypes.Object{AttributeTypes: map[string]tftypes.Type{
		"id": tftypes.String, "address_spaces": tftypes.DynamicPseudoType, "ids": bulkIDsTF, "partial": tftypes.Bool,
		"timeouts": bulkTimeoutsType}}
)

// bulkSchema is the resource's schema.
func bulkSchema() *tfprotov6.Schema {
	md := tfprotov6.StringKindMarkdown
	duration := `A string that can be [parsed as a duration](https://pkg.go.dev/time#ParseDuration) consisting of numbers ` +
		`and unit suffixes, such as "30s" or "2h45m". Valid time units are "s" (seconds), "m" (minutes), "h" (hours).`
	timeout := func(name, extra string) *tfprotov6.SchemaAttribute {
		return &tfprotov6.SchemaAttribute{Name: name, Type: tftypes.String, Optional: true, Description: duration + extra}
	}
	return &tfprotov6.Schema{
		Version: bulkSchemaVersion,
		Block: &tfprotov6.SchemaBlock{
			DescriptionKind: md,
			Description: "Many address spaces in one resource, keyed by name, applied with IPAM's bulk methods " +
				"(`BulkAddOrUpdateAddressSpace`, `BulkDeleteAddressSpace`): a change to a thousand address spaces costs a " +
				"few round trips.\n\n**Adoption:** an address space that already exists in IPAM under a listed name is " +
				"adopted and brought to the configured values, not refused. Address spaces whose names are not in the map " +
				"are never touched.\n\n**Replacement:** `terraform apply -replace` deletes the address spaces and creates " +
				"them anew, as a destroy deletes them, always. The one exception: a create that fails for some address " +
				"spaces records that it did (`partial = true`), and Terraform taints the resource. Its replacement then " +
				"keeps the address spaces that create made, and the next create adopts them, so they keep their identity.",
			Attributes: []*tfprotov6.SchemaAttribute{
				{Name: "address_spaces", Type: tftypes.DynamicPseudoType, Required: true, DescriptionKind: md, Description: fieldsDoc()},
				{Name: "id", Type: tftypes.String, Computed: true, DescriptionKind: md,
					Description: "Identifier of this set of address spaces in the state."},
				{Name: "ids", Type: bulkIDsTF, Computed: true, DescriptionKind: md,
					Description: "The server's `InstanceID` of each address space, by name. A plan shows an id as unknown only " +
						"for address spaces it creates or replaces."},
				{Name: "partial", Type: tftypes.Bool, Computed: true, DescriptionKind: md,
					Description: "`true` after a create that failed for some address spaces: Terraform then taints the resource, " +
						"and its replacement keeps the address spaces that create made, for the next create to adopt."},
			},
			BlockTypes: []*tfprotov6.SchemaNestedBlock{{
				TypeName: "timeouts",
				Nesting:  tfprotov6.SchemaNestedBlockNestingModeSingle,
				Block: &tfprotov6.SchemaBlock{Attributes: []*tfprotov6.SchemaAttribute{
					timeout("create", ""),
					timeout("delete", " Setting a timeout for a Delete operation is only applicable if changes are saved into state before the destroy operation occurs."),
					timeout("read", " Read operations occur during any refresh or planning operation when refresh is enabled."),
					timeout("update", ""),
				}},
			}},
		},
	}
}

// diagnostics collects a call's diagnostics.
type diagnostics []*tfprotov6.Diagnostic

func (d *diagnostics) add(summary, detail string, at *tftypes.AttributePath) {
	*d = append(*d, &tfprotov6.Diagnostic{Severity: tfprotov6.DiagnosticSeverityError, Summary: summary, Detail: detail, Attribute: at})
}

func (d diagnostics) hasError() bool {
	for _, x := range d {
		if x.Severity == tfprotov6.DiagnosticSeverityError {
			return true
		}
	}
	return false
}

func bug(d *diagnostics, what string, err error) {
	d.add(what, err.Error()+"\n\nThis is a bug in the provider.", nil)
}

func spacesPath() *tftypes.AttributePath {
	return tftypes.NewAttributePath().WithAttributeName("address_spaces")
}

func itemPath(key string) *tftypes.AttributePath { return spacesPath().WithElementKeyString(key) }

// bulkValue is a configuration, plan or state of the resource.
type bulkValue struct {
	raw      tftypes.Value
	attrs    map[string]tftypes.Value
	spaces   tftypes.Value // address_spaces as written
	items    map[string]*bulkItem
	known    bool // address_spaces is wholly known
	problems []itemProblem
	ids      map[string]string
	id       string
	partial  bool
}

// decodeBulk reads a configuration, plan or state; nil when it is null.
func decodeBulk(dv *tfprotov6.DynamicValue, d *diagnostics) *bulkValue {
	if dv == nil {
		return nil
	}
	raw, err := dv.Unmarshal(bulkTypeTF)
	if err != nil {
		bug(d, "Cannot read ipam_address_spaces", err)
		return nil
	}
	return bulkOf(raw)
}

func bulkOf(raw tftypes.Value) *bulkValue {
	if raw.IsNull() {
		return nil
	}
	v := &bulkValue{raw: raw, ids: map[string]string{}}
	v.attrs, _ = members(raw)
	v.spaces = v.attrs["address_spaces"]
	v.items, v.known, v.problems = parseItems(v.spaces)
	v.ids = idsOfRaw(v.attrs["ids"])
	if id := v.attrs["id"]; id.IsKnown() && !id.IsNull() {
		_ = id.As(&v.id)
	}
	if p := v.attrs["partial"]; p.IsKnown() && !p.IsNull() {
		_ = p.As(&v.partial)
	}
	return v
}

// timeout returns the duration the timeouts block sets for an operation, or def.
func (v *bulkValue) timeout(op string, def time.Duration) time.Duration {
	to, ok := members(v.attrs["timeouts"])
	if !ok {
		return def
	}
	var s string
	if x := to[op]; x.IsKnown() && !x.IsNull() && x.As(&s) == nil && s != "" {
		if d, err := time.ParseDuration(s); err == nil && d > 0 {
			return d
		}
	}
	return def
}

// entries are the address spaces a state tracks, with their InstanceIDs.
func (v *bulkValue) entries() map[string]entry {
	out := make(map[string]entry, len(v.items))
	for k, it := range v.items {
		out[k] = entry{space: it.space, id: v.ids[k]}
	}
	return out
}

// wanted are the address spaces a plan wants.
func (v *bulkValue) wanted() map[string]ipam.AddressSpace {
	out := make(map[string]ipam.AddressSpace, len(v.items))
	for k, it := range v.items {
		out[k] = it.space
	}
	return out
}

// idsOfRaw reads the known ids of a raw ids value.
func idsOfRaw(v tftypes.Value) map[string]string {
	out := map[string]string{}
	elems, ok := members(v)
	if !ok {
		return out
	}
	for k, e := range elems {
		var s string
		if e.IsKnown() && !e.IsNull() && e.As(&s) == nil {
			out[k] = s
		}
	}
	return out
}

func rawOfIDs(ids map[string]string) tftypes.Value {
	m := make(map[string]tftypes.Value, len(ids))
	for k, id := range ids {
		m[k] = tftypes.NewValue(tftypes.String, id)
	}
	return tftypes.NewValue(bulkIDsTF, m)
}

// encodeBulk writes a resource value with some attributes replaced.
func encodeBulk(base map[string]tftypes.Value, set map[string]tftypes.Value, d *diagnostics) *tfprotov6.DynamicValue {
	attrs := make(map[string]tftypes.Value, len(bulkTypeTF.AttributeTypes))
	for name, typ := range bulkTypeTF.AttributeTypes {
		if v, ok := set[name]; ok {
			attrs[name] = v
		} else if v, ok := base[name]; ok {
			attrs[name] = v
		} else {
			attrs[name] = tftypes.NewValue(typ, nil)
		}
	}
	dv, err := tfprotov6.NewDynamicValue(bulkTypeTF, tftypes.NewValue(bulkTypeTF, attrs))
	if err != nil {
		bug(d, "Cannot write ipam_address_spaces", err)
		return nil
	}
	return &dv
}

func nullBulk(d *diagnostics) *tfprotov6.DynamicValue {
	dv, err := tfprotov6.NewDynamicValue(bulkTypeTF, tftypes.NewValue(bulkTypeTF, nil))
	if err != nil {
		bug(d, "Cannot write ipam_address_spaces", err)
		return nil
	}
	return &dv
}

// state is the value of a state after an operation.
func state(spaces tftypes.Value, ids map[string]string, id string, partial bool) map[string]tftypes.Value {
	if spaces.Type() == nil {
		spaces = tftypes.NewValue(tftypes.DynamicPseudoType, nil)
	}
	return map[string]tftypes.Value{"address_spaces": spaces, "ids": rawOfIDs(ids), "id": tftypes.NewValue(tftypes.String, id),
		"partial": tftypes.NewValue(tftypes.Bool, partial)}
}

func (r *bulkResource) configured(d *diagnostics) ipam.Client {
	var c ipam.Client
	if r.client != nil {
		c = r.client()
	}
	if c == nil {
		d.add("Provider not configured", "ipam_address_spaces was called before the provider was configured. This is a bug in the provider.", nil)
	}
	return c
}

// ValidateResourceConfig checks address_spaces against bulkFields (a customer space must not name
// another customer space of the map as its provider space), and the timeouts.
func (r *bulkResource) ValidateResourceConfig(_ context.Context, req *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	var d diagnostics
	v := decodeBulk(req.Config, &d)
	if v == nil {
		return &tfprotov6.ValidateResourceConfigResponse{Diagnostics: d}, nil
	}
	for _, p := range v.problems {
		at := spacesPath()
		if p.key != "" {
			at = itemPath(p.key)
			if p.attr != "" {
				at = at.WithAttributeName(p.attr)
			}
		}
		d.add(p.summary, p.detail, at)
	}
	for _, key := range sortedItemKeys(v.items) {
		it := v.items[key]
		if it.space.Type != ipam.TypeCustomer || !it.set["provider_address_space"] {
			continue
		}
		pa := it.space.AssociatedProviderAddressSpace
		for other, o := range v.items {
			if ipam.SameName(other, pa) && o.set["type"] && o.space.Type == ipam.TypeCustomer {
				d.add("Not a provider address space", fmt.Sprintf("%q names %q, which is a customer address space in this map.", key, pa),
					itemPath(key).WithAttributeName("provider_address_space"))
			}
		}
	}
	if to, ok := members(v.attrs["timeouts"]); ok {
		for _, op := range sortedKeys(to) {
			var s string
			if x := to[op]; x.IsKnown() && !x.IsNull() && x.As(&s) == nil {
				if dur, err := time.ParseDuration(s); err != nil || dur <= 0 {
					d.add("Invalid timeout", fmt.Sprintf("%q is not a positive duration such as 30s or 2h45m.", s),
						tftypes.NewAttributePath().WithAttributeName("timeouts").WithAttributeName(op))
				}
			}
		}
	}
	return &tfprotov6.ValidateResourceConfigResponse{Diagnostics: d}, nil
}

// PlanResourceChange plans address_spaces as configured, unless the configuration describes
// exactly what the state holds (as IPAM compares): then it keeps the state's value, so that a plan
// shows no change for spellings IPAM treats as equal. It keeps the ids of address spaces that stay.
func (r *bulkResource) PlanResourceChange(_ context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	var d diagnostics
	resp := &tfprotov6.PlanResourceChangeResponse{PlannedState: req.ProposedNewState, PlannedPrivate: req.PriorPrivate}
	proposed := decodeBulk(req.ProposedNewState, &d)
	prior := decodeBulk(req.PriorState, &d)
	if d.hasError() || proposed == nil {
		resp.Diagnostics = d
		return resp, nil
	}
	set := map[string]tftypes.Value{"partial": tftypes.NewValue(tftypes.Bool, false)}
	if prior == nil {
		// A create: the id and ids are known after apply. The mark tells the Delete of a
		// replaced object that this create follows it.
		set["id"] = tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
		set["ids"] = tftypes.NewValue(bulkIDsTF, tftypes.UnknownValue)
		resp.PlannedPrivate = withPrivate(req.PriorPrivate, privateReplacing, true)
		resp.PlannedState = encodeBulk(proposed.attrs, set, &d)
		resp.Diagnostics = d
		return resp, nil
	}
	set["id"] = tftypes.NewValue(tftypes.String, prior.id)
	if !proposed.known || len(proposed.problems) > 0 {
		set["ids"] = tftypes.NewValue(bulkIDsTF, tftypes.UnknownValue)
		resp.PlannedState = encodeBulk(proposed.attrs, set, &d)
		resp.Diagnostics = d
		return resp, nil
	}
	same := len(proposed.items) == len(prior.items)
	ids := make(map[string]tftypes.Value, len(proposed.items))
	for key, it := range proposed.items {
		p, ok := prior.items[key]
		if !ok || p.space.Type != it.space.Type || !sameSpace(&it.space, &p.space) {
			same = false
		}
		if id, ok2 := prior.ids[key]; ok && ok2 && p.space.Type == it.space.Type {
			ids[key] = tftypes.NewValue(tftypes.String, id)
		} else {
			ids[key] = tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
		}
	}
	set["ids"] = tftypes.NewValue(bulkIDsTF, ids)
	if same {
		set["address_spaces"] = prior.spaces
		set["ids"] = prior.attrs["ids"]
	}
	resp.PlannedState = encodeBulk(proposed.attrs, set, &d)
	resp.Diagnostics = d
	return resp, nil
}

// withPrivate returns private data (a JSON object, or empty) with one key set or removed.
func withPrivate(private []byte, key string, set bool) []byte {
	m := map[string]json.RawMessage{}
	if len(private) > 0 {
		_ = json.Unmarshal(private, &m)
	}
	if set {
		m[key] = json.RawMessage(`true`)
	} else {
		delete(m, key)
	}
	if len(m) == 0 {
		return nil
	}
	b, _ := json.Marshal(m)
	return b
}

func hasPrivate(private []byte, key string) bool {
	m := map[string]json.RawMessage{}
	return len(private) > 0 && json.Unmarshal(private, &m) == nil && m[key] != nil
}

// ApplyResourceChange creates, updates or deletes.
func (r *bulkResource) ApplyResourceChange(ctx context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	var d diagnostics
	resp := &tfprotov6.ApplyResourceChangeResponse{}
	prior := decodeBulk(req.PriorState, &d)
	plan := decodeBulk(req.PlannedState, &d)
	client := r.configured(&d)
	if d.hasError() {
		resp.NewState, resp.Diagnostics = req.PriorState, d
		return resp, nil
	}
	switch {
	case plan == nil && prior != nil:
		resp.NewState = r.delete(ctx, prior, req.PlannedPrivate, client, &d)
	case prior == nil && plan != nil:
		resp.NewState = r.create(ctx, plan, client, &d)
		resp.Private = withPrivate(req.PlannedPrivate, privateReplacing, false)
	case plan != nil:
		resp.NewState = r.update(ctx, prior, plan, client, &d)
		resp.Private = req.PlannedPrivate
	default:
		resp.NewState = nullBulk(&d)
	}
	resp.Diagnostics = d
	return resp, nil
}

func (r *bulkResource) create(ctx context.Context, plan *bulkValue, client ipam.Client, d *diagnostics) *tfprotov6.DynamicValue {
	ctx, cancel := context.WithTimeout(ctx, plan.timeout("create", defaultBulkWriteTimeout))
	defer cancel()
	out := reconciler{client}.create(ctx, plan.wanted())
	if out.fatal != nil && len(out.tracked) == 0 {
		d.add("Cannot create the address spaces", out.fatal.Error()+
			"\n\nRun terraform apply again: address spaces already applied are adopted, not duplicated.", nil)
		return nullBulk(d)
	}
	items, ids := track(out, plan.items, nil)
	addItemErrors(d, "create", out.errs)
	if out.fatal != nil {
		d.add("Cannot create the address spaces", out.fatal.Error(), nil)
	}
	// With errors Terraform taints the resource; partial records that its state holds what this
	// create made, which the replacement keeps for the next create to adopt.
	return encodeBulk(plan.attrs, state(spacesLike(plan.spaces, plan.items, items), ids, stateID(sortedItemKeys(plan.items)),
		d.hasError()), d)
}

func (r *bulkResource) update(ctx context.Context, prior, plan *bulkValue, client ipam.Client, d *diagnostics) *tfprotov6.DynamicValue {
	ctx, cancel := context.WithTimeout(ctx, plan.timeout("update", defaultBulkWriteTimeout))
	defer cancel()
	out := reconciler{client}.update(ctx, prior.entries(), plan.wanted())
	items, ids := track(out, plan.items, prior.items)
	addItemErrors(d, "apply", out.errs)
	if out.fatal != nil {
		d.add("Cannot apply the address spaces", out.fatal.Error(), nil)
	}
	return encodeBulk(plan.attrs, state(spacesLike(plan.spaces, plan.items, items), ids, prior.id, false), d)
}

func (r *bulkResource) delete(ctx context.Context, prior *bulkValue, private []byte, client ipam.Client, d *diagnostics) *tfprotov6.DynamicValue {
	ctx, cancel := context.WithTimeout(ctx, prior.timeout("delete", defaultBulkWriteTimeout))
	defer cancel()
	keep := map[string]bool{}
	if prior.partial && hasPrivate(private, privateReplacing) {
		// The first half of the replacement of a resource whose create failed in part: the state
		// holds what that create made, which the create that follows adopts.
		for name := range prior.items {
			keep[nameKey(name)] = true
		}
		tflog.Info(ctx, "replacement of a partly created ipam_address_spaces: keeping its address spaces for the new create to adopt",
			map[string]any{"count": len(keep)})
	}
	errs := reconciler{client}.destroy(ctx, prior.entries(), keep)
	if len(errs) == 0 {
		return nullBulk(d)
	}
	addItemErrors(d, "delete", errs)
	items := map[string]*bulkItem{}
	ids := map[string]string{}
	for name := range errs {
		items[name] = prior.items[name]
		if id, ok := prior.ids[name]; ok {
			ids[name] = id
		}
	}
	return encodeBulk(prior.attrs, state(spacesLike(prior.spaces, prior.items, items), ids, prior.id, prior.partial), d)
}

// ReadResource refreshes the state from what the server holds.
func (r *bulkResource) ReadResource(ctx context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	var d diagnostics
	resp := &tfprotov6.ReadResourceResponse{NewState: req.CurrentState, Private: req.Private}
	prior := decodeBulk(req.CurrentState, &d)
	client := r.configured(&d)
	if d.hasError() || prior == nil {
		resp.Diagnostics = d
		return resp, nil
	}
	ctx, cancel := context.WithTimeout(ctx, prior.timeout("read", defaultBulkReadTimeout))
	defer cancel()
	found, err := reconciler{client}.refresh(ctx, sortedItemKeys(prior.items))
	if err != nil {
		d.add("Cannot read the address spaces", err.Error(), nil)
		resp.Diagnostics = d
		return resp, nil
	}
	items := make(map[string]*bulkItem, len(prior.items))
	ids := make(map[string]string, len(prior.items))
	for key, it := range prior.items {
		// One deleted outside Terraform, or now of the other type, is left out: the plan
		// re-creates it.
		if a := found[nameKey(key)]; a != nil && a.Type == it.space.Type {
			items[key] = itemOfServer(key, a, it)
			ids[key] = a.InstanceID
		}
	}
	resp.NewState = encodeBulk(prior.attrs, state(spacesLike(prior.spaces, prior.items, items), ids, prior.id, prior.partial), &d)
	resp.Diagnostics = d
	return resp, nil
}

// ImportResourceState takes a comma-separated list of names.
func (r *bulkResource) ImportResourceState(ctx context.Context, req *tfprotov6.ImportResourceStateRequest) (*tfprotov6.ImportResourceStateResponse, error) {
	var d diagnostics
	resp := &tfprotov6.ImportResourceStateResponse{}
	var names []string
	seen := map[string]bool{}
	for _, n := range strings.Split(req.ID, ",") {
		n = strings.TrimSpace(n)
		if n == "" || seen[nameKey(n)] {
			continue
		}
		seen[nameKey(n)] = true
		names = append(names, n)
	}
	if len(names) == 0 {
		d.add("Missing import ID", `Import ipam_address_spaces by a comma-separated list of names: terraform import ipam_address_spaces.example "DC-West,Tenant-A"`, nil)
		resp.Diagnostics = d
		return resp, nil
	}
	client := r.configured(&d)
	if d.hasError() {
		resp.Diagnostics = d
		return resp, nil
	}
	found, err := reconciler{client}.refresh(ctx, names)
	if err != nil {
		d.add("Cannot read the address spaces to import", err.Error(), nil)
		resp.Diagnostics = d
		return resp, nil
	}
	items := map[string]*bulkItem{}
	ids := map[string]string{}
	var missing []string
	for _, n := range names {
		a := found[nameKey(n)]
		if a == nil {
			missing = append(missing, n)
			continue
		}
		items[a.Name] = itemOfServer(a.Name, a, nil)
		ids[a.Name] = a.InstanceID
	}
	if len(missing) > 0 {
		d.add("Address spaces not found", fmt.Sprintf("IPAM has no address space named %s.", strings.Join(quoteAll(missing), ", ")), nil)
		resp.Diagnostics = d
		return resp, nil
	}
	st := encodeBulk(nil, state(itemsValue(items), ids, stateID(names), false), &d)
	resp.ImportedResources = []*tfprotov6.ImportedResource{{TypeName: bulkTypeName, State: st}}
	resp.Diagnostics = d
	return resp, nil
}

// UpgradeResourceState reads a state of any version into the current schema.
func (r *bulkResource) UpgradeResourceState(_ context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	var d diagnostics
	resp := &tfprotov6.UpgradeResourceStateResponse{}
	if req.RawState == nil {
		d.add("Cannot upgrade the state", "The state to upgrade is empty. This is a bug in Terraform or the provider.", nil)
		resp.Diagnostics = d
		return resp, nil
	}
	var v tftypes.Value
	var err error
	switch req.Version {
	case 0:
		v, err = upgradeBulkV0(req.RawState.JSON)
	case bulkSchemaVersion:
		v, err = req.RawState.UnmarshalWithOpts(bulkTypeTF, tfprotov6.UnmarshalOpts{ValueFromJSONOpts: tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true}})
	default:
		err = fmt.Errorf("the state has schema version %d; this provider knows versions 0 to %d: use a newer provider", req.Version, bulkSchemaVersion)
	}
	if err != nil {
		d.add("Cannot upgrade the state of ipam_address_spaces", err.Error(), nil)
		resp.Diagnostics = d
		return resp, nil
	}
	dv, err := tfprotov6.NewDynamicValue(bulkTypeTF, v)
	if err != nil {
		bug(&d, "Cannot write ipam_address_spaces", err)
	} else {
		resp.UpgradedState = &dv
	}
	resp.Diagnostics = d
	return resp, nil
}

// MoveResourceState: no other resource type moves into this one.
func (r *bulkResource) MoveResourceState(_ context.Context, req *tfprotov6.MoveResourceStateRequest) (*tfprotov6.MoveResourceStateResponse, error) {
	var d diagnostics
	d.add("Move not supported", fmt.Sprintf("ipam_address_spaces cannot take the state of %s; import the address spaces instead.", req.SourceTypeName), nil)
	return &tfprotov6.MoveResourceStateResponse{Diagnostics: d}, nil
}

// UpgradeResourceIdentity: the resource has no identity.
func (r *bulkResource) UpgradeResourceIdentity(context.Context, *tfprotov6.UpgradeResourceIdentityRequest) (*tfprotov6.UpgradeResourceIdentityResponse, error) {
	var d diagnostics
	d.add("No identity", "ipam_address_spaces has no resource identity.", nil)
	return &tfprotov6.UpgradeResourceIdentityResponse{Diagnostics: d}, nil
}

// GenerateResourceConfig writes the configuration of a state: address_spaces as it stands.
func (r *bulkResource) GenerateResourceConfig(_ context.Context, req *tfprotov6.GenerateResourceConfigRequest) (*tfprotov6.GenerateResourceConfigResponse, error) {
	var d diagnostics
	resp := &tfprotov6.GenerateResourceConfigResponse{}
	v := decodeBulk(req.State, &d)
	if v == nil {
		resp.Diagnostics = d
		return resp, nil
	}
	resp.Config = encodeBulk(map[string]tftypes.Value{"address_spaces": v.spaces}, nil, &d)
	resp.Diagnostics = d
	return resp, nil
}

// stateID identifies a set of names in the state.
func stateID(names []string) string {
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	sum := sha256.Sum256([]byte(strings.ToLower(strings.Join(sorted, "\x00"))))
	return "ipam-address-spaces-" + hex.EncodeToString(sum[:6])
}

// track turns an outcome into the items the state holds: each as planned when it was applied as
// planned, as before when its change did not happen, as the server holds it otherwise.
func track(out *outcome, planned, prior map[string]*bulkItem) (map[string]*bulkItem, map[string]string) {
	items := make(map[string]*bulkItem, len(out.tracked))
	ids := make(map[string]string, len(out.tracked))
	for key, t := range out.tracked {
		switch t.source {
		case fromPrior:
			items[key] = prior[key]
		case fromWanted:
			items[key] = planned[key]
		case fromServer:
			items[key] = itemOfServer(key, t.server, planned[key])
		}
		if t.id != "" {
			ids[key] = t.id
		}
	}
	return items, ids
}

// spacesLike builds address_spaces from items, and returns template itself when the items are
// exactly its own: Terraform checks that an apply's result equals its plan to the letter.
func spacesLike(template tftypes.Value, templateItems, items map[string]*bulkItem) tftypes.Value {
	if len(items) == len(templateItems) && template.Type() != nil {
		same := true
		for k, it := range items {
			if templateItems[k] != it {
				same = false
				break
			}
		}
		if same {
			return template
		}
	}
	if template.Type() != nil && template.Type().Is(tftypes.Map{}) {
		if mt, ok := template.Type().(tftypes.Map); ok {
			if v, ok := mapOf(mt.ElementType, items); ok {
				return v
			}
		}
	}
	return itemsValue(items)
}

// mapOf builds a map of items when every item has the element type.
func mapOf(elem tftypes.Type, items map[string]*bulkItem) (tftypes.Value, bool) {
	vals := make(map[string]tftypes.Value, len(items))
	for k, it := range items {
		if !it.raw.Type().Equal(elem) {
			return tftypes.Value{}, false
		}
		vals[k] = it.raw
	}
	return tftypes.NewValue(tftypes.Map{ElementType: elem}, vals), true
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = fmt.Sprintf("%q", v)
	}
	return out
}
