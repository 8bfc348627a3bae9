package passengine

import (
	"context"

	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/store"
)

// This file holds the dry runs (RULES C10): Explain (in visits.go) for a
// check-in, ExplainBook and ExplainRedeem. Each runs the same decision code
// as the real call in a read-only unit of work, so it answers what the
// call would do now, with the same ranking and reasons, and writes
// nothing: no visit, no units, no ledger entry, no lockout failure, no
// idempotency record. A dry run does not look at the idempotency key: it
// answers what a new call would do, even when the key was used before.

// dryRun runs decide in a read-only unit of work and returns the result
// of its outcome.
func (e *Engine) dryRun(ctx context.Context, decide func(store.Tx) (catalog.Network, checkin.Outcome, error)) (VisitResult, error) {
	var r VisitResult
	err := e.st.View(ctx, func(tx store.Tx) error {
		n, o, err := decide(tx)
		if err != nil {
			return err
		}
		if _, err := e.cardEffects(ctx, tx, &o); err != nil { // the points the call would move, written nowhere
			return err
		}
		r = result(&o, n.Currency)
		detach(r.Selection.Candidates)
		return nil
	})
	detachErr(err)
	return r, err
}

// ExplainBook answers what Book would do for req now (C10): the pass that
// would pay, the units it would take, the balances after, and the ranked
// candidates with their reasons, or the refusal Book would return. It
// writes nothing, and the result's visit has no ID. Key may be empty. It
// returns the errors Book would: a *FieldError for bad input (a start out
// of the Engine's bounds among it), ErrNotFound for unknown IDs, and an
// *entitlement.RefusalError (ErrNoEntitlement) with each pass's reason
// when no pass may pay.
func (e *Engine) ExplainBook(ctx context.Context, req BookRequest) (VisitResult, error) {
	if e.observes(ctx) {
		return observe1(ctx, e, "explain_book", req.Network, "", req, (*Engine).ExplainBook)
	}
	if err := req.validate(false); err != nil {
		return VisitResult{}, err
	}
	now := e.now()
	start, err := e.classStart(req.Start, now)
	if err != nil {
		return VisitResult{}, err
	}
	return e.dryRun(ctx, func(tx store.Tx) (catalog.Network, checkin.Outcome, error) {
		return e.decideBook(ctx, tx, req, start, now, "", "")
	})
}

// ExplainRedeem answers what Redeem would decide for req now (C10, P2,
// P3): the outcome and its reason, the pass and product the code names,
// and on success the visit (without an ID), the holder, the health
// declaration and the balance after; an unknown code that would lock the
// location says until when. It writes nothing: no visit, no units, and no
// failure counted toward the lockout, whose state stays as it was. While
// the location is locked it refuses with ErrLocationLocked, as Redeem
// does. Key may be empty.
//
// ExplainRedeem is a staff and QA tool. Because it counts no failure, it
// tells whether a code exists without moving the lockout: it is an oracle
// for codes. Never expose it to whoever types codes (a desk terminal, a
// kiosk, a holder's app, a public API): behind it, codes could be searched
// at any unlocked location without ever locking it.
//
// It returns the result with the *RedeemError Redeem would return for a
// refusal, a *FieldError for bad input (a code that is not 8 digits, an
// At out of the Engine's bounds), ErrNoCodeKey without a key,
// ErrCodeKeyMismatch with another key than the one the network's codes
// were made with (a dry run checks the key but never records it), and
// ErrNotFound for an unknown network or location.
func (e *Engine) ExplainRedeem(ctx context.Context, req RedeemRequest) (RedeemResult, error) {
	if e.observes(ctx) {
		return observe1(ctx, e, "explain_redeem", req.Network, "", req, (*Engine).ExplainRedeem)
	}
	keys, hash, now, err := e.redeemInput(req, false)
	if err != nil {
		return RedeemResult{}, err
	}
	at, err := e.instant("at", req.At, now)
	if err != nil {
		return RedeemResult{}, err
	}
	var r RedeemResult
	err = e.st.View(ctx, func(tx store.Tx) error {
		st, d, err := e.decideRedeem(ctx, tx, req, keys, hash, at, now, "", false)
		if err != nil {
			return err
		}
		if d.Outcome == checkin.Redeemed {
			if _, err := e.cardEffects(ctx, tx, &d.Effects); err != nil {
				return err
			}
		}
		r = redeemResult(st, &d)
		return nil
	})
	if err != nil {
		return RedeemResult{}, err
	}
	return r, r.Err()
}
