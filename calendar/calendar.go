// Package calendar is passengine's civil time: dates without a time of day,
// business days with a cut-off hour, date ranges as instants, and calendar
// arithmetic for validity periods (RULES T1-T5).
//
// Instants are time.Time values in UTC (T1). A Date is a civil date; which
// date an instant falls on depends on the location's zone and day cut-off
// (T4), computed by Zone.Date. Nothing here reads the clock.
package calendar

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/passengine/passengine/field"
)

// Date is a civil date. The zero Date means "no date".
type Date struct {
	// Year is the year, MinYear to MaxYear for a date the Engine accepts.
	Year int
	// Month is the month, time.January to time.December.
	Month time.Month
	// Day is the day of the month, from 1.
	Day int
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
// any other text; ParseDateField names the field.
func ParseDate(s string) (Date, error) { return ParseDateField("date", s) }

// ParseDateField parses "2006-01-02" given for the field name. It returns a
// *field.Error named name for any other text and for a date of a year
// before MinYear or after MaxYear.
func ParseDateField(name, s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, field.Invalid(name, "%s is not a YYYY-MM-DD date", field.Quote(s))
	}
	d := DateOf(t)
	if !d.Valid() {
		return Date{}, field.Invalid(name, "%s is not a date from %d to %d", field.Quote(s), MinYear, MaxYear)
	}
	return d, nil
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

// The years every date and instant passengine keeps falls in (RULES S4):
// every store keeps them, and a validity, freeze or expiry added to one
// still gives a date a store keeps.
const (
	MinYear = 1900
	MaxYear = 2999
)

// Valid reports whether d is a real date (not the zero Date, not Feb 30)
// of a year from MinYear to MaxYear.
func (d Date) Valid() bool {
	return d.Year >= MinYear && d.Year <= MaxYear && d.Month >= time.January && d.Month <= time.December &&
		d.Day >= 1 && d.Day <= daysIn(d.Year, d.Month)
}

// ValidInstant reports whether t is an instant of a year from MinYear to
// MaxYear in UTC.
func ValidInstant(t time.Time) bool {
	y := t.UTC().Year()
	return y >= MinYear && y <= MaxYear
}

// CheckDate returns a *field.Error named name unless d is Valid.
func CheckDate(name string, d Date) error {
	if d.IsZero() {
		return field.Invalid(name, "is required")
	}
	if !d.Valid() {
		return field.Invalid(name, "%04d-%02d-%02d is not a date from %d to %d", d.Year, int(d.Month), d.Day, MinYear, MaxYear)
	}
	return nil
}

// CheckOptionalDate is CheckDate for a field where the zero Date means
// none: it returns nil for the zero Date and CheckDate's *field.Error
// otherwise.
func CheckOptionalDate(name string, d Date) error {
	if d.IsZero() {
		return nil
	}
	return CheckDate(name, d)
}

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

// AddDays returns d plus n calendar days (n may be negative), by civil
// arithmetic: no duration is involved, so any count of days is exact.
func (d Date) AddDays(n int) Date { return fromDays(d.days() + n) }

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

// DaysSince returns the number of calendar days from e to d (d - e), by
// civil arithmetic (RULES T6).
func (d Date) DaysSince(e Date) int { return d.days() - e.days() }

// days returns the number of days from 1970-01-01 to d, of the proleptic
// Gregorian calendar (Howard Hinnant's days_from_civil).
func (d Date) days() int {
	y, m := d.Year, int(d.Month)
	if m <= 2 {
		y--
	}
	era := y
	if era < 0 {
		era -= 399
	}
	era /= 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d.Day - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// fromDays returns the date n days after 1970-01-01 (civil_from_days).
func fromDays(n int) Date {
	n += 719468
	era := n
	if era < 0 {
		era -= 146096
	}
	era /= 146097
	doe := n - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return Date{y, time.Month(m), day}
}

// MarshalText returns "2006-01-02", or nothing for the zero Date. Its
// error is always nil.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses "2006-01-02"; empty text is the zero Date. It
// returns ParseDate's *field.Error for anything else.
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
	// Loc is the IANA time zone whose wall clock the business day follows.
	Loc *time.Location
	// Cutoff is the wall-clock time the business day starts at, from 0
	// (midnight) up to but not including 24h, in whole minutes.
	Cutoff time.Duration
}

// LoadZone returns the Zone of the IANA zone name with the given cut-off.
// It returns a *field.Error named "zone" for an unknown or empty zone name
// or the machine's local zone ("Local" and "localtime" depend on the
// machine and are refused), and one named "cutoff" for a cut-off outside
// [0, 24h) or not in whole minutes.
func LoadZone(name string, cutoff time.Duration) (Zone, error) {
	if name == "" || name == "Local" || name == "localtime" {
		return Zone{}, field.Invalid("zone", "%s is not an IANA time zone", field.Quote(name))
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return Zone{}, field.Invalid("zone", "%s is not an IANA time zone", field.Quote(name))
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

// quiet is how far from a change of UTC offset an instant must be for its
// business day to follow from its wall clock alone: offsets are under 15
// hours, so no wall-clock reading a day either side of it is reached
// before or after that stretch.
const quiet = 72 * time.Hour

// Date returns the business day t falls on in z (RULES T1, T4, T6): the day
// d with Start(d) <= t < Start(d+1). Away from a change of UTC offset
// that is the civil date of t's wall clock, less one day before the
// cut-off; near one it is derived from Start, so that Date never goes back
// as t goes forward, even when the cut-off falls in the hour a DST change
// skips or repeats.
func (z Zone) Date(t time.Time) Date {
	d, quiet, ok := z.wallDate(t.Unix()) // period.go
	if !ok {
		return z.dateWalk(t)
	}
	if quiet {
		return d
	}
	return z.settle(t, d)
}

// dateWalk is Date through the time package's zone lookups: the date of
// t's wall clock, settled near a change of UTC offset. The periods
// (period.go) answer as it does, and a test holds them to it.
func (z Zone) dateWalk(t time.Time) Date {
	local := t.In(z.Loc)
	d := DateOf(local)
	if z.Cutoff > 0 {
		h, m, s := local.Clock()
		if time.Duration(h)*time.Hour+time.Duration(m)*time.Minute+time.Duration(s)*time.Second < z.Cutoff {
			d = d.AddDays(-1)
		}
	}
	if start, end := zoneBounds(local); (start.IsZero() || t.Sub(start) >= quiet) && (end.IsZero() || end.Sub(t) > quiet) {
		return d
	}
	return z.settle(t, d)
}

// settle returns the day whose Start is at or before t and the next day's
// after it, from d, the date of t's wall clock less a day before the
// cut-off: near a change of UTC offset, d may be a day off.
func (z Zone) settle(t time.Time, d Date) Date {
	for t.Before(z.Start(d)) {
		d = d.AddDays(-1)
	}
	for next := d.AddDays(1); !t.Before(z.Start(next)); next = d.AddDays(1) {
		d = next
	}
	return d
}

// Start returns the UTC instant business day d begins in z (RULES T2, T4,
// T6): the first instant at which the location's wall clock reads d at the
// cut-off or later. When a DST change skips that reading, the day begins
// at the change (New York, cut-off 02:00, 2026-03-08: at 03:00 EDT); when a
// change repeats it, at its first occurrence. So a business day on a DST
// day lasts 23 or 25 hours (or less or more when the cut-off is in the
// skipped or repeated hour), and days follow each other without gaps or
// overlaps. A date a zone skipped entirely (Pacific/Apia's 2011-12-30)
// has no instant: it begins, and ends, where the next day begins.
func (z Zone) Start(d Date) time.Time {
	if t, ok := z.startPeriods(d); ok { // period.go
		return t
	}
	return z.startWalk(d)
}

// startWalk is Start by walking the stretches of one UTC offset from the
// day before d.
func (z Zone) startWalk(d Date) time.Time {
	// wall is the reading sought, as if the wall clock were UTC.
	wall := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Add(z.Cutoff)
	// Before t the wall clock reads less than wall (offsets are under 25
	// hours). Walk the stretches of one UTC offset from t: in each the wall
	// clock runs with time, so the first instant reading wall or later is
	// where it reads exactly wall, or the stretch's start if it already
	// reads more there.
	t := wall.Add(-25 * time.Hour)
	for range 64 { // a day holds a handful of changes at most

		local := t.In(z.Loc)
		_, offset := local.Zone()
		at := wall.Add(-time.Duration(offset) * time.Second)
		if at.Before(t) {
			at = t
		}
		_, end := zoneBounds(local) // period.go
		if end.IsZero() || at.Before(end) {
			return at
		}
		t = end.UTC()
	}
	return t
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
	// Months is how many calendar months the pass lasts, counted first
	// (a month end clamps: Jan 31 plus a month is Feb 28 or 29); 0 to
	// MaxValidityMonths.
	Months int `json:"months,omitempty"`
	// Days is how many days the pass lasts after the months; 0 to
	// MaxValidityDays.
	Days int `json:"days,omitempty"`
}

// IsZero reports whether v sets no expiry.
func (v Validity) IsZero() bool { return v.Months == 0 && v.Days == 0 }

// The longest validity: a hundred years of months, and of days.
const (
	MaxValidityMonths = 1200
	MaxValidityDays   = 36600
)

// Validate returns a *field.Error named "validity.months" or
// "validity.days" for a negative part or one longer than a hundred years
// (MaxValidityMonths, MaxValidityDays).
func (v Validity) Validate() error {
	if v.Months < 0 || v.Months > MaxValidityMonths {
		return field.Invalid("validity.months", "must be from 0 to %d, got %d", MaxValidityMonths, v.Months)
	}
	if v.Days < 0 || v.Days > MaxValidityDays {
		return field.Invalid("validity.days", "must be from 0 to %d, got %d", MaxValidityDays, v.Days)
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

// zoneJSON is the JSON form of a Zone.
type zoneJSON struct {
	Zone          string `json:"zone"`
	CutoffMinutes int64  `json:"cutoff_minutes"`
}

// MarshalJSON returns z as {"zone":"Europe/Paris","cutoff_minutes":180}:
// the IANA name of its zone ("" for none) and its cut-off in whole
// minutes after midnight (JSON.md). Its error is always nil.
func (z Zone) MarshalJSON() ([]byte, error) {
	w := zoneJSON{CutoffMinutes: int64(z.Cutoff / time.Minute)}
	if z.Loc != nil {
		w.Zone = z.Loc.String()
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads what MarshalJSON writes, through LoadZone: it
// returns LoadZone's *field.Error for an unknown zone or a cut-off
// outside [0, 1440) minutes, and the decoder's error for malformed JSON.
// null leaves z as it is.
func (z *Zone) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var w zoneJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	if w.CutoffMinutes < 0 || w.CutoffMinutes >= 24*60 {
		return field.Invalid("cutoff_minutes", "must be in [0, 1440), got %d", w.CutoffMinutes)
	}
	v, err := LoadZone(w.Zone, time.Duration(w.CutoffMinutes)*time.Minute)
	if err != nil {
		return err
	}
	*z = v
	return nil
}
