package passengine_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/internal/testenv"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store/memstore"
)

// The most heap allocations an Engine on memstore may make for one
// check-in and for one check-out of a holder with a live visits pass and
// a visit on each of the days before (BENCHMARKS.md, "The hot path"). Of
// them, memstore makes 2 for a check-in (the new visit's row, the pass's
// row; the state is copied into the pooled unit of work's store.Scratch,
// and the record and the ledger entry are encoded into chunks of bytes)
// and 1 for a check-out (the consumptions of the copies of the visit
// checked out, which its result keeps: the closed visit is written over
// its row); the rest are the Engine's. Lower them as the Engine's go down.
const (
	checkInAllocBound  = 10
	checkOutAllocBound = 2
)

// TestMemstoreCheckInOutAllocs guards the allocations of the hot path on
// memstore with testing.AllocsPerRun: each of 100 holders checked in,
// then each checked out, after two days of visits each. It is skipped
// under the race detector and coverage, which allocate on their own.
func TestMemstoreCheckInOutAllocs(t *testing.T) {
	if testenv.Instrumented() {
		t.Skip("allocation counts differ under the race detector and coverage")
	}
	const runs, net = 100, "allocs"
	ctx := context.Background()
	clock := passengine.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	e := passengine.New(memstore.New(), passengine.WithClock(clock))
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	must("PutNetwork", e.PutNetwork(ctx, catalog.Network{ID: net, Currency: "GBP", Zone: "Europe/London"}))
	must("PutLocation", e.PutLocation(ctx, catalog.Location{Network: net, ID: "club", Zone: "Europe/London"}))
	must("PutProduct", e.PutProduct(ctx, pass.Product{Network: net, ID: "unlimited", Kind: pass.Visits, Units: field.MaxCount,
		Price: money.MustNew("0", "GBP"), Activation: pass.OnPurchase}))
	holders := make([]string, runs+1) // AllocsPerRun runs once more to warm up
	for i := range holders {
		holders[i] = fmt.Sprintf("holder-%03d", i)
		must("PutHolder", e.PutHolder(ctx, catalog.Holder{Network: net, ID: holders[i], Audience: catalog.Member}))
		_, err := e.IssuePass(ctx, passengine.IssueRequest{Key: "issue-" + holders[i], Network: net, Product: "unlimited", Holder: holders[i]})
		must("IssuePass", err)
	}
	visits := make([]string, len(holders))
	ins, outs := make([]passengine.CheckInRequest, len(holders)), make([]passengine.CheckOutRequest, len(holders))
	for day := range 3 {
		for i, h := range holders {
			ins[i] = passengine.CheckInRequest{Key: fmt.Sprintf("in-%d-%s", day, h), Network: net, Holder: h, Location: "club"}
			outs[i] = passengine.CheckOutRequest{Key: fmt.Sprintf("out-%d-%s", day, h), Network: net}
		}
		i := 0
		checkIn := func() {
			r, err := e.CheckIn(ctx, ins[i])
			must("CheckIn", err)
			visits[i] = r.Visit.ID
			i++
		}
		checkOut := func() {
			outs[i].Visit = visits[i]
			_, err := e.CheckOut(ctx, outs[i])
			must("CheckOut", err)
			i++
		}
		if day < 2 { // the days before
			for range holders {
				checkIn()
			}
			clock.Advance(time.Hour)
			for i = 0; i < len(holders); {
				checkOut()
			}
			clock.Advance(23 * time.Hour)
			continue
		}
		got := testing.AllocsPerRun(runs, checkIn)
		t.Logf("allocations of a check-in: %v (at most %d)", got, checkInAllocBound)
		if got > checkInAllocBound {
			t.Errorf("allocations of a check-in on memstore: got %v, want at most %d", got, checkInAllocBound)
		}
		clock.Advance(time.Hour)
		i = 0
		got = testing.AllocsPerRun(runs, checkOut)
		t.Logf("allocations of a check-out: %v (at most %d)", got, checkOutAllocBound)
		if got > checkOutAllocBound {
			t.Errorf("allocations of a check-out on memstore: got %v, want at most %d", got, checkOutAllocBound)
		}
	}
}
