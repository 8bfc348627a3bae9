package calendar_test

import (
	"testing"
	"time"

	"github.com/passengine/passengine/calendar"
)

var sinkDate calendar.Date

// BenchmarkZoneDate is the business day of an instant far from a DST
// change (the check-in path's common case) and within hours of one.
func BenchmarkZoneDate(b *testing.B) {
	z, err := calendar.LoadZone("America/New_York", 3*time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		at   time.Time
	}{
		{"quiet", time.Date(2026, 6, 10, 14, 0, 0, 0, time.UTC)},
		{"nearChange", time.Date(2026, 3, 8, 8, 0, 0, 0, time.UTC)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				sinkDate = z.Date(bc.at)
			}
		})
	}
}
