package passengine_test

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/pass"
	"github.com/shopspring/decimal"
)

func TestRule_A2_TimePassDrainedAtCheckOutActivates(t *testing.T) {
	w := newCoreWorld(t, "America/New_York", "USD")
	w.product(pass.Product{ID: "small", Kind: pass.Time, Units: 30, UnitValue: w.money("1"),
		Activation: pass.OnFirstUse, Validity: calendar.Validity{Days: 30}})
	a := w.issue("ada", "small")
	b := w.issue("ada", "small")
	w.visit("ada", "downtown", w.at(2026, 10, 5, 9, 0), w.at(2026, 10, 5, 9, 45))
	for _, id := range []string{a.ID, b.ID} {
		p := w.pass(id)
		if want := calendar.NewDate(2026, 10, 5); p.ActivatedOn != want || p.ExpiresOn != calendar.NewDate(2026, 11, 4) {
			t.Fatalf("pass %s: activated %s, expires %s; want %s and 2026-11-04", id, p.ActivatedOn, p.ExpiresOn, want)
		}
	}
}

func TestRule_A2_A3_A4_ClassBeforeFirstUse(t *testing.T) {
	for _, locked := range []bool{false, true} {
		t.Run(fmt.Sprintf("locked=%t", locked), func(t *testing.T) {
			w := newCoreWorld(t, "Europe/London", "GBP")
			w.product(pass.Product{ID: "classes", Kind: pass.Visits, Units: 10, Price: w.money("90"),
				Activation: pass.OnFirstUse, Validity: calendar.Validity{Months: 1}, Locked: locked})
			w.clock.Set(w.at(2026, 10, 10, 12, 0))
			p := w.issue("ada", "classes")
			if got := w.pass(p.ID).Status; got != pass.StatusInactive { // A2
				t.Fatalf("status before first use: got %s, want %s", got, pass.StatusInactive)
			}
			first, err := w.book("ada", "downtown", w.at(2026, 10, 30, 18, 0))
			w.must(err)
			if first.Visit.Activated != p.ID {
				t.Fatalf("first class activated %q, want %s", first.Visit.Activated, p.ID)
			}
			got := w.pass(p.ID)
			if got.ActivatedOn != calendar.NewDate(2026, 10, 30) || got.ExpiresOn != calendar.NewDate(2026, 11, 30) {
				t.Fatalf("activation: got %s to %s, want 2026-10-30 to 2026-11-30", got.ActivatedOn, got.ExpiresOn)
			}
			before := w.snapshot()
			early, err := w.book("ada", "downtown", w.at(2026, 10, 15, 18, 0))
			if !locked { // A4
				w.must(err)
				if early.Visit.Pass != p.ID {
					t.Fatalf("class on Oct 15 paid by %s, want %s", early.Visit.Pass, p.ID)
				}
				wantBalance(t, w, p.ID, 8)
				return
			}
			// A3
			if r := reasonOf(t, wantRefusal(t, err), p.ID); r != entitlement.Early {
				t.Fatalf("reason: got %s, want %s", r, entitlement.Early)
			}
			w.unchanged(before)
		})
	}
}

func TestRule_E5_ImportPartUsedPack(t *testing.T) {
	w := newCoreWorld(t, "Europe/London", "GBP")
	w.product(pass.Product{ID: "points-20", Kind: pass.Visits, Units: 20, Price: w.money("7600")})
	p, err := w.eng.IssuePass(w.ctx, passengine.IssueRequest{Key: "import-points", Network: coreNet, Product: "points-20",
		Holder: "ada", Source: pass.FromImport, Remaining: 12})
	w.must(err)
	wantMoney(t, "imported price", p.Price, "4560.00 GBP")
	if p.Units != 20 || p.Balance != 12 || p.Source != pass.FromImport {
		t.Fatalf("import: got %d of %d (%s), want 12 of 20 (import)", p.Balance, p.Units, p.Source)
	}
	es := w.ledger(p.ID)
	if len(es) != 2 || es[0].Type != pass.EntryIssue || es[0].Units != 20 || es[1].Type != pass.EntryImported || es[1].Units != -8 {
		t.Fatalf("ledger: got %+v, want issue +20 and imported -8", es)
	}
	// Half-up to the minor unit: 3 of 8 at 0.20 is 0.075 -> 0.08, 1 of 8 is 0.025 -> 0.03.
	w.product(pass.Product{ID: "cheap", Kind: pass.Visits, Units: 8, Price: w.money("0.20")})
	for remaining, want := range map[int]string{3: "0.08 GBP", 8: "0.20 GBP", 1: "0.03 GBP"} {
		p, err := w.eng.IssuePass(w.ctx, passengine.IssueRequest{Key: w.key("import"), Network: coreNet, Product: "cheap",
			Holder: "ada", Source: pass.FromImport, Remaining: remaining})
		w.must(err)
		wantMoney(t, fmt.Sprintf("%d of 8 at 0.20", remaining), p.Price, want)
	}
	w.snapshot()
}

func TestRule_E6_BulkIssueIdempotentPerHolder(t *testing.T) {
	w := newCoreWorld(t, "Europe/London", "GBP")
	w.product(pass.Product{ID: "trial", Kind: pass.Visits, Units: 3})
	req := passengine.BulkIssueRequest{Key: "promo", Network: coreNet, Product: "trial", Holders: []string{"ada", "ben", "cy"}}
	first, err := w.eng.BulkIssue(w.ctx, req)
	w.must(err)
	if first[0].Err != nil || first[1].Err != nil || !errors.Is(first[2].Err, passengine.ErrNotFound) {
		t.Fatalf("first run: got errors %v, %v, %v; want nil, nil, not found", first[0].Err, first[1].Err, first[2].Err)
	}
	w.must(w.eng.PutHolder(w.ctx, catalog.Holder{Network: coreNet, ID: "cy", Audience: catalog.Member}))
	before := w.snapshot()
	second, err := w.eng.BulkIssue(w.ctx, req)
	w.must(err)
	for i := range 2 {
		if second[i].Err != nil || !reflect.DeepEqual(second[i].Pass, first[i].Pass) {
			t.Fatalf("second run for %s: got %+v (%v), want the first run's pass %+v", req.Holders[i], second[i].Pass, second[i].Err, first[i].Pass)
		}
	}
	if second[2].Err != nil || second[2].Pass.Holder != "cy" {
		t.Fatalf("second run for cy: got %+v (%v), want a new pass", second[2].Pass, second[2].Err)
	}
	after := w.snapshot()
	if got, want := len(after.Passes), len(before.Passes)+1; got != want {
		t.Fatalf("passes after the second run: got %d, want %d", got, want)
	}
	third, err := w.eng.BulkIssue(w.ctx, req)
	w.must(err)
	if !reflect.DeepEqual(third, second) {
		t.Fatalf("third run: got %+v, want %+v", third, second)
	}
	w.unchanged(after)
}

func TestRule_E1_E2_SetExpiry(t *testing.T) {
	w := newCoreWorld(t, "America/New_York", "USD")
	w.product(pass.Product{ID: "ten-days", Kind: pass.Day, Units: 5, Validity: calendar.Validity{Days: 10}})
	p := w.issue("ada", "ten-days") // Oct 1, expires Oct 11
	if p.ExpiresOn != calendar.NewDate(2026, 10, 11) {
		t.Fatalf("expiry: got %s, want 2026-10-11", p.ExpiresOn)
	}
	_, err := w.tryCheckIn("ada", "downtown", w.at(2026, 10, 15, 9, 0))
	if r := reasonOf(t, wantRefusal(t, err), p.ID); r != entitlement.Expired {
		t.Fatalf("reason: got %s, want %s", r, entitlement.Expired)
	}
	got, err := w.eng.SetExpiry(w.ctx, passengine.ExpiryRequest{Key: "extend", Network: coreNet, Pass: p.ID,
		ExpiresOn: calendar.NewDate(2026, 10, 31), Actor: "manager", Comment: "goodwill"})
	w.must(err)
	if got.ExpiresOn != calendar.NewDate(2026, 10, 31) {
		t.Fatalf("expiry: got %s, want 2026-10-31", got.ExpiresOn)
	}
	es := w.ledger(p.ID)
	if last := es[len(es)-1]; last.Type != pass.EntryExpiry || last.Actor != "manager" || last.Units != 0 ||
		last.Comment != "expiry 2026-10-11 -> 2026-10-31: goodwill" {
		t.Fatalf("expiry entry: got %+v", last)
	}
	w.checkIn("ada", "downtown", w.at(2026, 10, 15, 9, 0))
	_, err = w.eng.SetExpiry(w.ctx, passengine.ExpiryRequest{Key: "shorten", Network: coreNet, Pass: p.ID,
		ExpiresOn: calendar.NewDate(2026, 10, 12)})
	w.must(err)
	if st := w.pass(p.ID).Status; st != pass.StatusExpired {
		t.Fatalf("status after shortening: got %s, want %s", st, pass.StatusExpired)
	}
	w.snapshot()
}

func TestRule_T5_ExpiryIsTheEndOfTheLocalDay(t *testing.T) {
	w := newCoreWorld(t, "America/New_York", "USD")
	w.product(pass.Product{ID: "days", Kind: pass.Day, Units: 5, Validity: calendar.Validity{Days: 7}})
	p := w.issue("ada", "days") // Oct 1, expires Oct 8
	// 23:30 on Oct 8 in New York is 03:30 UTC on Oct 9: still usable.
	w.checkIn("ada", "downtown", w.at(2026, 10, 8, 23, 30))
	_, err := w.tryCheckIn("ada", "uptown", w.at(2026, 10, 9, 0, 30))
	if r := reasonOf(t, wantRefusal(t, err), p.ID); r != entitlement.Expired {
		t.Fatalf("reason on Oct 9: got %s, want %s", r, entitlement.Expired)
	}
}

func TestRule_E3_FreezeAndUnfreeze(t *testing.T) {
	w := newCoreWorld(t, "America/New_York", "USD")
	w.product(pass.Product{ID: "month", Kind: pass.Day, Units: 20, Validity: calendar.Validity{Days: 30}})
	p := w.issue("ada", "month") // Oct 1, expires Oct 31
	got, err := w.eng.Freeze(w.ctx, passengine.FreezeRequest{Key: "freeze", Network: coreNet, Pass: p.ID,
		From: calendar.NewDate(2026, 10, 10), To: calendar.NewDate(2026, 10, 20), Actor: "desk"})
	w.must(err)
	if exp := got.Expiry(); exp != calendar.NewDate(2026, 11, 10) {
		t.Fatalf("expiry with a 10-day freeze: got %s, want 2026-11-10", exp)
	}
	_, err = w.tryCheckIn("ada", "downtown", w.at(2026, 10, 12, 9, 0))
	if r := reasonOf(t, wantRefusal(t, err), p.ID); r != entitlement.Frozen {
		t.Fatalf("reason: got %s, want %s", r, entitlement.Frozen)
	}
	got, err = w.eng.Unfreeze(w.ctx, passengine.UnfreezeRequest{Key: "unfreeze", Network: coreNet, Pass: p.ID,
		On: calendar.NewDate(2026, 10, 14)})
	w.must(err)
	if exp := got.Expiry(); exp != calendar.NewDate(2026, 11, 4) {
		t.Fatalf("expiry after 4 frozen days: got %s, want 2026-11-04", exp)
	}
	w.checkIn("ada", "downtown", w.at(2026, 10, 14, 9, 0))
	w.snapshot()
}

func TestRule_E4_AdjustUnits(t *testing.T) {
	w := newCoreWorld(t, "America/New_York", "USD")
	w.product(pass.Product{ID: "ten", Kind: pass.Visits, Units: 10})
	p := w.issue("ada", "ten")
	got, err := w.eng.AdjustUnits(w.ctx, passengine.AdjustRequest{Key: "add", Network: coreNet, Pass: p.ID, Units: 5,
		Amount: w.money("40"), Actor: "manager", Comment: "bought 5 more"})
	w.must(err)
	if got.Units != 15 || got.Balance != 15 {
		t.Fatalf("after +5: got %d of %d, want 15 of 15", got.Balance, got.Units)
	}
	got, err = w.eng.AdjustUnits(w.ctx, passengine.AdjustRequest{Key: "sub", Network: coreNet, Pass: p.ID, Units: -3})
	w.must(err)
	if got.Units != 12 || got.Balance != 12 {
		t.Fatalf("after -3: got %d of %d, want 12 of 12", got.Balance, got.Units)
	}
	es := w.ledger(p.ID)
	if add := es[1]; add.Type != pass.EntryAdjust || add.Units != 5 || add.Balance != 15 || add.Actor != "manager" ||
		add.Comment != "bought 5 more" || add.Amount.String() != "40.00 USD" {
		t.Fatalf("adjust entry: got %+v", add)
	}
	before := w.snapshot()
	_, err = w.eng.AdjustUnits(w.ctx, passengine.AdjustRequest{Key: "too-much", Network: coreNet, Pass: p.ID, Units: -13})
	if !errors.Is(err, passengine.ErrBalance) {
		t.Fatalf("subtracting 13 of 12: got %v, want ErrBalance", err)
	}
	w.unchanged(before)
	// The refused key was not recorded: it can carry a valid request.
	if _, err := w.eng.AdjustUnits(w.ctx, passengine.AdjustRequest{Key: "too-much", Network: coreNet, Pass: p.ID, Units: -12}); err != nil {
		t.Fatalf("subtracting 12 of 12 with the refused key: %v", err)
	}
	wantBalance(t, w, p.ID, 0)
}

func TestRule_A6_MarkPaidAndListUnpaid(t *testing.T) {
	w := newCoreWorld(t, "America/New_York", "USD")
	w.product(pass.Product{ID: "days", Kind: pass.Day, Units: 5, Price: w.money("100")})
	unpaid := w.issue("ada", "days")
	paid, err := w.eng.IssuePass(w.ctx, passengine.IssueRequest{Key: "paid", Network: coreNet, Product: "days", Holder: "ben", Paid: true})
	w.must(err)
	list := func() []string {
		ps, err := w.eng.Passes(w.ctx, passengine.PassFilter{Network: coreNet, Unpaid: true})
		w.must(err)
		var ids []string
		for _, p := range ps {
			ids = append(ids, p.ID)
		}
		return ids
	}
	if got := list(); !reflect.DeepEqual(got, []string{unpaid.ID}) {
		t.Fatalf("unpaid: got %v, want [%s] (not %s)", got, unpaid.ID, paid.ID)
	}
	w.checkIn("ada", "downtown", w.at(2026, 10, 1, 9, 0)) // usable while unpaid
	w.clock.Set(w.at(2026, 10, 2, 10, 0))
	got, err := w.eng.MarkPaid(w.ctx, passengine.PaidRequest{Key: "mark", Network: coreNet, Pass: unpaid.ID, By: "front-desk"})
	w.must(err)
	if !got.Paid || got.PaidBy != "front-desk" || got.PaidAt == nil || !got.PaidAt.Equal(w.at(2026, 10, 2, 10, 0)) {
		t.Fatalf("marked paid: got paid %t by %q at %v", got.Paid, got.PaidBy, got.PaidAt)
	}
	if got := list(); len(got) != 0 {
		t.Fatalf("unpaid after marking: got %v, want none", got)
	}
	before := w.snapshot()
	if _, err := w.eng.MarkPaid(w.ctx, passengine.PaidRequest{Key: "mark-again", Network: coreNet, Pass: unpaid.ID, By: "other"}); err != nil {
		t.Fatal(err)
	}
	w.unchanged(before) // a paid pass stays as it was marked
}

func TestRule_B2_CancelBooking(t *testing.T) {
	newWorld := func(t *testing.T, opts ...passengine.Option) (*coreWorld, pass.Pass) {
		w := newCoreWorld(t, "Europe/London", "GBP", append([]passengine.Option{passengine.WithCancelWindow(2 * time.Hour)}, opts...)...)
		w.product(pass.Product{ID: "classes", Kind: pass.Visits, Units: 10, Activation: pass.OnFirstUse, Validity: calendar.Validity{Months: 1}})
		return w, w.issue("ada", "classes")
	}
	class := func(w *coreWorld) time.Time { return w.at(2026, 10, 20, 18, 0) }
	cancel := func(w *coreWorld, visit string, at time.Time, byBusiness bool) passengine.VisitResult {
		w.t.Helper()
		w.clock.Set(at)
		r, err := w.eng.CancelBooking(w.ctx, passengine.CancelRequest{Key: w.key("cancel"), Network: coreNet, Visit: visit, ByBusiness: byBusiness})
		w.must(err)
		return r
	}
	t.Run("on time returns units and deactivates (A5)", func(t *testing.T) {
		w, p := newWorld(t)
		b, err := w.book("ada", "downtown", class(w))
		w.must(err)
		wantBalance(t, w, p.ID, 9)
		r := cancel(w, b.Visit.ID, w.at(2026, 10, 20, 15, 59), false)
		if r.Visit.Status != checkin.Cancelled || r.Visit.LateCancel {
			t.Fatalf("cancel: got %s late %t, want cancelled on time", r.Visit.Status, r.Visit.LateCancel)
		}
		wantBalance(t, w, p.ID, 10)
		if got := w.pass(p.ID); got.Activated() || got.Status != pass.StatusInactive {
			t.Fatalf("after cancelling the activating booking: activated %s, status %s; want inactive", got.ActivatedOn, got.Status)
		}
		if _, err := w.eng.CancelBooking(w.ctx, passengine.CancelRequest{Key: w.key("cancel"), Network: coreNet, Visit: b.Visit.ID}); !errors.Is(err, passengine.ErrNotBooked) {
			t.Fatalf("second cancel: got %v, want ErrNotBooked", err)
		}
	})
	t.Run("late forfeits", func(t *testing.T) {
		w, p := newWorld(t)
		b, err := w.book("ada", "downtown", class(w))
		w.must(err)
		r := cancel(w, b.Visit.ID, w.at(2026, 10, 20, 16, 30), false)
		if !r.Visit.LateCancel {
			t.Fatal("cancel 90 minutes before: got on time, want late")
		}
		wantBalance(t, w, p.ID, 9)
	})
	t.Run("late refunded by policy", func(t *testing.T) {
		w, p := newWorld(t, passengine.WithLateCancelRefund())
		b, err := w.book("ada", "downtown", class(w))
		w.must(err)
		cancel(w, b.Visit.ID, w.at(2026, 10, 20, 17, 30), false)
		wantBalance(t, w, p.ID, 10)
	})
	t.Run("by the business is never late", func(t *testing.T) {
		w, p := newWorld(t)
		b, err := w.book("ada", "downtown", class(w))
		w.must(err)
		r := cancel(w, b.Visit.ID, w.at(2026, 10, 20, 17, 30), true)
		if r.Visit.LateCancel || r.Visit.CancelledBy != "business" {
			t.Fatalf("business cancel: late %t by %q, want on time by business", r.Visit.LateCancel, r.Visit.CancelledBy)
		}
		wantBalance(t, w, p.ID, 10)
	})
	t.Run("returned to a pass expired since", func(t *testing.T) {
		w, p := newWorld(t)
		w.clock.Set(w.at(2026, 10, 12, 9, 0))
		b, err := w.book("ada", "downtown", w.at(2026, 10, 13, 18, 0)) // activates Oct 13
		w.must(err)
		_, err = w.book("ada", "downtown", class(w)) // a second use: the pass stays active
		w.must(err)
		_, err = w.eng.SetExpiry(w.ctx, passengine.ExpiryRequest{Key: "cut", Network: coreNet, Pass: p.ID, ExpiresOn: calendar.NewDate(2026, 10, 13)})
		w.must(err)
		r := cancel(w, b.Visit.ID, w.at(2026, 10, 13, 9, 0), false)
		if len(r.Balances) != 1 || r.Balances[0].Pass != p.ID || r.Balances[0].Balance != 9 {
			t.Fatalf("balances after cancel: got %+v, want %s at 9", r.Balances, p.ID)
		}
		w.clock.Set(w.at(2026, 10, 14, 9, 0))
		if got := w.pass(p.ID); got.Balance != 9 || got.Status != pass.StatusExpired {
			t.Fatalf("pass after cancel: got balance %d, status %s; want 9, expired", got.Balance, got.Status)
		}
	})
}

func TestRule_B3_AttendanceAndNoShow(t *testing.T) {
	for _, fee := range []string{"", "5"} {
		t.Run("fee="+fee, func(t *testing.T) {
			var opts []passengine.Option
			if fee != "" {
				opts = append(opts, passengine.WithNoShowFee(decimal.RequireFromString(fee)))
			}
			w := newCoreWorld(t, "Europe/London", "GBP", opts...)
			w.product(pass.Product{ID: "classes", Kind: pass.Visits, Units: 10})
			p := w.issue("ada", "classes")
			attended, err := w.book("ada", "downtown", w.at(2026, 10, 20, 18, 0))
			w.must(err)
			missed, err := w.book("ada", "downtown", w.at(2026, 10, 21, 18, 0))
			w.must(err)
			mark := func(visit string, came bool) (passengine.VisitResult, error) {
				return w.eng.MarkAttendance(w.ctx, passengine.AttendanceRequest{Key: w.key("mark"), Network: coreNet, Visit: visit, Attended: came})
			}
			r, err := mark(attended.Visit.ID, true)
			w.must(err)
			if r.Visit.Status != checkin.Attended {
				t.Fatalf("attended: got %s", r.Visit.Status)
			}
			r, err = mark(missed.Visit.ID, false)
			w.must(err)
			if r.Visit.Status != checkin.NoShow {
				t.Fatalf("missed: got %s", r.Visit.Status)
			}
			if fee == "" {
				wantBalance(t, w, p.ID, 8)
				wantMoney(t, "no-show charge", r.Charge, "0.00 GBP")
			} else {
				wantBalance(t, w, p.ID, 9)
				wantMoney(t, "no-show fee", r.Charge, "5.00 GBP")
			}
			before := w.snapshot()
			if _, err := mark(missed.Visit.ID, false); !errors.Is(err, passengine.ErrNotBooked) {
				t.Fatalf("marking again: got %v, want ErrNotBooked", err)
			}
			w.unchanged(before) // applied once
		})
	}
}
