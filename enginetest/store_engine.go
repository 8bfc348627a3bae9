package enginetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/storetest"
	"github.com/shopspring/decimal"
)

const hub = "hub"

// hubAt returns 2026-03-day hour:minute in New York, the hub's zone.
func hubAt(day, hour, minute int) time.Time {
	return time.Date(2026, 3, day, hour, minute, 0, 0, newYork)
}

// scenarioSkew lets the scenarios supply instants of the days ahead of
// their clock: they replay a month, not a door's live events (S3).
var scenarioSkew = passengine.WithClockSkew(400 * 24 * time.Hour)

// newHub returns an Engine on st with the hub network of a coworking
// space: two locations, members ada and cy, contacts ben and dee, a pack of
// 5 day passes, an 8-hour time pass, and PAYG at $10 an hour for members
// and $15 for contacts with a $100 daily cap.
func newHub(t *testing.T, st store.Store) (*passengine.Engine, *passengine.ManualClock) {
	t.Helper()
	clock := passengine.NewManualClock(hubAt(2, 8, 0))
	eng := passengine.New(st, passengine.WithClock(clock), scenarioSkew)
	ctx := context.Background()
	need(t, "PutNetwork", eng.PutNetwork(ctx, catalog.Network{ID: hub, Name: "The Hub", Currency: "USD", Zone: "America/New_York"}))
	for _, id := range []string{"downtown", "uptown"} {
		need(t, "PutLocation", eng.PutLocation(ctx, catalog.Location{Network: hub, ID: id, Name: id, Zone: "America/New_York"}))
	}
	for id, a := range map[string]catalog.Audience{"ada": catalog.Member, "ben": catalog.Contact, "cy": catalog.Member, "dee": catalog.Contact} {
		need(t, "PutHolder", eng.PutHolder(ctx, catalog.Holder{Network: hub, ID: id, Name: id, Audience: a}))
	}
	need(t, "PutProduct", eng.PutProduct(ctx, pass.Product{Network: hub, ID: "day-5", Name: "5 day passes", Kind: pass.Day,
		Units: 5, Price: usd("125"), Activation: pass.OnPurchase}))
	need(t, "PutProduct", eng.PutProduct(ctx, pass.Product{Network: hub, ID: "hours-8", Name: "8 hours", Kind: pass.Time,
		Units: 8 * 60, Price: usd("60"), Activation: pass.OnFirstUse}))
	need(t, "PutPAYG", eng.PutPAYG(ctx, billing.PAYG{Network: hub, ID: "payg", Name: "Pay as you go",
		Prices:   []billing.Price{{Audience: catalog.Member, Hourly: usd("10")}, {Audience: catalog.Contact, Hourly: usd("15")}},
		DailyCap: usd("100")}))
	return eng, clock
}

func checkIn(t *testing.T, eng *passengine.Engine, key, holder, loc string, at time.Time) passengine.VisitResult {
	t.Helper()
	r, err := eng.CheckIn(context.Background(), passengine.CheckInRequest{Key: key, Network: hub, Holder: holder, Location: loc, At: at})
	need(t, "CheckIn "+key, err)
	return r
}

func checkOut(t *testing.T, eng *passengine.Engine, key, visit string, at time.Time) passengine.VisitResult {
	t.Helper()
	r, err := eng.CheckOut(context.Background(), passengine.CheckOutRequest{Key: key, Network: hub, Visit: visit, At: at})
	need(t, "CheckOut "+key, err)
	return r
}

func issue(t *testing.T, eng *passengine.Engine, key, network, product, holder, team string) pass.Pass {
	t.Helper()
	p, err := eng.IssuePass(context.Background(), passengine.IssueRequest{Key: key, Network: network, Product: product,
		Holder: holder, Team: team, Paid: true})
	need(t, "IssuePass "+key, err)
	return p
}

// storedPass reads a pass straight from the store.
func storedPass(t *testing.T, st store.Store, network, id string) pass.Pass {
	t.Helper()
	var p pass.Pass
	view(t, st, func(tx store.Tx) (err error) { p, err = tx.Passes().Get(bg, network, id); return err })
	return p
}

func ledgerOf(t *testing.T, st store.Store, network, passID string) []pass.Entry {
	t.Helper()
	var es []pass.Entry
	view(t, st, func(tx store.Tx) (err error) {
		es, err = tx.Ledger().List(bg, store.LedgerFilter{Network: network, Pass: passID})
		return err
	})
	return es
}

func visitsOf(t *testing.T, st store.Store, f store.VisitFilter) []checkin.Visit {
	t.Helper()
	var vs []checkin.Visit
	view(t, st, func(tx store.Tx) (err error) { vs, err = tx.Visits().List(bg, f); return err })
	return vs
}

func verify(t *testing.T, st store.Store, network string) {
	t.Helper()
	if err := storetest.Verify(context.Background(), st, network); err != nil {
		t.Errorf("ledger invariants of %s: %v", network, err)
	}
}

type unitsOf struct {
	Type  pass.EntryType
	Units int
}

func entryUnits(es []pass.Entry) []unitsOf {
	out := make([]unitsOf, len(es))
	for i, e := range es {
		out[i] = unitsOf{e.Type, e.Units}
	}
	return out
}

// testEngineDay: a day unit is consumed at the first check-in of a
// business day and covers the holder's later check-ins that day (C2).
func (s *storeSuite) testEngineDay(t *testing.T) {
	st := s.store(t)
	eng, _ := newHub(t, st)
	p := issue(t, eng, "issue-ada", hub, "day-5", "ada", "")
	in1 := checkIn(t, eng, "in-1", "ada", "downtown", hubAt(2, 9, 0))
	if in1.Visit.Mode != checkin.ByDay || in1.Visit.Pass != p.ID {
		t.Errorf("first check-in: got mode %s on pass %s, want day on %s", in1.Visit.Mode, in1.Visit.Pass, p.ID)
	}
	same(t, "first check-in consumptions", in1.Visit.Consumptions, []checkin.Consumption{{Pass: p.ID, Kind: pass.Day, Units: 1}})
	same(t, "first check-in balances", in1.Balances, []passengine.Balance{{Pass: p.ID, Kind: pass.Day, Balance: 4}})
	out1 := checkOut(t, eng, "out-1", in1.Visit.ID, hubAt(2, 13, 0))
	if out1.Visit.Status != checkin.Closed || out1.Visit.End == nil || !out1.Visit.End.Equal(hubAt(2, 13, 0)) {
		t.Errorf("check-out: got status %s end %v, want closed at 13:00", out1.Visit.Status, out1.Visit.End)
	}
	in2 := checkIn(t, eng, "in-2", "ada", "downtown", hubAt(2, 14, 0))
	if in2.Visit.CoveredBy != in1.Visit.ID || len(in2.Visit.Consumptions) != 0 {
		t.Errorf("second check-in: got covered by %q with %d consumptions, want covered by %s with none",
			in2.Visit.CoveredBy, len(in2.Visit.Consumptions), in1.Visit.ID)
	}
	checkOut(t, eng, "out-2", in2.Visit.ID, hubAt(2, 18, 0))
	in3 := checkIn(t, eng, "in-3", "ada", "uptown", hubAt(3, 9, 0))
	same(t, "next day's check-in consumptions", in3.Visit.Consumptions, []checkin.Consumption{{Pass: p.ID, Kind: pass.Day, Units: 1}})

	if got := storedPass(t, st, hub, p.ID); got.Balance != 3 {
		t.Errorf("day pass balance: got %d, want 3", got.Balance)
	}
	same(t, "day pass ledger", entryUnits(ledgerOf(t, st, hub, p.ID)),
		[]unitsOf{{pass.EntryIssue, 5}, {pass.EntryUse, -1}, {pass.EntryUse, -1}})
	// The store keeps what the Engine returned.
	var stored checkin.Visit
	view(t, st, func(tx store.Tx) (err error) { stored, err = tx.Visits().Get(bg, hub, in1.Visit.ID); return err })
	same(t, "stored visit", stored, out1.Visit)
	vs := visitsOf(t, st, store.VisitFilter{Network: hub, Holder: "ada"})
	if open := len(slices.DeleteFunc(slices.Clone(vs), func(v checkin.Visit) bool { return !v.IsOpen() })); len(vs) != 3 || open != 1 {
		t.Errorf("ada's visits: got %d (%d open), want 3 (1 open)", len(vs), open)
	}
	verify(t, st, hub)
}

// testEngineTime: a time pass is checked at check-in and drained by the
// elapsed minutes at check-out (C4), activating on first use (A2).
func (s *storeSuite) testEngineTime(t *testing.T) {
	st := s.store(t)
	eng, _ := newHub(t, st)
	p := issue(t, eng, "issue-ben", hub, "hours-8", "ben", "")
	in1 := checkIn(t, eng, "in-1", "ben", "uptown", hubAt(2, 10, 0))
	if in1.Visit.Mode != checkin.ByTime || len(in1.Visit.Consumptions) != 0 {
		t.Errorf("time check-in: got mode %s with %d consumptions, want time with none", in1.Visit.Mode, len(in1.Visit.Consumptions))
	}
	out1 := checkOut(t, eng, "out-1", in1.Visit.ID, hubAt(2, 12, 0))
	same(t, "first check-out consumptions", out1.Visit.Consumptions, []checkin.Consumption{{Pass: p.ID, Kind: pass.Time, Units: 120}})
	out2 := checkOut(t, eng, "out-2", checkIn(t, eng, "in-2", "ben", "uptown", hubAt(4, 10, 0)).Visit.ID, hubAt(4, 10, 59).Add(30*time.Second))
	same(t, "second check-out consumptions (minutes rounded up)", out2.Visit.Consumptions, []checkin.Consumption{{Pass: p.ID, Kind: pass.Time, Units: 60}})
	got := storedPass(t, st, hub, p.ID)
	if got.Balance != 300 || got.ActivatedOn != date("2026-03-02") {
		t.Errorf("time pass: got balance %d activated on %s, want 300 activated on 2026-03-02", got.Balance, got.ActivatedOn)
	}
	same(t, "time pass ledger", entryUnits(ledgerOf(t, st, hub, p.ID)),
		[]unitsOf{{pass.EntryIssue, 480}, {pass.EntryUse, -120}, {pass.EntryUse, -60}})
	verify(t, st, hub)
}

// testEnginePAYG: holders with no pass pay as they go in 15-minute
// increments at their audience's price, within the daily cap (C5).
func (s *storeSuite) testEnginePAYG(t *testing.T) {
	st := s.store(t)
	eng, _ := newHub(t, st)
	cy := checkIn(t, eng, "in-cy", "cy", "uptown", hubAt(2, 9, 0))
	if cy.Visit.Mode != checkin.ByPAYG || cy.Visit.PAYG != "payg" {
		t.Errorf("PAYG check-in: got mode %s PAYG %q, want payg on payg", cy.Visit.Mode, cy.Visit.PAYG)
	}
	outCy := checkOut(t, eng, "out-cy", cy.Visit.ID, hubAt(2, 13, 0))
	if want := decimal.RequireFromString("40"); !outCy.Charge.Amount.Equal(want) || outCy.Charge.Currency != "USD" {
		t.Errorf("member's 4 hours: got %s, want 40.00 USD", outCy.Charge)
	}
	dee1 := checkOut(t, eng, "out-dee-1", checkIn(t, eng, "in-dee-1", "dee", "uptown", hubAt(2, 9, 0)).Visit.ID, hubAt(2, 13, 0))
	if want := decimal.RequireFromString("60"); !dee1.Charge.Amount.Equal(want) {
		t.Errorf("contact's 4 hours: got %s, want 60.00 USD", dee1.Charge)
	}
	dee2 := checkOut(t, eng, "out-dee-2", checkIn(t, eng, "in-dee-2", "dee", "downtown", hubAt(2, 14, 0)).Visit.ID, hubAt(2, 20, 0))
	if want := decimal.RequireFromString("40"); !dee2.Charge.Amount.Equal(want) || len(dee2.Visit.Charges) != 1 || !dee2.Visit.Charges[0].Capped {
		t.Errorf("contact's next 6 hours under a $100 cap: got %s (charges %+v), want 40.00 USD capped", dee2.Charge, dee2.Visit.Charges)
	}
	var stored checkin.Visit
	view(t, st, func(tx store.Tx) (err error) { stored, err = tx.Visits().Get(bg, hub, dee2.Visit.ID); return err })
	same(t, "stored PAYG visit", stored, dee2.Visit)
	verify(t, st, hub)
}

// testEngineIdempotency: a call repeated with its key returns the first
// result and writes nothing more; the key with another request is refused
// (I1).
func (s *storeSuite) testEngineIdempotency(t *testing.T) {
	st := s.store(t)
	eng, clock := newHub(t, st)
	ctx := context.Background()
	p := issue(t, eng, "issue-ada", hub, "day-5", "ada", "")
	again := issue(t, eng, "issue-ada", hub, "day-5", "ada", "")
	same(t, "IssuePass replayed", again, p)
	in := checkIn(t, eng, "in-1", "ada", "downtown", hubAt(2, 9, 0))
	clock.Advance(time.Hour) // a replay later returns the first result still
	inAgain := checkIn(t, eng, "in-1", "ada", "downtown", hubAt(2, 9, 0))
	same(t, "CheckIn replayed", inAgain, in)
	_, err := eng.CheckIn(ctx, passengine.CheckInRequest{Key: "in-1", Network: hub, Holder: "ada", Location: "uptown", At: hubAt(2, 9, 0)})
	wantErr(t, "CheckIn with a used key and another request", err, passengine.ErrKeyReused)
	out := checkOut(t, eng, "out-1", in.Visit.ID, hubAt(2, 12, 0))
	outAgain := checkOut(t, eng, "out-1", in.Visit.ID, hubAt(2, 12, 0))
	same(t, "CheckOut replayed", outAgain, out)
	_, err = eng.CheckOut(ctx, passengine.CheckOutRequest{Key: "in-1", Network: hub, Visit: in.Visit.ID, At: hubAt(2, 12, 0)})
	wantErr(t, "CheckOut with a check-in's key", err, passengine.ErrKeyReused)

	ps := func() int {
		var n int
		view(t, st, func(tx store.Tx) error {
			all, err := tx.Passes().List(bg, store.PassFilter{Network: hub})
			n = len(all)
			return err
		})
		return n
	}
	if got := ps(); got != 1 {
		t.Errorf("passes after a replayed issue: got %d, want 1", got)
	}
	if got := len(visitsOf(t, st, store.VisitFilter{Network: hub})); got != 1 {
		t.Errorf("visits after replays: got %d, want 1", got)
	}
	same(t, "ledger after replays", entryUnits(ledgerOf(t, st, hub, p.ID)), []unitsOf{{pass.EntryIssue, 5}, {pass.EntryUse, -1}})
	view(t, st, func(tx store.Tx) error {
		rec, err := tx.Idempotency().Get(bg, hub, "in-1")
		need(t, "Idempotency.Get", err)
		if rec.Operation != "check_in" || len(rec.Result) == 0 {
			t.Errorf("record of in-1: got operation %q with %d result bytes, want check_in with a result", rec.Operation, len(rec.Result))
		}
		return nil
	})
	verify(t, st, hub)
}

// testEngineRefusal: refused calls write nothing (I3): not the visit, not
// the ledger, not the idempotency record, so the key can be used again.
func (s *storeSuite) testEngineRefusal(t *testing.T) {
	st := s.store(t)
	eng, _ := newHub(t, st)
	ctx := context.Background()
	// A network without PAYG: a holder with no pass is refused.
	need(t, "PutNetwork", eng.PutNetwork(ctx, catalog.Network{ID: "gym", Currency: "EUR", Zone: "Europe/London"}))
	need(t, "PutLocation", eng.PutLocation(ctx, catalog.Location{Network: "gym", ID: "soho", Zone: "Europe/London"}))
	need(t, "PutHolder", eng.PutHolder(ctx, catalog.Holder{Network: "gym", ID: "eve", Audience: catalog.Member}))
	need(t, "PutProduct", eng.PutProduct(ctx, pass.Product{Network: "gym", ID: "ten", Kind: pass.Visits, Units: 10,
		Price: amount("90", "EUR"), Activation: pass.OnPurchase}))
	req := passengine.CheckInRequest{Key: "eve-in", Network: "gym", Holder: "eve", Location: "soho", At: hubAt(2, 9, 0)}
	_, err := eng.CheckIn(ctx, req)
	wantErr(t, "CheckIn with no pass", err, passengine.ErrNoEntitlement)
	view(t, st, func(tx store.Tx) error {
		_, err := tx.Idempotency().Get(bg, "gym", "eve-in")
		wantErr(t, "idempotency record of a refused call", err, store.ErrNotFound)
		return nil
	})
	if got := len(visitsOf(t, st, store.VisitFilter{Network: "gym"})); got != 0 {
		t.Errorf("visits after a refused check-in: got %d, want 0", got)
	}
	p := issue(t, eng, "eve-issue", "gym", "ten", "eve", "")
	r, err := eng.CheckIn(ctx, req)
	need(t, "CheckIn with the refused call's key, now with a pass", err)
	if r.Visit.Pass != p.ID {
		t.Errorf("check-in after the pass was issued: got pass %q, want %s", r.Visit.Pass, p.ID)
	}

	// Already checked in (C1) and check-out of a closed visit (C7) write
	// nothing either; neither does Explain (C10).
	_, err = eng.CheckIn(ctx, passengine.CheckInRequest{Key: "eve-in-2", Network: "gym", Holder: "eve", Location: "soho", At: hubAt(2, 10, 0)})
	wantErr(t, "second CheckIn at the same location", err, passengine.ErrAlreadyCheckedIn)
	out, err := eng.CheckOut(ctx, passengine.CheckOutRequest{Key: "eve-out", Network: "gym", Visit: r.Visit.ID, At: hubAt(2, 11, 0)})
	need(t, "CheckOut", err)
	_, err = eng.CheckOut(ctx, passengine.CheckOutRequest{Key: "eve-out-2", Network: "gym", Visit: r.Visit.ID, At: hubAt(2, 12, 0)})
	wantErr(t, "CheckOut of a closed visit", err, passengine.ErrNotOpen)
	ex, err := eng.Explain(ctx, passengine.CheckInRequest{Network: "gym", Holder: "eve", Location: "soho", At: hubAt(3, 9, 0)})
	need(t, "Explain", err)
	if ex.Visit.Pass != p.ID || len(ex.Balances) != 1 || ex.Balances[0].Balance != 8 {
		t.Errorf("Explain: got pass %q balances %+v, want %s left with 8", ex.Visit.Pass, ex.Balances, p.ID)
	}
	vs := visitsOf(t, st, store.VisitFilter{Network: "gym"})
	if len(vs) != 1 {
		t.Fatalf("visits after refusals and Explain: got %d, want 1", len(vs))
	}
	same(t, "the one visit", vs[0], out.Visit)
	same(t, "ledger after refusals and Explain", entryUnits(ledgerOf(t, st, "gym", p.ID)), []unitsOf{{pass.EntryIssue, 10}, {pass.EntryUse, -1}})
	for _, key := range []string{"eve-in-2", "eve-out-2"} {
		view(t, st, func(tx store.Tx) error {
			_, err := tx.Idempotency().Get(bg, "gym", key)
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("idempotency record of refused %s: got %v, want ErrNotFound", key, err)
			}
			return nil
		})
	}
	verify(t, st, "gym")
}

// testEngineResultsOwnTheirPasses: the passes a call decides on may be
// shared with the store (store.State), but nothing the Engine returns
// points to them: changing every pass an Explain result, a check-in result
// or a refusal's candidates point to changes neither the store nor the next
// call's decision.
func (s *storeSuite) testEngineResultsOwnTheirPasses(t *testing.T) {
	st := s.store(t)
	eng, _ := newHub(t, st)
	ctx := context.Background()
	p := issue(t, eng, "ada-issue", hub, "day-5", "ada", "")
	scribble := func(what string, cs []entitlement.Candidate) {
		t.Helper()
		for i := range cs {
			if q := cs[i].Pass; q != nil {
				q.Balance, q.Units, q.Locations, q.Revoked = -7, -7, []string{"scribbled"}, true
			}
		}
		if got := storedPass(t, st, hub, p.ID); got.Balance < 0 || got.Revoked || len(got.Locations) != 0 {
			t.Errorf("%s: changing the result changed the stored pass: %+v", what, got)
		}
	}
	req := passengine.CheckInRequest{Network: hub, Holder: "ada", Location: "downtown", At: hubAt(2, 9, 0)}
	ex, err := eng.Explain(ctx, req)
	need(t, "Explain", err)
	scribble("Explain", ex.Selection.Candidates)
	again, err := eng.Explain(ctx, req)
	need(t, "Explain again", err)
	if again.Visit.Pass != p.ID || len(again.Balances) != 1 || again.Balances[0].Balance != 4 {
		t.Errorf("Explain after changing the first one's result: got pass %q, balances %+v; want %s left with 4", again.Visit.Pass, again.Balances, p.ID)
	}
	req.Key = "ada-in"
	in, err := eng.CheckIn(ctx, req)
	need(t, "CheckIn", err)
	scribble("CheckIn", in.Selection.Candidates)
	// A refusal: eve's pass does not cover the annex, and her network has
	// no PAYG.
	need(t, "PutNetwork", eng.PutNetwork(ctx, catalog.Network{ID: "gym", Currency: "EUR", Zone: "Europe/London"}))
	for _, id := range []string{"soho", "annex"} {
		need(t, "PutLocation", eng.PutLocation(ctx, catalog.Location{Network: "gym", ID: id, Zone: "Europe/London"}))
	}
	need(t, "PutHolder", eng.PutHolder(ctx, catalog.Holder{Network: "gym", ID: "eve", Audience: catalog.Member}))
	need(t, "PutProduct", eng.PutProduct(ctx, pass.Product{Network: "gym", ID: "soho-10", Kind: pass.Visits, Units: 10,
		Price: amount("90", "EUR"), Activation: pass.OnPurchase, Locations: []string{"soho"}}))
	issue(t, eng, "eve-issue", "gym", "soho-10", "eve", "")
	_, err = eng.CheckIn(ctx, passengine.CheckInRequest{Key: "eve-in", Network: "gym", Holder: "eve", Location: "annex", At: hubAt(2, 9, 0)})
	var re *entitlement.RefusalError
	if !errors.As(err, &re) || len(re.Candidates) != 1 {
		t.Fatalf("CheckIn outside the pass's locations: got %v, want a refusal with one candidate", err)
	}
	if q := re.Candidates[0].Pass; q != nil {
		q.Locations = []string{"annex"}
	}
	ex, err = eng.Explain(ctx, passengine.CheckInRequest{Network: "gym", Holder: "eve", Location: "annex", At: hubAt(2, 9, 0)})
	if !errors.Is(err, passengine.ErrNoEntitlement) {
		t.Errorf("Explain after changing a refusal's candidate: got %+v, %v; want the refusal again", ex.Visit, err)
	}
}
