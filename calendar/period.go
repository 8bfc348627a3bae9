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
	start, end := local.ZoneBounds()
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
