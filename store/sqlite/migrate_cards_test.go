package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/internal/sqlutil"
	"github.com/passengine/passengine/store"
)

// TestMigrationCardsKeepsRows: a database made by the schema before the
// cards migration (every migration below version 4, rows written with its
// columns) opens, migrates, and keeps every row: the passes with their new
// columns defaulted (no card, not revoked), the derived expiry computed,
// for a frozen pass with its freeze (in Go, after the SQL), the ledger
// entries with no points, and the expiring-soon index finds the passes.
func TestMigrationCardsKeepsRows(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	st, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := sqlutil.LoadMigrations(migrationFiles, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	var before []sqlutil.Migration
	for _, m := range ms {
		if m.Version < 4 {
			before = append(before, m)
		}
	}
	if err := sqlutil.Migrate(ctx, st.w, before, func(int) string { return "?" }); err != nil {
		t.Fatalf("the previous schema: %v", err)
	}
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
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	if v, err := st.SchemaVersion(ctx); err != nil || v != ms[len(ms)-1].Version {
		t.Fatalf("SchemaVersion: got %d, %v; want %d", v, err, ms[len(ms)-1].Version)
	}
	var nullExpiry int
	if err := st.w.QueryRowContext(ctx, `SELECT count(*) FROM passes WHERE expiry IS NULL`).Scan(&nullExpiry); err != nil || nullExpiry != 0 {
		t.Errorf("passes without a derived expiry after Migrate: got %d, %v; want 0", nullExpiry, err)
	}
	err = st.View(ctx, func(tx store.Tx) error {
		for id, want := range map[string]int{"plain": 4, "frozen": 3, "forever": 2} {
			p, err := tx.Passes().Get(ctx, "n", id)
			if err != nil {
				t.Fatalf("Get %s after Migrate: %v", id, err)
			}
			if p.Balance != want || p.Card != "" || p.Revoked {
				t.Errorf("pass %s after Migrate: got balance %d, card %q, revoked %t; want %d, none, false", id, p.Balance, p.Card, p.Revoked, want)
			}
		}
		es, err := tx.Ledger().List(ctx, store.LedgerFilter{Network: "n"})
		if err != nil || len(es) != 1 || es[0].Units != 10 || es[0].Points != 0 || es[0].Actor != "desk" {
			t.Errorf("ledger after Migrate: got %+v, %v", es, err)
		}
		ps, _, err := tx.Passes().Expiring(ctx, "n", calendar.MustDate("2026-04-05"), calendar.MustDate("2026-04-30"), "", 10)
		if err != nil {
			t.Fatal(err)
		}
		// frozen: 2026-04-01 moved ten days by its freeze, 2026-04-11.
		if len(ps) != 2 || ps[0].ID != "plain" || ps[1].ID != "frozen" {
			t.Errorf("Expiring after Migrate: got %d passes %v, want plain (04-10) and frozen (04-11)", len(ps), ps)
		}
		h, err := tx.Catalog().Holder(ctx, "n", "h")
		if err != nil || h.Name != "Ada" {
			t.Errorf("holder after Migrate: got %+v, %v", h, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("Migrate again: %v", err)
	}
	st.Close()
}
