package passengine_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/card"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store/memstore"
)

// A studio sells a multipass card (seed 003): 10 visits for 100.00, then
// refunds 2 of them for 20.00 (M1, M2). The card's visits pay a check-in
// like any visits pass and earn the host's bonus points (M3); the metrics
// are read off the card's row (M6) and the history exports as CSV (M7).
func ExampleEngine_AddVisits() {
	ctx := context.Background()
	london, _ := time.LoadLocation("Europe/London")
	clock := passengine.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, london))
	n := 0
	eng := passengine.New(memstore.New(), passengine.WithClock(clock),
		passengine.WithBonusRule(card.BonusRule{PerVisit: 5}),
		passengine.WithIDs(func() string { n++; return fmt.Sprintf("id-%d", n) }))
	_ = eng.PutNetwork(ctx, catalog.Network{ID: "studio", Currency: "GBP", Zone: "Europe/London"})
	_ = eng.PutLocation(ctx, catalog.Location{Network: "studio", ID: "soho", Zone: "Europe/London"})
	_ = eng.PutHolder(ctx, catalog.Holder{Network: "studio", ID: "ada", Audience: catalog.Member})
	_ = eng.PutProduct(ctx, pass.Product{Network: "studio", ID: "multipass", Kind: pass.Visits, Units: 10,
		Price: money.MustNew("100", "GBP"), Activation: pass.OnPurchase, Validity: calendar.Validity{Months: 6}})

	c, _ := eng.IssueCard(ctx, passengine.IssueCardRequest{Key: "card-1", Network: "studio", Holder: "ada",
		Program: "multipass", Card: "0042", Status: card.Installed})
	_, _ = eng.AddVisits(ctx, passengine.VisitsRequest{Key: "sale-1", Network: "studio", Card: c.Card.ID,
		Visits: 10, Amount: money.MustNew("100.00", "GBP"), Actor: "desk", Comment: "10-visit package"})
	_, _ = eng.SubtractVisits(ctx, passengine.VisitsRequest{Key: "refund-1", Network: "studio", Card: c.Card.ID,
		Visits: 2, Amount: money.MustNew("20.00", "GBP"), Actor: "manager", Comment: "refund"})
	clock.Advance(time.Hour)
	in, _ := eng.CheckIn(ctx, passengine.CheckInRequest{Key: "door-1", Network: "studio", Holder: "ada", Location: "soho"})
	fmt.Println("paid by the card's pass:", in.Visit.Pass == c.Card.Pass)

	v, _ := eng.Card(ctx, "studio", c.Card.ID)
	m := v.Metrics
	fmt.Printf("sold %d, available %d, redeemed %d, removed %d, bonus %d\n", m.Sold, m.Available, m.Redeemed, m.Removed, m.Bonus)
	fmt.Printf("LTV %s, net revenue %s, expires %s\n", m.LTV, m.NetRevenue, m.ExpiresOn)
	_ = eng.WriteCardHistoryCSV(ctx, "studio", c.Card.ID, os.Stdout)
	// Output:
	// paid by the card's pass: true
	// sold 10, available 7, redeemed 1, removed 2, bonus 5
	// LTV 120.00 GBP, net revenue 80.00 GBP, expires 2026-09-02
	// instant_local,instant_utc,holder,kind,subject,type,unit,value,amount,currency,comment,actor,balance_after
	// 2026-03-02T09:00:00Z,2026-03-02T09:00:00Z,ada,card,0042,issued,visits,0,,,card 0042 issued,,0
	// 2026-03-02T09:00:00Z,2026-03-02T09:00:00Z,ada,card,0042,visits_added,visits,10,100.00,GBP,10-visit package,desk,10
	// 2026-03-02T09:00:00Z,2026-03-02T09:00:00Z,ada,card,0042,visits_removed,visits,-2,20.00,GBP,refund,manager,8
	// 2026-03-02T10:00:00Z,2026-03-02T10:00:00Z,ada,card,0042,visits_redeemed,visits,-1,,,,,7
	// 2026-03-02T10:00:00Z,2026-03-02T10:00:00Z,ada,card,0042,bonus_awarded,points,5,,,,,5
}
