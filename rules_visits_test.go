package passengine_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/pass"
)

// Rule C1: checking in again where the holder is in returns "already
// checked in" with the open visit. Rule C7: a visit that is not open
// cannot be checked out.
func TestRule_C1_C7_AlreadyInAndNotOpen(t *testing.T) {
	w := newCoreWorld(t, "America/New_York", "USD")
	w.product(pass.Product{ID: "days", Kind: pass.Day, Units: 5})
	w.issue("ada", "days")
	in := w.checkIn("ada", "downtown", w.at(2026, 10, 5, 9, 0))
	before := w.snapshot()
	_, err := w.tryCheckIn("ada", "downtown", w.at(2026, 10, 5, 9, 5))
	var already *checkin.AlreadyCheckedInError
	if !errors.As(err, &already) || !errors.Is(err, passengine.ErrAlreadyCheckedIn) || already.Visit.ID != in.Visit.ID {
		t.Fatalf("second check-in: got %v, want ErrAlreadyCheckedIn with visit %s", err, in.Visit.ID)
	}
	w.unchanged(before)
	w.checkOut(in.Visit.ID, w.at(2026, 10, 5, 12, 0))
	before = w.snapshot()
	_, err = w.eng.CheckOut(w.ctx, passengine.CheckOutRequest{Key: "out-again", Network: coreNet, Visit: in.Visit.ID})
	if !errors.Is(err, passengine.ErrNotOpen) {
		t.Fatalf("second check-out: got %v, want ErrNotOpen", err)
	}
	w.unchanged(before)
}

// Rule C8: a visit open longer than the host's maximum is closed at
// check-in + max, marked automatic: on the holder's next check-in there,
// or by CloseStale.
func TestRule_C8_StaleVisitsCloseAutomatically(t *testing.T) {
	w := newCoreWorld(t, "America/New_York", "USD", passengine.WithMaxOpen(12*time.Hour))
	w.payg(billing.PAYG{ID: "payg", Prices: []billing.Price{{Hourly: w.money("10")}}, DailyCap: w.money("60")})
	first := w.checkIn("ada", "downtown", w.at(2026, 10, 5, 9, 0))
	next := w.checkIn("ada", "downtown", w.at(2026, 10, 6, 8, 0))
	if len(next.Closed) != 1 || next.Closed[0].ID != first.Visit.ID {
		t.Fatalf("closed on the way: got %+v, want visit %s", next.Closed, first.Visit.ID)
	}
	c := next.Closed[0]
	if !c.AutoClosed || c.Status != checkin.Closed || !c.End.Equal(w.at(2026, 10, 5, 21, 0)) {
		t.Fatalf("auto-closed visit: got %s auto %t end %v, want closed auto at 21:00", c.Status, c.AutoClosed, c.End)
	}
	wantMoney(t, "12 hours capped", c.Charges[0].Amount, "60.00 USD")

	// Visits elsewhere are left for the sweep.
	other := w.checkIn("ben", "uptown", w.at(2026, 10, 6, 9, 0))
	w.clock.Set(w.at(2026, 10, 6, 20, 0))
	none, err := w.eng.CloseStale(w.ctx, passengine.CloseStaleRequest{Key: "sweep-1", Network: coreNet})
	w.must(err)
	if len(none) != 0 {
		t.Fatalf("sweep at 20:00: closed %d visits, want none", len(none))
	}
	w.clock.Set(w.at(2026, 10, 7, 8, 0))
	swept, err := w.eng.CloseStale(w.ctx, passengine.CloseStaleRequest{Key: "sweep-2", Network: coreNet})
	w.must(err)
	ids := map[string]bool{}
	for _, r := range swept {
		ids[r.Visit.ID] = true
		if !r.Visit.AutoClosed || !r.Visit.End.Equal(r.Visit.Start.Add(12*time.Hour)) {
			t.Fatalf("swept visit %s: auto %t end %v, want auto at start + 12h", r.Visit.ID, r.Visit.AutoClosed, r.Visit.End)
		}
	}
	if !ids[other.Visit.ID] || !ids[next.Visit.ID] || len(ids) != 2 {
		t.Fatalf("swept %v, want %s and %s", ids, other.Visit.ID, next.Visit.ID)
	}
	before := w.snapshot()
	again, err := w.eng.CloseStale(w.ctx, passengine.CloseStaleRequest{Key: "sweep-2", Network: coreNet})
	w.must(err)
	if len(again) != 0 {
		t.Fatalf("sweep again: closed %d, want none", len(again))
	}
	w.unchanged(before)
}

// Rule C10: Explain answers what a check-in would do, with the same
// ranking and reasons, and writes nothing.
func TestRule_C10_ExplainWritesNothing(t *testing.T) {
	w := newCoreWorld(t, "America/New_York", "USD")
	w.product(pass.Product{ID: "plan", Kind: pass.Day, Units: 10, UnitValue: w.money("15")})
	w.product(pass.Product{ID: "pack", Kind: pass.Day, Units: 5, Price: w.money("125"), Activation: pass.OnFirstUse,
		Validity: calendar.Validity{Months: 2}})
	w.product(pass.Product{ID: "uptown", Kind: pass.Visits, Units: 5, Locations: []string{"uptown"}})
	w.issue("ada", "pack")
	w.issue("ada", "plan")
	w.issue("ada", "uptown")
	w.clock.Set(w.at(2026, 10, 5, 9, 0))
	req := passengine.CheckInRequest{Network: coreNet, Holder: "ada", Location: "downtown"}
	before := w.snapshot()
	ex, err := w.eng.Explain(w.ctx, req)
	w.must(err)
	w.unchanged(before)
	req.Key = "in"
	in, err := w.eng.CheckIn(w.ctx, req)
	w.must(err)
	if ex.Visit.Pass != in.Visit.Pass || ex.Visit.Mode != in.Visit.Mode || !reflect.DeepEqual(ex.Balances, in.Balances) {
		t.Fatalf("explain: pass %s mode %s balances %v; check-in: pass %s mode %s balances %v",
			ex.Visit.Pass, ex.Visit.Mode, ex.Balances, in.Visit.Pass, in.Visit.Mode, in.Balances)
	}
	strip := func(s entitlement.Selection) entitlement.Selection {
		cs := make([]entitlement.Candidate, len(s.Candidates))
		for i, c := range s.Candidates {
			c.Pass = nil
			cs[i] = c
		}
		s.Candidates = cs
		return s
	}
	if got, want := strip(ex.Selection), strip(in.Selection); !reflect.DeepEqual(got, want) {
		t.Fatalf("explain selection %+v, check-in selection %+v", got, want)
	}
	if got := in.Selection.Candidates; len(got) != 3 || got[2].Reason != entitlement.NotCovered || got[1].Reason != entitlement.Outranked {
		t.Fatalf("ranking: got %+v, want plan, pack outranked, uptown not covered", got)
	}
	// A refusal is explained too, and still writes nothing.
	before = w.snapshot()
	_, exErr := w.eng.Explain(w.ctx, passengine.CheckInRequest{Network: coreNet, Holder: "ben", Location: "downtown"})
	wantRefusal(t, exErr)
	w.unchanged(before)
}

// Rule G7: a refused use carries every pass's reason (G1-G6, E1, E3, A3).
func TestRule_G7_RefusalCarriesEveryReason(t *testing.T) {
	w := newCoreWorld(t, "America/New_York", "USD")
	w.must(w.eng.PutLocation(w.ctx, catalog.Location{Network: coreNet, ID: "premium", Zone: "America/New_York", Tier: 2}))
	w.must(w.eng.PutTeam(w.ctx, catalog.Team{Network: coreNet, ID: "acme", CreditSharing: false}))
	w.must(w.eng.PutHolder(w.ctx, catalog.Holder{Network: coreNet, ID: "ada", Audience: catalog.Member, Team: "acme"}))
	w.product(pass.Product{ID: "short", Kind: pass.Day, Units: 5, Tier: 2, Validity: calendar.Validity{Days: 1}})
	w.product(pass.Product{ID: "downtown", Kind: pass.Day, Units: 5, Tier: 2, Locations: []string{"downtown"}})
	w.product(pass.Product{ID: "basic", Kind: pass.Day, Units: 5, Tier: 1})
	w.product(pass.Product{ID: "contacts", Kind: pass.Day, Units: 5, Tier: 2, Audience: catalog.Contact})
	w.product(pass.Product{ID: "frozen", Kind: pass.Day, Units: 5, Tier: 2})
	w.product(pass.Product{ID: "two-visits", Kind: pass.Visits, Units: 2, Tier: 2})
	w.product(pass.Product{ID: "later", Kind: pass.Day, Units: 5, Tier: 2, Activation: pass.MerchantSet, Locked: true})
	want := map[string]entitlement.Reason{}
	want[w.issue("ada", "short").ID] = entitlement.Expired
	want[w.issue("ada", "downtown").ID] = entitlement.NotCovered
	want[w.issue("ada", "basic").ID] = entitlement.TierTooLow
	want[w.issue("ada", "contacts").ID] = entitlement.Audience
	frozen := w.issue("ada", "frozen")
	want[frozen.ID] = entitlement.Frozen
	_, err := w.eng.Freeze(w.ctx, passengine.FreezeRequest{Key: "freeze", Network: coreNet, Pass: frozen.ID,
		From: calendar.NewDate(2026, 10, 4), To: calendar.NewDate(2026, 10, 8)})
	w.must(err)
	want[w.issue("ada", "two-visits").ID] = entitlement.NoBalance
	later, err := w.eng.IssuePass(w.ctx, passengine.IssueRequest{Key: "later", Network: coreNet, Product: "later", Holder: "ada",
		ActivatedOn: calendar.NewDate(2026, 11, 1), ExpiresOn: calendar.NewDate(2026, 11, 30)})
	w.must(err)
	want[later.ID] = entitlement.Early
	team, err := w.eng.IssuePass(w.ctx, passengine.IssueRequest{Key: "team", Network: coreNet, Product: "frozen", Team: "acme"})
	w.must(err)
	want[team.ID] = entitlement.SharingOff

	w.clock.Set(w.at(2026, 10, 5, 9, 0))
	before := w.snapshot()
	_, err = w.eng.CheckIn(w.ctx, passengine.CheckInRequest{Key: "in", Network: coreNet, Holder: "ada", Location: "premium", Cost: 3})
	refusal := wantRefusal(t, err)
	got := map[string]entitlement.Reason{}
	for _, c := range refusal.Candidates {
		got[c.PassID] = c.Reason
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("reasons: got %v, want %v", got, want)
	}
	w.unchanged(before)
}

// Rule S1: another network's IDs are not found, whatever the call.
func TestRule_S1_NetworkIsolation(t *testing.T) {
	w := newCoreWorld(t, "America/New_York", "USD")
	w.must(w.eng.PutNetwork(w.ctx, catalog.Network{ID: "other", Currency: "USD", Zone: "America/New_York"}))
	w.must(w.eng.PutLocation(w.ctx, catalog.Location{Network: "other", ID: "their-club", Zone: "America/New_York"}))
	w.must(w.eng.PutHolder(w.ctx, catalog.Holder{Network: "other", ID: "ada", Audience: catalog.Member}))
	w.must(w.eng.PutHolder(w.ctx, catalog.Holder{Network: "other", ID: "zoe", Audience: catalog.Member}))
	w.must(w.eng.PutProduct(w.ctx, pass.Product{Network: "other", ID: "their-days", Kind: pass.Day, Units: 5,
		Price: w.money("0"), Activation: pass.OnPurchase}))
	theirs, err := w.eng.IssuePass(w.ctx, passengine.IssueRequest{Key: "k", Network: "other", Product: "their-days", Holder: "ada"})
	w.must(err)
	visit, err := w.eng.CheckIn(w.ctx, passengine.CheckInRequest{Key: "k2", Network: "other", Holder: "ada", Location: "their-club"})
	w.must(err)
	w.product(pass.Product{ID: "days", Kind: pass.Day, Units: 5})
	w.issue("ada", "days")
	before := w.snapshot()

	d := calendar.NewDate(2026, 10, 20)
	for name, call := range map[string]func() error{
		"issue their product": func() error {
			_, err := w.eng.IssuePass(w.ctx, passengine.IssueRequest{Key: "x1", Network: coreNet, Product: "their-days", Holder: "ada"})
			return err
		},
		"issue to their holder": func() error {
			_, err := w.eng.IssuePass(w.ctx, passengine.IssueRequest{Key: "x2", Network: coreNet, Product: "days", Holder: "zoe"})
			return err
		},
		"adjust their pass": func() error {
			_, err := w.eng.AdjustUnits(w.ctx, passengine.AdjustRequest{Key: "x3", Network: coreNet, Pass: theirs.ID, Units: 1})
			return err
		},
		"expire their pass": func() error {
			_, err := w.eng.SetExpiry(w.ctx, passengine.ExpiryRequest{Key: "x4", Network: coreNet, Pass: theirs.ID, ExpiresOn: d})
			return err
		},
		"freeze their pass": func() error {
			_, err := w.eng.Freeze(w.ctx, passengine.FreezeRequest{Key: "x5", Network: coreNet, Pass: theirs.ID, From: d, To: d.AddDays(1)})
			return err
		},
		"mark their pass paid": func() error {
			_, err := w.eng.MarkPaid(w.ctx, passengine.PaidRequest{Key: "x6", Network: coreNet, Pass: theirs.ID, By: "x"})
			return err
		},
		"check in at their club": func() error {
			_, err := w.eng.CheckIn(w.ctx, passengine.CheckInRequest{Key: "x7", Network: coreNet, Holder: "ada", Location: "their-club"})
			return err
		},
		"explain their holder": func() error {
			_, err := w.eng.Explain(w.ctx, passengine.CheckInRequest{Network: coreNet, Holder: "zoe", Location: "downtown"})
			return err
		},
		"check out their visit": func() error {
			_, err := w.eng.CheckOut(w.ctx, passengine.CheckOutRequest{Key: "x8", Network: coreNet, Visit: visit.Visit.ID})
			return err
		},
		"move their visit": func() error {
			_, err := w.eng.MoveVisit(w.ctx, passengine.MoveRequest{Key: "x9", Network: coreNet, Visit: visit.Visit.ID, Pass: theirs.ID})
			return err
		},
		"cancel their visit": func() error {
			_, err := w.eng.CancelBooking(w.ctx, passengine.CancelRequest{Key: "x10", Network: coreNet, Visit: visit.Visit.ID})
			return err
		},
		"book at their club": func() error {
			_, err := w.eng.Book(w.ctx, passengine.BookRequest{Key: "x11", Network: coreNet, Holder: "ada", Location: "their-club", Start: w.at(2026, 10, 20, 9, 0)})
			return err
		},
		"read their pass":  func() error { _, err := w.eng.Pass(w.ctx, coreNet, theirs.ID); return err },
		"read their visit": func() error { _, err := w.eng.Visit(w.ctx, coreNet, visit.Visit.ID); return err },
		"put a location in a missing network": func() error {
			return w.eng.PutLocation(w.ctx, catalog.Location{Network: "nowhere", ID: "l", Zone: "UTC"})
		},
	} {
		if err := call(); !errors.Is(err, passengine.ErrNotFound) {
			t.Errorf("%s: got %v, want ErrNotFound", name, err)
		}
	}
	w.unchanged(before)
	// Same holder ID, other network: ada's passes here are only ours.
	ps, err := w.eng.Passes(w.ctx, passengine.PassFilter{Network: coreNet, Holder: "ada"})
	w.must(err)
	if len(ps) != 1 || ps[0].ID == theirs.ID {
		t.Fatalf("ada's passes in %s: got %+v, want only ours", coreNet, ps)
	}
	// Their pass is no pass of ours: its ledger is not found here.
	if es, err := w.eng.Ledger(w.ctx, passengine.LedgerFilter{Network: coreNet, Pass: theirs.ID}); !errors.Is(err, passengine.ErrNotFound) {
		t.Fatalf("their ledger read through our network: got %d entries, %v; want ErrNotFound", len(es), err)
	}
}
