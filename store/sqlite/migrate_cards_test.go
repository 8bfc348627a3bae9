package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/passengine/passengine/internal/sqlutil"
	"github.com/passengine/passengine/store/storetest"
)

// TestMigrationCardsKeepsRows: a database made by the schema before the
// cards migration (every migration below version 4, rows written with its
// columns) opens, migrates, and keeps every row: the passes with their new
// columns defaulted (no card, not revoked), the derived expiry computed,
// for a frozen pass with its freeze (in Go, after the SQL), the ledger
// entries with no points, and the expiring-soon index finds the passes.
func TestMigrationCardsKeepsRows(t *testing.T) {
	ctx := context.Background()
	st, path, ms := openBefore(t, 4)
	const passRow = `INSERT INTO passes (network, id, product, holder, team, kind, source, units, balance, unit_value,
		unit_value_currency, price, price_currency, paid, paid_at, paid_by, locations, tier, audience, priority, activation,
		locked, validity_months, validity_days, activated_on, activated_by, expires_on, freezes, uses, issued_at, issued_on,
		code_hash, code_sealed) VALUES ('n', ?, 'p', 'h', '', 'visits', 'product', 10, ?, '10', 'USD', '100', 'USD', 1, NULL, '',
		'', 0, '', '', 'on_purchase', 0, 0, 0, '2026-03-01', '', ?, ?, 0, '2026-03-01T09:00:00.000000000Z', '2026-03-01', '', '')`
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO networks (id, name, currency, zone) VALUES ('n', 'N', 'USD', 'America/New_York')`, nil},
		{`INSERT INTO holders (network, id, name, audience, team, health_declared_at) VALUES ('n', 'h', 'Ada', 'member', '', NULL)`, nil},
		{passRow, []any{"plain", 4, "2026-04-10", ""}},
		{passRow, []any{"frozen", 3, "2026-04-01", `[{"from":"2026-03-10","to":"2026-03-20"}]`}},
		{passRow, []any{"forever", 2, "", ""}},
		{`INSERT INTO ledger (network, id, pass, holder, visit, at, type, units, balance, amount, amount_currency, idem_key,
			actor, comment) VALUES ('n', 'e1', 'plain', 'h', '', '2026-03-01T09:00:00.000000000Z', 'issue', 10, 10, '100', 'USD',
			'k1', 'desk', 'sold')`, nil},
	} {
		if _, err := st.w.ExecContext(ctx, q.sql, q.args...); err != nil {
			t.Fatalf("write with the previous schema: %v", err)
		}
	}
	st = reopenMigrated(t, st, path, ms)
	var nullExpiry int
	if err := st.w.QueryRowContext(ctx, `SELECT count(*) FROM passes WHERE expiry IS NULL`).Scan(&nullExpiry); err != nil || nullExpiry != 0 {
		t.Errorf("passes without a derived expiry after Migrate: got %d, %v; want 0", nullExpiry, err)
	}
	storetest.CheckCardsMigration(t, st)
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("Migrate again: %v", err)
	}
}

// openBefore opens a new database in t's temporary directory with the
// embedded migrations below version applied: the schema a database had
// before that migration. It returns the store (closed when t ends), the
// database file's path and every embedded migration.
func openBefore(t *testing.T, version int) (*Store, string, []sqlutil.Migration) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ms, err := sqlutil.LoadMigrations(migrationFiles, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	if err := sqlutil.Migrate(ctx, st.w, sqlutil.Before(ms, version), func(int) string { return "?" }); err != nil {
		t.Fatalf("the schema before version %d: %v", version, err)
	}
	return st, path, ms
}

// reopenMigrated closes st, opens the database at path again, migrates it
// and checks that it is at the newest of ms, and returns it (closed when t
// ends).
func reopenMigrated(t *testing.T, st *Store, path string, ms []sqlutil.Migration) *Store {
	t.Helper()
	ctx := context.Background()
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("Migrate from the previous schema: %v", err)
	}
	if v, err := st.SchemaVersion(ctx); err != nil || v != ms[len(ms)-1].Version {
		t.Fatalf("SchemaVersion: got %d, %v; want %d", v, err, ms[len(ms)-1].Version)
	}
	return st
}
