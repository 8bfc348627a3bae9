package billing

import (
	"encoding/json"
	"github.com/passengine/passengine/internal/wire"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/money"
	"github.com/shopspring/decimal"
)

// Terms are a location's commercial terms in an aggregator network: what
// the network pays the club per visit (RULES Y1, Y2). Terms are versioned:
// each version has an ID and the instant it takes effect; a visit keeps the
// version in force when it happened, so later versions never reprice it.
type Terms struct {
	// Network is the ID of the terms' network (S1).
	Network string `json:"network"`
	// Location is the ID of the club the terms pay.
	Location string `json:"location"`
	// ID names the version in the network; a version stored is never
	// changed (Y1).
	ID string `json:"id"`
	// EffectiveFrom is the instant the version takes effect: it is in
	// force for visits from then until a later version's.
	EffectiveFrom time.Time `json:"effective_from,omitzero"`
	// Rates are the per-visit rates: a rate naming a product applies to
	// passes of that product; otherwise the rate of the pass's tier applies.
	Rates []Rate `json:"rates"`
	// MonthlyVisitCap, when above zero, is how many visits of one holder
	// at this location are paid per calendar month in the location's zone.
	MonthlyVisitCap int `json:"monthly_visit_cap,omitempty"`
	// MonthlyAmountCap, when not zero, bounds what one holder's visits at
	// this location are paid per calendar month; the zero Money (absent
	// from the JSON form) is no cap.
	MonthlyAmountCap money.Money `json:"monthly_amount_cap,omitzero"`
	// PAYGShare is the fraction (0 to 1) of PAYG revenue paid to the club.
	PAYGShare decimal.Decimal `json:"payg_share"`
}

// Rate is a per-visit rate for a product, or for a pass tier when Product
// is empty.
type Rate struct {
	// Product is the ID of the product whose passes the rate pays; "" for
	// a tier's rate.
	Product string `json:"product,omitempty"`
	// Tier is the pass tier the rate pays when Product is "": it pays
	// passes of that tier, and of higher tiers without a rate of their
	// own (Y2).
	Tier int `json:"tier"`
	// Amount is what a visit is paid, in the network's currency.
	Amount money.Money `json:"amount"`
}

// Validate returns a *field.Error for empty IDs, a zero effective instant
// or one of a year out of range (calendar.ValidInstant),
// rates that are negative, not in currency or repeated, a negative cap, or
// a PAYG share outside [0, 1].
func (t Terms) Validate(currency string) error {
	if err := field.First(field.ID("network", t.Network), field.ID("location", t.Location), field.ID("id", t.ID)); err != nil {
		return err
	}
	if t.EffectiveFrom.IsZero() {
		return field.Invalid("effective_from", "is required")
	}
	if !calendar.ValidInstant(t.EffectiveFrom) {
		return field.Invalid("effective_from", "%s is not of a year from %d to %d", t.EffectiveFrom.UTC().Format(time.RFC3339), calendar.MinYear, calendar.MaxYear)
	}
	type rk struct {
		product string
		tier    int
	}
	seen := map[rk]bool{}
	for _, r := range t.Rates {
		if err := r.Amount.Validate("rates.amount", currency); err != nil {
			return err
		}
		if err := field.First(field.NonNegative("rates.tier", r.Tier), field.OptionalID("rates.product", r.Product)); err != nil {
			return err
		}
		k := rk{r.Product, r.Tier}
		if r.Product != "" {
			k.tier = 0
		}
		if seen[k] {
			return field.Invalid("rates", "two rates for product %q tier %d", r.Product, r.Tier)
		}
		seen[k] = true
	}
	if err := field.NonNegative("monthly_visit_cap", t.MonthlyVisitCap); err != nil {
		return err
	}
	if !t.MonthlyAmountCap.IsZero() {
		if err := t.MonthlyAmountCap.Validate("monthly_amount_cap", currency); err != nil {
			return err
		}
	}
	if t.PAYGShare.IsNegative() || t.PAYGShare.GreaterThan(decimal.NewFromInt(1)) {
		return field.Invalid("payg_share", "must be between 0 and 1, got %s", t.PAYGShare)
	}
	return nil
}

// RateFor returns the per-visit rate of t for a pass of product at tier
// (Y2): the rate naming the product, else the rate of the highest tier not
// above the pass's tier (a tier 4 pass at a club whose terms list tiers 2
// and 3 is paid the tier 3 rate). ok is false when no rate applies.
func (t *Terms) RateFor(product string, tier int) (r Rate, ok bool) {
	for _, x := range t.Rates {
		if x.Product != "" && x.Product == product {
			return x, true
		}
	}
	for _, x := range t.Rates {
		if x.Product == "" && x.Tier <= tier && (!ok || x.Tier > r.Tier) {
			r, ok = x, true
		}
	}
	return r, ok
}

// InForce returns the version of versions in force at instant at: the one
// with the latest EffectiveFrom not after at, ties broken by the greater ID
// (Y1). It returns nil when none is in force yet. versions may be in any
// order.
func InForce(versions []Terms, at time.Time) *Terms {
	var best *Terms
	for i := range versions {
		v := &versions[i]
		if v.EffectiveFrom.After(at) {
			continue
		}
		if best == nil || v.EffectiveFrom.After(best.EffectiveFrom) ||
			v.EffectiveFrom.Equal(best.EffectiveFrom) && v.ID > best.ID {
			best = v
		}
	}
	return best
}

// Same reports whether t and u are the same version: equal in every field
// (amounts compared as numbers, instants as instants). Versions are
// immutable, so storing a version again is only allowed when Same.
func (t Terms) Same(u Terms) bool {
	if t.Network != u.Network || t.Location != u.Location || t.ID != u.ID ||
		!t.EffectiveFrom.Equal(u.EffectiveFrom) || t.MonthlyVisitCap != u.MonthlyVisitCap ||
		!sameMoney(t.MonthlyAmountCap, u.MonthlyAmountCap) || !t.PAYGShare.Equal(u.PAYGShare) ||
		len(t.Rates) != len(u.Rates) {
		return false
	}
	for i := range t.Rates {
		a, b := t.Rates[i], u.Rates[i]
		if a.Product != b.Product || a.Tier != b.Tier || !sameMoney(a.Amount, b.Amount) {
			return false
		}
	}
	return true
}

func sameMoney(a, b money.Money) bool { return a.Currency == b.Currency && a.Amount.Equal(b.Amount) }

// MarshalJSON returns t's JSON form (JSON.md): its fields by their json
// tags, with Rates as [] when empty, never null. Its error is always nil.
func (t Terms) MarshalJSON() ([]byte, error) {
	type plain Terms
	p := plain(t)
	p.Rates = wire.List(p.Rates)
	return json.Marshal(p)
}
