package enginetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

// BenchNetwork is the network NewBench creates (currency USD, zone UTC).
const BenchNetwork = "bench"

// BenchUnits is the balance of each benchmark holder's pass: enough that
// no benchmark uses it up.
const BenchUnits = field.MaxCount

// BenchStart is the instant of the benchmark's first check-in; adapters
// seeding history put it before this.
var BenchStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// BenchHolder returns the ID of the i-th benchmark holder, "h0000000" for
// 0. Adapters that seed more holders in bulk use the same IDs.
func BenchHolder(i int) string { return fmt.Sprintf("h%07d", i) }

// BenchPass returns the ID of the i-th benchmark holder's pass.
func BenchPass(i int) string { return fmt.Sprintf("p%07d", i) }

// BenchLocation returns the ID of the i-th benchmark location.
func BenchLocation(i int) string { return fmt.Sprintf("l%04d", i) }

// BenchProduct is the product of the benchmark passes: visits, network-wide.
const BenchProduct = "bench-visits"

// Bench measures Engine check-in and check-out on a store.
type Bench struct {
	// Engine is the Engine the benchmark calls, on a manual clock at
	// BenchStart that CheckInOut moves along behind its pairs.
	Engine *passengine.Engine
	// Store is the store NewBench seeded.
	Store store.Store
	seq   atomic.Int64

	mu      sync.Mutex
	clock   *passengine.ManualClock
	clockAt int64 // the pair whose instant the clock reads
}

// pairAt is the instant of CheckInOut's n-th pair: 13 hours after the
// one before, from BenchStart. Up to year 2999 (calendar.MaxYear) that
// is 650,000 pairs.
func pairAt(n int64) time.Time {
	return BenchStart.AddDate(0, 0, int(n*13/24)).Add(time.Duration(n*13%24) * time.Hour)
}

// follow moves the clock forward to pair n's instant (never back).
func (bn *Bench) follow(n int64) {
	bn.mu.Lock()
	defer bn.mu.Unlock()
	if n > bn.clockAt {
		bn.clockAt = n
		bn.clock.Set(pairAt(n))
	}
}

// NewBench writes the benchmark network into st (through the store, in
// units of work of 1,000 holders): locations BenchLocation(0) to
// (locations-1), and holders BenchHolder(0) to (holders-1) each with the
// visits pass BenchPass(i) of BenchUnits and its issue ledger entry. It
// fails tb on a store error and returns the Bench.
func NewBench(tb testing.TB, st store.Store, holders, locations int) *Bench {
	tb.Helper()
	ctx := context.Background()
	update(tb, st, func(tx store.Tx) error {
		c := tx.Catalog()
		if err := c.PutNetwork(ctx, catalog.Network{ID: BenchNetwork, Name: "Benchmark", Currency: "USD", Zone: "UTC"}); err != nil {
			return err
		}
		for i := range locations {
			if err := c.PutLocation(ctx, catalog.Location{Network: BenchNetwork, ID: BenchLocation(i), Zone: "UTC"}); err != nil {
				return err
			}
		}
		return c.PutProduct(ctx, BenchProductValue())
	})
	for from := 0; from < holders; from += 1000 {
		update(tb, st, func(tx store.Tx) error {
			for i := from; i < min(from+1000, holders); i++ {
				if err := tx.Catalog().PutHolder(ctx, catalog.Holder{Network: BenchNetwork, ID: BenchHolder(i), Audience: catalog.Member}); err != nil {
					return err
				}
				p := BenchPassValue(i)
				if err := tx.Passes().Put(ctx, p); err != nil {
					return err
				}
				if err := tx.Ledger().Append(ctx, pass.Entry{Network: BenchNetwork, ID: "issue-" + p.ID, Pass: p.ID, Holder: p.Holder,
					At: p.IssuedAt, Type: pass.EntryIssue, Units: p.Units, Balance: p.Balance, Amount: p.Price}); err != nil {
					return err
				}
			}
			return nil
		})
	}
	// The benchmarks supply their instants, years ahead of the clock (a
	// pair every 13 hours, the clock following behind): the skew allows
	// them (S3).
	clock := passengine.NewManualClock(BenchStart)
	eng := passengine.New(st, passengine.WithClock(clock), passengine.WithClockSkew(200*365*24*time.Hour))
	return &Bench{Engine: eng, Store: st, clock: clock}
}

// BenchProductValue returns the benchmark product.
func BenchProductValue() pass.Product {
	return pass.Product{Network: BenchNetwork, ID: BenchProduct, Name: "Benchmark visits", Kind: pass.Visits,
		Units: BenchUnits, Price: usd("100"), Activation: pass.OnPurchase}
}

// BenchPassValue returns the pass of the i-th benchmark holder, issued a
// year before BenchStart.
func BenchPassValue(i int) pass.Pass {
	issued := BenchStart.AddDate(-1, 0, 0)
	return pass.Pass{Network: BenchNetwork, ID: BenchPass(i), Product: BenchProduct, Holder: BenchHolder(i), Kind: pass.Visits,
		Source: pass.FromProduct, Units: BenchUnits, Balance: BenchUnits, UnitValue: usd("0.0000001"), Price: usd("100"),
		Paid: true, Activation: pass.OnPurchase, ActivatedOn: calendar.DateOf(issued), IssuedAt: issued, IssuedOn: calendar.DateOf(issued)}
}

// CheckInOut runs b.N check-in and check-out pairs on goroutines
// goroutines: goroutine g checks holder(g) in and out at BenchLocation(g),
// so that no check-in finds the holder already in. Each pair comes 13 hours
// after the one before, so that even a single holder has at most two
// visits a day (as people do, and a holder's day never fills up), and has
// its own idempotency keys. It reports ns/op per pair and pairs/s, and
// fails b on any error.
func (bn *Bench) CheckInOut(b *testing.B, goroutines int, holder func(g int) string) {
	b.Helper()
	ctx := context.Background()
	bn.run(b, goroutines, func(g int, _ int64) error {
		return bn.pair(ctx, holder(g), BenchLocation(g))
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pairs/s")
}

// pair checks holder h in at loc and out 30 minutes later, at the
// instant of bn's next pair (pairAt), under keys of its own.
func (bn *Bench) pair(ctx context.Context, h, loc string) error {
	n := bn.seq.Add(1)
	at := pairAt(n)
	if n%1024 == 0 {
		// The clock follows 4,096 pairs (6 years) behind, so that the
		// pairs stay within the skew however many a run makes, and
		// none of the pairs under way is before the clock.
		bn.follow(n - 4096)
	}
	in, err := bn.Engine.CheckIn(ctx, passengine.CheckInRequest{Key: fmt.Sprintf("in-%d", n), Network: BenchNetwork,
		Holder: h, Location: loc, At: at})
	if err != nil {
		return fmt.Errorf("CheckIn of %s at %s: %w", h, loc, err)
	}
	_, err = bn.Engine.CheckOut(ctx, passengine.CheckOutRequest{Key: fmt.Sprintf("out-%d", n), Network: BenchNetwork,
		Visit: in.Visit.ID, At: at.Add(30 * time.Minute)})
	if err != nil {
		return fmt.Errorf("CheckOut of %s: %w", h, err)
	}
	return nil
}

// CheckInOutAgainst measures pairs of holder h on bn (A) against pairs of
// holder ho on other (B), interleaved: each of b.N iterations runs one
// pair on each, at BenchLocation(0), in alternating order. It reports the
// mean ns of each ("a-ns/pair", "b-ns/pair") and, over rounds of 50
// iterations, the ratio of B's median pair time to A's: its median, min
// and max ("ratio-median", "ratio-min", "ratio-max"). Measured so, a
// ratio compares the two sides under the same load of the machine,
// minute by minute, which one side after the other cannot on a shared
// machine. It fails b on any error.
func (bn *Bench) CheckInOutAgainst(b *testing.B, h string, other *Bench, ho string) {
	b.Helper()
	ctx := context.Background()
	timed := func(on *Bench, holder string) time.Duration {
		start := time.Now()
		if err := on.pair(ctx, holder, BenchLocation(0)); err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
	interleave(b, func() time.Duration { return timed(bn, h) }, func() time.Duration { return timed(other, ho) },
		"a-ns/pair", "b-ns/pair")
}

// CheckIns runs b.N check-ins, each a unit of work of its own, on
// goroutines goroutines: the i-th check-in (counted across calls on bn) is
// of BenchHolder(i), at BenchLocation(g). Holders 0 to holders-1 must
// exist, each with a live pass, and not be checked in; they stay checked
// in, so a run of more check-ins than holders fails. It reports ns/op per
// check-in and checkins/s, and fails b on any error.
func (bn *Bench) CheckIns(b *testing.B, goroutines, holders int) {
	b.Helper()
	ctx := context.Background()
	bn.run(b, goroutines, func(g int, _ int64) error {
		n := bn.seq.Add(1)
		if n > int64(holders) {
			return fmt.Errorf("check-in %d: only %d holders to check in; use a shorter -benchtime", n, holders)
		}
		h, loc := BenchHolder(int(n-1)), BenchLocation(g)
		_, err := bn.Engine.CheckIn(ctx, passengine.CheckInRequest{Key: fmt.Sprintf("in-%d", n), Network: BenchNetwork,
			Holder: h, Location: loc, At: BenchStart.Add(time.Duration(n) * time.Second)})
		if err != nil {
			return fmt.Errorf("CheckIn of %s at %s: %w", h, loc, err)
		}
		return nil
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "checkins/s")
}

// run runs op b.N times on goroutines goroutines (op gets the goroutine's
// index and the op's), timed, and fails b with the first error.
func (bn *Bench) run(b *testing.B, goroutines int, op func(g int, i int64) error) {
	b.Helper()
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		firstErr atomic.Pointer[error]
	)
	b.ResetTimer()
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1); i <= int64(b.N) && firstErr.Load() == nil; i = next.Add(1) {
				if err := op(g, i); err != nil {
					firstErr.CompareAndSwap(nil, &err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	if err := firstErr.Load(); err != nil {
		b.Fatal(*err)
	}
}
