package passengine_test

import (
	"fmt"
	"testing"

	"github.com/passengine/passengine/enginetest"
	"github.com/passengine/passengine/store/memstore"
)

// BenchmarkHolders is a check-in and check-out pair on memstore in a
// network of 1,000 holders against one of 1,000,000 (each with a live
// visits pass and its issue entry, enginetest.NewBench), for a holder in
// the middle: the pair reads one holder's state, so the two should cost
// the same. The store of a size is seeded by the first run of its
// sub-benchmark, so a -bench filter that skips a size skips its seed
// (bench/run's heavy group runs both).
func BenchmarkHolders(b *testing.B) {
	for _, n := range []int{1_000, 1_000_000} {
		var bn *enginetest.Bench
		b.Run(fmt.Sprintf("holders=%d", n), func(b *testing.B) {
			if bn == nil {
				bn = enginetest.NewBench(b, memstore.New(), n, 1)
			}
			b.ReportAllocs()
			bn.CheckInOut(b, 1, func(int) string { return enginetest.BenchHolder(n / 2) })
		})
	}
}
