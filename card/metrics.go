package card

import (
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
)

// Metrics is what a studio reads of a card (M6). Everything comes from the
// card's row and its pass's row, so reading them costs the same for a card
// with a long history as for a new one.
type Metrics struct {
	// LTV counts every amount entered (seed 003: refunds too, M2);
	// NetRevenue is purchases less refunds.
	LTV money.Money `json:"ltv"`
	// NetRevenue is described with LTV above.
	NetRevenue money.Money `json:"net_revenue"`
	// Purchases is the sum of the amounts entered when adding visits or points
	// (M1, M4).
	Purchases money.Money `json:"purchases"`
	// Refunds is the sum of the amounts entered when subtracting visits (M2).
	Refunds money.Money `json:"refunds"`
	// Sold is every visit ever added: bought, gifted or referral (M1).
	Sold int `json:"visits_sold"`
	// Redeemed is the visits used, less those given back by cancels and moves
	// (M3).
	Redeemed int `json:"redeemed"`
	// Available is the pass's balance: the visits left to use.
	Available int `json:"available"`
	// Removed is the visits subtracted by staff (M2).
	Removed int `json:"removed"`
	// TotalVisits is redeemed plus removed.
	TotalVisits int `json:"total_visits"`
	// Bonus is the bonus points balance, never below zero (M4).
	Bonus int `json:"bonus"`
	// ReferralVisits is the visits added as referral rewards (M6).
	ReferralVisits int `json:"referral_visits"`
	// LastRedemption and LastAdding are zero for never.
	LastRedemption time.Time `json:"last_redemption,omitzero"`
	// LastAdding is described with LastRedemption above.
	LastAdding time.Time `json:"last_adding,omitzero"`
	// IssuedOn is the card's issue date in the network's zone.
	IssuedOn calendar.Date `json:"issued_on,omitzero"`
	// ExpiresOn is the last date the visits are usable (freezes included);
	// zero for no expiry.
	ExpiresOn calendar.Date `json:"expires_on,omitzero"`
}

// MetricsOf returns c's metrics with p, its pass.
func MetricsOf(c *Card, p *pass.Pass) Metrics {
	return Metrics{
		LTV: c.LTV(), NetRevenue: c.NetRevenue(), Purchases: c.Purchases, Refunds: c.Refunds,
		Sold: c.Sold, Redeemed: c.Redeemed, Available: p.Balance, Removed: c.Removed,
		TotalVisits: c.TotalVisits(), Bonus: c.Bonus, ReferralVisits: c.Referral,
		LastRedemption: c.LastRedemption, LastAdding: c.LastAdding,
		IssuedOn: c.IssuedOn, ExpiresOn: p.Expiry(),
	}
}

// Replay returns the counters a card in currency would have after the
// entries of its pass (pass), in the order they were written: the
// definition the counters kept on the card's row must always equal (tests
// and audits compare them). Entries of other passes are skipped.
func Replay(currency, passID string, entries []pass.Entry) Counters {
	c := Counters{Purchases: money.Zero(currency), Refunds: money.Zero(currency)}
	for i := range entries {
		if entries[i].Pass == passID {
			c.count(&entries[i])
		}
	}
	return c
}

// count adds one entry of the card's pass to c.
func (c *Counters) count(e *pass.Entry) {
	switch e.Type {
	case pass.EntryAdjust, pass.EntryReferral:
		if e.Units > 0 {
			c.Sold += e.Units
			c.purchase(e.Amount)
			c.LastAdding = later(c.LastAdding, e.At)
			if e.Type == pass.EntryReferral {
				c.Referral += e.Units
			}
		} else {
			c.Removed -= e.Units
			if !e.Amount.IsZero() {
				c.Refunds = c.Refunds.Add(e.Amount)
			}
		}
	case pass.EntryUse:
		c.Redeemed -= e.Units
		c.LastRedemption = later(c.LastRedemption, e.At)
	case pass.EntryReturn:
		c.Redeemed -= e.Units
	case pass.EntryBonus:
		c.Bonus += e.Points
		if e.Points > 0 {
			c.purchase(e.Amount)
		}
	case pass.EntryReward:
		c.Bonus += e.Points
	}
}

func (c *Counters) purchase(m money.Money) {
	if !m.IsZero() {
		c.Purchases = c.Purchases.Add(m)
	}
}

// later returns the later of a and b.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b.UTC()
	}
	return a
}
