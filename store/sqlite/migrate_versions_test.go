package sqlite

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/store"
)

// versionsVersion is the migration that adds pass_versions.
const versionsVersion = 6

// TestMigrationPassVersionsKeepsRows: a database made by the schema before
// pass_versions (every migration before 0006), with passes of holders and
// of a team in two networks, used-up ones among them, opens, migrates and
// keeps every row as it was; each owner of a pass starts at version 1, a
// state read returns the live passes, and a write raises the owner's
// version.
func TestMigrationPassVersionsKeepsRows(t *testing.T) {
	ctx := context.Background()
	st, path, ms := openBefore(t, versionsVersion)
	const passRow = `INSERT INTO passes (network, id, product, holder, team, kind, source, units, balance, unit_value,
		unit_value_currency, price, price_currency, paid, paid_at, paid_by, locations, tier, audience, priority, activation,
		locked, validity_months, validity_days, activated_on, activated_by, expires_on, freezes, uses, issued_at, issued_on,
		code_hash, code_sealed, paid_with, card, revoked, expiry) VALUES (?, ?, 'p', ?, ?, 'visits', 'product', 10, ?, '10', 'USD',
		'100', 'USD', 1, NULL, '', '', 0, '', '', 'on_purchase', 0, 0, 0, '2026-03-01', '', '', '', 0,
		'2026-03-01T09:00:00.000000000Z', '2026-03-01', '', '', '', '', 0, '')`
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO networks (id, name, currency, zone) VALUES ('n', 'N', 'USD', 'UTC'), ('m', 'M', 'USD', 'UTC')`, nil},
		{`INSERT INTO locations (network, id, name, zone, day_cutoff, tier) VALUES ('n', 'l', 'L', 'UTC', 0, 0)`, nil},
		{`INSERT INTO teams (network, id, name, credit_sharing) VALUES ('n', 't', 'T', 1)`, nil},
		{`INSERT INTO holders (network, id, name, audience, team, health_declared_at) VALUES ('n', 'h', 'Ada', 'member', 't', NULL)`, nil},
		{passRow, []any{"n", "h1", "h", "", 4}},
		{passRow, []any{"n", "h2", "h", "", 0}},
		{passRow, []any{"n", "h3", "h", "", 7}},
		{passRow, []any{"n", "t1", "", "t", 2}},
		{passRow, []any{"m", "g1", "g", "", 1}},
	} {
		if _, err := st.w.ExecContext(ctx, q.sql, q.args...); err != nil {
			t.Fatalf("write with the previous schema: %v", err)
		}
	}
	before := dumpPasses(t, st)
	st = reopenMigrated(t, st, path, ms)
	if after := dumpPasses(t, st); !reflect.DeepEqual(after, before) {
		t.Errorf("passes after Migrate:\ngot  %v\nwant %v", after, before)
	}
	versions := func() map[string]int64 {
		t.Helper()
		rows, err := st.w.QueryContext(ctx, `SELECT network, kind, owner, version FROM pass_versions`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]int64{}
		for rows.Next() {
			var n, k, o string
			var v int64
			if err := rows.Scan(&n, &k, &o, &v); err != nil {
				t.Fatal(err)
			}
			out[n+"/"+k+"/"+o] = v
		}
		return out
	}
	want := map[string]int64{"n/holder/h": 1, "n/team/t": 1, "m/holder/g": 1}
	if got := versions(); !reflect.DeepEqual(got, want) {
		t.Errorf("pass_versions after Migrate: got %v, want %v", got, want)
	}
	q := store.StateQuery{Network: "n", Holder: "h", Location: "l", From: calendar.NewDate(2026, 3, 1), To: calendar.NewDate(2026, 3, 1)}
	for i := range 2 { // the second read is the cache's
		var s store.State
		if err := st.View(ctx, func(tx store.Tx) (err error) { s, err = store.Load(ctx, tx, q); return err }); err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, p := range s.Live {
			ids = append(ids, fmt.Sprint(p.ID, ":", p.Balance))
		}
		if w := []string{"h1:4", "h3:7", "t1:2"}; !reflect.DeepEqual(ids, w) {
			t.Errorf("read %d: live passes %v, want %v", i, ids, w)
		}
	}
	if _, err := st.w.ExecContext(ctx, `UPDATE passes SET balance = 3 WHERE network = 'n' AND id = 'h1'`); err != nil {
		t.Fatal(err)
	}
	if got := versions()["n/holder/h"]; got != 2 {
		t.Errorf("h's version after a write: %d, want 2", got)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("Migrate again: %v", err)
	}
}

// dumpPasses returns every row of passes, every column as text, by
// network and ID (dumpTable).
func dumpPasses(t *testing.T, st *Store) [][]string {
	t.Helper()
	return dumpTable(t, st, "passes")
}

// TestPassVersionsTriggers: every kind of write to a pass row raises the
// version of each owner whose passes it changes, the store's put of a
// pass by its own owner by exactly one (the cache's write-through counts
// on it), and the deletes of INSERT OR REPLACE and UPDATE OR REPLACE,
// which fire no delete trigger, too.
func TestPassVersionsTriggers(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, t.TempDir()+"/v.db")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	row := func(id, holder, team, code string, balance int) []any {
		return []any{"n", id, "p", holder, team, "visits", "product", 10, balance, "10", "USD", "100", "USD", 1, nil, "", "",
			0, "", "", "on_purchase", 0, 0, 0, "", "", "", "", 0, "2026-03-01T09:00:00.000000000Z", "2026-03-01", code, "",
			"", "", 0, ""}
	}
	replace := "INSERT OR REPLACE" + putPass[len("INSERT"):strings.Index(putPass, " ON CONFLICT")]
	version := func(kind, owner string) int64 {
		var v int64
		if err := st.w.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM pass_versions
			WHERE network = 'n' AND kind = ? AND owner = ?`, kind, owner).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	type owner struct{ kind, id string }
	h, g, k, tm := owner{"holder", "h"}, owner{"holder", "g"}, owner{"holder", "k"}, owner{"team", "t"}
	for _, c := range []struct {
		what   string
		sql    string
		args   []any
		raised []owner // each by at least one
		exact  bool    // each by exactly one
		same   []owner
	}{
		{"insert h's pass a", putPass, row("a", "h", "", "", 1), []owner{h}, true, []owner{g, tm}},
		{"put a again", putPass, row("a", "h", "", "", 2), []owner{h}, true, []owner{g, tm}},
		{"insert b of h and t with code c", putPass, row("b", "h", "t", "c", 2), []owner{h, tm}, true, []owner{g}},
		{"put a to g", putPass, row("a", "g", "", "", 2), []owner{h, g}, false, []owner{tm}},
		{"insert or replace k's c with code c", replace, row("c", "k", "", "c", 2), []owner{h, tm, k}, false, []owner{g}},
		{"update or replace g's a to c's code", `UPDATE OR REPLACE passes SET code_hash = 'c' WHERE network = 'n' AND id = 'a'`,
			nil, []owner{g, k}, false, []owner{h, tm}},
		{"update a's balance", `UPDATE passes SET balance = 0 WHERE network = 'n' AND id = 'a'`, nil, []owner{g}, true, []owner{h, k, tm}},
		{"delete a", `DELETE FROM passes WHERE network = 'n' AND id = 'a'`, nil, []owner{g}, true, []owner{h, k, tm}},
	} {
		before := map[owner]int64{}
		for _, o := range []owner{h, g, k, tm} {
			before[o] = version(o.kind, o.id)
		}
		if _, err := st.w.ExecContext(ctx, c.sql, c.args...); err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
		for _, o := range c.raised {
			if v := version(o.kind, o.id); v <= before[o] || c.exact && v != before[o]+1 {
				t.Errorf("%s: %s %s at version %d, was %d (exactly one more: %t)", c.what, o.kind, o.id, v, before[o], c.exact)
			}
		}
		for _, o := range c.same {
			if v := version(o.kind, o.id); v != before[o] {
				t.Errorf("%s: %s %s at version %d, was %d", c.what, o.kind, o.id, v, before[o])
			}
		}
	}
}
