package wallet_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/wallet"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// genAmount draws an amount in whole cents, 0.01 to 80.00 USD.
func genAmount(t *rapid.T, label string) money.Money {
	return money.Money{Amount: decimal.New(int64(rapid.IntRange(1, 8000).Draw(t, label)), -2), Currency: "USD"}
}

// Rule W1, Rule W2: after every step of a random sequence of deposits,
// spends, refunds, adjustments, overdraft changes, charges and settles,
// the balance equals the sum of the entries, never goes below minus the
// overdraft limit, the account's Owed equals the sum of its debts, each
// visit's Debited plus Owed equals what it was charged, entries are
// numbered without gaps and their instants never go back, and no entry
// is refunded beyond what it took.
func TestRule_W1_W2_BalanceIsSumOfEntries(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		st := wallet.State{Account: wallet.New("net", "ada", "USD")}
		var entries []wallet.Entry
		debts := map[string]*wallet.Debt{}
		charged := map[string]money.Money{}
		refunded := map[string]money.Money{}
		clock := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
		n := 0
		apply := func(o wallet.Outcome, err error) {
			if err != nil {
				return // refused: nothing changes
			}
			st.Account = o.Account
			for _, e := range o.Entries {
				n++
				e.ID = fmt.Sprintf("e%d", n)
				entries = append(entries, e)
				if e.Type == wallet.EntryRefund {
					refunded[e.Refunds] = refunded[e.Refunds].Add(e.Amount)
				}
			}
			for _, d := range o.Debts {
				debts[d.Visit] = &d
			}
		}
		debtList := func() []wallet.Debt {
			var out []wallet.Debt
			for _, d := range debts {
				out = append(out, *d)
			}
			return out
		}
		steps := rapid.IntRange(1, 60).Draw(t, "steps")
		for i := range steps {
			// Instants move either way: a call may carry an earlier one.
			clock = clock.Add(time.Duration(rapid.IntRange(-30, 120).Draw(t, "minutes")) * time.Minute)
			m := wallet.Meta{Key: fmt.Sprintf("k%d", i), Actor: "a", At: clock}
			st.Debts = debtList()
			switch op := rapid.IntRange(0, 6).Draw(t, "op"); op {
			case 0:
				apply(wallet.DecideDeposit(st, wallet.Deposit{Amount: genAmount(t, "deposit"), Meta: m}))
			case 1:
				apply(wallet.DecideSpend(st, wallet.Spend{Amount: genAmount(t, "spend"), Meta: m}))
			case 2:
				if len(entries) == 0 {
					continue
				}
				of := entries[rapid.IntRange(0, len(entries)-1).Draw(t, "of")]
				amount := money.Money{}
				if rapid.Bool().Draw(t, "partial") {
					amount = genAmount(t, "refund")
				}
				apply(wallet.DecideRefund(st, wallet.Refund{Of: of, Refunded: refunded[of.ID], Amount: amount, Meta: m}))
			case 3:
				a := genAmount(t, "adjust")
				if rapid.Bool().Draw(t, "down") {
					a.Amount = a.Amount.Neg()
				}
				apply(wallet.DecideAdjust(st, wallet.Adjust{Amount: a, Meta: m}))
			case 4:
				limit := money.Money{Amount: decimal.New(int64(rapid.IntRange(0, 5000).Draw(t, "limit")), -2), Currency: "USD"}
				apply(wallet.DecideOverdraft(st, wallet.Overdraft{Limit: limit, Meta: m}))
			case 5:
				visit := fmt.Sprintf("v%d", i)
				amount := genAmount(t, "charge")
				charged[visit] = amount
				apply(wallet.DecideCharge(st, wallet.Charge{Dues: []wallet.Due{{Debt: wallet.Debt{Visit: visit, Start: clock}, Amount: amount}}, Meta: m}))
			case 6:
				apply(wallet.DecideSettle(st, wallet.Settle{Meta: m}))
			}

			a := st.Account
			sum := money.Zero("USD")
			var last time.Time
			for j, e := range entries {
				sum = sum.Add(e.Amount)
				if e.Seq != int64(j+1) {
					t.Fatalf("entry %d has seq %d", j+1, e.Seq)
				}
				if !e.Balance.Amount.Equal(sum.Amount) {
					t.Fatalf("entry %d: balance after %s, sum so far %s", e.Seq, e.Balance, sum)
				}
				if e.At.Before(last) {
					t.Fatalf("entry %d at %s is before the previous at %s", e.Seq, e.At, last)
				}
				last = e.At
			}
			if !a.Balance.Amount.Equal(sum.Amount) {
				t.Fatalf("balance %s, entries sum to %s", a.Balance, sum)
			}
			if a.Entries != int64(len(entries)) {
				t.Fatalf("account counts %d entries, %d written", a.Entries, len(entries))
			}
			if a.Balance.Add(a.Overdraft).Amount.IsNegative() {
				t.Fatalf("balance %s is below minus the limit %s", a.Balance, a.Overdraft)
			}
			owed := money.Zero("USD")
			for v, d := range debts {
				owed = owed.Add(d.Owed)
				if d.Owed.Amount.IsNegative() {
					t.Fatalf("visit %s owes %s", v, d.Owed)
				}
				if got := d.Debited.Add(d.Owed); !got.Amount.Equal(charged[v].Amount) {
					t.Fatalf("visit %s: debited %s + owed %s, charged %s", v, d.Debited, d.Owed, charged[v])
				}
			}
			if !a.Owed.Amount.Equal(owed.Amount) {
				t.Fatalf("account owes %s, debts sum to %s", a.Owed, owed)
			}
			for _, e := range entries {
				if r, ok := refunded[e.ID]; ok && r.Amount.GreaterThan(e.Amount.Amount.Neg()) {
					t.Fatalf("entry %s took %s and was refunded %s", e.ID, e.Amount, r)
				}
			}
		}
	})
}
