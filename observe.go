package passengine

import (
	"context"
	"encoding/json"
	"time"

	"github.com/passengine/passengine/store"
)

// Observer learns about every call made to an Engine: set one with
// WithObserver to log, trace or count the Engine's work (SlogObserver logs
// with log/slog; the module github.com/passengine/passengine/otel traces
// with OpenTelemetry).
//
// An Engine without an observer reads no extra clock and allocates nothing
// for it.
type Observer interface {
	// Observe is called exactly once per Engine call (Engine.Store
	// excepted), on the call's goroutine, after the call's work is done
	// and before it returns to its caller. ctx is the context the host
	// passed to the call. A call that the Engine makes on behalf of
	// another (BulkIssue issuing each pass, WritePayoutCSV computing its
	// statement), or that a host's callback makes with the context the
	// Engine handed it (a HistoryPage), is part of the outer call's
	// event, not an event of its own. Observe should return quickly: the
	// caller waits for it.
	Observe(ctx context.Context, ev Event)
}

// ObserverFunc adapts a function to Observer.
type ObserverFunc func(ctx context.Context, ev Event)

// Observe calls f(ctx, ev).
func (f ObserverFunc) Observe(ctx context.Context, ev Event) { f(ctx, ev) }

// Event describes one Engine call, as an Observer sees it.
type Event struct {
	// Op names the call, a stable snake_case name (the idempotency
	// operation of idempotent calls):
	//
	// Writes: put_network, put_location, put_team, put_holder,
	// put_product, put_payg, put_terms, issue, bulk_issue, adjust,
	// expiry, freeze, unfreeze, paid, check_in, check_out, book, cancel,
	// attendance, move, close_stale, redeem, passcode, unlock,
	// delete_holder, issue_card, card_add_visits, card_subtract_visits,
	// card_add_bonus, card_subtract_bonus, card_status, card_expiry,
	// deposit, spend, refund, adjust_account, overdraft, settle.
	//
	// Reads: network, location, holder, product, team, payg, networks,
	// locations, holders, teams, products, paygs, occupancy, pass,
	// passes, ledger, visit, visits, explain, explain_book,
	// explain_redeem, read_passcode, guard, can_leave_feedback,
	// terms_versions, card, cards, account, account_entries,
	// outstanding, expiring_soon, purchases, segments, payout,
	// payout_csv, history_csv, card_history_csv, network_history_csv,
	// account_history_csv.
	Op string
	// Network is the network the call named; empty when the call names
	// none (Networks, WriteHistoryCSV) or the request left it empty.
	Network string
	// Key is the call's idempotency key as the request carried it; empty
	// for reads (Explain, ExplainBook and ExplainRedeem included: they
	// write nothing) and for catalog puts, which take no key.
	Key string
	// Err is the error the call returned; nil when it succeeded.
	Err error
	// Retries is how many times the call's unit of work was run again
	// after the store reported a conflict (store.ErrConflict); see
	// CallInfo. A call of several units of work (BulkIssue, CloseStale)
	// reports the count of the last unit that was retried.
	Retries int
	// Replayed is true when an idempotent call was answered from the
	// result stored under its key instead of being done again; see
	// CallInfo. A call of several units of work (BulkIssue, CloseStale)
	// reports its last unit's.
	Replayed bool
	// Start is when the call began, read from the system clock (not the
	// Engine's Clock); it carries a monotonic reading.
	Start time.Time
	// Duration is the call's time from Start until its work was done,
	// measured on the monotonic clock.
	Duration time.Duration
	// StoreDuration is the part of Duration spent inside the store's
	// Update and View calls (the unit of work's own decisions, made inside
	// the transaction, included), summed over every unit of work of the
	// call and its retries.
	StoreDuration time.Duration
}

// Code returns the stable code of the call's error, CodeOf(ev.Err): ""
// for a success.
func (ev Event) Code() Code { return CodeOf(ev.Err) }

// Fault reports whether the call failed by a fault of the store, the host
// or the Engine (a code whose Status is 500 or more: CodeInternal,
// CodeConflict, CodeUnavailable, ...) rather than being refused for what
// the request asked; false for a success.
func (ev Event) Fault() bool { return CodeOf(ev.Err).Status() >= 500 }

// MarshalJSON encodes ev for a log or an event sink: {"op", "network",
// "key", "code", "retries", "replayed", "start" (RFC 3339, UTC),
// "duration_ms", "store_duration_ms" (milliseconds, fractional)}, and
// "error" (the error's message) for a failed call; "key", "code" and a
// zero "start" are omitted.
func (ev Event) MarshalJSON() ([]byte, error) {
	type event struct {
		Op              string     `json:"op"`
		Network         string     `json:"network"`
		Key             string     `json:"key,omitempty"`
		Code            Code       `json:"code,omitempty"`
		Retries         int        `json:"retries"`
		Replayed        bool       `json:"replayed"`
		Start           *time.Time `json:"start,omitempty"`
		DurationMS      float64    `json:"duration_ms"`
		StoreDurationMS float64    `json:"store_duration_ms"`
		Error           string     `json:"error,omitempty"`
	}
	out := event{Op: ev.Op, Network: ev.Network, Key: ev.Key, Code: ev.Code(), Retries: ev.Retries, Replayed: ev.Replayed,
		DurationMS:      float64(ev.Duration) / float64(time.Millisecond),
		StoreDurationMS: float64(ev.StoreDuration) / float64(time.Millisecond)}
	if !ev.Start.IsZero() {
		start := ev.Start.UTC().Round(0)
		out.Start = &start
	}
	if ev.Err != nil {
		out.Error = ev.Err.Error()
	}
	return json.Marshal(out)
}

// WithObserver makes the Engine report every call to o (nil: none, the
// default). The Engine then reads the system's monotonic clock around
// each call and each store transaction.
func WithObserver(o Observer) Option {
	return func(e *Engine) {
		e.obs = o
		if t, ok := e.st.(timedStore); ok {
			e.st = t.Store
		}
		if o != nil {
			e.st = timedStore{e.st}
		}
	}
}

// observes reports whether a call made with ctx is to be observed: the
// Engine has an observer and ctx is not already a call's observation (a
// public call made by another).
func (e *Engine) observes(ctx context.Context) bool {
	return e.obs != nil && ctx.Value(observationKey{}) == nil
}

type observationKey struct{}

// observation is the context of an observed call: it carries the call's
// CallInfo (the host's or its own) and adds up the time spent in the
// store. A call runs on one goroutine, so its fields need no lock.
type observation struct {
	context.Context
	info     *CallInfo
	own      CallInfo
	storeDur time.Duration
}

// Value answers the observation's own keys and asks the host's context
// for the rest.
func (o *observation) Value(key any) any {
	switch key.(type) {
	case observationKey:
		return o
	case callInfoKey:
		return o.info
	}
	return o.Context.Value(key)
}

// observe runs call (the public method again, now with an observation as
// its context) and reports it to the Engine's observer.
//
// Most public methods call it through observe1..observeErr3 with their
// arguments and a method expression rather than with a closure of their
// own: a closure there captures the method's variables, and a variable
// captured before the method changes it is captured by reference and may
// move to the heap, on the path without an observer too. The methods
// whose arguments do not escape today (the lists, Segments) pass a
// closure instead, since an argument passed on through a method
// expression escapes. TestObserverAddsNoEscape holds both to the escape
// analysis of the methods without the observer. These helpers are never
// inlined into the methods for the same reason.
//
//go:noinline
func observe[R any](ctx context.Context, e *Engine, op, network, key string, call func(context.Context) (R, error)) (R, error) {
	o := &observation{Context: ctx}
	if o.info = callInfo(ctx); o.info == nil {
		o.info = &o.own
	}
	start := time.Now()
	r, err := call(o)
	e.obs.Observe(ctx, Event{Op: op, Network: network, Key: key, Err: err, Retries: o.info.Retries,
		Replayed: o.info.Replayed, Start: start, Duration: time.Since(start), StoreDuration: o.storeDur})
	return r, err
}

// observe1 observes a call of one argument besides its context.
//
//go:noinline
func observe1[A, R any](ctx context.Context, e *Engine, op, network, key string, a A,
	m func(*Engine, context.Context, A) (R, error)) (R, error) {
	return observe(ctx, e, op, network, key, func(ctx context.Context) (R, error) { return m(e, ctx, a) })
}

// observe2 observes a call of two arguments besides its context.
//
//go:noinline
func observe2[A, B, R any](ctx context.Context, e *Engine, op, network, key string, a A, b B,
	m func(*Engine, context.Context, A, B) (R, error)) (R, error) {
	return observe(ctx, e, op, network, key, func(ctx context.Context) (R, error) { return m(e, ctx, a, b) })
}

// observe3 observes a call of three arguments besides its context.
//
//go:noinline
func observe3[A, B, C, R any](ctx context.Context, e *Engine, op, network, key string, a A, b B, c C,
	m func(*Engine, context.Context, A, B, C) (R, error)) (R, error) {
	return observe(ctx, e, op, network, key, func(ctx context.Context) (R, error) { return m(e, ctx, a, b, c) })
}

// observeErr observes a call that returns only an error.
//
//go:noinline
func observeErr(ctx context.Context, e *Engine, op, network, key string, call func(context.Context) error) error {
	_, err := observe(ctx, e, op, network, key, func(ctx context.Context) (struct{}, error) { return struct{}{}, call(ctx) })
	return err
}

// observeErr1 observes a call of one argument that returns only an error.
//
//go:noinline
func observeErr1[A any](ctx context.Context, e *Engine, op, network, key string, a A,
	m func(*Engine, context.Context, A) error) error {
	_, err := observe(ctx, e, op, network, key, func(ctx context.Context) (struct{}, error) { return struct{}{}, m(e, ctx, a) })
	return err
}

// observeErr2 observes a call of two arguments that returns only an error.
//
//go:noinline
func observeErr2[A, B any](ctx context.Context, e *Engine, op, network, key string, a A, b B,
	m func(*Engine, context.Context, A, B) error) error {
	_, err := observe(ctx, e, op, network, key, func(ctx context.Context) (struct{}, error) { return struct{}{}, m(e, ctx, a, b) })
	return err
}

// observeErr3 observes a call of three arguments that returns only an
// error.
//
//go:noinline
func observeErr3[A, B, C any](ctx context.Context, e *Engine, op, network, key string, a A, b B, c C,
	m func(*Engine, context.Context, A, B, C) error) error {
	_, err := observe(ctx, e, op, network, key, func(ctx context.Context) (struct{}, error) { return struct{}{}, m(e, ctx, a, b, c) })
	return err
}

// timedStore is the Engine's store when it has an observer: it adds the
// time of each Update and View to the call's observation.
type timedStore struct{ store.Store }

// Update runs the store's Update, timed.
func (s timedStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	o, _ := ctx.Value(observationKey{}).(*observation)
	if o == nil {
		return s.Store.Update(ctx, fn)
	}
	start := time.Now()
	err := s.Store.Update(ctx, fn)
	o.storeDur += time.Since(start)
	return err
}

// View runs the store's View, timed.
func (s timedStore) View(ctx context.Context, fn func(store.Tx) error) error {
	o, _ := ctx.Value(observationKey{}).(*observation)
	if o == nil {
		return s.Store.View(ctx, fn)
	}
	start := time.Now()
	err := s.Store.View(ctx, fn)
	o.storeDur += time.Since(start)
	return err
}
