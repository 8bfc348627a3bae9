package enginetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
)

// ListBenchNetwork is the network the list benchmarks read: a store's
// benchmark seeds it in bulk (ListBenchHolder(0) to (n-1), visits at
// ListBenchLocation) and BenchPageEnds reads it through the Engine.
const ListBenchNetwork = "lbench"

// ListBenchLocation is the location of the list benchmark's visits.
const ListBenchLocation = "club"

// ListBenchHolder returns the ID of the i-th holder of the list
// benchmark, "h0000000" for 0.
func ListBenchHolder(i int) string { return fmt.Sprintf("h%07d", i) }

// BenchLists runs BenchPageEnds through eng on a store seeded with the
// list benchmark's network (rows holders, rows visits at
// ListBenchLocation), pages of 100: the network's holders ("holders"),
// its visits ("visits") and its location's visits
// ("visits-at-location").
func BenchLists(b *testing.B, eng *passengine.Engine, rows int) {
	ctx := context.Background()
	b.Run("holders", func(b *testing.B) {
		BenchPageEnds(b, rows, 100, func(r passengine.PageRequest) (passengine.Page[catalog.Holder], error) {
			return eng.Holders(ctx, ListBenchNetwork, r)
		})
	})
	for _, c := range []struct {
		name   string
		filter passengine.VisitFilter
	}{
		{"visits", passengine.VisitFilter{Network: ListBenchNetwork}},
		{"visits-at-location", passengine.VisitFilter{Network: ListBenchNetwork, Location: ListBenchLocation}},
	} {
		b.Run(c.name, func(b *testing.B) {
			f := c.filter
			BenchPageEnds(b, rows, 100, func(r passengine.PageRequest) (passengine.Page[checkin.Visit], error) {
				f.Cursor, f.Limit = r.Cursor, r.Limit
				return eng.Visits(ctx, f)
			})
		})
	}
}

// endsRound is how many interleaved call pairs a ratio of BenchPageEnds
// and Bench.CheckInOutAgainst (interleave) is measured over: the ratio of the medians
// of the round's calls of each side, so that a call the machine's other
// work delayed does not decide it.
const endsRound = 50

// BenchPageEnds measures the first page of a list of total items against
// its last, limit items each, read through list (an Engine list call
// bound to its filter), interleaved: each of b.N iterations reads both,
// in alternating order. It reports the mean ns of each ("first-ns/page",
// "last-ns/page") and, over rounds of 50 iterations, the ratio of the
// last page's median time to the first's: its median, min and max
// ("ratio-median", "ratio-min", "ratio-max"), which stay near 1 when a
// page's cost does not grow with the rows before it. Reaching the last
// page's cursor walks the list by pages of 10,000 first, untimed. It
// fails b if a page is not what the list holds there.
func BenchPageEnds[T any](b *testing.B, total, limit int, list func(passengine.PageRequest) (passengine.Page[T], error)) {
	b.Helper()
	last := passengine.PageRequest{Limit: limit}
	for left := total - limit; left > 0; {
		step := min(left, 10_000)
		p, err := list(passengine.PageRequest{Cursor: last.Cursor, Limit: step})
		if err != nil || len(p.Items) != step || p.Next == "" {
			b.Fatalf("walking to the last page: got %d items, %v", len(p.Items), err)
		}
		last.Cursor, left = p.Next, left-step
	}
	read := func(req passengine.PageRequest, lastPage bool) time.Duration {
		start := time.Now()
		p, err := list(req)
		d := time.Since(start)
		if err != nil || len(p.Items) != limit || (p.Next == "") != lastPage {
			b.Fatalf("page (last: %t): got %d items, next %q, %v", lastPage, len(p.Items), p.Next, err)
		}
		return d
	}
	first := passengine.PageRequest{Limit: limit}
	interleave(b, func() time.Duration { return read(first, false) }, func() time.Duration { return read(last, true) },
		"first-ns/page", "last-ns/page")
}

// interleave times b.N calls of each side, a and bSide (each returns the
// time of its call), alternating which goes first, and reports the mean
// of each as metrics aUnit and bUnit and, over rounds of endsRound
// calls, the ratio of bSide's median to a's: its median, min and max
// ("ratio-median", "ratio-min", "ratio-max").
func interleave(b *testing.B, a, bSide func() time.Duration, aUnit, bUnit string) {
	var as, bs []time.Duration
	b.ResetTimer()
	for i := range b.N {
		if i%2 == 0 {
			as, bs = append(as, a()), append(bs, bSide())
		} else {
			bs, as = append(bs, bSide()), append(as, a())
		}
	}
	b.StopTimer()
	var ratios []float64
	for i := 0; i+endsRound <= len(as); i += endsRound {
		ratios = append(ratios, float64(median(bs[i:i+endsRound]))/float64(median(as[i:i+endsRound])))
	}
	b.ReportMetric(float64(sum(as))/float64(b.N), aUnit)
	b.ReportMetric(float64(sum(bs))/float64(b.N), bUnit)
	if len(ratios) > 0 {
		slices.Sort(ratios)
		b.ReportMetric(ratios[len(ratios)/2], "ratio-median")
		b.ReportMetric(ratios[0], "ratio-min")
		b.ReportMetric(ratios[len(ratios)-1], "ratio-max")
	}
}

func sum(ds []time.Duration) time.Duration {
	var s time.Duration
	for _, d := range ds {
		s += d
	}
	return s
}

// median returns the median of ds, which it sorts.
func median(ds []time.Duration) time.Duration {
	slices.Sort(ds)
	return ds[len(ds)/2]
}
