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
	// types is the server's numbering of Type, learned on first need (numbering.go).
	types *numberingCache
	// budget is the item bytes a bulk request may carry, lowered by HTTP 413 (envelope.go).
	budget batchBudget
}

var _ ipam.Client = (*Client)(nil)

// New builds a client on a WS-Management connection.
func New(ws *wsman.Client) *Client {
	c := &Client{ws: ws, types: newNumberingCache()}
	c.reads = newReader(c)
	return c
}

// Requests returns how many HTTP requests have been sent, for tests and benchmarks.
func (c *Client) Requests() int64 { return c.ws.Requests() }

// AddProviderAddressSpace implements ipam.Client.
func (c *Client) AddProviderAddressSpace(ctx context.Context, a ipam.AddressSpace) (*ipam.AddressSpace, error) {
	a.Type = ipam.TypeProvider
	return c.add(ctx, "AddProviderAddressSpace", a, optional([]wsman.Property{wsman.Scalar("Name", a.Name)},
		"Owner", a.Owner,
		"Description", a.Description,
		"CustomConfiguration", a.CustomConfiguration.String(),
	))
}

// AddCustomerAddressSpace implements ipam.Client.
func (c *Client) AddCustomerAddressSpace(ctx context.Context, a ipam.AddressSpace) (*ipam.AddressSpace, error) {
	a.Type = ipam.TypeCustomer
	params := optional([]wsman.Property{
		wsman.Scalar("Name", a.Name),
		wsman.Scalar("AssociatedProviderAddressSpace", a.AssociatedProviderAddressSpace),
	}, "Tenant", a.Tenant, "VMNetwork", a.VMNetwork)
	params = append(params, wsman.Scalar("IsolationMethod", a.IsolationMethod))
	return c.add(ctx, "AddCustomerAddressSpace", a, optional(params,
		"Owner", a.Owner,
		"Description", a.Description,
		"CustomConfiguration", a.CustomConfiguration.String(),
	))
}

// optional appends the name/value pairs whose value is set. The Add methods leave unset optional
// parameters out, as the IPAM cmdlets pass only bound ones: whether IPAM takes "" for, say, the
// built-in Tenant custom field is unverified (fidelity-audit item 11). A new object has nothing
// to clear, so leaving a parameter out means the same as sending it empty.
func optional(params []wsman.Property, pairs ...string) []wsman.Property {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			params = append(params, wsman.Scalar(pairs[i], pairs[i+1]))
		}
	}
	return params
}

// add calls an Add method. An Add is not safe to repeat blindly: when the request may have reached
// the server but no answer came back, the client reads the name back and takes an object that
// matches what it sent as its own, or sends the Add again only if there is none.
func (c *Client) add(ctx context.Context, method string, a ipam.AddressSpace, params []wsman.Property) (*ipam.AddressSpace, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	// Learned before the call, not after: reading the answer needs it, and a create must not
	// succeed on the server only to fail here.
	if _, err := c.typeNumbering(ctx, nil); err != nil {
		return nil, fmt.Errorf("%s %q: %w", method, a.Name, err)
	}
	defer c.reads.invalidate()
	for attempt := 0; ; attempt++ {
		out, err := c.ws.Invoke(ctx, AddressSpaceURI, method, params, false)
		if err == nil {
			return c.addResult(ctx, method, &a, out)
		}
		var te *wsman.TransportError
		if !errors.As(err, &te) || te.NotSent || attempt >= 2 || ctx.Err() != nil {
			return nil, c.mapError(a.Name, method, err)
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

// addResult reads an Add's answer. The output is documented as the new object, embedded
// (ipam-api.md 1.3). If it comes in another shape (empty, or a reference rather than an
// instance, fidelity-audit item 11), the create still succeeded: the object is read back by name
// instead of reporting a failure.
func (c *Client) addResult(ctx context.Context, method string, a *ipam.AddressSpace, out *wsman.InvokeOutput) (*ipam.AddressSpace, error) {
	if out.ReturnValue != nil && *out.ReturnValue != 0 {
		rv := *out.ReturnValue
		return nil, ipam.NewError(ipam.KindForCode(rv), rv, a.Name, fmt.Sprintf("%s returned 0x%08X", method, rv))
	}
	n, err := c.typeNumbering(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("%s %q: created, but: %w", method, a.Name, err)
	}
	var got *ipam.AddressSpace
	if p, ok := out.Param("output"); ok && len(p.Values) == 1 && p.Values[0].Instance != nil {
		got, err = FromInstance(p.Values[0].Instance, n)
	}
	if got == nil || err != nil {
		if got, err = c.GetByName(ctx, a.Name); err != nil {
			return nil, fmt.Errorf("%s %q: the server reported success without returning the address space, and reading it back failed: %w", method, a.Name, err)
		}
	}
	if got.Type != a.Type {
		return nil, fmt.Errorf("%s %q: created, but the server returns it as a %s address space: %w", method, a.Name, got.Type,
			&TypeNumberingError{Reason: fmt.Sprintf("a new %s address space reads as %s in %s", a.Type, got.Type, n.Describe())})
	}
	return got, nil
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
	return c.bulk(ctx, "BulkDeleteAddressSpace", items, deleteInstance)
}

func (c *Client) bulk(ctx context.Context, method string, items []ipam.AddressSpace, encode func(*ipam.AddressSpace, ipam.TypeNumbering) *wsman.Instance) ([]error, error) {
	if len(items) == 0 {
		return []error{}, nil
	}
	n, err := c.typeNumbering(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", method, err)
	}
	encoded, err := c.encodeItems(method, items, n, encode)
	if err != nil {
		return nil, err
	}
	defer c.reads.invalidate()
	results := make([]error, len(items))
	for start := 0; start < len(items); {
		b, size := c.nextBatch(encoded, start)
		out, err := c.ws.Invoke(ctx, AddressSpaceURI, method, []wsman.Property{wsman.Embedded("AddressSpace", b.instances...)}, true)
		if refused(err) && len(b.instances) > 1 {
			// Not processed: send the same items again in batches half the size, and keep that
			// size for later batches and calls.
			c.budget.lower(size / 2)
			continue
		}
		if err != nil {
			// The batch's fate is unknown (or, after a 413, its one item cannot be sent); earlier
			// batches' results stand, so report per item.
			for i := b.start; i < b.start+len(b.instances); i++ {
				results[i] = c.mapError(items[i].Name, method, err)
				if re := (*EnvelopeRefusedError)(nil); errors.As(results[i], &re) {
					re.Items = len(b.instances)
				}
			}
			for i := b.start + len(b.instances); i < len(items); i++ {
				results[i] = fmt.Errorf("%s %q: %w", method, items[i].Name, ipam.ErrNotSent)
			}
			return results, nil
		}
		if err := applyStatuses(method, items, b, out, results); err != nil {
			return nil, err
		}
		start += len(b.instances)
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

// encodedItem is an item as sent, with the bytes it takes in the request.
type encodedItem struct {
	in   *wsman.Instance
	size int
}

// envelopeOverhead is what a bulk call's envelope takes besides its items, with room to spare.
const envelopeOverhead = 4096

// statusSize bounds what one item's MSFT_IPAM_OperationStatus takes in the response, an error
// message included. MaxEnvelopeSize limits the response too, and a server that lists every item's
// status (as the emulator does) would otherwise answer a large batch with an encoding-limit fault.
const statusSize = 640

// encodeItems encodes every item and measures it; an item too large for the envelope size on its
// own fails the whole call before anything is sent.
func (c *Client) encodeItems(method string, items []ipam.AddressSpace, n ipam.TypeNumbering, encode func(*ipam.AddressSpace, ipam.TypeNumbering) *wsman.Instance) ([]encodedItem, error) {
	budget := c.ws.MaxEnvelopeSize() - envelopeOverhead
	out := make([]encodedItem, len(items))
	for i := range items {
		in := encode(&items[i], n)
		sz, err := wsman.ParamSize("AddressSpace", in)
		if err != nil {
			return nil, fmt.Errorf("%s %q: %w", method, items[i].Name, err)
		}
		if sz > budget {
			return nil, &ItemTooLargeError{Op: method, Name: items[i].Name, Size: sz, MaxEnvelopeSize: c.ws.MaxEnvelopeSize()}
		}
		out[i] = encodedItem{in: in, size: sz}
	}
	return out, nil
}

// nextBatch takes the items from start on that fit one request and its response: at least one,
// and no more than the current budget (the maximum envelope size, or less after a 413) allows. It returns
// the batch and the bytes its items take.
func (c *Client) nextBatch(items []encodedItem, start int) (batch, int) {
	configured := c.ws.MaxEnvelopeSize() - envelopeOverhead
	budget := c.budget.get(configured)
	maxItems := max(configured/statusSize, 1)
	b, size := batch{start: start}, 0
	for i := start; i < len(items); i++ {
		if len(b.instances) > 0 && (size+items[i].size > budget || len(b.instances) >= maxItems) {
			break
		}
		b.instances = append(b.instances, items[i].in)
		size += items[i].size
	}
	return b, size
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

// List implements ipam.Client. Reading rows needs the server's numbering of Type; a filter on
// Type needs it before the query, anything else only once a row has come back, so an empty answer
// costs no extra request, and one that includes Default decides the numbering by itself.
func (c *Client) List(ctx context.Context, f ipam.Filter) ([]ipam.AddressSpace, error) {
	if f.NameLike != "" {
		if err := ipam.CheckNamePattern(f.NameLike); err != nil {
			return nil, err
		}
	}
	var n ipam.TypeNumbering
	if f.Type != nil {
		if !f.Type.Valid() {
			return nil, fmt.Errorf("%w: address space type %d is neither Provider nor Customer", ipam.ErrInvalid, *f.Type)
		}
		var err error
		if n, err = c.typeNumbering(ctx, nil); err != nil {
			return nil, err
		}
	}
	var out []ipam.AddressSpace
	var pending []*wsman.Instance // read before the numbering was known
	decode := func(in *wsman.Instance, n ipam.TypeNumbering) error {
		a, err := FromInstance(in, n)
		if err != nil {
			return err
		}
		out = append(out, *a)
		return nil
	}
	err := c.ws.Enumerate(ctx, NamespaceURI, QueryFor(f, n), func(in *wsman.Instance) error {
		if n, ok := c.types.get(); ok && len(pending) == 0 {
			return decode(in, n)
		}
		pending = append(pending, in)
		return nil
	})
	if err != nil {
		return nil, c.mapError("", "reading address spaces", err)
	}
	if len(pending) > 0 {
		n, err := c.typeNumbering(ctx, pending)
		if err != nil {
			return nil, err
		}
		for _, in := range pending {
			if err := decode(in, n); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// QueryFor builds the WQL for a filter, a Type in numbering n. Every literal goes through
// wql.Quote or wql.QuoteLike: nothing a user writes can change the query's shape.
func QueryFor(f ipam.Filter, n ipam.TypeNumbering) string {
	var conds []string
	if f.Type != nil {
		conds = append(conds, fmt.Sprintf("Type = %d", n.Wire(*f.Type)))
	}
	if f.ProviderAddressSpace != "" {
		conds = append(conds, "AssociatedProviderAddressSpace = "+wql.Quote(f.ProviderAddressSpace))
	}
	if f.Tenant != "" {
		conds = append(conds, "Tenant = "+wql.Quote(f.Tenant))
	}
	if f.Owner != "" {
		conds = append(conds, "Owner = "+wql.Quote(f.Owner))
	}
	if f.NameLike != "" {
		// WMI reads no escapes inside LIKE ([MS-WMI] 2.2.1): QuoteLike keeps the pattern as
		// written. A pattern it refuses (both quote characters, an unclosed '[') is refused by List
		// before sending (ipam.CheckNamePattern); here it falls back to Quote, which makes a query
		// that does not parse.
		lit, err := wql.QuoteLike(f.NameLike)
		if err != nil {
			lit = wql.Quote(f.NameLike)
		}
		conds = append(conds, "Name LIKE "+lit)
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
