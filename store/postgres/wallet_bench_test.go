package postgres_test

import (
	"testing"

	"github.com/passengine/passengine/enginetest"
	"github.com/passengine/passengine/store/postgres"
)

// BenchmarkAccountSpend is Engine.Spend of 0.01 (one transaction) from a
// fresh account and from one with 100,000 entries before it (W1). See
// BENCHMARKS.md.
func BenchmarkAccountSpend(b *testing.B) {
	postgres.RequireDSN(b)
	// The store outlives the sub-benchmarks' runs; the first run seeds it.
	st := postgres.NewTestStore(b, postgres.WithMaxConns(benchConns))
	var wb *enginetest.WalletBench
	setup := func(b *testing.B) {
		if wb == nil {
			wb = enginetest.NewWalletBench(b, st, 2, map[int]int{1: 100_000})
		}
	}
	b.Run("fresh", func(b *testing.B) {
		setup(b)
		wb.Spend(b, func(int) string { return enginetest.WalletBenchHolder(0) })
	})
	b.Run("history=100000", func(b *testing.B) {
		setup(b)
		wb.Spend(b, func(int) string { return enginetest.WalletBenchHolder(1) })
	})
}
