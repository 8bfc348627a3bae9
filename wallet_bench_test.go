package passengine_test

import (
	"testing"

	"github.com/passengine/passengine/enginetest"
	"github.com/passengine/passengine/store/memstore"
)

// BenchmarkAccountSpend is Engine.Spend of 0.01 on memstore from a fresh
// account and from one with 100,000 entries before it (W1): a spend reads
// the account row, never its entries, so the two should cost the same.
// See BENCHMARKS.md.
func BenchmarkAccountSpend(b *testing.B) {
	wb := enginetest.NewWalletBench(b, memstore.New(), 2, map[int]int{1: 100_000})
	b.Run("fresh", func(b *testing.B) { wb.Spend(b, func(int) string { return enginetest.WalletBenchHolder(0) }) })
	b.Run("history=100000", func(b *testing.B) { wb.Spend(b, func(int) string { return enginetest.WalletBenchHolder(1) }) })
}
