package sqlite

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/passengine/passengine/store"
)

// visitVersionsVersion is the migration that adds the versions of visits.
const visitVersionsVersion = 7

// TestMigrationVisitVersionsKeepsRows: a database made by the schema
// before the versions of visits (every migration before 0007), with
// visits of two holders in two networks, opens, migrates and keeps every
// row as it was, each visit at version 1; a state read returns the
// visits (the second from the memo), a write raises a visit's version,
// and the triggers of pass_versions that 0007 replaces still raise the
// owners a move of a pass changes.
func TestMigrationVisitVersionsKeepsRows(t *testing.T) {
	ctx := context.Background()
	st, path, ms := openBefore(t, visitVersionsVersion)
	const visitRow = `INSERT INTO visits (network, id, holder, location, kind, mode, status, start_at, end_at, service_date, cost,
		pass, covered_by, payg, consumptions, charges, uncovered_minutes, auto_closed, activated, cancelled_at, late_cancel,
		cancelled_by, fee, terms, settled_at, debited, debited_currency, owed, owed_currency)
		VALUES (?, ?, ?, 'l', 'check_in', 'visits', ?, ?, ?, ?, 1, '', '', '', '[]', '[]', 0, 0, '', NULL, 0, '', '', '', NULL,
		'0', '', '', '')`
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO networks (id, name, currency, zone) VALUES ('n', 'N', 'USD', 'UTC'), ('m', 'M', 'USD', 'UTC')`, nil},
		{`INSERT INTO locations (network, id, name, zone, day_cutoff, tier) VALUES ('n', 'l', 'L', 'UTC', 0, 0)`, nil},
		{`INSERT INTO holders (network, id, name, audience, team, health_declared_at) VALUES ('n', 'h', 'Ada', 'member', '', NULL)`, nil},
		{visitRow, []any{"n", "a", "h", "closed", "2026-03-01T09:00:00.000000000Z", "2026-03-01T10:00:00.000000000Z", "2026-03-01"}},
		{visitRow, []any{"n", "b", "h", "open", "2026-03-02T09:00:00.000000000Z", nil, "2026-03-02"}},
		{visitRow, []any{"n", "c", "k", "closed", "2026-03-02T11:00:00.000000000Z", "2026-03-02T12:00:00.000000000Z", "2026-03-02"}},
		{visitRow, []any{"m", "a", "g", "closed", "2026-03-01T09:00:00.000000000Z", "2026-03-01T10:00:00.000000000Z", "2026-03-01"}},
	} {
		if _, err := st.w.ExecContext(ctx, q.sql, q.args...); err != nil {
			t.Fatalf("write with the previous schema: %v", err)
		}
	}
	before := dumpTable(t, st, "visits")
	st = reopenMigrated(t, st, path, ms)
	after := dumpTable(t, st, "visits")
	for i, row := range after {
		if n := len(row); n == 0 || row[n-1] != "version=int64:1" {
			t.Errorf("visit row %d after Migrate: %v, want version 1", i, row)
			continue
		}
		after[i] = row[:len(row)-1]
	}
	if !reflect.DeepEqual(after, before) {
		t.Errorf("visits after Migrate:\ngot  %v\nwant %v", after, before)
	}
	q := store.StateQuery{Network: "n", Visit: "b", FromVisit: -1, Lookback: 1}
	for i := range 2 {
		served := st.visits.served.Load()
		var s store.State
		if err := st.View(ctx, func(tx store.Tx) (err error) { s, err = store.Load(ctx, tx, q); return err }); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, v := range s.Recent {
			ids = append(ids, v.ID)
		}
		if s.Visit.ID != "b" || len(s.Open) != 1 || !reflect.DeepEqual(ids, []string{"a", "b"}) {
			t.Errorf("read %d: visit %q, open %d, recent %v", i, s.Visit.ID, len(s.Open), ids)
		}
		if fromMemo := st.visits.served.Load() > served; fromMemo != (i == 1) {
			t.Errorf("read %d: from the memo %t", i, fromMemo)
		}
	}
	if _, err := st.w.ExecContext(ctx, `UPDATE visits SET status = 'closed' WHERE network = 'n' AND id = 'b'`); err != nil {
		t.Fatal(err)
	}
	if v := visitVersionOf(t, st, "b"); v != 2 {
		t.Errorf("b's version after a write: %d, want 2", v)
	}
	var triggers []string
	rows, err := st.w.QueryContext(ctx, `SELECT name || ': ' || sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'passes' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		triggers = append(triggers, s)
	}
	if len(triggers) != 10 {
		t.Errorf("%d triggers on passes, want migration 6's 10:\n%s", len(triggers), strings.Join(triggers, "\n"))
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("Migrate again: %v", err)
	}
}

// dumpTable returns every row of table, every column as name=type:value,
// by network and ID (networks: by ID).
func dumpTable(t *testing.T, st *Store, table string) [][]string {
	t.Helper()
	order := "network, id"
	if table == "networks" {
		order = "id"
	}
	rows, err := st.w.QueryContext(context.Background(), `SELECT * FROM `+table+` ORDER BY `+order)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = fmt.Sprintf("%s=%T:%v", cols[i], v, v)
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
