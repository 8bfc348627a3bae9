package passengine_test

import (
	"testing"

	"github.com/passengine/passengine/enginetest"
	"github.com/passengine/passengine/store/memstore"
)

// The card benchmarks on memstore (BENCHMARKS.md has figures and
// commands). The heap figures of memstore include its history, kept in
// the Go heap: see the SQLite ones for the export's own memory.

// BenchmarkCardCheckInOut: a check-in and check-out paid by a card (the
// card's row updated in the same unit of work, M3) against one paid by an
// ordinary visits pass.
func BenchmarkCardCheckInOut(b *testing.B) {
	cb := enginetest.NewCardBench(b, memstore.New(), 1)
	b.Run("pass=card", func(b *testing.B) { cb.CheckInOut(b, "h0") })
	b.Run("pass=plain", func(b *testing.B) { cb.CheckInOut(b, "plain") })
}

// BenchmarkCardMetrics: reading a fresh card's metrics against one with
// 100,000 history entries (M6: the same cost).
func BenchmarkCardMetrics(b *testing.B) {
	cb := enginetest.NewCardBench(b, memstore.New(), 2)
	cb.SeedHistory(b, 1, 100_000)
	b.Run("history=fresh", func(b *testing.B) { cb.ReadMetrics(b, 0) })
	b.Run("history=100000", func(b *testing.B) { cb.ReadMetrics(b, 1) })
}
