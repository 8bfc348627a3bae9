package memstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/store"
)

// TestVisitWrittenOverUndone: a check-out's Put, which memstore writes
// over the open visit's row, is undone with the rest of a failed unit of
// work: the visit is open again, in Open and OnDates as in Get, and a
// later check-out that commits closes it.
func TestVisitWrittenOverUndone(t *testing.T) {
	ctx := context.Background()
	st := allocWorld(t, 1) // visit-5 open on 2026-03-05
	get := func() (checkin.Visit, []checkin.Visit, []checkin.Visit) {
		t.Helper()
		var v checkin.Visit
		var open, on []checkin.Visit
		err := st.View(ctx, func(tx store.Tx) (err error) {
			if v, err = tx.Visits().Get(ctx, "n", "visit-5"); err != nil {
				return err
			}
			if open, err = tx.Visits().Open(ctx, "n", "ada"); err != nil {
				return err
			}
			d := calendar.DateOf(time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC))
			on, err = tx.Visits().OnDates(ctx, "n", "ada", d, d)
			return err
		})
		if err != nil {
			t.Fatalf("reading visit-5: %v", err)
		}
		return v, open, on
	}
	before, _, _ := get()
	end := time.Date(2026, 3, 5, 10, 0, 0, 0, time.UTC)
	closed := before
	closed.Status, closed.End = checkin.Closed, &end
	closed.Consumptions = append(closed.Consumptions, checkin.Consumption{Pass: "live-000", Units: 2})
	errFail := errors.New("fail")
	err := st.Update(ctx, func(tx store.Tx) error {
		if err := tx.Visits().Put(ctx, closed); err != nil {
			return err
		}
		open, err := tx.Visits().Open(ctx, "n", "ada")
		if err != nil || len(open) != 0 {
			t.Errorf("Open inside the unit of work: got %d visits (%v), want none", len(open), err)
		}
		return errFail
	})
	if !errors.Is(err, errFail) {
		t.Fatalf("Update: got %v, want the closure's error", err)
	}
	v, open, on := get()
	if v.Status != checkin.Open || v.End != nil || len(v.Consumptions) != 1 {
		t.Errorf("after the rollback: got status %s, end %v, %d consumptions; want open, nil, 1", v.Status, v.End, len(v.Consumptions))
	}
	if len(open) != 1 || open[0].ID != "visit-5" || len(on) != 1 || on[0].Status != checkin.Open {
		t.Errorf("after the rollback: got %d open visits and %d on the day (%v), want visit-5 open in both", len(open), len(on), on)
	}
	if err := st.Update(ctx, func(tx store.Tx) error { return tx.Visits().Put(ctx, closed) }); err != nil {
		t.Fatalf("Update: %v", err)
	}
	v, open, on = get()
	if v.Status != checkin.Closed || v.End == nil || !v.End.Equal(end) || len(v.Consumptions) != 2 || len(open) != 0 || len(on) != 1 || on[0].Status != checkin.Closed {
		t.Errorf("after the check-out: got status %s, end %v, %d consumptions, %d open, %d on the day; want closed at %v, 2, 0, 1",
			v.Status, v.End, len(v.Consumptions), len(open), len(on), end)
	}
}
