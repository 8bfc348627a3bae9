package passengine_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/passengine/passengine"
)

// The hot path's comparisons (BENCHMARKS.md, "The hot path"; bench/run
// runs them interleaved).

// BenchmarkExplainPair is two Engine.Explain calls of a check-in: the
// reads and decision of a check-in and a check-out pair without their
// unit of work's writes and idempotency, the floor BenchmarkCheckInOut is
// measured against.
func BenchmarkExplainPair(b *testing.B) {
	e := newBenchEngine(b)
	ctx := context.Background()
	req := passengine.CheckInRequest{Network: benchNet, Holder: "fresh", Location: "club"}
	b.ReportAllocs()
	for b.Loop() {
		for range 2 {
			if _, err := e.eng.Explain(ctx, req); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkLivePasses is a check-in and check-out pair of a holder with
// 1, 8, 64 and 512 live passes of one product (a team pool's worst case:
// they tie on every key but expiry, issue and ID).
func BenchmarkLivePasses(b *testing.B) {
	for _, n := range []int{1, 8, 64, 512} {
		b.Run(fmt.Sprintf("passes=%d", n), func(b *testing.B) {
			e := newBenchEngine(b)
			ctx := context.Background()
			for i := 1; i < n; i++ {
				if _, err := e.eng.IssuePass(ctx, passengine.IssueRequest{Key: fmt.Sprint("more-", i), Network: benchNet,
					Product: "unlimited", Holder: "fresh"}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				e.visit(b, "fresh")
			}
		})
	}
}
