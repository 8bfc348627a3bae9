package passengine_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store/memstore"
)

// exampleEngine returns an Engine on memstore for the examples: network
// "hub" in New York with locations "downtown" and "uptown", member "ada",
// a clock at 2026-03-02 09:00 local and readable IDs (pass-1, ...).
func exampleEngine() (*passengine.Engine, *passengine.ManualClock) {
	ctx := context.Background()
	ny, _ := time.LoadLocation("America/New_York")
	clock := passengine.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, ny))
	n := 0
	eng := passengine.New(memstore.New(), passengine.WithClock(clock), passengine.WithIDs(func() string {
		n++
		return fmt.Sprintf("id-%d", n)
	}))
	for _, err := range []error{
		eng.PutNetwork(ctx, catalog.Network{ID: "hub", Currency: "USD", Zone: "America/New_York"}),
		eng.PutLocation(ctx, catalog.Location{Network: "hub", ID: "downtown", Zone: "America/New_York"}),
		eng.PutLocation(ctx, catalog.Location{Network: "hub", ID: "uptown", Zone: "America/New_York"}),
		eng.PutHolder(ctx, catalog.Holder{Network: "hub", ID: "ada", Audience: catalog.Member}),
	} {
		if err != nil {
			panic(err)
		}
	}
	return eng, clock
}

// A check-in consumes a day unit; a second check-in on the same date
// reuses it (RULES C2).
func ExampleEngine_CheckIn() {
	ctx := context.Background()
	eng, clock := exampleEngine()
	_ = eng.PutProduct(ctx, pass.Product{Network: "hub", ID: "day-5", Kind: pass.Day, Units: 5,
		Price: money.MustNew("125", "USD"), Activation: pass.OnPurchase})
	p, _ := eng.IssuePass(ctx, passengine.IssueRequest{Key: "order-17", Network: "hub", Product: "day-5", Holder: "ada"})

	in, err := eng.CheckIn(ctx, passengine.CheckInRequest{Key: "door-1", Network: "hub", Holder: "ada", Location: "downtown"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("in on %s, paid by %s (%s): %d day left of %d\n", in.Visit.Date, in.Visit.Pass, in.Visit.Mode, in.Balances[0].Balance, p.Units)

	clock.Advance(4 * time.Hour)
	out, _ := eng.CheckOut(ctx, passengine.CheckOutRequest{Key: "door-2", Network: "hub", Visit: in.Visit.ID})
	fmt.Printf("out after %d minutes\n", out.Visit.Minutes())

	clock.Advance(time.Hour)
	again, _ := eng.CheckIn(ctx, passengine.CheckInRequest{Key: "door-3", Network: "hub", Holder: "ada", Location: "uptown"})
	fmt.Printf("in again, covered by visit %s: %d units consumed\n", again.Visit.CoveredBy, len(again.Visit.Consumptions))
	// Output:
	// in on 2026-03-02, paid by id-1 (day): 4 day left of 5
	// out after 240 minutes
	// in again, covered by visit id-3: 0 units consumed
}

// Explain ranks the holder's passes in the consumption order and names the
// key that decided, writing nothing (RULES O8, C10).
func ExampleEngine_Explain() {
	ctx := context.Background()
	eng, _ := exampleEngine()
	usd := func(s string) money.Money { return money.MustNew(s, "USD") }
	_ = eng.PutProduct(ctx, pass.Product{Network: "hub", ID: "pack", Kind: pass.Day, Units: 5, Price: usd("125"),
		Activation: pass.OnPurchase})
	_ = eng.PutProduct(ctx, pass.Product{Network: "hub", ID: "plan", Kind: pass.Day, Units: 10, Price: usd("0"),
		UnitValue: usd("15"), Activation: pass.OnPurchase})
	_ = eng.PutProduct(ctx, pass.Product{Network: "hub", ID: "hours", Kind: pass.Time, Units: 600, Price: usd("60"),
		Activation: pass.OnPurchase})
	for _, product := range []string{"pack", "plan", "hours"} {
		_, _ = eng.IssuePass(ctx, passengine.IssueRequest{Key: "buy-" + product, Network: "hub", Product: product, Holder: "ada"})
	}

	r, err := eng.Explain(ctx, passengine.CheckInRequest{Network: "hub", Holder: "ada", Location: "downtown"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("would use %s; decided by %s\n", r.Visit.Pass, r.Selection.DecidedBy)
	for i, c := range r.Selection.Candidates {
		why := "chosen"
		if c.Reason != "" {
			why = fmt.Sprintf("%s, by %s", c.Reason, c.DecidedBy)
		}
		fmt.Printf("%d. %s %-5s %3d left: %s\n", i+1, c.PassID, c.Kind, c.Balance, why)
	}
	// Output:
	// would use id-3; decided by unit_value
	// 1. id-3 day    10 left: chosen
	// 2. id-1 day     5 left: another pass comes first in the consumption order, by unit_value
	// 3. id-5 time  600 left: another pass comes first in the consumption order, by kind
}

// A refused check-in carries every pass's reason, for the front desk
// (RULES G7).
func ExampleEngine_CheckIn_refused() {
	ctx := context.Background()
	eng, clock := exampleEngine()
	_ = eng.PutProduct(ctx, pass.Product{Network: "hub", ID: "week", Kind: pass.Day, Units: 5, Price: money.MustNew("50", "USD"),
		Activation: pass.OnPurchase, Validity: calendar.Validity{Days: 7}})
	_ = eng.PutProduct(ctx, pass.Product{Network: "hub", ID: "uptown-10", Kind: pass.Visits, Units: 10, Price: money.MustNew("90", "USD"),
		Activation: pass.OnPurchase, Locations: []string{"uptown"}})
	_, _ = eng.IssuePass(ctx, passengine.IssueRequest{Key: "buy-1", Network: "hub", Product: "week", Holder: "ada"})
	_, _ = eng.IssuePass(ctx, passengine.IssueRequest{Key: "buy-2", Network: "hub", Product: "uptown-10", Holder: "ada"})

	clock.Advance(10 * 24 * time.Hour)
	_, err := eng.CheckIn(ctx, passengine.CheckInRequest{Key: "door-1", Network: "hub", Holder: "ada", Location: "downtown"})
	var refusal *entitlement.RefusalError
	if errors.As(err, &refusal) {
		fmt.Println("refused:")
		for _, c := range refusal.Candidates {
			fmt.Printf("  %s (%s): %s\n", c.PassID, c.Kind, c.Reason)
		}
	}
	fmt.Println(errors.Is(err, passengine.ErrNoEntitlement))
	// Output:
	// refused:
	//   id-1 (day): pass has expired
	//   id-3 (visits): pass does not cover this location
	// true
}
