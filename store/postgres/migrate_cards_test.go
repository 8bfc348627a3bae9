package postgres

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/passengine/passengine/internal/sqlutil"
	"github.com/passengine/passengine/store/storetest"
)

// TestMigrationCardsKeepsRows: a schema made by the migrations before the
// cards migration (every one below version 5, rows written with their
// columns) migrates and keeps every row: passes with no card, not revoked,
// and the derived expiry computed (a frozen pass's with its freeze, in Go,
// after the SQL), ledger entries with no points, and the holder.
func TestMigrationCardsKeepsRows(t *testing.T) {
	ctx := context.Background()
	st, ms := storeBefore(t, 5)
	const passRow = `INSERT INTO passes (network, id, product, holder, team, kind, source, units, balance, unit_value,
		unit_value_currency, price, price_currency, paid, paid_at, paid_by, locations, tier, audience, priority, activation,
		locked, validity_months, validity_days, activated_on, activated_by, expires_on, freezes, uses, issued_at, issued_on,
		code_hash, code_sealed) VALUES ('n', $1, 'p', 'h', '', 'visits', 'product', 10, $2, 10, 'USD', 100, 'USD', true, NULL,
		'', NULL, 0, '', '', 'on_purchase', false, 0, 0, '2026-03-01', '', $3::date, $4::jsonb, 0, '2026-03-01T09:00:00Z',
		'2026-03-01', '', '')`
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO networks (id, name, currency, zone) VALUES ('n', 'N', 'USD', 'America/New_York')`, nil},
		{`INSERT INTO holders (network, id, name, audience, team, health_declared_at) VALUES ('n', 'h', 'Ada', 'member', '', NULL)`, nil},
		{passRow, []any{"plain", 4, "2026-04-10", nil}},
		{passRow, []any{"frozen", 3, "2026-04-01", `[{"from":"2026-03-10","to":"2026-03-20"}]`}},
		{passRow, []any{"forever", 2, nil, nil}},
		{`INSERT INTO ledger (network, id, pass, holder, visit, at, type, units, balance, amount, amount_currency, key,
			actor, comment) VALUES ('n', 'e1', 'plain', 'h', '', '2026-03-01T09:00:00Z', 'issue', 10, 10, 100, 'USD',
			'k1', 'desk', 'sold')`, nil},
	} {
		if err := Exec(st, q.sql, q.args...); err != nil {
			t.Fatalf("write with the previous schema: %v", err)
		}
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	if v, err := st.SchemaVersion(ctx); err != nil || v != ms[len(ms)-1].Version {
		t.Fatalf("SchemaVersion: got %d, %v; want %d", v, err, ms[len(ms)-1].Version)
	}
	if n, err := QueryInt(st, `SELECT count(*) FROM passes WHERE expiry IS NULL`); err != nil || n != 0 {
		t.Errorf("passes without a derived expiry after Migrate: got %d, %v; want 0", n, err)
	}
	storetest.CheckCardsMigration(t, st)
}

// storeBefore returns a store in a new schema (dropped when t ends) with
// the embedded migrations below version applied: the schema a database
// had before that migration; and every embedded migration.
func storeBefore(t *testing.T, version int) (*Store, []sqlutil.Migration) {
	t.Helper()
	ctx := context.Background()
	st := NewTestStore(t)
	var schema string
	if err := st.pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		t.Fatal(err)
	}
	if err := Exec(st, fmt.Sprintf(`DROP SCHEMA %s CASCADE; CREATE SCHEMA %s`, schema, schema)); err != nil {
		t.Fatal(err)
	}
	ms, err := sqlutil.LoadMigrations(migrationFiles, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	db := stdlib.OpenDBFromPool(st.pool)
	defer db.Close()
	if err := sqlutil.Migrate(ctx, db, sqlutil.Before(ms, version), func(n int) string { return fmt.Sprintf("$%d", n) }); err != nil {
		t.Fatalf("the schema before version %d: %v", version, err)
	}
	return st, ms
}
