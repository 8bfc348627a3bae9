package passengine_test

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/enginetest"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store/memstore"
	"github.com/passengine/passengine/store/storefault"
)

// walletFaultWorld is a walletWorld with WithAccountDebit on a store that
// fails on demand: ada has deposited 60 and spent 5 ("spend" is that
// entry), ben owes 20 for a PAYG visit and has 5 from an adjustment, and
// ben is checked in on PAYG since 09:00 ("open"). The clock is 12:00.
func walletFaultWorld(t *testing.T) (*coreWorld, *storefault.Store, map[string]string) {
	t.Helper()
	fs := storefault.New(memstore.New())
	w := newCoreWorldOn(t, fs, "America/New_York", "USD", passengine.WithAccountDebit())
	w.payg(billing.PAYG{ID: "payg", DailyCap: w.money("100"), Prices: []billing.Price{{Hourly: w.money("10")}}})
	w.product(pass.Product{ID: "pack", Kind: pass.Visits, Units: 10, Price: w.money("40")})
	ids := map[string]string{}
	w.deposit("ada", "60")
	sp, err := w.eng.Spend(w.ctx, passengine.SpendRequest{Key: "shop", Network: coreNet, Holder: "ada", Amount: w.money("5")})
	w.must(err)
	ids["spend"] = sp.Entries[0].ID
	w.visit("ben", "downtown", w.at(2026, 10, 1, 7, 0), w.at(2026, 10, 1, 9, 0))
	_, err = w.eng.AdjustAccount(w.ctx, passengine.AdjustAccountRequest{Key: "adj", Network: coreNet, Holder: "ben", Amount: w.money("5"), Actor: "m"})
	w.must(err)
	ids["open"] = w.checkIn("ben", "uptown", w.at(2026, 10, 1, 9, 0)).Visit.ID
	w.clock.Set(w.at(2026, 10, 1, 12, 0))
	return w, fs, ids
}

var walletFaultOps = map[string]func(w *coreWorld, ids map[string]string) error{
	"Deposit settling a debt": func(w *coreWorld, ids map[string]string) error {
		_, err := w.eng.Deposit(w.ctx, passengine.DepositRequest{Key: "op", Network: coreNet, Holder: "ben", Amount: w.money("30")})
		return err
	},
	"Spend": func(w *coreWorld, ids map[string]string) error {
		_, err := w.eng.Spend(w.ctx, passengine.SpendRequest{Key: "op", Network: coreNet, Holder: "ada", Amount: w.money("5")})
		return err
	},
	"Refund": func(w *coreWorld, ids map[string]string) error {
		_, err := w.eng.Refund(w.ctx, passengine.RefundRequest{Key: "op", Network: coreNet, Entry: ids["spend"], Actor: "m"})
		return err
	},
	"AdjustAccount": func(w *coreWorld, ids map[string]string) error {
		_, err := w.eng.AdjustAccount(w.ctx, passengine.AdjustAccountRequest{Key: "op", Network: coreNet, Holder: "ada", Amount: w.money("-1"), Actor: "m"})
		return err
	},
	"SetOverdraft": func(w *coreWorld, ids map[string]string) error {
		_, err := w.eng.SetOverdraft(w.ctx, passengine.OverdraftRequest{Key: "op", Network: coreNet, Holder: "ada", Limit: w.money("10"), Actor: "m"})
		return err
	},
	"Settle": func(w *coreWorld, ids map[string]string) error {
		_, err := w.eng.Settle(w.ctx, passengine.SettleRequest{Key: "op", Network: coreNet, Holder: "ben"})
		return err
	},
	"IssuePass paid from the account": func(w *coreWorld, ids map[string]string) error {
		_, err := w.eng.IssuePass(w.ctx, passengine.IssueRequest{Key: "op", Network: coreNet, Product: "pack", Holder: "ada", PayFromAccount: true})
		return err
	},
	"CheckOut debited": func(w *coreWorld, ids map[string]string) error {
		_, err := w.eng.CheckOut(w.ctx, passengine.CheckOutRequest{Key: "op", Network: coreNet, Visit: ids["open"]})
		return err
	},
}

// walletCounts sums up a snapshot's accounts for comparing runs whose IDs
// differ.
func walletCounts(s enginetest.Snapshot) string {
	out := counts(s)
	for _, a := range s.Accounts {
		out += fmt.Sprintf(", %s: %s owes %s", a.Holder, a.Balance, a.Owed)
	}
	owed := 0
	for _, v := range s.Visits {
		if v.Owed.Amount.IsPositive() {
			owed++
		}
	}
	return out + fmt.Sprintf(", %d account entries, %d owing visits", len(s.AccountEntries), owed)
}

// Rule I3, Rule W1, Rule W2: an account call, a pass paid from the account
// and a debited check-out that fail at any store call write nothing, and
// the same call then succeeds with the effect it would have had.
func TestRule_I3_W1_W2_FailedAccountCallWritesNothing(t *testing.T) {
	for name, op := range walletFaultOps {
		t.Run(name, func(t *testing.T) {
			w, fs, ids := walletFaultWorld(t)
			w.must(op(w, ids))
			s := w.snapshotOf(fs.Inner())
			if err := s.CheckAccounts(); err != nil {
				t.Fatal(err)
			}
			want := walletCounts(s)
			for n := 1; ; n++ {
				w, fs, ids := walletFaultWorld(t)
				before := w.snapshotOf(fs.Inner())
				fs.FailAt(n, nil)
				err := op(w, ids)
				if !fs.Fired() {
					w.must(err)
					if n == 1 {
						t.Fatal("the call made no store call")
					}
					break
				}
				if !errors.Is(err, storefault.ErrInjected) {
					t.Fatalf("failure at call %d (%s): got %v, want the injected error", n, fs.FiredAt(), err)
				}
				if after := w.snapshotOf(fs.Inner()); !reflect.DeepEqual(before, after) {
					t.Fatalf("failure at call %d (%s) changed the store:\nbefore %+v\nafter  %+v", n, fs.FiredAt(), before, after)
				}
				fs.Disarm()
				w.must(op(w, ids))
				if got := walletCounts(w.snapshotOf(fs.Inner())); got != want {
					t.Fatalf("retry after a failure at call %d: got %s, want %s", n, got, want)
				}
			}
		})
	}
}
