package billing_test

import (
	"testing"
	"time"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/stretchr/testify/assert"
	"pgregory.net/rapid"
)

// Rule C6, T6: New York, cut-off 02:00, $10 an hour with a $10 cap, from
// 00:00 EST to 04:00 EDT on 2026-03-08 (three hours, the clock skips
// 02:00-03:00). Two hours fall on the business day of Mar 7 and one on
// Mar 8: one charge per day, each capped once, 20.00 in all (not 30.00).
func TestRule_C6_CutoffInTheGapChargesOncePerDay(t *testing.T) {
	z := paygZone(t, "America/New_York", 2*time.Hour)
	start := time.Date(2026, 3, 8, 5, 0, 0, 0, time.UTC) // 00:00 EST
	end := time.Date(2026, 3, 8, 8, 0, 0, 0, time.UTC)   // 04:00 EDT
	total, days := price(t, z, start, billing.Minutes(start, end), usd("10"), usd("10"))
	assert.Equal(t, "20.00 USD", total.String())
	if assert.Len(t, days, 2) {
		assert.Equal(t, calendar.NewDate(2026, 3, 7), days[0].Date)
		assert.Equal(t, 120, days[0].Minutes)
		assert.Equal(t, calendar.NewDate(2026, 3, 8), days[1].Date)
		assert.Equal(t, 60, days[1].Minutes)
	}
}

// Rule C6, T6: for any start and length, in zones with DST and with any
// cut-off, Split gives at most one charge per business day, in date
// order; each increment belongs to the business day it starts in, and the
// increments and minutes add up.
func TestRule_C6_SplitOneChargePerBusinessDay(t *testing.T) {
	names := []string{"America/New_York", "Europe/London", "Australia/Lord_Howe", "America/Havana", "America/Santiago", "UTC"}
	rapid.Check(t, func(t *rapid.T) {
		z, err := calendar.LoadZone(rapid.SampledFrom(names).Draw(t, "zone"),
			time.Duration(rapid.IntRange(0, 24*60-1).Draw(t, "cutoffMinute"))*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rapid.Int64Range(0, 365*86400).Draw(t, "sec")) * time.Second)
		if rapid.Bool().Draw(t, "nearChange") {
			if _, end := start.In(z.Loc).ZoneBounds(); !end.IsZero() {
				start = end.Add(time.Duration(rapid.IntRange(-4*3600, 3600).Draw(t, "offset")) * time.Second)
			}
		}
		minutes := rapid.IntRange(1, 3*24*60).Draw(t, "minutes")
		days := billing.Split(start, minutes, z)
		incs, mins := 0, 0
		for i, d := range days {
			if i > 0 && !days[i-1].Date.Before(d.Date) {
				t.Fatalf("two charges for one day or out of order: %s then %s", days[i-1].Date, d.Date)
			}
			for k := incs; k < incs+d.Increments; k++ {
				if got := z.Date(start.Add(time.Duration(k) * billing.Increment)); got != d.Date {
					t.Fatalf("increment %d starts on %s but is charged on %s", k, got, d.Date)
				}
			}
			incs += d.Increments
			mins += d.Minutes
		}
		if want := (minutes + 14) / 15; incs != want {
			t.Fatalf("increments: got %d, want %d", incs, want)
		}
		if mins != minutes {
			t.Fatalf("minutes: got %d, want %d", mins, minutes)
		}
	})
}

// Rule S4: minutes are counted without a time.Duration, so a span longer
// than 292 years is not clipped.
func TestRule_S4_MinutesNeverSaturate(t *testing.T) {
	a := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	b := time.Date(2999, 1, 1, 0, 0, 30, 0, time.UTC)
	assert.Equal(t, b.Unix()/60-a.Unix()/60+1, int64(billing.Minutes(a, b)))
	assert.Equal(t, 0, billing.Minutes(b, a))
	assert.Equal(t, 1, billing.Minutes(a, a.Add(time.Nanosecond)))
	assert.Equal(t, 2, billing.Minutes(a, a.Add(time.Minute+time.Nanosecond)))
}
