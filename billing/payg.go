// Package billing prices what passes do not cover: pay-as-you-go time in
// 15-minute increments with audience prices and daily caps (RULES C5, C6).
// It is pure.
package billing

import (
	"encoding/json"
	"github.com/passengine/passengine/internal/wire"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/money"
	"github.com/shopspring/decimal"
)

// Increment is the PAYG billing step (C5).
const Increment = 15 * time.Minute

// Price is an hourly PAYG price for an audience; an empty Audience is the
// price for everyone without a price of their own.
type Price struct {
	// Audience is who pays this price; "" is everyone without one.
	Audience catalog.Audience `json:"audience,omitempty"`
	// Hourly is the price of an hour, charged a quarter of it per
	// 15-minute increment begun (C5), in the network's currency.
	Hourly money.Money `json:"hourly"`
}

// PAYG is a pay-as-you-go product: sold automatically to a holder who checks
// in with no eligible pass (C5). Locations empty means network-wide.
// DailyCap, when not zero, bounds a holder's PAYG charges on one business
// day.
type PAYG struct {
	// Network is the ID of the product's network (S1).
	Network string `json:"network"`
	// ID names the product in its network.
	ID string `json:"id"`
	// Name is what people read; free text, may be empty.
	Name string `json:"name"`
	// Prices are the hourly prices, at most one per audience; at least
	// one.
	Prices []Price `json:"prices"`
	// DailyCap is the most a holder's PAYG charges of one business day
	// come to (C6), in the network's currency; the zero Money (absent from
	// the JSON form): no cap.
	DailyCap money.Money `json:"daily_cap,omitzero"`
	// Locations are the IDs of the locations it applies at; empty: every
	// location of the network.
	Locations []string `json:"locations"`
}

// Validate returns a *field.Error for empty IDs, a name that is not
// storable text, no prices, a price or cap that is negative, not in
// currency or finer than its minor unit, an unknown or repeated audience.
func (p PAYG) Validate(currency string) error {
	if err := field.First(field.ID("network", p.Network), field.ID("id", p.ID), field.Text("name", p.Name)); err != nil {
		return err
	}
	if len(p.Prices) == 0 {
		return field.Invalid("prices", "at least one price is required")
	}
	seen := map[catalog.Audience]bool{}
	for _, pr := range p.Prices {
		if pr.Audience != "" && !pr.Audience.Valid() {
			return field.Invalid("prices.audience", "%q is neither member nor contact", pr.Audience)
		}
		if seen[pr.Audience] {
			return field.Invalid("prices.audience", "%q has two prices", pr.Audience)
		}
		seen[pr.Audience] = true
		if err := pr.Hourly.Validate("prices.hourly", currency); err != nil {
			return err
		}
	}
	if !p.DailyCap.IsZero() {
		if err := p.DailyCap.Validate("daily_cap", currency); err != nil {
			return err
		}
	}
	for _, l := range p.Locations {
		if err := field.ID("locations", l); err != nil {
			return err
		}
	}
	return nil
}

// HourlyFor returns the hourly price for audience a: its own price, else the
// price for everyone. ok is false if p has neither.
func (p *PAYG) HourlyFor(a catalog.Audience) (hourly money.Money, ok bool) {
	for _, pr := range p.Prices {
		if pr.Audience == a {
			return pr.Hourly, true
		}
	}
	for _, pr := range p.Prices {
		if pr.Audience == "" {
			return pr.Hourly, true
		}
	}
	return money.Money{}, false
}

// Covers reports whether p is sold at location loc.
func (p *PAYG) Covers(loc string) bool {
	if len(p.Locations) == 0 {
		return true
	}
	for _, l := range p.Locations {
		if l == loc {
			return true
		}
	}
	return false
}

// Cheapest returns the PAYG product with the lowest hourly price for
// audience a at location loc (ties by ID), or nil if none applies (C5).
func Cheapest(products []PAYG, loc string, a catalog.Audience) *PAYG {
	var best *PAYG
	var bestPrice money.Money
	for i := range products {
		p := &products[i]
		h, ok := p.HourlyFor(a)
		if !ok || !p.Covers(loc) {
			continue
		}
		if best == nil || h.Cmp(bestPrice) < 0 || h.Cmp(bestPrice) == 0 && p.ID < best.ID {
			best, bestPrice = p, h
		}
	}
	return best
}

// DayCharge is the PAYG charge of a visit on one business day.
type DayCharge struct {
	// Date is the business day charged (C6).
	Date calendar.Date `json:"date,omitzero"`
	// Minutes is how many minutes of the visit fell on that day and were
	// not covered by time passes.
	Minutes int `json:"minutes"`
	// Increments is how many 15-minute increments were begun on that day
	// (C5): Minutes divided by 15, rounded up.
	Increments int `json:"increments"`
	// Amount is the charge, rounded to the currency's minor unit and
	// capped; in the network's currency.
	Amount money.Money `json:"amount"`
	// Capped is true when the daily cap reduced the amount.
	Capped bool `json:"capped,omitempty"`
	// PAYG is the ID of the PAYG product charged; "" for a no-show fee.
	PAYG string `json:"payg"`
}

// Minutes returns the whole minutes from start to end, rounded up (C4).
// Elapsed time is used, so a visit across a DST change is billed for the
// time actually spent. It returns 0 if end is not after start. It counts
// in seconds and nanoseconds, never a time.Duration, which saturates past
// 292 years.
func Minutes(start, end time.Time) int {
	if !end.After(start) {
		return 0
	}
	sec := end.Unix() - start.Unix()
	nsec := int64(end.Nanosecond() - start.Nanosecond())
	if nsec < 0 {
		sec, nsec = sec-1, nsec+1e9
	}
	m := sec / 60
	if sec%60 != 0 || nsec != 0 {
		m++
	}
	return int(m)
}

// Split divides minutes of PAYG time beginning at start into 15-minute
// increments, ceil(minutes / 15) of them, and assigns each increment (and
// its minutes) to the business day in z on which it starts (C6). It
// returns one DayCharge per day, in date order, with no amounts.
func Split(start time.Time, minutes int, z calendar.Zone) []DayCharge {
	if minutes <= 0 {
		return nil
	}
	step := int(Increment / time.Minute)
	n := (minutes + step - 1) / step
	var days []DayCharge
	for k := 0; k < n; {
		d := z.Date(start.Add(time.Duration(k) * Increment))
		// Increments k..next-1 start before the next business day does.
		next := min(n, int((z.End(d).Sub(start)+Increment-1)/Increment))
		next = max(next, k+1)
		mins := (next - k) * step
		if next == n {
			mins -= n*step - minutes
		}
		days = append(days, DayCharge{Date: d, Increments: next - k, Minutes: mins})
		k = next
	}
	return days
}

var four = decimal.NewFromInt(4)

// Charge prices days at hourly: each day's increments x hourly / 4, rounded
// once to the minor unit, then reduced so that the day's total with what the
// holder was already charged that day (spent) stays within cap, when cap is
// not zero (C5). ($10 an hour for 4 hours is 16 x 2.50 = 40.00.)
func Charge(days []DayCharge, p *PAYG, hourly, cap money.Money, spent func(calendar.Date) money.Money) []DayCharge {
	out := make([]DayCharge, len(days))
	for i, d := range days {
		amt := money.Money{Amount: hourly.Amount.Mul(decimal.NewFromInt(int64(d.Increments))).Div(four), Currency: hourly.Currency}.Round()
		if !cap.IsZero() {
			room := cap.Sub(spent(d.Date))
			if room.Amount.IsNegative() {
				room.Amount = decimal.Zero
			}
			if amt.Cmp(room) > 0 {
				amt, d.Capped = room, true
			}
		}
		d.Amount, d.PAYG = amt, p.ID
		out[i] = d
	}
	return out
}

// MarshalJSON returns p's JSON form (JSON.md): its fields by their json
// tags, with Prices and Locations as [] when empty (every location of
// the network), never null. Its error is always nil.
func (p PAYG) MarshalJSON() ([]byte, error) {
	type plain PAYG
	q := plain(p)
	q.Prices, q.Locations = wire.List(q.Prices), wire.List(q.Locations)
	return json.Marshal(q)
}
