package enginetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/wallet"
	"github.com/stretchr/testify/require"
)

// CheckAccounts returns an error naming the first prepaid account whose
// balance is not the sum of its entries, is below minus its overdraft
// limit, whose entries are not numbered 1, 2, ... with each balance after
// the running sum, or whose Owed is not the sum of its holder's visits'
// Owed; or the first entry of an account the snapshot does not hold. It
// returns nil when every account is consistent (W1, W2).
func (s *Snapshot) CheckAccounts() error {
	type acc struct{ holder, currency string }
	sums := map[acc]money.Money{}
	seqs := map[acc]int64{}
	for _, e := range s.AccountEntries {
		k := acc{e.Holder, e.Currency}
		seqs[k]++
		sums[k] = sums[k].Add(e.Amount)
		// Entries come in (At, Holder, Currency, Seq) order, which is Seq
		// order within an account.
		if e.Seq != seqs[k] {
			return fmt.Errorf("account of %s: entry %s has seq %d, want %d", e.Holder, e.ID, e.Seq, seqs[k])
		}
		if !e.Balance.Amount.Equal(sums[k].Amount) {
			return fmt.Errorf("account of %s: entry %s has balance after %s, the entries sum to %s", e.Holder, e.ID, e.Balance, sums[k])
		}
	}
	owed := map[string]money.Money{}
	for _, v := range s.Visits {
		owed[v.Holder] = owed[v.Holder].Add(v.Owed)
	}
	seen := map[acc]bool{}
	for _, a := range s.Accounts {
		k := acc{a.Holder, a.Currency}
		seen[k] = true
		if !a.Balance.Amount.Equal(sums[k].Amount) {
			return fmt.Errorf("account of %s: balance %s, its entries sum to %s", a.Holder, a.Balance, sums[k])
		}
		if a.Entries != seqs[k] {
			return fmt.Errorf("account of %s: counts %d entries, has %d", a.Holder, a.Entries, seqs[k])
		}
		if a.Balance.Add(a.Overdraft).Amount.IsNegative() {
			return fmt.Errorf("account of %s: balance %s is below minus the overdraft limit %s", a.Holder, a.Balance, a.Overdraft)
		}
		if !a.Owed.Amount.Equal(owed[a.Holder].Amount) {
			return fmt.Errorf("account of %s: owes %s, its visits owe %s", a.Holder, a.Owed, owed[a.Holder])
		}
	}
	for k := range seqs {
		if !seen[k] {
			return fmt.Errorf("entries of %s in %s belong to no stored account", k.holder, k.currency)
		}
	}
	for h, o := range owed {
		if o.Amount.IsPositive() && !seen[acc{h, o.Currency}] {
			return fmt.Errorf("visits of %s owe %s and it has no account", h, o)
		}
	}
	return nil
}

// RunWallet checks the prepaid account calls (RULES W1, W2, with I1-I3)
// on stores made by newStore, each subtest on a store of its own:
//
//   - SpendRace: 200 goroutines spend 2.00 at once from an account holding
//     100.00: exactly 50 succeed, the others get ErrInsufficientFunds, the
//     balance ends at zero with 51 entries. It runs rounds times (at least
//     once).
//   - SameKey: one deposit sent 20 times at once with the same key has one
//     effect and 20 equal results.
//   - BadInput: zero, negative, sub-minor-unit and foreign amounts, a
//     missing actor and unknown holders get the same typed errors on every
//     store and write nothing.
//   - PaidIssue: a pass paid from the account is marked paid with the
//     entry that paid; one the account cannot pay writes nothing.
//   - Debit: with WithAccountDebit a PAYG check-out debits the account,
//     owes the rest on the visit, and the next deposit settles it.
func RunWallet(t *testing.T, rounds int, newStore func(t *testing.T) store.Store) {
	t.Helper()
	t.Run("SpendRace", func(t *testing.T) {
		for round := range max(rounds, 1) {
			spendRace(t, newStore(t), round)
		}
	})
	t.Run("SameKey", func(t *testing.T) { walletSameKey(t, newStore(t)) })
	t.Run("BadInput", func(t *testing.T) { walletBadInput(t, newStore(t)) })
	t.Run("PaidIssue", func(t *testing.T) { walletPaidIssue(t, newStore(t)) })
	t.Run("Debit", func(t *testing.T) { walletDebit(t, newStore(t)) })
}

const walNetwork = "wal"

func walMoney(s string) money.Money { return money.MustNew(s, "EUR") }

// walletWorld puts a network (EUR, Europe/Paris) with location "club",
// holders "h" and "g", a product "pack" at 40.00 and a PAYG product at
// 10.00 an hour, and returns the Engine and its clock.
func walletWorld(t *testing.T, st store.Store, opts ...passengine.Option) (*passengine.Engine, *passengine.ManualClock) {
	t.Helper()
	ctx := context.Background()
	clock := passengine.NewManualClock(time.Date(2026, 10, 5, 9, 0, 0, 0, time.UTC))
	eng := passengine.New(st, append([]passengine.Option{passengine.WithClock(clock)}, opts...)...)
	require.NoError(t, eng.PutNetwork(ctx, catalog.Network{ID: walNetwork, Currency: "EUR", Zone: "Europe/Paris"}))
	require.NoError(t, eng.PutLocation(ctx, catalog.Location{Network: walNetwork, ID: "club", Zone: "Europe/Paris"}))
	for _, h := range []string{"h", "g"} {
		require.NoError(t, eng.PutHolder(ctx, catalog.Holder{Network: walNetwork, ID: h, Audience: catalog.Member}))
	}
	require.NoError(t, eng.PutProduct(ctx, pass.Product{Network: walNetwork, ID: "pack", Kind: pass.Visits, Units: 10,
		Price: walMoney("40.00"), Activation: pass.OnPurchase}))
	require.NoError(t, eng.PutPAYG(ctx, billing.PAYG{Network: walNetwork, ID: "payg",
		Prices: []billing.Price{{Hourly: walMoney("10")}}, DailyCap: walMoney("100")}))
	return eng, clock
}

func take(t *testing.T, st store.Store) Snapshot {
	t.Helper()
	s, err := Take(context.Background(), st, walNetwork)
	require.NoError(t, err)
	require.NoError(t, s.CheckBalances())
	require.NoError(t, s.CheckAccounts())
	return s
}

func spendRace(t *testing.T, st store.Store, round int) {
	t.Helper()
	const spenders, fits = 200, 50
	ctx := context.Background()
	eng, _ := walletWorld(t, st)
	_, err := eng.Deposit(ctx, passengine.DepositRequest{Key: "dep", Network: walNetwork, Holder: "h", Amount: walMoney("100.00")})
	require.NoError(t, err)
	errs := make([]error, spenders)
	start(spenders, func(i int) {
		_, errs[i] = eng.Spend(ctx, passengine.SpendRequest{Key: fmt.Sprintf("spend-%03d", i), Network: walNetwork,
			Holder: "h", Amount: walMoney("2.00")})
	})
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, passengine.ErrInsufficientFunds):
			t.Fatalf("round %d, spender %d: got %v, want success or ErrInsufficientFunds", round, i, err)
		}
	}
	require.Equal(t, fits, ok, "round %d: successful spends", round)
	s := take(t, st)
	require.Len(t, s.Accounts, 1)
	require.True(t, s.Accounts[0].Balance.Amount.IsZero(), "round %d: balance %s", round, s.Accounts[0].Balance)
	require.Len(t, s.AccountEntries, fits+1, "round %d: entries", round)
}

func walletSameKey(t *testing.T, st store.Store) {
	t.Helper()
	const senders = 20
	ctx := context.Background()
	eng, _ := walletWorld(t, st)
	req := passengine.DepositRequest{Key: "dep-1", Network: walNetwork, Holder: "h", Amount: walMoney("25.50"), Comment: "cash"}
	results := make([]passengine.AccountResult, senders)
	errs := make([]error, senders)
	start(senders, func(i int) { results[i], errs[i] = eng.Deposit(ctx, req) })
	for i := range senders {
		require.NoError(t, errs[i], "sender %d", i)
		require.True(t, reflect.DeepEqual(results[0], results[i]), "sender %d: got %+v, want %+v", i, results[i], results[0])
	}
	s := take(t, st)
	require.Len(t, s.AccountEntries, 1)
	require.True(t, s.Accounts[0].Balance.Amount.Equal(walMoney("25.50").Amount))
}

// walletBadInput: each bad request gets a *field.Error naming the field
// (or ErrNotFound) and the network is unchanged.
func walletBadInput(t *testing.T, st store.Store) {
	t.Helper()
	ctx := context.Background()
	eng, _ := walletWorld(t, st)
	_, err := eng.Deposit(ctx, passengine.DepositRequest{Key: "dep", Network: walNetwork, Holder: "h", Amount: walMoney("10")})
	require.NoError(t, err)
	before := take(t, st)
	dep := func(amount money.Money) func() error {
		return func() error {
			_, err := eng.Deposit(ctx, passengine.DepositRequest{Key: "bad", Network: walNetwork, Holder: "h", Amount: amount})
			return err
		}
	}
	spend := func(amount money.Money) func() error {
		return func() error {
			_, err := eng.Spend(ctx, passengine.SpendRequest{Key: "bad", Network: walNetwork, Holder: "h", Amount: amount})
			return err
		}
	}
	for _, c := range []struct {
		name  string
		call  func() error
		field string // "" for ErrNotFound
	}{
		{"deposit of zero", dep(walMoney("0")), "amount.amount"},
		{"deposit of nothing", dep(money.Money{}), "amount"},
		{"negative deposit", dep(walMoney("-5")), "amount.amount"},
		{"deposit finer than a cent", dep(walMoney("0.005")), "amount.amount"},
		{"deposit in another currency", dep(money.MustNew("5", "USD")), "amount.currency"},
		{"spend of zero", spend(walMoney("0")), "amount.amount"},
		{"negative spend", spend(walMoney("-1")), "amount.amount"},
		{"spend finer than a cent", spend(walMoney("1.001")), "amount.amount"},
		{"spend in another currency", spend(money.MustNew("1", "GBP")), "amount.currency"},
		{"deposit to an unknown holder", func() error {
			_, err := eng.Deposit(ctx, passengine.DepositRequest{Key: "bad", Network: walNetwork, Holder: "nobody", Amount: walMoney("5")})
			return err
		}, ""},
		{"adjust by zero", func() error {
			_, err := eng.AdjustAccount(ctx, passengine.AdjustAccountRequest{Key: "bad", Network: walNetwork, Holder: "h", Amount: walMoney("0"), Actor: "m"})
			return err
		}, "amount.amount"},
		{"adjust without an actor", func() error {
			_, err := eng.AdjustAccount(ctx, passengine.AdjustAccountRequest{Key: "bad", Network: walNetwork, Holder: "h", Amount: walMoney("1")})
			return err
		}, "actor"},
		{"adjust in another currency", func() error {
			_, err := eng.AdjustAccount(ctx, passengine.AdjustAccountRequest{Key: "bad", Network: walNetwork, Holder: "h", Amount: money.MustNew("-1", "USD"), Actor: "m"})
			return err
		}, "amount.currency"},
		{"negative overdraft", func() error {
			_, err := eng.SetOverdraft(ctx, passengine.OverdraftRequest{Key: "bad", Network: walNetwork, Holder: "h", Limit: walMoney("-1"), Actor: "m"})
			return err
		}, "limit.amount"},
		{"overdraft in another currency", func() error {
			_, err := eng.SetOverdraft(ctx, passengine.OverdraftRequest{Key: "bad", Network: walNetwork, Holder: "h", Limit: money.MustNew("1", "USD"), Actor: "m"})
			return err
		}, "limit.currency"},
		{"refund of a deposit", func() error {
			_, err := eng.Refund(ctx, passengine.RefundRequest{Key: "bad", Network: walNetwork, Entry: before.AccountEntries[0].ID, Actor: "m"})
			return err
		}, "entry"},
		{"refund of an unknown entry", func() error {
			_, err := eng.Refund(ctx, passengine.RefundRequest{Key: "bad", Network: walNetwork, Entry: "nope", Actor: "m"})
			return err
		}, ""},
		{"team pass paid from an account", func() error {
			_, err := eng.IssuePass(ctx, passengine.IssueRequest{Key: "bad", Network: walNetwork, Product: "pack", Team: "t", PayFromAccount: true})
			return err
		}, "pay_from_account"},
		{"paid and paid from the account", func() error {
			_, err := eng.IssuePass(ctx, passengine.IssueRequest{Key: "bad", Network: walNetwork, Product: "pack", Holder: "h", Paid: true, PayFromAccount: true})
			return err
		}, "pay_from_account"},
		{"account entries with a forged cursor", func() error {
			_, err := eng.AccountEntries(ctx, passengine.AccountEntriesRequest{Network: walNetwork, Cursor: "bm90IGEgY3Vyc29y"})
			return err
		}, "cursor"},
	} {
		err := c.call()
		if c.field == "" {
			require.ErrorIs(t, err, passengine.ErrNotFound, c.name)
		} else {
			var fe *field.Error
			require.True(t, errors.As(err, &fe), "%s: got %v, want a *field.Error", c.name, err)
			require.Equal(t, c.field, fe.Name, "%s: %v", c.name, err)
		}
		require.Equal(t, before, take(t, st), "%s wrote something", c.name)
	}
}

func walletPaidIssue(t *testing.T, st store.Store) {
	t.Helper()
	ctx := context.Background()
	eng, clock := walletWorld(t, st)
	_, err := eng.Deposit(ctx, passengine.DepositRequest{Key: "dep", Network: walNetwork, Holder: "h", Amount: walMoney("50")})
	require.NoError(t, err)
	p, err := eng.IssuePass(ctx, passengine.IssueRequest{Key: "buy-1", Network: walNetwork, Product: "pack", Holder: "h", PayFromAccount: true})
	require.NoError(t, err)
	require.True(t, p.Paid)
	require.Equal(t, "h", p.PaidBy)
	require.True(t, p.PaidAt != nil && p.PaidAt.Equal(clock.Now()))
	page, err := eng.AccountEntries(ctx, passengine.AccountEntriesRequest{Network: walNetwork, Holder: "h"})
	require.NoError(t, err)
	require.Len(t, page.Entries, 2)
	spent := page.Entries[1]
	require.Equal(t, p.PaidWith, spent.ID)
	require.Equal(t, wallet.EntrySpend, spent.Type)
	require.Equal(t, p.ID, spent.Pass)
	require.True(t, spent.Amount.Amount.Equal(walMoney("-40").Amount))

	before := take(t, st)
	_, err = eng.IssuePass(ctx, passengine.IssueRequest{Key: "buy-2", Network: walNetwork, Product: "pack", Holder: "h", PayFromAccount: true})
	var ife *wallet.InsufficientFundsError
	require.True(t, errors.As(err, &ife), "got %v, want an *InsufficientFundsError", err)
	require.True(t, ife.Available.Amount.Equal(walMoney("10").Amount))
	require.Equal(t, before, take(t, st), "a refused paid issue wrote something")
}

func walletDebit(t *testing.T, st store.Store) {
	t.Helper()
	ctx := context.Background()
	eng, clock := walletWorld(t, st, passengine.WithAccountDebit())
	_, err := eng.Deposit(ctx, passengine.DepositRequest{Key: "dep-1", Network: walNetwork, Holder: "g", Amount: walMoney("15")})
	require.NoError(t, err)
	in, err := eng.CheckIn(ctx, passengine.CheckInRequest{Key: "in", Network: walNetwork, Holder: "g", Location: "club"})
	require.NoError(t, err)
	clock.Advance(2 * time.Hour)
	out, err := eng.CheckOut(ctx, passengine.CheckOutRequest{Key: "out", Network: walNetwork, Visit: in.Visit.ID})
	require.NoError(t, err, "a check-out is never refused for money")
	require.True(t, out.Charge.Amount.Equal(walMoney("20").Amount), "charge %s", out.Charge)
	require.True(t, out.Visit.Debited.Amount.Equal(walMoney("15").Amount), "debited %s", out.Visit.Debited)
	require.True(t, out.Visit.Owed.Amount.Equal(walMoney("5").Amount), "owed %s", out.Visit.Owed)
	debts, err := eng.Outstanding(ctx, passengine.DebtFilter{Network: walNetwork})
	require.NoError(t, err)
	require.Len(t, debts, 1)
	require.Equal(t, in.Visit.ID, debts[0].ID)
	take(t, st)

	dep, err := eng.Deposit(ctx, passengine.DepositRequest{Key: "dep-2", Network: walNetwork, Holder: "g", Amount: walMoney("8")})
	require.NoError(t, err)
	require.Len(t, dep.Settled, 1)
	require.True(t, dep.Settled[0].Owed.Amount.IsZero())
	require.True(t, dep.Account.Balance.Amount.Equal(walMoney("3").Amount), "balance %s", dep.Account.Balance)
	require.True(t, dep.Account.Owed.Amount.IsZero())
	debts, err = eng.Outstanding(ctx, passengine.DebtFilter{Network: walNetwork})
	require.NoError(t, err)
	require.Empty(t, debts)
	take(t, st)
}
