package passengine_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store/memstore"
	"github.com/shopspring/decimal"
)

// A front desk redeems a customer's passcode: the visit is recorded with
// the club's terms, a club above the pass's tier is refused, and the
// payout statement pays the club per visit.
func ExampleEngine_Redeem() {
	ctx := context.Background()
	clock := passengine.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	eng := passengine.New(memstore.New(), passengine.WithClock(clock),
		passengine.WithCodeKey([]byte("load your 32-byte key from a secret store")),
		passengine.WithCodeSource(rand.NewChaCha8([32]byte{})), // a host keeps crypto/rand
	)
	gbp := func(s string) money.Money { return money.MustNew(s, "GBP") }
	declared := time.Date(2026, 3, 1, 18, 0, 0, 0, time.UTC)
	errs := []error{
		eng.PutNetwork(ctx, catalog.Network{ID: "fit", Currency: "GBP", Zone: "Europe/London"}),
		eng.PutLocation(ctx, catalog.Location{Network: "fit", ID: "city", Zone: "Europe/London", Tier: 2}),
		eng.PutLocation(ctx, catalog.Location{Network: "fit", ID: "lux", Zone: "Europe/London", Tier: 3}),
		eng.PutHolder(ctx, catalog.Holder{Network: "fit", ID: "ana", Name: "Ana", Audience: catalog.Member, HealthDeclaredAt: &declared}),
		eng.PutProduct(ctx, pass.Product{Network: "fit", ID: "monthly-plus", Kind: pass.Day, Units: 31, Tier: 2,
			Price: gbp("59"), Validity: calendar.Validity{Months: 1}, Activation: pass.OnPurchase}),
		eng.PutTerms(ctx, billing.Terms{Network: "fit", Location: "city", ID: "city-v1", EffectiveFrom: clock.Now(),
			Rates: []billing.Rate{{Tier: 2, Amount: gbp("7")}}, PAYGShare: decimal.Zero}),
	}
	if err := errors.Join(errs...); err != nil {
		fmt.Println(err)
		return
	}
	p, err := eng.IssuePass(ctx, passengine.IssueRequest{Key: "order-1", Network: "fit", Product: "monthly-plus",
		Holder: "ana", Passcode: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	code, _ := eng.Passcode(ctx, "fit", p.ID) // what Ana's app shows

	r, err := eng.Redeem(ctx, passengine.RedeemRequest{Key: "desk-1", Network: "fit", Location: "city", Code: code})
	fmt.Println(r.Outcome, r.Holder.Name, r.Health.Done, r.Visit.Terms, err)

	_, err = eng.Redeem(ctx, passengine.RedeemRequest{Key: "desk-2", Network: "fit", Location: "lux", Code: code})
	fmt.Println(errors.Is(err, passengine.ErrNotIncluded), err)

	st, _ := eng.Payout(ctx, passengine.PayoutRequest{Network: "fit", Location: "city",
		From: calendar.NewDate(2026, 3, 1), To: calendar.NewDate(2026, 3, 31)})
	fmt.Println(len(st.Lines), st.Total)
	// Output:
	// redeemed Ana true city-v1 <nil>
	// true redeem refused: the customer's pass does not include this club: the club is more expensive than the pass (location above the pass's tier)
	// 1 7.00 GBP
}
