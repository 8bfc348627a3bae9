package postgres

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/store"
)

// TestCardQueriesUseIndexes: with 20,000 passes, most expired, and 40,000
// ledger entries, analyzed, the card queries read their indexes and never
// scan a table: expiring soon starts at the window (passes_expiring), a
// card's history pages from a seq (ledger_pass), a period's from an
// instant (ledger_at).
func TestCardQueriesUseIndexes(t *testing.T) {
	ctx := context.Background()
	st := NewTestStore(t)
	for _, q := range []string{
		`INSERT INTO passes (network, id, product, holder, team, kind, source, units, balance, unit_value,
			unit_value_currency, price, price_currency, paid, paid_by, tier, audience, priority, activation, locked,
			validity_months, validity_days, activated_by, uses, issued_at, code_hash, code_sealed, expires_on, expiry)
		SELECT 'n', 'p' || x, 'prod', 'h' || (x % 1000), '', 'visits', 'product', 10, 5, 1, 'USD', 10, 'USD', true, '',
			0, '', '', 'on_purchase', false, 0, 0, '', 0, now(), '', '',
			date '2020-01-01' + (x / 10), date '2020-01-01' + (x / 10) FROM generate_series(1, 20000) x`,
		`INSERT INTO ledger (network, id, pass, holder, visit, at, type, units, balance, amount, amount_currency, key, actor, comment)
		SELECT 'n', 'e' || x, 'p' || (x % 20000), 'h', '', timestamptz '2020-01-01' + x * interval '1 hour', 'use', -1, 1,
			0, 'USD', 'k', '', '' FROM generate_series(1, 40000) x`,
		`ANALYZE`,
	} {
		if err := Exec(st, q); err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
	from := time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC)
	for name, c := range map[string]struct {
		index string
		call  func(store.Tx) error
	}{
		"Passes.Expiring": {"passes_expiring", func(tx store.Tx) error {
			_, _, err := tx.Passes().Expiring(ctx, "n", calendar.MustDate("2025-06-01"), calendar.MustDate("2025-07-01"), "", 100)
			return err
		}},
		"Ledger.PassPage": {"ledger_pass", func(tx store.Tx) error {
			_, _, err := tx.Ledger().PassPage(ctx, "n", "p7", "", 100)
			return err
		}},
		"Ledger.PeriodPage": {"ledger_at", func(tx store.Tx) error {
			_, _, err := tx.Ledger().PeriodPage(ctx, "n", from, from.Add(24*time.Hour), "", 100)
			return err
		}},
	} {
		got, err := statements(st, c.call)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range got {
			plan := explainAs(t, st, false, s.sql, s.args)
			if !strings.Contains(plan, c.index) || strings.Contains(plan, "Seq Scan") || strings.Contains(plan, "Sort") {
				t.Errorf("%s: plan\n%s\nwant a scan of index %s, no sequential scan or sort", name, plan, c.index)
			}
		}
	}
}
