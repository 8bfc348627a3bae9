package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/card"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

// testStateLoader: a Tx that is a store.StateLoader returns, for holders
// with and without a team, open visits on earlier days, used-up passes
// named by recent visits, a named visit and a lineage with a missing pass,
// exactly what store.ReadState returns through the repositories, inside
// Update and inside View; and the same errors for an unknown network,
// holder, location or visit. A store without StateLoader skips it.
func (s *suite) testStateLoader(t *testing.T) {
	st := s.store(t)
	if !isStateLoader(t, st) {
		t.Skip("the store's Tx is not a store.StateLoader")
	}
	eng, clock := newHub(t, st)
	ctx := context.Background()
	must(t, "PutTeam", eng.PutTeam(ctx, catalog.Team{Network: hub, ID: "crew", CreditSharing: true}))
	must(t, "PutHolder", eng.PutHolder(ctx, catalog.Holder{Network: hub, ID: "cy", Audience: catalog.Member, Team: "crew"}))
	must(t, "PutProduct", eng.PutProduct(ctx, pass.Product{Network: hub, ID: "day-1", Name: "1 day", Kind: pass.Day,
		Units: 1, Price: usd("30"), Activation: pass.OnPurchase}))
	one := issue(t, eng, "issue-1", hub, "day-1", "ada", "")
	five := issue(t, eng, "issue-5", hub, "day-5", "ada", "")
	issue(t, eng, "issue-crew", hub, "hours-8", "", "crew")
	clock.Set(hubAt(2, 8, 0))
	day2 := checkIn(t, eng, "ada-in-2", "ada", "downtown", hubAt(2, 9, 0))
	checkOut(t, eng, "ada-out-2", day2.Visit.ID, hubAt(2, 17, 0))
	day3 := checkIn(t, eng, "ada-in-3", "ada", "uptown", hubAt(3, 9, 0))
	checkOut(t, eng, "ada-out-3", day3.Visit.ID, hubAt(3, 12, 0))
	open := checkIn(t, eng, "ada-in-4", "ada", "downtown", hubAt(4, 22, 0)) // left open
	cy := checkIn(t, eng, "cy-in-3", "cy", "downtown", hubAt(3, 9, 0))
	checkOut(t, eng, "cy-out-3", cy.Visit.ID, hubAt(3, 11, 0))
	ben := checkIn(t, eng, "ben-in-3", "ben", "uptown", hubAt(3, 10, 0))
	checkOut(t, eng, "ben-out-3", ben.Visit.ID, hubAt(3, 10, 50))

	d := func(day int) calendar.Date { return calendar.DateOf(hubAt(day, 12, 0)) }
	queries := map[string]store.StateQuery{
		"open since yesterday": {Network: hub, Holder: "ada", Location: "downtown", From: d(5), To: d(6)},
		"look back two days":   {Network: hub, Holder: "ada", Location: "downtown", From: d(5), To: d(6), Lookback: 2},
		"visit and lineage": {Network: hub, Holder: "ada", Location: "uptown", Visit: day3.Visit.ID, From: d(3), To: d(3),
			Lineage: []string{five.ID, "no-such-pass", one.ID}},
		"all days": {Network: hub, Holder: "ada", Location: "uptown", From: d(1), To: d(9)},
		"team":     {Network: hub, Holder: "cy", Location: "downtown", Visit: cy.Visit.ID, From: d(2), To: d(4)},
		"PAYG":     {Network: hub, Holder: "ben", Location: "uptown", From: d(3), To: d(3)},
		"nothing":  {Network: hub, Holder: "dee", Location: "uptown", From: d(3), To: d(3)},
		// A call on a visit names only the visit: its holder and location,
		// and a window from its day, come from the visit.
		"visit first":      {Network: hub, Visit: day3.Visit.ID, FromVisit: -2, To: d(4), Lookback: 2},
		"visit first open": {Network: hub, Visit: open.Visit.ID, FromVisit: -1, To: d(6)},
		"visit first team": {Network: hub, Visit: cy.Visit.ID, To: d(3)},
		"visit first day":  {Network: hub, Visit: day2.Visit.ID},
		// A key's record comes back with the state, or none.
		"key":             {Network: hub, Holder: "ada", Location: "downtown", From: d(2), To: d(3), Key: "ada-in-2"},
		"missing key":     {Network: hub, Holder: "ada", Location: "downtown", From: d(2), To: d(3), Key: "no-such-key"},
		"visit first key": {Network: hub, Visit: day3.Visit.ID, FromVisit: -1, To: d(3), Key: "ada-out-3"},
	}
	for name, q := range queries {
		for _, write := range []bool{true, false} {
			got, want, gerr, werr := loadBoth(t, st, write, q)
			if gerr != nil || werr != nil {
				t.Errorf("%s (update %t): got errors %v and %v from LoadState and ReadState, want none", name, write, gerr, werr)
				continue
			}
			if d := Diff(got, want); d != "" {
				t.Errorf("%s (update %t): LoadState differs from ReadState: %s", name, write, d)
			}
		}
	}
	base := queries["visit and lineage"]
	if got, _, _, _ := loadBoth(t, st, false, base); len(got.Named) != 2 || got.Visit.ID != day3.Visit.ID {
		t.Errorf("visit and lineage: got %d named passes and visit %q, want 2 (the missing one left out) and %q",
			len(got.Named), got.Visit.ID, day3.Visit.ID)
	}
	if got, _, _, _ := loadBoth(t, st, true, queries["key"]); got.Record == nil || got.Record.Key != "ada-in-2" {
		t.Errorf("key: got record %+v, want the record of ada-in-2", got.Record)
	}
	if got, _, _, _ := loadBoth(t, st, true, queries["visit first"]); got.Holder.ID != "ada" || got.Location.ID != "uptown" || got.Visit.ID != day3.Visit.ID {
		t.Errorf("visit first: got holder %q at %q, visit %q; want ada at uptown, %s", got.Holder.ID, got.Location.ID, got.Visit.ID, day3.Visit.ID)
	}
	for name, change := range map[string]func(*store.StateQuery){
		"network":        func(q *store.StateQuery) { q.Network = "nowhere" },
		"holder":         func(q *store.StateQuery) { q.Holder = "nobody" },
		"location":       func(q *store.StateQuery) { q.Location = "nowhere" },
		"visit":          func(q *store.StateQuery) { q.Visit = "no-such-visit" },
		"first visit":    func(q *store.StateQuery) { q.Holder, q.Location, q.Visit = "", "", "no-such-visit" },
		"first, network": func(q *store.StateQuery) { q.Holder, q.Location, q.Network = "", "", "nowhere" },
	} {
		q := base
		change(&q)
		_, _, gerr, werr := loadBoth(t, st, true, q)
		if !errors.Is(gerr, store.ErrNotFound) || !errors.Is(werr, store.ErrNotFound) {
			t.Errorf("unknown %s: got errors %v (LoadState) and %v (ReadState), want ErrNotFound from both", name, gerr, werr)
		}
	}
}

// isStateLoader reports whether st's Tx is a store.StateLoader.
func isStateLoader(t *testing.T, st store.Store) (ok bool) {
	t.Helper()
	view(t, st, func(tx store.Tx) error { _, ok = tx.(store.StateLoader); return nil })
	return ok
}

// loadBoth runs LoadState and ReadState on q, each in its own unit of
// work (Update when write, else View), and returns both states and errors.
func loadBoth(t *testing.T, st store.Store, write bool, q store.StateQuery) (got, want store.State, gerr, werr error) {
	t.Helper()
	run := st.View
	if write {
		run = st.Update
	}
	ctx := context.Background()
	gerr = run(ctx, func(tx store.Tx) (err error) { got, err = tx.(store.StateLoader).LoadState(ctx, q); return err })
	werr = run(ctx, func(tx store.Tx) (err error) { want, err = store.ReadState(ctx, tx, q); return err })
	return got, want, gerr, werr
}

// testCommitWriter: writes held by a Tx that is a store.CommitWriter
// (visits, passes, cards, entries, records) are stored as the repositories
// store them, are seen by the unit's later
// reads, and fail the whole unit with ErrConflict when a record's key
// exists, leaving nothing of it. A store without CommitWriter skips it.
func (s *suite) testCommitWriter(t *testing.T) {
	st := s.store(t)
	var ok bool
	view(t, st, func(tx store.Tx) error { _, ok = tx.(store.CommitWriter); return nil })
	if !ok {
		t.Skip("the store's Tx is not a store.CommitWriter")
	}
	ctx := context.Background()
	const n = "net-1"
	update(t, st, func(tx store.Tx) error { return tx.Catalog().PutNetwork(ctx, sampleNetwork(n)) })
	v, p := sampleVisit(n, "visit-1", "holder-1"), samplePass(n, "pass-1", "holder-1")
	e1, e2 := sampleEntry(n, "entry-1", "pass-1"), sampleEntry(n, "entry-2", "pass-1")
	rec := sampleRecord(n, "key-1")
	c := sampleCard(n, "card-1", "holder-1", "multipass")
	update(t, st, func(tx store.Tx) error {
		if err := tx.(store.CommitWriter).Defer(ctx, store.Writes{Visits: []checkin.Visit{v}, Passes: []pass.Pass{p}, Cards: []card.Card{c}}); err != nil {
			return err
		}
		got, err := tx.Visits().Get(ctx, n, v.ID) // sends the held writes first
		if err != nil {
			return err
		}
		if d := Diff(got, v); d != "" {
			t.Errorf("visit read after Defer in the same unit: %s", d)
		}
		return tx.(store.CommitWriter).Defer(ctx, store.Writes{Entries: []pass.Entry{e1, e2}, Records: []store.Record{rec}})
	})
	view(t, st, func(tx store.Tx) error {
		gv, err := tx.Visits().Get(ctx, n, v.ID)
		if err != nil {
			return err
		}
		gp, err := tx.Passes().Get(ctx, n, p.ID)
		if err != nil {
			return err
		}
		es, err := tx.Ledger().List(ctx, store.LedgerFilter{Network: n})
		if err != nil {
			return err
		}
		gr, err := tx.Idempotency().Get(ctx, n, rec.Key)
		if err != nil {
			return err
		}
		gc, err := tx.Cards().Get(ctx, n, c.ID)
		if err != nil {
			return err
		}
		for what, d := range map[string]string{"visit": Diff(gv, v), "pass": Diff(gp, p), "card": Diff(gc, c),
			"entries": Diff(es, []pass.Entry{e1, e2}), "record": Diff(gr, rec)} {
			if d != "" {
				t.Errorf("%s written by Defer: %s", what, d)
			}
		}
		return nil
	})

	v2 := sampleVisit(n, "visit-2", "holder-1")
	err := st.Update(ctx, func(tx store.Tx) error {
		return tx.(store.CommitWriter).Defer(ctx, store.Writes{Visits: []checkin.Visit{v2}, Records: []store.Record{rec}})
	})
	wantErr(t, "Update holding a record whose key exists", err, store.ErrConflict)
	view(t, st, func(tx store.Tx) error {
		_, err := tx.Visits().Get(ctx, n, v2.ID)
		wantErr(t, "visit held with a conflicting record", err, store.ErrNotFound)
		return nil
	})
	err = st.View(ctx, func(tx store.Tx) error {
		return tx.(store.CommitWriter).Defer(ctx, store.Writes{Visits: []checkin.Visit{v2}})
	})
	if err == nil {
		t.Error("Defer inside View: got no error, want one")
	}
}
