package sqlite

import (
	"context"
	"strings"
	"testing"

	"github.com/passengine/passengine/store/storetest"
)

// walletVersion is the migration that adds prepaid accounts.
const walletVersion = 3

// TestMigrateKeepsRowsOfThePreviousSchema: a database made by the schema
// before the prepaid accounts (every migration before 0003) opens,
// migrates, and keeps its rows; the new columns read as empty (a pass
// paid by no account entry, a visit that owes nothing) and the new tables
// work.
func TestMigrateKeepsRowsOfThePreviousSchema(t *testing.T) {
	ctx := context.Background()
	st, path, ms := openBefore(t, walletVersion)
	// Rows as the previous schema's code wrote them (its columns only).
	rows := []struct {
		table string
		cols  string
		vals  []any
	}{
		{"networks", "id, name, currency, zone", []any{"n", "Net", "USD", "UTC"}},
		{"holders", "network, id, name, audience, team", []any{"n", "ada", "Ada", "member", ""}},
		{"passes", "network, id, product, holder, team, kind, source, units, balance, unit_value, unit_value_currency, " +
			"price, price_currency, paid, paid_at, paid_by, locations, tier, audience, priority, activation, locked, " +
			"validity_months, validity_days, activated_on, activated_by, expires_on, freezes, uses, issued_at, issued_on, " +
			"code_hash, code_sealed",
			[]any{"n", "p1", "prod", "ada", "", "visits", "product", 10, 7, "4", "USD", "40.00", "USD", 1,
				"2026-03-02T10:00:00.000000000Z", "desk", "", 0, "", "", "on_purchase", 0, 0, 0, "2026-03-02", "", "",
				"", 3, "2026-03-02T10:00:00.000000000Z", "2026-03-02", "", ""}},
		{"visits", "network, id, holder, location, kind, mode, status, start_at, end_at, service_date, cost, pass, " +
			"covered_by, payg, consumptions, charges, uncovered_minutes, auto_closed, activated, cancelled_at, " +
			"late_cancel, cancelled_by, fee, terms, settled_at",
			[]any{"n", "v1", "ada", "club", "check_in", "payg", "closed", "2026-03-02T09:00:00.000000000Z",
				"2026-03-02T11:00:00.000000000Z", "2026-03-02", 1, "", "", "payg", "",
				`[{"date":"2026-03-02","minutes":120,"increments":8,"amount":{"amount":"20","currency":"USD"},"payg":"payg"}]`,
				0, 0, "", nil, 0, "", "", "", nil}},
	}
	for _, r := range rows {
		q := "INSERT INTO " + r.table + " (" + r.cols + ") VALUES (?" + strings.Repeat(", ?", len(r.vals)-1) + ")"
		if _, err := st.w.ExecContext(ctx, q, r.vals...); err != nil {
			t.Fatalf("insert into %s at the previous schema: %v", r.table, err)
		}
	}
	st = reopenMigrated(t, st, path, ms)
	storetest.CheckWalletMigration(t, st)
}
