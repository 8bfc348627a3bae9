package passengine_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
)

// A member's prepaid account (seed 004): a deposit, a pass bought from the
// account, a purchase refused for lack of funds, PAYG time debited at
// check-out with the part the account could not pay owed, and the next
// deposit settling it.
func ExampleEngine_Deposit() {
	ctx := context.Background()
	eng, clock := exampleEngine()
	eng = passengine.New(eng.Store(), passengine.WithClock(clock), passengine.WithAccountDebit())
	usd := func(s string) money.Money { return money.MustNew(s, "USD") }
	_ = eng.PutProduct(ctx, pass.Product{Network: "hub", ID: "ten-classes", Kind: pass.Visits, Units: 10,
		Price: usd("40.00"), Activation: pass.OnPurchase})
	_ = eng.PutPAYG(ctx, billing.PAYG{Network: "hub", ID: "payg", Prices: []billing.Price{{Hourly: usd("10")}}})

	r, _ := eng.Deposit(ctx, passengine.DepositRequest{Key: "pay-1", Network: "hub", Holder: "ada", Amount: usd("50.00"), Comment: "card"})
	fmt.Println("deposit:", r.Account.Balance)

	p, _ := eng.IssuePass(ctx, passengine.IssueRequest{Key: "shop-1", Network: "hub", Product: "ten-classes",
		Holder: "ada", PayFromAccount: true})
	fmt.Println("pass paid:", p.Paid, "by", p.PaidBy)

	_, err := eng.IssuePass(ctx, passengine.IssueRequest{Key: "shop-2", Network: "hub", Product: "ten-classes",
		Holder: "ada", PayFromAccount: true})
	fmt.Println("second pass refused:", errors.Is(err, passengine.ErrInsufficientFunds))

	// A day later: ada has no pass for a walk-in, so the visit is PAYG.
	_, _ = eng.AdjustUnits(ctx, passengine.AdjustRequest{Key: "adj", Network: "hub", Pass: p.ID, Units: -10, Actor: "desk"})
	clock.Advance(24 * time.Hour)
	in, _ := eng.CheckIn(ctx, passengine.CheckInRequest{Key: "in-1", Network: "hub", Holder: "ada", Location: "downtown"})
	clock.Advance(2 * time.Hour)
	out, _ := eng.CheckOut(ctx, passengine.CheckOutRequest{Key: "out-1", Network: "hub", Visit: in.Visit.ID})
	fmt.Println("charge:", out.Charge, "debited:", out.Visit.Debited, "owed:", out.Visit.Owed)

	owing, _ := eng.Outstanding(ctx, passengine.DebtFilter{Network: "hub"})
	fmt.Println("outstanding visits:", len(owing))

	r, _ = eng.Deposit(ctx, passengine.DepositRequest{Key: "pay-2", Network: "hub", Holder: "ada", Amount: usd("20.00")})
	fmt.Println("settled:", len(r.Settled), "balance:", r.Account.Balance, "owed:", r.Account.Owed)
	for _, e := range r.Entries {
		fmt.Println(e.Seq, e.Type, e.Amount, "->", e.Balance)
	}
	// Output:
	// deposit: 50.00 USD
	// pass paid: true by ada
	// second pass refused: true
	// charge: 20.00 USD debited: 10.00 USD owed: 10.00 USD
	// outstanding visits: 1
	// settled: 1 balance: 10.00 USD owed: 0.00 USD
	// 4 deposit 20.00 USD -> 20.00 USD
	// 5 settle -10.00 USD -> 10.00 USD
}
