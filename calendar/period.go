package calendar

import (
	"hash/maphash"
	"math"
	"sync/atomic"
	"time"
)

// A period is a stretch of time in which a location's UTC offset does not
// change: [start, end) in Unix seconds, math.MinInt64 and math.MaxInt64
// where the stretch has no bound. Zone.Date and Zone.Start answer from the
// period an instant falls in without going through the time package's
// zone lookups, which for a zone described by a rule past its last listed
// change (most zones, in today's tzdata) evaluate the rule on every call
// and cost thousands of instructions; a call on a visit makes several.
type period struct {
	offset     int64 // seconds east of UTC
	start, end int64
}

// periodSet is the periods of one location looked up last, the newest
// first: a call reads a few stretches at once (today's, and the day a
// pass was issued or expires on), so one would be replaced at every call.
type periodSet struct {
	loc *time.Location
	n   int
	ps  [4]period
}

// periods caches the periods last looked up for a location, in a slot
// chosen by the location's name: a bounded cache that needs no
// registration and never grows. A slot holds an immutable periodSet of
// one *time.Location; a miss replaces it with a copy that holds the new
// period first, and another location's miss with a set of its own.
var periods [64]atomic.Pointer[periodSet]

var periodSeed = maphash.MakeSeed()

// maxFast bounds the Unix seconds the periods' arithmetic handles, far
// beyond any instant the Engine accepts; instants past it take the time
// package's path.
const maxFast = 1 << 50

// periodAt returns the period of loc that sec falls in, from the cache or
// looked up and cached.
func periodAt(loc *time.Location, sec int64) period {
	slot := &periods[maphash.String(periodSeed, loc.String())%uint64(len(periods))]
	old := slot.Load()
	if old != nil && old.loc == loc {
		for i := range old.n {
			if p := old.ps[i]; p.start <= sec && sec < p.end {
				return p
			}
		}
	}
	local := time.Unix(sec, 0).In(loc)
	_, offset := local.Zone()
	start, end := zoneBounds(local)
	p := period{offset: int64(offset), start: math.MinInt64, end: math.MaxInt64}
	if !start.IsZero() {
		p.start = start.Unix()
	}
	if !end.IsZero() {
		p.end = end.Unix()
	}
	set := &periodSet{loc: loc, n: 1}
	set.ps[0] = p
	if old != nil && old.loc == loc {
		set.n += copy(set.ps[1:], old.ps[:old.n])
	}
	slot.Store(set)
	return p
}

// zoneBounds is local.ZoneBounds, corrected where the time package (Go
// 1.26) gets it wrong: for a zone described by a rule past its last listed
// change (London and New York after 2037), on the last day of a leap year,
// it returns the stretch that ends at that day's start, before the instant
// itself (it takes the year for 365 days). The stretch really runs on into
// the next year, for which the time package is right, so the end is taken
// from the next year's first stretch: its end when its offset is the same
// (the year's turn changes nothing), its start otherwise. Without this the
// periods never held their instant, Start walked 64 empty steps and
// answered a day early, and Date answered 2041-01-02 at noon on
// 2040-12-31 in London (TestLeapYearEnd).
func zoneBounds(local time.Time) (start, end time.Time) {
	start, end = local.ZoneBounds()
	if end.IsZero() || local.Before(end) {
		return start, end
	}
	_, offset := local.Zone()
	// A day on, the instant is in the next year, past the defect.
	next := local.Add(25 * time.Hour)
	_, nextOffset := next.Zone()
	nextStart, nextEnd := next.ZoneBounds()
	switch {
	case !nextStart.After(local) && (nextEnd.IsZero() || local.Before(nextEnd)):
		return nextStart, nextEnd // the time package is right a day on: take its stretch
	case nextOffset == offset:
		return start, nextEnd
	case nextStart.After(local):
		return start, nextStart
	}
	// No stretch found that holds the instant: one second of its own, on
	// which the callers' walks still step forward.
	return local.Truncate(time.Second), local.Truncate(time.Second).Add(time.Second)
}

// quietSeconds is quiet in seconds.
const quietSeconds = int64(quiet / time.Second)

// wallDate returns the date of the wall clock at Unix second sec in z,
// less a day before the cut-off, and whether sec is at least quiet from
// either end of its period: there that date is the business day
// (Zone.Date); nearer a change it may be a day off. It returns false for
// an instant beyond maxFast.
func (z Zone) wallDate(sec int64) (d Date, quiet, ok bool) {
	if sec < -maxFast || sec > maxFast {
		return Date{}, false, false
	}
	p := periodAt(z.Loc, sec)
	quiet = (p.start == math.MinInt64 || sec-p.start >= quietSeconds) && (p.end == math.MaxInt64 || p.end-sec > quietSeconds)
	wall := sec + p.offset
	days := wall / 86400
	if wall%86400 < 0 {
		days--
	}
	// The wall clock's seconds into its day against the cut-off, in whole
	// minutes: before it, the instant is the previous day's.
	if wall-days*86400 < int64(z.Cutoff/time.Second) {
		days--
	}
	return fromDays(int(days)), quiet, true
}

// startPeriods returns Zone.Start(d), and true, walking the periods of
// z's location as startWalk walks the time package's: from 25 hours
// before the wall-clock reading d at the cut-off, the first instant that
// reads it or later. Nearly always the first period answers. It returns
// false for a day beyond maxFast.
func (z Zone) startPeriods(d Date) (time.Time, bool) {
	wall := int64(d.days())*86400 + int64(z.Cutoff/time.Second)
	if wall < -maxFast || wall > maxFast {
		return time.Time{}, false
	}
	t := wall - 25*3600
	for range 64 { // a day holds a handful of changes at most
		p := periodAt(z.Loc, t)
		at := max(wall-p.offset, t)
		if p.end == math.MaxInt64 || at < p.end {
			return time.Unix(at, 0).UTC(), true
		}
		t = p.end
	}
	return time.Unix(t, 0).UTC(), true
}
