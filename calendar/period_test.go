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
		switch rapid.IntRange(0, 3).Draw(t, "near") {
		case 3:
			// An instant hours from a change, with the cut-off an hour and
			// a half either side of the change's wall clock: where the day
			// is not the wall clock's date (a cut-off in the hour a change
			// skips or repeats).
			_, end := time.Unix(sec, 0).In(z.Loc).ZoneBounds()
			if end.IsZero() {
				break
			}
			h, m, _ := end.Add(-time.Second).In(z.Loc).Clock()
			minutes := (h*60 + m + 1 + rapid.IntRange(-90, 90).Draw(t, "cut-off from the change")) % (24 * 60)
			if minutes < 0 {
				minutes += 24 * 60
			}
			z.Cutoff = time.Duration(minutes) * time.Minute
			sec = end.Unix() + rapid.Int64Range(-3*3600, 3*3600).Draw(t, "seconds from the change")
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
			t.Fatalf("Date(%s) in %s cut-off %s: got %s, want %s", at, name, z.Cutoff, got, want)
		}
		d := DateOf(at).AddDays(rapid.IntRange(-2, 2).Draw(t, "days"))
		if got, want := z.Start(d), z.startWalk(d); !got.Equal(want) || got != want {
			t.Fatalf("Start(%s) in %s cut-off %s: got %s, want %s", d, name, z.Cutoff, got, want)
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

// Around every change of offset from 2020 to 2030 in every kind of zone,
// with cut-offs at and around the change's wall clock: Date and Start,
// with the periods, against dateWalk and startWalk.
func TestRule_T6_PeriodsAroundEveryChange(t *testing.T) {
	for _, name := range zonesOfEveryKind {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		for at := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC); at.Year() < 2030; {
			_, end := at.In(loc).ZoneBounds()
			if end.IsZero() {
				break
			}
			h, m, _ := end.Add(-time.Second).In(loc).Clock()
			for c := -120; c <= 120; c += 30 {
				minutes := ((h*60+m+1+c)%(24*60) + 24*60) % (24 * 60)
				z := Zone{Loc: loc, Cutoff: time.Duration(minutes) * time.Minute}
				for s := -3 * time.Hour; s <= 3*time.Hour; s += 20 * time.Minute {
					x := end.Add(s).UTC()
					if got, want := z.Date(x), z.dateWalk(x); got != want {
						t.Fatalf("Date(%s) in %s cut-off %s: got %s, want %s", x, name, z.Cutoff, got, want)
					}
				}
				for days := -2; days <= 2; days++ {
					d := DateOf(end.In(loc)).AddDays(days)
					if got, want := z.Start(d), z.startWalk(d); got != want {
						t.Fatalf("Start(%s) in %s cut-off %s: got %s, want %s", d, name, z.Cutoff, got, want)
					}
				}
			}
			at = end
		}
	}
}
