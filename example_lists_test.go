package passengine_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/store/memstore"
	"github.com/shopspring/decimal"
)

// New makes an Engine on a store: memstore here, sqlite.Open's store or
// postgres.Open's in production. Options set the clock (a fixed one in
// tests), the consumption order, the passcode key and the other host
// policies; without them the Engine reads the system clock.
func ExampleNew() {
	ctx := context.Background()
	clock := passengine.NewManualClock(time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC))
	eng := passengine.New(memstore.New(), passengine.WithClock(clock))

	err := errors.Join(
		eng.PutNetwork(ctx, catalog.Network{ID: "hub", Name: "The Hub", Currency: "USD", Zone: "America/New_York"}),
		eng.PutLocation(ctx, catalog.Location{Network: "hub", ID: "downtown", Zone: "America/New_York"}),
		eng.PutHolder(ctx, catalog.Holder{Network: "hub", ID: "ada", Audience: catalog.Member}),
		eng.PutPAYG(ctx, billing.PAYG{Network: "hub", ID: "walk-in",
			Prices: []billing.Price{{Audience: catalog.Member, Hourly: money.MustNew("10", "USD")}}}),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	in, err := eng.CheckIn(ctx, passengine.CheckInRequest{Key: "door-1", Network: "hub", Holder: "ada", Location: "downtown"})
	fmt.Println(in.Visit.Mode, in.Visit.Date, err)

	clock.Advance(90 * time.Minute)
	out, err := eng.CheckOut(ctx, passengine.CheckOutRequest{Key: "door-2", Network: "hub", Visit: in.Visit.ID})
	fmt.Println(out.Visit.Minutes(), "minutes:", out.Charge, err)
	// Output:
	// payg 2026-03-02 <nil>
	// 90 minutes: 15.00 USD <nil>
}

// Lists are paged by an opaque cursor: each page's Next asks for the one
// after it, "" on the last.
func ExampleEngine_Holders() {
	ctx := context.Background()
	eng, _ := exampleEngine()
	for _, id := range []string{"ben", "cy", "dee"} {
		_ = eng.PutHolder(ctx, catalog.Holder{Network: "hub", ID: id, Audience: catalog.Contact})
	}
	req := passengine.PageRequest{Limit: 3}
	for {
		page, err := eng.Holders(ctx, "hub", req)
		if err != nil {
			fmt.Println(err)
			return
		}
		for _, h := range page.Items {
			fmt.Print(h.ID, " ")
		}
		fmt.Println("| more:", page.Next != "")
		if page.Next == "" {
			break
		}
		req.Cursor = page.Next
	}
	// Output:
	// ada ben cy | more: true
	// dee | more: false
}

// Who is in now, and each club's occupancy (seed 004).
func ExampleEngine_Occupancy() {
	ctx := context.Background()
	eng, clock := exampleEngine()
	_ = eng.PutPAYG(ctx, billing.PAYG{Network: "hub", ID: "walk-in",
		Prices: []billing.Price{{Hourly: money.MustNew("10", "USD")}}})
	for i, id := range []string{"ben", "cy"} {
		_ = eng.PutHolder(ctx, catalog.Holder{Network: "hub", ID: id, Audience: catalog.Contact})
		_, _ = eng.CheckIn(ctx, passengine.CheckInRequest{Key: fmt.Sprint("in-", i), Network: "hub", Holder: id, Location: "downtown"})
	}
	clock.Advance(time.Minute)
	_, _ = eng.CheckIn(ctx, passengine.CheckInRequest{Key: "in-ada", Network: "hub", Holder: "ada", Location: "uptown"})

	in, _ := eng.Visits(ctx, passengine.VisitFilter{Network: "hub", Location: "downtown", Status: checkin.Open})
	for _, v := range in.Items {
		fmt.Println("in downtown:", v.Holder)
	}
	occ, _ := eng.Occupancy(ctx, "hub", passengine.PageRequest{})
	for _, o := range occ.Items {
		fmt.Println(o.Location.ID, o.CheckedIn)
	}
	// Output:
	// in downtown: ben
	// in downtown: cy
	// downtown 2
	// uptown 1
}

// A payout statement pays each club per redeemed visit from the terms in
// force, and a share of what PAYG visitors were charged; WritePayoutCSV
// writes the same statement as CSV.
func ExampleEngine_Payout() {
	ctx := context.Background()
	eng, clock := exampleEngine()
	usd := func(s string) money.Money { return money.MustNew(s, "USD") }
	err := errors.Join(
		eng.PutPAYG(ctx, billing.PAYG{Network: "hub", ID: "walk-in", Prices: []billing.Price{{Hourly: usd("12")}}}),
		eng.PutTerms(ctx, billing.Terms{Network: "hub", Location: "downtown", ID: "downtown-v1", EffectiveFrom: clock.Now(),
			PAYGShare: decimal.RequireFromString("0.5")}),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	clock.Advance(time.Minute)
	in, _ := eng.CheckIn(ctx, passengine.CheckInRequest{Key: "in", Network: "hub", Holder: "ada", Location: "downtown"})
	clock.Advance(2 * time.Hour)
	_, _ = eng.CheckOut(ctx, passengine.CheckOutRequest{Key: "out", Network: "hub", Visit: in.Visit.ID})

	st, err := eng.Payout(ctx, passengine.PayoutRequest{Network: "hub", Location: "downtown",
		From: calendar.NewDate(2026, 3, 1), To: calendar.NewDate(2026, 3, 31)})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, l := range st.Lines {
		fmt.Println(l.Date, l.Kind, "charged", l.Base, "paid", l.Amount)
	}
	fmt.Println("total", st.Total)
	// Output:
	// 2026-03-02 payg charged 24.00 USD paid 12.00 USD
	// total 12.00 USD
}
