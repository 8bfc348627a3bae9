package passengine_test

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/enginetest"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/memstore"
	"github.com/passengine/passengine/store/storefault"
	"github.com/stretchr/testify/require"
)

// Rules I1 and I2 on memstore: 200 concurrent check-ins of one holder with
// 50 visits give exactly 50 successes, every round; one key sent 20 times
// at once has one effect and 20 equal results.
func TestRule_I1_I2_Concurrency(t *testing.T) {
	// Rule I2, Rule I1
	enginetest.RunConcurrency(t, 5, func(*testing.T) store.Store { return memstore.New() })
}

// Rule I1: a key sent again with the same request returns the first result
// even after the state moved on; with a different request, or for another
// operation, it is refused with an *IdempotencyError and nothing is
// written.
func TestRule_I1_KeyReuse(t *testing.T) {
	w := newCoreWorld(t, "America/New_York", "USD")
	w.product(pass.Product{ID: "days", Kind: pass.Day, Units: 5})
	w.product(pass.Product{ID: "more-days", Kind: pass.Day, Units: 10})
	issue := passengine.IssueRequest{Key: "order-17", Network: coreNet, Product: "days", Holder: "ada"}
	p, err := w.eng.IssuePass(w.ctx, issue)
	w.must(err)
	w.clock.Set(w.at(2026, 10, 5, 9, 0))
	in := passengine.CheckInRequest{Key: "door-1", Network: coreNet, Holder: "ada", Location: "downtown"}
	first, err := w.eng.CheckIn(w.ctx, in)
	w.must(err)
	w.checkOut(first.Visit.ID, w.at(2026, 10, 5, 12, 0))

	before := w.snapshot()
	w.clock.Set(w.at(2026, 10, 6, 9, 0))
	again, err := w.eng.CheckIn(w.ctx, in)
	w.must(err)
	require.Equal(t, first, again, "replayed check-in")
	replayed, err := w.eng.IssuePass(w.ctx, issue)
	w.must(err)
	require.Equal(t, p, replayed, "replayed issue")
	w.unchanged(before)

	for name, call := range map[string]func() error{
		"issue, other product": func() error {
			other := issue
			other.Product = "more-days"
			_, err := w.eng.IssuePass(w.ctx, other)
			return err
		},
		"check-in, other location": func() error {
			other := in
			other.Location = "uptown"
			_, err := w.eng.CheckIn(w.ctx, other)
			return err
		},
		"adjust with a check-in's key": func() error {
			_, err := w.eng.AdjustUnits(w.ctx, passengine.AdjustRequest{Key: "door-1", Network: coreNet, Pass: p.ID, Units: 1})
			return err
		},
	} {
		err := call()
		var reused *passengine.IdempotencyError
		if !errors.As(err, &reused) || !errors.Is(err, passengine.ErrKeyReused) {
			t.Errorf("%s: got %v, want an *IdempotencyError", name, err)
		}
	}
	w.unchanged(before)
}

// busyWorld is a coreWorld on a store that fails on demand, set up with
// something for every call to act on: ada holds day, pack and class
// passes, has a visit open since Oct 1 (stale after 48 hours) and a
// class booked; ben is on a one-hour time pass since 09:00; a class pass
// has a planned freeze; PAYG applies. The clock is Oct 5 12:00.
func busyWorld(t *testing.T) (*coreWorld, *storefault.Store, map[string]string) {
	t.Helper()
	fs := storefault.New(memstore.New())
	w := newCoreWorldOn(t, fs, "America/New_York", "USD", passengine.WithMaxOpen(48*time.Hour))
	w.must(w.eng.PutHolder(w.ctx, catalog.Holder{Network: coreNet, ID: "cy", Audience: catalog.Member}))
	w.payg(billing.PAYG{ID: "payg", DailyCap: w.money("100"), Prices: []billing.Price{{Hourly: w.money("10")}}})
	w.product(pass.Product{ID: "days", Kind: pass.Day, Units: 5, UnitValue: w.money("10")})
	w.product(pass.Product{ID: "pack", Kind: pass.Day, Units: 5, UnitValue: w.money("20")})
	w.product(pass.Product{ID: "hour", Kind: pass.Time, Units: 60})
	w.product(pass.Product{ID: "classes", Kind: pass.Visits, Units: 10, Activation: pass.OnFirstUse, Validity: calendar.Validity{Months: 3}})
	ids := map[string]string{}
	ids["days"] = w.issue("ada", "days").ID
	ids["pack"] = w.issue("ada", "pack").ID
	ids["classes"] = w.issue("ada", "classes").ID
	ids["hour"] = w.issue("ben", "hour").ID
	ids["stale"] = w.checkIn("ada", "uptown", w.at(2026, 10, 1, 9, 0)).Visit.ID
	ids["time"] = w.checkIn("ben", "downtown", w.at(2026, 10, 5, 9, 0)).Visit.ID
	b, err := w.book("ada", "downtown", w.at(2026, 10, 10, 18, 0))
	w.must(err)
	ids["booking"] = b.Visit.ID
	_, err = w.eng.Freeze(w.ctx, passengine.FreezeRequest{Key: "freeze-0", Network: coreNet, Pass: ids["classes"],
		From: calendar.NewDate(2026, 10, 20), To: calendar.NewDate(2026, 10, 25)})
	w.must(err)
	w.clock.Set(w.at(2026, 10, 5, 12, 0))
	return w, fs, ids
}

// faultOps are calls of every kind, each on a fresh busyWorld.
var faultOps = map[string]func(w *coreWorld, ids map[string]string) error{
	"IssuePass": func(w *coreWorld, ids map[string]string) error {
		_, err := w.eng.IssuePass(w.ctx, passengine.IssueRequest{Key: "op", Network: coreNet, Product: "pack", Holder: "cy"})
		return err
	},
	"AdjustUnits": func(w *coreWorld, ids map[string]string) error {
		_, err := w.eng.AdjustUnits(w.ctx, passengine.AdjustRequest{Key: "op", Network: coreNet, Pass: ids["days"], Units: -2})
		return err
	},
	"SetExpiry": func(w *coreWorld, ids map[string]string) error {
		_, err := w.eng.SetExpiry(w.ctx, passengine.ExpiryRequest{Key: "op", Network: coreNet, Pass: ids["days"], ExpiresOn: calendar.NewDate(2026, 12, 31)})
		return err
	},
	"Freeze": func(w *coreWorld, ids map[string]string) error {
		_, err := w.eng.Freeze(w.ctx, passengine.FreezeRequest{Key: "op", Network: coreNet, Pass: ids["days"],
			From: calendar.NewDate(2026, 10, 7), To: calendar.NewDate(2026, 10, 9)})
		return err
	},
	"Unfreeze": func(w *coreWorld, ids map[string]string) error {
		_, err := w.eng.Unfreeze(w.ctx, passengine.UnfreezeRequest{Key: "op", Network: coreNet, Pass: ids["classes"], On: calendar.NewDate(2026, 10, 22)})
		return err
	},
	"MarkPaid": func(w *coreWorld, ids map[string]string) error {
		_, err := w.eng.MarkPaid(w.ctx, passengine.PaidRequest{Key: "op", Network: coreNet, Pass: ids["pack"], By: "desk"})
		return err
	},
	"CheckIn day": func(w *coreWorld, ids map[string]string) error {
		_, err := w.eng.CheckIn(w.ctx, passengine.CheckInRequest{Key: "op", Network: coreNet, Holder: "ada", Location: "downtown"})
		return err
	},
	"CheckIn closing a stale visit": func(w *coreWorld, ids map[string]string) error {
		_, err := w.eng.CheckIn(w.ctx, passengine.CheckInRequest{Key: "op", Network: coreNet, Holder: "ada", Location: "uptown"})
		return err
	},
	"CheckIn PAYG": func(w *coreWorld, ids map[string]string) error {
		_, err := w.eng.CheckIn(w.ctx, passengine.CheckInRequest{Key: "op", Network: coreNet, Holder: "cy", Location: "downtown"})
		return err
	},
	"CheckOut time and PAYG": func(w *coreWorld, ids map[string]string) error {
		_, err := w.eng.CheckOut(w.ctx, passengine.CheckOutRequest{Key: "op", Network: coreNet, Visit: ids["time"]})
		return err
	},
	"Book": func(w *coreWorld, ids map[string]string) error {
		_, err := w.book("ada", "uptown", w.at(2026, 10, 11, 18, 0))
		return err
	},
	"CancelBooking": func(w *coreWorld, ids map[string]string) error {
		_, err := w.eng.CancelBooking(w.ctx, passengine.CancelRequest{Key: "op", Network: coreNet, Visit: ids["booking"]})
		return err
	},
	"MarkAttendance": func(w *coreWorld, ids map[string]string) error {
		_, err := w.eng.MarkAttendance(w.ctx, passengine.AttendanceRequest{Key: "op", Network: coreNet, Visit: ids["booking"]})
		return err
	},
	"MoveVisit": func(w *coreWorld, ids map[string]string) error {
		_, err := w.eng.MoveVisit(w.ctx, passengine.MoveRequest{Key: "op", Network: coreNet, Visit: ids["stale"], Pass: ids["pack"]})
		return err
	},
	"CloseStale": func(w *coreWorld, ids map[string]string) error {
		_, err := w.eng.CloseStale(w.ctx, passengine.CloseStaleRequest{Key: "op", Network: coreNet})
		return err
	},
	"PutLocation": func(w *coreWorld, ids map[string]string) error {
		return w.eng.PutLocation(w.ctx, catalog.Location{Network: coreNet, ID: "new", Zone: "America/New_York"})
	},
	"PutPAYG": func(w *coreWorld, ids map[string]string) error {
		return w.eng.PutPAYG(w.ctx, billing.PAYG{Network: coreNet, ID: "payg-2", Prices: []billing.Price{{Hourly: w.money("8")}}})
	},
}

// counts sums up a snapshot for comparing runs whose IDs differ.
func counts(s enginetest.Snapshot) string {
	bal := make([]int, len(s.Passes))
	for i, p := range s.Passes {
		bal[i] = p.Balance
	}
	st := make([]string, len(s.Visits))
	for i, v := range s.Visits {
		st[i] = string(v.Status)
	}
	sort.Strings(st)
	return fmt.Sprintf("%d locations, %d PAYG, balances %v, visits %v, %d entries", len(s.Locations), len(s.PAYGs), bal, st, len(s.Ledger))
}

// Rule I3: a call that fails at any store call (every one is tried in
// turn) writes nothing, and its key stays free: the retry succeeds and
// ends where a clean run does. A lost race (ErrConflict) at any store call
// of a unit of work is retried by the Engine.
func TestRule_I3_FailedCallWritesNothing(t *testing.T) {
	for name, op := range faultOps {
		t.Run(name, func(t *testing.T) {
			w, fs, ids := busyWorld(t)
			w.must(op(w, ids))
			want := counts(w.snapshotOf(fs.Inner()))
			calls := 0
			for n := 1; ; n++ {
				w, fs, ids := busyWorld(t)
				before := w.snapshotOf(fs.Inner())
				fs.FailAt(n, nil)
				err := op(w, ids)
				if !fs.Fired() {
					w.must(err)
					calls = n - 1
					break
				}
				if !errors.Is(err, storefault.ErrInjected) {
					t.Fatalf("failure at call %d (%s): got %v, want the injected error", n, fs.FiredAt(), err)
				}
				if after := w.snapshotOf(fs.Inner()); !reflect.DeepEqual(before, after) {
					t.Fatalf("failure at call %d (%s) changed the store:\nbefore %+v\nafter  %+v", n, fs.FiredAt(), before, after)
				}
				fs.Disarm()
				if err := op(w, ids); err != nil {
					t.Fatalf("retry after a failure at call %d (%s): %v", n, fs.FiredAt(), err)
				}
				if got := counts(w.snapshotOf(fs.Inner())); got != want {
					t.Fatalf("retry after a failure at call %d: got %s, want %s", n, got, want)
				}
			}
			if calls == 0 {
				t.Fatal("the call made no store call")
			}
			for n := 1; n <= calls; n++ {
				w, fs, ids := busyWorld(t)
				before := w.snapshotOf(fs.Inner())
				fs.FailAt(n, store.ErrConflict)
				err := op(w, ids)
				switch {
				case err == nil:
					if got := counts(w.snapshotOf(fs.Inner())); got != want {
						t.Fatalf("after a conflict at call %d (%s): got %s, want %s", n, fs.FiredAt(), got, want)
					}
				case errors.Is(err, store.ErrConflict): // a read outside a unit of work: not retried, nothing written
					if after := w.snapshotOf(fs.Inner()); !reflect.DeepEqual(before, after) {
						t.Fatalf("conflict at call %d (%s) changed the store", n, fs.FiredAt())
					}
				default:
					t.Fatalf("conflict at call %d (%s): got %v", n, fs.FiredAt(), err)
				}
			}
		})
	}
}

// Rules E6 and I3: a bulk issue failing part-way leaves each holder with
// its pass or without it, never half of one, and running it again
// finishes.
func TestRule_E6_I3_BulkIssueFailingPartWay(t *testing.T) {
	for n := 1; ; n++ {
		w, fs, _ := busyWorld(t)
		req := passengine.BulkIssueRequest{Key: "bulk", Network: coreNet, Product: "classes", Holders: []string{"ada", "ben", "cy"}}
		fs.FailAt(n, nil)
		res, err := w.eng.BulkIssue(w.ctx, req)
		w.must(err)
		if !fs.Fired() {
			break
		}
		s := w.snapshotOf(fs.Inner())
		for _, r := range res {
			if r.Err != nil && !errors.Is(r.Err, storefault.ErrInjected) {
				t.Fatalf("failure at call %d: %s got %v", n, r.Holder, r.Err)
			}
			_, stored := s.Pass(r.Pass.ID)
			if (r.Err == nil) != stored {
				t.Fatalf("failure at call %d: %s's result %v, pass stored %t", n, r.Holder, r.Err, stored)
			}
		}
		fs.Disarm()
		again, err := w.eng.BulkIssue(w.ctx, req)
		w.must(err)
		for i, r := range again {
			if r.Err != nil || (res[i].Err == nil && r.Pass.ID != res[i].Pass.ID) {
				t.Fatalf("rerun after a failure at call %d: %s got %s (%v), first run %s", n, r.Holder, r.Pass.ID, r.Err, res[i].Pass.ID)
			}
		}
	}
}
