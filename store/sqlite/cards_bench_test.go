package sqlite_test

import (
	"fmt"
	"testing"

	"github.com/passengine/passengine/enginetest"
	"github.com/passengine/passengine/store/sqlite"
)

// The card benchmarks on SQLite (BENCHMARKS.md has figures and commands).

// BenchmarkCardCheckInOut: a check-in and check-out paid by a card (the
// card's row updated in the same unit of work, M3) against one paid by an
// ordinary visits pass, synchronous=FULL (the default).
func BenchmarkCardCheckInOut(b *testing.B) {
	cb := enginetest.NewCardBench(b, benchStore(b), 1)
	b.Run("pass=card", func(b *testing.B) { cb.CheckInOut(b, "h0") })
	b.Run("pass=plain", func(b *testing.B) { cb.CheckInOut(b, "plain") })
}

// BenchmarkCardMetrics: reading a fresh card's metrics against one with
// 100,000 history entries (M6: the same cost).
func BenchmarkCardMetrics(b *testing.B) {
	cb := enginetest.NewCardBench(b, benchStore(b, sqlite.WithSyncNormal()), 2)
	cb.SeedHistory(b, 1, 100_000)
	b.Run("history=fresh", func(b *testing.B) { cb.ReadMetrics(b, 0) })
	b.Run("history=100000", func(b *testing.B) { cb.ReadMetrics(b, 1) })
}

// BenchmarkCardExport: the CSV export of a card with 100,000 history
// entries and of one with 1,000,000, with the peak heap each took (M7:
// streamed, it must not grow with the history). The 1,000,000 entries are
// seeded once, by the first run of its sub-benchmark.
func BenchmarkCardExport(b *testing.B) {
	cb := enginetest.NewCardBench(b, benchStore(b, sqlite.WithSyncNormal()), 2)
	for i, n := range []int{100_000, 1_000_000} {
		seeded := false
		b.Run(fmt.Sprintf("history=%d", n), func(b *testing.B) {
			if !seeded {
				cb.SeedHistory(b, i, n)
				seeded = true
			}
			cb.ExportHistory(b, i)
		})
	}
}
