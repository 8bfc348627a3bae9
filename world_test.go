package passengine_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

// world is what the test networks of this package share: network net on a
// store, a manual clock, an Engine with sequential IDs (idFormat applied to
// 1, 2, ...), and helpers that fail the test on error. coreWorld and
// aggWorld embed it.
type world struct {
	tb    testing.TB
	ctx   context.Context
	net   string
	st    store.Store
	clock *passengine.ManualClock
	eng   *passengine.Engine
	mu    sync.Mutex
	keys  int
}

// newWorld returns a world on st for network net, its clock at start. The
// network itself is not created: the caller puts its catalog.
func newWorld(tb testing.TB, st store.Store, net, idFormat string, start time.Time, opts ...passengine.Option) *world {
	w := &world{tb: tb, ctx: context.Background(), net: net, st: st, clock: passengine.NewManualClock(start)}
	var mu sync.Mutex
	n := 0
	ids := func() string {
		mu.Lock()
		defer mu.Unlock()
		n++
		return fmt.Sprintf(idFormat, n)
	}
	base := []passengine.Option{passengine.WithClock(w.clock), passengine.WithIDs(ids)}
	w.eng = passengine.New(st, append(base, opts...)...)
	return w
}

// must fails the test if err is not nil.
func (w *world) must(err error) {
	w.tb.Helper()
	if err != nil {
		w.tb.Fatal(err)
	}
}

// key returns a new idempotency key for op; safe for concurrent use.
func (w *world) key(op string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.keys++
	return fmt.Sprintf("%s-%d", op, w.keys)
}

// pass returns the pass with its status today.
func (w *world) pass(id string) passengine.PassView {
	w.tb.Helper()
	p, err := w.eng.Pass(w.ctx, w.net, id)
	w.must(err)
	return p
}

// ledger returns the pass's ledger entries in order.
func (w *world) ledger(passID string) []pass.Entry {
	w.tb.Helper()
	es, err := w.eng.Ledger(w.ctx, passengine.LedgerFilter{Network: w.net, Pass: passID})
	w.must(err)
	return es
}
