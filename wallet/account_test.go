package wallet_test

import (
	"errors"
	"testing"
	"time"

	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/wallet"
)

var t0 = time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)

func usd(s string) money.Money { return money.MustNew(s, "USD") }

func meta(key string, minutes int) wallet.Meta {
	return wallet.Meta{Key: key, Actor: "desk", Comment: "c-" + key, At: t0.Add(time.Duration(minutes) * time.Minute)}
}

func fresh() wallet.State { return wallet.State{Account: wallet.New("net", "ada", "USD")} }

// mustOK returns a function that returns a decision's outcome and fails
// t on its error: mustOK(t)(wallet.DecideDeposit(...)).
func mustOK(t *testing.T) func(wallet.Outcome, error) wallet.Outcome {
	t.Helper()
	return func(o wallet.Outcome, err error) wallet.Outcome {
		t.Helper()
		if err != nil {
			t.Fatalf("got error %v, want none", err)
		}
		return o
	}
}

func wantMoney(t *testing.T, what string, got, want money.Money) {
	t.Helper()
	if got.Currency != want.Currency || !got.Amount.Equal(want.Amount) {
		t.Errorf("%s: got %s, want %s", what, got, want)
	}
}

func wantField(t *testing.T, err error, name string) {
	t.Helper()
	var fe *field.Error
	if !errors.As(err, &fe) || fe.Name != name {
		t.Fatalf("got error %v, want a *field.Error named %q", err, name)
	}
}

// Rule W1: a deposit credits the account with one entry carrying the key,
// actor, comment, instant, type, amount and balance after.
func TestRule_W1_DepositEntry(t *testing.T) {
	o := mustOK(t)(wallet.DecideDeposit(fresh(), wallet.Deposit{Amount: usd("50.00"), Meta: meta("k1", 0)}))
	wantMoney(t, "balance", o.Account.Balance, usd("50"))
	if len(o.Entries) != 1 {
		t.Fatalf("got %d entries, want 1", len(o.Entries))
	}
	e := o.Entries[0]
	if e.Type != wallet.EntryDeposit || e.Key != "k1" || e.Actor != "desk" || e.Comment != "c-k1" || !e.At.Equal(t0) || e.Seq != 1 {
		t.Errorf("entry: got %+v", e)
	}
	wantMoney(t, "entry amount", e.Amount, usd("50"))
	wantMoney(t, "entry balance after", e.Balance, usd("50"))
	if o.Account.Entries != 1 || !o.Account.OpenedAt.Equal(t0) || !o.Account.UpdatedAt.Equal(t0) {
		t.Errorf("account: got %+v", o.Account)
	}
}

// Rule W1: deposits, spends and adjustments are refused with a field error
// for zero, negative, foreign or sub-minor-unit amounts, and nothing
// changes.
func TestRule_W1_BadAmounts(t *testing.T) {
	st := fresh()
	for _, c := range []struct {
		name   string
		amount money.Money
		field  string
	}{
		{"missing", money.Money{}, "amount"},
		{"zero", usd("0"), "amount.amount"},
		{"negative", usd("-5"), "amount.amount"},
		{"finer than a cent", usd("1.005"), "amount.amount"},
		{"another currency", money.MustNew("5", "EUR"), "amount.currency"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := wallet.DecideDeposit(st, wallet.Deposit{Amount: c.amount, Meta: meta("k", 0)})
			wantField(t, err, c.field)
			_, err = wallet.DecideSpend(st, wallet.Spend{Amount: c.amount, Meta: meta("k", 0)})
			wantField(t, err, c.field)
		})
	}
	_, err := wallet.DecideAdjust(st, wallet.Adjust{Amount: usd("0"), Meta: meta("k", 0)})
	wantField(t, err, "amount.amount")
	_, err = wallet.DecideAdjust(st, wallet.Adjust{Amount: usd("-0.001"), Meta: meta("k", 0)})
	wantField(t, err, "amount.amount")
	// A yen has no minor unit: 100.5 JPY is finer than it.
	_, err = wallet.DecideDeposit(wallet.State{Account: wallet.New("net", "ada", "JPY")},
		wallet.Deposit{Amount: money.MustNew("100.5", "JPY"), Meta: meta("k", 0)})
	wantField(t, err, "amount.amount")
}

// Rule W1: a spend takes up to the balance; one more cent is refused with
// an *InsufficientFundsError carrying what was asked and what is there.
func TestRule_W1_SpendUpToBalance(t *testing.T) {
	st := fresh()
	st.Account = mustOK(t)(wallet.DecideDeposit(st, wallet.Deposit{Amount: usd("20"), Meta: meta("d", 0)})).Account
	_, err := wallet.DecideSpend(st, wallet.Spend{Amount: usd("20.01"), Meta: meta("s1", 1)})
	var ife *wallet.InsufficientFundsError
	if !errors.As(err, &ife) || !errors.Is(err, wallet.ErrInsufficientFunds) {
		t.Fatalf("got %v, want an *InsufficientFundsError", err)
	}
	wantMoney(t, "asked", ife.Amount, usd("20.01"))
	wantMoney(t, "available", ife.Available, usd("20"))
	o := mustOK(t)(wallet.DecideSpend(st, wallet.Spend{Amount: usd("20"), Pass: "p1", Meta: meta("s2", 1)}))
	wantMoney(t, "balance", o.Account.Balance, usd("0"))
	if e := o.Entries[0]; e.Type != wallet.EntrySpend || e.Pass != "p1" || e.Seq != 2 {
		t.Errorf("spend entry: got %+v", e)
	}
	wantMoney(t, "spend amount", o.Entries[0].Amount, usd("-20"))
}

// Rule W1: with an overdraft limit, a spend may take the balance down to
// minus the limit and no further.
func TestRule_W1_Overdraft(t *testing.T) {
	st := fresh()
	st.Account = mustOK(t)(wallet.DecideOverdraft(st, wallet.Overdraft{Limit: usd("30"), Meta: meta("o", 0)})).Account
	wantMoney(t, "limit", st.Account.Overdraft, usd("30"))
	st.Account = mustOK(t)(wallet.DecideSpend(st, wallet.Spend{Amount: usd("25"), Meta: meta("s1", 1)})).Account
	wantMoney(t, "balance", st.Account.Balance, usd("-25"))
	_, err := wallet.DecideSpend(st, wallet.Spend{Amount: usd("5.01"), Meta: meta("s2", 2)})
	if !errors.Is(err, wallet.ErrInsufficientFunds) {
		t.Fatalf("spend past the limit: got %v, want ErrInsufficientFunds", err)
	}
	st.Account = mustOK(t)(wallet.DecideSpend(st, wallet.Spend{Amount: usd("5"), Meta: meta("s3", 2)})).Account
	wantMoney(t, "balance at the limit", st.Account.Balance, usd("-30"))
	// A limit below what the balance uses is refused.
	_, err = wallet.DecideOverdraft(st, wallet.Overdraft{Limit: usd("29.99"), Meta: meta("o2", 3)})
	wantField(t, err, "limit")
	_, err = wallet.DecideOverdraft(st, wallet.Overdraft{Limit: usd("-1"), Meta: meta("o3", 3)})
	wantField(t, err, "limit.amount")
}

// Choice: setting the overdraft limit the account already has writes no
// entry; a change writes an overdraft entry of amount zero saying old and
// new limits.
func TestChoice_OverdraftEntry(t *testing.T) {
	st := fresh()
	o := mustOK(t)(wallet.DecideOverdraft(st, wallet.Overdraft{Limit: usd("0"), Meta: meta("o", 0)}))
	if len(o.Entries) != 0 {
		t.Errorf("unchanged limit: got %d entries, want 0", len(o.Entries))
	}
	o = mustOK(t)(wallet.DecideOverdraft(st, wallet.Overdraft{Limit: usd("10"), Meta: meta("o", 0)}))
	if len(o.Entries) != 1 || o.Entries[0].Type != wallet.EntryOverdraft || !o.Entries[0].Amount.Amount.IsZero() ||
		o.Entries[0].Comment != "overdraft limit 0.00 USD -> 10.00 USD: c-o" {
		t.Errorf("limit change: got %+v", o.Entries)
	}
}

// Rule W1: a refund gives back up to what that spend took, less what was
// refunded of it already, and names the entry it refunds.
func TestRule_W1_RefundUpToSpend(t *testing.T) {
	st := fresh()
	st.Account = mustOK(t)(wallet.DecideDeposit(st, wallet.Deposit{Amount: usd("100"), Meta: meta("d", 0)})).Account
	so := mustOK(t)(wallet.DecideSpend(st, wallet.Spend{Amount: usd("40"), Pass: "p1", Meta: meta("s", 1)}))
	st.Account = so.Account
	spend := so.Entries[0]
	spend.ID = "e-spend"
	o := mustOK(t)(wallet.DecideRefund(st, wallet.Refund{Of: spend, Amount: usd("15"), Meta: meta("r1", 2)}))
	if e := o.Entries[0]; e.Type != wallet.EntryRefund || e.Refunds != "e-spend" || e.Pass != "p1" {
		t.Errorf("refund entry: got %+v", e)
	}
	wantMoney(t, "balance after a refund of 15", o.Account.Balance, usd("75"))
	st.Account = o.Account
	_, err := wallet.DecideRefund(st, wallet.Refund{Of: spend, Refunded: usd("15"), Amount: usd("25.01"), Meta: meta("r2", 3)})
	var re *wallet.RefundError
	if !errors.As(err, &re) || !errors.Is(err, wallet.ErrRefundTooLarge) {
		t.Fatalf("refund above what is left: got %v, want a *RefundError", err)
	}
	wantMoney(t, "took", re.Took, usd("40"))
	wantMoney(t, "refunded", re.Refunded, usd("15"))
	// Amount zero refunds all that is left.
	o = mustOK(t)(wallet.DecideRefund(st, wallet.Refund{Of: spend, Refunded: usd("15"), Meta: meta("r3", 3)}))
	wantMoney(t, "refund of the rest", o.Entries[0].Amount, usd("25"))
	_, err = wallet.DecideRefund(wallet.State{Account: o.Account}, wallet.Refund{Of: spend, Refunded: usd("40"), Meta: meta("r4", 4)})
	if !errors.Is(err, wallet.ErrRefundTooLarge) {
		t.Fatalf("refund of a spend refunded in full: got %v, want ErrRefundTooLarge", err)
	}
	// A deposit, or another holder's spend, is not refundable.
	dep := wallet.Entry{Network: "net", Holder: "ada", Currency: "USD", ID: "e-dep", Type: wallet.EntryDeposit, Amount: usd("100")}
	_, err = wallet.DecideRefund(st, wallet.Refund{Of: dep, Meta: meta("r5", 4)})
	wantField(t, err, "entry")
	other := spend
	other.Holder = "ben"
	_, err = wallet.DecideRefund(st, wallet.Refund{Of: other, Meta: meta("r6", 4)})
	wantField(t, err, "entry")
}

// Rule W1: an adjustment moves the balance either way, and down never
// below minus the overdraft limit.
func TestRule_W1_Adjust(t *testing.T) {
	st := fresh()
	st.Account = mustOK(t)(wallet.DecideAdjust(st, wallet.Adjust{Amount: usd("12.50"), Meta: meta("a1", 0)})).Account
	wantMoney(t, "balance", st.Account.Balance, usd("12.50"))
	_, err := wallet.DecideAdjust(st, wallet.Adjust{Amount: usd("-12.51"), Meta: meta("a2", 1)})
	if !errors.Is(err, wallet.ErrInsufficientFunds) {
		t.Fatalf("adjust below zero: got %v, want ErrInsufficientFunds", err)
	}
	o := mustOK(t)(wallet.DecideAdjust(st, wallet.Adjust{Amount: usd("-12.50"), Meta: meta("a3", 1)}))
	wantMoney(t, "balance", o.Account.Balance, usd("0"))
	wantMoney(t, "entry amount", o.Entries[0].Amount, usd("-12.50"))
}

// Choice: entries never go back in time within an account: an entry
// written with an instant before the account's last takes the last.
func TestChoice_EntryInstantsNeverGoBack(t *testing.T) {
	st := fresh()
	st.Account = mustOK(t)(wallet.DecideDeposit(st, wallet.Deposit{Amount: usd("5"), Meta: meta("d1", 10)})).Account
	o := mustOK(t)(wallet.DecideDeposit(st, wallet.Deposit{Amount: usd("5"), Meta: meta("d2", 5)}))
	if want := t0.Add(10 * time.Minute); !o.Entries[0].At.Equal(want) {
		t.Errorf("instant: got %s, want %s", o.Entries[0].At, want)
	}
}
