// Package sqlutil holds what passengine's SQL adapters (store/sqlite,
// store/postgres) share: a runner for embedded, numbered SQL migrations with
// a schema version table, and the text codecs of the values that have no
// portable SQL type: instants, civil dates, exact decimals and JSON columns.
//
// Codecs (instants as fixed-width UTC text, dates as YYYY-MM-DD, decimals
// as their exact decimal text) write with Format functions and read with a
// Decoder that keeps the first error, so a row scan stays one expression
// per column.
package sqlutil

import (
	"database/sql"
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/money"
	"github.com/shopspring/decimal"
)

// TimeLayout is the text form of an instant: UTC, fixed width, nanoseconds.
// Text order is time order for the years 0000 to 9999, so columns in this
// form can be compared and indexed as text.
const TimeLayout = "2006-01-02T15:04:05.000000000Z"

// FormatTime returns t in UTC in TimeLayout, or "" for the zero time.
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.UTC()
	if s, ok := formatLayout(t); ok {
		return s
	}
	return t.Format(TimeLayout)
}

// FormatTimePtr returns FormatTime(*t), or a SQL NULL for a nil t.
func FormatTimePtr(t *time.Time) sql.NullString {
	if t == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: FormatTime(*t), Valid: true}
}

// FormatDate returns d as "YYYY-MM-DD", or "" for the zero Date (text order
// is date order).
func FormatDate(d calendar.Date) string {
	if d.IsZero() {
		return ""
	}
	if s, ok := formatDate(d); ok {
		return s
	}
	return d.String()
}

// FormatDecimal returns d's exact decimal text ("12.5"); it never rounds.
func FormatDecimal(d decimal.Decimal) string { return d.String() }

// FormatJSON returns v encoded as JSON text, or "" when v is a nil or empty
// slice or map, so that empty composite columns stay empty. It returns the
// encoder's error for a value JSON cannot hold.
func FormatJSON(v any) (string, error) {
	if emptyJSON(v) {
		return "", nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("sqlutil: encode JSON column: %w", err)
	}
	switch string(b) {
	case "null", "[]", "{}":
		return "", nil
	}
	return string(b), nil
}

// emptyJSON reports whether v is a nil or empty slice or map, or a nil
// pointer, of a type that encodes itself by the encoder's rules (no
// MarshalJSON or MarshalText of its own): one whose JSON is "null", "[]"
// or "{}", which FormatJSON writes as "" without encoding it.
func emptyJSON(v any) bool {
	switch v.(type) {
	case json.Marshaler, encoding.TextMarshaler:
		return false
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Slice:
		return rv.Len() == 0 && rv.Type().Elem().Kind() != reflect.Uint8 // bytes encode as a base64 string
	case reflect.Map:
		return rv.Len() == 0
	case reflect.Pointer:
		return rv.IsNil()
	}
	return false
}

// Decoder turns column text back into values. It keeps the first error and
// returns zero values after it; check Err once the row is decoded.
type Decoder struct {
	err error
}

// Err returns the first error met, or nil.
func (d *Decoder) Err() error { return d.err }

func (d *Decoder) fail(what, s string, err error) {
	if d.err == nil {
		d.err = fmt.Errorf("sqlutil: column %s %q: %w", what, s, err)
	}
}

// Time parses an instant in TimeLayout (any RFC 3339 text is accepted) and
// returns it in UTC; "" is the zero time.
func (d *Decoder) Time(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	if t, ok := parseLayout(s); ok {
		return t
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		d.fail("instant", s, err)
		return time.Time{}
	}
	return t.UTC()
}

// TimePtr is Time for a nullable column: NULL is nil.
func (d *Decoder) TimePtr(s sql.NullString) *time.Time {
	if !s.Valid {
		return nil
	}
	t := d.Time(s.String)
	return &t
}

// Date parses "YYYY-MM-DD"; "" is the zero Date. It reads any year a
// row may hold, also one outside calendar.MinYear to MaxYear that an
// earlier release let through, so such a row stays readable.
func (d *Decoder) Date(s string) calendar.Date {
	if s == "" {
		return calendar.Date{}
	}
	if d, ok := parseDate(s); ok {
		return d
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		d.fail("date", s, err)
		return calendar.Date{}
	}
	return calendar.DateOf(t)
}

// Decimal parses exact decimal text; "" is zero.
func (d *Decoder) Decimal(s string) decimal.Decimal {
	if s == "" {
		return decimal.Decimal{}
	}
	v, err := decimal.NewFromString(s)
	if err != nil {
		d.fail("decimal", s, err)
	}
	return v
}

// Money returns the amount (exact decimal text) in currency.
func (d *Decoder) Money(amount, currency string) money.Money {
	return money.Money{Amount: d.Decimal(amount), Currency: currency}
}

// JSON decodes JSON text into v (a pointer); "" leaves v as it is.
func (d *Decoder) JSON(s string, v any) {
	if s == "" {
		return
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		d.fail("JSON", s, err)
	}
}

// Page returns the items of the rows a paged query read (at most limit)
// and the cursor of the next page, made by cursor from the last row: ""
// when the rows are fewer than limit, the last page.
func Page[R, T any](rows []R, limit int, item func(*R) T, cursor func(*R) string) ([]T, string) {
	out := make([]T, len(rows))
	for i := range rows {
		out[i] = item(&rows[i])
	}
	if len(rows) < limit {
		return out, ""
	}
	return out, cursor(&rows[len(rows)-1])
}
