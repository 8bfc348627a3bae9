package calendar

import (
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// zonesOfEveryKind are zones whose offsets change in every way tzdata
// has: DST forward and back, half-hour and 45-minute offsets, negative
// DST (Dublin), a skipped date (Apia), a rule past the last listed change
// (most), changes twice a year around Ramadan (Casablanca), none (UTC,
// Kolkata), and one past 24:00 of a change (Lord Howe's 30-minute DST).
var zonesOfEveryKind = []string{"UTC", "America/New_York", "Europe/London", "Europe/Dublin", "Pacific/Apia",
	"Africa/Casablanca", "Australia/Lord_Howe", "Asia/Kathmandu", "Asia/Kolkata", "America/Santiago",
	"Pacific/Chatham", "America/St_Johns", "Antarctica/Troll"}

// The periods' answers are the walk's answers: Date and Start with the
// cache against dateWalk and startWalk, the time package's lookups, for
// instants and dates from 1850 to 2150 in every kind of zone and cut-off.
func TestRule_T6_PeriodsAnswerAsTheWalk(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		name := rapid.SampledFrom(zonesOfEveryKind).Draw(t, "zone")
		cutoff := time.Duration(rapid.IntRange(0, 24*60-1).Draw(t, "cutoff minutes")) * time.Minute
		z, err := LoadZone(name, cutoff)
		if err != nil {
			t.Fatal(err)
		}
		lo, hi := time.Date(1850, 1, 1, 0, 0, 0, 0, time.UTC).Unix(), time.Date(2150, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
		sec := rapid.Int64Range(lo, hi).Draw(t, "unix")
		// Near a change of offset or the start of a day often: the
		// instants quiet away from a change, and either side of a cut-off.
		switch rapid.IntRange(0, 2).Draw(t, "near") {
		case 1:
			_, end := time.Unix(sec, 0).In(z.Loc).ZoneBounds()
			if !end.IsZero() {
				sec = end.Unix() + rapid.Int64Range(-4*86400, 4*86400).Draw(t, "from the change")
			}
		case 2:
			sec = z.startWalk(DateOf(time.Unix(sec, 0).UTC())).Unix() + rapid.Int64Range(-90, 90).Draw(t, "from the day's start")
		}
		at := time.Unix(sec, int64(rapid.IntRange(0, 999_999_999).Draw(t, "nanoseconds"))).UTC()
		if got, want := z.Date(at), z.dateWalk(at); got != want {
			t.Fatalf("Date(%s) in %s cut-off %s: got %s, want %s", at, name, cutoff, got, want)
		}
		d := DateOf(at).AddDays(rapid.IntRange(-2, 2).Draw(t, "days"))
		if got, want := z.Start(d), z.startWalk(d); !got.Equal(want) || got != want {
			t.Fatalf("Start(%s) in %s cut-off %s: got %s, want %s", d, name, cutoff, got, want)
		}
	})
}

// Goroutines asking about different zones at once share the cache's
// slots; each gets its own zone's answer (run with -race).
func TestPeriodsConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for _, name := range zonesOfEveryKind {
		z, err := LoadZone(name, 0)
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			at := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
			for i := range 2000 {
				at := at.Add(time.Duration(i) * 7 * time.Hour)
				if got, want := z.Date(at), z.dateWalk(at); got != want {
					t.Errorf("Date(%s) in %s: got %s, want %s", at, name, got, want)
					return
				}
			}
		}()
	}
	wg.Wait()
}
