package money_test

import (
	"encoding/json"
	"testing"

	"github.com/passengine/passengine/money"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Money's JSON: a decimal string with the currency's minor-unit decimals,
// never a float, and an exact round trip.
func TestMoneyJSON(t *testing.T) {
	cases := []struct {
		m    money.Money
		want string
	}{
		{money.MustNew("90", "USD"), `{"amount":"90.00","currency":"USD"}`},
		{money.MustNew("90.5", "USD"), `{"amount":"90.50","currency":"USD"}`},
		{money.MustNew("0", "USD"), `{"amount":"0.00","currency":"USD"}`},
		{money.MustNew("-5", "EUR"), `{"amount":"-5.00","currency":"EUR"}`},
		{money.MustNew("2500", "JPY"), `{"amount":"2500","currency":"JPY"}`},
		{money.MustNew("2500.000", "JPY"), `{"amount":"2500","currency":"JPY"}`},
		{money.MustNew("1.25", "BHD"), `{"amount":"1.250","currency":"BHD"}`},
		{money.MustNew("12.3456", "CLF"), `{"amount":"12.3456","currency":"CLF"}`},
		// Finer than the minor unit (a unit value): exact, never rounded.
		{money.MustNew("33.33333333", "USD"), `{"amount":"33.33333333","currency":"USD"}`},
		{money.MustNew("33.33333300", "USD"), `{"amount":"33.333333","currency":"USD"}`},
		{money.Money{}, `null`},
	}
	for _, c := range cases {
		got, err := json.Marshal(c.m)
		require.NoError(t, err)
		assert.Equal(t, c.want, string(got), "marshal %v: got %s, want %s", c.m, got, c.want)

		var back money.Money
		require.NoError(t, json.Unmarshal(got, &back), "unmarshal %s", got)
		assert.True(t, back.Amount.Equal(c.m.Amount) && back.Currency == c.m.Currency,
			"round trip of %s: got %v, want %v", got, back, c.m)
	}
}

// The amount is read as exact decimal text: the forms earlier releases
// wrote ("90", "0" with no currency) read back, and nothing goes through
// a float.
func TestMoneyUnmarshalExact(t *testing.T) {
	cases := []struct {
		in     string
		amount string
		cur    string
	}{
		{`{"amount":"90","currency":"USD"}`, "90", "USD"},
		{`{"amount":"0.1000000000000000000000001","currency":"USD"}`, "0.1000000000000000000000001", "USD"},
		{`{"currency":"USD","amount":"-12.50"}`, "-12.5", "USD"},
		{`{"amount":"0","currency":""}`, "0", ""},
	}
	for _, c := range cases {
		var m money.Money
		require.NoError(t, json.Unmarshal([]byte(c.in), &m), "unmarshal %s", c.in)
		assert.True(t, m.Amount.Equal(decimal.RequireFromString(c.amount)), "%s: got amount %s, want %s", c.in, m.Amount, c.amount)
		assert.Equal(t, c.cur, m.Currency, "%s: currency", c.in)
	}

	var m money.Money
	require.NoError(t, json.Unmarshal([]byte(`null`), &m))
	assert.True(t, m.IsZero(), "null: got %v, want the zero Money", m)

	var p struct {
		Price money.Money `json:"price"`
	}
	require.NoError(t, json.Unmarshal([]byte(`{"price":null}`), &p))
	assert.True(t, p.Price.IsZero(), "null field: got %v, want the zero Money", p.Price)
}

// A JSON number, an exponent or text that is no decimal is refused with a
// *field.Error naming "amount": an amount never passes through a float.
func TestMoneyUnmarshalRefuses(t *testing.T) {
	for _, in := range []string{
		`{"amount":90.5,"currency":"USD"}`,
		`{"amount":90,"currency":"USD"}`,
		`{"amount":"9e1","currency":"USD"}`,
		`{"amount":"+90","currency":"USD"}`,
		`{"amount":" 90","currency":"USD"}`,
		`{"amount":"90.","currency":"USD"}`,
		`{"amount":".5","currency":"USD"}`,
		`{"amount":"ninety","currency":"USD"}`,
		`{"amount":"","currency":"USD"}`,
		`{"amount":null,"currency":"USD"}`,
		`{"currency":"USD"}`,
	} {
		var m money.Money
		err := json.Unmarshal([]byte(in), &m)
		requireFieldError(t, err, "amount")
		assert.True(t, m.IsZero(), "%s: got %v after the error, want m untouched", in, m)
	}
	var m money.Money
	requireFieldError(t, json.Unmarshal([]byte(`{"amount":"5","currency":"USD","cents":500}`), &m), "cents")
	assert.True(t, m.IsZero(), "an unknown member: got %v after the error, want m untouched", m)
	assert.Error(t, json.Unmarshal([]byte(`"90.00 USD"`), &m), "a string is no Money object")
	assert.Error(t, json.Unmarshal([]byte(`{"amount":"1","currency":5}`), &m), "a currency that is no string")
}

// Decoding keeps an amount finer than the currency's minor unit, exactly;
// Validate, which every Engine call runs on its request, refuses it
// naming the field.
func TestMoneyDecodedThenValidated(t *testing.T) {
	var req struct {
		Amount money.Money `json:"amount"`
	}
	require.NoError(t, json.Unmarshal([]byte(`{"amount":{"amount":"10.005","currency":"USD"}}`), &req))
	requireFieldError(t, req.Amount.Validate("amount", "USD"), "amount.amount")
	require.NoError(t, json.Unmarshal([]byte(`{"amount":{"amount":"2500.5","currency":"JPY"}}`), &req))
	requireFieldError(t, req.Amount.Validate("amount", "JPY"), "amount.amount")
	require.NoError(t, json.Unmarshal([]byte(`{"amount":{"amount":"10","currency":"usd"}}`), &req))
	requireFieldError(t, req.Amount.Validate("amount", ""), "amount.currency")
}
