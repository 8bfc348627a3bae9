package postgres

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/internal/sqlutil"
	"github.com/passengine/passengine/money"
	"github.com/shopspring/decimal"
)

// The codecs between domain values and pgx's column types. Decimals travel
// as pgtype.Numeric (coefficient and exponent, exact); instants are written
// in UTC and read back in UTC; the zero Date and nil instants are NULL;
// JSON columns are NULL when the value is empty.

// numeric returns d as a numeric parameter.
func numeric(d decimal.Decimal) pgtype.Numeric {
	return pgtype.Numeric{Int: d.Coefficient(), Exp: d.Exponent(), Valid: true}
}

// decimalOf returns the exact decimal of a numeric column; NULL is zero.
func decimalOf(n pgtype.Numeric) (decimal.Decimal, error) {
	switch {
	case !n.Valid:
		return decimal.Decimal{}, nil
	case n.NaN || n.InfinityModifier != pgtype.Finite:
		return decimal.Decimal{}, fmt.Errorf("postgres: numeric column holds NaN or infinity")
	case n.Int == nil:
		return decimal.NewFromBigInt(new(big.Int), n.Exp), nil
	}
	return decimal.NewFromBigInt(n.Int, n.Exp), nil
}

// moneyCol scans a money value from its two columns, amount and currency.
type moneyCol struct {
	amount   numericCol
	currency string
}

func (m *moneyCol) value() (money.Money, error) {
	return money.Money{Amount: m.amount.d, Currency: m.currency}, nil
}

// numericCol scans a numeric column into an exact decimal, zero for
// NULL: pgx's plans through ScanNumeric, and rows.Scan through
// scanBinary, which decodes the values that fit an int64 itself, without
// pgx's big.Int arithmetic.
type numericCol struct{ d decimal.Decimal }

// ScanNumeric implements pgtype.NumericScanner.
func (n *numericCol) ScanNumeric(v pgtype.Numeric) error {
	d, err := decimalOf(v)
	n.d = d
	return err
}

// scanBinary scans src, a numeric in the binary format, into n: the same
// coefficient and exponent as pgx's plan (TestNumericColAsPgx), decoded
// here for at most four base-10000 digits and a coefficient that fits an
// int64, with plan (pgx's) otherwise.
func (n *numericCol) scanBinary(src []byte, plan pgtype.ScanPlan) error {
	if len(src) < 8 {
		return plan.Scan(src, n)
	}
	ndigits := int(binary.BigEndian.Uint16(src))
	weight := int(int16(binary.BigEndian.Uint16(src[2:])))
	sign := binary.BigEndian.Uint16(src[4:])
	dscale := int(int16(binary.BigEndian.Uint16(src[6:])))
	if sign != 0 && sign != numericNegative || ndigits > 4 || len(src) != 8+2*ndigits {
		return plan.Scan(src, n) // NaN, an infinity, a long or malformed value
	}
	if ndigits == 0 {
		n.d = decimal.New(0, 0)
		return nil
	}
	var coef int64
	for i := range ndigits {
		coef = coef*10_000 + int64(binary.BigEndian.Uint16(src[8+2*i:]))
	}
	exp := (weight - ndigits + 1) * 4
	if dscale > 0 { // the exponent of the scale
		for frac := (ndigits - weight - 1) * 4; frac != dscale; {
			if frac < dscale {
				if coef > math.MaxInt64/10 {
					return plan.Scan(src, n)
				}
				coef, exp, frac = coef*10, exp-1, frac+1
			} else {
				coef, exp, frac = coef/10, exp+1, frac-1
			}
		}
	}
	if exp >= 0 {
		for coef != 0 && coef%10 == 0 {
			coef, exp = coef/10, exp+1
		}
	}
	if sign == numericNegative {
		coef = -coef
	}
	n.d = decimal.New(coef, int32(exp))
	return nil
}

// numericNegative is the sign of a negative numeric in the binary format.
const numericNegative = 0x4000

// dateParam returns d as a date parameter; the zero Date is NULL.
func dateParam(d calendar.Date) pgtype.Date {
	if d.IsZero() {
		return pgtype.Date{}
	}
	return pgtype.Date{Time: time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC), Valid: true}
}

// dateOf returns the civil date of a date column; NULL is the zero Date.
func dateOf(d pgtype.Date) calendar.Date {
	if !d.Valid {
		return calendar.Date{}
	}
	return calendar.DateOf(d.Time)
}

// instantParam returns t in UTC for a nullable column whose zero value
// means "none"; the zero time is NULL. Columns that are NOT NULL take
// t.UTC(), the zero time included (0001-01-01, which PostgreSQL keeps).
func instantParam(t time.Time) pgtype.Timestamptz {
	if t.IsZero() {
		return pgtype.Timestamptz{}
	}
	return pgtype.Timestamptz{Time: t.UTC(), Valid: true}
}

// instantPtrParam returns *t in UTC; nil is NULL.
func instantPtrParam(t *time.Time) pgtype.Timestamptz {
	if t == nil {
		return pgtype.Timestamptz{}
	}
	return pgtype.Timestamptz{Time: t.UTC(), Valid: true}
}

// instantOf returns a timestamptz column in UTC; NULL is the zero time.
func instantOf(t pgtype.Timestamptz) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

// instantPtrOf returns a nullable timestamptz column in UTC; NULL is nil.
func instantPtrOf(t pgtype.Timestamptz) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// jsonParam returns v encoded as JSON for a jsonb column, or NULL (nil)
// when v is nil or an empty slice.
func jsonParam(v any) (any, error) {
	s, err := sqlutil.FormatJSON(v)
	if err != nil || s == "" {
		return nil, err
	}
	return s, nil
}

// jsonOf decodes a jsonb column into v (a pointer); NULL leaves v as it
// is.
func jsonOf(b []byte, v any) error {
	if b == nil {
		return nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("postgres: decode JSON column: %w", err)
	}
	return nil
}

// textArray returns ss for a text[] column; an empty list is NULL.
func textArray(ss []string) []string {
	if len(ss) == 0 {
		return nil
	}
	return ss
}

// instantArray returns ts in UTC for a timestamptz[] column; an empty list
// is NULL.
func instantArray(ts []time.Time) []time.Time {
	if len(ts) == 0 {
		return nil
	}
	out := make([]time.Time, len(ts))
	for i, t := range ts {
		out[i] = t.UTC()
	}
	return out
}

// utcAll returns ts in UTC, nil for an empty list.
func utcAll(ts []time.Time) []time.Time {
	if len(ts) == 0 {
		return nil
	}
	for i := range ts {
		ts[i] = ts[i].UTC()
	}
	return ts
}
