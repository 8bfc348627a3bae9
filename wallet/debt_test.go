package wallet_test

import (
	"errors"
	"testing"
	"time"

	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/wallet"
)

func due(visit string, minutes int, amount string) wallet.Due {
	return wallet.Due{Debt: wallet.Debt{Visit: visit, Start: t0.Add(time.Duration(minutes) * time.Minute)}, Amount: usd(amount)}
}

// Rule W2: a charge is debited as far as funds and overdraft allow; the
// rest is owed on the visit and on the account, and the charge is never
// refused.
func TestRule_W2_ChargeNeverRefused(t *testing.T) {
	st := fresh()
	st.Account = mustOK(t)(wallet.DecideDeposit(st, wallet.Deposit{Amount: usd("10"), Meta: meta("d", 0)})).Account
	st.Account = mustOK(t)(wallet.DecideOverdraft(st, wallet.Overdraft{Limit: usd("5"), Meta: meta("o", 0)})).Account
	o := mustOK(t)(wallet.DecideCharge(st, wallet.Charge{Dues: []wallet.Due{due("v1", 0, "25")}, Meta: meta("out", 60)}))
	wantMoney(t, "balance at minus the limit", o.Account.Balance, usd("-5"))
	wantMoney(t, "account owed", o.Account.Owed, usd("10"))
	if len(o.Entries) != 1 || o.Entries[0].Type != wallet.EntryCharge || o.Entries[0].Visit != "v1" {
		t.Fatalf("entries: got %+v", o.Entries)
	}
	wantMoney(t, "charge entry", o.Entries[0].Amount, usd("-15"))
	if len(o.Debts) != 1 {
		t.Fatalf("debts: got %+v", o.Debts)
	}
	wantMoney(t, "visit debited", o.Debts[0].Debited, usd("15"))
	wantMoney(t, "visit owed", o.Debts[0].Owed, usd("10"))

	// With nothing available the whole charge is owed and no entry written.
	st.Account = o.Account
	o = mustOK(t)(wallet.DecideCharge(st, wallet.Charge{Dues: []wallet.Due{due("v2", 90, "7.50")}, Meta: meta("out2", 120)}))
	if len(o.Entries) != 0 {
		t.Errorf("entries with nothing available: got %+v", o.Entries)
	}
	wantMoney(t, "account owed", o.Account.Owed, usd("17.50"))
	wantMoney(t, "visit owed", o.Debts[0].Owed, usd("7.50"))
}

// Rule W2: a later deposit settles debts oldest first, in the deposit's
// own outcome, with what the account can pay after it.
func TestRule_W2_DepositSettlesOldestFirst(t *testing.T) {
	st := fresh()
	st.Account.Owed = usd("30")
	st.Debts = []wallet.Debt{ // given newest first: the decision orders them
		{Visit: "v-new", Start: t0.Add(2 * time.Hour), Debited: usd("0"), Owed: usd("20")},
		{Visit: "v-old", Start: t0, Debited: usd("5"), Owed: usd("10")},
	}
	o := mustOK(t)(wallet.DecideDeposit(st, wallet.Deposit{Amount: usd("25"), Meta: meta("d", 300)}))
	if len(o.Entries) != 3 {
		t.Fatalf("entries: got %+v", o.Entries)
	}
	if o.Entries[1].Type != wallet.EntrySettle || o.Entries[1].Visit != "v-old" || o.Entries[2].Visit != "v-new" {
		t.Errorf("settle order: got %+v", o.Entries)
	}
	wantMoney(t, "old settled", o.Entries[1].Amount, usd("-10"))
	wantMoney(t, "new part settled", o.Entries[2].Amount, usd("-15"))
	wantMoney(t, "balance", o.Account.Balance, usd("0"))
	wantMoney(t, "still owed", o.Account.Owed, usd("5"))
	wantMoney(t, "old debited", o.Debts[0].Debited, usd("15"))
	wantMoney(t, "old owed", o.Debts[0].Owed, usd("0"))
	wantMoney(t, "new owed", o.Debts[1].Owed, usd("5"))
}

// Rule W2: an explicit settle pays the named visit's debt, or every debt
// oldest first; with nothing owed it is a *NoDebtError, with nothing
// available an *InsufficientFundsError.
func TestRule_W2_ExplicitSettle(t *testing.T) {
	st := fresh()
	st.Account.Balance = usd("12")
	st.Account.Owed = usd("18")
	st.Debts = []wallet.Debt{
		{Visit: "v1", Start: t0, Owed: usd("8")},
		{Visit: "v2", Start: t0.Add(time.Hour), Owed: usd("10")},
	}
	o := mustOK(t)(wallet.DecideSettle(st, wallet.Settle{Visit: "v2", Meta: meta("s", 0)}))
	if len(o.Entries) != 1 || o.Entries[0].Visit != "v2" {
		t.Fatalf("entries: got %+v", o.Entries)
	}
	wantMoney(t, "balance", o.Account.Balance, usd("2"))
	wantMoney(t, "owed", o.Account.Owed, usd("8"))
	o = mustOK(t)(wallet.DecideSettle(st, wallet.Settle{Meta: meta("s", 0)}))
	wantMoney(t, "v1 paid first", o.Entries[0].Amount, usd("-8"))
	wantMoney(t, "v2 in part", o.Entries[1].Amount, usd("-4"))

	_, err := wallet.DecideSettle(st, wallet.Settle{Visit: "v9", Meta: meta("s", 0)})
	var nd *wallet.NoDebtError
	if !errors.As(err, &nd) || nd.Visit != "v9" {
		t.Fatalf("settle of a visit that owes nothing: got %v, want a *NoDebtError", err)
	}
	if _, err := wallet.DecideSettle(fresh(), wallet.Settle{Meta: meta("s", 0)}); !errors.Is(err, wallet.ErrNoDebt) {
		t.Fatalf("settle with no debts: got %v, want ErrNoDebt", err)
	}
	st.Account.Balance = usd("0")
	if _, err := wallet.DecideSettle(st, wallet.Settle{Meta: meta("s", 0)}); !errors.Is(err, wallet.ErrInsufficientFunds) {
		t.Fatalf("settle with an empty account: got %v, want ErrInsufficientFunds", err)
	}
}

// Rule W2: a charge in another currency or finer than the minor unit is a
// field error; a zero due is skipped.
func TestRule_W2_ChargeValidation(t *testing.T) {
	_, err := wallet.DecideCharge(fresh(), wallet.Charge{Dues: []wallet.Due{{Debt: wallet.Debt{Visit: "v"}, Amount: money.MustNew("3", "EUR")}}})
	wantField(t, err, "charge.currency")
	_, err = wallet.DecideCharge(fresh(), wallet.Charge{Dues: []wallet.Due{due("v", 0, "0.001")}})
	wantField(t, err, "charge.amount")
	o := mustOK(t)(wallet.DecideCharge(fresh(), wallet.Charge{Dues: []wallet.Due{due("v", 0, "0")}}))
	if len(o.Entries)+len(o.Debts) != 0 {
		t.Errorf("zero due: got %+v", o)
	}
}
