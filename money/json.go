package money

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/passengine/passengine/field"
	"github.com/shopspring/decimal"
)

// MarshalJSON returns m as {"amount":"90.00","currency":"USD"}: the
// amount as a decimal string with exactly the currency's minor-unit
// decimals (MinorUnits: "2500" JPY, "90.00" USD, "1.250" BHD), or with
// the exact digits, trailing zeros cut, when the amount is finer than the
// minor unit (a unit value of 100/3 USD is "33.33333333": an amount is
// never rounded by its JSON). The zero Money (no currency, no amount) is
// null. Its error is always nil.
func (m Money) MarshalJSON() ([]byte, error) {
	if m.IsZero() {
		return []byte("null"), nil
	}
	scale := int32(MinorUnits(m.Currency))
	amount := m.Amount.StringFixed(scale)
	if !m.Amount.Equal(m.Amount.Round(scale)) {
		amount = m.Amount.String()
	}
	b := make([]byte, 0, len(amount)+len(m.Currency)+27)
	b = append(b, `{"amount":"`...)
	b = append(b, amount...)
	b = append(b, `","currency":`...)
	if ValidCurrency("currency", m.Currency) == nil { // three capital letters: nothing to escape
		b = append(append(append(b, '"'), m.Currency...), '"')
		return append(b, '}'), nil
	}
	cur, err := json.Marshal(m.Currency) // escapes a malformed currency
	if err != nil {
		return nil, err
	}
	b = append(b, cur...)
	return append(b, '}'), nil
}

// wire is the JSON object of a Money: the amount is kept raw so that a
// number is told apart from a string.
type wire struct {
	Amount   json.RawMessage `json:"amount"`
	Currency string          `json:"currency"`
}

// UnmarshalJSON reads what MarshalJSON writes: null (which leaves m as it
// is, the zero Money for a new value) or an object whose "amount" is a
// decimal string ("90.00", "90", "-5.5": digits, an optional sign
// and point, no exponent) and whose "currency" is a
// string. The amount is read exactly, never through a float, and a JSON
// number is refused, so that 0.1 + 0.2 never reaches an amount. It returns
// a *field.Error named "amount" for an amount that is missing, a number or
// not a decimal, one named after any other member (a money amount has
// only "amount" and "currency"), and the decoder's error for malformed
// JSON.
//
// Decoding does not check the currency or the decimals against the
// currency's minor unit: an Engine call validates every amount of its
// request (Money.Validate) and refuses a malformed currency or "10.005"
// USD with a *field.Error naming the request's field, and amounts the
// Engine itself returns (a unit value of 100/3) may be finer than the
// minor unit and must read back exactly.
func (m *Money) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		return nil
	}
	var w wire
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&w); err != nil {
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			name, _ = strconv.Unquote(name)
			return field.Invalid(name, "is not a member of a money amount (amount, currency)")
		}
		return err
	}
	raw := bytes.TrimSpace(w.Amount)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return field.Invalid("amount", "is missing: want a decimal string such as \"90.00\"")
	}
	if raw[0] != '"' {
		return field.Invalid("amount", "%s is a JSON number: want a decimal string such as \"90.00\"", field.Quote(string(raw)))
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return err
	}
	if !plainDecimal(s) {
		return field.Invalid("amount", "%s is not a decimal number such as \"90.00\"", field.Quote(s))
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return field.Invalid("amount", "%s is not a decimal number such as \"90.00\"", field.Quote(s))
	}
	*m = Money{Amount: d, Currency: w.Currency}
	return nil
}

// plainDecimal reports whether s is an optional minus sign, digits, and
// optionally a point followed by digits: no exponent, no plus sign, no
// spaces.
func plainDecimal(s string) bool {
	if len(s) > 0 && s[0] == '-' {
		s = s[1:]
	}
	digits, point := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !point && digits > 0 && i < len(s)-1:
			point = true
		default:
			return false
		}
	}
	return digits > 0
}
