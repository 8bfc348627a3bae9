package sqlite

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/store"
)

// The versions of visits (migration 7) and the state reads that take
// visits from the memo by them (visitmemo.go).

// visitVersionOf returns the version of visit id's row, 0 for no row.
func visitVersionOf(t *testing.T, st *Store, id string) int64 {
	t.Helper()
	var v int64
	if err := st.w.QueryRowContext(context.Background(), `SELECT coalesce(max(version), 0) FROM visits
		WHERE network = 'n' AND id = ?`, id).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestVisitVersionsTriggers: every kind of write to a visit row leaves it
// at a version above every version its key had before, whoever writes
// it: an update that does not raise the version, one that lowers it, a
// delete and insert of the key again, INSERT OR REPLACE, and UPDATE OR
// REPLACE that moves a row onto another's key or away from its own; the
// store's own put of a row it read raises it by exactly one.
func TestVisitVersionsTriggers(t *testing.T) {
	ctx := context.Background()
	st := memoStore(t, memoVisitOf("v1"))
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := st.w.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if v := visitVersionOf(t, st, "v1"); v != 1 {
		t.Fatalf("a new visit at version %d, want 1", v)
	}
	highest := map[string]int64{"v1": 1}
	raised := func(what, id string) {
		t.Helper()
		v := visitVersionOf(t, st, id)
		if v <= highest[id] {
			t.Errorf("%s: %s at version %d, had %d", what, id, v, highest[id])
		}
		highest[id] = v
	}
	exec(`UPDATE visits SET terms = 'a' WHERE id = 'v1'`)
	raised("an update without the version", "v1")
	exec(`UPDATE visits SET terms = 'b', version = 0 WHERE id = 'v1'`)
	raised("an update lowering the version", "v1")
	exec(`UPDATE visits SET terms = 'c', version = version WHERE id = 'v1'`)
	raised("an update keeping the version", "v1")
	exec(`DELETE FROM visits WHERE id = 'v1'`)
	if err := st.Update(ctx, func(tx store.Tx) error { return tx.Visits().Put(ctx, memoVisitOf("v1")) }); err != nil {
		t.Fatal(err)
	}
	raised("a delete and the store's insert of the key again", "v1")
	exec(`DELETE FROM visits WHERE id = 'v1'`)
	exec(`INSERT INTO visits SELECT * FROM visits WHERE 0`) // nothing
	replace := "INSERT OR REPLACE" + putVisit[len("INSERT"):strings.Index(putVisit, " ON CONFLICT")]
	args := func(id, terms string) []any {
		v := memoVisitOf(id)
		return []any{v.Network, v.ID, v.Holder, v.Location, string(v.Kind), string(v.Mode), string(v.Status),
			"2026-03-02T09:00:00.000000000Z", nil, "2026-03-02", 1, "p1", "", "", "[]", "[]", 0, 0, "", nil, 0, "", "", terms, nil,
			"0", "", "", ""}
	}
	exec(replace, args("v1", "d")...)
	raised("a delete and an insert without the version", "v1")
	exec(replace, args("v1", "e")...)
	raised("INSERT OR REPLACE of the key", "v1")
	exec(replace, args("v2", "f")...)
	highest["v2"] = visitVersionOf(t, st, "v2")
	for range 3 {
		exec(`UPDATE visits SET terms = terms || 'x' WHERE id = 'v2'`)
	}
	raised("three updates", "v2")
	exec(`UPDATE OR REPLACE visits SET id = 'v2' WHERE id = 'v1'`)
	raised("UPDATE OR REPLACE of v1 onto v2's key", "v2")
	exec(replace, args("v1", "g")...)
	raised("an insert at the key moved away from", "v1")
	// The store's put of a visit it read: exactly one more.
	before := visitVersionOf(t, st, "v1")
	q := store.StateQuery{Network: "n", Visit: "v1", FromVisit: 0, Lookback: 1}
	if err := st.Update(ctx, func(tx store.Tx) error {
		s, err := store.Load(ctx, tx, q)
		if err != nil {
			return err
		}
		s.Visit.Terms = "h"
		return tx.Visits().Put(ctx, s.Visit)
	}); err != nil {
		t.Fatal(err)
	}
	if v := visitVersionOf(t, st, "v1"); v != before+1 {
		t.Errorf("the store's put of a visit it read: version %d, want %d", v, before+1)
	}
}

// loadVisit reads visit id's state in a View: the named visit and the
// window's visits.
func loadVisit(t *testing.T, st *Store, id string) store.State {
	t.Helper()
	ctx := context.Background()
	var s store.State
	q := store.StateQuery{Network: "n", Visit: id, FromVisit: -1, Lookback: 1}
	if err := st.View(ctx, func(tx store.Tx) (err error) { s, err = store.Load(ctx, tx, q); return err }); err != nil {
		t.Fatal(err)
	}
	return s
}

// rowVisit returns visit id as its row decodes.
func rowVisit(t *testing.T, st *Store, id string) checkin.Visit {
	t.Helper()
	v, err := scanVisit(rowValues(t, st, id))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestVisitMemoByVersion: a state read takes the visits from the memo
// when it holds them at their versions, and reads the rows when another
// writer changed, deleted and inserted, or replaced one; a unit of work
// that rolled back teaches the memo nothing, even when another writer
// then brings the row to the version the rolled-back put wrote.
func TestVisitMemoByVersion(t *testing.T) {
	ctx := context.Background()
	st := memoStore(t, memoVisitOf("v1"))
	other := memoVisitOf("v0") // the day before, in v1's window
	other.Start = other.Start.AddDate(0, 0, -1)
	*other.End = other.End.AddDate(0, 0, -1)
	other.Date = calendar.DateOf(other.Start)
	if err := st.Update(ctx, func(tx store.Tx) error { return tx.Visits().Put(ctx, other) }); err != nil {
		t.Fatal(err)
	}
	check := func(what string, fromMemo bool) {
		t.Helper()
		served := st.visits.served.Load()
		s := loadVisit(t, st, "v1")
		if got := st.visits.served.Load() > served; got != fromMemo {
			t.Errorf("%s: visits from the memo %t, want %t", what, got, fromMemo)
		}
		if want := rowVisit(t, st, "v1"); !reflect.DeepEqual(s.Visit, want) {
			t.Errorf("%s: visit\ngot  %+v\nwant %+v", what, s.Visit, want)
		}
		if len(s.Recent) != 2 || !reflect.DeepEqual(s.Recent[0], rowVisit(t, st, "v0")) || !reflect.DeepEqual(s.Recent[1], s.Visit) {
			t.Errorf("%s: recent visits %+v", what, s.Recent)
		}
	}
	// The store put both: their versions are known, no row is read.
	check("after the store's puts", true)
	check("again", true)
	exec := func(q string) {
		t.Helper()
		if _, err := st.w.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	exec(`UPDATE visits SET terms = 'plain' WHERE id = 'v0'`)
	check("after another writer's update of v0", false)
	check("read again", true)
	exec(`DELETE FROM visits WHERE id = 'v1'`)
	exec(`INSERT INTO visits SELECT network, 'v1', holder, location, kind, mode, status, start_at, end_at, service_date, cost, pass,
		covered_by, payg, consumptions, charges, uncovered_minutes, auto_closed, activated, cancelled_at, late_cancel, cancelled_by, fee,
		'again', settled_at, debited, debited_currency, owed, owed_currency, 1 FROM visits WHERE id = 'v0'`)
	check("after a delete and an insert of v1 at version 1", false)
	check("read again", true)
	exec(`INSERT OR REPLACE INTO visits SELECT network, id, holder, location, kind, mode, status, start_at, end_at, service_date, cost,
		pass, covered_by, payg, consumptions, charges, uncovered_minutes, auto_closed, activated, cancelled_at, late_cancel,
		cancelled_by, fee, 'replaced', settled_at, debited, debited_currency, owed, owed_currency, 1 FROM visits WHERE id = 'v1'`)
	check("after INSERT OR REPLACE of v1", false)
	// A rolled-back put of v1 at version n+1; another writer then brings
	// the row to n+1 with other values.
	errRollback := errors.New("roll back")
	n := visitVersionOf(t, st, "v1")
	if err := st.Update(ctx, func(tx store.Tx) error {
		s, err := store.Load(ctx, tx, store.StateQuery{Network: "n", Visit: "v1", FromVisit: -1, Lookback: 1})
		if err != nil {
			return err
		}
		s.Visit.Terms = "rolled back"
		if err := tx.Visits().Put(ctx, s.Visit); err != nil {
			return err
		}
		return errRollback
	}); !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
	exec(`UPDATE visits SET terms = 'other' WHERE id = 'v1'`)
	if v := visitVersionOf(t, st, "v1"); v != n+1 {
		t.Fatalf("v1 at version %d, want %d", v, n+1)
	}
	check("after a rolled-back put and another writer's update to its version", false)
	if s := loadVisit(t, st, "v1"); s.Visit.Terms != "other" {
		t.Errorf("terms %q, want \"other\"", s.Visit.Terms)
	}
	// A committed put is the memo's.
	if err := st.Update(ctx, func(tx store.Tx) error {
		s, err := store.Load(ctx, tx, store.StateQuery{Network: "n", Visit: "v1", FromVisit: -1, Lookback: 1})
		if err != nil {
			return err
		}
		s.Visit.Terms = "committed"
		return tx.Visits().Put(ctx, s.Visit)
	}); err != nil {
		t.Fatal(err)
	}
	check("after a committed put", true)
	if s := loadVisit(t, st, "v1"); s.Visit.Terms != "committed" {
		t.Errorf("terms %q, want \"committed\"", s.Visit.Terms)
	}
}
