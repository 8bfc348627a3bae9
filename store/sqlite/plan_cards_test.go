package sqlite

import (
	"strings"
	"testing"
)

// TestCardQueriesUseIndexes: the card queries read their indexes, never a
// table scan: expiring soon starts at the window (passes_expiring, so the
// passes that expired before it are not read), a card's history pages
// from a seq (ledger_pass), a period's from an instant (ledger_at), and a
// holder's cards (cards_holder).
func TestCardQueriesUseIndexes(t *testing.T) {
	st := planStore(t)
	for _, c := range []struct {
		name, query, index string
		args               []any
	}{
		{"Passes.Expiring", expiringQuery, "passes_expiring", []any{"n", "2026-04-01", "2026-03-01", "", 10}},
		{"Ledger.PassPage", passPageQuery, "ledger_pass", []any{"n", "p", 0, 10}},
		{"Ledger.PeriodPage", periodPageQuery, "ledger_at", []any{"n", "2026-03-01T00:00:00.000000000Z", -1, "2026-04-01T00:00:00.000000000Z", 10}},
		{"Cards.List by holder", `SELECT ` + cardCols + ` FROM cards WHERE network = ? AND id > ? AND holder = ? ORDER BY id LIMIT ?`,
			"cards_holder", []any{"n", "", "h", 10}},
	} {
		text := queryPlan(t, st, c.name, c.query, c.args...)
		if !strings.Contains(text, "INDEX "+c.index) || strings.Contains(text, "SCAN") || strings.Contains(text, "TEMP B-TREE") {
			t.Errorf("%s: plan %q, want a search of index %s with no scan or sort", c.name, text, c.index)
		}
	}
}
