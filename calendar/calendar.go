// Package calendar is passengine's civil time: dates without a time of day,
// business days with a cut-off hour, date ranges as instants, and calendar
// arithmetic for validity periods (RULES T1-T5).
//
// Instants are time.Time values in UTC (T1). A Date is a civil date; which
// date an instant falls on depends on the location's zone and day cut-off
// (T4), computed by Zone.Date. Nothing here reads the clock.
package calendar

import (
	"fmt"
	"time"

	"github.com/passengine/passengine/field"
)

// Date is a civil date. The zero Date means "no date".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// NewDate returns the date y-m-d, normalised like time.Date (Feb 30 becomes
// Mar 1 or 2).
func NewDate(y int, m time.Month, d int) Date {
	return DateOf(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}

// DateOf returns the civil date of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate parses "2006-01-02". It returns a *field.Error named "date" for
// any other text.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, field.Invalid("date", "%q is not a YYYY-MM-DD date", s)
	}
	return DateOf(t), nil
}

// MustDate is ParseDate for constants; it panics on bad input.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// String returns d as "2006-01-02", or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// Valid reports whether d is a real date (not the zero Date, not Feb 30).
func (d Date) Valid() bool { return !d.IsZero() && NewDate(d.Year, d.Month, d.Day) == d }

// Compare returns -1 if d is before e, +1 if after, 0 if equal.
func (d Date) Compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return sign(d.Year - e.Year)
	case d.Month != e.Month:
		return sign(int(d.Month) - int(e.Month))
	default:
		return sign(d.Day - e.Day)
	}
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// AddDays returns d plus n calendar days (n may be negative).
func (d Date) AddDays(n int) Date { return NewDate(d.Year, d.Month, d.Day+n) }

// AddMonths returns d plus n calendar months, clamped to the last day of the
// target month: Jan 31 + 1 month is Feb 28 (or 29), never Mar 3 (RULES T3).
func (d Date) AddMonths(n int) Date {
	first := NewDate(d.Year, d.Month+time.Month(n), 1)
	last := first.AddDays(daysIn(first.Year, first.Month) - 1)
	if d.Day > last.Day {
		return last
	}
	return Date{first.Year, first.Month, d.Day}
}

func daysIn(y int, m time.Month) int { return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day() }

// DaysSince returns the number of calendar days from e to d (d - e).
func (d Date) DaysSince(e Date) int {
	return int(d.midnightUTC().Sub(e.midnightUTC()) / (24 * time.Hour))
}

func (d Date) midnightUTC() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// MarshalText returns "2006-01-02", or nothing for the zero Date.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses "2006-01-02"; empty text is the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Zone is where a use happens for the calendar: an IANA time zone and the
// business day's cut-off (RULES T4). With a cut-off of 3h the business day
// of Oct 10 runs from Oct 10 03:00 to Oct 11 03:00 local time.
type Zone struct {
	Loc    *time.Location
	Cutoff time.Duration
}

// LoadZone returns the Zone of the IANA zone name with the given cut-off.
// It returns a *field.Error named "zone" for an unknown or empty zone name
// or a local zone ("Local" depends on the machine and is refused), and one
// named "cutoff" for a cut-off outside [0, 24h) or not in whole minutes.
func LoadZone(name string, cutoff time.Duration) (Zone, error) {
	if name == "" || name == "Local" {
		return Zone{}, field.Invalid("zone", "%q is not an IANA time zone", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return Zone{}, field.Invalid("zone", "%q is not an IANA time zone", name)
	}
	if cutoff < 0 || cutoff >= 24*time.Hour || cutoff%time.Minute != 0 {
		return Zone{}, field.Invalid("cutoff", "must be whole minutes in [0, 24h), got %s", cutoff)
	}
	return Zone{Loc: loc, Cutoff: cutoff}, nil
}

// Bounds returns the first and last business days t can fall on in any
// zone (every UTC offset is under 24 hours) with any cut-off in [0, 24h):
// the UTC date less two days and plus one. A storage read bounded by them
// reads a superset of the days of t, before the zone is known.
func Bounds(t time.Time) (first, last Date) {
	d := DateOf(t.UTC())
	return d.AddDays(-2), d.AddDays(1)
}

// Date returns the business day t falls on in z: the civil date in z's zone,
// less one day before the cut-off (RULES T1, T4).
func (z Zone) Date(t time.Time) Date {
	local := t.In(z.Loc)
	d := DateOf(local)
	if z.Cutoff > 0 {
		h, m, s := local.Clock()
		if time.Duration(h)*time.Hour+time.Duration(m)*time.Minute+time.Duration(s)*time.Second < z.Cutoff {
			d = d.AddDays(-1)
		}
	}
	return d
}

// Start returns the UTC instant business day d begins in z: local midnight
// plus the cut-off. On a DST day the day so begun is 23 or 25 hours long
// (RULES T2).
func (z Zone) Start(d Date) time.Time {
	c := z.Cutoff
	t := time.Date(d.Year, d.Month, d.Day, int(c/time.Hour), int(c%time.Hour/time.Minute), 0, 0, z.Loc)
	return t.UTC()
}

// End returns the UTC instant business day d ends in z (exclusive): the
// start of the next day. "Expires on d" means usable before End(d) (T5).
func (z Zone) End(d Date) time.Time { return z.Start(d.AddDays(1)) }

// Range returns the instants [start, end) that the date range [from, to]
// covers in z: from the start of from to the end of to (RULES T2). It
// returns a *field.Error named "to" if to is before from.
func (z Zone) Range(from, to Date) (start, end time.Time, err error) {
	if to.Before(from) {
		return time.Time{}, time.Time{}, field.Invalid("to", "%s is before from %s", to, from)
	}
	return z.Start(from), z.End(to), nil
}

// Validity is how long a pass stays usable after activation: Days and Months
// of calendar arithmetic (RULES T3). The zero Validity means no expiry.
type Validity struct {
	Months int `json:"months,omitempty"`
	Days   int `json:"days,omitempty"`
}

// IsZero reports whether v sets no expiry.
func (v Validity) IsZero() bool { return v.Months == 0 && v.Days == 0 }

// Validate returns a *field.Error named "validity" for negative parts.
func (v Validity) Validate() error {
	if v.Months < 0 || v.Days < 0 {
		return field.Invalid("validity", "months and days must not be negative")
	}
	return nil
}

// From returns the expiry date of a pass activated on d: d plus Months
// (clamped to the month's end) plus Days. It returns the zero Date for the
// zero Validity.
func (v Validity) From(d Date) Date {
	if v.IsZero() || d.IsZero() {
		return Date{}
	}
	return d.AddMonths(v.Months).AddDays(v.Days)
}
