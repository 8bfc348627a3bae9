package memstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/internal/testenv"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/memstore"
)

// allocWorld is a store with network "n" (location "club"), holder "ada"
// with live passes live-000... (PaidAt set) and, on each of the three days
// before 2026-03-05, a closed visit paid by live-000, and a visit open on
// 2026-03-05.
func allocWorld(t *testing.T, livePasses int) store.Store {
	t.Helper()
	ctx := context.Background()
	st := memstore.New()
	at := func(day, hour int) time.Time { return time.Date(2026, 3, day, hour, 0, 0, 0, time.UTC) }
	gbp := money.Zero("GBP")
	err := st.Update(ctx, func(tx store.Tx) error {
		c := tx.Catalog()
		for _, err := range []error{
			c.PutNetwork(ctx, catalog.Network{ID: "n", Currency: "GBP", Zone: "UTC"}),
			c.PutLocation(ctx, catalog.Location{Network: "n", ID: "club", Zone: "UTC"}),
			c.PutHolder(ctx, catalog.Holder{Network: "n", ID: "ada", Audience: catalog.Member}),
		} {
			if err != nil {
				return err
			}
		}
		for i := range livePasses {
			paid := at(1, 8)
			p := pass.Pass{Network: "n", ID: fmt.Sprintf("live-%03d", i), Holder: "ada", Kind: pass.Visits, Units: 100, Balance: 90,
				UnitValue: gbp, Price: gbp, Paid: true, PaidAt: &paid, IssuedAt: paid, IssuedOn: calendar.DateOf(paid)}
			if err := tx.Passes().Put(ctx, p); err != nil {
				return err
			}
		}
		for day := 2; day <= 5; day++ {
			v := checkin.Visit{Network: "n", ID: fmt.Sprintf("visit-%d", day), Holder: "ada", Location: "club",
				Kind: checkin.CheckInVisit, Mode: checkin.ByVisits, Status: checkin.Open, Start: at(day, 9),
				Date: calendar.DateOf(at(day, 9)), Cost: 1, Pass: "live-000",
				Consumptions: []checkin.Consumption{{Pass: "live-000", Kind: pass.Visits, Units: 1}}}
			if day < 5 {
				end := at(day, 10)
				v.Status, v.End = checkin.Closed, &end
			}
			if err := tx.Visits().Put(ctx, v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("writing the world: %v", err)
	}
	return st
}

// TestLoadStateAllocs: memstore's LoadState of a check-out (the open visit,
// three days of visits, a live pass, the lineage and a new key) makes one
// allocation, and with 64 or 512 live passes four whatever their number
// (the visits, the passes, their instants, their consumptions); with a
// Scratch it makes one, the consumptions of the copies of the visit and
// the open visit (a result may keep them), whatever the number of passes.
func TestLoadStateAllocs(t *testing.T) {
	if testenv.Instrumented() {
		t.Skip("allocation counts differ under the race detector and coverage")
	}
	ctx := context.Background()
	for _, c := range []struct {
		passes  int
		bound   float64
		scratch bool
	}{{1, 1, false}, {64, 4, false}, {512, 4, false}, {1, 1, true}, {64, 1, true}, {512, 1, true}} {
		st := allocWorld(t, c.passes)
		q := store.StateQuery{Network: "n", Visit: "visit-5", FromVisit: -2, Lookback: 2, Key: "a-new-key"}
		if c.scratch {
			q.Scratch = new(store.Scratch) // grown by AllocsPerRun's first run
		}
		var s store.State
		var err error
		load := func(tx store.Tx) error {
			s, err = tx.(store.StateLoader).LoadState(ctx, q)
			return err
		}
		got := testing.AllocsPerRun(100, func() {
			if err := st.View(ctx, load); err != nil {
				t.Fatalf("LoadState: %v", err)
			}
		})
		if len(s.Live) != c.passes || len(s.Open) != 1 || len(s.Recent) != 3 || len(s.Named) != 1 {
			t.Fatalf("%d passes: got %d live, %d open, %d recent, %d named; want %d, 1, 3, 1",
				c.passes, len(s.Live), len(s.Open), len(s.Recent), len(s.Named), c.passes)
		}
		if got > c.bound {
			t.Errorf("LoadState with %d live passes (a Scratch: %t): got %v allocations, want at most %v", c.passes, c.scratch, got, c.bound)
		}
	}
}

// TestWriteAllocs: the writes of a check-in on memstore (a visit, a pass,
// a ledger entry and an idempotency record, each new but the pass) make
// at most two allocations: the visit's row and the pass's row (the ledger
// entry and the record none: they are encoded into chunks of bytes, chunk
// and map growth aside).
func TestWriteAllocs(t *testing.T) {
	if testenv.Instrumented() {
		t.Skip("allocation counts differ under the race detector and coverage")
	}
	ctx := context.Background()
	st := allocWorld(t, 1)
	var p pass.Pass
	if err := st.View(ctx, func(tx store.Tx) (err error) { p, err = tx.Passes().Get(ctx, "n", "live-000"); return err }); err != nil {
		t.Fatalf("Get: %v", err)
	}
	const runs = 1000
	ids := make([]string, runs+1)
	for i := range ids {
		ids[i] = fmt.Sprintf("w-%04d", i)
	}
	i := 0
	start := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	result := []byte("result bytes")
	cons := []checkin.Consumption{{Pass: p.ID, Kind: pass.Visits, Units: 1}} // copied by Put
	entries := make([]pass.Entry, 1)                                         // copied by Append
	write := func(tx store.Tx) error {
		v := checkin.Visit{Network: "n", ID: ids[i], Holder: "ada", Location: "club", Kind: checkin.CheckInVisit,
			Mode: checkin.ByVisits, Status: checkin.Open, Start: start, Date: calendar.DateOf(start), Cost: 1, Pass: p.ID,
			Consumptions: cons}
		if err := tx.Visits().Put(ctx, v); err != nil {
			return err
		}
		p.Balance--
		if err := tx.Passes().Put(ctx, p); err != nil {
			return err
		}
		entries[0] = pass.Entry{Network: "n", ID: ids[i], Pass: p.ID, Holder: "ada", Visit: v.ID,
			At: start, Type: pass.EntryUse, Units: -1, Balance: p.Balance}
		if err := tx.Ledger().Append(ctx, entries...); err != nil {
			return err
		}
		return tx.Idempotency().Put(ctx, store.Record{Network: "n", Key: ids[i], Operation: "check_in", Request: result[:4], Result: result, At: start})
	}
	got := testing.AllocsPerRun(runs, func() {
		if err := st.Update(ctx, write); err != nil {
			t.Fatalf("Update: %v", err)
		}
		i++
	})
	if got > 2 {
		t.Errorf("a check-in's writes: got %v allocations, want at most 2", got)
	}
}
