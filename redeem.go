package passengine

import (
	"context"
	"errors"
	"time"

	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/passcode"
	"github.com/passengine/passengine/store"
)

// RedeemRequest is a front desk entering a customer's passcode at a
// location (P2, P3).
type RedeemRequest struct {
	// Key is the call's idempotency key (I1): the same key with the same
	// request returns the first result, with another request ErrKeyReused.
	// It has no JSON form: a host takes it from the Idempotency-Key
	// header, never from a body.
	Key string `json:"-"`
	// Network is the ID of the network the call is in.
	// It has no JSON form: a host takes it from the route or its auth,
	// never from a body.
	Network string `json:"-"`
	// Location is the ID of the desk's location.
	Location string `json:"location"`
	// Code is the 8-digit passcode as typed; spaces and hyphens are
	// ignored.
	Code string `json:"code"`
	// At is when the customer came in; zero means now. It dates the visit
	// and picks the terms in force; it may be at most the Engine's clock
	// skew ahead of now and its backdating window behind (S3), and a pass
	// issued after it cannot pay for it. The lockout is measured on the
	// Engine's clock, whatever At says.
	At time.Time `json:"at,omitzero"`
	// Actor is who redeems (the desk or its clerk), kept on the ledger entry;
	// "" for none.
	Actor string `json:"actor,omitempty"`
}

// HealthDeclaration is what a desk is shown of the holder's health
// declaration (P3): done or not, and when.
type HealthDeclaration struct {
	// Done is whether the holder made the declaration by the visit's instant.
	Done bool `json:"done"`
	// At is when it was made; nil when it was not.
	At *time.Time `json:"at,omitempty"`
}

// RedeemResult is the outcome of a redemption (P2, P3). Outcome says what
// happened (its Message is the text for the desk); Reason is the
// eligibility reason of a pass refusal (G7); LockedUntil is set when the
// location is locked, by this failure or before. Pass and Product name the
// pass the code found. On success Visit is the recorded visit (with the
// terms version in force), Holder the customer, Health the declaration,
// and Balance the pass's units left.
type RedeemResult struct {
	// Outcome is what happened: Redeemed, or why not.
	Outcome checkin.RedeemOutcome `json:"outcome"`
	// Reason is the pass's eligibility reason behind a pass refusal; ""
	// otherwise.
	Reason entitlement.Reason `json:"reason,omitempty"`
	// LockedUntil is when the location's lock ends, set when it is locked; the
	// zero time otherwise.
	LockedUntil time.Time `json:"locked_until,omitzero"`
	// Pass is the ID of the pass the code found; "" for an unknown code.
	Pass string `json:"pass,omitempty"`
	// Product is the ID of that pass's product.
	Product string `json:"product,omitempty"`
	// Visit is the visit recorded, with the terms version in force; zero
	// (absent from the JSON form) unless Redeemed.
	Visit checkin.Visit `json:"visit,omitzero"`
	// Holder is the customer; zero (absent from the JSON form) unless
	// Redeemed.
	Holder catalog.Holder `json:"holder,omitzero"`
	// Health is the holder's health declaration; zero unless Redeemed.
	Health HealthDeclaration `json:"health"`
	// Balance is the pass's units left after the redemption, in days or
	// visits.
	Balance int `json:"balance"`
	// Points is the bonus points the redemption earned on the card whose
	// visit it used (M3); empty when none.
	Points []CardPoints `json:"points"`
}

// Err returns nil for a redeemed result and the *RedeemError of a refusal.
func (r *RedeemResult) Err() error {
	if r.Outcome == checkin.Redeemed {
		return nil
	}
	return &RedeemError{Outcome: r.Outcome, Reason: r.Reason, Pass: r.Pass, LockedUntil: r.LockedUntil}
}

// Redeem redeems a passcode at a location (P2, P3). In one unit of work
// with the location locked: a location locked by the lockout refuses at
// once with the lock's end; an unknown code is counted, and the failure
// that makes more than the lockout's maximum within its window locks the
// location (WithLockout; default more than 5 in 15 minutes lock for 24
// hours); a known code's pass is checked for its holder with G1 to G6 at
// the service date of At, then the holder's health declaration. Success
// records a Redemption visit with the terms version in force, consuming a
// day unit (none if the pass's unit already covers the date, C2) or one
// visit, and returns the holder and the declaration.
//
// A refusal is a committed result, not a rolled-back error: the failure
// count is written in the same transaction as the check, and the result is
// kept under the key, so a retry returns it without counting it again. The
// result is returned with a *RedeemError (ErrUnknownCode,
// ErrLocationLocked, ErrNotIncluded, ErrPassNotUsable,
// ErrNoHealthDeclaration) for each refusal. Redeem returns a *FieldError
// for bad input (a code that is not 8 digits is not counted; an At out of
// the Engine's bounds), ErrNoCodeKey without a key, ErrCodeKeyMismatch
// with another key than the one the network's codes were made with
// (nothing counted), ErrNotFound for an unknown network or location, and
// an *IdempotencyError for a reused key.
func (e *Engine) Redeem(ctx context.Context, req RedeemRequest) (RedeemResult, error) {
	keys, hash, now, err := e.redeemInput(req, true)
	if err != nil {
		return RedeemResult{}, err
	}
	at, atErr := e.instant("at", req.At, now) // checked once the key is new: a retry returns its first result
	visitID := e.newID()
	var read *catalog.Holder // the holder as this call read them; nil for a replay
	res, err := idempotent(ctx, e, req.Network, req.Key, "redeem", redeemFingerprint("redeem", req.Location, hash, req.At),
		func(tx store.Tx) (RedeemResult, error) {
			read = nil
			if atErr != nil {
				return RedeemResult{}, atErr
			}
			r, err := e.redeem(ctx, tx, req, keys, hash, at, now, visitID)
			if err == nil && r.Outcome == checkin.Redeemed {
				h := r.Holder
				read, r.Holder, r.Health.At = &h, catalog.Holder{Network: h.Network, ID: h.ID}, nil // stored without them (erase.go)
			}
			return r, err
		})
	if err != nil {
		return res, err
	}
	if err := e.deskHolder(ctx, req.Network, &res, read); err != nil {
		return res, err
	}
	return res, res.Err()
}

// redeemInput validates req (its key only when needKey) and returns the
// Engine's passcode keys, the keyed hash of the code and the Engine's now,
// on which the lockout is measured and At bounded.
func (e *Engine) redeemInput(req RedeemRequest, needKey bool) (keys *passcode.Keys, hash string, now time.Time, err error) {
	if needKey {
		if err := field.ID("key", req.Key); err != nil {
			return nil, "", now, err
		}
	}
	if err := field.First(field.ID("network", req.Network), field.ID("location", req.Location), field.Text("actor", req.Actor)); err != nil {
		return nil, "", now, err
	}
	code, err := passcode.Normalize(req.Code)
	if err != nil {
		return nil, "", now, err
	}
	if keys, err = e.codeKeys(); err != nil {
		return nil, "", now, err
	}
	return keys, keys.Hash(req.Network, code), e.now(), nil
}

func (e *Engine) redeem(ctx context.Context, tx store.Tx, req RedeemRequest, keys *passcode.Keys, hash string, at, now time.Time, visitID string) (RedeemResult, error) {
	st, d, err := e.decideRedeem(ctx, tx, req, keys, hash, at, now, visitID, true)
	if err != nil {
		return RedeemResult{}, err
	}
	if d.GuardChanged {
		if err := tx.Guards().Put(ctx, d.Guard); err != nil {
			return RedeemResult{}, err
		}
	}
	if d.Outcome == checkin.Redeemed {
		if err := e.write(ctx, tx, &d.Effects, req.Key, req.Actor); err != nil {
			return RedeemResult{}, err
		}
	}
	return redeemResult(st, &d), nil
}

// decideRedeem reads what a redemption reads, with the location locked
// and then the holder the code names, and decides it (P2, P3). It checks
// the passcode key against the network's (S6); with record (the real
// call), a code found proves the key, which is recorded for a network
// that has none yet. Otherwise it writes nothing: the caller stores the
// guard and the effects, or not.
func (e *Engine) decideRedeem(ctx context.Context, tx store.Tx, req RedeemRequest, keys *passcode.Keys, hash string, at, now time.Time,
	visitID string, record bool) (*checkin.RedeemState, checkin.RedeemDecision, error) {
	if _, err := network(ctx, tx, req.Network); err != nil {
		return nil, checkin.RedeemDecision{}, err
	}
	if err := e.checkCodeKey(ctx, tx, req.Network, keys, false); err != nil {
		return nil, checkin.RedeemDecision{}, err
	}
	c := tx.Catalog()
	loc, err := c.Location(ctx, req.Network, req.Location)
	if err != nil {
		return nil, checkin.RedeemDecision{}, err
	}
	z, err := e.locationZone(loc)
	if err != nil {
		return nil, checkin.RedeemDecision{}, err
	}
	if err := c.LockLocation(ctx, req.Network, req.Location); err != nil {
		return nil, checkin.RedeemDecision{}, err
	}
	g, err := tx.Guards().Get(ctx, req.Network, req.Location)
	if err != nil {
		return nil, checkin.RedeemDecision{}, err
	}
	st := &checkin.RedeemState{Location: loc, Zone: z, Guard: g, Lockout: e.lockout()}
	if !g.Locked(now) {
		if err := e.loadRedeem(ctx, tx, st, hash, at); err != nil {
			return nil, checkin.RedeemDecision{}, err
		}
	}
	if st.Pass != nil { // the code was found: the key is the network's
		if err := e.checkCodeKey(ctx, tx, req.Network, keys, record); err != nil {
			return nil, checkin.RedeemDecision{}, err
		}
	}
	return st, checkin.DecideRedeem(st, checkin.Redeem{Visit: visitID, At: at, Now: now}), nil
}

// redeemResult returns the result of decision d on state st.
func redeemResult(st *checkin.RedeemState, d *checkin.RedeemDecision) RedeemResult {
	r := RedeemResult{Outcome: d.Outcome, Reason: d.Reason, LockedUntil: d.LockedUntil, Pass: d.Pass}
	if st.Pass != nil {
		r.Product = st.Pass.Product
	}
	if d.Outcome == checkin.Redeemed {
		r.Visit, r.Holder, r.Balance = d.Effects.Visit, st.Holder, st.Pass.Balance
		r.Health = HealthDeclaration{Done: true, At: st.Holder.HealthDeclaredAt}
		r.Points = cardPoints(&d.Effects)
	}
	return r
}

// loadRedeem loads the pass the code names (none for an unknown code), its
// holder locked (I2), the holder's visits on the service date for a day
// pass (C2), and the location's terms version in force at at (Y1).
func (e *Engine) loadRedeem(ctx context.Context, tx store.Tx, st *checkin.RedeemState, hash string, at time.Time) error {
	net := st.Location.Network
	p, err := tx.Passes().ByCode(ctx, net, hash)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if p.Holder == "" { // a team pass cannot carry a code; refused as not eligible
		st.Pass = &p
		return nil
	}
	if err := tx.Catalog().LockHolder(ctx, net, p.Holder); err != nil {
		return err
	}
	if st.Holder, err = tx.Catalog().Holder(ctx, net, p.Holder); err != nil {
		return err
	}
	if p, err = tx.Passes().Get(ctx, net, p.ID); err != nil { // as of the lock
		return err
	}
	if p.CodeHash != hash { // rotated meanwhile: the code is unknown now
		return nil
	}
	st.Pass = &p
	if p.Kind == pass.Day {
		d := st.Zone.Date(at)
		if st.Recent, err = tx.Visits().OnDates(ctx, net, p.Holder, d, d); err != nil {
			return err
		}
	}
	t, err := tx.Terms().At(ctx, net, st.Location.ID, at)
	switch {
	case err == nil:
		st.Terms = t.ID
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	return nil
}
