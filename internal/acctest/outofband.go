package acctest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/winipam/terraform-provider-ipam/internal/ipam"
	"github.com/winipam/terraform-provider-ipam/internal/ipam/wmi"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

// OutOfBand is "somebody else": a second IPAM client that changes the server behind Terraform's
// back, over HTTP with the real WS-Management client, as an admin at a console would. Its checks
// read the server, not Terraform's state.
type OutOfBand struct {
	t      testing.TB
	ws     *wsman.Client
	client *wmi.Client
}

// Login says how an out-of-band client logs in. The zero Login is NTLM as the emulators' user.
type Login struct {
	Username, Password string
	// Auth is "ntlm" (the default), "basic" or "kerberos".
	Auth string
	// Krb5Conf and SPN are for Kerberos.
	Krb5Conf, SPN string
	// MaxConcurrent caps the requests in flight (0: the client's default).
	MaxConcurrent int
}

// NewOutOfBand is an out-of-band client of the emulator at endpoint, logged in with NTLM as the
// emulators' user.
func NewOutOfBand(t testing.TB, endpoint string) *OutOfBand {
	t.Helper()
	return NewOutOfBandAs(t, endpoint, Login{})
}

// NewOutOfBandAs is NewOutOfBand with a Login of the test's own.
func NewOutOfBandAs(t testing.TB, endpoint string, login Login) *OutOfBand {
	t.Helper()
	if login.Username == "" {
		login.Username, login.Password = User, Password
	}
	cfg := wsman.Config{Endpoint: endpoint, Username: login.Username, Password: login.Password, Auth: wsman.AuthNTLM,
		Timeout: 30 * time.Second, MaxConcurrent: login.MaxConcurrent}
	switch login.Auth {
	case "", "ntlm":
	case "basic":
		cfg.Auth = wsman.AuthBasic
	case "kerberos":
		cfg.Auth, cfg.Kerberos = wsman.AuthKerberos, wsman.KerberosConfig{Krb5Conf: login.Krb5Conf, SPN: login.SPN}
	default:
		t.Fatalf("out of band: no auth %q", login.Auth)
	}
	ws, err := wsman.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &OutOfBand{t: t, ws: ws, client: wmi.New(ws)}
}

// Find returns the address space with this name, or nil when there is none.
func (o *OutOfBand) Find(name string) (*ipam.AddressSpace, error) {
	a, err := o.client.GetByName(context.Background(), name)
	if errors.Is(err, ipam.ErrNotFound) {
		return nil, nil
	}
	return a, err
}

// Get returns the address space with this name; the test fails when there is none.
func (o *OutOfBand) Get(name string) *ipam.AddressSpace {
	o.t.Helper()
	a, err := o.Find(name)
	if err != nil {
		o.t.Fatalf("out of band: reading %q: %v", name, err)
	}
	if a == nil {
		o.t.Fatalf("out of band: no address space named %q", name)
	}
	return a
}

// List returns every address space on the server, Default included.
func (o *OutOfBand) List() ([]ipam.AddressSpace, error) {
	return o.client.List(context.Background(), ipam.Filter{})
}

// IDs returns the InstanceID of every address space on the server, by lower-case name.
func (o *OutOfBand) IDs() (map[string]string, error) {
	list, err := o.List()
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, a := range list {
		out[ipam.NameKey(a.Name)] = a.InstanceID
	}
	return out, nil
}

// AddProvider adds a provider address space.
func (o *OutOfBand) AddProvider(a ipam.AddressSpace) *ipam.AddressSpace {
	o.t.Helper()
	return o.add("provider", o.client.AddProviderAddressSpace, a)
}

// AddCustomer adds a customer address space.
func (o *OutOfBand) AddCustomer(a ipam.AddressSpace) *ipam.AddressSpace {
	o.t.Helper()
	return o.add("customer", o.client.AddCustomerAddressSpace, a)
}

func (o *OutOfBand) add(kind string, add func(context.Context, ipam.AddressSpace) (*ipam.AddressSpace, error), a ipam.AddressSpace) *ipam.AddressSpace {
	o.t.Helper()
	got, err := add(context.Background(), a)
	if err != nil {
		o.t.Fatalf("out of band: adding %s space %q: %v", kind, a.Name, err)
	}
	return got
}

// Change edits one address space in place: it is read, changed, and written back with its
// InstanceID through BulkAddOrUpdateAddressSpace.
func (o *OutOfBand) Change(name string, edit func(a *ipam.AddressSpace)) {
	o.t.Helper()
	a := o.Get(name)
	edit(a)
	results, err := o.client.BulkAddOrUpdate(context.Background(), []ipam.AddressSpace{*a})
	if err == nil {
		err = results[0]
	}
	if err != nil {
		o.t.Fatalf("out of band: changing %q: %v", name, err)
	}
}

// Remove deletes address spaces, in the order given.
func (o *OutOfBand) Remove(names ...string) {
	o.t.Helper()
	for _, name := range names {
		a := o.Get(name)
		results, err := o.client.BulkDelete(context.Background(), []ipam.AddressSpace{*a})
		if err == nil {
			err = results[0]
		}
		if err != nil {
			o.t.Fatalf("out of band: deleting %q: %v", name, err)
		}
	}
}

// WireText enumerates a WQL query's instances and returns the text of one property of each, as
// the server wrote it: for checks of the wire form, below what the IPAM client makes of it.
func (o *OutOfBand) WireText(query, property string) ([]string, error) {
	var out []string
	err := o.ws.Enumerate(context.Background(), wmi.NamespaceURI, query, func(in *wsman.Instance) error {
		v, _ := in.Text(property)
		out = append(out, v)
		return nil
	})
	return out, err
}

// Fields is what the server holds of an address space, keyed by the resources' attribute names
// (custom_configuration in its wire form, e.g. "CostCenter=7;Region=US").
func Fields(a *ipam.AddressSpace) map[string]string {
	return map[string]string{
		"id":                     a.InstanceID,
		"name":                   a.Name,
		"owner":                  a.Owner,
		"description":            a.Description,
		"custom_configuration":   a.CustomConfiguration.String(),
		"provider_address_space": a.AssociatedProviderAddressSpace,
		"isolation_method":       a.IsolationMethod,
		"tenant":                 a.Tenant,
		"vm_network":             a.VMNetwork,
	}
}

// StateCheckFunc is a statecheck.StateCheck written as a function, for checks of the test's own.
type StateCheckFunc func(*tfjson.State) error

// CheckState implements statecheck.StateCheck.
func (f StateCheckFunc) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = f(req.State)
}

// ServerCheck is a state check that reads the server only: check's error is the check's.
func ServerCheck(check func() error) statecheck.StateCheck {
	return StateCheckFunc(func(*tfjson.State) error { return check() })
}

// Expect checks what the server holds, bypassing Terraform: want maps attribute names to values
// (see Fields).
func (o *OutOfBand) Expect(name string, want map[string]string) statecheck.StateCheck {
	return ServerCheck(func() error {
		a, err := o.Find(name)
		if err != nil {
			return err
		}
		if a == nil {
			return fmt.Errorf("IPAM has no address space named %q", name)
		}
		got := Fields(a)
		var errs []error
		for k, v := range want {
			if got[k] != v {
				errs = append(errs, fmt.Errorf("address space %q on the server: %s is %q, want %q", name, k, got[k], v))
			}
		}
		return errors.Join(errs...)
	})
}

// ExpectGone checks that the server has no address space with this name.
func (o *OutOfBand) ExpectGone(name string) statecheck.StateCheck {
	return ServerCheck(func() error {
		a, err := o.Find(name)
		if err != nil {
			return err
		}
		if a != nil {
			return fmt.Errorf("IPAM still has address space %q (%s)", a.Name, a.InstanceID)
		}
		return nil
	})
}

// ExpectStateID checks that the id of the resource at addr is the InstanceID the server has for
// name.
func (o *OutOfBand) ExpectStateID(addr, name string) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringFunc(func(id string) error {
		a, err := o.Find(name)
		if err != nil {
			return err
		}
		if a == nil {
			return fmt.Errorf("IPAM has no address space named %q", name)
		}
		if id != a.InstanceID {
			return fmt.Errorf("id in state is %s, but %q has InstanceID %s", id, name, a.InstanceID)
		}
		return nil
	}))
}

// Holds checks the names and types of every address space on the server but Default: want maps
// names to "Provider" or "Customer".
func (o *OutOfBand) Holds(want map[string]string) statecheck.StateCheck {
	return ServerCheck(func() error {
		list, err := o.List()
		if err != nil {
			return err
		}
		got := map[string]string{}
		for _, a := range list {
			if a.Name != ipam.DefaultProviderName {
				got[a.Name] = a.Type.String()
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			return fmt.Errorf("server holds %v, want %v", got, want)
		}
		return nil
	})
}

// RunChecks runs state checks outside terraform-plugin-testing (after the terraform CLI, with the
// state it shows, or nil for checks of the server only); each failure fails the test.
func RunChecks(t testing.TB, state *tfjson.State, checks ...statecheck.StateCheck) {
	t.Helper()
	for _, c := range checks {
		var resp statecheck.CheckStateResponse
		c.CheckState(context.Background(), statecheck.CheckStateRequest{State: state}, &resp)
		if resp.Error != nil {
			t.Error(resp.Error)
		}
	}
}

// OnDestroy runs state checks of the server as a TestCase's CheckDestroy.
func OnDestroy(checks ...statecheck.StateCheck) resource.TestCheckFunc {
	return func(*terraform.State) error {
		var errs []error
		for _, c := range checks {
			var resp statecheck.CheckStateResponse
			c.CheckState(context.Background(), statecheck.CheckStateRequest{}, &resp)
			errs = append(errs, resp.Error)
		}
		return errors.Join(errs...)
	}
}
