// Package field reports invalid input: every public call of passengine
// validates its request and refuses bad input with an *Error that names the
// offending field (RULES S2). An *Error unwraps to ErrInvalid.
package field

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalid is the sentinel every *Error unwraps to; test for it with
// errors.Is(err, field.ErrInvalid).
var ErrInvalid = errors.New("invalid input")

// Error is an input error: Name is the field (dotted for nested fields, such
// as "product.units"), Problem says what is wrong with it.
type Error struct {
	Name    string
	Problem string
}

// Error returns "invalid <name>: <problem>".
func (e *Error) Error() string { return "invalid " + e.Name + ": " + e.Problem }

// Unwrap returns ErrInvalid.
func (e *Error) Unwrap() error { return ErrInvalid }

// Invalid returns an *Error for field name with a problem formatted from
// format and args.
func Invalid(name, format string, args ...any) *Error {
	return &Error{Name: name, Problem: fmt.Sprintf(format, args...)}
}

// Required returns an *Error for field name if value is empty or blank, and
// nil otherwise.
func Required(name, value string) error {
	if strings.TrimSpace(value) == "" {
		return Invalid(name, "is required")
	}
	return nil
}

// ID returns an *Error for field name if id is empty, longer than 200 bytes
// or holds control characters, and nil otherwise.
func ID(name, id string) error {
	if err := Required(name, id); err != nil {
		return err
	}
	if len(id) > 200 {
		return Invalid(name, "is longer than 200 bytes")
	}
	for _, r := range id {
		if r < 0x20 || r == 0x7f {
			return Invalid(name, "holds a control character")
		}
	}
	return nil
}

// Positive returns an *Error for field name if n is not above zero.
func Positive(name string, n int) error {
	if n <= 0 {
		return Invalid(name, "must be positive, got %d", n)
	}
	return nil
}

// NonNegative returns an *Error for field name if n is below zero.
func NonNegative(name string, n int) error {
	if n < 0 {
		return Invalid(name, "must not be negative, got %d", n)
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
