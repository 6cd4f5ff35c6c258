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
	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"

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
	// client returns the configured client; nil until the provider is configured.
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

// bulkValue is a configuration, plan or state of the resource, read from its msgpack. The
// attributes keep their encodings, which a result reuses for what it does not change.
type bulkValue struct {
	attrs    map[string]msgpack.RawMessage
	spaces   *spacesValue
	items    map[string]*bulkItem
	known    bool // address_spaces is wholly known
	problems []itemProblem
	ids      map[string]string
	id       string
	partial  bool
}

// decodeBulk reads a configuration, plan or state; nil when it is null.
func decodeBulk(dv *tfprotov6.DynamicValue, d *diagnostics) *bulkValue {
	w, err := readWire(dv)
	if err != nil {
		bug(d, "Cannot read ipam_address_spaces", err)
		return nil
	}
	if w == nil {
		return nil
	}
	v := &bulkValue{attrs: w.attrs, spaces: &spacesValue{wire: w.attrs["address_spaces"]}, ids: wireIDs(w.attrs["ids"])}
	if v.items, v.known, v.problems, err = parseItems(v.spaces); err != nil {
		bug(d, "Cannot read ipam_address_spaces", err)
		return nil
	}
	if id, err := w.value("id", tftypes.String); err == nil && id.IsKnown() && !id.IsNull() {
		_ = id.As(&v.id)
	}
	if p, err := w.value("partial", tftypes.Bool); err == nil && p.IsKnown() && !p.IsNull() {
		_ = p.As(&v.partial)
	}
	return v
}

// timeouts returns the timeouts block's values by operation.
func (v *bulkValue) timeouts() map[string]tftypes.Value {
	t, err := (&wireValue{attrs: v.attrs}).value("timeouts", bulkTimeoutsType)
	if err != nil {
		return nil
	}
	m, _ := members(t)
	return m
}

// timeout returns the duration the timeouts block sets for an operation, or def.
func (v *bulkValue) timeout(op string, def time.Duration) time.Duration {
	var s string
	if x, ok := v.timeouts()[op]; ok && x.IsKnown() && !x.IsNull() && x.As(&s) == nil && s != "" {
		if d, ok := positiveDuration(s); ok {
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

func rawOfIDs(ids map[string]string) tftypes.Value {
	m := make(map[string]tftypes.Value, len(ids))
	for k, id := range ids {
		m[k] = tftypes.NewValue(tftypes.String, id)
	}
	return tftypes.NewValue(bulkIDsTF, m)
}

// encodeBulk writes a resource value: base's attributes, with those of set in their place.
func encodeBulk(base, set map[string]msgpack.RawMessage, d *diagnostics) *tfprotov6.DynamicValue {
	attrs := make(map[string]msgpack.RawMessage, len(bulkTypeTF.AttributeTypes))
	for name := range bulkTypeTF.AttributeTypes {
		if v, ok := set[name]; ok {
			attrs[name] = v
		} else if v, ok := base[name]; ok {
			attrs[name] = v
		}
	}
	dv, err := writeWire(attrs)
	if err != nil {
		bug(d, "Cannot write ipam_address_spaces", err)
		return nil
	}
	return dv
}

func nullBulk() *tfprotov6.DynamicValue {
	return &tfprotov6.DynamicValue{MsgPack: []byte{msgpcode.Nil}}
}

// state is the value of a state after an operation.
func state(spaces msgpack.RawMessage, ids map[string]string, id string, partial bool) map[string]msgpack.RawMessage {
	return map[string]msgpack.RawMessage{"address_spaces": spaces, "ids": encodeIDs(ids, nil), "id": wireString(id),
		"partial": wireBool(partial)}
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
	byName := make(map[string]*bulkItem, len(v.items))
	for key, it := range v.items {
		byName[ipam.NameKey(key)] = it
	}
	for _, key := range sortedKeys(v.items) {
		it := v.items[key]
		if it.space.Type != ipam.TypeCustomer || !it.written.has(providerField) {
			continue
		}
		pa := it.space.AssociatedProviderAddressSpace
		if o := byName[ipam.NameKey(pa)]; o != nil && o.written.has(typeField) && o.space.Type == ipam.TypeCustomer {
			d.add("Not a provider address space", fmt.Sprintf("%q names %q, which is a customer address space in this map.", key, pa),
				itemPath(key).WithAttributeName("provider_address_space"))
		}
	}
	if to := v.timeouts(); to != nil {
		for _, op := range sortedKeys(to) {
			var s string
			if x := to[op]; x.IsKnown() && !x.IsNull() && x.As(&s) == nil {
				if _, ok := positiveDuration(s); !ok {
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
	set := map[string]msgpack.RawMessage{"partial": wireBool(false)}
	if prior == nil {
		// A create: the id and ids are known after apply. The mark tells the Delete of a
		// replaced object that this create follows it.
		set["id"], set["ids"] = unknownWire, unknownWire
		resp.PlannedPrivate = withPrivate(req.PriorPrivate, true)
		resp.PlannedState = encodeBulk(proposed.attrs, set, &d)
		resp.Diagnostics = d
		return resp, nil
	}
	set["id"] = wireString(prior.id)
	if !proposed.known || len(proposed.problems) > 0 {
		set["ids"] = unknownWire
		resp.PlannedState = encodeBulk(proposed.attrs, set, &d)
		resp.Diagnostics = d
		return resp, nil
	}
	same := len(proposed.items) == len(prior.items)
	ids := make(map[string]string, len(proposed.items))
	var unknown []string
	for key, it := range proposed.items {
		p, ok := prior.items[key]
		if !ok || !sameSpace(&it.space, &p.space) {
			same = false
		}
		if id, ok2 := prior.ids[key]; ok && ok2 && p.space.Type == it.space.Type {
			ids[key] = id
		} else {
			unknown = append(unknown, key)
		}
	}
	if same {
		set["address_spaces"] = prior.attrs["address_spaces"]
		set["ids"] = prior.attrs["ids"]
	} else {
		sort.Strings(unknown)
		set["ids"] = encodeIDs(ids, unknown)
	}
	resp.PlannedState = encodeBulk(proposed.attrs, set, &d)
	resp.Diagnostics = d
	return resp, nil
}

// withPrivate returns private data (a JSON object, or empty) with the replacing mark set or removed.
func withPrivate(private []byte, set bool) []byte {
	const key = privateReplacing
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
		resp.Private = withPrivate(req.PlannedPrivate, false)
	case plan != nil:
		resp.NewState = r.update(ctx, prior, plan, client, &d)
		resp.Private = req.PlannedPrivate
	default:
		resp.NewState = nullBulk()
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
		return nullBulk()
	}
	items, ids := track(out, plan.items, nil, d)
	addItemErrors(d, "create", out.errs)
	if out.fatal != nil {
		d.add("Cannot create the address spaces", out.fatal.Error(), nil)
	}
	// With errors Terraform taints the resource; partial records that its state holds what this
	// create made, which the replacement keeps for the next create to adopt.
	return writeState(plan.attrs, plan.spaces, items, ids, stateID(sortedKeys(plan.items)), d.hasError(), d)
}

func (r *bulkResource) update(ctx context.Context, prior, plan *bulkValue, client ipam.Client, d *diagnostics) *tfprotov6.DynamicValue {
	ctx, cancel := context.WithTimeout(ctx, plan.timeout("update", defaultBulkWriteTimeout))
	defer cancel()
	out := reconciler{client}.update(ctx, prior.entries(), plan.wanted())
	items, ids := track(out, plan.items, prior.items, d)
	addItemErrors(d, "apply", out.errs)
	if out.fatal != nil {
		d.add("Cannot apply the address spaces", out.fatal.Error(), nil)
	}
	return writeState(plan.attrs, plan.spaces, items, ids, prior.id, false, d)
}

func (r *bulkResource) delete(ctx context.Context, prior *bulkValue, private []byte, client ipam.Client, d *diagnostics) *tfprotov6.DynamicValue {
	ctx, cancel := context.WithTimeout(ctx, prior.timeout("delete", defaultBulkWriteTimeout))
	defer cancel()
	keep := map[string]bool{}
	if prior.partial && hasPrivate(private, privateReplacing) {
		// The first half of the replacement of a resource whose create failed in part: the state
		// holds what that create made, which the create that follows adopts.
		for name := range prior.items {
			keep[ipam.NameKey(name)] = true
		}
		tflog.Info(ctx, "replacement of a partly created ipam_address_spaces: keeping its address spaces for the new create to adopt",
			map[string]any{"count": len(keep)})
	}
	errs := reconciler{client}.destroy(ctx, prior.entries(), keep)
	if len(errs) == 0 {
		return nullBulk()
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
	return writeState(prior.attrs, prior.spaces, items, ids, prior.id, prior.partial, d)
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
	found, err := reconciler{client}.refresh(ctx, sortedKeys(prior.items))
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
		if a := found[ipam.NameKey(key)]; a != nil && a.Type == it.space.Type {
			ni, err := itemOfServer(key, a, it)
			if err != nil {
				bug(&d, "Cannot read address_spaces", err)
				ni = it
			}
			items[key] = ni
			ids[key] = a.InstanceID
		}
	}
	resp.NewState = writeState(prior.attrs, prior.spaces, items, ids, prior.id, prior.partial, &d)
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
		if n == "" || seen[ipam.NameKey(n)] {
			continue
		}
		seen[ipam.NameKey(n)] = true
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
		a := found[ipam.NameKey(n)]
		if a == nil {
			missing = append(missing, n)
			continue
		}
		items[a.Name], _ = itemOfServer(a.Name, a, nil) // no prior item: nothing to decode
		ids[a.Name] = a.InstanceID
	}
	if len(missing) > 0 {
		d.add("Address spaces not found", fmt.Sprintf("IPAM has no address space named %s.", strings.Join(quoteAll(missing), ", ")), nil)
		resp.Diagnostics = d
		return resp, nil
	}
	st := writeState(nil, &spacesValue{}, items, ids, stateID(names), false, &d)
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
	var err error
	switch req.Version {
	case 0:
		var v tftypes.Value
		if v, err = upgradeBulkV0(req.RawState.JSON); err == nil {
			var dv tfprotov6.DynamicValue
			dv, err = tfprotov6.NewDynamicValue(bulkTypeTF, v)
			resp.UpgradedState = &dv
		}
	case bulkSchemaVersion:
		resp.UpgradedState, err = upgradeBulkV1(req.RawState.JSON)
	default:
		err = fmt.Errorf("the state has schema version %d; this provider knows versions 0 to %d: use a newer provider", req.Version, bulkSchemaVersion)
	}
	if err != nil {
		resp.UpgradedState = nil
		d.add("Cannot upgrade the state of ipam_address_spaces", err.Error(), nil)
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
	resp.Config = encodeBulk(map[string]msgpack.RawMessage{"address_spaces": v.attrs["address_spaces"]}, nil, &d)
	resp.Diagnostics = d
	return resp, nil
}

// stateID identifies a set of names in the state.
func stateID(names []string) string {
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	sum := sha256.Sum256([]byte(ipam.NameKey(strings.Join(sorted, "\x00"))))
	return "ipam-address-spaces-" + hex.EncodeToString(sum[:6])
}

// track turns an outcome into the items the state holds: each as planned when it was applied as
// planned or needed no change, as before when its change did not happen, as the server holds it
// otherwise.
func track(out *outcome, planned, prior map[string]*bulkItem, d *diagnostics) (map[string]*bulkItem, map[string]string) {
	items := make(map[string]*bulkItem, len(out.tracked))
	ids := make(map[string]string, len(out.tracked))
	for key, t := range out.tracked {
		switch t.source {
		case fromPrior:
			// Unchanged: the plan's item, which IPAM sees as the same, so that the state is
			// the plan to the letter.
			items[key] = prior[key]
			if p := planned[key]; p != nil && sameSpace(&p.space, &prior[key].space) {
				items[key] = p
			}
		case fromWanted:
			items[key] = planned[key]
		case fromServer:
			it, err := itemOfServer(key, t.server, planned[key])
			if err != nil {
				bug(d, "Cannot write address_spaces", err)
				it = planned[key]
			}
			items[key] = it
		}
		if t.id != "" {
			ids[key] = t.id
		}
	}
	return items, ids
}

// writeState writes a state that holds items, with address_spaces in template's shape.
func writeState(base map[string]msgpack.RawMessage, template *spacesValue, items map[string]*bulkItem, ids map[string]string,
	id string, partial bool, d *diagnostics) *tfprotov6.DynamicValue {
	spaces, err := spacesLike(template, items)
	if err != nil {
		bug(d, "Cannot write address_spaces", err)
		spaces = template.wire
	}
	return encodeBulk(base, state(spaces, ids, id, partial), d)
}

// spacesLike writes address_spaces holding items. When the items are exactly template's own it
// returns template's encoding as it came: Terraform checks that an apply's result equals its plan
// to the letter, and nothing needs decoding. Otherwise it keeps template's map type when every
// item still has the element type.
func spacesLike(template *spacesValue, items map[string]*bulkItem) (msgpack.RawMessage, error) {
	if len(template.wire) > 0 && len(items) == len(template.items) {
		same := true
		for k, it := range items {
			if template.items[k] != it {
				same = false
				break
			}
		}
		if same {
			return template.wire, nil
		}
	}
	tv, err := template.decode()
	if err != nil {
		return nil, err
	}
	if mt, ok := tv.Type().(tftypes.Map); ok {
		if v, ok, err := mapOf(mt.ElementType, items); err != nil || ok {
			if err != nil {
				return nil, err
			}
			return encodeAttr(tftypes.DynamicPseudoType, v)
		}
	}
	v, err := itemsValue(items)
	if err != nil {
		return nil, err
	}
	return encodeAttr(tftypes.DynamicPseudoType, v)
}

// mapOf builds a map of items when every item has the element type.
func mapOf(elem tftypes.Type, items map[string]*bulkItem) (tftypes.Value, bool, error) {
	vals := make(map[string]tftypes.Value, len(items))
	for k, it := range items {
		raw, err := it.rawValue()
		if err != nil {
			return tftypes.Value{}, false, err
		}
		if !raw.Type().Equal(elem) {
			return tftypes.Value{}, false, nil
		}
		vals[k] = raw
	}
	return tftypes.NewValue(tftypes.Map{ElementType: elem}, vals), true, nil
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = fmt.Sprintf("%q", v)
	}
	return out
}
