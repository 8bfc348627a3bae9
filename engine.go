package passengine

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/card"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
	"github.com/shopspring/decimal"
)

// The errors of the Engine's calls. Test for them with errors.Is; the
// typed errors carrying detail unwrap to them.
var (
	// ErrInvalid: bad input. The error is a *FieldError naming the field.
	ErrInvalid = field.ErrInvalid
	// ErrNotFound: no such network, location, holder, product, pass or
	// visit in the network (S1).
	ErrNotFound = store.ErrNotFound
	// ErrNoEntitlement: no pass may pay for the use. The error is an
	// *entitlement.RefusalError with every pass's reason (G7).
	ErrNoEntitlement = entitlement.ErrNoEntitlement
	// ErrAlreadyCheckedIn: the holder is checked in at the location. The
	// error is a *checkin.AlreadyCheckedInError with the open visit (C1).
	ErrAlreadyCheckedIn = checkin.ErrAlreadyCheckedIn
	// ErrNotOpen: the visit is not an open check-in (C7).
	ErrNotOpen = checkin.ErrNotOpen
	// ErrNotBooked: the visit is not a booking awaiting its class (B2, B3).
	ErrNotBooked = checkin.ErrNotBooked
	// ErrNotMovable: the visit cannot move to another pass (C11).
	ErrNotMovable = checkin.ErrNotMovable
	// ErrBalance: the change would take a balance below zero (E4).
	ErrBalance = pass.ErrBalance
	// ErrKeyReused: an idempotency key was sent again with a different
	// request (I1). The error is an *IdempotencyError.
	ErrKeyReused = errors.New("idempotency key reused with a different request")
	// ErrConflict: the store kept losing races after the bounded retries.
	ErrConflict = store.ErrConflict
)

// FieldError is the error of bad input: it names the field (S2).
type FieldError = field.Error

// IdempotencyError is returned when Key was first used for another request
// (or another operation). It unwraps to ErrKeyReused.
type IdempotencyError struct {
	// Key is the idempotency key sent again.
	Key string
	// Operation is the operation the key was first used for
	// ("check_in", "issue", ...).
	Operation string
}

// Error names the key and the operation it was first used for.
func (e *IdempotencyError) Error() string {
	return fmt.Sprintf("idempotency key %q was used for a different %s request", e.Key, e.Operation)
}

// Unwrap returns ErrKeyReused.
func (e *IdempotencyError) Unwrap() error { return ErrKeyReused }

// Clock tells the Engine the time. The Engine reads it once per call; the
// domain packages never read a clock.
type Clock interface {
	// Now returns the current instant; the Engine takes it in UTC,
	// truncated to the microsecond.
	Now() time.Time
}

// ClockFunc adapts a function to Clock.
type ClockFunc func() time.Time

// Now returns f().
func (f ClockFunc) Now() time.Time { return f() }

// Engine is passengine's entry point: every call validates its request,
// reads the clock once, runs one unit of work on the store (locking the
// holder, loading its live state, deciding with the pure core, writing the
// effects and the idempotency record together) and retries a lost race a
// bounded number of times. An Engine is safe for concurrent use.
type Engine struct {
	st           store.Store
	clock        Clock
	policy       entitlement.Policy
	newID        func() string
	retries      int
	maxOpen      time.Duration // bounds.go
	skew         time.Duration
	backdating   time.Duration
	horizon      time.Duration
	cancelWindow time.Duration
	refundLate   bool
	noShowFee    decimal.Decimal
	settleLater  bool
	accountDebit bool     // WithAccountDebit (wallet.go)
	zones        sync.Map // zone name -> *time.Location
	locMu        sync.RWMutex
	locZones     map[zoneKey]calendar.Zone // the zone last seen at a location (state.go)
	agg          aggregator                // passcodes and lockout (aggregator.go)
	bonus        card.BonusRule
	obs          Observer // WithObserver (observe.go)
	// recordV2 is whether idempotency records are written in version 2
	// (record.go): st is a store.InProcess.
	recordV2 bool
}

// Option configures an Engine.
type Option func(*Engine)

// WithClock sets the clock (default: the system clock).
func WithClock(c Clock) Option { return func(e *Engine) { e.clock = c } }

// WithPolicy sets the consumption order (default:
// entitlement.DefaultPolicy(), O0-O7).
func WithPolicy(p entitlement.Policy) Option { return func(e *Engine) { e.policy = p } }

// WithIDs sets the generator of new IDs for passes, visits and ledger
// entries (default: UUIDv7, time-ordered).
func WithIDs(f func() string) Option { return func(e *Engine) { e.newID = f } }

// WithRetries sets how many times a unit of work that lost a race
// (store.ErrConflict) is retried (default 8).
func WithRetries(n int) Option { return func(e *Engine) { e.retries = n } }

// WithCancelWindow sets how long before a class a holder's cancel becomes
// late (B2). Default 0: every cancel before the start is on time.
func WithCancelWindow(d time.Duration) Option { return func(e *Engine) { e.cancelWindow = d } }

// WithLateCancelRefund makes late cancels return their units too (B2).
func WithLateCancelRefund() Option { return func(e *Engine) { e.refundLate = true } }

// WithNoShowFee makes a no-show return the booking's units and charge fee
// in the network's currency instead of forfeiting them (B3).
func WithNoShowFee(fee decimal.Decimal) Option { return func(e *Engine) { e.noShowFee = fee } }

// WithSettleLater sets the host policy "allow and settle later" (C12): a
// holder with nothing eligible and no PAYG product is let in, the visit is
// kept as unpaid, and the next pass issued to the holder that is eligible
// for it settles it.
func WithSettleLater() Option { return func(e *Engine) { e.settleLater = true } }

// New returns an Engine on st.
func New(st store.Store, opts ...Option) *Engine {
	e := &Engine{
		st:       st,
		clock:    ClockFunc(time.Now),
		policy:   entitlement.DefaultPolicy(),
		newID:    newV7,
		retries:  8,
		locZones: map[zoneKey]calendar.Zone{},
		maxOpen:  DefaultMaxOpen, skew: DefaultClockSkew, backdating: DefaultBackdating, horizon: DefaultBookingHorizon,
	}
	if p, ok := st.(store.InProcess); ok {
		e.recordV2 = p.InProcess()
	}
	for _, o := range opts {
		o(e)
	}
	return e
}

// Store returns the Engine's store.
func (e *Engine) Store() store.Store {
	if t, ok := e.st.(timedStore); ok { // observe.go
		return t.Store
	}
	return e.st
}

// now returns the clock's time in UTC, truncated to the microsecond so that
// every store keeps it exactly.
func (e *Engine) now() time.Time { return e.clock.Now().UTC().Truncate(time.Microsecond) }

// zone returns the calendar of a location (cached).
func (e *Engine) zone(name string, cutoff time.Duration) (calendar.Zone, error) {
	if loc, ok := e.zones.Load(name); ok {
		return calendar.Zone{Loc: loc.(*time.Location), Cutoff: cutoff}, nil
	}
	z, err := calendar.LoadZone(name, cutoff)
	if err != nil {
		return z, err
	}
	e.zones.Store(name, z.Loc)
	return z, nil
}

func (e *Engine) locationZone(l catalog.Location) (calendar.Zone, error) {
	return e.zone(l.Zone, l.DayCutoff)
}

func (e *Engine) networkZone(n catalog.Network) (calendar.Zone, error) { return e.zone(n.Zone, 0) }

// update runs fn as a unit of work, retrying store.ErrConflict up to the
// Engine's bound.
func (e *Engine) update(ctx context.Context, fn func(store.Tx) error) error {
	var err error
	for attempt := 0; attempt <= e.retries; attempt++ {
		if attempt > 0 {
			if info := callInfo(ctx); info != nil { // callinfo.go
				info.Retries = attempt
			}
		}
		err = e.st.Update(ctx, fn)
		if !errors.Is(err, store.ErrConflict) {
			detachErr(err)
			return err
		}
	}
	return err
}

// detach gives each candidate of cs that points to a pass a copy of its
// own: the passes a decision reads may be shared with the store
// (store.State), so what the Engine returns must not point to them, or a
// caller changing it would change the store.
func detach(cs []entitlement.Candidate) {
	n := 0
	for i := range cs {
		if cs[i].Pass != nil {
			n++
		}
	}
	if n == 0 {
		return
	}
	ps := make([]pass.Pass, 0, n)
	for i := range cs {
		if cs[i].Pass != nil {
			ps = append(ps, cs[i].Pass.Clone())
			cs[i].Pass = &ps[len(ps)-1]
		}
	}
}

// detachErr detaches the candidates of a refusal err carries (detach).
func detachErr(err error) {
	if err == nil {
		return
	}
	var re *entitlement.RefusalError // allocated only here, past the nil error
	if errors.As(err, &re) {
		detach(re.Candidates)
	}
}

// idempotent runs fn as a unit of work under idempotency key (I1): a key
// seen before with the same operation and fingerprint (fingerprint.go)
// returns the stored result and writes nothing (an *ErasedError when the
// result was erased with its holder); with another request it returns an
// *IdempotencyError. The result is stored in the same
// transaction as fn's effects.
//
// A record written before fingerprints were versioned (32 bytes, a hash of
// the request's JSON) cannot be compared with today's fingerprint: it
// matches any request of its operation, so a retry that spans an upgrade
// gets its first result rather than a refusal.
func idempotent[R any](ctx context.Context, e *Engine, network, key, op string, sum [fpLen]byte, fn func(tx store.Tx) (R, error)) (R, error) {
	return idempotentRun[R](ctx, e, network, key, op, sum, false, runFunc[R](fn))
}

// txRunner is the work of an idempotent call's unit of work: a function
// (runFunc), or a value that holds what a closure would capture (a
// check-in's or check-out's, recycled through a pool: visits.go), so
// that the call allocates no closure.
type txRunner[R any] interface {
	// runTx decides and writes in tx, returning the result.
	runTx(tx store.Tx) (R, error)
}

// runFunc is a function as a txRunner.
type runFunc[R any] func(tx store.Tx) (R, error)

// runTx calls f.
func (f runFunc[R]) runTx(tx store.Tx) (R, error) { return f(tx) }

// idempotentLoaded is idempotent for a call whose fn loads its state with
// the key (store.StateQuery.Key): the key's record comes with the state,
// in the statements that read it, and fn returns it as a *recordedError
// in place of deciding. The record is read after the holder's lock, as
// idempotent's second look is.
func idempotentLoaded[R any](ctx context.Context, e *Engine, network, key, op string, sum [fpLen]byte, fn func(tx store.Tx) (R, error)) (R, error) {
	return idempotentRun[R](ctx, e, network, key, op, sum, true, runFunc[R](fn))
}

// recordedError carries the record a state load found for the call's key
// from fn to idempotentRun; it never leaves the Engine.
type recordedError struct{ rec store.Record }

// Error says what the error carries.
func (e *recordedError) Error() string { return "idempotency key " + e.rec.Key + " has a record" }

// idempotentRun is idempotent, with the first lookup of the key left to fn
// when loaded is true.
func idempotentRun[R any](ctx context.Context, e *Engine, network, key, op string, sum [fpLen]byte, loaded bool, fn txRunner[R]) (R, error) {
	c := newIdemCall[R]()
	run := c.runFn
	if run == nil {
		run = c.run
	}
	*c = idemCall[R]{ctx: ctx, e: e, network: network, key: key, op: op, sum: sum, loaded: loaded, fn: fn, buf: recordBuffer(), runFn: c.runFn}
	err := e.update(ctx, run)
	if info := callInfo(ctx); info != nil && (err == nil || errors.Is(err, ErrErased)) {
		info.Replayed = c.replayed
	}
	res := c.res
	putRecordBuffer(c.buf)
	putIdemCall(c)
	return res, err
}

// visitCalls recycles the idemCalls of check-ins and check-outs, the
// largest allocation of the hot path (a VisitResult inside). A call's
// result is copied out before its idemCall is cleared and put back, and
// nothing else keeps one past its call: the record's Request (the call's
// sum) is copied by the store, as its Result (a pooled buffer) is.
var visitCalls = sync.Pool{New: func() any {
	c := new(idemCall[VisitResult])
	c.runFn = c.run
	return c
}}

// newIdemCall returns an idemCall to fill, from visitCalls for a
// VisitResult.
func newIdemCall[R any]() *idemCall[R] {
	if _, ok := any((*R)(nil)).(*VisitResult); ok {
		return visitCalls.Get().(*idemCall[R])
	}
	return new(idemCall[R])
}

// putIdemCall clears c and, for a VisitResult, puts it back in visitCalls.
func putIdemCall[R any](c *idemCall[R]) {
	if _, ok := any((*R)(nil)).(*VisitResult); ok {
		*c = idemCall[R]{runFn: c.runFn}
		visitCalls.Put(c)
	}
}

// idemCall is one call of idempotentRun: its request, and what its unit
// of work (run) leaves, in one value so that a call allocates it once.
type idemCall[R any] struct {
	ctx              context.Context
	e                *Engine
	network, key, op string
	sum              [fpLen]byte
	loaded           bool
	fn               txRunner[R]
	buf              *[]byte // the encoded result (record.go)
	res              R
	replayed         bool
	// runFn is c.run, made once for a pooled idemCall (visitCalls) so
	// that a call does not allocate the method value; nil otherwise.
	runFn func(store.Tx) error
}

// same reports whether rec is the record of the call's request.
func (c *idemCall[R]) same(rec *store.Record) bool {
	if rec.Operation != c.op {
		return false
	}
	return len(rec.Request) == sha256.Size || bytes.Equal(rec.Request, c.sum[:])
}

// replay answers the call from rec: its stored result, or an
// *IdempotencyError when rec is another request's.
func (c *idemCall[R]) replay(rec *store.Record) error {
	if !c.same(rec) {
		return &IdempotencyError{Key: c.key, Operation: rec.Operation}
	}
	c.replayed = true
	return decodeRecord(*rec, &c.res) // erase.go
}

// run is the call's unit of work.
func (c *idemCall[R]) run(tx store.Tx) error {
	ctx := c.ctx
	c.replayed = false
	if !c.loaded {
		rec, err := tx.Idempotency().Get(ctx, c.network, c.key)
		switch {
		case err == nil:
			return c.replay(&rec)
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
	}
	// The result goes straight to c.res, which is on the heap already (a
	// local would be moved there too, since recordOf takes its address).
	var err error
	if c.res, err = c.fn.runTx(tx); err != nil {
		var zero R
		c.res = zero
		if rerr := (*recordedError)(nil); errors.As(err, &rerr) { // the state load found the key's record
			return c.replay(&rerr.rec)
		}
		// fn locked the holder; a call with the same key that held the
		// lock first may have committed since the lookup above (READ
		// COMMITTED stores), and its result is the answer.
		if rec, gerr := tx.Idempotency().Get(ctx, c.network, c.key); gerr == nil {
			return c.replay(&rec)
		}
		return err
	}
	// The caller gets the stored form, so a replay returns an equal value.
	out, err := recordOf(&c.res, (*c.buf)[:0], c.e.recordV2) // record.go
	if err != nil {
		var zero R
		c.res = zero
		return err
	}
	*c.buf = out
	// The store copies Request and Result (store.Idempotency.Put).
	newRec := store.Record{Network: c.network, Key: c.key, Operation: c.op, Request: c.sum[:], Result: out, At: c.e.now()}
	if w, ok := tx.(store.CommitWriter); ok {
		return w.Defer(ctx, store.Writes{Records: []store.Record{newRec}})
	}
	return tx.Idempotency().Put(ctx, newRec)
}

// network returns the network or ErrNotFound.
func network(ctx context.Context, tx store.Tx, id string) (catalog.Network, error) {
	return tx.Catalog().Network(ctx, id)
}

// lockOwner locks the holder or team that owns p.
func lockOwner(ctx context.Context, tx store.Tx, p *pass.Pass) error {
	if p.Team != "" {
		return tx.Catalog().LockTeam(ctx, p.Network, p.Team)
	}
	return tx.Catalog().LockHolder(ctx, p.Network, p.Holder)
}

// write stores an outcome's effects: the visits, the changed passes and the
// ledger entries, stamped with new IDs, the call's key and actor. A Tx that
// is a store.CommitWriter sends them with its commit. The cards of changed
// passes that are cards' are brought up to date first (M3).
func (e *Engine) write(ctx context.Context, tx store.Tx, o *checkin.Outcome, key, actor string) error {
	cards, err := e.cardEffects(ctx, tx, o) // cards.go
	if err != nil {
		return err
	}
	e.stamp(o.Entries, key, actor, "")
	if w, ok := tx.(store.CommitWriter); ok {
		ws := store.Writes{Visits: o.Closed, Entries: o.Entries, Cards: cards}
		if o.Visit.ID != "" {
			ws.Visits = append(slices.Clip(ws.Visits), o.Visit)
		}
		for _, p := range o.Passes {
			ws.Passes = append(ws.Passes, *p)
		}
		return w.Defer(ctx, ws)
	}
	for _, v := range o.Closed {
		if err := tx.Visits().Put(ctx, v); err != nil {
			return err
		}
	}
	if o.Visit.ID != "" {
		if err := tx.Visits().Put(ctx, o.Visit); err != nil {
			return err
		}
	}
	for _, p := range o.Passes {
		if err := tx.Passes().Put(ctx, *p); err != nil {
			return err
		}
	}
	for _, c := range cards {
		if err := tx.Cards().Put(ctx, c); err != nil {
			return err
		}
	}
	if len(o.Entries) == 0 {
		return nil
	}
	return tx.Ledger().Append(ctx, o.Entries...)
}

// appendEntries stamps entries and appends them to the ledger.
func (e *Engine) appendEntries(ctx context.Context, tx store.Tx, entries []pass.Entry, key, actor, comment string) error {
	if len(entries) == 0 {
		return nil
	}
	e.stamp(entries, key, actor, comment)
	return tx.Ledger().Append(ctx, entries...)
}

// stamp gives entries new IDs and the call's key, and the actor and
// comment where they have none.
func (e *Engine) stamp(entries []pass.Entry, key, actor, comment string) {
	for i := range entries {
		entries[i].ID, entries[i].Key = e.newID(), key
		if entries[i].Actor == "" {
			entries[i].Actor = actor
		}
		if entries[i].Comment == "" {
			entries[i].Comment = comment
		}
	}
}

// validKey checks the idempotency key and network of a request.
func validKey(key, network string) error {
	return field.First(field.ID("key", key), field.ID("network", network))
}
