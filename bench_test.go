package passengine_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/memstore"
)

const benchNet = "bench"

// benchEngine is a store with network "bench" (location "club" in London),
// holders "fresh" and "veteran" each holding a visits pass that never runs
// out, and an Engine on it.
type benchEngine struct {
	st    store.Store
	eng   *passengine.Engine
	clock *passengine.ManualClock
	n     int    // calls made, for keys
	buf   []byte // where key builds a key
}

// key returns the idempotency key op-holder-n of the e.n-th call, in one
// allocation: the harness's own cost stays small beside the Engine's
// (fmt.Sprintf's keys took four allocations more and about 2,600
// instructions a pair).
func (e *benchEngine) key(op, holder string) string {
	e.buf = append(append(append(append(e.buf[:0], op...), '-'), holder...), '-')
	e.buf = strconv.AppendInt(e.buf, int64(e.n), 10)
	return string(e.buf)
}

func newBenchEngine(b *testing.B) *benchEngine {
	b.Helper()
	ctx := context.Background()
	st := memstore.New()
	clock := passengine.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	e := &benchEngine{st: st, clock: clock, eng: passengine.New(st, passengine.WithClock(clock))}
	for _, err := range []error{
		e.eng.PutNetwork(ctx, catalog.Network{ID: benchNet, Currency: "GBP", Zone: "Europe/London"}),
		e.eng.PutLocation(ctx, catalog.Location{Network: benchNet, ID: "club", Zone: "Europe/London"}),
		e.eng.PutHolder(ctx, catalog.Holder{Network: benchNet, ID: "fresh", Audience: catalog.Member}),
		e.eng.PutHolder(ctx, catalog.Holder{Network: benchNet, ID: "veteran", Audience: catalog.Member}),
		e.eng.PutProduct(ctx, pass.Product{Network: benchNet, ID: "unlimited", Kind: pass.Visits, Units: field.MaxCount,
			Price: money.MustNew("0", "GBP"), Activation: pass.OnPurchase}),
	} {
		if err != nil {
			b.Fatal(err)
		}
	}
	for _, h := range []string{"fresh", "veteran"} {
		if _, err := e.eng.IssuePass(ctx, passengine.IssueRequest{Key: "issue-" + h, Network: benchNet, Product: "unlimited", Holder: h}); err != nil {
			b.Fatal(err)
		}
	}
	return e
}

// addHistory writes, straight through the store's repositories, passes
// spent passes of holder with 10 ledger entries each (an issue of 9 and 9
// uses) and a closed visit for every use, ten visits a day from 2000-01-01.
func (e *benchEngine) addHistory(b *testing.B, holder string, passes int) {
	b.Helper()
	ctx := context.Background()
	start := time.Date(2000, 1, 1, 8, 0, 0, 0, time.UTC)
	zero := money.Zero("GBP")
	err := e.st.Update(ctx, func(tx store.Tx) error {
		visit := 0
		for i := range passes {
			id := fmt.Sprintf("old-pass-%05d", i)
			at := start.Add(time.Duration(visit/10) * 24 * time.Hour)
			p := pass.Pass{Network: benchNet, ID: id, Product: "unlimited", Holder: holder, Kind: pass.Visits,
				Source: pass.FromProduct, Units: 9, UnitValue: zero, Price: zero, Paid: true,
				Activation: pass.OnPurchase, ActivatedOn: calendar.DateOf(at), IssuedAt: at, IssuedOn: calendar.DateOf(at), Uses: 9}
			entries := []pass.Entry{{Network: benchNet, ID: id + "-issue", Pass: id, Holder: holder, At: at, Type: pass.EntryIssue, Units: 9, Balance: 9}}
			for u := range 9 {
				vat := start.Add(time.Duration(visit/10)*24*time.Hour + time.Duration(visit%10)*time.Hour)
				end := vat.Add(45 * time.Minute)
				v := checkin.Visit{Network: benchNet, ID: fmt.Sprintf("old-visit-%06d", visit), Holder: holder, Location: "club",
					Kind: checkin.CheckInVisit, Mode: checkin.ByVisits, Status: checkin.Closed, Start: vat, End: &end,
					Date: calendar.DateOf(vat), Cost: 1, Pass: id,
					Consumptions: []checkin.Consumption{{Pass: id, Kind: pass.Visits, Units: 1}}}
				if err := tx.Visits().Put(ctx, v); err != nil {
					return err
				}
				entries = append(entries, pass.Entry{Network: benchNet, ID: fmt.Sprintf("%s-use-%d", id, u), Pass: id, Holder: holder,
					Visit: v.ID, At: vat, Type: pass.EntryUse, Units: -1, Balance: 8 - u})
				visit++
			}
			if err := tx.Passes().Put(ctx, p); err != nil {
				return err
			}
			if err := tx.Ledger().Append(ctx, entries...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	es, err := e.eng.Ledger(ctx, passengine.LedgerFilter{Network: benchNet, Holder: holder})
	if err != nil || len(es) < passes*10 {
		b.Fatalf("history of %s: %d ledger entries (%v), want at least %d", holder, len(es), err, passes*10)
	}
}

// visit checks holder in and out an hour later, then moves the clock to
// the next day, so every iteration sees the same live state.
func (e *benchEngine) visit(b *testing.B, holder string) {
	ctx := context.Background()
	e.n++
	in, err := e.eng.CheckIn(ctx, passengine.CheckInRequest{Key: e.key("in", holder), Network: benchNet,
		Holder: holder, Location: "club"})
	if err != nil {
		b.Fatal(err)
	}
	e.clock.Advance(time.Hour)
	if _, err := e.eng.CheckOut(ctx, passengine.CheckOutRequest{Key: e.key("out", holder), Network: benchNet,
		Visit: in.Visit.ID}); err != nil {
		b.Fatal(err)
	}
	e.clock.Advance(23 * time.Hour)
}

// BenchmarkCheckInOut is Engine.CheckIn plus CheckOut on memstore for a
// holder with no history in an empty store ("fresh"), the same holder
// beside one with 10,000 spent passes, 100,000 ledger entries and 90,000
// visits ("fresh_beside_history"), and that holder ("history"). The
// check-in path reads only live state, so the three should cost the same.
func BenchmarkCheckInOut(b *testing.B) {
	var empty, big *benchEngine
	run := func(e **benchEngine, history bool, holder string) func(b *testing.B) {
		return func(b *testing.B) {
			if *e == nil {
				*e = newBenchEngine(b)
				if history {
					(*e).addHistory(b, "veteran", 10_000)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				(*e).visit(b, holder)
			}
		}
	}
	b.Run("fresh", run(&empty, false, "fresh"))
	b.Run("fresh_beside_history", run(&big, true, "fresh"))
	b.Run("history", run(&big, true, "veteran"))
}
