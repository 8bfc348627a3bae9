package money_test

import (
	"errors"
	"testing"

	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/money"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func requireFieldError(t *testing.T, err error, name string) {
	t.Helper()
	var fe *field.Error
	require.ErrorAs(t, err, &fe, "got %v, want a *field.Error", err)
	assert.Equal(t, name, fe.Name, "field name: got %q, want %q", fe.Name, name)
	assert.ErrorIs(t, err, field.ErrInvalid)
}

// Rule S2: New validates the amount and the currency, naming the field.
func TestNew(t *testing.T) {
	m, err := money.New("12.50", "USD")
	require.NoError(t, err)
	assert.True(t, m.Amount.Equal(decimal.RequireFromString("12.5")), "got %s", m.Amount)
	assert.Equal(t, "USD", m.Currency)
	assert.Equal(t, "12.50 USD", m.String())

	_, err = money.New("twelve", "USD")
	requireFieldError(t, err, "amount")
	_, err = money.New("", "USD")
	requireFieldError(t, err, "amount")
	for _, cur := range []string{"", "usd", "US", "USDX", "U$D", "ÜSD"} {
		_, err = money.New("1", cur)
		requireFieldError(t, err, "currency")
	}
	assert.Panics(t, func() { money.MustNew("x", "USD") })
}

// Rounding to the minor unit is half-up, with the currency's own number of
// decimals (JPY 0, USD 2, KWD 3).
func TestRoundHalfUpToMinorUnit(t *testing.T) {
	tests := []struct {
		amount, currency, want string
	}{
		{"2.345", "USD", "2.35 USD"},
		{"2.344", "USD", "2.34 USD"},
		{"0.005", "USD", "0.01 USD"},
		{"1.5625", "USD", "1.56 USD"},
		{"4.6875", "USD", "4.69 USD"},
		{"500.5", "JPY", "501 JPY"},
		{"500.4", "JPY", "500 JPY"},
		{"1.2345", "KWD", "1.235 KWD"},
		{"7.125", "EUR", "7.13 EUR"},
	}
	for _, tt := range tests {
		got := money.MustNew(tt.amount, tt.currency).Round()
		assert.Equal(t, tt.want, got.String(), "%s %s rounded", tt.amount, tt.currency)
	}
	assert.Equal(t, 0, money.MinorUnits("JPY"))
	assert.Equal(t, 2, money.MinorUnits("USD"))
	assert.Equal(t, 3, money.MinorUnits("KWD"))
	assert.Equal(t, 2, money.MinorUnits("XYZ"), "unknown codes have 2 decimals")
}

func TestArithmeticIsExact(t *testing.T) {
	a := money.MustNew("0.1", "USD")
	b := money.MustNew("0.2", "USD")
	sum := a.Add(b)
	assert.True(t, sum.Amount.Equal(decimal.RequireFromString("0.3")), "0.1 + 0.2: got %s, want 0.3 exactly", sum.Amount)
	assert.Equal(t, "USD", sum.Currency)
	assert.Equal(t, "-0.10 USD", a.Sub(b).String())
	assert.Equal(t, -1, a.Cmp(b))
	assert.Equal(t, 0, a.Cmp(money.MustNew("0.10", "USD")))

	total := money.Sum("USD", a, b, money.MustNew("1", "USD"))
	assert.Equal(t, "1.30 USD", total.String())
	assert.Equal(t, "0.00 USD", money.Sum("USD").String())

	z := money.Zero("USD")
	assert.False(t, z.IsZero(), "a zero amount with a currency is an amount")
	assert.True(t, money.Money{}.IsZero())
	assert.Equal(t, "USD", money.Money{}.Add(a).Currency, "the zero Money takes the other's currency")
}

func TestValidate(t *testing.T) {
	require.NoError(t, money.MustNew("10", "USD").Validate("price", "USD"))
	require.NoError(t, money.MustNew("0", "USD").Validate("price", ""))
	requireFieldError(t, money.MustNew("10", "EUR").Validate("price", "USD"), "price.currency")
	requireFieldError(t, money.MustNew("-0.01", "USD").Validate("price", "USD"), "price.amount")
	requireFieldError(t, money.Money{}.Validate("price", "USD"), "price.currency")
	// Rule S5: an amount finer than the currency's minor unit is refused,
	// whatever its trailing zeros.
	require.NoError(t, money.MustNew("10.500", "USD").Validate("price", "USD"))
	require.NoError(t, money.MustNew("2500", "JPY").Validate("price", "JPY"))
	require.NoError(t, money.MustNew("1.125", "KWD").Validate("price", "KWD"))
	requireFieldError(t, money.MustNew("33.333", "USD").Validate("daily_cap", "USD"), "daily_cap.amount")
	requireFieldError(t, money.MustNew("2500.5", "JPY").Validate("price", "JPY"), "price.amount")
	// Rule S4: amounts are below 10^12.
	require.NoError(t, money.MustNew("999999999999.99", "USD").Validate("price", "USD"))
	requireFieldError(t, money.MustNew("1000000000000", "USD").Validate("price", "USD"), "price.amount")
	requireFieldError(t, money.MustNew("-1e30", "USD").ValidateSigned("amount", "USD"), "amount.amount")
	require.NoError(t, money.MustNew("-20.00", "USD").ValidateSigned("amount", "USD"))
	requireFieldError(t, money.ValidCurrency("cur", "usd"), "cur")
}

// Rule S2: New never panics; what it accepts is a valid currency and an
// amount that survives a String round trip.
func FuzzNew(f *testing.F) {
	for _, s := range [][2]string{{"12.50", "USD"}, {"-1", "JPY"}, {"1e400", "EUR"}, {"1e-99999999999", "USD"}, {"NaN", "USD"}, {".", "USD"}, {"1_000", "USD"}, {"0x10", "usd"}, {"", ""}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, amount, currency string) {
		m, err := money.New(amount, currency)
		if err != nil {
			var fe *field.Error
			if !errors.As(err, &fe) || (fe.Name != "amount" && fe.Name != "currency") {
				t.Fatalf("New(%q, %q): got %v, want a *field.Error named amount or currency", amount, currency, err)
			}
			return
		}
		if money.ValidCurrency("currency", m.Currency) != nil {
			t.Fatalf("New(%q, %q) accepted a bad currency", amount, currency)
		}
		r := m.Round()
		if r.String() == "" || r.Amount.Exponent() < -int32(money.MinorUnits(m.Currency)) {
			t.Fatalf("New(%q, %q).Round() = %s, not rounded to the minor unit", amount, currency, r)
		}
	})
}
