package emulator

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"

	_ "modernc.org/sqlite" // pure-Go SQLite, so releases build with CGO_ENABLED=0

	"github.com/winipam/terraform-provider-ipam/internal/ipam"
	"github.com/winipam/terraform-provider-ipam/internal/wsman"
)

// The store follows the IPAM data model of MS-IPAMM2 3.1.1.1.33: address spaces keyed by a 64-bit
// RecordId, customer spaces pointing at their provider space's RecordId (so a provider rename is
// seen by its customers), and the built-in Default provider space seeded at provisioning.
const schema = `
CREATE TABLE IF NOT EXISTS address_spaces (
	record_id          INTEGER PRIMARY KEY AUTOINCREMENT,
	instance_id        TEXT NOT NULL UNIQUE,
	name               TEXT NOT NULL,
	name_key           TEXT NOT NULL UNIQUE, -- ipam.NameKey(name): names are unique ignoring case
	type               INTEGER NOT NULL CHECK (type IN (0, 1)),
	is_default         INTEGER NOT NULL DEFAULT 0,
	owner              TEXT NOT NULL DEFAULT '',
	description        TEXT NOT NULL DEFAULT '',
	provider_record_id INTEGER REFERENCES address_spaces(record_id),
	tenant             TEXT NOT NULL DEFAULT '',
	vm_network         TEXT NOT NULL DEFAULT '',
	isolation_method   TEXT NOT NULL DEFAULT '',
	custom_config      TEXT NOT NULL DEFAULT '',
	CHECK ((type = 1) = (provider_record_id IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS address_spaces_provider ON address_spaces(provider_record_id);
CREATE TABLE IF NOT EXISTS custom_fields (
	name_key TEXT PRIMARY KEY,
	name     TEXT NOT NULL
);
`

// store is the emulator's SQLite database. Every IPAM method call runs in one transaction (tx), so
// a crash mid-call leaves either all or none of it.
type store struct {
	db *sql.DB
}

func openStore(ctx context.Context, path string) (*store, error) {
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_txlock=immediate"
	if path == ":memory:" {
		// One shared in-memory database for the process: every connection must see the same data.
		dsn = "file:ipam-emulator-" + randomHex(8) + "?mode=memory&cache=shared&_pragma=foreign_keys(1)&_txlock=immediate"
	} else {
		dsn += "&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	// SQLite allows one writer; a single connection also keeps the in-memory database alive.
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	db.SetConnMaxLifetime(0)
	if _, err := db.ExecContext(ctx, schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("initialise database %s: %w", path, err)
	}
	s := &store{db: db}
	if err := s.provision(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

func (s *store) Close() error { return s.db.Close() }

// provision seeds what IPAM provisioning creates: the Default provider space (MS-IPAMM2 2.2.4.346).
func (s *store) provision(ctx context.Context) error {
	_, err := s.db.ExecContext(ctx,
		`INSERT INTO address_spaces (instance_id, name, name_key, type, is_default, description)
		 SELECT ?, ?, ?, 0, 1, 'Default provider address space' WHERE NOT EXISTS (SELECT 1 FROM address_spaces WHERE is_default = 1)`,
		newInstanceID(), ipam.DefaultProviderName, ipam.NameKey(ipam.DefaultProviderName))
	return err
}

// tx runs fn in one transaction and commits it.
func (s *store) tx(ctx context.Context, fn func(*txn) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(&txn{Tx: tx}); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// txn is a transaction that prepares each statement once: a bulk call runs the same few
// statements for every item, and parsing them again took a fifth of the emulator's time.
// The statements close with the transaction.
type txn struct {
	*sql.Tx
	stmts map[string]*sql.Stmt
}

func (t *txn) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := t.stmts[query]; ok {
		return st, nil
	}
	st, err := t.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if t.stmts == nil {
		t.stmts = map[string]*sql.Stmt{}
	}
	t.stmts[query] = st
	return st, nil
}

func (t *txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

func (t *txn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

func (t *txn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := t.stmt(ctx, query)
	if err != nil {
		return t.Tx.QueryRowContext(ctx, query, args...) // carries the same error
	}
	return st.QueryRowContext(ctx, args...)
}

// row is an address space as stored.
type row struct {
	recordID   int64
	isDefault  bool
	providerID sql.NullInt64
	space      ipam.AddressSpace
}

const selectRows = `SELECT a.record_id, a.instance_id, a.name, a.type, a.is_default, a.owner, a.description,
	a.provider_record_id, COALESCE(p.name, ''), a.tenant, a.vm_network, a.isolation_method, a.custom_config
	FROM address_spaces a LEFT JOIN address_spaces p ON p.record_id = a.provider_record_id`

type scanner interface{ Scan(...any) error }

func scanRow(sc scanner) (*row, error) {
	var r row
	var typ int
	var cc string
	err := sc.Scan(&r.recordID, &r.space.InstanceID, &r.space.Name, &typ, &r.isDefault, &r.space.Owner, &r.space.Description,
		&r.providerID, &r.space.AssociatedProviderAddressSpace, &r.space.Tenant, &r.space.VMNetwork, &r.space.IsolationMethod, &cc)
	if err != nil {
		return nil, err
	}
	r.space.Type = ipam.Type(typ)
	if r.space.CustomConfiguration, err = ipam.ParseCustomConfiguration(cc); err != nil {
		return nil, fmt.Errorf("stored custom configuration of %q: %w", r.space.Name, err)
	}
	// IPAM computes utilisation from the subnets and ranges an address space holds; the emulator
	// stores none, so an address space is always empty.
	r.space.AccessScopePath = `\Global`
	r.space.IsInheritedAccessScope = true
	return &r, nil
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func queryRows(ctx context.Context, q querier, where string, args ...any) ([]*row, error) {
	rs, err := q.QueryContext(ctx, selectRows+" "+where+" ORDER BY a.record_id", args...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []*row
	for rs.Next() {
		r, err := scanRow(rs)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rs.Err()
}

func queryOne(ctx context.Context, q querier, where string, args ...any) (*row, error) {
	r, err := scanRow(q.QueryRowContext(ctx, selectRows+" "+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return r, err
}

func byName(ctx context.Context, q querier, name string) (*row, error) {
	return queryOne(ctx, q, "WHERE a.name_key = ?", ipam.NameKey(name))
}

func byInstanceID(ctx context.Context, q querier, id string) (*row, error) {
	return queryOne(ctx, q, "WHERE a.instance_id = ?", id)
}

func insertRow(ctx context.Context, tx *txn, a *ipam.AddressSpace, providerID sql.NullInt64) (int64, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO address_spaces
		(instance_id, name, name_key, type, owner, description, provider_record_id, tenant, vm_network, isolation_method, custom_config)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.InstanceID, a.Name, ipam.NameKey(a.Name), int(a.Type), a.Owner, a.Description, providerID,
		a.Tenant, a.VMNetwork, a.IsolationMethod, a.CustomConfiguration.String())
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

func updateRow(ctx context.Context, tx *txn, recordID int64, a *ipam.AddressSpace, providerID sql.NullInt64) error {
	_, err := tx.ExecContext(ctx, `UPDATE address_spaces SET name = ?, name_key = ?, owner = ?, description = ?,
		provider_record_id = ?, tenant = ?, vm_network = ?, isolation_method = ?, custom_config = ? WHERE record_id = ?`,
		a.Name, ipam.NameKey(a.Name), a.Owner, a.Description, providerID, a.Tenant, a.VMNetwork, a.IsolationMethod,
		a.CustomConfiguration.String(), recordID)
	return err
}

func deleteRow(ctx context.Context, tx *txn, recordID int64) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM address_spaces WHERE record_id = ?`, recordID)
	return err
}

func countCustomers(ctx context.Context, q querier, providerID int64) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM address_spaces WHERE provider_record_id = ?`, providerID).Scan(&n)
	return n, err
}

// customFields returns the defined custom fields, keyed by lower-case name.
func customFields(ctx context.Context, q querier) (map[string]string, error) {
	rs, err := q.QueryContext(ctx, `SELECT name_key, name FROM custom_fields`)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	out := map[string]string{}
	for rs.Next() {
		var k, n string
		if err := rs.Scan(&k, &n); err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, rs.Err()
}

func (s *store) defineCustomFields(ctx context.Context, names []string) error {
	return s.tx(ctx, func(tx *txn) error {
		for _, n := range names {
			if _, err := tx.ExecContext(ctx, `INSERT INTO custom_fields (name_key, name) VALUES (?, ?)
				ON CONFLICT(name_key) DO UPDATE SET name = excluded.name`, ipam.NameKey(n), n); err != nil {
				return err
			}
		}
		return nil
	})
}

// newInstanceID makes an InstanceID. Windows' format is undocumented (ipam-api.md 1.6) and clients
// must treat it as opaque; the emulator uses a braced GUID that survives renames.
func newInstanceID() string { return "{" + wsman.NewUUID() + "}" }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x", b)
}
