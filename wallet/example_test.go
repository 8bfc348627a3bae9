package wallet_test

import (
	"fmt"
	"time"

	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/wallet"
)

// A deposit pays the holder's oldest debt first: the account could not
// pay a 12.00 PAYG charge in full, and the next deposit settles the rest.
func ExampleDecideDeposit() {
	at := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	st := wallet.State{Account: wallet.New("club", "ada", "EUR")}
	st.Account.Balance = money.MustNew("5.00", "EUR")
	st.Account.Entries = 1

	charged, _ := wallet.DecideCharge(st, wallet.Charge{
		Dues: []wallet.Due{{Debt: wallet.Debt{Visit: "v1", Start: at}, Amount: money.MustNew("12.00", "EUR")}},
		Meta: wallet.Meta{Key: "door-7", At: at.Add(2 * time.Hour)},
	})
	fmt.Println("debited", charged.Debts[0].Debited, "owed", charged.Debts[0].Owed)

	st = wallet.State{Account: charged.Account, Debts: charged.Debts}
	o, _ := wallet.DecideDeposit(st, wallet.Deposit{Amount: money.MustNew("20.00", "EUR"),
		Meta: wallet.Meta{Key: "pay-2", Actor: "ada", At: at.Add(24 * time.Hour)}})
	for _, e := range o.Entries {
		fmt.Println(e.Seq, e.Type, e.Amount, e.Visit, "->", e.Balance)
	}
	fmt.Println("owed", o.Account.Owed)
	// Output:
	// debited 5.00 EUR owed 7.00 EUR
	// 3 deposit 20.00 EUR  -> 20.00 EUR
	// 4 settle -7.00 EUR v1 -> 13.00 EUR
	// owed 0.00 EUR
}
