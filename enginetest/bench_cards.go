package enginetest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/card"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

// CardBench is the world of the card benchmarks, on any store: a network
// (GBP, Europe/London) with one location, a multipass program, and
// holders with a card each ("card-0", "card-1", ...) holding 1,000,000
// visits, and holder "plain" with an ordinary visits pass of as many, for
// comparison.
type CardBench struct {
	// Engine is the Engine the benchmark calls.
	Engine *passengine.Engine
	// Store is the store the benchmark seeded.
	Store store.Store
	clock *passengine.ManualClock
	seq   atomic.Int64
}

// cardBenchNet is the network of CardBench.
const cardBenchNet = "cards"

// NewCardBench writes the benchmark world into st with cards cards,
// through the Engine, and fails tb on an error.
func NewCardBench(tb testing.TB, st store.Store, cards int) *CardBench {
	tb.Helper()
	ctx := context.Background()
	clock := passengine.NewManualClock(time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC))
	eng := passengine.New(st, passengine.WithClock(clock), passengine.WithBonusRule(card.BonusRule{PerVisit: 1}))
	gbp := func(s string) money.Money { return money.MustNew(s, "GBP") }
	err := errors.Join(
		eng.PutNetwork(ctx, catalog.Network{ID: cardBenchNet, Currency: "GBP", Zone: "Europe/London"}),
		eng.PutLocation(ctx, catalog.Location{Network: cardBenchNet, ID: "studio", Zone: "Europe/London"}),
		eng.PutHolder(ctx, catalog.Holder{Network: cardBenchNet, ID: "plain", Audience: catalog.Member}),
		eng.PutProduct(ctx, pass.Product{Network: cardBenchNet, ID: "multipass", Kind: pass.Visits, Units: 10, Price: gbp("100"), Activation: pass.OnPurchase}),
		eng.PutProduct(ctx, pass.Product{Network: cardBenchNet, ID: "pack", Kind: pass.Visits, Units: card.MaxValue, Price: gbp("100"), Activation: pass.OnPurchase}),
	)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := eng.IssuePass(ctx, passengine.IssueRequest{Key: "plain", Network: cardBenchNet, Product: "pack", Holder: "plain"}); err != nil {
		tb.Fatal(err)
	}
	for i := range cards {
		h := fmt.Sprintf("h%d", i)
		if err := eng.PutHolder(ctx, catalog.Holder{Network: cardBenchNet, ID: h, Audience: catalog.Member}); err != nil {
			tb.Fatal(err)
		}
		v, err := eng.IssueCard(ctx, passengine.IssueCardRequest{Key: "card-" + h, Network: cardBenchNet, Holder: h,
			Program: "multipass", Card: fmt.Sprintf("card-%d", i), Status: card.Installed})
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := eng.AddVisits(ctx, passengine.VisitsRequest{Key: "add-" + h, Network: cardBenchNet, Card: v.Card.ID,
			Visits: card.MaxValue, Amount: gbp("1000")}); err != nil {
			tb.Fatal(err)
		}
	}
	return &CardBench{Engine: eng, Store: st, clock: clock}
}

// CheckInOut runs b.N check-in and check-out pairs of holder h ("h0" for
// card-0's holder, "plain" for the ordinary pass), each 13 hours after the
// one before, serially. With a card each check-in redeems a visit from it
// and updates the card's row in the same unit of work (M3).
func (cb *CardBench) CheckInOut(b *testing.B, h string) {
	b.Helper()
	ctx := context.Background()
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	b.ResetTimer()
	for range b.N {
		n := cb.seq.Add(1)
		at := start.Add(time.Duration(n) * 13 * time.Hour)
		cb.clock.Set(at)
		in, err := cb.Engine.CheckIn(ctx, passengine.CheckInRequest{Key: fmt.Sprintf("in-%d", n), Network: cardBenchNet,
			Holder: h, Location: "studio"})
		if err != nil {
			b.Fatal(err)
		}
		cb.clock.Set(at.Add(30 * time.Minute))
		if _, err := cb.Engine.CheckOut(ctx, passengine.CheckOutRequest{Key: fmt.Sprintf("out-%d", n), Network: cardBenchNet,
			Visit: in.Visit.ID}); err != nil {
			b.Fatal(err)
		}
	}
}

// SeedHistory appends n bonus entries of one point each to card i's
// history, directly through the store in units of work of 10,000 entries,
// and keeps the card's row equal to its history (its bonus points grow by
// n), so that a card with a long history can be read and exported.
func (cb *CardBench) SeedHistory(tb testing.TB, i, n int) {
	tb.Helper()
	ctx := context.Background()
	id := fmt.Sprintf("card-%d", i)
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for done := 0; done < n; {
		batch := min(10_000, n-done)
		err := cb.Store.Update(ctx, func(tx store.Tx) error {
			c, err := tx.Cards().Get(ctx, cardBenchNet, id)
			if err != nil {
				return err
			}
			p, err := tx.Passes().Get(ctx, cardBenchNet, c.Pass)
			if err != nil {
				return err
			}
			entries := make([]pass.Entry, batch)
			for k := range entries {
				c.Bonus++
				entries[k] = pass.Entry{Network: cardBenchNet, ID: fmt.Sprintf("%s-seed-%d", id, done+k), Pass: p.ID, Holder: p.Holder,
					At: at.Add(time.Duration(done+k) * time.Second), Type: pass.EntryBonus, Balance: p.Balance,
					Points: 1, Bonus: c.Bonus, Actor: "seed", Comment: "loyalty, seeded"}
			}
			if err := tx.Ledger().Append(ctx, entries...); err != nil {
				return err
			}
			return tx.Cards().Put(ctx, c)
		})
		if err != nil {
			tb.Fatal(err)
		}
		done += batch
	}
}

// ReadMetrics runs b.N reads of card i's metrics (Engine.Card).
func (cb *CardBench) ReadMetrics(b *testing.B, i int) {
	b.Helper()
	ctx := context.Background()
	id := fmt.Sprintf("card-%d", i)
	b.ResetTimer()
	for range b.N {
		if _, err := cb.Engine.Card(ctx, cardBenchNet, id); err != nil {
			b.Fatal(err)
		}
	}
}

// ExportHistory runs b.N exports of card i's history as CSV to
// io.Discard and reports the rows written per export and two figures of
// the memory the export took above the heap before it, in MiB (M7: it is
// streamed, and they must not grow with the history):
//   - peak-heap-MiB: the highest heap in use (garbage included), sampled
//     every millisecond during the timed exports;
//   - peak-live-MiB: the highest live heap, sampled after a forced GC
//     every 20 milliseconds during one more, untimed, export.
func (cb *CardBench) ExportHistory(b *testing.B, i int) {
	b.Helper()
	var peak uint64
	var rows int64
	b.ResetTimer()
	for range b.N {
		high, n := cb.export(b, i, time.Millisecond, false)
		peak, rows = max(peak, high), n
	}
	b.StopTimer()
	live, _ := cb.export(b, i, 20*time.Millisecond, true)
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	b.ReportMetric(float64(live)/(1<<20), "peak-live-MiB")
	b.ReportMetric(float64(rows), "rows")
}

// export writes card i's history to io.Discard while sampling the heap
// every period (after a GC when gc), and returns the highest heap above
// the one before the export and the rows written.
func (cb *CardBench) export(b *testing.B, i int, period time.Duration, gc bool) (uint64, int64) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var high atomic.Uint64
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			if gc {
				runtime.GC()
			}
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > base && m.HeapAlloc-base > high.Load() {
				high.Store(m.HeapAlloc - base)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	w := &countingWriter{}
	err := cb.Engine.WriteCardHistoryCSV(context.Background(), cardBenchNet, fmt.Sprintf("card-%d", i), w)
	close(stop)
	wg.Wait()
	if err != nil {
		b.Fatal(err)
	}
	return high.Load(), w.lines - 1
}

// countingWriter discards what it is given and counts the lines.
type countingWriter struct{ lines int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	for _, c := range p {
		if c == '\n' {
			w.lines++
		}
	}
	return io.Discard.Write(p)
}
