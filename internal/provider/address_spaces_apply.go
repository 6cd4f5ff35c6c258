package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/winipam/terraform-provider-ipam/internal/ipam"
)

// bulkState is the resource's state as Go values.
type bulkState struct {
	items map[string]bulkItem
	ids   map[string]string
}

func itemType(it bulkItem) ipam.Type {
	if it.Type.ValueString() == "Customer" {
		return ipam.TypeCustomer
	}
	return ipam.TypeProvider
}

func itemToDomain(name string, it bulkItem, id string) ipam.AddressSpace {
	cc, _ := customConfigurationOf(it.CustomConfiguration)
	a := ipam.AddressSpace{
		InstanceID: id, Name: name, Type: itemType(it),
		Owner: it.Owner.ValueString(), Description: it.Description.ValueString(), CustomConfiguration: cc,
	}
	if a.Type == ipam.TypeCustomer {
		a.AssociatedProviderAddressSpace = it.ProviderAddressSpace.ValueString()
		a.IsolationMethod = it.IsolationMethod.ValueString()
		if canon, err := ipam.CanonicalIsolationMethod(a.IsolationMethod); err == nil {
			a.IsolationMethod = canon
		}
		a.Tenant = it.Tenant.ValueString()
		a.VMNetwork = it.VMNetwork.ValueString()
	}
	return a
}

// itemFromDomain sets an item from what the server holds, keeping prior spellings IPAM treats as
// equal.
func itemFromDomain(a *ipam.AddressSpace, prior *bulkItem) bulkItem {
	if prior == nil {
		prior = &bulkItem{}
	}
	it := bulkItem{
		Type:                types.StringValue(a.Type.String()),
		Owner:               types.StringValue(a.Owner),
		Description:         types.StringValue(a.Description),
		CustomConfiguration: customConfigurationValue(a.CustomConfiguration),
		Tenant:              types.StringValue(a.Tenant),
		VMNetwork:           types.StringValue(a.VMNetwork),
		// Provider spaces have no provider space and no isolation method: null, as configured.
		ProviderAddressSpace: types.StringNull(),
		IsolationMethod:      types.StringNull(),
	}
	if pc, ok := customConfigurationOf(prior.CustomConfiguration); ok && !prior.CustomConfiguration.IsNull() && pc.Equal(a.CustomConfiguration) {
		it.CustomConfiguration = prior.CustomConfiguration
	}
	if a.Type == ipam.TypeCustomer {
		it.ProviderAddressSpace = keepFold(a.AssociatedProviderAddressSpace, prior.ProviderAddressSpace)
		it.IsolationMethod = keepFold(a.IsolationMethod, prior.IsolationMethod)
	}
	return it
}

// sameItem reports whether two items describe the same address space as IPAM sees it.
func sameItem(a, b bulkItem) bool {
	ca, ok1 := customConfigurationOf(a.CustomConfiguration)
	cb, ok2 := customConfigurationOf(b.CustomConfiguration)
	return a.Type.Equal(b.Type) && a.Owner.Equal(b.Owner) && a.Description.Equal(b.Description) &&
		ok1 && ok2 && ca.Equal(cb) && a.Tenant.Equal(b.Tenant) && a.VMNetwork.Equal(b.VMNetwork) &&
		foldEqual(a.ProviderAddressSpace, b.ProviderAddressSpace) && foldEqual(a.IsolationMethod, b.IsolationMethod)
}

func foldEqual(a, b types.String) bool {
	if a.IsNull() || b.IsNull() || a.IsUnknown() || b.IsUnknown() {
		return a.Equal(b)
	}
	return strings.EqualFold(a.ValueString(), b.ValueString())
}

// bulkMeta is what the resource's value holds besides the items.
type bulkMeta struct {
	ID       types.String
	Timeouts timeouts.Value
	// rawTimeouts is timeouts as read, written back unchanged.
	rawTimeouts tftypes.Value
}

// rawSource is a plan, state or configuration: its raw value and typed access to small attributes.
type rawSource interface {
	GetAttribute(ctx context.Context, p path.Path, target any) diag.Diagnostics
}

// get reads a plan or state. The items are read from the raw value (see itemsOfRaw).
func (r *addressSpacesResource) get(ctx context.Context, raw tftypes.Value, from rawSource, diags *diag.Diagnostics) (*bulkMeta, *bulkState) {
	m := &bulkMeta{}
	st := &bulkState{items: map[string]bulkItem{}, ids: map[string]string{}}
	diags.Append(from.GetAttribute(ctx, path.Root("id"), &m.ID)...)
	diags.Append(from.GetAttribute(ctx, path.Root("timeouts"), &m.Timeouts)...)
	if diags.HasError() {
		return m, st
	}
	m.rawTimeouts, _ = rawAttr(raw, "timeouts")
	if spaces, ok := rawAttr(raw, "address_spaces"); ok && spaces.IsKnown() && !spaces.IsNull() {
		items, err := itemsOfRaw(spaces)
		if err != nil {
			diags.AddError("Unexpected address_spaces value", err.Error()+"\n\nThis is a bug in the provider.")
			return m, st
		}
		st.items = items
	}
	if ids, ok := rawAttr(raw, "ids"); ok {
		st.ids = idsOfRaw(ids)
	}
	return m, st
}

// idsOfRaw reads the known ids of a raw ids value.
func idsOfRaw(v tftypes.Value) map[string]string {
	out := map[string]string{}
	var elems map[string]tftypes.Value
	if !v.IsKnown() || v.IsNull() || v.As(&elems) != nil {
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

// write sets a state to these items, with the resource's id and timeouts.
func (st *bulkState) write(ctx context.Context, to *tfsdk.State, id types.String, m *bulkMeta, diags *diag.Diagnostics) {
	spaces, err := rawOfItems(ctx, st.items)
	if err != nil {
		diags.AddError("Cannot write address_spaces", err.Error()+"\n\nThis is a bug in the provider.")
		return
	}
	idv, err := id.ToTerraformValue(ctx)
	if err != nil {
		diags.AddError("Cannot write the id", err.Error()+"\n\nThis is a bug in the provider.")
		return
	}
	typ, ok := to.Schema.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		diags.AddError("Cannot write the state", fmt.Sprintf("The schema's type is %T, not an object. This is a bug in the provider.", to.Schema.Type()))
		return
	}
	to2 := m.rawTimeouts
	if to2.Type() == nil {
		to2 = tftypes.NewValue(typ.AttributeTypes["timeouts"], nil)
	}
	to.Raw = tftypes.NewValue(typ, map[string]tftypes.Value{"id": idv, "address_spaces": spaces, "ids": rawOfIDs(st.ids), "timeouts": to2})
}

// lookupLimit is how many names one WQL disjunction may carry; past it one unfiltered query of
// all address spaces is cheaper than several long ones.
const lookupLimit = 500

// lookup reads the address spaces with these names, keyed by lower-case name: one query.
func (r *addressSpacesResource) lookup(ctx context.Context, names []string) (map[string]*ipam.AddressSpace, error) {
	out := make(map[string]*ipam.AddressSpace, len(names))
	if len(names) == 0 {
		return out, nil
	}
	filter := ipam.Filter{Names: names}
	if len(names) > lookupLimit {
		filter = ipam.Filter{}
	}
	list, err := r.client.List(ctx, filter)
	if err != nil {
		return nil, err
	}
	want := make(map[string]bool, len(names))
	for _, n := range names {
		want[strings.ToLower(n)] = true
	}
	for i := range list {
		if k := strings.ToLower(list[i].Name); want[k] {
			out[k] = &list[i]
		}
	}
	return out, nil
}

func itemPath(name string) path.Path { return path.Root("address_spaces").AtMapKey(name) }

// applyItems sends add-or-updates in two passes, provider spaces before the customer spaces that
// may name them, and returns each item's error by name.
func (r *addressSpacesResource) applyItems(ctx context.Context, items []ipam.AddressSpace) map[string]error {
	return r.bulk(ctx, items, true)
}

// deleteItems deletes in two passes, customer spaces before the provider spaces they live on. An
// address space already gone counts as deleted.
func (r *addressSpacesResource) deleteItems(ctx context.Context, items []ipam.AddressSpace) map[string]error {
	return r.bulk(ctx, items, false)
}

func (r *addressSpacesResource) bulk(ctx context.Context, items []ipam.AddressSpace, addOrUpdate bool) map[string]error {
	errs := map[string]error{}
	first, second := ipam.TypeProvider, ipam.TypeCustomer
	if !addOrUpdate {
		first, second = second, first
	}
	var failed error // a call of the first pass failed as a whole
	for _, typ := range []ipam.Type{first, second} {
		var pass []ipam.AddressSpace
		for _, a := range items {
			if a.Type == typ {
				pass = append(pass, a)
			}
		}
		if len(pass) == 0 {
			continue
		}
		if failed != nil {
			// The server did not answer the first pass (or the operation was cancelled): the
			// second would wait out the same retries, and depends on the first anyway.
			for _, a := range pass {
				errs[a.Name] = fmt.Errorf("%q: %w", a.Name, ipam.ErrNotSent)
			}
			break
		}
		sort.Slice(pass, func(i, j int) bool { return pass[i].Name < pass[j].Name })
		var results []error
		var err error
		if addOrUpdate {
			results, err = r.client.BulkAddOrUpdate(ctx, pass)
		} else {
			results, err = r.client.BulkDelete(ctx, pass)
		}
		for i, a := range pass {
			switch {
			case err != nil:
				errs[a.Name] = err
			case results[i] != nil && (addOrUpdate || !errors.Is(results[i], ipam.ErrNotFound)):
				errs[a.Name] = results[i]
			}
		}
		failed = err
		for _, e := range results {
			var ie *ipam.Error
			if e != nil && !errors.As(e, &ie) && failed == nil {
				failed = e // a batch the server did not answer, or one not sent after it
			}
		}
		tflog.Debug(ctx, "bulk pass done", map[string]any{"add_or_update": addOrUpdate, "type": typ.String(), "items": len(pass), "failed": len(errs)})
	}
	return errs
}

// maxItemDiagnostics bounds the per-key diagnostics of one operation: Terraform renders each with
// a piece of the configuration, and thousands of them take minutes to print.
const maxItemDiagnostics = 20

// addItemErrors reports failed items: one diagnostic per key for what IPAM refused item by item,
// up to maxItemDiagnostics, and one for the keys of calls that failed as a whole (no answer,
// cancelled, refused), whose outcome is the same for all of them.
func addItemErrors(diags *diag.Diagnostics, action string, errs map[string]error) {
	var itemNames, callNames []string
	for _, name := range sortedKeys(errs) {
		var ie *ipam.Error
		if errors.As(errs[name], &ie) {
			itemNames = append(itemNames, name)
		} else {
			callNames = append(callNames, name)
		}
	}
	for i, name := range itemNames {
		if i == maxItemDiagnostics {
			rest := itemNames[i:]
			diags.AddError(fmt.Sprintf("%d more address spaces failed", len(rest)),
				fmt.Sprintf("IPAM refused these too (the first: %s): %s", trimKind(errs[rest[0]]), listNames(rest)))
			break
		}
		d := errorDiagnostic(action, "ipam_address_spaces", name, errs[name])
		diags.AddAttributeError(itemPath(name), d.Summary(), d.Detail())
	}
	if len(callNames) == 0 {
		return
	}
	if len(callNames) == 1 {
		d := errorDiagnostic(action, "ipam_address_spaces", callNames[0], errs[callNames[0]])
		diags.AddAttributeError(itemPath(callNames[0]), d.Summary(), d.Detail())
		return
	}
	// The call that failed says why; the items after it were not sent.
	cause := errs[callNames[0]]
	for _, name := range callNames {
		if !errors.Is(errs[name], ipam.ErrNotSent) {
			cause = errs[name]
			break
		}
	}
	diags.AddError(fmt.Sprintf("Cannot %s %d address spaces", action, len(callNames)),
		fmt.Sprintf("%s\n\nAddress spaces concerned: %s\n\nThe outcome may be unknown for some of them; run terraform plan "+
			"to see what IPAM holds now (an apply adopts what was created).", trimKind(cause), listNames(callNames)))
}

// listNames quotes up to ten names and counts the rest.
func listNames(names []string) string {
	const shown = 10
	q := quoteAll(names[:min(len(names), shown)])
	if len(names) > shown {
		q = append(q, fmt.Sprintf("and %d more", len(names)-shown))
	}
	return strings.Join(q, ", ")
}

func stateID(names []string) types.String {
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	sum := sha256.Sum256([]byte(strings.ToLower(strings.Join(sorted, "\x00"))))
	return types.StringValue("ipam-address-spaces-" + hex.EncodeToString(sum[:6]))
}

func (r *addressSpacesResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	pm, plan := r.get(ctx, req.Plan.Raw, req.Plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, pm.Timeouts.Create, defaultBulkWriteTimeout, &resp.Diagnostics)
	defer cancel()
	names := sortedKeys(plan.items)
	errs := map[string]error{}
	items, err := r.adopt(ctx, plan, names, errs)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the address spaces to create", err.Error())
		return
	}
	for k, v := range r.applyItems(ctx, items) {
		errs[k] = v
	}
	st := r.readBack(ctx, plan, names, &resp.Diagnostics)
	addItemErrors(&resp.Diagnostics, "create", errs)
	// With errors, Terraform taints the resource and plans a replacement; Delete then keeps the
	// items that succeeded, and the next Create adopts them.
	st.write(ctx, &resp.State, stateID(names), pm, &resp.Diagnostics)
}

// readBackTimeout bounds the read after a change. It runs even when the operation's context was
// cancelled (an interrupted apply), so the state records what the finished calls created.
const readBackTimeout = 30 * time.Second

// readBack reads the named items after a change and returns the state of those that exist: an item
// that failed is tracked too if the server holds it (a call whose answer was lost, an adopted
// address space IPAM refused to change), with the server's values, so the next plan shows the rest.
func (r *addressSpacesResource) readBack(ctx context.Context, plan *bulkState, names []string, diags *diag.Diagnostics) *bulkState {
	st := &bulkState{items: map[string]bulkItem{}, ids: map[string]string{}}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), readBackTimeout)
	defer cancel()
	found, err := r.lookup(ctx, names)
	if err != nil {
		diags.AddError("Cannot read back the address spaces", err.Error()+"\n\nRun terraform apply again: items already applied are adopted, not duplicated.")
		return st
	}
	for _, name := range names {
		if a := found[strings.ToLower(name)]; a != nil && a.Type == itemType(plan.items[name]) {
			st.track(name, a, plan.items[name])
		}
	}
	return st
}

// track records an address space as the server holds it, keeping prior spellings IPAM treats as
// equal.
func (st *bulkState) track(name string, a *ipam.AddressSpace, prior bulkItem) {
	st.items[name] = itemFromDomain(a, &prior)
	st.ids[name] = a.InstanceID
}

// adopt prepares new names for BulkAddOrUpdate. An address space that already exists under a name
// is adopted: the item names it by InstanceID, whichever way the server matches bulk items. One of
// the other type cannot be (IPAM never changes a type): that name gets an error in errs.
func (r *addressSpacesResource) adopt(ctx context.Context, plan *bulkState, names []string, errs map[string]error) ([]ipam.AddressSpace, error) {
	existing, err := r.lookup(ctx, names)
	if err != nil {
		return nil, err
	}
	items := make([]ipam.AddressSpace, 0, len(names))
	for _, name := range names {
		a := itemToDomain(name, plan.items[name], "")
		if ex := existing[strings.ToLower(name)]; ex != nil {
			if ex.Type != a.Type {
				errs[name] = ipam.NewError(ipam.KindAlreadyExists, ipam.Win32AlreadyExists, name,
					fmt.Sprintf("a %s address space with this name already exists, and IPAM cannot change an address space's type", strings.ToLower(ex.Type.String())))
				continue
			}
			a.InstanceID = ex.InstanceID
		}
		items = append(items, a)
	}
	return items, nil
}

func (r *addressSpacesResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	m, prior := r.get(ctx, req.State.Raw, req.State, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, m.Timeouts.Read, defaultBulkReadTimeout, &resp.Diagnostics)
	defer cancel()
	names := sortedKeys(prior.items)
	found, err := r.lookup(ctx, names)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the address spaces", err.Error())
		return
	}
	st := &bulkState{items: map[string]bulkItem{}, ids: map[string]string{}}
	for _, name := range names {
		// One deleted outside Terraform is left out: the plan re-creates it.
		if a := found[strings.ToLower(name)]; a != nil {
			st.track(name, a, prior.items[name])
		}
	}
	st.write(ctx, &resp.State, m.ID, m, &resp.Diagnostics)
}

// ModifyPlan sets the defaults of address_spaces' attributes, keeps items that differ from the
// state only in ways IPAM ignores, and keeps the ids of address spaces that stay, so a plan shows
// exactly the keys that change. It works on the raw values: a plan of thousands of keys spent most
// of its time converting them.
func (r *addressSpacesResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		// A destroy: Delete must really delete, even a resource whose create failed in part.
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateDestroy, []byte(`true`))...)
		return
	}
	bug := func(err error) {
		resp.Diagnostics.AddError("Cannot plan address_spaces", err.Error()+"\n\nThis is a bug in the provider.")
	}
	raw, err := applyItemDefaults(resp.Plan.Raw, req.Config.Raw)
	if err != nil {
		bug(err)
		return
	}
	resp.Plan.Raw = raw
	if req.State.Raw.IsNull() {
		return
	}
	planSpaces, ok := rawAttr(raw, "address_spaces")
	if !ok || !planSpaces.IsKnown() || planSpaces.IsNull() {
		return
	}
	var stateElems map[string]tftypes.Value
	planElems, err := rawElems(planSpaces)
	if err != nil {
		bug(err)
		return
	}
	plan, err := itemsOfRaw(planSpaces)
	if err != nil {
		bug(err)
		return
	}
	prior := map[string]bulkItem{}
	if stateSpaces, ok := rawAttr(req.State.Raw, "address_spaces"); ok && stateSpaces.IsKnown() && !stateSpaces.IsNull() {
		if err := stateSpaces.As(&stateElems); err != nil {
			bug(err)
			return
		}
		if prior, err = itemsOfRaw(stateSpaces); err != nil {
			bug(err)
			return
		}
	}
	stateIDs, _ := rawAttr(req.State.Raw, "ids")
	priorIDs := idsOfRaw(stateIDs)
	changed := len(plan) != len(prior)
	ids := make(map[string]tftypes.Value, len(plan))
	for name, it := range plan {
		p, ok := prior[name]
		if ok && sameItem(it, p) {
			planElems[name] = stateElems[name]
		} else {
			changed = true
		}
		if id, ok2 := priorIDs[name]; ok && ok2 && it.Type.Equal(p.Type) {
			ids[name] = tftypes.NewValue(tftypes.String, id)
		} else {
			ids[name] = tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
		}
	}
	idsValue := stateIDs
	if changed || stateIDs.Type() == nil {
		idsValue = tftypes.NewValue(bulkIDsTF, ids)
	}
	raw, err = withRawAttrs(raw, map[string]tftypes.Value{"address_spaces": tftypes.NewValue(planSpaces.Type(), planElems), "ids": idsValue})
	if err != nil {
		bug(err)
		return
	}
	resp.Plan.Raw = raw
}

func (r *addressSpacesResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	m, plan := r.get(ctx, req.Plan.Raw, req.Plan, &resp.Diagnostics)
	_, prior := r.get(ctx, req.State.Raw, req.State, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, m.Timeouts.Update, defaultBulkWriteTimeout, &resp.Diagnostics)
	defer cancel()
	var removed, retyped, changed, added []string
	for _, name := range sortedKeys(prior.items) {
		it, ok := plan.items[name]
		switch {
		case !ok:
			removed = append(removed, name)
		case !it.Type.Equal(prior.items[name].Type):
			retyped = append(retyped, name)
		case !sameItem(it, prior.items[name]):
			changed = append(changed, name)
		}
	}
	for _, name := range sortedKeys(plan.items) {
		if _, ok := prior.items[name]; !ok {
			added = append(added, name)
		}
	}
	st := &bulkState{items: map[string]bulkItem{}, ids: map[string]string{}}
	for k, v := range prior.items {
		st.items[k] = v
	}
	for k, v := range prior.ids {
		st.ids[k] = v
	}
	errs := map[string]error{}

	// 1. Delete what goes away, and the old object of each address space whose type changes.
	var dels []ipam.AddressSpace
	for _, name := range append(append([]string(nil), removed...), retyped...) {
		dels = append(dels, itemToDomain(name, prior.items[name], prior.ids[name]))
	}
	for k, v := range r.deleteItems(ctx, dels) {
		errs[k] = v
	}
	for _, name := range append(append([]string(nil), removed...), retyped...) {
		if errs[name] == nil {
			delete(st.items, name)
			delete(st.ids, name)
		}
	}
	// 2. Add or update the rest; new names may adopt existing address spaces.
	var fresh []string
	for _, name := range append(append([]string(nil), added...), retyped...) {
		if errs[name] == nil {
			fresh = append(fresh, name)
		}
	}
	items, err := r.adopt(ctx, plan, fresh, errs)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the address spaces to create", err.Error())
		st.write(ctx, &resp.State, m.ID, m, &resp.Diagnostics)
		return
	}
	for _, name := range changed {
		items = append(items, itemToDomain(name, plan.items[name], prior.ids[name]))
	}
	for k, v := range r.applyItems(ctx, items) {
		errs[k] = v
	}
	for _, name := range changed {
		if errs[name] == nil {
			st.items[name] = plan.items[name]
		}
	}
	// 3. Read back the new names, for their InstanceIDs, whether or not their call succeeded.
	back := r.readBack(ctx, plan, fresh, &resp.Diagnostics)
	for k, v := range back.items {
		st.items[k] = v
		st.ids[k] = back.ids[k]
	}
	addItemErrors(&resp.Diagnostics, "apply", errs)
	st.write(ctx, &resp.State, m.ID, m, &resp.Diagnostics)
}

func (r *addressSpacesResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	m, prior := r.get(ctx, req.State.Raw, req.State, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := withTimeout(ctx, m.Timeouts.Delete, defaultBulkWriteTimeout, &resp.Diagnostics)
	defer cancel()
	// A destroy is planned (ModifyPlan marks it). A Delete without that mark is the first half of a
	// replacement, which Terraform plans for a resource tainted by a partly failed create: the
	// create that follows adopts these address spaces by name, so deleting them would only lose
	// their identity and whatever depends on them.
	destroy, d := req.Private.GetKey(ctx, privateDestroy)
	resp.Diagnostics.Append(d...)
	if destroy == nil {
		tflog.Info(ctx, "replacement of ipam_address_spaces: keeping its address spaces for the new create to adopt",
			map[string]any{"count": len(prior.items)})
		return
	}
	var dels []ipam.AddressSpace
	for _, name := range sortedKeys(prior.items) {
		dels = append(dels, itemToDomain(name, prior.items[name], prior.ids[name]))
	}
	errs := r.deleteItems(ctx, dels)
	if len(errs) == 0 {
		return
	}
	addItemErrors(&resp.Diagnostics, "delete", errs)
	st := &bulkState{items: map[string]bulkItem{}, ids: map[string]string{}}
	for name := range errs {
		st.items[name] = prior.items[name]
		if id, ok := prior.ids[name]; ok {
			st.ids[name] = id
		}
	}
	st.write(ctx, &resp.State, m.ID, m, &resp.Diagnostics)
}

// ImportState takes a comma-separated list of names.
func (r *addressSpacesResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	var names []string
	seen := map[string]bool{}
	for _, n := range strings.Split(req.ID, ",") {
		n = strings.TrimSpace(n)
		if n == "" || seen[strings.ToLower(n)] {
			continue
		}
		seen[strings.ToLower(n)] = true
		names = append(names, n)
	}
	if len(names) == 0 {
		resp.Diagnostics.AddError("Missing import ID", `Import ipam_address_spaces by a comma-separated list of names: terraform import ipam_address_spaces.example "DC-West,Tenant-A"`)
		return
	}
	found, err := r.lookup(ctx, names)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read the address spaces to import", err.Error())
		return
	}
	st := &bulkState{items: map[string]bulkItem{}, ids: map[string]string{}}
	var missing []string
	for _, n := range names {
		a := found[strings.ToLower(n)]
		if a == nil {
			missing = append(missing, n)
			continue
		}
		st.items[a.Name] = itemFromDomain(a, nil)
		st.ids[a.Name] = a.InstanceID
	}
	if len(missing) > 0 {
		resp.Diagnostics.AddError("Address spaces not found", fmt.Sprintf("IPAM has no address space named %s.", strings.Join(quoteAll(missing), ", ")))
		return
	}
	// Timeouts stay null, as in the state the framework starts an import with.
	st.write(ctx, &resp.State, stateID(names), &bulkMeta{}, &resp.Diagnostics)
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = fmt.Sprintf("%q", v)
	}
	return out
}
