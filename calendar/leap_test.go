package calendar

import (
	"testing"
	"time"
)

// TestLeapYearEnd holds Date and Start to the wall clock around the turn
// of the leap years past the zones' listed changes, where the time
// package's ZoneBounds returns a stretch that ends before its instant
// (zoneBounds): every hour from 29 December to 3 January, in zones with
// and without summer time at the turn of the year, and with a cut-off.
func TestLeapYearEnd(t *testing.T) {
	for _, name := range []string{"Europe/London", "America/New_York", "Australia/Sydney", "UTC"} {
		for _, cutoff := range []time.Duration{0, 4 * time.Hour} {
			z, err := LoadZone(name, cutoff)
			if err != nil {
				t.Fatal(err)
			}
			for _, year := range []int{2036, 2040, 2044, 2052, 2041} {
				from := time.Date(year, 12, 29, 0, 0, 0, 0, z.Loc)
				for at := from; at.Before(from.AddDate(0, 0, 6)); at = at.Add(time.Hour) {
					local := at.Add(-cutoff)
					want := NewDate(local.Year(), local.Month(), local.Day())
					if got := z.Date(at); got != want {
						t.Fatalf("%s cut-off %v: Date(%v) = %v, want %v", name, cutoff, at, got, want)
					}
					if got := z.dateWalk(at); got != want {
						t.Fatalf("%s cut-off %v: dateWalk(%v) = %v, want %v", name, cutoff, at, got, want)
					}
					// No change of offset falls on these days: a day starts at its
					// wall clock's cut-off.
					start := time.Date(want.Year, want.Month, want.Day, 0, 0, 0, 0, z.Loc).Add(cutoff)
					if got := z.Start(want); !got.Equal(start) {
						t.Fatalf("%s cut-off %v: Start(%v) = %v, want %v", name, cutoff, want, got, start)
					}
					if got := z.startWalk(want); !got.Equal(start) {
						t.Fatalf("%s cut-off %v: startWalk(%v) = %v, want %v", name, cutoff, want, got, start)
					}
					if p := periodAt(z.Loc, at.Unix()); p.start > at.Unix() || at.Unix() >= p.end {
						t.Fatalf("%s: the period of %v is [%d, %d), without it", name, at, p.start, p.end)
					}
				}
			}
		}
	}
}
