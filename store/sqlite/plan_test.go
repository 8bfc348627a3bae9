package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestHotPathUsesIndexes: the queries of the check-in path read the
// indexes that keep them on live rows (DESIGN: the hot path's cost does
// not grow with history), never a table scan.
func TestHotPathUsesIndexes(t *testing.T) {
	st := planStore(t)
	for _, c := range []struct {
		name, query string
		args        []any
		want        []string
	}{
		{"Passes.Live", liveQuery + ` ORDER BY id`, []any{"n", "h"}, []string{"passes_live_holder"}},
		{"Passes.Live with a team", liveQuery + liveTeamQuery + ` ORDER BY id`,
			[]any{"n", "h", "n", "t"}, []string{"passes_live_holder", "passes_live_team"}},
		{"Visits.Open", openQuery, []any{"n", "h"}, []string{"visits_open"}},
		{"Visits.OnDates", onDatesQuery, []any{"n", "h", "2026-03-01", "2026-03-02"}, []string{"visits_holder_date"}},
		{"Passes.ByCode", byCodeQuery, []any{"n", "x"}, []string{"passes_code"}},
		{"Ledger.List by pass", `SELECT ` + ledgerCols + ` FROM ledger WHERE network = ? AND pass = ? ORDER BY seq LIMIT ? OFFSET ?`,
			[]any{"n", "p", -1, 0}, []string{"ledger_pass"}},
	} {
		text := queryPlan(t, st, c.name, c.query, c.args...)
		for _, idx := range c.want {
			if !strings.Contains(text, "INDEX "+idx) {
				t.Errorf("%s: plan %q does not use index %s", c.name, text, idx)
			}
		}
		if strings.Contains(text, "SCAN passes") || strings.Contains(text, "SCAN visits") || strings.Contains(text, "SCAN ledger") {
			t.Errorf("%s: plan %q scans a table", c.name, text)
		}
	}
}

// queryPlan returns SQLite's plan of query, its steps joined by "; ".
func queryPlan(t *testing.T, st *Store, name, query string, args ...any) string {
	t.Helper()
	rows, err := st.DB().QueryContext(context.Background(), `EXPLAIN QUERY PLAN `+query, args...)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	return strings.Join(plan, "; ")
}

// planStore returns a new migrated store in t's temporary directory,
// closed when t ends.
func planStore(t *testing.T) *Store {
	t.Helper()
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(t.TempDir(), "plan.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestStateQueryUsesIndexes: every variant of LoadState's one statement
// reads the live indexes: the window's open visits through visits_open
// (not every visit at the location), the holder's visits by date, live
// passes, named passes by key; it scans no table.
func TestStateQueryUsesIndexes(t *testing.T) {
	st := planStore(t)
	for v := range len(stateQueries) {
		text := queryPlan(t, st, fmt.Sprint("variant ", v), stateQuery(v),
			"n", "h", "l", "2026-03-01", "2026-03-02", 1, "v", "[]", "k")
		for _, idx := range []string{"visits_open", "visits_holder_date", "passes_live_holder", "passes_live_team"} {
			if !strings.Contains(text, "INDEX "+idx) {
				t.Errorf("variant %d: plan %q does not use index %s", v, text, idx)
			}
		}
		for _, bad := range []string{"visits_location_date", "SCAN passes", "SCAN visits", "SCAN ledger"} {
			if strings.Contains(text, bad) {
				t.Errorf("variant %d: plan %q uses %s", v, text, bad)
			}
		}
	}
}
