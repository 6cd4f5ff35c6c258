package provider

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/winipam/terraform-provider-ipam/internal/ipam"
)

// fakeIPAM is an ipam.Client in memory, for tests that need no WS-Management: names are unique
// ignoring case, an add-or-update with an InstanceID updates that object, one without adds one
// (and fails if the name exists), and fail can refuse any item of any call.
type fakeIPAM struct {
	mu     sync.Mutex
	spaces map[string]*ipam.AddressSpace // by name key
	nextID int
	// fail, when set, is asked for every item of every bulk call ("add", "update", "delete"); an
	// error it returns is that item's result.
	fail func(op string, a ipam.AddressSpace) error
	// callErr, when set, fails whole bulk calls: nothing is done.
	callErr func(op string) error
	calls   []string
}

func newFakeIPAM(spaces ...ipam.AddressSpace) *fakeIPAM {
	f := &fakeIPAM{spaces: map[string]*ipam.AddressSpace{}}
	for _, a := range spaces {
		f.put(a)
	}
	return f
}

func (f *fakeIPAM) put(a ipam.AddressSpace) *ipam.AddressSpace {
	if a.InstanceID == "" {
		f.nextID++
		a.InstanceID = fmt.Sprintf("{ID-%04d}", f.nextID)
	}
	f.spaces[ipam.NameKey(a.Name)] = &a
	return &a
}

func (f *fakeIPAM) byID(id string) *ipam.AddressSpace {
	for _, a := range f.spaces {
		if a.InstanceID == id {
			return a
		}
	}
	return nil
}

func (f *fakeIPAM) record(call string) {
	f.calls = append(f.calls, call)
}

func (f *fakeIPAM) AddProviderAddressSpace(_ context.Context, a ipam.AddressSpace) (*ipam.AddressSpace, error) {
	a.Type = ipam.TypeProvider
	return f.add(a)
}

func (f *fakeIPAM) AddCustomerAddressSpace(_ context.Context, a ipam.AddressSpace) (*ipam.AddressSpace, error) {
	a.Type = ipam.TypeCustomer
	return f.add(a)
}

func (f *fakeIPAM) add(a ipam.AddressSpace) (*ipam.AddressSpace, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("Add " + a.Name)
	if f.spaces[ipam.NameKey(a.Name)] != nil {
		return nil, ipam.NewError(ipam.KindAlreadyExists, ipam.Win32AlreadyExists, a.Name, "exists")
	}
	c := *f.put(a)
	return &c, nil
}

// bulk is a bulk call of items: recorded, failed as a whole by callErr, else each item applied by
// apply (under the lock), whose error is that item's result.
func (f *fakeIPAM) bulk(method, op string, items []ipam.AddressSpace, apply func(a ipam.AddressSpace) error) ([]error, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	names := make([]string, len(items))
	for i, a := range items {
		names[i] = a.Name
	}
	f.record(method + " " + strings.Join(names, ","))
	if f.callErr != nil {
		if err := f.callErr(op); err != nil {
			return nil, err
		}
	}
	res := make([]error, len(items))
	for i, a := range items {
		res[i] = apply(a)
	}
	return res, nil
}

// failed is what fail makes one item of a bulk call fail with.
func (f *fakeIPAM) failed(op string, a ipam.AddressSpace) error {
	if f.fail == nil {
		return nil
	}
	return f.fail(op, a)
}

func (f *fakeIPAM) BulkAddOrUpdate(_ context.Context, items []ipam.AddressSpace) ([]error, error) {
	return f.bulk("BulkAddOrUpdate", "add-or-update", items, func(a ipam.AddressSpace) error {
		if a.InstanceID == "" {
			if err := f.failed("add", a); err != nil {
				return err
			}
			if f.spaces[ipam.NameKey(a.Name)] != nil {
				return ipam.NewError(ipam.KindAlreadyExists, ipam.Win32AlreadyExists, a.Name, "exists")
			}
			f.put(a)
			return nil
		}
		if err := f.failed("update", a); err != nil {
			return err
		}
		cur := f.byID(a.InstanceID)
		if cur == nil {
			return ipam.NewError(ipam.KindNotFound, 0, a.Name, "no such address space")
		}
		delete(f.spaces, ipam.NameKey(cur.Name))
		f.put(a)
		return nil
	})
}

func (f *fakeIPAM) BulkDelete(_ context.Context, items []ipam.AddressSpace) ([]error, error) {
	return f.bulk("BulkDelete", "delete", items, func(a ipam.AddressSpace) error {
		if err := f.failed("delete", a); err != nil {
			return err
		}
		cur := f.byID(a.InstanceID)
		if cur == nil {
			cur = f.spaces[ipam.NameKey(a.Name)]
		}
		if cur == nil {
			return ipam.NewError(ipam.KindNotFound, 0, a.Name, "no such address space")
		}
		delete(f.spaces, ipam.NameKey(cur.Name))
		return nil
	})
}

func (f *fakeIPAM) Get(_ context.Context, id string) (*ipam.AddressSpace, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if a := f.byID(id); a != nil {
		c := *a
		return &c, nil
	}
	return nil, ipam.NewError(ipam.KindNotFound, 0, id, "no such address space")
}

func (f *fakeIPAM) GetByName(_ context.Context, name string) (*ipam.AddressSpace, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if a := f.spaces[ipam.NameKey(name)]; a != nil {
		c := *a
		return &c, nil
	}
	return nil, ipam.NewError(ipam.KindNotFound, 0, name, "no such address space")
}

func (f *fakeIPAM) List(_ context.Context, flt ipam.Filter) ([]ipam.AddressSpace, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.record("List")
	// The bulk resource lists by name or by nothing; a test that needs the other filters runs
	// against the emulator, which evaluates them as WQL.
	if flt.Type != nil || flt.ProviderAddressSpace != "" || flt.Tenant != "" || flt.Owner != "" || flt.NameLike != "" || len(flt.InstanceIDs) > 0 {
		return nil, fmt.Errorf("fakeIPAM.List: filter %+v not supported, only Names", flt)
	}
	want := map[string]bool{}
	for _, n := range flt.Names {
		want[ipam.NameKey(n)] = true
	}
	var out []ipam.AddressSpace
	for k, a := range f.spaces {
		if len(flt.Names) == 0 || want[k] {
			out = append(out, *a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// types is what the fake holds: name → type.
func (f *fakeIPAM) types() map[string]string {
	f.mu.Lock()
	defer f.mu.Unlock()
	types := map[string]string{}
	for _, a := range f.spaces {
		types[a.Name] = a.Type.String()
	}
	return types
}
