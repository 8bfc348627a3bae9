package enginetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
	"github.com/stretchr/testify/require"
)

// RunConcurrency checks RULES I1 and I2 on stores made by newStore, each
// subtest on a store of its own:
//
//   - DoubleSpend: 200 goroutines check one holder with a 50-visit pass in
//     at 200 different locations at once. Exactly 50 succeed, the other
//     150 are refused with ErrNoEntitlement, the balance ends at 0 with 50
//     use entries in the ledger and 50 visits stored. It runs rounds times
//     (at least once).
//   - SameKey: one check-in request sent 20 times at once with the same
//     idempotency key has one effect (one visit, one use entry) and 20
//     equal results.
func RunConcurrency(t *testing.T, rounds int, newStore func(t *testing.T) store.Store) {
	t.Helper()
	t.Run("DoubleSpend", func(t *testing.T) {
		for round := range max(rounds, 1) {
			doubleSpend(t, newStore(t), round)
		}
	})
	t.Run("SameKey", func(t *testing.T) { sameKey(t, newStore(t)) })
}

const concNetwork = "conc"

// concWorld puts a network with locations loc-000 ... and a holder "h"
// holding a pass of units visits, and returns the Engine and the pass.
func concWorld(t *testing.T, st store.Store, locations, units int) (*passengine.Engine, pass.Pass) {
	t.Helper()
	ctx := context.Background()
	clock := passengine.NewManualClock(time.Date(2026, 10, 5, 9, 0, 0, 0, time.UTC))
	eng := passengine.New(st, passengine.WithClock(clock))
	require.NoError(t, eng.PutNetwork(ctx, catalog.Network{ID: concNetwork, Currency: "EUR", Zone: "Europe/Paris"}))
	for i := range locations {
		require.NoError(t, eng.PutLocation(ctx, catalog.Location{Network: concNetwork, ID: fmt.Sprintf("loc-%03d", i), Zone: "Europe/Paris"}))
	}
	require.NoError(t, eng.PutHolder(ctx, catalog.Holder{Network: concNetwork, ID: "h", Audience: catalog.Member}))
	require.NoError(t, eng.PutProduct(ctx, pass.Product{Network: concNetwork, ID: "visits", Kind: pass.Visits, Units: units,
		Price: money.MustNew("100", "EUR"), Activation: pass.OnPurchase}))
	p, err := eng.IssuePass(ctx, passengine.IssueRequest{Key: "issue", Network: concNetwork, Product: "visits", Holder: "h"})
	require.NoError(t, err)
	return eng, p
}

// start runs n goroutines that wait for one signal, and waits for them.
func start(n int, fn func(i int)) {
	var ready, done sync.WaitGroup
	gate := make(chan struct{})
	ready.Add(n)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			ready.Done()
			<-gate
			fn(i)
		}()
	}
	ready.Wait()
	close(gate)
	done.Wait()
}

func doubleSpend(t *testing.T, st store.Store, round int) {
	t.Helper()
	const doors, units = 200, 50
	ctx := context.Background()
	eng, p := concWorld(t, st, doors, units)
	errs := make([]error, doors)
	start(doors, func(i int) {
		_, errs[i] = eng.CheckIn(ctx, passengine.CheckInRequest{Key: fmt.Sprintf("door-%03d", i), Network: concNetwork,
			Holder: "h", Location: fmt.Sprintf("loc-%03d", i)})
	})
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, passengine.ErrNoEntitlement):
			t.Fatalf("round %d, door %d: got %v, want success or ErrNoEntitlement", round, i, err)
		}
	}
	require.Equal(t, units, ok, "round %d: successful check-ins", round)
	s, err := Take(ctx, st, concNetwork)
	require.NoError(t, err)
	require.NoError(t, s.CheckBalances())
	got, _ := s.Pass(p.ID)
	require.Equal(t, 0, got.Balance, "round %d: balance", round)
	uses := 0
	for _, e := range s.Ledger {
		if e.Type == pass.EntryUse {
			uses++
		}
	}
	require.Equal(t, units, uses, "round %d: use entries", round)
	require.Len(t, s.Visits, units, "round %d: visits", round)
}

func sameKey(t *testing.T, st store.Store) {
	t.Helper()
	const senders = 20
	ctx := context.Background()
	eng, p := concWorld(t, st, 1, 10)
	results := make([]passengine.VisitResult, senders)
	errs := make([]error, senders)
	req := passengine.CheckInRequest{Key: "door-1", Network: concNetwork, Holder: "h", Location: "loc-000"}
	start(senders, func(i int) { results[i], errs[i] = eng.CheckIn(ctx, req) })
	for i := range senders {
		require.NoError(t, errs[i], "sender %d", i)
		require.Equal(t, results[0], results[i], "sender %d", i)
	}
	s, err := Take(ctx, st, concNetwork)
	require.NoError(t, err)
	require.NoError(t, s.CheckBalances())
	require.Len(t, s.Visits, 1)
	got, _ := s.Pass(p.ID)
	require.Equal(t, 9, got.Balance)
	require.Len(t, s.Ledger, 2) // issue and one use
}
