package sqlite

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/store"
)

// The memo of decoded visits (visitmemo.go): a row decodes to what
// scanVisit makes of it, whether the memo held it or not, and a row that
// changed, by whatever writer, decodes anew.

// memoStore opens a migrated store with holder "h" at location "l" of
// network "n" and visit v put.
func memoStore(t *testing.T, v checkin.Visit) *Store {
	t.Helper()
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(t.TempDir(), "memo.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO networks (id, name, currency, zone) VALUES ('n', 'N', 'USD', 'UTC')`,
		`INSERT INTO locations (network, id, name, zone, day_cutoff, tier) VALUES ('n', 'l', 'L', 'UTC', 0, 0)`,
		`INSERT INTO holders (network, id, name, audience, team, health_declared_at) VALUES ('n', 'h', 'Ada', 'member', '', NULL)`,
	} {
		if _, err := st.w.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Update(ctx, func(tx store.Tx) error { return tx.Visits().Put(ctx, v) }); err != nil {
		t.Fatal(err)
	}
	return st
}

// memoVisitOf returns a closed visit of holder "h" with every kind of
// column set: instants, a nullable one left NULL, JSON lists, a fee and
// money.
func memoVisitOf(id string) checkin.Visit {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	end := start.Add(90 * time.Minute)
	return checkin.Visit{Network: "n", ID: id, Holder: "h", Location: "l", Kind: checkin.CheckInVisit, Mode: checkin.ByVisits,
		Status: checkin.Closed, Start: start, End: &end, Date: calendar.DateOf(start), Cost: 1, Pass: "p1",
		Consumptions: []checkin.Consumption{{Pass: "p1", Kind: "visits", Units: 1}},
		Charges:      []billing.DayCharge{{Date: calendar.DateOf(start), Amount: money.MustNew("2.50", "USD")}},
		Fee:          &billing.DayCharge{Date: calendar.DateOf(start), Amount: money.MustNew("1", "USD")},
		Debited:      money.MustNew("2.50", "USD")}
}

// rowValues returns the driver values of visit id's row.
func rowValues(t *testing.T, st *Store, id string) *wideRow {
	t.Helper()
	vals := make([]any, len(visitColumns))
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := st.w.QueryRowContext(context.Background(), `SELECT `+visitCols+` FROM visits WHERE network = 'n' AND id = ?`, id).
		Scan(ptrs...); err != nil {
		t.Fatal(err)
	}
	return &wideRow{vals: vals}
}

func TestVisitMemoDecodesAsScan(t *testing.T) {
	st := memoStore(t, memoVisitOf("v1"))
	m := newVisitMemo()
	row := rowValues(t, st, "v1")
	want, err := scanVisit(row)
	if err != nil {
		t.Fatal(err)
	}
	first, err := m.scanVisit(row)
	if err != nil {
		t.Fatal(err)
	}
	if m.len() != 1 {
		t.Fatalf("memo holds %d visits after one row, want 1", m.len())
	}
	// The first copy is the caller's: changing it changes no later read.
	first.Consumptions[0].Units = 7
	first.Charges[0].Amount = money.MustNew("9", "USD")
	*first.End = first.End.Add(time.Hour)
	first.Fee.Amount = money.MustNew("9", "USD")
	for i := range 2 {
		got, err := m.scanVisit(rowValues(t, st, "v1"))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("read %d from the memo:\ngot  %+v\nwant %+v", i, got, want)
		}
		got.Consumptions[0].Units = 8
	}
}

func TestVisitMemoSeesChangedRows(t *testing.T) {
	ctx := context.Background()
	st := memoStore(t, memoVisitOf("v1"))
	load := func() checkin.Visit {
		t.Helper()
		var s store.State
		q := store.StateQuery{Network: "n", Visit: "v1", FromVisit: 1, Lookback: 1}
		if err := st.View(ctx, func(tx store.Tx) (err error) { s, err = store.Load(ctx, tx, q); return err }); err != nil {
			t.Fatal(err)
		}
		return s.Visit
	}
	if v := load(); v.Terms != "" || st.visits.len() != 1 {
		t.Fatalf("first read: terms %q, memo of %d visits", v.Terms, st.visits.len())
	}
	// Another writer (plain SQL) changes the row: the next read decodes it.
	if _, err := st.w.ExecContext(ctx, `UPDATE visits SET terms = 'tr', end_at = NULL WHERE id = 'v1'`); err != nil {
		t.Fatal(err)
	}
	v := load()
	if v.Terms != "tr" || v.End != nil {
		t.Errorf("after an UPDATE by plain SQL: terms %q, end %v; want \"tr\" and nil", v.Terms, v.End)
	}
	want, err := scanVisit(rowValues(t, st, "v1"))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(v, want) {
		t.Errorf("state's visit:\ngot  %+v\nwant %+v", v, want)
	}
	// A change of storage class only (an integer stored as text) is a
	// change too.
	if _, err := st.w.ExecContext(ctx, `UPDATE visits SET terms = 5 WHERE id = 'v1'`); err != nil {
		t.Fatal(err)
	}
	if v := load(); v.Terms != "5" {
		t.Errorf("after terms = 5: terms %q", v.Terms)
	}
}

func TestVisitMemoBound(t *testing.T) {
	st := memoStore(t, memoVisitOf("v1"))
	m := newVisitMemo()
	row := rowValues(t, st, "v1")
	for i := range visitMemoSize + 10 {
		row.vals[1] = "v" + time.Duration(i).String() // a visit ID of its own
		if _, err := m.scanVisit(row); err != nil {
			t.Fatal(err)
		}
	}
	if n := m.len(); n != visitMemoSize {
		t.Errorf("memo holds %d visits, want its bound %d", n, visitMemoSize)
	}
}
