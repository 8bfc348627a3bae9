package passengine

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

// VisitResult is what a check-in, check-out or booking call did (C9): the
// visit (with the pass or PAYG product that paid, its lineage of
// consumptions and its charges), visits closed automatically on the way
// (C8), the balances after of the passes it changed, the money it charged,
// the ranked candidates with their reasons, and the bonus points it moved
// on cards (M3).
type VisitResult struct {
	// Visit is the visit the call opened, closed or changed.
	Visit checkin.Visit `json:"visit"`
	// Closed are the holder's older visits closed automatically on the way
	// (C8); empty for most calls.
	Closed []checkin.Visit `json:"closed"`
	// Balances are the balances after the call of the passes it changed, by
	// pass ID.
	Balances []Balance `json:"balances"`
	// Charge is the money the call charged: the visit's PAYG charges and no-
	// show fee, in the network's currency; zero for none.
	Charge money.Money `json:"charge"`
	// Selection ranks every pass considered, with the reason each was not
	// used; empty when no pass was ranked (a check-out).
	Selection entitlement.Selection `json:"selection"`
	// Points is the bonus points the call moved on cards whose visits it
	// used or gave back (M3, cards_points.go); empty when none moved.
	Points []CardPoints `json:"points"`
}

// Balance is a pass's balance after a call.
type Balance struct {
	// Pass is the pass's ID.
	Pass string `json:"pass"`
	// Kind is the pass's kind, which says Balance's unit.
	Kind pass.Kind `json:"kind"`
	// Balance is the units left: days, minutes or visits.
	Balance int `json:"balance"`
}

func result(o *checkin.Outcome, currency string) VisitResult {
	r := VisitResult{Visit: o.Visit, Closed: o.Closed, Selection: o.Selection, Charge: money.Zero(currency), Points: cardPoints(o)}
	for _, p := range o.Passes {
		r.Balances = append(r.Balances, Balance{Pass: p.ID, Kind: p.Kind, Balance: p.Balance})
	}
	slices.SortFunc(r.Balances, func(a, b Balance) int { return compareStrings(a.Pass, b.Pass) })
	for _, c := range o.Visit.Charges {
		r.Charge = r.Charge.Add(c.Amount)
	}
	if o.Visit.Fee != nil {
		r.Charge = r.Charge.Add(o.Visit.Fee.Amount)
	}
	return r
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// CheckInRequest checks a holder in at a location.
type CheckInRequest struct {
	// Key is the call's idempotency key (I1): the same key with the same
	// request returns the first result, with another request ErrKeyReused.
	// It has no JSON form: a host takes it from the Idempotency-Key
	// header, never from a body.
	Key string `json:"-"`
	// Network is the ID of the network the call is in.
	// It has no JSON form: a host takes it from the route or its auth,
	// never from a body.
	Network string `json:"-"`
	// Holder is the ID of the holder who comes in.
	Holder string `json:"holder"`
	// Location is the ID of the location they come into.
	Location string `json:"location"`
	// At is when the holder came in; zero means now. A door controller
	// replaying an offline event sets it: it may be at most the Engine's
	// clock skew ahead of now and its backdating window behind (S3).
	At time.Time `json:"at,omitzero"`
	// Cost is what the visit takes from a visits pass; 0 means 1 (C3).
	Cost int `json:"cost,omitempty"`
	// Actor is who makes the call (a desk, a door, a staff member), kept on
	// the ledger entries; "" for none.
	Actor string `json:"actor,omitempty"`
}

func (r CheckInRequest) validate(needKey bool) error {
	if needKey {
		if err := field.ID("key", r.Key); err != nil {
			return err
		}
	}
	return field.First(field.ID("network", r.Network), field.ID("holder", r.Holder),
		field.ID("location", r.Location), field.NonNegative("cost", r.Cost), field.Text("actor", r.Actor))
}

// CheckIn checks the holder in (C1-C5, C9): it reuses a day unit already
// covering the business day, or consumes from the first eligible pass in
// the consumption order, or opens a PAYG visit. It returns a *FieldError
// for bad input, ErrNotFound for an unknown network, holder or location, an
// *entitlement.RefusalError (ErrNoEntitlement) with each pass's reason when
// nothing may pay, a *checkin.AlreadyCheckedInError (ErrAlreadyCheckedIn)
// when the holder is in already, and an *IdempotencyError for a reused key.
// The same key with the same request returns the first result (C1, I1).
// An At outside the Engine's bounds (WithClockSkew, WithBackdating) is a
// *FieldError named "at".
func (e *Engine) CheckIn(ctx context.Context, req CheckInRequest) (VisitResult, error) {
	if e.observes(ctx) {
		return observe1(ctx, e, "check_in", req.Network, req.Key, req, (*Engine).CheckIn)
	}
	if err := req.validate(true); err != nil {
		return VisitResult{}, err
	}
	// The bound is checked once the key is known to be new: a retry of a
	// call made inside the window returns its first result after it.
	at, atErr := e.instant("at", req.At, e.now())
	r := checkInRuns.Get().(*checkInRun)
	*r = checkInRun{e: e, ctx: ctx, req: req, at: at, atErr: atErr, visitID: e.newID(), room: r.room, scratch: r.scratch}
	res, err := idempotentRun[VisitResult](ctx, e, req.Network, req.Key, "check_in", req.fingerprint("check_in"), true, r)
	*r = checkInRun{room: r.room, scratch: r.scratch}
	checkInRuns.Put(r)
	return res, err
}

// decideAndWrite runs decide as a unit of work under idempotency key
// (I1), the request's fingerprint sum, writes the outcome's effects
// stamped with key and actor, and returns its result.
func (e *Engine) decideAndWrite(ctx context.Context, network, key, op, actor string, sum [fpLen]byte,
	decide func(store.Tx) (catalog.Network, checkin.Outcome, error)) (VisitResult, error) {
	return idempotentLoaded(ctx, e, network, key, op, sum, func(tx store.Tx) (VisitResult, error) {
		n, o, err := decide(tx)
		if err != nil {
			return VisitResult{}, err
		}
		return e.writeOutcome(ctx, tx, n, &o, key, actor)
	})
}

// writeOutcome writes a decision's effects, stamped with key and actor,
// after the account debits it makes (W2), and returns its result.
func (e *Engine) writeOutcome(ctx context.Context, tx store.Tx, n catalog.Network, o *checkin.Outcome, key, actor string) (VisitResult, error) {
	if err := e.debit(ctx, tx, n, o, key, actor); err != nil { // W2, visits closed on the way
		return VisitResult{}, err
	}
	if err := e.write(ctx, tx, o, key, actor); err != nil {
		return VisitResult{}, err
	}
	return result(o, n.Currency), nil
}

// decideCheckIn loads the holder's state for a check-in at at and decides
// it (C1-C5); it writes nothing. A non-empty key is looked up with the
// state: its record, when there is one, is returned as a *recordedError
// (engine.go) in place of a decision.
func (e *Engine) decideCheckIn(ctx context.Context, tx store.Tx, req CheckInRequest, at time.Time, visitID, key string, room *checkin.Room, sc *store.Scratch) (catalog.Network, checkin.Outcome, error) {
	s, z, from, to, err := e.loadDays(ctx, tx, store.StateQuery{Network: req.Network, Holder: req.Holder, Location: req.Location,
		Lookback: e.capDays(), Key: key, Scratch: sc},
		func(z calendar.Zone) (calendar.Date, calendar.Date) { d := z.Date(at); return d.AddDays(-1), d },
		func() (calendar.Date, calendar.Date) {
			first, last := calendar.Bounds(at)
			return first.AddDays(-1), last
		})
	if err != nil {
		return s.Network, checkin.Outcome{}, err
	}
	st, err := e.assemble(&s, z, from, to, e.capDays(), nil, nil, room)
	if err != nil {
		return s.Network, checkin.Outcome{}, err
	}
	o, err := checkin.DecideCheckIn(st, checkin.CheckIn{Visit: visitID, At: at, Cost: req.Cost,
		AllowUnpaid: e.settleLater})
	return s.Network, o, err
}

// Explain answers what CheckIn would do for req now, with the same ranking
// and reasons, and writes nothing (C10). Key may be empty. It returns the
// errors CheckIn would.
func (e *Engine) Explain(ctx context.Context, req CheckInRequest) (VisitResult, error) {
	if e.observes(ctx) {
		return observe1(ctx, e, "explain", req.Network, "", req, (*Engine).Explain)
	}
	if err := req.validate(false); err != nil {
		return VisitResult{}, err
	}
	at, err := e.instant("at", req.At, e.now())
	if err != nil {
		return VisitResult{}, err
	}
	return e.dryRun(ctx, func(tx store.Tx) (catalog.Network, checkin.Outcome, error) {
		return e.decideCheckIn(ctx, tx, req, at, "", "", new(checkin.Room), nil)
	})
}

// CheckOutRequest checks a visit out.
type CheckOutRequest struct {
	// Key is the call's idempotency key (I1): the same key with the same
	// request returns the first result, with another request ErrKeyReused.
	// It has no JSON form: a host takes it from the Idempotency-Key
	// header, never from a body.
	Key string `json:"-"`
	// Network is the ID of the network the call is in.
	// It has no JSON form: a host takes it from the route or its auth,
	// never from a body.
	Network string `json:"-"`
	// Visit is the ID of the open visit checked out.
	Visit string `json:"visit"`
	// At is when the holder left; zero means now. It is bounded like a
	// check-in's At (S3), and a check-out later than the visit's start plus
	// the maximum visit length (WithMaxOpen) closes it at that instant,
	// marked automatic (C8).
	At time.Time `json:"at,omitzero"`
	// Actor is who makes the call (a desk, a door, a staff member), kept on
	// the ledger entries; "" for none.
	Actor string `json:"actor,omitempty"`
}

// CheckOut closes an open visit (C4-C7, C9): time passes are drained in
// order, the rest charged as PAYG within the daily cap or recorded as
// uncovered minutes, counting no further than the visit's start plus the
// maximum visit length (C8). It returns a *FieldError for bad input, an At
// out of the Engine's bounds or a check-out before the check-in,
// ErrNotFound for an unknown visit, ErrNotOpen for a visit that is not
// open (C7), and an *IdempotencyError for a reused key.
func (e *Engine) CheckOut(ctx context.Context, req CheckOutRequest) (VisitResult, error) {
	if e.observes(ctx) {
		return observe1(ctx, e, "check_out", req.Network, req.Key, req, (*Engine).CheckOut)
	}
	if err := field.First(validKey(req.Key, req.Network), field.ID("visit", req.Visit), field.Text("actor", req.Actor)); err != nil {
		return VisitResult{}, err
	}
	at, atErr := e.instant("at", req.At, e.now()) // checked once the key is new, as CheckIn's
	r := checkOutRuns.Get().(*checkOutRun)
	*r = checkOutRun{e: e, ctx: ctx, req: req, at: at, atErr: atErr, room: r.room, scratch: r.scratch}
	res, err := idempotentRun[VisitResult](ctx, e, req.Network, req.Key, "check_out", req.fingerprint("check_out"), true, r)
	*r = checkOutRun{room: r.room, scratch: r.scratch}
	checkOutRuns.Put(r)
	return res, err
}

// checkOutSpan is the days a check-out at at reads: from the days before
// the visit's on which a visit may have begun whose PAYG charges share the
// visit's days (C6), to the day it ends, at at or at its maximum length.
// Its decision reads the live passes only to drain a time visit's minutes
// (C4).
func (e *Engine) checkOutSpan(at time.Time) span {
	return span{from: -e.capDays(), until: at, max: e.maxOpen, timeLive: true}
}

// span is the service days a call on a visit reads: from the visit's day
// plus from days, to the day of until (or of the visit's start plus max,
// when earlier) in the location's zone, or to the visit's day when until
// is zero. With timeLive, the decision's State holds the holder's live
// passes only for a time visit (a check-out's: no other visit's
// check-out reads a pass but those of its lineage).
type span struct {
	from     int
	until    time.Time
	max      time.Duration
	timeLive bool
}

// end returns the instant the span of v ends.
func (s span) end(v *checkin.Visit) time.Time {
	if s.max > 0 && s.until.After(v.Start.Add(s.max)) {
		return v.Start.Add(s.max)
	}
	return s.until
}

// days returns the span of v in z.
func (s span) days(v *checkin.Visit, z calendar.Zone) (from, to calendar.Date) {
	if s.until.IsZero() {
		return v.Date.AddDays(s.from), v.Date
	}
	return v.Date.AddDays(s.from), z.Date(s.end(v))
}

// sameDay is the span of calls that read the visit's own day.
var sameDay = span{}

// visitCall runs a decision on an existing visit: it loads the state of
// the visit's holder at its location over sp, with the visit as of the
// lock, decides and writes. A non-nil refused is returned in place of all
// that once the key is known to be new (a bound on a supplied instant).
func (e *Engine) visitCall(ctx context.Context, netID, key, op, actor, visitID string, sum [fpLen]byte, refused error, extra []string, sp span,
	decide func(catalog.Network, *checkin.State, checkin.Visit) (checkin.Outcome, error)) (VisitResult, error) {
	return idempotentLoaded(ctx, e, netID, key, op, sum, func(tx store.Tx) (VisitResult, error) {
		return e.visitOnTx(ctx, tx, netID, key, actor, visitID, refused, extra, sp, new(checkin.Room), nil, decide)
	})
}

// visitOnTx is the unit of work of visitCall. decide does not escape it,
// so a method value passed as decide needs no allocation (checkOutRun).
// The decision's State is room's (assemble).
func (e *Engine) visitOnTx(ctx context.Context, tx store.Tx, netID, key, actor, visitID string, refused error, extra []string, sp span, room *checkin.Room, sc *store.Scratch,
	decide func(catalog.Network, *checkin.State, checkin.Visit) (checkin.Outcome, error)) (VisitResult, error) {
	if refused != nil {
		return VisitResult{}, refused
	}
	// The query names only the visit: the store reads its holder and
	// location, and the days from sp.from before its date to the last
	// day until may fall on in any zone (or to its date).
	q := store.StateQuery{Network: netID, Visit: visitID, Lineage: extra, Lookback: -sp.from, FromVisit: sp.from, Key: key, Scratch: sc}
	if !sp.until.IsZero() {
		_, q.To = calendar.Bounds(sp.until)
	}
	s, err := store.Load(ctx, tx, q)
	if err != nil {
		return VisitResult{}, err
	}
	if s.Record != nil {
		return VisitResult{}, &recordedError{rec: *s.Record}
	}
	z, err := e.locationZone(s.Location)
	if err != nil {
		return VisitResult{}, err
	}
	if sp.timeLive && s.Visit.Mode != checkin.ByTime {
		s.Live = nil
	}
	from, to := sp.days(&s.Visit, z)
	st, err := e.assemble(&s, z, from, to, -sp.from, extra, &s.Visit, room)
	if err != nil {
		return VisitResult{}, err
	}
	o, err := decide(s.Network, st, s.Visit)
	if err != nil {
		return VisitResult{}, err
	}
	return e.writeOutcome(ctx, tx, s.Network, &o, key, actor)
}

// BookRequest books a class for a holder (B1).
type BookRequest struct {
	// Key is the call's idempotency key (I1): the same key with the same
	// request returns the first result, with another request ErrKeyReused.
	// It has no JSON form: a host takes it from the Idempotency-Key
	// header, never from a body.
	Key string `json:"-"`
	// Network is the ID of the network the call is in.
	// It has no JSON form: a host takes it from the route or its auth,
	// never from a body.
	Network string `json:"-"`
	// Holder is the ID of the holder who books.
	Holder string `json:"holder"`
	// Location is the ID of the location of the class.
	Location string `json:"location"`
	// Start is when the class starts: at most the booking horizon ahead of
	// the Engine's clock and its backdating window behind (S3).
	Start time.Time `json:"start,omitzero"`
	// Cost is the class's cost in visits or points; 0 means 1.
	Cost int `json:"cost,omitempty"`
	// Actor is who makes the call (a desk, a door, a staff member), kept on
	// the ledger entries; "" for none.
	Actor string `json:"actor,omitempty"`
}

// Book books a class (B1): the first eligible visits pass for the class's
// service date pays its cost, under activation and lock (A2-A4). It returns
// a *FieldError for bad input (a start out of the Engine's bounds among
// it), ErrNotFound for unknown IDs, and an *entitlement.RefusalError when
// no pass may pay.
func (e *Engine) Book(ctx context.Context, req BookRequest) (VisitResult, error) {
	if e.observes(ctx) {
		return observe1(ctx, e, "book", req.Network, req.Key, req, (*Engine).Book)
	}
	if err := req.validate(true); err != nil {
		return VisitResult{}, err
	}
	now, visitID := e.now(), e.newID()
	start, startErr := e.classStart(req.Start, now) // checked once the key is new, as CheckIn's
	return e.decideAndWrite(ctx, req.Network, req.Key, "book", req.Actor, req.fingerprint("book"),
		func(tx store.Tx) (catalog.Network, checkin.Outcome, error) {
			if startErr != nil {
				return catalog.Network{}, checkin.Outcome{}, startErr
			}
			return e.decideBook(ctx, tx, req, start, now, visitID, req.Key)
		})
}

func (r BookRequest) validate(needKey bool) error {
	if needKey {
		if err := field.ID("key", r.Key); err != nil {
			return err
		}
	}
	if err := field.First(field.ID("network", r.Network), field.ID("holder", r.Holder),
		field.ID("location", r.Location), field.NonNegative("cost", r.Cost), field.Text("actor", r.Actor)); err != nil {
		return err
	}
	if r.Start.IsZero() {
		return field.Invalid("start", "is required")
	}
	return nil
}

// decideBook loads the holder's state for the service date of the class
// starting at start (bounded by classStart) and decides the booking (B1);
// it writes nothing. A non-empty key is looked up with the state, as
// decideCheckIn's.
func (e *Engine) decideBook(ctx context.Context, tx store.Tx, req BookRequest, start, now time.Time, visitID, key string) (catalog.Network, checkin.Outcome, error) {
	s, z, d, _, err := e.loadDays(ctx, tx, store.StateQuery{Network: req.Network, Holder: req.Holder, Location: req.Location, Key: key},
		func(z calendar.Zone) (calendar.Date, calendar.Date) { d := z.Date(start); return d, d },
		func() (calendar.Date, calendar.Date) { return calendar.Bounds(start) })
	if err != nil {
		return s.Network, checkin.Outcome{}, err
	}
	st, err := e.assemble(&s, z, d, d, 0, nil, nil, new(checkin.Room))
	if err != nil {
		return s.Network, checkin.Outcome{}, err
	}
	o, err := checkin.DecideBook(st, checkin.Book{Visit: visitID, Start: start, Cost: req.Cost, At: now})
	return s.Network, o, err
}

// CancelRequest cancels a booking (B2).
type CancelRequest struct {
	// Key is the call's idempotency key (I1): the same key with the same
	// request returns the first result, with another request ErrKeyReused.
	// It has no JSON form: a host takes it from the Idempotency-Key
	// header, never from a body.
	Key string `json:"-"`
	// Network is the ID of the network the call is in.
	// It has no JSON form: a host takes it from the route or its auth,
	// never from a body.
	Network string `json:"-"`
	// Visit is the ID of the booking cancelled.
	Visit string `json:"visit"`
	// ByBusiness: the business cancelled; never late.
	ByBusiness bool `json:"by_business"`
	// Actor is who makes the call (a desk, a door, a staff member), kept on
	// the ledger entries; "" for none.
	Actor string `json:"actor,omitempty"`
}

// CancelBooking cancels a booking (B2, A5): on time (or by the business)
// the units go back to the pass that paid, even if it has expired since; a
// late cancel forfeits them unless the Engine refunds late cancels. It
// returns ErrNotBooked for a visit that is not a current booking.
func (e *Engine) CancelBooking(ctx context.Context, req CancelRequest) (VisitResult, error) {
	if e.observes(ctx) {
		return observe1(ctx, e, "cancel", req.Network, req.Key, req, (*Engine).CancelBooking)
	}
	if err := field.First(validKey(req.Key, req.Network), field.ID("visit", req.Visit), field.Text("actor", req.Actor)); err != nil {
		return VisitResult{}, err
	}
	now := e.now()
	return e.visitCall(ctx, req.Network, req.Key, "cancel", req.Actor, req.Visit, req.fingerprint("cancel"), nil, nil, sameDay,
		func(n catalog.Network, st *checkin.State, v checkin.Visit) (checkin.Outcome, error) {
			return checkin.DecideCancel(st, v, checkin.Cancel{At: now, ByBusiness: req.ByBusiness,
				Window: e.cancelWindow, RefundLate: e.refundLate})
		})
}

// AttendanceRequest marks a booking attended or missed (B3).
type AttendanceRequest struct {
	// Key is the call's idempotency key (I1): the same key with the same
	// request returns the first result, with another request ErrKeyReused.
	// It has no JSON form: a host takes it from the Idempotency-Key
	// header, never from a body.
	Key string `json:"-"`
	// Network is the ID of the network the call is in.
	// It has no JSON form: a host takes it from the route or its auth,
	// never from a body.
	Network string `json:"-"`
	// Visit is the ID of the booking marked.
	Visit string `json:"visit"`
	// Attended is true for a booking held, false for a no-show (B3).
	Attended bool `json:"attended"`
	// Actor is who makes the call (a desk, a door, a staff member), kept on
	// the ledger entries; "" for none.
	Actor string `json:"actor,omitempty"`
}

// MarkAttendance marks a booking attended or a no-show and applies the
// no-show policy once (B3): forfeit the units, or, with WithNoShowFee,
// return them and charge the fee. It returns ErrNotBooked for a visit that
// is not a current booking.
func (e *Engine) MarkAttendance(ctx context.Context, req AttendanceRequest) (VisitResult, error) {
	if e.observes(ctx) {
		return observe1(ctx, e, "attendance", req.Network, req.Key, req, (*Engine).MarkAttendance)
	}
	if err := field.First(validKey(req.Key, req.Network), field.ID("visit", req.Visit), field.Text("actor", req.Actor)); err != nil {
		return VisitResult{}, err
	}
	now := e.now()
	return e.visitCall(ctx, req.Network, req.Key, "attendance", req.Actor, req.Visit, req.fingerprint("attendance"), nil, nil, sameDay,
		func(n catalog.Network, st *checkin.State, v checkin.Visit) (checkin.Outcome, error) {
			fee := money.Money{}
			if !e.noShowFee.IsZero() {
				fee = money.Money{Amount: e.noShowFee, Currency: n.Currency}.Round()
			}
			return checkin.DecideAttendance(st, v, checkin.Attendance{Attended: req.Attended, At: now, Fee: fee})
		})
}

// MoveRequest moves a visit to another pass (C11).
type MoveRequest struct {
	// Key is the call's idempotency key (I1): the same key with the same
	// request returns the first result, with another request ErrKeyReused.
	// It has no JSON form: a host takes it from the Idempotency-Key
	// header, never from a body.
	Key string `json:"-"`
	// Network is the ID of the network the call is in.
	// It has no JSON form: a host takes it from the route or its auth,
	// never from a body.
	Network string `json:"-"`
	// Visit is the ID of the visit moved.
	Visit string `json:"visit"`
	// Pass is the ID of the holder's pass that pays instead.
	Pass string `json:"pass"`
	// Actor is who makes the call (a desk, a door, a staff member), kept on
	// the ledger entries; "" for none.
	Actor string `json:"actor,omitempty"`
}

// MoveVisit moves a visit paid by day or visits units to another eligible
// pass of the holder (C11): the first pass gets its units back and the
// second pays, in one step. It returns an *entitlement.RefusalError when
// the new pass is not eligible and ErrNotMovable for visits paid by time or
// PAYG or cancelled.
func (e *Engine) MoveVisit(ctx context.Context, req MoveRequest) (VisitResult, error) {
	if e.observes(ctx) {
		return observe1(ctx, e, "move", req.Network, req.Key, req, (*Engine).MoveVisit)
	}
	if err := field.First(validKey(req.Key, req.Network), field.ID("visit", req.Visit), field.ID("pass", req.Pass),
		field.Text("actor", req.Actor)); err != nil {
		return VisitResult{}, err
	}
	now := e.now()
	return e.visitCall(ctx, req.Network, req.Key, "move", req.Actor, req.Visit, req.fingerprint("move"), nil, []string{req.Pass}, sameDay,
		func(_ catalog.Network, st *checkin.State, v checkin.Visit) (checkin.Outcome, error) {
			return checkin.DecideMove(st, v, req.Pass, now)
		})
}

// CloseStaleRequest closes visits left open too long (C8).
type CloseStaleRequest struct {
	// Key is the call's idempotency key (I1); each visit's check-out is keyed
	// by Key and the visit's ID (see CloseStale).
	// It has no JSON form: a host takes it from the Idempotency-Key
	// header, never from a body.
	Key string `json:"-"`
	// Network is the ID of the network the call is in.
	// It has no JSON form: a host takes it from the route or its auth,
	// never from a body.
	Network string `json:"-"`
	// Limit bounds how many visits one call closes; 0 means 100.
	Limit int `json:"limit,omitempty"`
}

// CloseStale closes the network's visits open longer than the Engine's
// maximum (WithMaxOpen) at check-in + max, marked automatic (C8), each in
// its own unit of work keyed by Key and the visit's ID (joined by "/",
// each with "/" and "%" escaped). It returns the results of the visits it
// closed. It returns a *FieldError for a missing key or network, a
// negative limit, or a key too long to derive the visits' keys from.
func (e *Engine) CloseStale(ctx context.Context, req CloseStaleRequest) ([]VisitResult, error) {
	if e.observes(ctx) {
		return observe1(ctx, e, "close_stale", req.Network, req.Key, req, (*Engine).CloseStale)
	}
	if err := field.First(validKey(req.Key, req.Network), field.NonNegative("limit", req.Limit)); err != nil {
		return nil, err
	}
	limit := req.Limit
	if limit <= 0 {
		limit = 100
	}
	var stale []checkin.Visit
	now := e.now()
	err := e.st.View(ctx, func(tx store.Tx) (err error) {
		if _, err := network(ctx, tx, req.Network); err != nil {
			return err
		}
		stale, err = tx.Visits().OpenBefore(ctx, req.Network, now.Add(-e.maxOpen), limit)
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, sv := range stale {
		if err := checkDerivedKey(req.Key, sv.ID); err != nil {
			return nil, err
		}
	}
	var out []VisitResult
	for _, sv := range stale {
		at := sv.Start.Add(e.maxOpen)
		key := deriveKey(req.Key, sv.ID)
		r, err := e.visitCall(ctx, req.Network, key, "close_stale", "", sv.ID, CheckOutRequest{Visit: sv.ID, At: at}.fingerprint("close_stale"), nil, nil,
			e.checkOutSpan(at),
			func(n catalog.Network, st *checkin.State, v checkin.Visit) (checkin.Outcome, error) {
				return checkin.DecideCheckOut(st, v, at, true)
			})
		if err != nil {
			if errors.Is(err, ErrNotOpen) { // closed meanwhile by a check-out
				continue
			}
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}

// Visit returns a visit, ErrNotFound, or a *FieldError for a malformed ID.
func (e *Engine) Visit(ctx context.Context, network, id string) (v checkin.Visit, err error) {
	if e.observes(ctx) {
		return observe2(ctx, e, "visit", network, "", network, id, (*Engine).Visit)
	}
	if err := field.First(field.ID("network", network), field.ID("visit", id)); err != nil {
		return v, err
	}
	err = e.st.View(ctx, func(tx store.Tx) error { v, err = tx.Visits().Get(ctx, network, id); return err })
	return v, err
}
