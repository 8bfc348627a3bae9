package calendar_test

import (
	"errors"
	"testing"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/field"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// zone loads an IANA zone with a cut-off, failing the test on error.
func zone(t *testing.T, name string, cutoff time.Duration) calendar.Zone {
	t.Helper()
	z, err := calendar.LoadZone(name, cutoff)
	require.NoError(t, err, "LoadZone(%q, %s)", name, cutoff)
	return z
}

// utc parses an RFC 3339 instant, failing the test on error.
func utc(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	require.NoError(t, err)
	return at
}

// requireFieldError asserts err is a *field.Error naming name.
func requireFieldError(t *testing.T, err error, name string) {
	t.Helper()
	var fe *field.Error
	require.ErrorAs(t, err, &fe, "got %v, want a *field.Error", err)
	assert.Equal(t, name, fe.Name, "field name: got %q, want %q", fe.Name, name)
	assert.ErrorIs(t, err, field.ErrInvalid)
}

// Rule T1: a location without a valid zone is rejected, naming "zone".
func TestRule_T1_UnknownZoneRejected(t *testing.T) {
	for _, name := range []string{"", "Local", "Mars/Olympus_Mons", "Europe/Londn", "../etc/passwd", "UTC+3"} {
		t.Run(name, func(t *testing.T) {
			_, err := calendar.LoadZone(name, 0)
			requireFieldError(t, err, "zone")
		})
	}
	for _, name := range []string{"Europe/London", "America/New_York", "UTC", "Asia/Tokyo"} {
		z, err := calendar.LoadZone(name, 0)
		require.NoError(t, err, name)
		assert.Equal(t, name, z.Loc.String())
	}
}

// Rule T4: the cut-off must be whole minutes in [0, 24h).
func TestRule_T4_CutoffValidated(t *testing.T) {
	for _, c := range []time.Duration{-time.Minute, 24 * time.Hour, 25 * time.Hour, 3*time.Hour + time.Second} {
		_, err := calendar.LoadZone("Europe/London", c)
		requireFieldError(t, err, "cutoff")
	}
	for _, c := range []time.Duration{0, 3 * time.Hour, 23*time.Hour + 59*time.Minute} {
		_, err := calendar.LoadZone("Europe/London", c)
		require.NoError(t, err, c)
	}
}

// Rule T1: the calendar day of an instant is the civil date in the zone of
// the location, not in UTC.
func TestRule_T1_DateIsCivilDateAtLocation(t *testing.T) {
	ny := zone(t, "America/New_York", 0)
	ldn := zone(t, "Europe/London", 0)
	tests := []struct {
		at   string
		z    calendar.Zone
		want string
	}{
		{"2024-03-10T03:30:00Z", ny, "2024-03-09"},  // 22:30 EST the evening before
		{"2024-03-10T03:30:00Z", ldn, "2024-03-10"}, // 03:30 GMT
		{"2024-06-30T23:30:00Z", ldn, "2024-07-01"}, // 00:30 BST: London is east of UTC in summer
		{"2024-06-30T23:30:00Z", ny, "2024-06-30"},  // 19:30 EDT
		{"2024-01-01T04:59:59Z", ny, "2023-12-31"},
		{"2024-01-01T05:00:00Z", ny, "2024-01-01"},
	}
	for _, tt := range tests {
		got := tt.z.Date(utc(t, tt.at))
		assert.Equal(t, tt.want, got.String(), "%s in %s: got %s, want %s", tt.at, tt.z.Loc, got, tt.want)
	}
}

// Rule T2: a date range covers local 00:00 of from to local 24:00 of to;
// DST days are 23 or 25 hours long, in both zones.
func TestRule_T2_RangeOnDSTDays(t *testing.T) {
	tests := []struct {
		zone      string
		day       string
		start     string
		end       string
		wantHours time.Duration
	}{
		{"Europe/London", "2024-03-31", "2024-03-31T00:00:00Z", "2024-03-31T23:00:00Z", 23},
		{"Europe/London", "2024-10-27", "2024-10-26T23:00:00Z", "2024-10-28T00:00:00Z", 25},
		{"Europe/London", "2024-06-15", "2024-06-14T23:00:00Z", "2024-06-15T23:00:00Z", 24},
		{"America/New_York", "2024-03-10", "2024-03-10T05:00:00Z", "2024-03-11T04:00:00Z", 23},
		{"America/New_York", "2024-11-03", "2024-11-03T04:00:00Z", "2024-11-04T05:00:00Z", 25},
		{"America/New_York", "2024-01-15", "2024-01-15T05:00:00Z", "2024-01-16T05:00:00Z", 24},
	}
	for _, tt := range tests {
		t.Run(tt.zone+"/"+tt.day, func(t *testing.T) {
			z := zone(t, tt.zone, 0)
			d := calendar.MustDate(tt.day)
			start, end, err := z.Range(d, d)
			require.NoError(t, err)
			assert.True(t, start.Equal(utc(t, tt.start)), "start: got %s, want %s", start, tt.start)
			assert.True(t, end.Equal(utc(t, tt.end)), "end: got %s, want %s", end, tt.end)
			assert.Equal(t, tt.wantHours*time.Hour, end.Sub(start), "length: got %s, want %dh", end.Sub(start), tt.wantHours)
			assert.Equal(t, time.UTC, start.Location(), "instants are UTC (T1)")
			// Every instant of the range falls on the day, the end does not.
			assert.Equal(t, d, z.Date(start))
			assert.Equal(t, d, z.Date(end.Add(-time.Nanosecond)))
			assert.Equal(t, d.AddDays(1), z.Date(end))
			assert.Equal(t, d.AddDays(-1), z.Date(start.Add(-time.Nanosecond)))
		})
	}
}

// Rule T2: a range of several days across a DST change is from 00:00 of the
// first to 24:00 of the last; an inverted range names "to".
func TestRule_T2_MultiDayRange(t *testing.T) {
	z := zone(t, "America/New_York", 0)
	start, end, err := z.Range(calendar.MustDate("2024-11-01"), calendar.MustDate("2024-11-04"))
	require.NoError(t, err)
	assert.Equal(t, 4*24*time.Hour+time.Hour, end.Sub(start), "four days with one 25-hour day")
	assert.True(t, start.Equal(utc(t, "2024-11-01T04:00:00Z")), "got %s", start)
	assert.True(t, end.Equal(utc(t, "2024-11-05T05:00:00Z")), "got %s", end)

	_, _, err = z.Range(calendar.MustDate("2024-11-04"), calendar.MustDate("2024-11-01"))
	requireFieldError(t, err, "to")

	s1, e1, err := z.Range(calendar.MustDate("2024-11-04"), calendar.MustDate("2024-11-04"))
	require.NoError(t, err, "a one-day range is valid")
	assert.Equal(t, 24*time.Hour, e1.Sub(s1))
}

// Rule T3: month ends clamp (Jan 31 + 1 month = Feb 28 or 29, not Mar 3).
func TestRule_T3_MonthEndClamps(t *testing.T) {
	tests := []struct {
		from   string
		months int
		want   string
	}{
		{"2023-01-31", 1, "2023-02-28"},
		{"2024-01-31", 1, "2024-02-29"},
		{"2024-03-31", 1, "2024-04-30"},
		{"2024-01-30", 1, "2024-02-29"},
		{"2024-01-29", 1, "2024-02-29"},
		{"2024-01-28", 1, "2024-02-28"},
		{"2023-12-31", 2, "2024-02-29"},
		{"2024-01-31", 13, "2025-02-28"},
		{"2024-02-29", 12, "2025-02-28"},
		{"2024-02-29", 48, "2028-02-29"},
		{"2024-03-31", -1, "2024-02-29"},
		{"2024-01-31", -2, "2023-11-30"},
		{"2024-08-31", 0, "2024-08-31"},
		{"2024-10-31", 1, "2024-11-30"},
		{"2024-11-30", 1, "2024-12-30"},
	}
	for _, tt := range tests {
		got := calendar.MustDate(tt.from).AddMonths(tt.months)
		assert.Equal(t, tt.want, got.String(), "%s + %d months: got %s, want %s", tt.from, tt.months, got, tt.want)
		assert.True(t, got.Valid(), "%s is a real date", got)
	}
}

// Rule T3: days are calendar arithmetic, never 24-hour steps, so a DST
// change does not shift the date; DaysSince is its inverse.
func TestRule_T3_DaysArithmetic(t *testing.T) {
	tests := []struct {
		from string
		days int
		want string
	}{
		{"2024-02-28", 1, "2024-02-29"},
		{"2023-02-28", 1, "2023-03-01"},
		{"2024-12-31", 1, "2025-01-01"},
		{"2024-03-09", 2, "2024-03-11"}, // across the New York spring change
		{"2024-10-26", 2, "2024-10-28"}, // across the London autumn change
		{"2024-03-01", -1, "2024-02-29"},
		{"2024-01-01", 366, "2025-01-01"},
		{"2024-01-01", 0, "2024-01-01"},
	}
	for _, tt := range tests {
		from := calendar.MustDate(tt.from)
		got := from.AddDays(tt.days)
		assert.Equal(t, tt.want, got.String(), "%s + %d days", tt.from, tt.days)
		assert.Equal(t, tt.days, got.DaysSince(from), "(%s - %s) days", got, from)
	}
}

// Rule T3: validity is months (clamped) then days from the activation date;
// the zero Validity means no expiry.
func TestRule_T3_ValidityFrom(t *testing.T) {
	tests := []struct {
		v    calendar.Validity
		from string
		want string
	}{
		{calendar.Validity{Months: 1}, "2024-01-31", "2024-02-29"},
		{calendar.Validity{Months: 1, Days: 1}, "2024-01-31", "2024-03-01"},
		{calendar.Validity{Days: 30}, "2024-01-31", "2024-03-01"},
		{calendar.Validity{Months: 12}, "2024-02-29", "2025-02-28"},
		{calendar.Validity{Days: 7}, "2024-03-27", "2024-04-03"},
	}
	for _, tt := range tests {
		got := tt.v.From(calendar.MustDate(tt.from))
		assert.Equal(t, tt.want, got.String(), "%+v from %s", tt.v, tt.from)
	}
	assert.True(t, calendar.Validity{}.From(calendar.MustDate("2024-01-31")).IsZero(), "zero validity: no expiry")
	assert.True(t, calendar.Validity{Days: 3}.From(calendar.Date{}).IsZero(), "no activation: no expiry")
	assert.True(t, calendar.Validity{}.IsZero())
	require.NoError(t, calendar.Validity{Months: 1}.Validate())
	requireFieldError(t, calendar.Validity{Months: -1}.Validate(), "validity.months")
	requireFieldError(t, calendar.Validity{Days: -1}.Validate(), "validity.days")
	// Rule S4: a validity is at most a hundred years, so an expiry stays a
	// date every store keeps (3,000,000 days broke SQLite's reads).
	require.NoError(t, calendar.Validity{Months: calendar.MaxValidityMonths, Days: calendar.MaxValidityDays}.Validate())
	requireFieldError(t, calendar.Validity{Days: 3_000_000}.Validate(), "validity.days")
	requireFieldError(t, calendar.Validity{Months: 1 << 40}.Validate(), "validity.months")
}

// Rule T4: with a 03:00 cut-off, 02:00 belongs to the previous business day
// and 03:00 starts the next one.
func TestRule_T4_CutoffBelongsToPreviousDay(t *testing.T) {
	z := zone(t, "America/New_York", 3*time.Hour)
	tests := []struct {
		at   string // local wall time in New York
		want string
	}{
		{"2024-06-11T02:00:00-04:00", "2024-06-10"},
		{"2024-06-11T02:59:59-04:00", "2024-06-10"},
		{"2024-06-11T03:00:00-04:00", "2024-06-11"},
		{"2024-06-11T00:00:00-04:00", "2024-06-10"},
		{"2024-06-11T23:59:00-04:00", "2024-06-11"},
		{"2024-01-01T01:30:00-05:00", "2023-12-31"},
	}
	for _, tt := range tests {
		got := z.Date(utc(t, tt.at))
		assert.Equal(t, tt.want, got.String(), "%s with 03:00 cut-off", tt.at)
	}
	d := calendar.MustDate("2024-06-10")
	start, end, err := z.Range(d, d)
	require.NoError(t, err)
	assert.True(t, start.Equal(utc(t, "2024-06-10T03:00:00-04:00")), "business day starts at the cut-off: got %s", start)
	assert.True(t, end.Equal(utc(t, "2024-06-11T03:00:00-04:00")), "business day ends at the next cut-off: got %s", end)
}

// Rule T4 with T2: a business day with a cut-off that spans a DST change is
// 23 or 25 hours (London, cut-off 03:00).
func TestRule_T4_CutoffOnDSTDays(t *testing.T) {
	z := zone(t, "Europe/London", 3*time.Hour)
	// Clocks go forward at 01:00 GMT on 2024-03-31: 02:00 BST (01:00Z) is
	// still the business day of Mar 30.
	assert.Equal(t, "2024-03-30", z.Date(utc(t, "2024-03-31T01:00:00Z")).String())
	assert.Equal(t, "2024-03-31", z.Date(utc(t, "2024-03-31T02:00:00Z")).String(), "03:00 BST")
	assert.Equal(t, 23*time.Hour, z.End(calendar.MustDate("2024-03-30")).Sub(z.Start(calendar.MustDate("2024-03-30"))))
	assert.Equal(t, 24*time.Hour, z.End(calendar.MustDate("2024-03-31")).Sub(z.Start(calendar.MustDate("2024-03-31"))))
	assert.Equal(t, 25*time.Hour, z.End(calendar.MustDate("2024-10-26")).Sub(z.Start(calendar.MustDate("2024-10-26"))))
}

// Rule T5: "expires on D" is usable through the end of D at the location,
// with both edges tested; a venue west of UTC must not lose a day (a date
// read as UTC midnight would end the pass at 19:00 or 20:00 local).
func TestRule_T5_ExpiresOnEndOfDayAtLocation(t *testing.T) {
	expires := calendar.MustDate("2024-05-31")
	tests := []struct {
		zone   string
		at     string
		usable bool
	}{
		// New York (UTC-4 in May): the last instant is 23:59:59 EDT = 03:59:59Z.
		{"America/New_York", "2024-05-31T04:00:00Z", true},  // 00:00 EDT on D
		{"America/New_York", "2024-06-01T00:00:00Z", true},  // UTC midnight: still 20:00 on D
		{"America/New_York", "2024-06-01T03:59:59Z", true},  // 23:59:59 EDT on D
		{"America/New_York", "2024-06-01T04:00:00Z", false}, // 00:00 EDT on D+1
		// London (UTC+1 in May): the pass ends an hour before UTC midnight.
		{"Europe/London", "2024-05-31T22:59:59Z", true},
		{"Europe/London", "2024-05-31T23:00:00Z", false},
		{"Europe/London", "2024-05-30T23:00:00Z", true}, // 00:00 BST on D
	}
	for _, tt := range tests {
		z := zone(t, tt.zone, 0)
		at := utc(t, tt.at)
		got := !z.Date(at).After(expires)
		assert.Equal(t, tt.usable, got, "%s in %s: usable got %v, want %v", tt.at, tt.zone, got, tt.usable)
		// End is the exclusive instant form of the same rule.
		assert.Equal(t, tt.usable, at.Before(z.End(expires)), "End(%s) in %s", expires, tt.zone)
	}
	ny := zone(t, "America/New_York", 0)
	assert.True(t, ny.End(expires).Equal(utc(t, "2024-06-01T04:00:00Z")), "got %s", ny.End(expires))
}

func TestParseDate(t *testing.T) {
	d, err := calendar.ParseDate("2024-02-29")
	require.NoError(t, err)
	assert.Equal(t, calendar.Date{Year: 2024, Month: time.February, Day: 29}, d)
	assert.Equal(t, "2024-02-29", d.String())
	assert.True(t, d.Valid())

	for _, s := range []string{"", "2023-02-29", "2024-13-01", "2024-1-1", "24-01-01", "2024-01-01T00:00:00Z", "tomorrow", " 2024-01-01"} {
		_, err := calendar.ParseDate(s)
		requireFieldError(t, err, "date")
	}
	assert.Panics(t, func() { calendar.MustDate("nope") })
}

func TestDateBasics(t *testing.T) {
	var zero calendar.Date
	assert.True(t, zero.IsZero())
	assert.False(t, zero.Valid())
	assert.Equal(t, "", zero.String())
	assert.False(t, calendar.Date{Year: 2024, Month: time.February, Day: 30}.Valid())
	assert.Equal(t, "2024-03-01", calendar.NewDate(2024, time.February, 30).String(), "NewDate normalises")

	a, b := calendar.MustDate("2024-03-09"), calendar.MustDate("2024-03-10")
	assert.Equal(t, -1, a.Compare(b))
	assert.Equal(t, 1, b.Compare(a))
	assert.Equal(t, 0, a.Compare(a))
	assert.True(t, a.Before(b))
	assert.True(t, b.After(a))
	assert.Equal(t, 1, calendar.MustDate("2025-01-01").Compare(calendar.MustDate("2024-12-31")))
	assert.Equal(t, -1, calendar.MustDate("2024-01-31").Compare(calendar.MustDate("2024-02-01")))

	txt, err := b.MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "2024-03-10", string(txt))
	var back calendar.Date
	require.NoError(t, back.UnmarshalText(txt))
	assert.Equal(t, b, back)
	require.NoError(t, back.UnmarshalText(nil))
	assert.True(t, back.IsZero())
	err = back.UnmarshalText([]byte("2024-99-99"))
	requireFieldError(t, err, "date")
	assert.True(t, errors.Is(err, field.ErrInvalid))
}

// TestBoundsCoverEveryZone: the business day of an instant in the
// furthest zones east and west, at the smallest and largest cut-offs, lies
// within Bounds.
func TestBoundsCoverEveryZone(t *testing.T) {
	zones := []string{"UTC", "Pacific/Kiritimati", "Etc/GMT-14", "Etc/GMT+12", "Pacific/Pago_Pago", "Asia/Kathmandu"}
	cutoffs := []time.Duration{0, time.Hour, 12 * time.Hour, 24*time.Hour - time.Minute}
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, name := range zones {
		for _, c := range cutoffs {
			z, err := calendar.LoadZone(name, c)
			if err != nil {
				t.Fatal(err)
			}
			for m := 0; m < 48*60; m += 17 {
				at := base.Add(time.Duration(m) * time.Minute)
				first, last := calendar.Bounds(at)
				if d := z.Date(at); d.Before(first) || d.After(last) {
					t.Errorf("%s cut-off %s at %s: got day %s, want within [%s, %s]", name, c, at, d, first, last)
				}
			}
		}
	}
}

// Rule T6, S4: day arithmetic is civil, never a duration: a date plus
// days and back gives the date again across the whole range, and a count
// of days beyond 292 years (where a time.Duration saturates) is exact.
func TestRule_T6_DaysAreCivilArithmetic(t *testing.T) {
	a, b := calendar.NewDate(1900, 1, 1), calendar.NewDate(2999, 12, 31)
	assert.Equal(t, 401766, b.DaysSince(a))
	assert.Equal(t, b, a.AddDays(401766))
	assert.Equal(t, a, b.AddDays(-401766))
	assert.Equal(t, calendar.NewDate(2024, 3, 1), calendar.NewDate(2024, 2, 28).AddDays(2))
	assert.Equal(t, calendar.NewDate(2100, 3, 1), calendar.NewDate(2100, 2, 28).AddDays(1), "2100 is not a leap year")
	for d := calendar.NewDate(1999, 12, 1); d.Before(calendar.NewDate(2001, 3, 1)); d = d.AddDays(1) {
		assert.Equal(t, d, calendar.NewDate(d.Year, d.Month, d.Day), "%s", d)
		assert.Equal(t, 1, d.AddDays(1).DaysSince(d))
	}
}

// Rule S4: dates and instants are kept from MinYear to MaxYear.
func TestRule_S4_DateRange(t *testing.T) {
	assert.True(t, calendar.NewDate(calendar.MinYear, 1, 1).Valid())
	assert.True(t, calendar.NewDate(calendar.MaxYear, 12, 31).Valid())
	assert.False(t, calendar.NewDate(calendar.MinYear-1, 12, 31).Valid())
	assert.False(t, calendar.NewDate(calendar.MaxYear+1, 1, 1).Valid())
	assert.False(t, calendar.Date{Year: 2026, Month: 2, Day: 31}.Valid())
	requireFieldError(t, calendar.CheckDate("from", calendar.Date{Year: 2026, Month: 2, Day: 31}), "from")
	requireFieldError(t, calendar.CheckDate("to", calendar.Date{}), "to")
	require.NoError(t, calendar.CheckOptionalDate("to", calendar.Date{}))
	requireFieldError(t, calendar.CheckOptionalDate("to", calendar.Date{Year: 20260, Month: 1, Day: 1}), "to")
	_, err := calendar.ParseDateField("expires_on", "9999-12-31")
	requireFieldError(t, err, "expires_on")
	_, err = calendar.ParseDateField("expires_on", "2026-02-31")
	requireFieldError(t, err, "expires_on")
	assert.True(t, calendar.ValidInstant(time.Date(2026, 3, 8, 7, 0, 0, 0, time.UTC)))
	assert.False(t, calendar.ValidInstant(time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)))
	assert.False(t, calendar.ValidInstant(time.Time{}))
}

// Rule T1: the machine's local zone is refused under any of its names.
func TestRule_T1_LocaltimeRefused(t *testing.T) {
	for _, name := range []string{"Local", "localtime"} {
		_, err := calendar.LoadZone(name, 0)
		requireFieldError(t, err, "zone")
	}
}
