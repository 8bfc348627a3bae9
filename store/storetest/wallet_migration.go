package storetest

import (
	"context"
	"testing"

	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/wallet"
)

// CheckWalletMigration checks a store migrated to the prepaid accounts'
// schema from the one before it (an adapter's migration test calls it):
// the rows written at the previous schema, network "n" (USD) with holder
// "ada", her pass "p1" (balance 7, paid by "desk", price 40.00) and her
// closed PAYG visit "v1" with one charge, read back with the new fields
// empty (the pass paid by no account entry, the visit owing nothing); and
// the new tables and columns take rows (the visit then owes 5.00 and ada
// has an account). It fails t on any difference.
func CheckWalletMigration(t testing.TB, st store.Store) {
	t.Helper()
	ctx := context.Background()
	err := st.Update(ctx, func(tx store.Tx) error {
		p, err := tx.Passes().Get(ctx, "n", "p1")
		if err != nil {
			return err
		}
		if p.Balance != 7 || !p.Paid || p.PaidBy != "desk" || p.PaidWith != "" || !p.Price.Amount.Equal(usd("40").Amount) {
			t.Errorf("pass after the migration: got %+v", p)
		}
		v, err := tx.Visits().Get(ctx, "n", "v1")
		if err != nil {
			return err
		}
		if len(v.Charges) != 1 || !v.Owed.Amount.IsZero() || !v.Debited.Amount.IsZero() || v.Status != checkin.Closed {
			t.Errorf("visit after the migration: got %+v", v)
		}
		debts, err := tx.Accounts().Debts(ctx, store.DebtFilter{Network: "n"})
		if err != nil || len(debts) != 0 {
			t.Errorf("debts after the migration: got %d, %v; want none", len(debts), err)
		}
		v.Owed = money.MustNew("5", "USD")
		if err := tx.Visits().Put(ctx, v); err != nil {
			return err
		}
		a := wallet.New("n", "ada", "USD")
		a.Owed = v.Owed
		return tx.Accounts().Put(ctx, a)
	})
	if err != nil {
		t.Fatal(err)
	}
	err = st.View(ctx, func(tx store.Tx) error {
		debts, err := tx.Accounts().Debts(ctx, store.DebtFilter{Network: "n", Holder: "ada"})
		if err != nil || len(debts) != 1 {
			t.Errorf("debts: got %d, %v; want the visit", len(debts), err)
		}
		_, err = tx.Accounts().Get(ctx, "n", "ada", "USD")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
