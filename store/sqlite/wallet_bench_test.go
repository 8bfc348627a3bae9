package sqlite_test

import (
	"fmt"
	"testing"

	"github.com/passengine/passengine/enginetest"
	"github.com/passengine/passengine/store/sqlite"
)

// BenchmarkAccountSpend is Engine.Spend of 0.01 (one unit of work) from a
// fresh account and from one with 100,000 entries before it, with the
// default durability (sync=full) and with sync=normal (W1). See
// BENCHMARKS.md.
func BenchmarkAccountSpend(b *testing.B) {
	for _, sync := range []string{"full", "normal"} {
		var opts []sqlite.Option
		if sync == "normal" {
			opts = append(opts, sqlite.WithSyncNormal())
		}
		// The store outlives the sub-benchmarks' runs; the first run seeds it.
		st := benchStore(b, opts...)
		var wb *enginetest.WalletBench
		setup := func(b *testing.B) {
			if wb == nil {
				wb = enginetest.NewWalletBench(b, st, 2, map[int]int{1: 100_000})
			}
		}
		b.Run(fmt.Sprintf("sync=%s/fresh", sync), func(b *testing.B) {
			setup(b)
			wb.Spend(b, func(int) string { return enginetest.WalletBenchHolder(0) })
		})
		b.Run(fmt.Sprintf("sync=%s/history=100000", sync), func(b *testing.B) {
			setup(b)
			wb.Spend(b, func(int) string { return enginetest.WalletBenchHolder(1) })
		})
	}
}
