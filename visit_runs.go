package passengine

import (
	"context"
	"sync"
	"time"

	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/store"
)

// This file holds the units of work of CheckIn and CheckOut as values
// recycled through pools (txRunner, engine.go), not closures, so that the
// hot path allocates none. It has no observer guard, so its lines are
// the same with and without them (TestObserverAddsNoEscape).

// checkInRun is the unit of work of a check-in: what a closure would
// capture, in a value recycled through checkInRuns, so that a check-in
// allocates no closure. Nothing keeps one past its call: idempotentRun's
// idemCall drops it when the call returns, before CheckIn clears it.
type checkInRun struct {
	e       *Engine
	ctx     context.Context
	req     CheckInRequest
	at      time.Time
	atErr   error // the bound on req.At, returned once the key is new
	visitID string
	// room is the memory of the decision's State, made with the value and
	// kept when it is cleared, so that the next check-in that takes the
	// value from the pool reuses it: nothing the call returns or writes
	// points into it (a result's candidates lose their passes, canonical;
	// the store takes passes as values). scratch is the memory its state
	// is loaded in, kept the same way: a State's arrays of visits and pass
	// pointers, never what a result keeps (store.Scratch).
	room    *checkin.Room
	scratch *store.Scratch
}

var checkInRuns = sync.Pool{New: func() any { return &checkInRun{room: new(checkin.Room), scratch: new(store.Scratch)} }}

// runTx decides the check-in and writes it.
func (r *checkInRun) runTx(tx store.Tx) (VisitResult, error) {
	if r.atErr != nil {
		return VisitResult{}, r.atErr
	}
	n, o, err := r.e.decideCheckIn(r.ctx, tx, r.req, r.at, r.visitID, r.req.Key, r.room, r.scratch)
	if err != nil {
		return VisitResult{}, err
	}
	return r.e.writeOutcome(r.ctx, tx, n, &o, r.req.Key, r.req.Actor)
}

// checkOutRun is the unit of work of a check-out, as checkInRun is a
// check-in's: visitCall's work without its closures.
type checkOutRun struct {
	e     *Engine
	ctx   context.Context
	req   CheckOutRequest
	at    time.Time
	atErr error
	// room and scratch are as checkInRun's.
	room    *checkin.Room
	scratch *store.Scratch
}

var checkOutRuns = sync.Pool{New: func() any { return &checkOutRun{room: new(checkin.Room), scratch: new(store.Scratch)} }}

// runTx decides the check-out and writes it.
func (r *checkOutRun) runTx(tx store.Tx) (VisitResult, error) {
	return r.e.visitOnTx(r.ctx, tx, r.req.Network, r.req.Key, r.req.Actor, r.req.Visit, r.atErr, nil, r.e.checkOutSpan(r.at), r.room, r.scratch, r.decide)
}

// decide is DecideCheckOut at the request's instant.
func (r *checkOutRun) decide(_ catalog.Network, st *checkin.State, v checkin.Visit) (checkin.Outcome, error) {
	return checkin.DecideCheckOut(st, v, r.at, false)
}
