// Package wmi implements ipam.Client over WS-Management: the WMI class MSFT_IPAM_AddressSpace in
// root\Microsoft\IPAM, its four methods and WQL enumeration (ipam-api.md 1, 4).
package wmi

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/winipam/terraform-provider-ipam/internal/ipam"
	"github.com/winipam/terraform-provider-ipam/internal/wql"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

// Resource URIs of the IPAM WMI namespace.
const (
	NamespaceURI    = wsman.WMIBase + "root/microsoft/ipam/*"
	AddressSpaceURI = wsman.WMIBase + "root/microsoft/ipam/" + ClassAddressSpace
	// ClassAddressSpace is the WMI class of address spaces.
	ClassAddressSpace = "MSFT_IPAM_AddressSpace"
)

// Client is the IPAM client over a WS-Management connection.
type Client struct {
	ws    *wsman.Client
	reads *reader
}

var _ ipam.Client = (*Client)(nil)

// New builds a client on a WS-Management connection.
func New(ws *wsman.Client) *Client {
	c := &Client{ws: ws}
	c.reads = newReader(c)
	return c
}

// Requests returns how many HTTP requests have been sent, for tests and benchmarks.
func (c *Client) Requests() int64 { return c.ws.Requests() }

// AddProviderAddressSpace implements ipam.Client.
func (c *Client) AddProviderAddressSpace(ctx context.Context, a ipam.AddressSpace) (*ipam.AddressSpace, error) {
	a.Type = ipam.TypeProvider
	return c.add(ctx, "AddProviderAddressSpace", a, []wsman.Property{
		wsman.Scalar("Name", a.Name),
		wsman.Scalar("Owner", a.Owner),
		wsman.Scalar("Description", a.Description),
		wsman.Scalar("CustomConfiguration", a.CustomConfiguration.String()),
	})
}

// AddCustomerAddressSpace implements ipam.Client.
func (c *Client) AddCustomerAddressSpace(ctx context.Context, a ipam.AddressSpace) (*ipam.AddressSpace, error) {
	a.Type = ipam.TypeCustomer
	return c.add(ctx, "AddCustomerAddressSpace", a, []wsman.Property{
		wsman.Scalar("Name", a.Name),
		wsman.Scalar("AssociatedProviderAddressSpace", a.AssociatedProviderAddressSpace),
		wsman.Scalar("Tenant", a.Tenant),
		wsman.Scalar("VMNetwork", a.VMNetwork),
		wsman.Scalar("IsolationMethod", a.IsolationMethod),
		wsman.Scalar("Owner", a.Owner),
		wsman.Scalar("Description", a.Description),
		wsman.Scalar("CustomConfiguration", a.CustomConfiguration.String()),
	})
}

// add calls an Add method. An Add is not safe to repeat blindly: when the request may have reached
// the server but no answer came back, the client reads the name back and takes an object that
// matches what it sent as its own, or sends the Add again only if there is none.
func (c *Client) add(ctx context.Context, method string, a ipam.AddressSpace, params []wsman.Property) (*ipam.AddressSpace, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	defer c.reads.invalidate()
	for attempt := 0; ; attempt++ {
		out, err := c.ws.Invoke(ctx, AddressSpaceURI, method, params, false)
		if err == nil {
			return c.addResult(method, a.Name, out)
		}
		var te *wsman.TransportError
		if !errors.As(err, &te) || te.NotSent || attempt >= 2 || ctx.Err() != nil {
			return nil, mapError(a.Name, method, err)
		}
		found, gerr := c.GetByName(ctx, a.Name)
		switch {
		case gerr == nil && sameSettings(found, &a):
			return found, nil
		case gerr == nil:
			return nil, ipam.NewError(ipam.KindAlreadyExists, ipam.Win32AlreadyExists, a.Name,
				"an address space with this name exists but differs from the one being created")
		case !errors.Is(gerr, ipam.ErrNotFound):
			return nil, fmt.Errorf("%s %q: the call's outcome is unknown (%v), and reading it back failed: %w", method, a.Name, err, gerr)
		}
	}
}

func (c *Client) addResult(method, name string, out *wsman.InvokeOutput) (*ipam.AddressSpace, error) {
	if out.ReturnValue != nil && *out.ReturnValue != 0 {
		rv := *out.ReturnValue
		return nil, ipam.NewError(ipam.KindForCode(rv), rv, name, fmt.Sprintf("%s returned 0x%08X", method, rv))
	}
	p, ok := out.Param("output")
	if !ok || len(p.Values) != 1 || p.Values[0].Instance == nil {
		return nil, fmt.Errorf("%s %q: the server reported success but returned no address space", method, name)
	}
	return FromInstance(p.Values[0].Instance)
}

// sameSettings reports whether a stored object carries everything a create asked for.
func sameSettings(got, want *ipam.AddressSpace) bool {
	return got.Type == want.Type && ipam.SameName(got.Name, want.Name) && got.Owner == want.Owner &&
		got.Description == want.Description && got.CustomConfiguration.Equal(want.CustomConfiguration) &&
		ipam.SameName(got.AssociatedProviderAddressSpace, want.AssociatedProviderAddressSpace) &&
		got.Tenant == want.Tenant && got.VMNetwork == want.VMNetwork && strings.EqualFold(got.IsolationMethod, want.IsolationMethod)
}

// BulkAddOrUpdate implements ipam.Client. Items go in order, in as many calls as MaxEnvelopeSize
// needs. Each item carries InstanceID (when known) and the full object, so that whichever way the
// server matches an update (by key or by name, undocumented) it finds the right one.
func (c *Client) BulkAddOrUpdate(ctx context.Context, items []ipam.AddressSpace) ([]error, error) {
	for i := range items {
		if err := items[i].Validate(); err != nil {
			return nil, err
		}
	}
	return c.bulk(ctx, "BulkAddOrUpdateAddressSpace", items, toInstance)
}

// BulkDelete implements ipam.Client. An item that is already gone reports ipam.ErrNotFound.
func (c *Client) BulkDelete(ctx context.Context, items []ipam.AddressSpace) ([]error, error) {
	return c.bulk(ctx, "BulkDeleteAddressSpace", items, func(a *ipam.AddressSpace) *wsman.Instance {
		in := wsman.NewInstance(ClassAddressSpace, AddressSpaceURI)
		if a.InstanceID != "" {
			in.Add(wsman.Scalar("InstanceID", a.InstanceID))
		}
		return in.Add(wsman.Scalar("Name", a.Name)).Add(wsman.Uint("Type", uint64(a.Type)))
	})
}

func (c *Client) bulk(ctx context.Context, method string, items []ipam.AddressSpace, encode func(*ipam.AddressSpace) *wsman.Instance) ([]error, error) {
	defer c.reads.invalidate()
	results := make([]error, len(items))
	batches, err := c.split(method, items, encode)
	if err != nil {
		return nil, err
	}
	for _, b := range batches {
		out, err := c.ws.Invoke(ctx, AddressSpaceURI, method, []wsman.Property{wsman.Embedded("AddressSpace", b.instances...)}, true)
		if err != nil {
			// The batch's fate is unknown; earlier batches' results stand, so report per item.
			for i := b.start; i < b.start+len(b.instances); i++ {
				results[i] = mapError(items[i].Name, method, err)
			}
			for i := b.start + len(b.instances); i < len(items); i++ {
				results[i] = fmt.Errorf("%s %q: %w", method, items[i].Name, ipam.ErrNotSent)
			}
			return results, nil
		}
		if err := applyStatuses(method, items, b, out, results); err != nil {
			return nil, err
		}
	}
	return results, nil
}

func applyStatuses(method string, items []ipam.AddressSpace, b batch, out *wsman.InvokeOutput, results []error) error {
	seen := make([]bool, len(b.instances))
	for _, st := range (&wsman.Instance{Properties: out.Params}).Instances("Output") {
		status, err := operationStatus(st)
		if err != nil {
			return fmt.Errorf("%s: %w", method, err)
		}
		if int(status.Index) >= len(b.instances) {
			return fmt.Errorf("%s: the server reported a status for item %d of a batch of %d", method, status.Index, len(b.instances))
		}
		i := b.start + int(status.Index)
		seen[status.Index] = true
		if e := status.Err(items[i].Name); e != nil {
			results[i] = e
		}
	}
	// A call can return 0 while items failed, and non-zero with or without statuses: an item with
	// no status shares the call's outcome (Windows may list only failures; undocumented).
	if out.ReturnValue != nil && *out.ReturnValue != 0 {
		rv := *out.ReturnValue
		for k, ok := range seen {
			if !ok {
				i := b.start + k
				results[i] = ipam.NewError(ipam.KindForCode(rv), rv, items[i].Name, fmt.Sprintf("%s returned 0x%08X", method, rv))
			}
		}
	}
	return nil
}

type batch struct {
	start     int
	instances []*wsman.Instance
}

// envelopeOverhead is what a bulk call's envelope takes besides its items, with room to spare.
const envelopeOverhead = 4096

// statusSize bounds what one item's MSFT_IPAM_OperationStatus takes in the response, an error
// message included. MaxEnvelopeSize limits the response too, and a server that lists every item's
// status (as the emulator does) would otherwise answer a large batch with an encoding-limit fault.
const statusSize = 640

// split cuts items into consecutive batches whose request and response both fit MaxEnvelopeSize.
func (c *Client) split(method string, items []ipam.AddressSpace, encode func(*ipam.AddressSpace) *wsman.Instance) ([]batch, error) {
	budget := c.ws.MaxEnvelopeSize() - envelopeOverhead
	maxItems := budget / statusSize
	var out []batch
	cur := batch{}
	size := 0
	for i := range items {
		in := encode(&items[i])
		sz, err := wsman.ParamSize("AddressSpace", in)
		if err != nil {
			return nil, fmt.Errorf("%s %q: %w", method, items[i].Name, err)
		}
		if sz > budget {
			return nil, fmt.Errorf("%s %q: the item alone takes %d bytes, more than max_envelope_size allows", method, items[i].Name, sz)
		}
		if (size+sz > budget || len(cur.instances) >= maxItems) && len(cur.instances) > 0 {
			out = append(out, cur)
			cur, size = batch{start: i}, 0
		}
		cur.instances = append(cur.instances, in)
		size += sz
	}
	if len(cur.instances) > 0 {
		out = append(out, cur)
	}
	return out, nil
}

// Get implements ipam.Client. Concurrent Gets are merged into one query (see reader).
func (c *Client) Get(ctx context.Context, instanceID string) (*ipam.AddressSpace, error) {
	return c.reads.get(ctx, instanceID)
}

// GetByName implements ipam.Client.
func (c *Client) GetByName(ctx context.Context, name string) (*ipam.AddressSpace, error) {
	list, err := c.List(ctx, ipam.Filter{Names: []string{name}})
	if err != nil {
		return nil, err
	}
	for i := range list {
		if ipam.SameName(list[i].Name, name) {
			return &list[i], nil
		}
	}
	return nil, ipam.NewError(ipam.KindNotFound, 0, name, "no address space has this name")
}

// List implements ipam.Client.
func (c *Client) List(ctx context.Context, f ipam.Filter) ([]ipam.AddressSpace, error) {
	query := Query(f)
	var out []ipam.AddressSpace
	err := c.ws.Enumerate(ctx, NamespaceURI, query, func(in *wsman.Instance) error {
		a, err := FromInstance(in)
		if err != nil {
			return err
		}
		out = append(out, *a)
		return nil
	})
	if err != nil {
		return nil, mapError("", "reading address spaces", err)
	}
	return out, nil
}

// Query builds the WQL for a filter. Every literal goes through wql.Quote: nothing a user writes
// can change the query's shape.
func Query(f ipam.Filter) string {
	var conds []string
	if f.Type != nil {
		conds = append(conds, fmt.Sprintf("Type = %d", *f.Type))
	}
	if f.ProviderAddressSpace != "" {
		conds = append(conds, "AssociatedProviderAddressSpace = "+wql.Quote(f.ProviderAddressSpace))
	}
	if f.Tenant != "" {
		conds = append(conds, "Tenant = "+wql.Quote(f.Tenant))
	}
	if f.NameLike != "" {
		conds = append(conds, "Name LIKE "+wql.Quote(f.NameLike))
	}
	if d := disjunction("Name", f.Names); d != "" {
		conds = append(conds, d)
	}
	if d := disjunction("InstanceID", f.InstanceIDs); d != "" {
		conds = append(conds, d)
	}
	q := "SELECT * FROM " + ClassAddressSpace
	if len(conds) > 0 {
		q += " WHERE " + strings.Join(conds, " AND ")
	}
	return q
}

func disjunction(prop string, values []string) string {
	if len(values) == 0 {
		return ""
	}
	var b strings.Builder
	if len(values) > 1 {
		b.WriteByte('(')
	}
	for i, v := range values {
		if i > 0 {
			b.WriteString(" OR ")
		}
		b.WriteString(prop)
		b.WriteString(" = ")
		b.WriteString(wql.Quote(v))
	}
	if len(values) > 1 {
		b.WriteByte(')')
	}
	return b.String()
}
