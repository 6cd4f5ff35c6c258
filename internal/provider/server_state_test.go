package provider

// What the fault matrix, the concurrency test and the interruption tests check after each
// failure: Terraform's state (as terraform show -json shows it) against what the server holds.
// Nothing tracked may be lost, nothing duplicated, nothing created under a managed name left
// untracked.

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/winipam/terraform-provider-ipam/internal/acctest"
	"github.com/winipam/terraform-provider-ipam/internal/ipam"
)

// managedSpace is one address space as Terraform's state records it.
type managedSpace struct {
	addr   string // resource address (and key), for messages
	name   string
	id     string
	typ    ipam.Type
	fields map[string]string // owner, description, provider_address_space, isolation_method, tenant, vm_network
	cc     ipam.CustomConfiguration
}

// customerFields are the attributes only a customer address space has.
var customerFields = []string{"provider_address_space", "isolation_method", "tenant", "vm_network"}

// spacesFromState reads the address spaces the single and bulk resources track in a state.
func spacesFromState(s *tfjson.State) ([]managedSpace, error) {
	if s == nil || s.Values == nil || s.Values.RootModule == nil {
		return nil, nil
	}
	var out []managedSpace
	for _, r := range s.Values.RootModule.Resources {
		if r.Mode != tfjson.ManagedResourceMode {
			continue
		}
		attrs := r.AttributeValues
		switch r.Type {
		case "ipam_provider_address_space", "ipam_customer_address_space":
			typ := map[string]string{"ipam_provider_address_space": "Provider", "ipam_customer_address_space": "Customer"}[r.Type]
			sp, err := managedSpaceOf(r.Address, text(attrs["name"]), text(attrs["id"]), typ, attrs)
			if err != nil {
				return nil, err
			}
			out = append(out, sp)
		case "ipam_address_spaces":
			items, _ := attrs["address_spaces"].(map[string]any)
			ids, _ := attrs["ids"].(map[string]any)
			for _, name := range slices.Sorted(maps.Keys(items)) {
				item, _ := items[name].(map[string]any)
				sp, err := managedSpaceOf(fmt.Sprintf("%s[%q]", r.Address, name), name, text(ids[name]), text(item["type"]), item)
				if err != nil {
					return nil, err
				}
				out = append(out, sp)
			}
			for name := range ids {
				if _, ok := items[name]; !ok {
					return nil, fmt.Errorf("%s: ids has %q, which address_spaces does not list", r.Address, name)
				}
			}
		}
	}
	return out, nil
}

// managedSpaceOf reads one address space's attributes (typ "Provider" or "Customer").
func managedSpaceOf(addr, name, id, typ string, attrs map[string]any) (managedSpace, error) {
	sp := managedSpace{addr: addr, name: name, id: id,
		fields: map[string]string{"owner": text(attrs["owner"]), "description": text(attrs["description"])},
		cc:     ipam.CustomConfiguration{}}
	if cc, ok := attrs["custom_configuration"].(map[string]any); ok {
		for k, v := range cc {
			sp.cc[k] = text(v)
		}
	}
	switch typ {
	case "Provider":
		sp.typ = ipam.TypeProvider
	case "Customer":
		sp.typ = ipam.TypeCustomer
		for _, f := range customerFields {
			sp.fields[f] = text(attrs[f])
		}
	default:
		return sp, fmt.Errorf("%s: type %q", addr, typ)
	}
	return sp, nil
}

// text is a string attribute's value, "" when it is null or absent.
func text(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	}
	return ""
}

// stateCompare says how strict compareWithServer is.
type stateCompare struct {
	// managed are every name the test ever configures: the server must hold none of them that the
	// state does not track (unless allowUntracked).
	managed []string
	// want are the names configured now: the state must track exactly these (nil: not checked).
	want []string
	// allowUntracked accepts address spaces with managed names that the state does not track
	// (an interrupted bulk create leaves them for the next apply to adopt); they are returned.
	allowUntracked bool
	// idsOnly compares identities (id, name, type) but not values: after a call whose outcome
	// is unknown the state may hold the old values of what the server changed, until a refresh.
	idsOnly bool
}

// compareWithServer checks state against what the server holds: every tracked address space
// exists with the state's id and values, the state tracks each object once and exactly the
// configured names, the server has no duplicate names and nothing under a managed name that the
// state does not track. It returns the untracked objects under managed names.
func compareWithServer(spaces []managedSpace, server []ipam.AddressSpace, opt stateCompare) ([]ipam.AddressSpace, error) {
	var errs []error
	byID := map[string]*ipam.AddressSpace{}
	byName := map[string][]*ipam.AddressSpace{}
	for i := range server {
		a := &server[i]
		byID[ipam.NameKey(a.InstanceID)] = a
		byName[ipam.NameKey(a.Name)] = append(byName[ipam.NameKey(a.Name)], a)
	}
	for name, list := range byName {
		if len(list) > 1 {
			errs = append(errs, fmt.Errorf("DUPLICATE: the server holds %d address spaces named %q", len(list), name))
		}
	}
	tracked := map[string]string{} // id key -> addr
	names := map[string]string{}   // name key -> addr
	for _, sp := range spaces {
		if sp.id == "" {
			errs = append(errs, fmt.Errorf("%s (%q) has no id in state", sp.addr, sp.name))
			continue
		}
		if prev, dup := tracked[ipam.NameKey(sp.id)]; dup {
			errs = append(errs, fmt.Errorf("%s and %s both track InstanceID %s", prev, sp.addr, sp.id))
		}
		tracked[ipam.NameKey(sp.id)] = sp.addr
		if prev, dup := names[ipam.NameKey(sp.name)]; dup {
			errs = append(errs, fmt.Errorf("%s and %s both track the name %q", prev, sp.addr, sp.name))
		}
		names[ipam.NameKey(sp.name)] = sp.addr
		a := byID[ipam.NameKey(sp.id)]
		if a == nil {
			errs = append(errs, fmt.Errorf("LOST: %s (%q) has id %s in state, but the server has no such object", sp.addr, sp.name, sp.id))
			continue
		}
		if !ipam.SameName(a.Name, sp.name) {
			errs = append(errs, fmt.Errorf("%s: state name %q, server name %q (id %s)", sp.addr, sp.name, a.Name, sp.id))
		}
		if a.Type != sp.typ {
			errs = append(errs, fmt.Errorf("%s (%q): state type %s, server type %s", sp.addr, sp.name, sp.typ, a.Type))
		}
		if opt.idsOnly {
			continue
		}
		got := acctest.Fields(a)
		for k, v := range sp.fields {
			same := got[k] == v
			if k == "provider_address_space" || k == "isolation_method" {
				same = ipam.SameName(got[k], v)
			}
			if !same {
				errs = append(errs, fmt.Errorf("%s (%q): %s is %q in state but %q on the server", sp.addr, sp.name, k, v, got[k]))
			}
		}
		if !sp.cc.Equal(a.CustomConfiguration) {
			errs = append(errs, fmt.Errorf("%s (%q): custom_configuration is %q in state but %q on the server", sp.addr, sp.name, sp.cc.String(), a.CustomConfiguration.String()))
		}
	}
	if opt.want != nil {
		want := map[string]bool{}
		for _, n := range opt.want {
			want[ipam.NameKey(n)] = true
			if _, ok := names[ipam.NameKey(n)]; !ok {
				errs = append(errs, fmt.Errorf("MISSING: %q is configured but the state does not track it", n))
			}
		}
		for n, addr := range names {
			if !want[n] {
				errs = append(errs, fmt.Errorf("%s tracks %q, which is not configured", addr, n))
			}
		}
	}
	var untracked []ipam.AddressSpace
	for _, n := range opt.managed {
		for _, a := range byName[ipam.NameKey(n)] {
			if _, ok := tracked[ipam.NameKey(a.InstanceID)]; ok {
				continue
			}
			untracked = append(untracked, *a)
			if !opt.allowUntracked {
				errs = append(errs, fmt.Errorf("UNTRACKED: the server holds %q (%s, %s) under a managed name, and the state does not track it", a.Name, a.Type, a.InstanceID))
			}
		}
	}
	return untracked, errors.Join(errs...)
}

// stateMatchesServer reads the server through an out-of-band client and compares it with the
// state: see compareWithServer. want are the names the configuration lists now.
func stateMatchesServer(oob *acctest.OutOfBand, managed []string, want ...string) statecheck.StateCheck {
	return acctest.StateCheckFunc(func(s *tfjson.State) error {
		spaces, err := spacesFromState(s)
		if err != nil {
			return err
		}
		server, err := oob.List()
		if err != nil {
			return fmt.Errorf("out of band: %w", err)
		}
		if want == nil {
			want = []string{}
		}
		_, err = compareWithServer(spaces, server, stateCompare{managed: managed, want: want})
		return err
	})
}

// identityKept checks that every address space in before (by name key) that is still configured
// (want) still exists under the same InstanceID: nothing was deleted and re-created behind the
// user's back.
func identityKept(oob *acctest.OutOfBand, before *map[string]string, want ...string) statecheck.StateCheck {
	return acctest.ServerCheck(func() error {
		now, err := oob.IDs()
		if err != nil {
			return err
		}
		var errs []error
		for _, n := range want {
			k := ipam.NameKey(n)
			if old, ok := (*before)[k]; ok && now[k] != old {
				errs = append(errs, fmt.Errorf("RE-CREATED: %q had InstanceID %s before, now %q", n, old, now[k]))
			}
		}
		return errors.Join(errs...)
	})
}

// stateSpaces reads the address spaces the state of a terraform CLI's working directory tracks.
func stateSpaces(cli *acctest.CLI) ([]managedSpace, error) {
	state, err := cli.State()
	if err != nil {
		return nil, err
	}
	return spacesFromState(state)
}
