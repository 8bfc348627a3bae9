package enttest

import (
	"time"

	"github.com/passengine/passengine/calendar"
	"pgregory.net/rapid"
)

// DSTZones are IANA zones whose clocks change for daylight saving time, in
// both hemispheres: whole-hour changes at 01:00 or 02:00 (London, Berlin,
// New York), changes at local midnight, so that a day starts at 01:00
// (Havana, Santiago), and a half-hour change (Lord Howe Island).
var DSTZones = []string{
	"America/New_York",
	"Europe/London",
	"Europe/Berlin",
	"America/Havana",
	"America/Santiago",
	"Australia/Sydney",
	"Australia/Lord_Howe",
}

// Cutoffs are business-day cut-offs (T4) drawn by GenZone: none, and hours
// that fall inside or next to a DST gap or overlap in some of DSTZones.
var Cutoffs = []time.Duration{0, 0, time.Hour, 2 * time.Hour, 2*time.Hour + 30*time.Minute, 3 * time.Hour, 23 * time.Hour}

// GenZone returns a generator of a location's calendar: one of DSTZones
// with one of Cutoffs.
func GenZone() *rapid.Generator[calendar.Zone] {
	return rapid.Custom(func(t *rapid.T) calendar.Zone {
		z, err := calendar.LoadZone(rapid.SampledFrom(DSTZones).Draw(t, "zone"), rapid.SampledFrom(Cutoffs).Draw(t, "cutoff"))
		if err != nil {
			t.Fatalf("enttest: %v (is the time zone database installed?)", err)
		}
		return z
	})
}

// Transitions returns the instants in [from, to) at which z's UTC offset
// changes, to the second, in order.
func Transitions(z calendar.Zone, from, to time.Time) []time.Time {
	var out []time.Time
	offset := func(t time.Time) int { _, o := t.In(z.Loc).Zone(); return o }
	for t := from; t.Before(to); {
		next := t.Add(time.Hour)
		if next.After(to) {
			next = to
		}
		if offset(t) != offset(next) {
			lo, hi := t, next // offset(lo) != offset(hi); find the first second with hi's offset
			for hi.Sub(lo) > time.Second {
				mid := lo.Add(hi.Sub(lo) / 2).Truncate(time.Second)
				if offset(mid) == offset(lo) {
					lo = mid
				} else {
					hi = mid
				}
			}
			out = append(out, hi)
		}
		t = next
	}
	return out
}

// GenDSTInstant returns a generator of an instant, to the minute, within
// 36 hours of one of z's DST transitions in 2024, so that the business
// days around it (23 or 25 hours long, or starting at 01:00) are drawn
// often. It falls back to an instant in 2024 when z has no transition
// that year.
func GenDSTInstant(z calendar.Zone) *rapid.Generator[time.Time] {
	from := time.Date(2024, time.January, 1, 0, 0, 0, 0, time.UTC)
	ts := Transitions(z, from, from.AddDate(1, 0, 0))
	return rapid.Custom(func(t *rapid.T) time.Time {
		base := from.Add(time.Duration(rapid.IntRange(0, 365*24).Draw(t, "hour")) * time.Hour)
		if len(ts) > 0 {
			base = rapid.SampledFrom(ts).Draw(t, "transition")
		}
		return base.Add(time.Duration(rapid.IntRange(-36*60, 36*60).Draw(t, "minutes")) * time.Minute).UTC()
	})
}
