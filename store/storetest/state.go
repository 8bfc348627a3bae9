package storetest

import (
	"context"
	"errors"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/passengine/passengine/billing"
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
// Update and inside View, with and without a Scratch (store.StateQuery);
// and the same errors for an unknown network, holder, location or visit.
// A store without StateLoader skips it.
func (s *suite) testStateLoader(t *testing.T) {
	st := s.store(t)
	if !isStateLoader(t, st) {
		t.Skip("the store's Tx is not a store.StateLoader")
	}
	stateWorld(t, st)
	const hub, one, five = "hub", "one", "five"
	const day2, day3, open, cy = "ada-2", "ada-3", "ada-4", "cy-3"
	d := func(day int) calendar.Date { return calendar.NewDate(2026, 3, day) }
	queries := map[string]store.StateQuery{
		"open since yesterday": {Network: hub, Holder: "ada", Location: "downtown", From: d(5), To: d(6)},
		"look back two days":   {Network: hub, Holder: "ada", Location: "downtown", From: d(5), To: d(6), Lookback: 2},
		"visit and lineage": {Network: hub, Holder: "ada", Location: "uptown", Visit: day3, From: d(3), To: d(3),
			Lineage: []string{five, "no-such-pass", one}},
		"all days": {Network: hub, Holder: "ada", Location: "uptown", From: d(1), To: d(9)},
		"team":     {Network: hub, Holder: "cy", Location: "downtown", Visit: cy, From: d(2), To: d(4)},
		"PAYG":     {Network: hub, Holder: "ben", Location: "uptown", From: d(3), To: d(3)},
		"nothing":  {Network: hub, Holder: "dee", Location: "uptown", From: d(3), To: d(3)},
		// A call on a visit names only the visit: its holder and location,
		// and a window from its day, come from the visit.
		"visit first":      {Network: hub, Visit: day3, FromVisit: -2, To: d(4), Lookback: 2},
		"visit first open": {Network: hub, Visit: open, FromVisit: -1, To: d(6)},
		"visit first team": {Network: hub, Visit: cy, To: d(3)},
		"visit first day":  {Network: hub, Visit: day2},
		// A key's record comes back with the state, or none.
		"key":             {Network: hub, Holder: "ada", Location: "downtown", From: d(2), To: d(3), Key: "ada-in-2"},
		"missing key":     {Network: hub, Holder: "ada", Location: "downtown", From: d(2), To: d(3), Key: "no-such-key"},
		"visit first key": {Network: hub, Visit: day3, FromVisit: -1, To: d(3), Key: "ada-out-3"},
	}
	// A Scratch reused by one query after the other gives the same states;
	// what the visit and the open visits of a state hold outside their
	// structs stays when the next state is loaded into it.
	sc := new(store.Scratch)
	var kept struct {
		name        string
		visit, want checkin.Visit
		open, wantO []checkin.Visit
	}
	for _, write := range []bool{true, false} {
		for _, name := range slices.Sorted(maps.Keys(queries)) {
			q := queries[name]
			got, want, gerr, werr := loadBoth(t, st, write, q)
			q.Scratch = sc
			into, _, serr, _ := loadBoth(t, st, write, q)
			if gerr != nil || werr != nil || serr != nil {
				t.Errorf("%s (update %t): got errors %v and %v from LoadState (%v with a Scratch) and ReadState, want none",
					name, write, gerr, serr, werr)
				continue
			}
			if d := Diff(got, want); d != "" {
				t.Errorf("%s (update %t): LoadState differs from ReadState: %s", name, write, d)
			}
			if d := Diff(into, want); d != "" {
				t.Errorf("%s (update %t): LoadState with a Scratch differs from ReadState: %s", name, write, d)
			}
			if kept.name != "" {
				if d := Diff(kept.visit, kept.want); d != "" {
					t.Errorf("%s's visit changed when %s was loaded into its Scratch: %s", kept.name, name, d)
				}
				if d := Diff(kept.open, kept.wantO); d != "" {
					t.Errorf("%s's open visits changed when %s was loaded into its Scratch: %s", kept.name, name, d)
				}
			}
			kept.name, kept.visit, kept.want = name, into.Visit, want.Visit
			kept.open, kept.wantO = slices.Clone(into.Open), want.Open // the structs are the Scratch's
		}
	}
	base := queries["visit and lineage"]
	if got, _, _, _ := loadBoth(t, st, false, base); len(got.Named) != 2 || got.Visit.ID != day3 {
		t.Errorf("visit and lineage: got %d named passes and visit %q, want 2 (the missing one left out) and %q",
			len(got.Named), got.Visit.ID, day3)
	}
	if got, _, _, _ := loadBoth(t, st, true, queries["key"]); got.Record == nil || got.Record.Key != "ada-in-2" {
		t.Errorf("key: got record %+v, want the record of ada-in-2", got.Record)
	}
	if got, _, _, _ := loadBoth(t, st, true, queries["visit first"]); got.Holder.ID != "ada" || got.Location.ID != "uptown" || got.Visit.ID != day3 {
		t.Errorf("visit first: got holder %q at %q, visit %q; want ada at uptown, %s", got.Holder.ID, got.Location.ID, got.Visit.ID, day3)
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

// testStateCopies: the State store.Load returns belongs to the caller
// but for its passes, which are read-only (the Engine filters its visits
// in place and copies a pass before changing it): overwriting every visit,
// product and record it holds, and every pointer of its lists of passes,
// changes neither the store nor the next call's State, inside Update and
// inside View.
func (s *suite) testStateCopies(t *testing.T) {
	st := s.store(t)
	stateWorld(t, st)
	q := store.StateQuery{Network: "hub", Holder: "ada", Location: "uptown", Visit: "ada-3",
		From: calendar.NewDate(2026, 3, 1), To: calendar.NewDate(2026, 3, 9), Lineage: []string{"one"}, Key: "ada-in-2"}
	ctx := context.Background()
	for _, write := range []bool{true, false} {
		run := st.View
		if write {
			run = st.Update
		}
		var first, scribbled, again store.State
		err := run(ctx, func(tx store.Tx) (err error) {
			if first, err = store.Load(ctx, tx, q); err != nil {
				return err
			}
			if scribbled, err = store.Load(ctx, tx, q); err != nil {
				return err
			}
			scribble(&scribbled)
			again, err = store.Load(ctx, tx, q)
			return err
		})
		if err != nil {
			t.Fatalf("update %t: %v", write, err)
		}
		if len(first.Recent) == 0 || len(first.Named) == 0 || first.Record == nil {
			t.Fatalf("update %t: the state has %d recent visits, %d named passes, record %v; the test needs some of each",
				write, len(first.Recent), len(first.Named), first.Record)
		}
		if d := Diff(again, first); d != "" {
			t.Errorf("update %t: a State changed in place changed the next one: %s", write, d)
		}
		var later store.State
		view(t, st, func(tx store.Tx) (err error) { later, err = store.Load(ctx, tx, q); return err })
		if d := Diff(later, first); d != "" {
			t.Errorf("update %t: a State changed in place changed the store: %s", write, d)
		}
	}
}

// testStatePassesStay: the passes of a State stay as they were loaded
// when a later unit of work changes them (so a store that shares them,
// rows or a cache of decoded passes, replaces a pass it writes and never
// changes it in place), inside Update and inside View.
func (s *suite) testStatePassesStay(t *testing.T) {
	st := s.store(t)
	stateWorld(t, st)
	q := store.StateQuery{Network: "hub", Holder: "ada", Location: "uptown", Visit: "ada-3",
		From: calendar.NewDate(2026, 3, 1), To: calendar.NewDate(2026, 3, 9), Lineage: []string{"one"}}
	ctx := context.Background()
	for _, write := range []bool{true, false} {
		run := st.View
		if write {
			run = st.Update
		}
		var loaded store.State
		if err := run(ctx, func(tx store.Tx) (err error) { loaded, err = store.Load(ctx, tx, q); return err }); err != nil {
			t.Fatalf("update %t: %v", write, err)
		}
		if len(loaded.Live) == 0 || len(loaded.Named) == 0 {
			t.Fatalf("update %t: the state has %d live and %d named passes; the test needs some of each", write, len(loaded.Live), len(loaded.Named))
		}
		want := clonePasses(loaded)
		update(t, st, func(tx store.Tx) error {
			for _, ps := range [][]*pass.Pass{loaded.Live, loaded.Named} {
				for _, p := range ps {
					changed := p.Clone()
					changed.Balance, changed.Uses = changed.Balance+1, changed.Uses+1
					if err := tx.Passes().Put(ctx, changed); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if got := clonePasses(loaded); !reflect.DeepEqual(got, want) {
			t.Errorf("update %t: a later write changed the passes of a State loaded before it:\ngot  %+v\nwant %+v", write, got, want)
		}
		var later store.State
		view(t, st, func(tx store.Tx) (err error) { later, err = store.Load(ctx, tx, q); return err })
		for i, p := range later.Live {
			if i < len(want) && p.ID == want[i].ID && p.Balance != want[i].Balance+1 {
				t.Errorf("update %t: pass %s: got balance %d after the write, want %d", write, p.ID, p.Balance, want[i].Balance+1)
			}
		}
	}
}

// clonePasses returns deep copies of s's live then named passes.
func clonePasses(s store.State) []pass.Pass {
	var out []pass.Pass
	for _, ps := range [][]*pass.Pass{s.Live, s.Named} {
		for _, p := range ps {
			out = append(out, p.Clone())
		}
	}
	return out
}

// scribble overwrites everything s holds, through its slices and pointers.
func scribble(s *store.State) {
	visits := func(vs []checkin.Visit) {
		for i := range vs {
			for j := range vs[i].Consumptions {
				vs[i].Consumptions[j].Pass = "scribbled"
			}
			vs[i] = checkin.Visit{ID: "scribbled"}
		}
	}
	visits(s.Open)
	visits(s.Recent)
	visits([]checkin.Visit{s.Visit})
	for _, ps := range [][]*pass.Pass{s.Live, s.Named} {
		for i := range ps {
			ps[i] = &pass.Pass{ID: "scribbled"} // the pointers are the caller's, the passes read-only
		}
	}
	for i := range s.PAYG {
		for j := range s.PAYG[i].Prices {
			s.PAYG[i].Prices[j] = billing.Price{}
		}
		s.PAYG[i] = billing.PAYG{ID: "scribbled"}
	}
	if s.Record != nil {
		for i := range s.Record.Result {
			s.Record.Result[i] = 0
		}
		for i := range s.Record.Request {
			s.Record.Request[i] = 0
		}
		s.Record.Key = "scribbled"
	}
}

// stateWorld writes, through the repositories, the holders' state that
// testStateLoader loads: network "hub" (New York) with locations
// downtown and uptown and a PAYG product; ada with a used-up day pass
// ("one") and a day pass of 3 left ("five"), her closed visits of 2 and
// 3 March and her visit open since 4 March 22:00; cy of team "crew",
// whose shared time pass paid her visit of 3 March; ben's PAYG visit of
// 3 March; dee with nothing; and the idempotency records of keys
// "ada-in-2" and "ada-out-3".
func stateWorld(t *testing.T, st store.Store) {
	t.Helper()
	const hub = "hub"
	at := func(day, hour, minute int) time.Time { return time.Date(2026, 3, day, hour, minute, 0, 0, newYork) }
	closed := func(id, holder, location string, mode checkin.Mode, start, end time.Time, c ...checkin.Consumption) checkin.Visit {
		v := openVisit(hub, id, holder, location, start, calendar.DateOf(start))
		v.Mode, v.Status, v.End, v.Consumptions = mode, checkin.Closed, &end, c
		return v
	}
	day := func(p string) checkin.Consumption { return checkin.Consumption{Pass: p, Kind: pass.Day, Units: 1} }
	one, five := simplePass(hub, "one", "ada", 0, at(1, 10, 0)), simplePass(hub, "five", "ada", 3, at(1, 10, 5))
	one.Kind, one.Units, five.Kind, five.Units = pass.Day, 1, pass.Day, 5
	crew := simplePass(hub, "crew-hours", "", 360, at(1, 11, 0))
	crew.Team, crew.Kind, crew.Units = "crew", pass.Time, 480
	open := openVisit(hub, "ada-4", "ada", "downtown", at(4, 22, 0), date("2026-03-04"))
	open.Mode, open.Consumptions = checkin.ByDay, []checkin.Consumption{day("five")}
	payg := closed("ben-3", "ben", "uptown", checkin.ByPAYG, at(3, 10, 0), at(3, 10, 50))
	payg.Pass, payg.PAYG = "", "payg"
	payg.Charges = []billing.DayCharge{{Date: date("2026-03-03"), Minutes: 50, Increments: 4, Amount: usd("12.50"), PAYG: "payg"}}
	update(t, st, func(tx store.Tx) error {
		c := tx.Catalog()
		must(t, "PutNetwork", c.PutNetwork(bg, catalog.Network{ID: hub, Currency: "USD", Zone: "America/New_York"}))
		for _, id := range []string{"downtown", "uptown"} {
			must(t, "PutLocation", c.PutLocation(bg, catalog.Location{Network: hub, ID: id, Zone: "America/New_York"}))
		}
		must(t, "PutTeam", c.PutTeam(bg, catalog.Team{Network: hub, ID: "crew", CreditSharing: true}))
		for id, team := range map[string]string{"ada": "", "ben": "", "cy": "crew", "dee": ""} {
			must(t, "PutHolder", c.PutHolder(bg, catalog.Holder{Network: hub, ID: id, Audience: catalog.Member, Team: team}))
		}
		must(t, "PutPAYG", c.PutPAYG(bg, samplePAYG(hub, "payg")))
		for _, p := range []pass.Pass{one, five, crew} {
			must(t, "Passes.Put", tx.Passes().Put(bg, p))
		}
		for _, v := range []checkin.Visit{
			closed("ada-2", "ada", "downtown", checkin.ByDay, at(2, 9, 0), at(2, 17, 0), day("one")),
			closed("ada-3", "ada", "uptown", checkin.ByDay, at(3, 9, 0), at(3, 12, 0), day("five")),
			open,
			closed("cy-3", "cy", "downtown", checkin.ByTime, at(3, 9, 0), at(3, 11, 0),
				checkin.Consumption{Pass: "crew-hours", Kind: pass.Time, Units: 120}),
			payg,
		} {
			must(t, "Visits.Put", tx.Visits().Put(bg, v))
		}
		for _, key := range []string{"ada-in-2", "ada-out-3"} {
			must(t, "Idempotency.Put", tx.Idempotency().Put(bg, sampleRecord(hub, key)))
		}
		return nil
	})
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
