package storetest

import (
	"context"
	"testing"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/store"
)

// CheckCardsMigration checks a store migrated to the cards schema from a
// database its adapter's test wrote with the schema before (RULES: a
// database of the previous schema opens, migrates and keeps every row).
// The database held, in network "n": holder "h" named Ada; visits passes
// "plain" (balance 4, expiring 2026-04-10), "frozen" (balance 3, expiring
// 2026-04-01, frozen [2026-03-10, 2026-03-20)) and "forever" (balance 2,
// no expiry); and the ledger entry "e1" of plain (10 units, actor desk).
// After the migration the passes have no card and are not revoked, the
// entry has no points, the holder is there, and the expiring-soon index
// finds plain (2026-04-10) and then frozen (2026-04-11, its freeze
// included) in [2026-04-05, 2026-04-30].
func CheckCardsMigration(t *testing.T, st store.Store) {
	t.Helper()
	ctx := context.Background()
	view(t, st, func(tx store.Tx) error {
		for id, want := range map[string]int{"plain": 4, "frozen": 3, "forever": 2} {
			p, err := tx.Passes().Get(ctx, "n", id)
			must(t, "Get "+id+" after the migration", err)
			if p.Balance != want || p.Card != "" || p.Revoked {
				t.Errorf("pass %s after the migration: got balance %d, card %q, revoked %t; want %d, none, false",
					id, p.Balance, p.Card, p.Revoked, want)
			}
		}
		es, err := tx.Ledger().List(ctx, store.LedgerFilter{Network: "n"})
		must(t, "Ledger.List after the migration", err)
		if len(es) != 1 || es[0].Units != 10 || es[0].Points != 0 || es[0].Bonus != 0 || es[0].Actor != "desk" {
			t.Errorf("ledger after the migration: got %+v", es)
		}
		ps, _, err := tx.Passes().Expiring(ctx, "n", calendar.MustDate("2026-04-05"), calendar.MustDate("2026-04-30"), "", 10)
		must(t, "Expiring after the migration", err)
		same(t, "Expiring after the migration", ids(ps, passID), []string{"plain", "frozen"})
		h, err := tx.Catalog().Holder(ctx, "n", "h")
		must(t, "Holder after the migration", err)
		if h.Name != "Ada" {
			t.Errorf("holder after the migration: got %+v", h)
		}
		return nil
	})
}
