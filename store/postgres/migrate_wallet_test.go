package postgres

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/passengine/passengine/store/storetest"
)

// walletVersion is the migration that adds prepaid accounts.
const walletVersion = 4

// TestMigrateKeepsRowsOfThePreviousSchema: a schema made by the
// migrations before the prepaid accounts (before 0004) migrates and keeps
// its rows; the new columns read as empty (a pass paid by no account
// entry, a visit that owes nothing) and the new tables work.
func TestMigrateKeepsRowsOfThePreviousSchema(t *testing.T) {
	ctx := context.Background()
	st, ms := storeBefore(t, walletVersion)
	// Rows as the previous schema's code wrote them (its columns only).
	rows := []struct {
		table string
		cols  string
		vals  []any
	}{
		{"networks", "id, name, currency, zone", []any{"n", "Net", "USD", "UTC"}},
		{"holders", "network, id, name, audience, team", []any{"n", "ada", "Ada", "member", ""}},
		{"passes", "network, id, product, holder, team, kind, source, units, balance, unit_value, unit_value_currency, " +
			"price, price_currency, paid, paid_at, paid_by, tier, audience, priority, activation, locked, " +
			"validity_months, validity_days, activated_on, activated_by, uses, issued_at, issued_on, code_hash, code_sealed",
			[]any{"n", "p1", "prod", "ada", "", "visits", "product", 10, 7, "4", "USD", "40.00", "USD", true,
				"2026-03-02T10:00:00Z", "desk", 0, "", "", "on_purchase", false, 0, 0, "2026-03-02", "",
				3, "2026-03-02T10:00:00Z", "2026-03-02", "", ""}},
		{"visits", "network, id, holder, location, kind, mode, status, start_at, end_at, date, cost, pass, " +
			"covered_by, payg, charges, uncovered_minutes, auto_closed, activated, late_cancel, cancelled_by, terms",
			[]any{"n", "v1", "ada", "club", "check_in", "payg", "closed", "2026-03-02T09:00:00Z", "2026-03-02T11:00:00Z",
				"2026-03-02", 1, "", "", "payg",
				`[{"date":"2026-03-02","minutes":120,"increments":8,"amount":{"amount":"20","currency":"USD"},"payg":"payg"}]`,
				0, false, "", false, "", ""}},
	}
	for _, r := range rows {
		ph := make([]string, len(r.vals))
		for i := range ph {
			ph[i] = fmt.Sprintf("$%d", i+1)
		}
		q := "INSERT INTO " + r.table + " (" + r.cols + ") VALUES (" + strings.Join(ph, ", ") + ")"
		if _, err := st.pool.Exec(ctx, q, r.vals...); err != nil {
			t.Fatalf("insert into %s at the previous schema: %v", r.table, err)
		}
	}

	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("Migrate from the previous schema: %v", err)
	}
	if v, err := st.SchemaVersion(ctx); err != nil || v != ms[len(ms)-1].Version {
		t.Fatalf("SchemaVersion: got %d, %v; want %d", v, err, ms[len(ms)-1].Version)
	}
	storetest.CheckWalletMigration(t, st)
}
