package money_test

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/money"
	"github.com/shopspring/decimal"
)

// Amounts are exact decimals of one currency, printed in its minor unit;
// rounding happens only when asked, half-up, and an amount finer than the
// minor unit is refused where the rules want whole minor units (S5).
func Example() {
	price := money.MustNew("33.33", "USD")
	fmt.Println(price.Add(price).Add(price))

	quarter := money.Money{Amount: decimal.RequireFromString("24.5").Div(decimal.NewFromInt(4)), Currency: "USD"}
	fmt.Println(quarter.Amount, "->", quarter.Round()) // a quarter of $24.50 an hour

	fmt.Println(money.MustNew("2500", "JPY"), money.MinorUnits("JPY"), money.MinorUnits("KWD"))

	err := money.MustNew("10.005", "USD").Validate("price", "USD")
	var fe *field.Error
	fmt.Println(errors.As(err, &fe), fe.Name, "-", fe.Problem)
	// Output:
	// 99.99 USD
	// 6.125 -> 6.13 USD
	// 2500 JPY 0 3
	// true price.amount - 10.005 has more than the 2 decimals of USD
}

// Money's JSON form: the amount as a decimal string in the currency's
// minor unit, read back exactly; a float amount is refused.
func ExampleMoney_MarshalJSON() {
	for _, m := range []money.Money{money.MustNew("90", "USD"), money.MustNew("2500", "JPY"), money.MustNew("1.5", "BHD")} {
		b, _ := json.Marshal(m)
		fmt.Println(string(b))
	}
	var m money.Money
	fmt.Println(json.Unmarshal([]byte(`{"amount":"12.50","currency":"EUR"}`), &m), m)
	fmt.Println(json.Unmarshal([]byte(`{"amount":12.5,"currency":"EUR"}`), &m))
	// Output:
	// {"amount":"90.00","currency":"USD"}
	// {"amount":"2500","currency":"JPY"}
	// {"amount":"1.500","currency":"BHD"}
	// <nil> 12.50 EUR
	// invalid amount: "12.5" is a JSON number: want a decimal string such as "90.00"
}
