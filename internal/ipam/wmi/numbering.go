package wmi

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/winipam/terraform-provider-ipam/internal/failure"
	"github.com/winipam/terraform-provider-ipam/internal/ipam"
	"github.com/winipam/terraform-provider-ipam/internal/wql"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

// The WMI class documentation numbers Type Provider 0, Customer 1; [MS-IPAMM2] 2.2.5.62 numbers it
// None 0, Provider 1, Customer 2; which one the WMI provider uses is undocumented (ipam-api.md 1.2,
// fidelity-audit item 3). The client learns it once from the built-in Default provider address
// space (MS-IPAMM2 2.2.4.346), which every IPAM server has.

// defaultQuery reads the built-in Default address space, whose Type shows the numbering.
var defaultQuery = "SELECT * FROM " + ClassAddressSpace + " WHERE Name = " + wql.Quote(ipam.DefaultProviderName)

// numberingCache holds what the client learned. A failure is not kept: the next call asks again.
type numberingCache struct {
	// known is 0 while unknown, else 1 + the numbering.
	known atomic.Uint32
	// gate lets one discovery run at a time; a channel, so a waiter can give up with its context.
	gate chan struct{}
}

func newNumberingCache() *numberingCache { return &numberingCache{gate: make(chan struct{}, 1)} }

func (nc *numberingCache) get() (ipam.TypeNumbering, bool) {
	k := nc.known.Load()
	return ipam.TypeNumbering(k - 1), k != 0
}

func (nc *numberingCache) set(n ipam.TypeNumbering) { nc.known.Store(uint32(n) + 1) }

// typeNumbering returns the server's numbering of Type, learning it on first need. rows are
// instances the caller has read already: when they include Default they decide it without a
// request, and they are the evidence of last resort when Default does not decide it.
func (c *Client) typeNumbering(ctx context.Context, rows []*wsman.Instance) (ipam.TypeNumbering, error) {
	if n, ok := c.types.get(); ok {
		return n, nil
	}
	if def := findDefault(rows); def != nil {
		n, err := decideNumbering(rows)
		if err == nil {
			c.types.set(n)
		}
		return n, err
	}
	select {
	case c.types.gate <- struct{}{}:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	defer func() { <-c.types.gate }()
	if n, ok := c.types.get(); ok {
		return n, nil // learned by the call ahead while this one waited
	}
	var found []*wsman.Instance
	err := c.ws.Enumerate(ctx, NamespaceURI, defaultQuery, func(in *wsman.Instance) error {
		found = append(found, in)
		return nil
	})
	if err != nil {
		return 0, c.mapError("", "reading the built-in Default address space to learn how the server numbers Type", err)
	}
	n, err := decideNumbering(append(found, rows...))
	if err != nil {
		return 0, err
	}
	c.types.set(n)
	return n, nil
}

// TypeNumberingError says that what the server returned fits neither documented numbering of
// Type, so no address space can be read or written safely.
type TypeNumberingError struct {
	// Reason says what does not fit.
	Reason string
	// Seen lists the rows looked at: name, Type and whether it names a provider address space.
	Seen []string
}

func (e *TypeNumberingError) Error() string {
	msg := "unexpected Type numbering of " + ClassAddressSpace + ": " + e.Reason
	if len(e.Seen) > 0 {
		msg += " (seen: " + strings.Join(e.Seen, "; ") + ")"
	}
	return msg + ". The WMI class documentation numbers a provider address space 0 and a customer one 1; " +
		"[MS-IPAMM2] 2.2.5.62 numbers them 1 and 2"
}

// Facts implements failure.Reporter.
func (e *TypeNumberingError) Facts() failure.Facts {
	return failure.Facts{Kind: failure.KindTypeNumbering}
}

// row is what decideNumbering reads of an instance.
type row struct {
	name, typ string
	hasPA     bool // carries AssociatedProviderAddressSpace: only customer spaces do (ipam-api.md 1.2)
}

func readRow(in *wsman.Instance) row {
	name, _ := in.Text("Name")
	typ, _ := in.Text("Type")
	pa, _ := in.Text("AssociatedProviderAddressSpace")
	return row{name: name, typ: strings.TrimSpace(typ), hasPA: pa != ""}
}

func (r row) String() string {
	typ := r.typ
	if typ == "" {
		typ = "null"
	}
	s := fmt.Sprintf("%q Type=%s", r.name, typ)
	if r.hasPA {
		s += " with AssociatedProviderAddressSpace"
	}
	return s
}

// findDefault returns the built-in Default address space among rows, or nil.
func findDefault(rows []*wsman.Instance) *wsman.Instance {
	for _, in := range rows {
		if name, _ := in.Text("Name"); ipam.SameName(name, ipam.DefaultProviderName) {
			return in
		}
	}
	return nil
}

// maxSeen caps the rows an error lists.
const maxSeen = 5

// decideNumbering picks the numbering that rows show. The Default provider address space decides:
// Type 0 is the WMI documentation's, 1 is MS-IPAMM2's. Without Default (or with a null Type) the
// other rows decide, through the one thing that tells the types apart without their numbers: only
// customer spaces carry AssociatedProviderAddressSpace, and every customer space has one
// (AddCustomerAddressSpace requires it). Anything else is an error that names what was seen.
func decideNumbering(rows []*wsman.Instance) (ipam.TypeNumbering, error) {
	if def := findDefault(rows); def != nil {
		r := readRow(def)
		switch {
		case r.hasPA:
			return 0, &TypeNumberingError{Reason: "the built-in Default address space, a provider address space, carries AssociatedProviderAddressSpace", Seen: []string{r.String()}}
		case r.typ == "0":
			return ipam.NumberingWMI, nil
		case r.typ == "1":
			return ipam.NumberingIPAMM2, nil
		case r.typ != "":
			return 0, &TypeNumberingError{Reason: fmt.Sprintf("the built-in Default provider address space has Type %q", r.typ), Seen: []string{r.String()}}
		}
	}
	var wmi, ipamm2 []string
	var seen []string
	for _, in := range rows {
		r := readRow(in)
		if len(seen) < maxSeen {
			seen = append(seen, r.String())
		}
		v, err := strconv.ParseUint(r.typ, 10, 16)
		switch {
		case r.typ == "":
			continue
		case err != nil || v > 2:
			return 0, &TypeNumberingError{Reason: fmt.Sprintf("address space %q has Type %q", r.name, r.typ), Seen: seen}
		case v == 0, v == 1 && r.hasPA: // 0 is None in MS-IPAMM2; 1 with a provider is not its Provider
			wmi = append(wmi, r.String())
		default: // 2 does not exist in the WMI numbering; 1 without a provider is not its Customer
			ipamm2 = append(ipamm2, r.String())
		}
	}
	switch {
	case len(wmi) > 0 && len(ipamm2) > 0:
		return 0, &TypeNumberingError{Reason: "the built-in Default address space was not found, and the other address spaces fit different numberings",
			Seen: append(wmi[:1:1], ipamm2[0])}
	case len(wmi) > 0:
		return ipam.NumberingWMI, nil
	case len(ipamm2) > 0:
		return ipam.NumberingIPAMM2, nil
	}
	return 0, &TypeNumberingError{Reason: "the built-in Default address space was not found or has no Type, and no other address space shows the numbering", Seen: seen}
}
