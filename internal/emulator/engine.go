package emulator

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/winipam/terraform-provider-ipam/internal/ipam"
)

// engine enforces the IPAM rules of ipam-api.md 1.5 on top of the store. Where Windows' behaviour
// is undocumented, the choice made is noted where it is made.
type engine struct {
	st *store
	// failItem, when set, makes bulk items whose name it accepts fail (fault injection). It can
	// change while requests are served.
	failItem atomic.Pointer[func(name string) bool]
}

func (e *engine) setFailItem(match func(string) bool) {
	if match == nil {
		e.failItem.Store(nil)
		return
	}
	e.failItem.Store(&match)
}

// patch is one address space as a bulk call carries it: nil fields were not sent and stay as they
// are on update.
type patch struct {
	InstanceID, Name                           *string
	Type                                       *ipam.Type
	Owner, Description                         *string
	AssociatedProviderAddressSpace             *string
	Tenant, VMNetwork, IsolationMethod, Custom *string
	// decodeErr is set when the item could not be read; the item fails with it.
	decodeErr error
}

func invalid(name, format string, args ...any) *ipam.Error {
	return ipam.NewError(ipam.KindInvalid, ipam.Win32InvalidParameter, name, fmt.Sprintf(format, args...))
}

func asIPAMError(name string, err error) *ipam.Error {
	var ie *ipam.Error
	if errors.As(err, &ie) {
		if ie.Name == "" {
			ie.Name = name
		}
		return ie
	}
	if errors.Is(err, ipam.ErrInvalid) {
		return ipam.NewError(ipam.KindInvalid, ipam.Win32InvalidParameter, name, strings.TrimPrefix(err.Error(), "invalid: "))
	}
	return ipam.NewError(ipam.KindFailed, ipam.WBEMFailed, name, err.Error())
}

// checked applies every rule that needs the server's data to a would-be address space, and returns
// the provider space's record for a customer space. self is the record being updated, 0 on add.
func (e *engine) checked(ctx context.Context, tx *txn, a *ipam.AddressSpace, self int64, fields map[string]string) (sql.NullInt64, error) {
	var none sql.NullInt64
	if a.Type == ipam.TypeCustomer && a.IsolationMethod != "" {
		// Windows takes the cmdlet's values; the emulator stores the canonical spelling.
		if m, err := ipam.CanonicalIsolationMethod(a.IsolationMethod); err == nil {
			a.IsolationMethod = m
		}
	}
	if err := a.Validate(); err != nil {
		return none, err
	}
	for _, k := range a.CustomConfiguration.Names() {
		if b, builtin := ipam.BuiltinCustomField(k); builtin {
			return none, invalid(a.Name, "the custom field %q is built in; set it through the %s property, not CustomConfiguration", k, b)
		}
		if _, ok := fields[ipam.NameKey(k)]; !ok {
			// MS-IPAMM2 3.1.4.6 ValidateCustomFieldValues: the field must exist.
			return none, invalid(a.Name, "the custom field %q is not defined in IPAM", k)
		}
	}
	if other, err := byName(ctx, tx, a.Name); err != nil {
		return none, err
	} else if other != nil && other.recordID != self {
		// MS-IPAMM2 3.3.4.126/3.3.4.145: names are unique across both types.
		return none, ipam.NewError(ipam.KindAlreadyExists, ipam.Win32AlreadyExists, a.Name,
			fmt.Sprintf("an address space named %q already exists", other.space.Name))
	}
	if a.Type != ipam.TypeCustomer {
		return none, nil
	}
	pa, err := byName(ctx, tx, a.AssociatedProviderAddressSpace)
	if err != nil {
		return none, err
	}
	if pa == nil || pa.space.Type != ipam.TypeProvider {
		return none, ipam.NewError(ipam.KindNotFound, ipam.Win32NotFound, a.Name,
			fmt.Sprintf("the provider address space %q does not exist", a.AssociatedProviderAddressSpace))
	}
	// Store the provider's own spelling of its name.
	a.AssociatedProviderAddressSpace = pa.space.Name
	return sql.NullInt64{Int64: pa.recordID, Valid: true}, nil
}

// add creates one address space inside tx.
func (e *engine) add(ctx context.Context, tx *txn, a ipam.AddressSpace, fields map[string]string) (*ipam.AddressSpace, int64, error) {
	providerID, err := e.checked(ctx, tx, &a, 0, fields)
	if err != nil {
		return nil, 0, err
	}
	a.InstanceID = newInstanceID()
	id, err := insertRow(ctx, tx, &a, providerID)
	if err != nil {
		return nil, 0, err
	}
	r, err := queryOne(ctx, tx, "WHERE a.record_id = ?", id)
	if err != nil {
		return nil, 0, err
	}
	return &r.space, id, nil
}

// Add runs AddProviderAddressSpace or AddCustomerAddressSpace.
func (e *engine) Add(ctx context.Context, a ipam.AddressSpace) (*ipam.AddressSpace, error) {
	var out *ipam.AddressSpace
	err := e.st.tx(ctx, func(tx *txn) error {
		fields, err := customFields(ctx, tx)
		if err != nil {
			return err
		}
		out, _, err = e.add(ctx, tx, a, fields)
		return err
	})
	if err != nil {
		return nil, asIPAMError(a.Name, err)
	}
	return out, nil
}

// BulkAddOrUpdate runs BulkAddOrUpdateAddressSpace. The call is one transaction; each item runs
// in its own savepoint, so a failed item leaves no trace and does not stop the others.
//
// How Windows tells an update from an add is undocumented (ipam-api.md 6.2). The emulator updates
// the object named by InstanceID when one is sent (and fails the item if it does not exist),
// otherwise the object with the same name, otherwise adds. Properties left out of an update keep
// their values; CustomConfiguration, when sent, replaces the whole set. Output holds a status for
// every item, successes included ("the status for each add operation").
func (e *engine) BulkAddOrUpdate(ctx context.Context, items []patch) ([]ipam.OperationStatus, error) {
	statuses := make([]ipam.OperationStatus, len(items))
	err := e.st.tx(ctx, func(tx *txn) error {
		fields, err := customFields(ctx, tx)
		if err != nil {
			return err
		}
		for i := range items {
			statuses[i] = e.eachItem(ctx, tx, i, items[i].name(), func() (int64, error) {
				return e.addOrUpdate(ctx, tx, &items[i], fields)
			})
		}
		return nil
	})
	return statuses, err
}

// BulkDelete runs BulkDeleteAddressSpace, one savepoint per item like BulkAddOrUpdate. Items are
// found by InstanceID, or by name when no InstanceID is sent.
func (e *engine) BulkDelete(ctx context.Context, items []patch) ([]ipam.OperationStatus, error) {
	statuses := make([]ipam.OperationStatus, len(items))
	err := e.st.tx(ctx, func(tx *txn) error {
		for i := range items {
			statuses[i] = e.eachItem(ctx, tx, i, items[i].name(), func() (int64, error) {
				return e.delete(ctx, tx, &items[i])
			})
		}
		return nil
	})
	return statuses, err
}

func (e *engine) eachItem(ctx context.Context, tx *txn, i int, name string, fn func() (int64, error)) ipam.OperationStatus {
	st := ipam.OperationStatus{Index: uint32(i)}
	if fail := e.failItem.Load(); fail != nil && (*fail)(name) {
		st.Win32Status = ipam.Win32InvalidOperation
		st.ErrorMessage = fmt.Sprintf("injected failure for address space %q", name)
		return st
	}
	var err error
	if _, err = tx.ExecContext(ctx, "SAVEPOINT item"); err == nil {
		var id int64
		if id, err = fn(); err == nil {
			st.RecordID = uint64(id)
			_, err = tx.ExecContext(ctx, "RELEASE item")
		} else if _, rbErr := tx.ExecContext(ctx, "ROLLBACK TO item"); rbErr != nil {
			err = errors.Join(err, rbErr)
		} else if _, rbErr := tx.ExecContext(ctx, "RELEASE item"); rbErr != nil {
			err = errors.Join(err, rbErr)
		}
	}
	if err != nil {
		ie := asIPAMError(name, err)
		st.Win32Status = ie.Code
		if st.Win32Status == 0 || st.Win32Status&0x80000000 != 0 {
			st.Win32Status = ipam.Win32InvalidOperation
		}
		st.ErrorMessage = ie.Message
	}
	return st
}

func (p *patch) name() string {
	if p.Name != nil {
		return *p.Name
	}
	if p.InstanceID != nil {
		return *p.InstanceID
	}
	return ""
}

// target finds the stored address space a bulk item names: by InstanceID when it carries one,
// else by Name; nil when there is none. what says what the item is for, in the error when it names
// neither.
func (p *patch) target(ctx context.Context, tx *txn, what string) (*row, error) {
	switch {
	case p.decodeErr != nil:
		return nil, p.decodeErr
	case p.InstanceID != nil:
		return byInstanceID(ctx, tx, *p.InstanceID)
	case p.Name != nil:
		return byName(ctx, tx, *p.Name)
	}
	return nil, invalid("", "%s needs a Name or an InstanceID", what)
}

func (e *engine) addOrUpdate(ctx context.Context, tx *txn, p *patch, fields map[string]string) (int64, error) {
	cur, err := p.target(ctx, tx, "an address space")
	switch {
	case err != nil:
		return 0, err
	case cur == nil && p.InstanceID != nil:
		return 0, ipam.NewError(ipam.KindNotFound, ipam.Win32NotFound, p.name(),
			fmt.Sprintf("no address space has InstanceID %s", *p.InstanceID))
	case cur == nil:
		// The class declares Type = 0, ProviderAddressSpace in the WMI documentation's numbering;
		// a server numbering as MS-IPAMM2 does is assumed to mean a provider too.
		a := ipam.AddressSpace{Type: ipam.TypeProvider}
		if err := p.apply(&a); err != nil {
			return 0, err
		}
		_, id, err := e.add(ctx, tx, a, fields)
		return id, err
	}
	if cur.isDefault {
		return 0, ipam.NewError(ipam.KindInvalid, ipam.Win32InvalidOperation, cur.space.Name,
			"the built-in Default provider address space cannot be changed")
	}
	a := cur.space
	if p.Type != nil && *p.Type != a.Type {
		// MS-IPAMM2 3.3.4.145: IPAM doesn't allow modification of an AddressSpaceType.
		return 0, ipam.NewError(ipam.KindInvalid, ipam.Win32InvalidOperation, a.Name,
			fmt.Sprintf("the type of an address space cannot be changed (it is a %s address space)", a.Type))
	}
	if err := p.apply(&a); err != nil {
		return 0, err
	}
	providerID, err := e.checked(ctx, tx, &a, cur.recordID, fields)
	if err != nil {
		return 0, err
	}
	return cur.recordID, updateRow(ctx, tx, cur.recordID, &a, providerID)
}

// apply copies the sent fields of p onto a.
func (p *patch) apply(a *ipam.AddressSpace) error {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = *src
		}
	}
	set(&a.Name, p.Name)
	if p.Type != nil {
		a.Type = *p.Type
	}
	set(&a.Owner, p.Owner)
	set(&a.Description, p.Description)
	set(&a.AssociatedProviderAddressSpace, p.AssociatedProviderAddressSpace)
	set(&a.Tenant, p.Tenant)
	set(&a.VMNetwork, p.VMNetwork)
	set(&a.IsolationMethod, p.IsolationMethod)
	if p.Custom != nil {
		cc, err := ipam.ParseCustomConfiguration(*p.Custom)
		if err != nil {
			return err
		}
		a.CustomConfiguration = cc
	}
	return nil
}

func (e *engine) delete(ctx context.Context, tx *txn, p *patch) (int64, error) {
	cur, err := p.target(ctx, tx, "an address space to delete")
	if err != nil {
		return 0, err
	}
	if cur == nil {
		return 0, ipam.NewError(ipam.KindNotFound, ipam.Win32NotFound, p.name(), "the address space does not exist")
	}
	if cur.isDefault {
		return 0, ipam.NewError(ipam.KindInvalid, ipam.Win32InvalidOperation, cur.space.Name,
			"the built-in Default provider address space cannot be deleted")
	}
	if cur.space.Type == ipam.TypeProvider {
		// Remove-IpamAddressSpace: an address space associated with other entities cannot be
		// removed. MS-IPAMM2 declares the foreign key as cascading; the emulator follows the
		// cmdlet documentation and refuses (ipam-api.md 6.5).
		n, err := countCustomers(ctx, tx, cur.recordID)
		if err != nil {
			return 0, err
		}
		if n > 0 {
			return 0, ipam.NewError(ipam.KindInUse, ipam.Win32DependentResources, cur.space.Name,
				fmt.Sprintf("the provider address space %q cannot be removed because %d customer address space(s) are associated with it", cur.space.Name, n))
		}
	}
	return cur.recordID, deleteRow(ctx, tx, cur.recordID)
}

// List returns the address spaces match accepts, in record order.
func (e *engine) List(ctx context.Context, where string, args []any, match func(*ipam.AddressSpace) (bool, error)) ([]ipam.AddressSpace, error) {
	rows, err := queryRows(ctx, e.st.db, where, args...)
	if err != nil {
		return nil, err
	}
	out := make([]ipam.AddressSpace, 0, len(rows))
	for _, r := range rows {
		ok, err := match(&r.space)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, r.space)
		}
	}
	return out, nil
}

// Get returns one address space by InstanceID, or nil.
func (e *engine) Get(ctx context.Context, instanceID string) (*ipam.AddressSpace, error) {
	r, err := byInstanceID(ctx, e.st.db, instanceID)
	if err != nil || r == nil {
		return nil, err
	}
	return &r.space, nil
}
