package calendar_test

import (
	"testing"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/stretchr/testify/assert"
	"pgregory.net/rapid"
)

// Rule T6: New York, cut-off 02:00, on the spring-forward day 2026-03-08
// the wall clock skips 02:00-03:00. The business day of Mar 8 starts when
// the wall clock first reads 02:00 or later (07:00Z, 03:00 EDT), and every
// instant before that belongs to Mar 7.
func TestRule_T6_CutoffInsideTheGap(t *testing.T) {
	z := zone(t, "America/New_York", 2*time.Hour)
	mar7, mar8 := calendar.NewDate(2026, 3, 7), calendar.NewDate(2026, 3, 8)
	assert.Equal(t, utc(t, "2026-03-08T07:00:00Z"), z.Start(mar8))
	for _, s := range []string{"2026-03-08T06:00:00Z", "2026-03-08T06:30:00Z", "2026-03-08T06:59:59Z"} {
		assert.Equal(t, mar7, z.Date(utc(t, s)), "Date(%s)", s)
	}
	assert.Equal(t, mar8, z.Date(utc(t, "2026-03-08T07:00:00Z")))
	assert.Equal(t, mar8, z.Date(z.Start(mar8)))
	assert.Equal(t, mar7, z.Date(z.Start(mar7)))
}

// Rule T6: New York, cut-off 01:30, on the fall-back day 2026-11-01 the
// wall clock reads 01:00-02:00 twice. The business day of Nov 1 starts the
// first time it reads 01:30 (05:30Z); an instant later, in the repeated
// hour, is still Nov 1, never Oct 31 again.
func TestRule_T6_CutoffInsideTheOverlap(t *testing.T) {
	z := zone(t, "America/New_York", 90*time.Minute)
	nov1 := calendar.NewDate(2026, 11, 1)
	assert.Equal(t, utc(t, "2026-11-01T05:30:00Z"), z.Start(nov1))
	assert.Equal(t, nov1, z.Date(utc(t, "2026-11-01T05:45:00Z")))
	assert.Equal(t, nov1, z.Date(utc(t, "2026-11-01T06:10:00Z")), "01:10 EST, after 01:45 EDT")
	assert.Equal(t, calendar.NewDate(2026, 10, 31), z.Date(utc(t, "2026-11-01T05:29:59Z")))
}

// dstZones are zones with daylight saving time (and one without), north
// and south, with transitions at midnight (Santiago, Havana), at 01:00 UTC
// (London), with half-hour shifts (Lord Howe) and at local 02:00.
var dstZones = []string{
	"America/New_York", "Europe/London", "Europe/Berlin", "Australia/Sydney",
	"Australia/Lord_Howe", "America/Santiago", "America/Havana", "Asia/Tehran",
	"America/Sao_Paulo", "Pacific/Auckland", "Asia/Tokyo", "UTC",
}

// genZone draws a zone with DST and a cut-off at any minute of the day,
// half the time at a minute of the 00:00-03:00 window where transitions
// happen.
func genZone(t *rapid.T) calendar.Zone {
	name := rapid.SampledFrom(dstZones).Draw(t, "zone")
	var m int
	if rapid.Bool().Draw(t, "nearTransition") {
		m = rapid.IntRange(0, 3*60).Draw(t, "cutoffMinute")
	} else {
		m = rapid.IntRange(0, 24*60-1).Draw(t, "cutoffMinute")
	}
	z, err := calendar.LoadZone(name, time.Duration(m)*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return z
}

// genInstant draws an instant between 1990 and 2040, most of the time
// within three hours (or a day) of a DST transition of z.
func genInstant(t *rapid.T, z calendar.Zone) time.Time {
	base := time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)
	sec := rapid.Int64Range(0, 50*365*86400).Draw(t, "sec")
	at := base.Add(time.Duration(sec) * time.Second)
	switch rapid.IntRange(0, 3).Draw(t, "near") {
	case 1, 2:
		if _, end := at.In(z.Loc).ZoneBounds(); !end.IsZero() {
			at = end.Add(time.Duration(rapid.Int64Range(-3*3600, 3*3600).Draw(t, "offset")) * time.Second)
		}
	case 3:
		if _, end := at.In(z.Loc).ZoneBounds(); !end.IsZero() {
			at = end.Add(time.Duration(rapid.Int64Range(-86400, 86400).Draw(t, "offset")) * time.Second)
		}
	}
	return at
}

// Rule T6: for every instant t, in every zone with DST and with any
// cut-off, Start(Date(t)) <= t < Start(Date(t) + 1).
func TestRule_T6_InstantIsInsideItsBusinessDay(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		z := genZone(t)
		at := genInstant(t, z)
		d := z.Date(at)
		if s := z.Start(d); at.Before(s) {
			t.Fatalf("%s cut-off %s: %s is before the start %s of its day %s", z.Loc, z.Cutoff, at, s, d)
		}
		if e := z.Start(d.AddDays(1)); !at.Before(e) {
			t.Fatalf("%s cut-off %s: %s is not before the end %s of its day %s", z.Loc, z.Cutoff, at, e, d)
		}
	})
}

// Rule T6: for every date d, Date(Start(d)) = d, and business days follow
// each other without gaps: Start(d) < Start(d+1).
func TestRule_T6_DayStartsOnItself(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		z := genZone(t)
		d := z.Date(genInstant(t, z))
		s, next := z.Start(d), z.Start(d.AddDays(1))
		if got := z.Date(s); got != d {
			t.Fatalf("%s cut-off %s: Date(Start(%s) = %s) = %s", z.Loc, z.Cutoff, d, s, got)
		}
		if !s.Before(next) {
			t.Fatalf("%s cut-off %s: Start(%s) = %s is not before Start(next) = %s", z.Loc, z.Cutoff, d, s, next)
		}
		if n := next.Sub(s); n < 20*time.Hour || n > 28*time.Hour {
			t.Fatalf("%s cut-off %s: day %s lasts %s", z.Loc, z.Cutoff, d, n)
		}
	})
}

// Rule T6: Date never goes back as time goes forward.
func TestRule_T6_DateIsMonotone(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		z := genZone(t)
		at := genInstant(t, z)
		later := at.Add(time.Duration(rapid.Int64Range(0, 3*3600).Draw(t, "later")) * time.Second)
		if a, b := z.Date(at), z.Date(later); b.Before(a) {
			t.Fatalf("%s cut-off %s: Date(%s) = %s but Date(%s) = %s", z.Loc, z.Cutoff, at, a, later, b)
		}
	})
}
