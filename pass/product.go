// Package pass holds products and the passes issued from them: kinds, units
// and balances, activation and lock, expiry and freeze, unit adjustments,
// imports with prorated prices, and the ledger entries that record every
// change to a balance. It is pure: no I/O, no clock, no randomness.
//
// Rules here: T3, T5 (validity and expiry), A1-A6 (activation, lock, paid),
// E1-E5 (expiry, freeze, adjust, import).
package pass

import (
	"encoding/json"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/internal/wire"
	"github.com/passengine/passengine/money"
)

// Kind is what a pass's units are: days, minutes or visits (visits also
// stand for class points).
type Kind string

// The pass kinds.
const (
	Day    Kind = "day"    // units are days: one covers a business day (C2)
	Time   Kind = "time"   // units are minutes, drawn at check-out (C4)
	Visits Kind = "visits" // units are visits or class points (C3, B1)
)

// Valid reports whether k is Day, Time or Visits.
func (k Kind) Valid() bool { return k == Day || k == Time || k == Visits }

// Source is how a pass reached its holder (O3).
type Source string

// The sources. Plan and product passes are used before manual and import
// ones (O3).
const (
	FromPlan    Source = "plan"    // part of a subscription plan
	FromProduct Source = "product" // a product sold (the default of an issue)
	FromManual  Source = "manual"  // given by staff by hand
	FromImport  Source = "import"  // a part-used pack carried over (E5)
)

// Valid reports whether s is one of the four sources.
func (s Source) Valid() bool {
	return s == FromPlan || s == FromProduct || s == FromManual || s == FromImport
}

// Priority is a product's place in the consumption order's first key (O0).
type Priority string

// The priorities; the empty Priority is Normal.
const (
	High   Priority = "high"   // used before normal and low passes
	Normal Priority = "normal" // the default
	Low    Priority = "low"    // used after high and normal passes
)

// Rank returns 0 for High, 1 for Normal (and empty), 2 for Low.
func (p Priority) Rank() int {
	switch p {
	case High:
		return 0
	case Low:
		return 2
	}
	return 1
}

// Valid reports whether p is empty, High, Normal or Low.
func (p Priority) Valid() bool { return p == "" || p == High || p == Normal || p == Low }

// Activation is when a pass's validity starts (RULES A1-A3).
type Activation string

// The activation policies.
const (
	// OnPurchase: active at issue; activation date = purchase date (A1).
	OnPurchase Activation = "on_purchase"
	// OnFirstUse: inactive until the first use, whose service date becomes
	// the activation date (A2).
	OnFirstUse Activation = "on_first_use"
	// MerchantSet: the merchant sets activation and expiry dates at issue (A3).
	MerchantSet Activation = "merchant_set"
)

// Valid reports whether a is one of the three policies.
func (a Activation) Valid() bool { return a == OnPurchase || a == OnFirstUse || a == MerchantSet }

// Product is what passes are issued from. Units is what one issue grants
// (days, minutes or visits). UnitValue orders passes (O2); when zero it is
// Price / Units. Locations empty means network-wide (G2). Tier is the
// highest location tier admitted (G3). Audience empty admits everyone (G6).
// Locked restricts uses to [activation, expiry] (A3, A4).
type Product struct {
	// Network is the ID of the product's network (S1).
	Network string `json:"network"`
	// ID names the product in its network.
	ID string `json:"id"`
	// Name is what people read ("10 visits"); free text, may be empty.
	Name string `json:"name"`
	// Kind says what the units are: Day (days), Time (minutes) or Visits
	// (visits, or class points).
	Kind Kind `json:"kind"`
	// Units is how many units one issue grants, in the kind's unit: 1 to
	// field.MaxCount.
	Units int `json:"units"`
	// UnitValue is what one unit is worth, for the consumption order
	// (O2), in the network's currency; zero Money: Price / Units.
	UnitValue money.Money `json:"unit_value"`
	// Price is what one issue costs, in the network's currency and its
	// minor unit (S5); zero for a free pass.
	Price money.Money `json:"price"`
	// Locations are the IDs of the locations the passes admit; empty
	// admits every location of the network (G2).
	Locations []string `json:"locations"`
	// Tier is the highest location tier the passes admit, 0 (the zero
	// value: tier 0 locations only) to field.MaxCount (G3).
	Tier int `json:"tier"`
	// Audience keeps the passes to members or contacts; "" admits any
	// holder (G6).
	Audience catalog.Audience `json:"audience,omitempty"`
	// Priority is the passes' place in the consumption order's first key
	// (O0); "" is Normal.
	Priority Priority `json:"priority,omitempty"`
	// Validity is how long a pass lasts from its activation date; the
	// zero Validity never expires (T3).
	Validity calendar.Validity `json:"validity"`
	// Activation is when a pass's validity starts (A1-A3).
	Activation Activation `json:"activation"`
	// Locked keeps uses to service dates inside [activation, expiry]
	// (A3); false, the zero value, lets an activated pass pay for any
	// date up to its expiry (A4).
	Locked bool `json:"locked"`
}

// Validate returns a *field.Error for empty IDs, a name that is not
// storable text, an unknown kind, units outside [1, field.MaxCount],
// amounts that are negative, not in currency (the network's) or finer than
// its minor unit, an unknown audience, priority or activation, a tier
// outside [0, field.MaxCount], or a validity that is negative or longer
// than a hundred years.
func (p Product) Validate(currency string) error {
	if err := field.First(field.ID("network", p.Network), field.ID("id", p.ID), field.Text("name", p.Name)); err != nil {
		return err
	}
	if !p.Kind.Valid() {
		return field.Invalid("kind", "%q is not day, time or visits", p.Kind)
	}
	if err := field.Positive("units", p.Units); err != nil {
		return err
	}
	if err := p.Price.Validate("price", currency); err != nil {
		return err
	}
	if !p.UnitValue.IsZero() {
		if err := p.UnitValue.Validate("unit_value", currency); err != nil {
			return err
		}
	}
	for _, l := range p.Locations {
		if err := field.ID("locations", l); err != nil {
			return err
		}
	}
	if err := field.NonNegative("tier", p.Tier); err != nil {
		return err
	}
	if p.Audience != "" && !p.Audience.Valid() {
		return field.Invalid("audience", "%q is neither member nor contact", p.Audience)
	}
	if !p.Priority.Valid() {
		return field.Invalid("priority", "%q is not high, normal or low", p.Priority)
	}
	if !p.Activation.Valid() {
		return field.Invalid("activation", "%q is not on_purchase, on_first_use or merchant_set", p.Activation)
	}
	return p.Validity.Validate()
}

// unitValue returns the product's unit value: UnitValue, or Price / Units.
func (p Product) unitValue() money.Money {
	if !p.UnitValue.IsZero() {
		return p.UnitValue
	}
	return money.Money{Amount: p.Price.Amount.DivRound(decimalInt(p.Units), 8), Currency: p.Price.Currency}
}

// Prorate returns the price of r remaining units of a pack of u units
// bought for price: price x r / u, rounded half-up to the currency's minor
// unit (RULES E5: 20 points for 7,600 with 12 left is 4,560).
func Prorate(price money.Money, remaining, units int) money.Money {
	if units <= 0 {
		return money.Zero(price.Currency)
	}
	a := price.Amount.Mul(decimalInt(remaining)).Div(decimalInt(units))
	return money.Money{Amount: a, Currency: price.Currency}.Round()
}

// MarshalJSON returns p's JSON form (JSON.md): its fields by their json
// tags, with Locations as [] when empty (every location of the network),
// never null. Its error is always nil.
func (p Product) MarshalJSON() ([]byte, error) {
	type plain Product
	q := plain(p)
	q.Locations = wire.List(q.Locations)
	return json.Marshal(q)
}
