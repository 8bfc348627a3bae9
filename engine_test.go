package passengine_test

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/enginetest"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/memstore"
)

// coreNet is the network of the seed scenarios.
const coreNet = "hub"

// coreWorld is a network on memstore for the seed scenarios: locations
// "downtown" and "uptown", member "ada" and contact "ben", a manual clock
// and sequential IDs (id0001, id0002, ...).
type coreWorld struct {
	*world
	t    *testing.T
	zone *time.Location
	cur  string
}

// newCoreWorld returns a coreWorld on memstore in zone with currency cur,
// its clock at 2026-10-01 08:00 local.
func newCoreWorld(t *testing.T, zone, cur string, opts ...passengine.Option) *coreWorld {
	t.Helper()
	return newCoreWorldOn(t, memstore.New(), zone, cur, opts...)
}

// newCoreWorldOn is newCoreWorld on store st.
func newCoreWorldOn(t *testing.T, st store.Store, zone, cur string, opts ...passengine.Option) *coreWorld {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	w := &coreWorld{t: t, zone: loc, cur: cur,
		world: newWorld(t, st, coreNet, "id%04d", time.Date(2026, 10, 1, 8, 0, 0, 0, loc), opts...)}
	w.must(w.eng.PutNetwork(w.ctx, catalog.Network{ID: coreNet, Currency: cur, Zone: zone}))
	for _, id := range []string{"downtown", "uptown"} {
		w.must(w.eng.PutLocation(w.ctx, catalog.Location{Network: coreNet, ID: id, Zone: zone}))
	}
	w.must(w.eng.PutHolder(w.ctx, catalog.Holder{Network: coreNet, ID: "ada", Audience: catalog.Member}))
	w.must(w.eng.PutHolder(w.ctx, catalog.Holder{Network: coreNet, ID: "ben", Audience: catalog.Contact}))
	return w
}

// at returns the local instant y-m-d h:mi in the world's zone.
func (w *coreWorld) at(y int, m time.Month, d, h, mi int) time.Time {
	return time.Date(y, m, d, h, mi, 0, 0, w.zone)
}

func (w *coreWorld) money(amount string) money.Money { return money.MustNew(amount, w.cur) }

// product stores p in the network; a zero price is free, a zero
// activation is on purchase.
func (w *coreWorld) product(p pass.Product) {
	w.t.Helper()
	p.Network = coreNet
	if p.Price.IsZero() {
		p.Price = w.money("0")
	}
	if p.Activation == "" {
		p.Activation = pass.OnPurchase
	}
	w.must(w.eng.PutProduct(w.ctx, p))
}

func (w *coreWorld) payg(p billing.PAYG) {
	w.t.Helper()
	p.Network = coreNet
	w.must(w.eng.PutPAYG(w.ctx, p))
}

func (w *coreWorld) issue(holder, product string) pass.Pass {
	w.t.Helper()
	p, err := w.eng.IssuePass(w.ctx, passengine.IssueRequest{Key: w.key("issue"), Network: coreNet, Product: product, Holder: holder})
	w.must(err)
	return p
}

// checkIn checks holder in at loc with the clock set to at.
func (w *coreWorld) checkIn(holder, loc string, at time.Time) passengine.VisitResult {
	w.t.Helper()
	r, err := w.tryCheckIn(holder, loc, at)
	w.must(err)
	return r
}

func (w *coreWorld) tryCheckIn(holder, loc string, at time.Time) (passengine.VisitResult, error) {
	w.clock.Set(at)
	return w.eng.CheckIn(w.ctx, passengine.CheckInRequest{Key: w.key("in"), Network: coreNet, Holder: holder, Location: loc})
}

// checkOut checks the visit out with the clock set to at.
func (w *coreWorld) checkOut(visit string, at time.Time) passengine.VisitResult {
	w.t.Helper()
	w.clock.Set(at)
	r, err := w.eng.CheckOut(w.ctx, passengine.CheckOutRequest{Key: w.key("out"), Network: coreNet, Visit: visit})
	w.must(err)
	return r
}

// visit checks holder in at loc from in to out and returns the check-out.
func (w *coreWorld) visit(holder, loc string, in, out time.Time) passengine.VisitResult {
	w.t.Helper()
	return w.checkOut(w.checkIn(holder, loc, in).Visit.ID, out)
}

func (w *coreWorld) book(holder, loc string, start time.Time) (passengine.VisitResult, error) {
	return w.eng.Book(w.ctx, passengine.BookRequest{Key: w.key("book"), Network: coreNet, Holder: holder, Location: loc, Start: start})
}

// snapshot returns the network's snapshot after checking every balance
// against the ledger.
func (w *coreWorld) snapshot() enginetest.Snapshot {
	w.t.Helper()
	return w.snapshotOf(w.st)
}

// snapshotOf is snapshot read from st (the store under a wrapper, say).
func (w *coreWorld) snapshotOf(st store.Store) enginetest.Snapshot {
	w.t.Helper()
	s, err := enginetest.Take(w.ctx, st, coreNet)
	w.must(err)
	w.must(s.CheckBalances())
	return s
}

// unchanged fails the test if the network differs from before.
func (w *coreWorld) unchanged(before enginetest.Snapshot) {
	w.t.Helper()
	if after := w.snapshot(); !reflect.DeepEqual(before, after) {
		w.t.Fatalf("store changed:\nbefore %+v\nafter  %+v", before, after)
	}
}

func wantBalance(t *testing.T, w *coreWorld, passID string, want int) {
	t.Helper()
	if got := w.pass(passID).Balance; got != want {
		t.Fatalf("balance of %s: got %d, want %d", passID, got, want)
	}
}

func wantMoney(t *testing.T, what string, got money.Money, want string) {
	t.Helper()
	if got.String() != want {
		t.Fatalf("%s: got %s, want %s", what, got, want)
	}
}

// wantRefusal returns the refusal err carries, failing the test if it
// carries none.
func wantRefusal(t *testing.T, err error) *entitlement.RefusalError {
	t.Helper()
	var refusal *entitlement.RefusalError
	if !errors.As(err, &refusal) || !errors.Is(err, passengine.ErrNoEntitlement) {
		t.Fatalf("got %v, want an *entitlement.RefusalError", err)
	}
	return refusal
}

func reasonOf(t *testing.T, refusal *entitlement.RefusalError, passID string) entitlement.Reason {
	t.Helper()
	for _, c := range refusal.Candidates {
		if c.PassID == passID {
			return c.Reason
		}
	}
	t.Fatalf("refusal does not list pass %s: %v", passID, refusal)
	return ""
}

// Rule C2: in at 9:00, out at 13:00, in again at 14:00: one day unit.
func TestRule_C2_DayPassCoversTheWholeDay(t *testing.T) {
	w := newCoreWorld(t, "America/New_York", "USD")
	w.product(pass.Product{ID: "day-5", Kind: pass.Day, Units: 5, Price: w.money("125")})
	p := w.issue("ada", "day-5")

	first := w.visit("ada", "downtown", w.at(2026, 10, 5, 9, 0), w.at(2026, 10, 5, 13, 0))
	second := w.checkIn("ada", "downtown", w.at(2026, 10, 5, 14, 0))
	if second.Visit.Mode != checkin.ByDay || second.Visit.Pass != p.ID || second.Visit.CoveredBy != first.Visit.ID {
		t.Fatalf("second visit: got mode %s pass %s covered by %q, want day %s covered by %s",
			second.Visit.Mode, second.Visit.Pass, second.Visit.CoveredBy, p.ID, first.Visit.ID)
	}
	if len(second.Visit.Consumptions) != 0 {
		t.Fatalf("second visit consumed %v, want nothing", second.Visit.Consumptions)
	}
	w.checkOut(second.Visit.ID, w.at(2026, 10, 5, 18, 0))
	wantBalance(t, w, p.ID, 4)
	// Rule C9: the use entry names the visit that paid.
	es := w.ledger(p.ID)
	if len(es) != 2 || es[1].Type != pass.EntryUse || es[1].Visit != first.Visit.ID || es[1].Units != -1 {
		t.Fatalf("ledger: got %+v, want issue then one use by %s", es, first.Visit.ID)
	}
	// The next day takes the next unit.
	w.visit("ada", "uptown", w.at(2026, 10, 6, 9, 0), w.at(2026, 10, 6, 10, 0))
	wantBalance(t, w, p.ID, 3)
	w.snapshot()
}

// Rule C4: 8 hours over three days on one time pass (2h Mon, 1h Wed, 5h
// Thu), then nothing left.
func TestRule_C4_TimePassOverThreeDays(t *testing.T) {
	w := newCoreWorld(t, "America/New_York", "USD")
	w.product(pass.Product{ID: "hours-8", Kind: pass.Time, Units: 8 * 60, Price: w.money("60")})
	p := w.issue("ben", "hours-8")

	for _, s := range []struct {
		day, from, to, left int
	}{{5, 10, 12, 360}, {7, 10, 11, 300}, {8, 9, 14, 0}} {
		in := w.checkIn("ben", "uptown", w.at(2026, 10, s.day, s.from, 0))
		if in.Visit.Mode != checkin.ByTime || in.Visit.Pass != p.ID {
			t.Fatalf("check-in on Oct %d: got mode %s pass %s, want time %s", s.day, in.Visit.Mode, in.Visit.Pass, p.ID)
		}
		wantBalance(t, w, p.ID, s.left+(s.to-s.from)*60) // nothing deducted at check-in
		w.checkOut(in.Visit.ID, w.at(2026, 10, s.day, s.to, 0))
		wantBalance(t, w, p.ID, s.left)
	}
	_, err := w.tryCheckIn("ben", "uptown", w.at(2026, 10, 9, 9, 0))
	// The used-up pass paid yesterday's visit, so the refusal lists it (G7).
	if r := reasonOf(t, wantRefusal(t, err), p.ID); r != entitlement.NoBalance {
		t.Fatalf("reason: got %s, want %s", r, entitlement.NoBalance)
	}
	w.snapshot()
}

// Rule C4: check-out drains time passes in order, one before the next;
// what is left is uncovered without PAYG and charged with it.
func TestRule_C4_DrainThenOverflow(t *testing.T) {
	for _, withPAYG := range []bool{false, true} {
		t.Run(fmt.Sprintf("payg=%t", withPAYG), func(t *testing.T) {
			w := newCoreWorld(t, "America/New_York", "USD")
			w.product(pass.Product{ID: "hour", Kind: pass.Time, Units: 60, UnitValue: w.money("1")})
			w.product(pass.Product{ID: "half", Kind: pass.Time, Units: 30, UnitValue: w.money("1")})
			if withPAYG {
				w.payg(billing.PAYG{ID: "payg", Prices: []billing.Price{{Hourly: w.money("10")}}})
			}
			half := w.issue("ada", "half")
			hour := w.issue("ada", "hour")
			out := w.visit("ada", "downtown", w.at(2026, 10, 5, 9, 0), w.at(2026, 10, 5, 11, 0))
			// O5: more remaining minutes first.
			want := []checkin.Consumption{{Pass: hour.ID, Kind: pass.Time, Units: 60}, {Pass: half.ID, Kind: pass.Time, Units: 30}}
			if !reflect.DeepEqual(out.Visit.Consumptions, want) {
				t.Fatalf("consumptions: got %+v, want %+v", out.Visit.Consumptions, want)
			}
			wantBalance(t, w, hour.ID, 0)
			wantBalance(t, w, half.ID, 0)
			if withPAYG {
				wantMoney(t, "overflow charge", out.Charge, "5.00 USD") // 2 x 15 min at $10/h
				if out.Visit.UncoveredMinutes != 0 {
					t.Fatalf("uncovered: got %d, want 0", out.Visit.UncoveredMinutes)
				}
			} else if out.Visit.UncoveredMinutes != 30 {
				t.Fatalf("uncovered: got %d, want 30", out.Visit.UncoveredMinutes)
			}
			w.snapshot()
		})
	}
}

// Rule A2: a time pass first used by a check-out's minutes (the second one
// drained) activates on the visit's service date.
// Rule C5: $50 for 8 hours is $6.25 an hour: 4 hours cost $25.
func TestRule_C5_PAYG50For8HoursCharges25For4Hours(t *testing.T) {
	w := newCoreWorld(t, "America/New_York", "USD")
	w.payg(billing.PAYG{ID: "payg", Prices: []billing.Price{{Hourly: w.money("6.25")}}})
	in := w.checkIn("ada", "downtown", w.at(2026, 10, 5, 9, 0))
	if in.Visit.Mode != checkin.ByPAYG || in.Visit.PAYG != "payg" {
		t.Fatalf("check-in: got mode %s PAYG %q, want payg", in.Visit.Mode, in.Visit.PAYG)
	}
	out := w.checkOut(in.Visit.ID, w.at(2026, 10, 5, 13, 0))
	wantMoney(t, "4 hours", out.Charge, "25.00 USD")
	if c := out.Visit.Charges; len(c) != 1 || c[0].Increments != 16 || c[0].Minutes != 240 {
		t.Fatalf("charges: got %+v, want 16 increments of 240 minutes", c)
	}
}

// Rule C5: $10 an hour for members, $15 for contacts, $100 a day at most
// across the day's sessions; the next day starts again.
func TestRule_C5_DailyCapAcrossSessions(t *testing.T) {
	w := newCoreWorld(t, "America/New_York", "USD")
	w.payg(billing.PAYG{ID: "payg", DailyCap: w.money("100"), Prices: []billing.Price{
		{Audience: catalog.Member, Hourly: w.money("10")}, {Audience: catalog.Contact, Hourly: w.money("15")}}})
	for _, s := range []struct {
		holder, loc string
		day, from   int
		to          int
		want        string
		capped      bool
	}{
		{"ada", "downtown", 5, 9, 13, "40.00 USD", false},
		{"ada", "uptown", 5, 14, 18, "40.00 USD", false},
		{"ada", "downtown", 5, 19, 23, "20.00 USD", true},
		{"ada", "downtown", 6, 9, 13, "40.00 USD", false},
		{"ben", "downtown", 5, 9, 13, "60.00 USD", false},
		{"ben", "uptown", 5, 14, 17, "40.00 USD", true},
		{"ben", "uptown", 5, 18, 19, "0.00 USD", true},
	} {
		out := w.visit(s.holder, s.loc, w.at(2026, 10, s.day, s.from, 0), w.at(2026, 10, s.day, s.to, 0))
		wantMoney(t, fmt.Sprintf("%s on Oct %d %d-%d", s.holder, s.day, s.from, s.to), out.Charge, s.want)
		if got := out.Visit.Charges[0].Capped; got != s.capped {
			t.Fatalf("%s on Oct %d %d-%d: capped %t, want %t", s.holder, s.day, s.from, s.to, got, s.capped)
		}
	}
}

// Rule C6: PAYG minutes across local midnight count toward the date they
// fall in, each date under its own cap.
func TestRule_C6_PAYGAcrossLocalMidnight(t *testing.T) {
	w := newCoreWorld(t, "America/New_York", "USD")
	w.payg(billing.PAYG{ID: "payg", DailyCap: w.money("100"), Prices: []billing.Price{{Hourly: w.money("10")}}})
	w.visit("ada", "downtown", w.at(2026, 10, 5, 9, 0), w.at(2026, 10, 5, 18, 0)) // $90 on Oct 5
	out := w.visit("ada", "downtown", w.at(2026, 10, 5, 22, 0), w.at(2026, 10, 6, 3, 0))
	want := []struct {
		date   calendar.Date
		inc    int
		amount string
	}{{calendar.NewDate(2026, 10, 5), 8, "10.00 USD"}, {calendar.NewDate(2026, 10, 6), 12, "30.00 USD"}}
	if len(out.Visit.Charges) != len(want) {
		t.Fatalf("charges: got %+v, want two dates", out.Visit.Charges)
	}
	for i, c := range out.Visit.Charges {
		if c.Date != want[i].date || c.Increments != want[i].inc || c.Amount.String() != want[i].amount {
			t.Fatalf("charge %d: got %s %d x 15 min %s, want %s %d x 15 min %s", i, c.Date, c.Increments, c.Amount,
				want[i].date, want[i].inc, want[i].amount)
		}
	}
	wantMoney(t, "visit across midnight", out.Charge, "40.00 USD")
}

// Rule C6: a day unit covers the visit it was consumed for until its
// check-out; the next date takes a new unit.
func TestRule_C6_DayUnitCoversVisitAcrossMidnight(t *testing.T) {
	w := newCoreWorld(t, "America/New_York", "USD")
	w.product(pass.Product{ID: "days", Kind: pass.Day, Units: 5})
	p := w.issue("ada", "days")
	w.visit("ada", "downtown", w.at(2026, 10, 5, 22, 0), w.at(2026, 10, 6, 2, 0))
	wantBalance(t, w, p.ID, 4)
	w.visit("ada", "downtown", w.at(2026, 10, 6, 9, 0), w.at(2026, 10, 6, 10, 0))
	wantBalance(t, w, p.ID, 3)
}

// Rules A2-A4: bought Oct 10, first class Oct 30 (which activates it); a
// class on Oct 15 can be booked when the pass is not locked, and not when
// it is.
// Rule E5: 20 points bought for 7,600 imported with 12 left cost 4,560;
// the pass keeps the 20 granted and records the 8 used before import.
// Rule E6: bulk issue is per holder; running it again changes nothing for
// holders already done, and finishes the others.
// Rule E2: expiry moves either way; moved past today the units are usable
// again. Rule E1: after expiry the pass is refused.
// Rule T5: "expires on D" lasts through the end of D at the location, not
// UTC midnight (a day early west of UTC).
// Rule E3: a freeze refuses uses inside it and moves expiry by its days;
// ending it early keeps only the days frozen.
// Rule E4: units are added or subtracted with an amount, comment and
// actor; a balance never goes below zero and such a request writes
// nothing.
// Rule A6: unpaid passes are usable, listed, and marked paid with who and
// when.
// Rule B2: a cancel before the window returns the units to the same pass,
// even one expired since; a late cancel forfeits them unless the host
// refunds; a cancel by the business is never late. Rule A5: cancelling the
// use that activated a pass leaves it inactive again.
// Rule B3: a no-show forfeits the units once; with a no-show fee the units
// come back and the fee is charged.
// Rule C11: staff move a visit to another eligible pass: the first gets
// its unit back and the second pays, in one step.
func TestRule_C11_MoveVisit(t *testing.T) {
	w := newCoreWorld(t, "America/New_York", "USD")
	w.product(pass.Product{ID: "plan", Kind: pass.Day, Units: 10, UnitValue: w.money("15")})
	w.product(pass.Product{ID: "pack", Kind: pass.Day, Units: 5, Price: w.money("125")})
	w.product(pass.Product{ID: "uptown-only", Kind: pass.Day, Units: 5, Locations: []string{"uptown"}})
	w.product(pass.Product{ID: "hours", Kind: pass.Time, Units: 600})
	plan := w.issue("ada", "plan")
	pack := w.issue("ada", "pack")
	uptown := w.issue("ada", "uptown-only")
	in := w.checkIn("ada", "downtown", w.at(2026, 10, 5, 9, 0))
	if in.Visit.Pass != plan.ID || in.Selection.DecidedBy != "unit_value" {
		t.Fatalf("check-in: got pass %s decided by %q, want %s by unit_value", in.Visit.Pass, in.Selection.DecidedBy, plan.ID)
	}
	before := w.snapshot()
	_, err := w.eng.MoveVisit(w.ctx, passengine.MoveRequest{Key: "move-bad", Network: coreNet, Visit: in.Visit.ID, Pass: uptown.ID})
	if r := reasonOf(t, wantRefusal(t, err), uptown.ID); r != entitlement.NotCovered {
		t.Fatalf("move to an uptown pass: got %s, want %s", r, entitlement.NotCovered)
	}
	w.unchanged(before)
	r, err := w.eng.MoveVisit(w.ctx, passengine.MoveRequest{Key: "move", Network: coreNet, Visit: in.Visit.ID, Pass: pack.ID, Actor: "staff"})
	w.must(err)
	if r.Visit.Pass != pack.ID || !reflect.DeepEqual(r.Visit.Consumptions, []checkin.Consumption{{Pass: pack.ID, Kind: pass.Day, Units: 1}}) {
		t.Fatalf("moved visit: got pass %s consumptions %+v", r.Visit.Pass, r.Visit.Consumptions)
	}
	wantBalance(t, w, plan.ID, 10)
	wantBalance(t, w, pack.ID, 4)
	if es := w.ledger(plan.ID); es[len(es)-1].Type != pass.EntryReturn || es[len(es)-1].Visit != in.Visit.ID {
		t.Fatalf("plan's last entry: got %+v, want a return for %s", es[len(es)-1], in.Visit.ID)
	}
	// A time visit cannot move.
	w.issue("ben", "hours")
	tv := w.checkIn("ben", "downtown", w.at(2026, 10, 5, 10, 0))
	if _, err := w.eng.MoveVisit(w.ctx, passengine.MoveRequest{Key: "move-time", Network: coreNet, Visit: tv.Visit.ID, Pass: pack.ID}); !errors.Is(err, passengine.ErrNotMovable) {
		t.Fatalf("moving a time visit: got %v, want ErrNotMovable", err)
	}
	w.snapshot()
}
