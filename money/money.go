// Package money holds exact amounts of an ISO 4217 currency. Amounts are
// shopspring decimals, never floats; rounding to a currency's minor unit
// happens only where a rule asks for it, half away from zero (half-up for
// the positive amounts the rules deal in).
package money

import (
	"github.com/passengine/passengine/field"
	"github.com/shopspring/decimal"
)

// Money is an exact amount of one currency. The zero Money has no currency
// and is treated as "no amount" by the calls that accept an optional amount.
// Its JSON form is {"amount":"12.50","currency":"USD"}, the amount a
// decimal string in the currency's minor unit (MarshalJSON, JSON.md).
type Money struct {
	// Amount is the exact amount in units of the currency (12.50 is
	// twelve dollars fifty), negative for a debit where a rule allows one.
	Amount decimal.Decimal `json:"amount"`
	// Currency is the ISO 4217 code, three capital letters; "" only in
	// the zero Money.
	Currency string `json:"currency"`
}

// New returns amount (a decimal string such as "12.50") in currency. It
// returns a *field.Error for an amount that is not a number or a currency
// that is not three capital letters.
func New(amount, currency string) (Money, error) {
	d, err := decimal.NewFromString(amount)
	if err != nil {
		return Money{}, field.Invalid("amount", "%q is not a decimal number", amount)
	}
	m := Money{Amount: d, Currency: currency}
	if err := ValidCurrency("currency", currency); err != nil {
		return Money{}, err
	}
	return m, nil
}

// MustNew is New for constants in examples and tests; it panics on bad input.
func MustNew(amount, currency string) Money {
	m, err := New(amount, currency)
	if err != nil {
		panic(err)
	}
	return m
}

// Zero returns a zero amount of currency.
func Zero(currency string) Money { return Money{Currency: currency} }

// IsZero reports whether m is the zero Money (no currency, no amount).
func (m Money) IsZero() bool { return m.Currency == "" && m.Amount.IsZero() }

// String returns the amount and currency, such as "12.50 USD".
func (m Money) String() string {
	return m.Amount.StringFixed(int32(MinorUnits(m.Currency))) + " " + m.Currency
}

// Add returns m + o. Both must be of one currency; the caller validates that.
func (m Money) Add(o Money) Money { return Money{Amount: m.Amount.Add(o.Amount), Currency: m.cur(o)} }

// Sub returns m - o.
func (m Money) Sub(o Money) Money { return Money{Amount: m.Amount.Sub(o.Amount), Currency: m.cur(o)} }

// Cmp compares the amounts of m and o: -1, 0 or +1.
func (m Money) Cmp(o Money) int { return m.Amount.Cmp(o.Amount) }

// Round returns m rounded half-up to its currency's minor unit.
func (m Money) Round() Money {
	return Money{Amount: m.Amount.Round(int32(MinorUnits(m.Currency))), Currency: m.Currency}
}

func (m Money) cur(o Money) string {
	if m.Currency != "" {
		return m.Currency
	}
	return o.Currency
}

// maxAmount bounds every amount passengine accepts: below 10^12 units of
// any currency (RULES S4).
var maxAmount = decimal.New(1, 12)

// Validate returns a *field.Error named name if m has a malformed currency,
// a currency other than currency (when currency is not empty), or a negative
// amount; see ValidateSigned for the rest.
func (m Money) Validate(name, currency string) error {
	if err := m.ValidateSigned(name, currency); err != nil {
		return err
	}
	if m.Amount.IsNegative() {
		return field.Invalid(name+".amount", "must not be negative, got %s", m.Amount)
	}
	return nil
}

// ValidateSigned is Validate for an amount that may be negative (a
// refund or a correction). It returns a *field.Error named name if m has
// a malformed currency, a currency other than currency (when currency is
// not empty), an amount finer than the currency's minor unit (10.005 USD,
// 2500.5 JPY), or one of 10^12 or more in size.
func (m Money) ValidateSigned(name, currency string) error {
	if err := ValidCurrency(name+".currency", m.Currency); err != nil {
		return err
	}
	if currency != "" && m.Currency != currency {
		return field.Invalid(name+".currency", "is %s, the network's currency is %s", m.Currency, currency)
	}
	if n := MinorUnits(m.Currency); !m.Amount.Equal(m.Amount.Round(int32(n))) {
		return field.Invalid(name+".amount", "%s has more than the %d decimals of %s", m.Amount, n, m.Currency)
	}
	if m.Amount.Abs().GreaterThanOrEqual(maxAmount) {
		return field.Invalid(name+".amount", "must be below 10^12, got %s", field.Quote(m.Amount.String()))
	}
	return nil
}

// ValidCurrency returns a *field.Error named name unless code is three
// capital ASCII letters.
func ValidCurrency(name, code string) error {
	if len(code) != 3 {
		return field.Invalid(name, "%q is not an ISO 4217 code", code)
	}
	for i := 0; i < 3; i++ {
		if code[i] < 'A' || code[i] > 'Z' {
			return field.Invalid(name, "%q is not an ISO 4217 code", code)
		}
	}
	return nil
}

// minor lists the ISO 4217 currencies whose minor unit is not 2 digits.
var minor = map[string]int{
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0,
	"KRW": 0, "PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0,
	"XAF": 0, "XOF": 0, "XPF": 0,
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
	"CLF": 4, "UYW": 4,
}

// MinorUnits returns the number of decimal places of currency's minor unit:
// 2 unless ISO 4217 says otherwise (0 for JPY, 3 for KWD, ...).
func MinorUnits(currency string) int {
	if n, ok := minor[currency]; ok {
		return n
	}
	return 2
}

// Sum returns the sum of ms in currency.
func Sum(currency string, ms ...Money) Money {
	s := Zero(currency)
	for _, m := range ms {
		s.Amount = s.Amount.Add(m.Amount)
	}
	return s
}
