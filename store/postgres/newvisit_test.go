package postgres

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/store"
)

// deferVisit runs an Update of st that runs read (if set), then Defers v,
// and returns the statement it held for v and the Update's error.
func deferVisit(t *testing.T, st *Store, v checkin.Visit, read func(tx store.Tx) error) (string, error) {
	t.Helper()
	var held string
	SetFault(st, func(point, sql string, _ []any) error {
		if point == "statement" && strings.HasPrefix(sql, "INSERT INTO visits") {
			held = sql
		}
		return nil
	})
	defer SetFault(st, nil)
	err := st.Update(context.Background(), func(tx store.Tx) error {
		if read != nil {
			if err := read(tx); err != nil {
				return err
			}
		}
		return tx.(store.CommitWriter).Defer(context.Background(), store.Writes{Visits: []checkin.Visit{v}})
	})
	return held, err
}

// TestDeferInsertsVisitsItHasNotRead: Defer inserts a visit the unit of
// work has not read with a plain INSERT and upserts one it read. A visit
// that exists though the unit of work did not read it fails the unit of
// work with store.ErrConflict, changing nothing, and the unit of work run
// again upserts it: one retry, never a lost write.
func TestDeferInsertsVisitsItHasNotRead(t *testing.T) {
	ctx := context.Background()
	st := NewTestStore(t)
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	v := checkin.Visit{Network: "n", ID: "v1", Holder: "h", Location: "l", Kind: checkin.CheckInVisit,
		Mode: checkin.ByVisits, Status: checkin.Open, Start: start, Date: calendar.MustDate("2026-03-02"), Cost: 1, Pass: "p"}
	upsert := func(sql string) bool { return strings.Contains(sql, "ON CONFLICT") }

	// New: a plain INSERT.
	if sql, err := deferVisit(t, st, v, nil); err != nil || upsert(sql) {
		t.Fatalf("a new visit: %v, statement %q; want a plain INSERT", err, oneLine(sql))
	}
	get := func() checkin.Visit {
		t.Helper()
		var got checkin.Visit
		if err := st.View(ctx, func(tx store.Tx) (err error) { got, err = tx.Visits().Get(ctx, "n", "v1"); return err }); err != nil {
			t.Fatal(err)
		}
		return got
	}

	// Read in the unit of work, by LoadState or a repository read: the
	// upsert.
	v.Cost = 2
	for name, read := range map[string]func(tx store.Tx) error{
		"Get":  func(tx store.Tx) error { _, err := tx.Visits().Get(ctx, "n", "v1"); return err },
		"Open": func(tx store.Tx) error { _, err := tx.Visits().Open(ctx, "n", "h"); return err },
		"LoadState": func(tx store.Tx) error {
			_, err := tx.(store.StateLoader).LoadState(ctx, store.StateQuery{Network: "n", Visit: "v1"})
			if errors.Is(err, store.ErrNotFound) { // no network or holder: the visit was read all the same
				return nil
			}
			return err
		},
	} {
		v.Cost++
		if sql, err := deferVisit(t, st, v, read); err != nil || !upsert(sql) {
			t.Fatalf("a visit read by %s: %v, statement %q; want the upsert", name, err, oneLine(sql))
		}
		if got := get(); got.Cost != v.Cost {
			t.Errorf("after the upsert of a visit read by %s: cost %d, want %d", name, got.Cost, v.Cost)
		}
	}

	// Not read, though it exists: ErrConflict, then the upsert.
	v.Cost++
	if _, err := deferVisit(t, st, v, nil); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("an existing visit not read: %v, want store.ErrConflict", err)
	}
	if got := get(); got.Cost != v.Cost-1 {
		t.Errorf("after the failed INSERT: cost %d, want %d (unchanged)", got.Cost, v.Cost-1)
	}
	if sql, err := deferVisit(t, st, v, nil); err != nil || !upsert(sql) {
		t.Fatalf("run again: %v, statement %q; want the upsert", err, oneLine(sql))
	}
	if got := get(); got.Cost != v.Cost {
		t.Errorf("after the retry: cost %d, want %d", got.Cost, v.Cost)
	}
}
