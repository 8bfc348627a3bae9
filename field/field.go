// Package field reports invalid input: every public call of passengine
// validates its request and refuses bad input with an *Error that names the
// offending field (RULES S2). An *Error unwraps to ErrInvalid.
//
// It is also the one place that says what every store accepts (RULES S4):
// IDs (ID), free text (Text) and counts (Count, Positive, NonNegative) are
// bounded here, so that no store ever sees a value another store would
// refuse. Messages quote at most a short prefix of the input (Quote).
package field

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The bounds every store keeps (RULES S4).
const (
	// MaxID is the longest ID, in bytes.
	MaxID = 200
	// MaxText is the longest free text (a name, comment or actor), in
	// bytes.
	MaxText = 2000
	// MaxCount is the largest count: units, balances, costs, tiers, caps,
	// offsets and limits. It is below 2^31, so a 32-bit integer column
	// keeps it and the sum of two counts does not overflow one either.
	MaxCount = 1_000_000_000
	// quoteLen is how many bytes of an input a message quotes: escaped,
	// at most four times as many characters.
	quoteLen = 24
)

// ErrInvalid is the sentinel every *Error unwraps to; test for it with
// errors.Is(err, field.ErrInvalid).
var ErrInvalid = errors.New("invalid input")

// Error is an input error: Name is the field (dotted for nested fields, such
// as "product.units"), Problem says what is wrong with it.
type Error struct {
	// Name is the field's JSON name, dotted for a nested field
	// ("validity.months").
	Name string
	// Problem says what is wrong, in words for a person; it quotes at
	// most a short prefix of the input (Quote).
	Problem string
}

// Error returns "invalid <name>: <problem>".
func (e *Error) Error() string { return "invalid " + e.Name + ": " + e.Problem }

// Unwrap returns ErrInvalid.
func (e *Error) Unwrap() error { return ErrInvalid }

// Invalid returns an *Error for field name with a problem formatted from
// format and args. Quote inputs with Quote, so a message never echoes more
// than a short prefix of them.
func Invalid(name, format string, args ...any) *Error {
	return &Error{Name: name, Problem: fmt.Sprintf(format, args...)}
}

// Quote returns s as a Go string literal, cut to its first 24 bytes (on a
// character boundary) with "..." after it when it is longer: the form in
// which error messages echo input.
func Quote(s string) string {
	if len(s) <= quoteLen {
		return strconv.Quote(s)
	}
	cut := quoteLen
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "..."
}

// Required returns an *Error for field name if value is empty or blank, and
// nil otherwise.
func Required(name, value string) error {
	if strings.TrimSpace(value) == "" {
		return Invalid(name, "is required")
	}
	return nil
}

// ID returns an *Error for field name unless id is a usable ID: not blank,
// valid UTF-8, no control characters (NUL among them) and at most MaxID
// bytes.
func ID(name, id string) error {
	if printableASCII(id) {
		return nil // the usual ID: no need to decode it
	}
	if err := Required(name, id); err != nil {
		return err
	}
	if len(id) > MaxID {
		return Invalid(name, "is longer than %d bytes", MaxID)
	}
	if !utf8.ValidString(id) {
		return Invalid(name, "%s is not valid UTF-8", Quote(id))
	}
	if strings.ContainsFunc(id, unicode.IsControl) {
		return Invalid(name, "%s holds a control character", Quote(id))
	}
	return nil
}

// printableASCII reports whether s is at most MaxID bytes of printable
// ASCII with at least one that is not a space: an ID that ID accepts.
func printableASCII(s string) bool {
	if len(s) > MaxID {
		return false
	}
	visible := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < ' ' || c >= 0x7f:
			return false
		case c != ' ':
			visible = true
		}
	}
	return visible
}

// OptionalID is ID for a field that may be empty: it returns nil for ""
// and ID's *Error otherwise.
func OptionalID(name, id string) error {
	if id == "" {
		return nil
	}
	return ID(name, id)
}

// Text returns an *Error for field name unless s is storable free text (a
// name, comment or actor; it may be empty): valid UTF-8, at most MaxText
// bytes, and no control characters but tab, line feed and carriage return.
func Text(name, s string) error {
	if len(s) > MaxText {
		return Invalid(name, "is longer than %d bytes", MaxText)
	}
	if !utf8.ValidString(s) {
		return Invalid(name, "%s is not valid UTF-8", Quote(s))
	}
	if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' }) {
		return Invalid(name, "%s holds a control character", Quote(s))
	}
	return nil
}

// Positive returns an *Error for field name unless 1 <= n <= MaxCount.
func Positive(name string, n int) error {
	if n <= 0 {
		return Invalid(name, "must be positive, got %d", n)
	}
	return NonNegative(name, n)
}

// NonNegative returns an *Error for field name unless 0 <= n <= MaxCount.
func NonNegative(name string, n int) error {
	if n < 0 {
		return Invalid(name, "must not be negative, got %d", n)
	}
	if n > MaxCount {
		return Invalid(name, "must be at most %d, got %d", MaxCount, n)
	}
	return nil
}

// Count returns an *Error for field name unless -MaxCount <= n <=
// MaxCount: a signed change of a count (an adjustment).
func Count(name string, n int) error {
	if n < -MaxCount || n > MaxCount {
		return Invalid(name, "must be between %d and %d, got %d", -MaxCount, MaxCount, n)
	}
	return nil
}

// Prefix returns err with prefix added in front of its field name when err
// is an *Error ("units" becomes "product.units"); other errors, and nil, are
// returned unchanged.
func Prefix(prefix string, err error) error {
	var fe *Error
	if errors.As(err, &fe) {
		return &Error{Name: prefix + "." + fe.Name, Problem: fe.Problem}
	}
	return err
}

// First returns the first non-nil error of errs, or nil.
func First(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
