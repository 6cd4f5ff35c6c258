package provider

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/winipam/terraform-provider-ipam/internal/ipam"
)

func pa(name string, extra ...func(*ipam.AddressSpace)) ipam.AddressSpace {
	a := ipam.AddressSpace{Name: name, Type: ipam.TypeProvider}
	for _, f := range extra {
		f(&a)
	}
	return a
}

func ca(name, pa string, extra ...func(*ipam.AddressSpace)) ipam.AddressSpace {
	a := ipam.AddressSpace{Name: name, Type: ipam.TypeCustomer, AssociatedProviderAddressSpace: pa, IsolationMethod: "NVGRE"}
	for _, f := range extra {
		f(&a)
	}
	return a
}

func owner(o string) func(*ipam.AddressSpace) { return func(a *ipam.AddressSpace) { a.Owner = o } }
func hasID(id string) func(*ipam.AddressSpace) {
	return func(a *ipam.AddressSpace) { a.InstanceID = id }
}

func spaces(list ...ipam.AddressSpace) map[string]ipam.AddressSpace {
	m := map[string]ipam.AddressSpace{}
	for _, a := range list {
		m[a.Name] = a
	}
	return m
}

// summary is an outcome in literal form: key → "source id", the keys with errors, and the calls.
type summary struct {
	tracked map[string]string
	errs    []string
	calls   []string
}

func summarize(out *outcome, f *fakeIPAM) summary {
	s := summary{tracked: map[string]string{}, calls: f.calls}
	for k, t := range out.tracked {
		s.tracked[k] = fmt.Sprintf("%s %s", []string{"prior", "wanted", "server"}[t.source], t.id)
	}
	for k := range out.errs {
		s.errs = append(s.errs, k)
	}
	sort.Strings(s.errs)
	return s
}

func failNames(names ...string) func(string, ipam.AddressSpace) error {
	return func(_ string, a ipam.AddressSpace) error {
		for _, n := range names {
			if ipam.SameName(n, a.Name) {
				return ipam.NewError(ipam.KindInvalid, 87, a.Name, "refused by the test")
			}
		}
		return nil
	}
}

func TestReconcilerCreate(t *testing.T) {
	cases := []struct {
		name      string
		existing  []ipam.AddressSpace
		fail      func(string, ipam.AddressSpace) error
		callErr   func(string) error
		wanted    map[string]ipam.AddressSpace
		want      summary
		wantTypes map[string]string
	}{
		{
			name:   "new names: providers first, then customers, then a read-back",
			wanted: spaces(pa("DC"), ca("T1", "DC")),
			want: summary{tracked: map[string]string{"DC": "server {ID-0001}", "T1": "server {ID-0002}"},
				calls: []string{"List", "BulkAddOrUpdate DC", "BulkAddOrUpdate T1", "List"}},
			wantTypes: map[string]string{"DC": "Provider", "T1": "Customer"},
		},
		{
			name:     "an existing name of the same type is adopted by its InstanceID, ignoring case",
			existing: []ipam.AddressSpace{pa("dc", owner("someone"), hasID("{OLD}"))},
			wanted:   spaces(pa("DC", owner("netops"))),
			want: summary{tracked: map[string]string{"DC": "server {OLD}"},
				calls: []string{"List", "BulkAddOrUpdate DC", "List"}},
			wantTypes: map[string]string{"DC": "Provider"},
		},
		{
			name:     "an existing name of the other type is refused; the rest goes on",
			existing: []ipam.AddressSpace{ca("X", "DC0", hasID("{X}")), pa("DC0", hasID("{DC0}"))},
			wanted:   spaces(pa("X"), pa("DC")),
			want: summary{tracked: map[string]string{"DC": "server {ID-0001}"}, errs: []string{"X"},
				calls: []string{"List", "BulkAddOrUpdate DC", "List"}},
			wantTypes: map[string]string{"X": "Customer", "DC0": "Provider", "DC": "Provider"},
		},
		{
			name:   "an item IPAM refuses is not tracked; the others are",
			fail:   failNames("bad"),
			wanted: spaces(pa("DC"), pa("bad"), ca("T1", "DC")),
			want: summary{tracked: map[string]string{"DC": "server {ID-0001}", "T1": "server {ID-0002}"}, errs: []string{"bad"},
				calls: []string{"List", "BulkAddOrUpdate DC,bad", "BulkAddOrUpdate T1", "List"}},
			wantTypes: map[string]string{"DC": "Provider", "T1": "Customer"},
		},
		{
			name:    "a provider pass the server does not answer: the customer pass is not sent",
			callErr: func(string) error { return errors.New("connection reset") },
			wanted:  spaces(pa("DC"), ca("T1", "DC")),
			want: summary{tracked: map[string]string{}, errs: []string{"DC", "T1"},
				calls: []string{"List", "BulkAddOrUpdate DC", "List"}},
			wantTypes: map[string]string{},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeIPAM(tc.existing...)
			f.fail, f.callErr = tc.fail, tc.callErr
			out := reconciler{f}.create(context.Background(), tc.wanted)
			if out.fatal != nil {
				t.Fatal(out.fatal)
			}
			if got := summarize(out, f); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("outcome\n got %+v\nwant %+v", got, tc.want)
			}
			if types := f.types(); !reflect.DeepEqual(types, tc.wantTypes) {
				t.Errorf("server holds %v, want %v", types, tc.wantTypes)
			}
			if tc.callErr != nil {
				for _, k := range []string{"T1"} {
					if !errors.Is(out.errs[k], ipam.ErrNotSent) {
						t.Errorf("%s: %v, want ErrNotSent", k, out.errs[k])
					}
				}
			}
		})
	}
}

func TestReconcilerUpdate(t *testing.T) {
	prior := map[string]entry{
		"DC":   {space: pa("DC", owner("netops")), id: "{DC}"},
		"Gone": {space: pa("Gone"), id: "{GONE}"},
		"Flip": {space: pa("Flip"), id: "{FLIP}"},
		"T1":   {space: ca("T1", "DC"), id: "{T1}"},
	}
	server := []ipam.AddressSpace{
		pa("DC", owner("netops"), hasID("{DC}")), pa("Gone", hasID("{GONE}")),
		pa("Flip", hasID("{FLIP}")), ca("T1", "DC", hasID("{T1}")),
	}
	cases := []struct {
		name      string
		fail      func(string, ipam.AddressSpace) error
		wanted    map[string]ipam.AddressSpace
		want      summary
		wantTypes map[string]string
	}{
		{
			name: "nothing changed, as IPAM compares: no call at all",
			wanted: spaces(pa("DC", owner("netops")), pa("Gone"), pa("Flip"),
				ca("T1", "dc", func(a *ipam.AddressSpace) { a.IsolationMethod = "nvgre" })),
			want:      summary{tracked: map[string]string{"DC": "prior {DC}", "Gone": "prior {GONE}", "Flip": "prior {FLIP}", "T1": "prior {T1}"}},
			wantTypes: map[string]string{"DC": "Provider", "Gone": "Provider", "Flip": "Provider", "T1": "Customer"},
		},
		{
			name:   "a removed key is deleted, a retyped one deleted and added, a changed one updated by InstanceID, a new one added",
			wanted: spaces(pa("DC", owner("ops")), ca("Flip", "DC"), ca("T1", "DC"), pa("New")),
			want: summary{
				tracked: map[string]string{"DC": "wanted {DC}", "Flip": "server {ID-0002}", "T1": "prior {T1}", "New": "server {ID-0001}"},
				calls:   []string{"BulkDelete Flip,Gone", "List", "BulkAddOrUpdate DC,New", "BulkAddOrUpdate Flip", "List"},
			},
			wantTypes: map[string]string{"DC": "Provider", "Flip": "Customer", "T1": "Customer", "New": "Provider"},
		},
		{
			name:   "a change IPAM refuses keeps the prior value; a refused delete keeps the key",
			fail:   failNames("DC", "Gone"),
			wanted: spaces(pa("DC", owner("ops")), pa("Flip"), ca("T1", "DC")),
			want: summary{tracked: map[string]string{"DC": "prior {DC}", "Gone": "prior {GONE}", "Flip": "prior {FLIP}", "T1": "prior {T1}"},
				errs: []string{"DC", "Gone"}, calls: []string{"BulkDelete Gone", "BulkAddOrUpdate DC"}},
			wantTypes: map[string]string{"DC": "Provider", "Gone": "Provider", "Flip": "Provider", "T1": "Customer"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeIPAM(server...)
			f.fail = tc.fail
			out := reconciler{f}.update(context.Background(), prior, tc.wanted)
			if out.fatal != nil {
				t.Fatal(out.fatal)
			}
			got := summarize(out, f)
			// With no new name there is neither a lookup nor a read-back.
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("outcome\n got %+v\nwant %+v", got, tc.want)
			}
			if types := f.types(); !reflect.DeepEqual(types, tc.wantTypes) {
				t.Errorf("server holds %v, want %v", types, tc.wantTypes)
			}
		})
	}
}

func TestReconcilerDestroy(t *testing.T) {
	prior := map[string]entry{
		"DC": {space: pa("DC"), id: "{DC}"},
		"T1": {space: ca("T1", "DC"), id: "{T1}"},
		"T2": {space: ca("T2", "DC"), id: "{T2}"},
	}
	server := []ipam.AddressSpace{pa("DC", hasID("{DC}")), ca("T1", "DC", hasID("{T1}")), ca("T2", "DC", hasID("{T2}"))}
	cases := []struct {
		name      string
		keep      map[string]bool
		fail      func(string, ipam.AddressSpace) error
		wantErrs  []string
		wantCalls []string
		wantTypes map[string]string
	}{
		{name: "customers before the provider they live on", wantCalls: []string{"BulkDelete T1,T2", "BulkDelete DC"},
			wantTypes: map[string]string{}},
		{name: "kept names are not deleted", keep: map[string]bool{"dc": true, "t2": true},
			wantCalls: []string{"BulkDelete T1"}, wantTypes: map[string]string{"DC": "Provider", "T2": "Customer"}},
		{name: "a refused delete is reported by key", fail: failNames("T2"), wantErrs: []string{"T2"},
			wantCalls: []string{"BulkDelete T1,T2", "BulkDelete DC"}, wantTypes: map[string]string{"T2": "Customer"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeIPAM(server...)
			f.fail = tc.fail
			errs := reconciler{f}.destroy(context.Background(), prior, tc.keep)
			var keys []string
			for k := range errs {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			if !reflect.DeepEqual(keys, tc.wantErrs) || !reflect.DeepEqual(f.calls, tc.wantCalls) {
				t.Errorf("errors %v and calls %v; want %v and %v", keys, f.calls, tc.wantErrs, tc.wantCalls)
			}
			if types := f.types(); !reflect.DeepEqual(types, tc.wantTypes) {
				t.Errorf("server holds %v, want %v", types, tc.wantTypes)
			}
		})
	}
}

// A delete of what is already gone counts as done.
func TestReconcilerDestroyGone(t *testing.T) {
	f := newFakeIPAM()
	errs := reconciler{f}.destroy(context.Background(), map[string]entry{"DC": {space: pa("DC"), id: "{DC}"}}, nil)
	if len(errs) != 0 || strings.Join(f.calls, ";") != "BulkDelete DC" {
		t.Fatalf("errors %v, calls %v", errs, f.calls)
	}
}
