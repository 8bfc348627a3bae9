package passengine_test

import (
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/store/memstore"
	"pgregory.net/rapid"
)

// Rule C5, C6: for any sequence of a holder's PAYG visits (any lengths up
// to the maximum, across midnights, cut-offs and DST changes, in
// currencies of 0, 2 and 3 decimals), each business day's charges total
// at most the day's cap, and every charge is a non-negative amount in the
// currency's minor unit.
func TestRule_C6_DayTotalsWithinCapForAnySequence(t *testing.T) {
	currencies := map[string][2][]string{ // hourly prices, caps ("" none)
		"USD": {{"10", "7.33", "15.01", "6.25"}, {"", "25.50", "100", "0.01"}},
		"JPY": {{"1000", "733", "1501"}, {"", "2550", "10000"}},
		"KWD": {{"1.125", "0.733", "2"}, {"", "4.005", "10"}},
	}
	zones := []string{"America/New_York", "Europe/London", "Australia/Lord_Howe", "America/Havana", "UTC"}
	rapid.Check(t, func(rt *rapid.T) {
		cur := rapid.SampledFrom([]string{"USD", "JPY", "KWD"}).Draw(rt, "currency")
		zone := rapid.SampledFrom(zones).Draw(rt, "zone")
		cutoff := time.Duration(rapid.IntRange(0, 24*60-1).Draw(rt, "cutoffMinute")) * time.Minute
		hourly := money.MustNew(rapid.SampledFrom(currencies[cur][0]).Draw(rt, "hourly"), cur)
		var cap money.Money
		if c := rapid.SampledFrom(currencies[cur][1]).Draw(rt, "cap"); c != "" {
			cap = money.MustNew(c, cur)
		}
		start := time.Date(2026, 3, 6, 0, 0, 0, 0, time.UTC) // the weekend of a DST change in the north
		if zone == "Australia/Lord_Howe" {
			start = time.Date(2026, 4, 3, 0, 0, 0, 0, time.UTC)
		}
		w := newWorld(t, memstore.New(), "pg", "v%05d", start, passengine.WithMaxOpen(30*time.Hour))
		w.must(w.eng.PutNetwork(w.ctx, catalog.Network{ID: "pg", Currency: cur, Zone: zone}))
		w.must(w.eng.PutLocation(w.ctx, catalog.Location{Network: "pg", ID: "club", Zone: zone, DayCutoff: cutoff}))
		w.must(w.eng.PutHolder(w.ctx, catalog.Holder{Network: "pg", ID: "ada", Audience: catalog.Member}))
		w.must(w.eng.PutPAYG(w.ctx, billing.PAYG{Network: "pg", ID: "walk-in", Prices: []billing.Price{{Hourly: hourly}}, DailyCap: cap}))
		z, err := calendar.LoadZone(zone, cutoff)
		w.must(err)

		totals := map[calendar.Date]money.Money{}
		at := start.Add(time.Duration(rapid.IntRange(0, 24*60).Draw(rt, "firstMinute")) * time.Minute)
		for i := range rapid.IntRange(1, 8).Draw(rt, "visits") {
			w.clock.Set(at)
			in, err := w.eng.CheckIn(w.ctx, passengine.CheckInRequest{Key: w.key("in"), Network: "pg", Holder: "ada", Location: "club"})
			w.must(err)
			at = at.Add(time.Duration(rapid.IntRange(0, 30*60).Draw(rt, "minutes")) * time.Minute)
			w.clock.Set(at)
			out, err := w.eng.CheckOut(w.ctx, passengine.CheckOutRequest{Key: w.key("out"), Network: "pg", Visit: in.Visit.ID})
			w.must(err)
			for _, c := range out.Visit.Charges {
				if c.Amount.Amount.IsNegative() || !c.Amount.Amount.Equal(c.Amount.Round().Amount) || c.Amount.Currency != cur {
					rt.Fatalf("visit %d: charge %s is not a non-negative amount in minor units of %s", i, c.Amount, cur)
				}
				if z.Date(in.Visit.Start).After(c.Date) {
					rt.Fatalf("visit %d: charge dated %s, before the visit's day", i, c.Date)
				}
				totals[c.Date] = money.Sum(cur, totals[c.Date], c.Amount)
				if !cap.IsZero() && totals[c.Date].Cmp(cap) > 0 {
					rt.Fatalf("day %s: charges total %s, over the cap %s", c.Date, totals[c.Date], cap)
				}
			}
			at = at.Add(time.Duration(rapid.IntRange(0, 12*60).Draw(rt, "gap")) * time.Minute)
		}
	})
}
