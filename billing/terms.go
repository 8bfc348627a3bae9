package billing

import (
	"time"

	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/money"
	"github.com/shopspring/decimal"
)

// Terms are a location's commercial terms in an aggregator network: what
// the network pays the club per visit (RULES Y1, Y2). Terms are versioned:
// each version has an ID and the instant it takes effect; a visit keeps the
// version in force when it happened, so later versions never reprice it.
type Terms struct {
	Network       string    `json:"network"`
	Location      string    `json:"location"`
	ID            string    `json:"id"`
	EffectiveFrom time.Time `json:"effective_from"`
	// Rates are the per-visit rates: a rate naming a product applies to
	// passes of that product; otherwise the rate of the pass's tier applies.
	Rates []Rate `json:"rates"`
	// MonthlyVisitCap, when above zero, is how many visits of one holder
	// at this location are paid per calendar month in the location's zone.
	MonthlyVisitCap int `json:"monthly_visit_cap,omitempty"`
	// MonthlyAmountCap, when not zero, bounds what one holder's visits at
	// this location are paid per calendar month.
	MonthlyAmountCap money.Money `json:"monthly_amount_cap"`
	// PAYGShare is the fraction (0 to 1) of PAYG revenue paid to the club.
	PAYGShare decimal.Decimal `json:"payg_share"`
}

// Rate is a per-visit rate for a product, or for a pass tier when Product
// is empty.
type Rate struct {
	Product string      `json:"product,omitempty"`
	Tier    int         `json:"tier"`
	Amount  money.Money `json:"amount"`
}

// Validate returns a *field.Error for empty IDs, a zero effective instant,
// rates that are negative, not in currency or repeated, a negative cap, or
// a PAYG share outside [0, 1].
func (t Terms) Validate(currency string) error {
	if err := field.First(field.ID("network", t.Network), field.ID("location", t.Location), field.ID("id", t.ID)); err != nil {
		return err
	}
	if t.EffectiveFrom.IsZero() {
		return field.Invalid("effective_from", "is required")
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
		if err := field.NonNegative("rates.tier", r.Tier); err != nil {
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
