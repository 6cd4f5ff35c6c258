package provider

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/winipam/terraform-provider-ipam/internal/ipam"
)

// The reconciler is the core of ipam_address_spaces, free of Terraform values: it takes the
// address spaces wanted and those the state tracks, makes the bulk calls that bring IPAM to what
// is wanted, and says for each key what the state tracks afterwards and what failed.

// reconciler applies address spaces through an ipam.Client.
type reconciler struct {
	client ipam.Client
}

// trackSource says where the state takes an address space from after an operation.
type trackSource int

const (
	// fromPrior: the address space as the state held it before (unchanged, or its change failed).
	fromPrior trackSource = iota
	// fromWanted: as wanted (the change was applied).
	fromWanted
	// fromServer: as the server holds it, read back (a new address space, whatever its call said).
	fromServer
)

// tracked is one address space the state tracks after an operation.
type tracked struct {
	source trackSource
	server *ipam.AddressSpace
	id     string
}

// outcome is what an operation leaves: what the state tracks, by key, and the errors of the keys
// that failed. fatal is set when the operation could not start (nothing was changed).
type outcome struct {
	tracked map[string]tracked
	errs    map[string]error
	fatal   error
}

func newOutcome() *outcome {
	return &outcome{tracked: map[string]tracked{}, errs: map[string]error{}}
}

// entry is an address space the state tracks: its values and the server's InstanceID.
type entry struct {
	space ipam.AddressSpace
	id    string
}

// sameSpace reports whether two address spaces are the same as IPAM sees them.
func sameSpace(a, b *ipam.AddressSpace) bool {
	if a.Type != b.Type {
		return false
	}
	for i := range bulkFields {
		f := &bulkFields[i]
		if f.customerOnly && a.Type != ipam.TypeCustomer {
			continue
		}
		if !f.same(f.get(a), f.get(b)) {
			return false
		}
	}
	return true
}

// create brings wanted address spaces into IPAM. A name that already exists is adopted (updated in
// place by its InstanceID), unless it has the other type. Every name is read back afterwards, so
// the state tracks whatever the server holds, even where a call's answer was lost.
func (r reconciler) create(ctx context.Context, wanted map[string]ipam.AddressSpace) *outcome {
	out := newOutcome()
	names := sortedKeys(wanted)
	items, err := r.adopt(ctx, wanted, names, out.errs)
	if err != nil {
		out.fatal = fmt.Errorf("cannot read the address spaces to create: %w", err)
		return out
	}
	r.apply(ctx, items, out.errs)
	r.readBack(ctx, names, wanted, out)
	return out
}

// update brings IPAM from what the state tracks (prior) to what is wanted: it deletes the keys that
// go and the old object of each key whose type changes, adds or adopts the new keys, and updates
// the keys that changed, by InstanceID. Unchanged keys are not sent.
func (r reconciler) update(ctx context.Context, prior map[string]entry, wanted map[string]ipam.AddressSpace) *outcome {
	out := newOutcome()
	var removed, retyped, changed, added []string
	for _, name := range sortedKeys(prior) {
		w, ok := wanted[name]
		p := prior[name]
		switch {
		case !ok:
			removed = append(removed, name)
		case w.Type != p.space.Type:
			retyped = append(retyped, name)
		case !sameSpace(&w, &p.space):
			changed = append(changed, name)
		}
		out.tracked[name] = tracked{source: fromPrior, id: p.id}
	}
	for _, name := range sortedKeys(wanted) {
		if _, ok := prior[name]; !ok {
			added = append(added, name)
		}
	}

	// 1. Delete what goes away, and the old object of each address space whose type changes.
	gone := append(append([]string(nil), removed...), retyped...)
	dels := make([]ipam.AddressSpace, 0, len(gone))
	for _, name := range gone {
		dels = append(dels, withID(prior[name]))
	}
	r.delete(ctx, dels, out.errs)
	for _, name := range gone {
		if out.errs[name] == nil {
			delete(out.tracked, name)
		}
	}
	// 2. Add or adopt the new names, and update the changed ones.
	var fresh []string
	for _, name := range append(append([]string(nil), added...), retyped...) {
		if out.errs[name] == nil {
			fresh = append(fresh, name)
		}
	}
	items, err := r.adopt(ctx, wanted, fresh, out.errs)
	if err != nil {
		out.fatal = fmt.Errorf("cannot read the address spaces to create: %w", err)
		return out
	}
	for _, name := range changed {
		a := wanted[name]
		a.InstanceID = prior[name].id
		items = append(items, a)
	}
	r.apply(ctx, items, out.errs)
	for _, name := range changed {
		if out.errs[name] == nil {
			out.tracked[name] = tracked{source: fromWanted, id: prior[name].id}
		}
	}
	// 3. Read back the new names, for their InstanceIDs, whether or not their call succeeded.
	r.readBack(ctx, fresh, wanted, out)
	return out
}

// destroy deletes what the state tracks, but for the names in keep. It returns the errors by key.
func (r reconciler) destroy(ctx context.Context, prior map[string]entry, keep map[string]bool) map[string]error {
	errs := map[string]error{}
	var dels []ipam.AddressSpace
	for _, name := range sortedKeys(prior) {
		if !keep[ipam.NameKey(name)] {
			dels = append(dels, withID(prior[name]))
		}
	}
	r.delete(ctx, dels, errs)
	return errs
}

// refresh reads what the server holds under each name, keyed by name key; a name the server does
// not hold is absent.
func (r reconciler) refresh(ctx context.Context, names []string) (map[string]*ipam.AddressSpace, error) {
	return r.lookup(ctx, names)
}

func withID(e entry) ipam.AddressSpace {
	a := e.space
	a.InstanceID = e.id
	return a
}

// readBackTimeout bounds the read after a change. It runs even when the operation's context was
// cancelled (an interrupted apply), so the state records what the finished calls created.
const readBackTimeout = 30 * time.Second

// readBack reads the named address spaces after a change, and tracks those the server holds with
// the wanted type: a name that failed is tracked too if the server holds it (a call whose answer
// was lost, an adopted address space IPAM refused to change), with the server's values, so that
// the next plan shows the rest.
func (r reconciler) readBack(ctx context.Context, names []string, wanted map[string]ipam.AddressSpace, out *outcome) {
	if len(names) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), readBackTimeout)
	defer cancel()
	found, err := r.lookup(ctx, names)
	if err != nil {
		out.fatal = fmt.Errorf("cannot read back the address spaces: %w", err)
		return
	}
	for _, name := range names {
		if a := found[ipam.NameKey(name)]; a != nil && a.Type == wanted[name].Type {
			out.tracked[name] = tracked{source: fromServer, server: a, id: a.InstanceID}
		}
	}
}

// adopt prepares new names for BulkAddOrUpdate. An address space that already exists under a name
// is adopted: the item names it by InstanceID, whichever way the server matches bulk items. One of
// the other type cannot be (IPAM never changes a type): that name gets an error in errs.
func (r reconciler) adopt(ctx context.Context, wanted map[string]ipam.AddressSpace, names []string, errs map[string]error) ([]ipam.AddressSpace, error) {
	existing, err := r.lookup(ctx, names)
	if err != nil {
		return nil, err
	}
	items := make([]ipam.AddressSpace, 0, len(names))
	for _, name := range names {
		a := wanted[name]
		if ex := existing[ipam.NameKey(name)]; ex != nil {
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

// lookupLimit is how many names one WQL disjunction may carry; past it one unfiltered query of
// all address spaces is cheaper than several long ones.
const lookupLimit = 500

// lookup reads the address spaces with these names, keyed by name key: one query.
func (r reconciler) lookup(ctx context.Context, names []string) (map[string]*ipam.AddressSpace, error) {
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
		want[ipam.NameKey(n)] = true
	}
	for i := range list {
		if k := ipam.NameKey(list[i].Name); want[k] {
			out[k] = &list[i]
		}
	}
	return out, nil
}

// apply sends add-or-updates in two passes, provider spaces before the customer spaces that may
// name them, and records each item's error by name.
func (r reconciler) apply(ctx context.Context, items []ipam.AddressSpace, errs map[string]error) {
	r.bulk(ctx, items, true, errs)
}

// delete deletes in two passes, customer spaces before the provider spaces they live on. An
// address space already gone counts as deleted.
func (r reconciler) delete(ctx context.Context, items []ipam.AddressSpace, errs map[string]error) {
	r.bulk(ctx, items, false, errs)
}

func (r reconciler) bulk(ctx context.Context, items []ipam.AddressSpace, addOrUpdate bool, errs map[string]error) {
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
		if err == nil && len(results) != len(pass) {
			err = fmt.Errorf("the client returned %d results for %d address spaces", len(results), len(pass))
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
}
