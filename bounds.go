package passengine

import (
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/field"
)

// The bounds on the instants callers supply (RULES S3, C8). Each is an
// Engine option; these are the defaults.
const (
	// DefaultClockSkew is how far ahead of the Engine's clock a supplied
	// instant may be: a desk or door whose clock runs a little fast.
	DefaultClockSkew = 5 * time.Minute
	// DefaultBackdating is how far behind the Engine's clock a supplied
	// instant may be: a door controller replaying the events of a long
	// weekend offline, a desk entering a visit late. Redemptions included.
	DefaultBackdating = 72 * time.Hour
	// DefaultBookingHorizon is how far ahead of the clock a class may be
	// booked.
	DefaultBookingHorizon = 366 * 24 * time.Hour
	// DefaultMaxOpen is the longest a visit counts (C8): one left open is
	// closed at its check-in plus this, marked automatic, and a check-out
	// never counts past it.
	DefaultMaxOpen = 24 * time.Hour
	// MaxOpenLimit is the most WithMaxOpen accepts: a check-out reads the
	// visits of the days a visit of that length may touch, for the PAYG
	// cap (C6), so the bound keeps that read small.
	MaxOpenLimit = 31 * 24 * time.Hour
)

// WithClockSkew sets how far ahead of the Engine's clock a supplied
// instant (a check-in's or check-out's At, a redemption's At, a health
// declaration) may be (S3). Not above zero keeps DefaultClockSkew.
func WithClockSkew(d time.Duration) Option {
	return func(e *Engine) {
		if d > 0 {
			e.skew = d
		}
	}
}

// WithBackdating sets how far behind the Engine's clock a supplied
// instant may be (S3): a check-in, check-out or redemption older than
// that, or a class that started longer ago, is refused with a *FieldError.
// Not above zero keeps DefaultBackdating.
func WithBackdating(d time.Duration) Option {
	return func(e *Engine) {
		if d > 0 {
			e.backdating = d
		}
	}
}

// WithBookingHorizon sets how far ahead of the clock a class may be booked.
// Not above zero keeps DefaultBookingHorizon.
func WithBookingHorizon(d time.Duration) Option {
	return func(e *Engine) {
		if d > 0 {
			e.horizon = d
		}
	}
}

// WithMaxOpen sets the longest a visit counts (C8, S3): a visit left open
// is closed at its check-in plus max, marked automatic, when the holder
// checks in at the location again, when CloseStale sweeps it, or when it
// is checked out later than that. Not above zero keeps DefaultMaxOpen;
// more than MaxOpenLimit is MaxOpenLimit.
func WithMaxOpen(d time.Duration) Option {
	return func(e *Engine) {
		if d > 0 {
			e.maxOpen = min(d, MaxOpenLimit)
		}
	}
}

// instant returns at in UTC, truncated to the microsecond as every store
// keeps it, or now when at is zero. It returns a *FieldError named name
// when at is more than the Engine's skew ahead of now or more than its
// backdating window behind it (S3).
func (e *Engine) instant(name string, at, now time.Time) (time.Time, error) {
	if at.IsZero() {
		return now, nil
	}
	at = at.UTC().Truncate(time.Microsecond)
	if at.After(now.Add(e.skew)) {
		return at, field.Invalid(name, "%s is more than %s ahead of the clock (%s)", at.Format(time.RFC3339), e.skew, now.Format(time.RFC3339))
	}
	if at.Before(now.Add(-e.backdating)) {
		return at, field.Invalid(name, "%s is more than %s before the clock (%s)", at.Format(time.RFC3339), e.backdating, now.Format(time.RFC3339))
	}
	return at, nil
}

// classStart checks a class's start against the clock: not longer ago
// than the backdating window, not further ahead than the booking horizon.
// It returns the start in UTC, truncated to the microsecond.
func (e *Engine) classStart(start, now time.Time) (time.Time, error) {
	if start.IsZero() {
		return start, field.Invalid("start", "is required")
	}
	start = start.UTC().Truncate(time.Microsecond)
	if start.After(now.Add(e.horizon)) {
		return start, field.Invalid("start", "%s is more than %s ahead of the clock", start.Format(time.RFC3339), e.horizon)
	}
	if start.Before(now.Add(-e.backdating)) {
		return start, field.Invalid("start", "%s is more than %s before the clock", start.Format(time.RFC3339), e.backdating)
	}
	return start, nil
}

// declaredAt checks a health declaration's instant: not ahead of the clock
// by more than the skew, and of a year every store keeps.
func (e *Engine) declaredAt(at, now time.Time) (time.Time, error) {
	at = at.UTC().Truncate(time.Microsecond)
	if !calendar.ValidInstant(at) {
		return at, field.Invalid("health_declared_at", "%s is not of a year from %d to %d", at.Format(time.RFC3339), calendar.MinYear, calendar.MaxYear)
	}
	if at.After(now.Add(e.skew)) {
		return at, field.Invalid("health_declared_at", "%s is in the future", at.Format(time.RFC3339))
	}
	return at, nil
}

// capDays is how many days before a visit's service date another visit
// may have started and still have PAYG charges on the visit's days: the
// days the maximum visit length spans, and one for a cut-off or a DST
// change (C6).
func (e *Engine) capDays() int {
	return int((e.maxOpen+24*time.Hour-1)/(24*time.Hour)) + 1
}
