package ipam

import (
	"context"
	"fmt"

	"github.com/winipam/terraform-provider-ipam/internal/wql"
)

// Client is what the provider needs from an IPAM server. The WS-Management implementation talks
// to a real Windows Server or to the emulator; tests may substitute another.
type Client interface {
	// AddProviderAddressSpace creates a provider space and returns it as the server stored it.
	AddProviderAddressSpace(ctx context.Context, a AddressSpace) (*AddressSpace, error)
	// AddCustomerAddressSpace creates a customer space and returns it as the server stored it.
	AddCustomerAddressSpace(ctx context.Context, a AddressSpace) (*AddressSpace, error)
	// BulkAddOrUpdate adds or updates many address spaces (an item with an InstanceID updates that
	// object). The result has one entry per item, in order: nil, or the item's *Error. The error
	// return is for the call as a whole, when no item's fate is known.
	BulkAddOrUpdate(ctx context.Context, items []AddressSpace) ([]error, error)
	// BulkDelete deletes many address spaces, with results as BulkAddOrUpdate.
	BulkDelete(ctx context.Context, items []AddressSpace) ([]error, error)
	// Get reads one address space by InstanceID; ErrNotFound when it is gone.
	Get(ctx context.Context, instanceID string) (*AddressSpace, error)
	// GetByName reads one address space by name (case-insensitive); ErrNotFound when none has it.
	GetByName(ctx context.Context, name string) (*AddressSpace, error)
	// List returns the address spaces the filter selects, in the server's order.
	List(ctx context.Context, f Filter) ([]AddressSpace, error)
}

// Filter selects address spaces; empty fields select everything. Fields combine with AND; the
// entries of Names and InstanceIDs combine with OR.
type Filter struct {
	Type *Type
	// ProviderAddressSpace selects the customer spaces of one provider space.
	ProviderAddressSpace string
	Tenant               string
	// Owner selects the address spaces of one owner, compared as the server compares (ignoring case).
	Owner string
	// NameLike is a WQL LIKE pattern: % any run, _ one character, [abc] a set.
	NameLike    string
	Names       []string
	InstanceIDs []string
}

// CheckNamePattern reports whether a Filter.NameLike pattern can be sent and run: WMI reads no
// escapes inside a LIKE literal ([MS-WMI] 2.2.1), so a pattern that holds both quote characters
// cannot be written, and one WQL cannot parse (an unclosed '[') would fail on the server. The
// pattern is checked in the query it goes into.
func CheckNamePattern(pattern string) error {
	lit, err := wql.QuoteLike(pattern)
	if err == nil {
		_, err = wql.Parse("SELECT * FROM MSFT_IPAM_AddressSpace WHERE Name LIKE " + lit)
	}
	if err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return nil
}
