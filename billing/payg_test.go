package billing_test

import (
	"testing"
	"time"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/money"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

func usd(s string) money.Money { return money.MustNew(s, "USD") }

func paygZone(t *testing.T, name string, cutoff time.Duration) calendar.Zone {
	t.Helper()
	z, err := calendar.LoadZone(name, cutoff)
	require.NoError(t, err)
	return z
}

// at returns the instant of local wall time s ("2006-01-02 15:04") in z.
func at(t *testing.T, z calendar.Zone, s string) time.Time {
	t.Helper()
	tm, err := time.ParseInLocation("2006-01-02 15:04", s, z.Loc)
	require.NoError(t, err)
	return tm.UTC()
}

// seedPAYG is seed 001's example: $10 an hour for members, $15 for
// contacts, a $100 daily cap for both.
func seedPAYG() billing.PAYG {
	return billing.PAYG{Network: "hub", ID: "payg", Prices: []billing.Price{
		{Audience: catalog.Member, Hourly: usd("10")},
		{Audience: catalog.Contact, Hourly: usd("15")},
	}, DailyCap: usd("100")}
}

// price charges minutes from start at hourly with cap, nothing spent yet,
// and returns the total.
func price(t *testing.T, z calendar.Zone, start time.Time, minutes int, hourly, cap money.Money) (money.Money, []billing.DayCharge) {
	t.Helper()
	p := billing.PAYG{ID: "payg"}
	days := billing.Charge(billing.Split(start, minutes, z), &p, hourly, cap, func(calendar.Date) money.Money { return money.Zero(hourly.Currency) })
	total := money.Zero(hourly.Currency)
	for _, d := range days {
		total = total.Add(d.Amount)
		assert.Equal(t, "payg", d.PAYG)
	}
	return total, days
}

// Rule C5 (seed 001): a PAYG pass of $50 for 8 hours is $6.25 an hour; a
// member staying 4 hours is charged $25.
func TestRule_C5_Seed50For8Hours(t *testing.T) {
	z := paygZone(t, "America/New_York", 0)
	hourly := money.Money{Amount: usd("50").Amount.Div(usd("8").Amount), Currency: "USD"}
	assert.Equal(t, "6.25 USD", hourly.String())
	total, days := price(t, z, at(t, z, "2024-06-10 09:00"), 4*60, hourly, money.Money{})
	assert.Equal(t, "25.00 USD", total.String())
	require.Len(t, days, 1)
	assert.Equal(t, 16, days[0].Increments)
	assert.Equal(t, 240, days[0].Minutes)
	assert.False(t, days[0].Capped)
}

// Rule C5 (seed 001): $10 an hour for members, $15 for contacts, $100 a
// day cap.
func TestRule_C5_SeedMemberContactCap(t *testing.T) {
	p := seedPAYG()
	require.NoError(t, p.Validate("USD"))
	member, ok := p.HourlyFor(catalog.Member)
	require.True(t, ok)
	contact, ok := p.HourlyFor(catalog.Contact)
	require.True(t, ok)
	assert.Equal(t, "10.00 USD", member.String())
	assert.Equal(t, "15.00 USD", contact.String())

	z := paygZone(t, "America/New_York", 0)
	start := at(t, z, "2024-06-10 09:00")
	total, _ := price(t, z, start, 4*60, member, p.DailyCap)
	assert.Equal(t, "40.00 USD", total.String(), "member, 4 hours")
	total, _ = price(t, z, start, 4*60, contact, p.DailyCap)
	assert.Equal(t, "60.00 USD", total.String(), "contact, 4 hours")
	total, days := price(t, z, start, 8*60, contact, p.DailyCap)
	assert.Equal(t, "100.00 USD", total.String(), "contact, 8 hours: $120 capped at $100")
	assert.True(t, days[0].Capped)
	total, days = price(t, z, start, 10*60, member, p.DailyCap)
	assert.Equal(t, "100.00 USD", total.String(), "member, 10 hours: exactly the cap")
	assert.False(t, days[0].Capped, "reaching the cap exactly is not a reduction")
}

// Rule C5: increments are 15 minutes, rounded up; the amount is rounded
// once to the minor unit (no rounding per increment, no rounding to the
// hour): 61 minutes is 5 increments, 1.25 hours.
func TestRule_C5_RoundOnce(t *testing.T) {
	z := paygZone(t, "Europe/London", 0)
	start := at(t, z, "2024-06-10 09:00")
	tests := []struct {
		minutes    int
		hourly     string
		increments int
		want       string
	}{
		{61, "10", 5, "12.50 USD"}, // not 20.00 for 2 hours
		{60, "10", 4, "10.00 USD"},
		{1, "10", 1, "2.50 USD"},
		{15, "10", 1, "2.50 USD"},
		{16, "10", 2, "5.00 USD"},
		{15, "6.25", 1, "1.56 USD"},   // 1.5625
		{45, "6.25", 3, "4.69 USD"},   // 4.6875 once, not 3 x 1.56 = 4.68
		{105, "6.25", 7, "10.94 USD"}, // 10.9375, not 7 x 1.56 = 10.92
		{0, "10", 0, "0.00 USD"},
	}
	for _, tt := range tests {
		total, days := price(t, z, start, tt.minutes, usd(tt.hourly), money.Money{})
		assert.Equal(t, tt.want, total.String(), "%d minutes at %s an hour", tt.minutes, tt.hourly)
		n := 0
		for _, d := range days {
			n += d.Increments
		}
		assert.Equal(t, tt.increments, n, "%d minutes: increments", tt.minutes)
	}
	total, _ := price(t, z, start, 15, money.MustNew("1001", "JPY"), money.Money{})
	assert.Equal(t, "250 JPY", total.String(), "250.25 JPY rounds to 0 decimals")
}

// Rule C4, C6: minutes are whole minutes of elapsed time, rounded up; a
// visit across a DST change is billed for the time actually spent.
func TestRule_C6_MinutesAreElapsedTime(t *testing.T) {
	base := time.Date(2024, time.June, 10, 9, 0, 0, 0, time.UTC)
	assert.Equal(t, 0, billing.Minutes(base, base))
	assert.Equal(t, 0, billing.Minutes(base, base.Add(-time.Hour)), "end before start")
	assert.Equal(t, 1, billing.Minutes(base, base.Add(time.Second)))
	assert.Equal(t, 1, billing.Minutes(base, base.Add(time.Minute)))
	assert.Equal(t, 2, billing.Minutes(base, base.Add(time.Minute+time.Nanosecond)))

	ny := paygZone(t, "America/New_York", 0)
	// Nov 3 2024: 01:00-02:00 happens twice. 00:30 EDT to 02:30 EST is 3 hours.
	in := time.Date(2024, time.November, 3, 0, 30, 0, 0, ny.Loc)
	out := time.Date(2024, time.November, 3, 2, 30, 0, 0, ny.Loc)
	assert.Equal(t, 180, billing.Minutes(in, out), "New York autumn change: 3 hours elapsed")
	total, days := price(t, ny, in, billing.Minutes(in, out), usd("10"), money.Money{})
	assert.Equal(t, "30.00 USD", total.String())
	require.Len(t, days, 1, "all on Nov 3")

	ldn := paygZone(t, "Europe/London", 0)
	// Mar 31 2024: 01:00 GMT jumps to 02:00 BST. 00:30 GMT to 02:30 BST is 1 hour.
	in = time.Date(2024, time.March, 31, 0, 30, 0, 0, ldn.Loc)
	out = time.Date(2024, time.March, 31, 2, 30, 0, 0, ldn.Loc)
	assert.Equal(t, 60, billing.Minutes(in, out), "London spring change: 1 hour elapsed")
}

// Rule C6: a PAYG session across local midnight is split: each increment
// belongs to the day it starts in, and each day is priced and capped on its
// own.
func TestRule_C6_SplitAcrossMidnight(t *testing.T) {
	z := paygZone(t, "America/New_York", 0)
	days := billing.Split(at(t, z, "2024-06-10 23:30"), 70, z)
	require.Len(t, days, 2)
	assert.Equal(t, "2024-06-10", days[0].Date.String())
	assert.Equal(t, 2, days[0].Increments)
	assert.Equal(t, 30, days[0].Minutes)
	assert.Equal(t, "2024-06-11", days[1].Date.String())
	assert.Equal(t, 3, days[1].Increments, "00:00, 00:15, 00:30 (10 minutes)")
	assert.Equal(t, 40, days[1].Minutes)

	// An increment that starts before midnight belongs wholly to that day.
	days = billing.Split(at(t, z, "2024-06-10 23:50"), 20, z)
	require.Len(t, days, 2)
	assert.Equal(t, 1, days[0].Increments)
	assert.Equal(t, 15, days[0].Minutes)
	assert.Equal(t, 1, days[1].Increments)
	assert.Equal(t, 5, days[1].Minutes)

	// Day 1 already has $95 charged: it gets $5, day 2 is charged in full.
	spent := map[calendar.Date]money.Money{calendar.MustDate("2024-06-10"): usd("95")}
	p := seedPAYG()
	charged := billing.Charge(billing.Split(at(t, z, "2024-06-10 22:00"), 240, z), &p, usd("10"), p.DailyCap,
		func(d calendar.Date) money.Money {
			if m, ok := spent[d]; ok {
				return m
			}
			return money.Zero("USD")
		})
	require.Len(t, charged, 2)
	assert.Equal(t, "5.00 USD", charged[0].Amount.String())
	assert.True(t, charged[0].Capped)
	assert.Equal(t, "20.00 USD", charged[1].Amount.String())
	assert.False(t, charged[1].Capped)
}

// Rule C6 with T4: with a 03:00 cut-off the split is at 03:00, not at
// midnight.
func TestRule_C6_SplitAtCutoff(t *testing.T) {
	z := paygZone(t, "Europe/London", 3*time.Hour)
	days := billing.Split(at(t, z, "2024-06-10 23:00"), 5*60, z)
	require.Len(t, days, 2, "23:00 to 04:00")
	assert.Equal(t, "2024-06-10", days[0].Date.String())
	assert.Equal(t, 16, days[0].Increments, "23:00 to 03:00 is the business day of Jun 10")
	assert.Equal(t, "2024-06-11", days[1].Date.String())
	assert.Equal(t, 4, days[1].Increments)

	// On the London spring change day with a cut-off: 02:00 BST does not
	// exist; a session from 00:30 GMT for 3 elapsed hours ends at 04:30 BST.
	in := time.Date(2024, time.March, 31, 0, 30, 0, 0, z.Loc)
	days = billing.Split(in, 180, z)
	require.Len(t, days, 2)
	assert.Equal(t, "2024-03-30", days[0].Date.String())
	assert.Equal(t, 6, days[0].Increments, "00:30 GMT to 03:00 BST is 1.5 hours")
	assert.Equal(t, "2024-03-31", days[1].Date.String())
	assert.Equal(t, 6, days[1].Increments)
}

// Rule C5: the cap counts what the holder was already charged that day;
// once reached, nothing more, and never a negative amount.
func TestRule_C5_CapCountsEarlierCharges(t *testing.T) {
	p := seedPAYG()
	day := []billing.DayCharge{{Date: calendar.MustDate("2024-06-10"), Increments: 8, Minutes: 120}}
	for _, tt := range []struct{ spent, want string }{
		{"0", "20.00 USD"}, {"85", "15.00 USD"}, {"90", "10.00 USD"}, {"99.99", "0.01 USD"}, {"100", "0.00 USD"}, {"130", "0.00 USD"},
	} {
		got := billing.Charge(day, &p, usd("10"), p.DailyCap, func(calendar.Date) money.Money { return usd(tt.spent) })
		assert.Equal(t, tt.want, got[0].Amount.String(), "spent %s", tt.spent)
		assert.False(t, got[0].Amount.Amount.IsNegative())
	}
}

// Rule C5: for any sequence of sessions in a day, each charge is
// non-negative and the day's total never exceeds the cap; below the cap a
// session pays its full price, rounded once.
func TestRule_C5_CapNeverExceeded(t *testing.T) {
	z := paygZone(t, "America/New_York", 0)
	rapid.Check(t, func(t *rapid.T) {
		hourly := money.MustNew(rapid.SampledFrom([]string{"6.25", "10", "15", "7.33", "0"}).Draw(t, "hourly"), "USD")
		cap := money.MustNew(rapid.SampledFrom([]string{"100", "25.5", "0.01", "1000"}).Draw(t, "cap"), "USD")
		p := billing.PAYG{ID: "payg"}
		day := calendar.MustDate("2024-11-03") // a 25-hour day in New York
		start := z.Start(day)
		total := money.Zero("USD")
		for i, n := 0, rapid.IntRange(1, 8).Draw(t, "sessions"); i < n; i++ {
			start = start.Add(time.Duration(rapid.IntRange(0, 90).Draw(t, "gap")) * time.Minute)
			minutes := rapid.IntRange(0, 240).Draw(t, "minutes")
			if !z.Start(day.AddDays(1)).After(start.Add(time.Duration(minutes) * time.Minute)) {
				break // stay within the day
			}
			got := billing.Charge(billing.Split(start, minutes, z), &p, hourly, cap, func(calendar.Date) money.Money { return total })
			for _, c := range got {
				if c.Amount.Amount.IsNegative() {
					t.Fatalf("negative charge %s", c.Amount)
				}
				full := money.Money{Amount: hourly.Amount.Mul(decimal.NewFromInt(int64(c.Increments))).Div(decimal.NewFromInt(4)), Currency: "USD"}.Round()
				if c.Capped != (c.Amount.Cmp(full) < 0) || c.Amount.Cmp(full) > 0 {
					t.Fatalf("charge %s for %d increments at %s (full %s), capped %v", c.Amount, c.Increments, hourly, full, c.Capped)
				}
				total = total.Add(c.Amount)
			}
			start = start.Add(time.Duration(minutes) * time.Minute)
			if total.Cmp(cap) > 0 {
				t.Fatalf("day total %s exceeds the cap %s", total, cap)
			}
		}
	})
}

// Rule C5: with several PAYG products, the cheapest for the holder's
// audience at the location applies (ties by ID); products not sold there or
// without a price for the audience do not.
func TestRule_C5_Cheapest(t *testing.T) {
	products := []billing.PAYG{
		{ID: "b-members", Prices: []billing.Price{{Audience: catalog.Member, Hourly: usd("10")}}},
		{ID: "a-everyone", Prices: []billing.Price{{Hourly: usd("12")}, {Audience: catalog.Contact, Hourly: usd("15")}}},
		{ID: "c-downtown", Prices: []billing.Price{{Hourly: usd("8")}}, Locations: []string{"downtown"}},
		{ID: "d-tie", Prices: []billing.Price{{Audience: catalog.Member, Hourly: usd("10.00")}}},
	}
	assert.Equal(t, "b-members", billing.Cheapest(products, "uptown", catalog.Member).ID, "10 beats 12; b before d at the same price")
	assert.Equal(t, "c-downtown", billing.Cheapest(products, "downtown", catalog.Member).ID)
	assert.Equal(t, "a-everyone", billing.Cheapest(products, "uptown", catalog.Contact).ID, "the contact price of 15 is the only one")
	assert.Equal(t, "c-downtown", billing.Cheapest(products, "downtown", catalog.Contact).ID)
	assert.Nil(t, billing.Cheapest(products[:1], "uptown", catalog.Contact), "no price for contacts")
	assert.Nil(t, billing.Cheapest(nil, "uptown", catalog.Member))

	h, ok := products[1].HourlyFor(catalog.Member)
	require.True(t, ok)
	assert.Equal(t, "12.00 USD", h.String(), "the price for everyone when the audience has none")
	assert.True(t, products[2].Covers("downtown"))
	assert.False(t, products[2].Covers("uptown"))
	assert.True(t, products[0].Covers("anywhere"))
}

func TestPAYGValidate(t *testing.T) {
	good := seedPAYG()
	require.NoError(t, good.Validate("USD"))
	tests := []struct {
		name string
		edit func(*billing.PAYG)
		want string
	}{
		{"no id", func(p *billing.PAYG) { p.ID = "" }, "id"},
		{"no prices", func(p *billing.PAYG) { p.Prices = nil }, "prices"},
		{"bad audience", func(p *billing.PAYG) { p.Prices[0].Audience = "vip" }, "prices.audience"},
		{"repeated audience", func(p *billing.PAYG) { p.Prices[1].Audience = catalog.Member }, "prices.audience"},
		{"negative price", func(p *billing.PAYG) { p.Prices[0].Hourly = usd("-1") }, "prices.hourly.amount"},
		{"price currency", func(p *billing.PAYG) { p.Prices[0].Hourly = money.MustNew("1", "EUR") }, "prices.hourly.currency"},
		{"cap currency", func(p *billing.PAYG) { p.DailyCap = money.MustNew("1", "EUR") }, "daily_cap.currency"},
		{"negative cap", func(p *billing.PAYG) { p.DailyCap = usd("-5") }, "daily_cap.amount"},
		{"empty location", func(p *billing.PAYG) { p.Locations = []string{""} }, "locations"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := seedPAYG()
			tt.edit(&p)
			err := p.Validate("USD")
			var fe *field.Error
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tt.want, fe.Name)
		})
	}
}

// Rule C6: a visit checked out years late is split per day, not per
// increment, so the work grows with days, and the parts add up.
func TestRule_C6_SplitLongVisitAddsUp(t *testing.T) {
	z, err := calendar.LoadZone("Europe/London", 3*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 3, 1, 10, 7, 0, 0, time.UTC)
	minutes := 3*365*24*60 + 7
	days := billing.Split(start, minutes, z)
	incs, mins := 0, 0
	for i, d := range days {
		incs += d.Increments
		mins += d.Minutes
		if i > 0 && !days[i-1].Date.Before(d.Date) {
			t.Fatalf("day %d: dates out of order: %s then %s", i, days[i-1].Date, d.Date)
		}
	}
	if got, want := incs, (minutes+14)/15; got != want {
		t.Errorf("increments: got %d, want %d", got, want)
	}
	if got, want := mins, minutes; got != want {
		t.Errorf("minutes: got %d, want %d", got, want)
	}
	if got, want := len(days), 1096; got < want-1 || got > want+1 {
		t.Errorf("days: got %d, want about %d", got, want)
	}
}
