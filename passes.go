package passengine

import (
	"context"
	"errors"
	"fmt"
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

// IssueRequest issues a product as a pass to a holder, or to a team whose
// members share it when the team's credit sharing is on (G1).
type IssueRequest struct {
	// Key is the call's idempotency key (I1): the same key with the same
	// request returns the first result, with another request ErrKeyReused.
	// It has no JSON form: a host takes it from the Idempotency-Key
	// header, never from a body.
	Key string `json:"-"`
	// Network is the ID of the network the call is in.
	// It has no JSON form: a host takes it from the route or its auth,
	// never from a body.
	Network string `json:"-"`
	// Product is the ID of the product issued.
	Product string `json:"product"`
	// Holder is the ID of the holder who gets the pass; "" when Team is set.
	Holder string `json:"holder,omitempty"`
	// Team is the ID of the team that gets the pass; "" when Holder is set.
	Team string `json:"team,omitempty"`
	// Source defaults to pass.FromProduct.
	Source pass.Source `json:"source,omitempty"`
	// Remaining, above zero, imports a part-used pack with that many units
	// left, priced pro rata unless Price is set (E5).
	Remaining int `json:"remaining,omitempty"`
	// Price overrides the product's price; zero Money keeps it.
	Price money.Money `json:"price"`
	// Paid marks the pass paid at issue (A6); false, the zero value, leaves it
	// unpaid and usable.
	Paid bool `json:"paid"`
	// ActivatedOn and ExpiresOn: required for a merchant-set activation
	// (A3); ExpiresOn alone sets the expiry of a pass active on purchase.
	ActivatedOn calendar.Date `json:"activated_on,omitzero"`
	// ExpiresOn is described with ActivatedOn above; the zero Date computes it
	// from the product's validity.
	ExpiresOn calendar.Date `json:"expires_on,omitzero"`
	// Actor is who makes the call (a desk, a staff member), kept on the ledger
	// entries; "" for none.
	Actor string `json:"actor,omitempty"`
	// Comment is a note kept on the ledger entries, free text.
	Comment string `json:"comment,omitempty"`
	// Passcode gives the pass an aggregator passcode (P1; see
	// RotatePasscode). It needs WithCodeKey, and a holder's day or visits
	// pass.
	Passcode bool `json:"passcode,omitempty"`
	// PayFromAccount pays the pass's price from the holder's prepaid
	// account (W2): the pass is marked paid by Actor (the holder when
	// empty) with the account entry that paid (PaidWith).
	PayFromAccount bool `json:"pay_from_account,omitempty"`
}

// Validate returns a *FieldError for a missing key, network or product, not
// exactly one of holder and team, an unknown source, a malformed price (or
// one finer than its currency's minor unit), a date out of range, or
// actor or comment text that is too long or holds control characters.
func (r IssueRequest) Validate() error {
	if err := field.First(validKey(r.Key, r.Network), field.ID("product", r.Product),
		field.OptionalID("holder", r.Holder), field.OptionalID("team", r.Team)); err != nil {
		return err
	}
	if (r.Holder == "") == (r.Team == "") {
		return field.Invalid("holder", "give exactly one of holder or team")
	}
	if r.Source != "" && !r.Source.Valid() {
		return field.Invalid("source", "%s is not plan, product, manual or import", field.Quote(string(r.Source)))
	}
	if err := field.First(field.NonNegative("remaining", r.Remaining),
		calendar.CheckOptionalDate("activated_on", r.ActivatedOn), calendar.CheckOptionalDate("expires_on", r.ExpiresOn),
		field.Text("actor", r.Actor), field.Text("comment", r.Comment)); err != nil {
		return err
	}
	if err := validPayFromAccount(r.PayFromAccount, r.Paid, r.Team); err != nil {
		return err
	}
	if !r.Price.IsZero() {
		return r.Price.Validate("price", "")
	}
	return nil
}

// IssuePass issues a pass (A1-A3, E5) and returns it. The purchase date is
// today in the network's zone. It returns a *FieldError for bad input
// (a price, or a product priced, in another currency than the network's
// among them), ErrNotFound for an unknown network, product, holder or
// team, and an *IdempotencyError for a key reused with another request.
// With Passcode it returns ErrNoCodeKey without a key, ErrCodeKeyMismatch
// when the key is not the network's, and a *FieldError for a team or time
// pass.
// With PayFromAccount it returns a *wallet.InsufficientFundsError
// (ErrInsufficientFunds) when the balance and overdraft limit do not
// cover the price, and then writes nothing (W2).
func (e *Engine) IssuePass(ctx context.Context, req IssueRequest) (pass.Pass, error) {
	if e.observes(ctx) {
		return observe1(ctx, e, "issue", req.Network, req.Key, req, (*Engine).IssuePass)
	}
	if err := req.Validate(); err != nil {
		return pass.Pass{}, err
	}
	req = req.normalized()
	now := e.now()
	return idempotent(ctx, e, req.Network, req.Key, "issue", req.fingerprint("issue"), func(tx store.Tx) (pass.Pass, error) {
		return e.issue(ctx, tx, req, now)
	})
}

func (e *Engine) issue(ctx context.Context, tx store.Tx, req IssueRequest, now time.Time) (pass.Pass, error) {
	n, err := network(ctx, tx, req.Network)
	if err != nil {
		return pass.Pass{}, err
	}
	if !req.Price.IsZero() {
		if err := req.Price.Validate("price", n.Currency); err != nil {
			return pass.Pass{}, err
		}
	}
	prod, err := tx.Catalog().Product(ctx, req.Network, req.Product)
	if err != nil {
		return pass.Pass{}, err
	}
	if prod.Price.Currency != n.Currency { // S5: a product stored before the network's currency was fixed
		return pass.Pass{}, field.Invalid("product", "%s is priced in %s, the network's currency is %s", field.Quote(prod.ID), prod.Price.Currency, n.Currency)
	}
	if req.Team != "" {
		err = tx.Catalog().LockTeam(ctx, req.Network, req.Team)
	} else {
		err = tx.Catalog().LockHolder(ctx, req.Network, req.Holder)
	}
	if err != nil {
		return pass.Pass{}, err
	}
	z, err := e.networkZone(n)
	if err != nil {
		return pass.Pass{}, err
	}
	p, entries, err := pass.Issue(prod, pass.IssueSpec{
		ID: e.newID(), Holder: req.Holder, Team: req.Team, Source: req.Source,
		Remaining: req.Remaining, Price: req.Price, Paid: req.Paid,
		ActivatedOn: req.ActivatedOn, ExpiresOn: req.ExpiresOn, At: now, On: z.Date(now),
	})
	if err != nil {
		return pass.Pass{}, err
	}
	if req.Passcode { // P1, aggregator.go
		if err := e.assignCode(ctx, tx, n.ID, &p); err != nil {
			return pass.Pass{}, err
		}
		entries = append(entries, codeEntry(&p, "passcode assigned", now))
	}
	if req.PayFromAccount { // W2, wallet_pay.go
		paid, err := e.payFromAccount(ctx, tx, n, &p, req.Key, req.Actor, req.Comment, now)
		if err != nil {
			return pass.Pass{}, err
		}
		entries = append(entries, paid...)
	}
	if err := tx.Passes().Put(ctx, p); err != nil {
		return pass.Pass{}, err
	}
	if err := e.appendEntries(ctx, tx, entries, req.Key, req.Actor, req.Comment); err != nil {
		return pass.Pass{}, err
	}
	if e.settleLater && req.Holder != "" {
		return e.settle(ctx, tx, p, req.Key, req.Actor, now)
	}
	return p, nil
}

// settle lets the newly issued pass p pay for the holder's unpaid visits,
// oldest first, while it is eligible for them (C12), and returns p as it
// ends.
func (e *Engine) settle(ctx context.Context, tx store.Tx, p pass.Pass, key, actor string, now time.Time) (pass.Pass, error) {
	unpaid, err := tx.Visits().List(ctx, store.VisitFilter{Network: p.Network, Holder: p.Holder, Mode: checkin.Unpaid})
	if err != nil || len(unpaid) == 0 {
		return p, err
	}
	for _, v := range unpaid {
		s, err := store.Load(ctx, tx, store.StateQuery{Network: p.Network, Holder: p.Holder, Location: v.Location,
			From: v.Date, To: v.Date, Lineage: []string{p.ID}})
		if err != nil {
			return p, err
		}
		z, err := e.locationZone(s.Location)
		if err != nil {
			return p, err
		}
		st, err := e.assemble(&s, z, v.Date, v.Date, 0, []string{p.ID}, nil, new(checkin.Room))
		if err != nil {
			return p, err
		}
		o, err := checkin.DecideSettle(st, v, p.ID, now)
		if errors.Is(err, entitlement.ErrNoEntitlement) {
			continue
		}
		if err != nil {
			return p, err
		}
		if err := e.write(ctx, tx, &o, key, actor); err != nil {
			return p, err
		}
	}
	return tx.Passes().Get(ctx, p.Network, p.ID)
}

// BulkIssueRequest issues one product to many holders (E6).
type BulkIssueRequest struct {
	// Key is the call's idempotency key (I1); each holder's issue is keyed by
	// Key and the holder's ID (see BulkIssue).
	// It has no JSON form: a host takes it from the Idempotency-Key
	// header, never from a body.
	Key string `json:"-"`
	// Network is the ID of the network the call is in.
	// It has no JSON form: a host takes it from the route or its auth,
	// never from a body.
	Network string `json:"-"`
	// Product is the ID of the product issued.
	Product string `json:"product"`
	// Holders are the IDs of the holders who each get a pass: at least
	// one, none twice.
	Holders []string `json:"holders"`
	// Source is how the passes reach their holders; "" means pass.FromProduct.
	Source pass.Source `json:"source,omitempty"`
	// Paid marks every pass paid at issue (A6).
	Paid bool `json:"paid"`
	// Actor is who makes the call (a desk, a staff member), kept on the ledger
	// entries; "" for none.
	Actor string `json:"actor,omitempty"`
	// Comment is a note kept on the ledger entries, free text.
	Comment string `json:"comment,omitempty"`
	// PayFromAccount pays each pass from its holder's account (W2): a
	// holder whose account cannot pay gets ErrInsufficientFunds in its
	// result and no pass.
	PayFromAccount bool `json:"pay_from_account,omitempty"`
}

// BulkResult is one holder's outcome of a bulk issue: the pass, or the
// error that refused it.
type BulkResult struct {
	// Holder is the ID of the holder.
	Holder string `json:"holder"`
	// Pass is the pass issued to the holder; zero (absent from the JSON
	// form) when Err is set.
	Pass pass.Pass `json:"pass,omitzero"`
	// Err is why the holder got no pass (ErrNotFound for an unknown holder,
	// ErrInsufficientFunds, ...); nil when it got one. Its JSON form is
	// "error", its message, absent when nil.
	Err error `json:"-"`
}

// BulkIssue issues the product to each holder (E6). Each holder's issue is
// its own unit of work, keyed by Key and the holder (joined by "/", each
// with "/" and "%" escaped, so no two pairs give one key), so running the
// same request again changes nothing for holders already done and returns
// their passes. It returns a *FieldError for a bad request (no holders, a
// holder listed twice, an unknown source, a key too long to derive a
// holder's key from) before it issues anything; per-holder failures are in
// the results.
func (e *Engine) BulkIssue(ctx context.Context, req BulkIssueRequest) ([]BulkResult, error) {
	if e.observes(ctx) {
		return observe1(ctx, e, "bulk_issue", req.Network, req.Key, req, (*Engine).BulkIssue)
	}
	if err := field.First(validKey(req.Key, req.Network), field.ID("product", req.Product),
		field.Text("actor", req.Actor), field.Text("comment", req.Comment)); err != nil {
		return nil, err
	}
	if req.Source != "" && !req.Source.Valid() {
		return nil, field.Invalid("source", "%s is not plan, product, manual or import", field.Quote(string(req.Source)))
	}
	if err := validPayFromAccount(req.PayFromAccount, req.Paid, ""); err != nil {
		return nil, err
	}
	if len(req.Holders) == 0 {
		return nil, field.Invalid("holders", "at least one holder is required")
	}
	seen := map[string]bool{}
	for _, h := range req.Holders {
		if err := field.ID("holders", h); err != nil {
			return nil, err
		}
		if seen[h] {
			return nil, field.Invalid("holders", "%s is listed twice", field.Quote(h))
		}
		seen[h] = true
		if err := checkDerivedKey(req.Key, h); err != nil {
			return nil, err
		}
	}
	out := make([]BulkResult, len(req.Holders))
	for i, h := range req.Holders {
		p, err := e.IssuePass(ctx, IssueRequest{Key: deriveKey(req.Key, h), Network: req.Network, Product: req.Product,
			Holder: h, Source: req.Source, Paid: req.Paid, Actor: req.Actor, Comment: req.Comment,
			PayFromAccount: req.PayFromAccount})
		out[i] = BulkResult{Holder: h, Pass: p, Err: err}
	}
	return out, nil
}

// changePass runs fn on pass id with its owner locked, stores the pass and
// the entries fn returns, and returns the pass.
func (e *Engine) changePass(ctx context.Context, netID, key, op, id string, sum [fpLen]byte,
	fn func(n catalog.Network, p *pass.Pass, now time.Time) ([]pass.Entry, error)) (pass.Pass, error) {
	now := e.now()
	return idempotent(ctx, e, netID, key, op, sum, func(tx store.Tx) (pass.Pass, error) {
		n, err := network(ctx, tx, netID)
		if err != nil {
			return pass.Pass{}, err
		}
		p, err := tx.Passes().Get(ctx, netID, id)
		if err != nil {
			return pass.Pass{}, err
		}
		if err := lockOwner(ctx, tx, &p); err != nil {
			return pass.Pass{}, err
		}
		if p, err = tx.Passes().Get(ctx, netID, id); err != nil { // as of the lock
			return pass.Pass{}, err
		}
		entries, err := fn(n, &p, now)
		if err != nil {
			return pass.Pass{}, err
		}
		for i := range entries {
			entries[i].Network, entries[i].Pass, entries[i].Holder, entries[i].At = p.Network, p.ID, p.Holder, now
			entries[i].Balance = p.Balance
		}
		if err := tx.Passes().Put(ctx, p); err != nil {
			return pass.Pass{}, err
		}
		return p, e.appendEntries(ctx, tx, entries, key, "", "")
	})
}

// AdjustRequest adds (Units > 0) or subtracts (Units < 0) units of a pass
// (E4), with an optional purchase or refund amount.
type AdjustRequest struct {
	// Key is the call's idempotency key (I1): the same key with the same
	// request returns the first result, with another request ErrKeyReused.
	// It has no JSON form: a host takes it from the Idempotency-Key
	// header, never from a body.
	Key string `json:"-"`
	// Network is the ID of the network the call is in.
	// It has no JSON form: a host takes it from the route or its auth,
	// never from a body.
	Network string `json:"-"`
	// Pass is the ID of the pass adjusted.
	Pass string `json:"pass"`
	// Units is the signed change of the balance, in the pass's unit (days,
	// minutes or visits): above zero adds, below subtracts; not zero.
	Units int `json:"units"`
	// Amount is the purchase (or refund) amount that comes with the change, in
	// the network's currency; zero Money for none.
	Amount money.Money `json:"amount"`
	// Actor is who makes the call (a desk, a staff member), kept on the ledger
	// entries; "" for none.
	Actor string `json:"actor,omitempty"`
	// Comment is a note kept on the ledger entries, free text.
	Comment string `json:"comment,omitempty"`
}

// AdjustUnits adds or subtracts units (E4) and returns the pass. It returns
// a *FieldError for zero units, units beyond field.MaxCount either way (or
// a balance that would go past it), an amount in another currency, or a
// multipass card's pass (whose visits change through AddVisits and
// SubtractVisits, which keep the card's metrics), ErrBalance (writing
// nothing) if the balance would go below zero, and ErrNotFound for an
// unknown pass.
func (e *Engine) AdjustUnits(ctx context.Context, req AdjustRequest) (pass.Pass, error) {
	if e.observes(ctx) {
		return observe1(ctx, e, "adjust", req.Network, req.Key, req, (*Engine).AdjustUnits)
	}
	if err := field.First(validKey(req.Key, req.Network), field.ID("pass", req.Pass), field.Count("units", req.Units),
		field.Text("actor", req.Actor), field.Text("comment", req.Comment)); err != nil {
		return pass.Pass{}, err
	}
	if req.Units == 0 {
		return pass.Pass{}, field.Invalid("units", "must not be zero")
	}
	return e.changePass(ctx, req.Network, req.Key, "adjust", req.Pass, req.fingerprint("adjust"), func(n catalog.Network, p *pass.Pass, _ time.Time) ([]pass.Entry, error) {
		if !req.Amount.IsZero() {
			if err := req.Amount.Validate("amount", n.Currency); err != nil {
				return nil, err
			}
		}
		if p.Card != "" {
			return nil, field.Invalid("pass", "is card %s's: add or subtract its visits with AddVisits or SubtractVisits (M1, M2)", p.Card)
		}
		if err := p.Adjust(req.Units); err != nil {
			return nil, err
		}
		return []pass.Entry{{Type: pass.EntryAdjust, Units: req.Units, Amount: req.Amount, Actor: req.Actor, Comment: req.Comment}}, nil
	})
}

// ExpiryRequest moves a pass's expiry date (E2).
type ExpiryRequest struct {
	// Key is the call's idempotency key (I1): the same key with the same
	// request returns the first result, with another request ErrKeyReused.
	// It has no JSON form: a host takes it from the Idempotency-Key
	// header, never from a body.
	Key string `json:"-"`
	// Network is the ID of the network the call is in.
	// It has no JSON form: a host takes it from the route or its auth,
	// never from a body.
	Network string `json:"-"`
	// Pass is the ID of the pass whose expiry moves.
	Pass string `json:"pass"`
	// ExpiresOn is the new last date the pass is usable (T5), before freezes;
	// not before its activation date.
	ExpiresOn calendar.Date `json:"expires_on,omitzero"`
	// Actor is who makes the call (a desk, a staff member), kept on the ledger
	// entries; "" for none.
	Actor string `json:"actor,omitempty"`
	// Comment is a note kept on the ledger entries, free text.
	Comment string `json:"comment,omitempty"`
}

// SetExpiry moves the pass's expiry either way (E2): moved past today, its
// remaining units are usable again. The date is the last usable day before
// freezes extend it. It returns a *FieldError for a missing date, one out
// of range (calendar.Date.Valid, also once the pass's freezes extend it) or
// one before the activation date, and ErrNotFound for an unknown pass.
func (e *Engine) SetExpiry(ctx context.Context, req ExpiryRequest) (pass.Pass, error) {
	if e.observes(ctx) {
		return observe1(ctx, e, "expiry", req.Network, req.Key, req, (*Engine).SetExpiry)
	}
	if err := field.First(validKey(req.Key, req.Network), field.ID("pass", req.Pass), calendar.CheckDate("expires_on", req.ExpiresOn),
		field.Text("actor", req.Actor), field.Text("comment", req.Comment)); err != nil {
		return pass.Pass{}, err
	}
	return e.changePass(ctx, req.Network, req.Key, "expiry", req.Pass, req.fingerprint("expiry"), func(_ catalog.Network, p *pass.Pass, _ time.Time) ([]pass.Entry, error) {
		return moveExpiry(p, req.ExpiresOn, req.Actor, req.Comment)
	})
}

// moveExpiry moves p's expiry date to on (E2) and returns the audit entry.
// It returns a *FieldError for a date before the activation date, or one
// that the pass's freezes would move past calendar.MaxYear.
func moveExpiry(p *pass.Pass, on calendar.Date, actor, comment string) ([]pass.Entry, error) {
	if p.Activated() && on.Before(p.ActivatedOn) {
		return nil, field.Invalid("expires_on", "%s is before activation %s", on, p.ActivatedOn)
	}
	old := p.ExpiresOn
	p.ExpiresOn = on
	if !p.Expiry().Valid() {
		return nil, field.Invalid("expires_on", "%s with the pass's freezes is past %d-12-31", on, calendar.MaxYear)
	}
	return []pass.Entry{{Type: pass.EntryExpiry, Actor: actor,
		Comment: joinComment(fmt.Sprintf("expiry %s -> %s", orNone(old), on), comment)}}, nil
}

func orNone(d calendar.Date) string {
	if d.IsZero() {
		return "none"
	}
	return d.String()
}

func joinComment(what, comment string) string {
	if comment == "" {
		return what
	}
	return what + ": " + comment
}

// FreezeRequest pauses a pass over [From, To) (E3).
type FreezeRequest struct {
	// Key is the call's idempotency key (I1): the same key with the same
	// request returns the first result, with another request ErrKeyReused.
	// It has no JSON form: a host takes it from the Idempotency-Key
	// header, never from a body.
	Key string `json:"-"`
	// Network is the ID of the network the call is in.
	// It has no JSON form: a host takes it from the route or its auth,
	// never from a body.
	Network string `json:"-"`
	// Pass is the ID of the pass frozen.
	Pass string `json:"pass"`
	// From is the first date frozen.
	From calendar.Date `json:"from,omitzero"`
	// To is the first date no longer frozen: after From.
	To calendar.Date `json:"to,omitzero"`
	// Actor is who makes the call (a desk, a staff member), kept on the ledger
	// entries; "" for none.
	Actor string `json:"actor,omitempty"`
	// Comment is a note kept on the ledger entries, free text.
	Comment string `json:"comment,omitempty"`
}

// Freeze pauses the pass over [From, To): uses with a service date inside
// are refused and the expiry moves later by the frozen days (E3). It
// returns a *FieldError for an empty or inverted range, one starting after
// the expiry or overlapping another freeze.
func (e *Engine) Freeze(ctx context.Context, req FreezeRequest) (pass.Pass, error) {
	if e.observes(ctx) {
		return observe1(ctx, e, "freeze", req.Network, req.Key, req, (*Engine).Freeze)
	}
	if err := field.First(validKey(req.Key, req.Network), field.ID("pass", req.Pass),
		field.Text("actor", req.Actor), field.Text("comment", req.Comment)); err != nil {
		return pass.Pass{}, err
	}
	return e.changePass(ctx, req.Network, req.Key, "freeze", req.Pass, req.fingerprint("freeze"), func(_ catalog.Network, p *pass.Pass, _ time.Time) ([]pass.Entry, error) {
		if err := p.AddFreeze(pass.Freeze{From: req.From, To: req.To, Actor: req.Actor, Comment: req.Comment}); err != nil {
			return nil, err
		}
		return []pass.Entry{{Type: pass.EntryFreeze, Actor: req.Actor,
			Comment: joinComment(fmt.Sprintf("freeze [%s, %s)", req.From, req.To), req.Comment)}}, nil
	})
}

// UnfreezeRequest ends a pass's running or planned freeze on date On.
type UnfreezeRequest struct {
	// Key is the call's idempotency key (I1): the same key with the same
	// request returns the first result, with another request ErrKeyReused.
	// It has no JSON form: a host takes it from the Idempotency-Key
	// header, never from a body.
	Key string `json:"-"`
	// Network is the ID of the network the call is in.
	// It has no JSON form: a host takes it from the route or its auth,
	// never from a body.
	Network string `json:"-"`
	// Pass is the ID of the pass.
	Pass string `json:"pass"`
	// On is the date the freeze ends: the first date no longer frozen.
	On calendar.Date `json:"on,omitzero"`
	// Actor is who makes the call (a desk, a staff member), kept on the ledger
	// entries; "" for none.
	Actor string `json:"actor,omitempty"`
	// Comment is a note kept on the ledger entries, free text.
	Comment string `json:"comment,omitempty"`
}

// Unfreeze ends the freeze covering On early (a planned one is removed);
// the expiry keeps only the days actually frozen (E3). It returns a
// *FieldError if no freeze runs on or after On.
func (e *Engine) Unfreeze(ctx context.Context, req UnfreezeRequest) (pass.Pass, error) {
	if e.observes(ctx) {
		return observe1(ctx, e, "unfreeze", req.Network, req.Key, req, (*Engine).Unfreeze)
	}
	if err := field.First(validKey(req.Key, req.Network), field.ID("pass", req.Pass), calendar.CheckDate("on", req.On),
		field.Text("actor", req.Actor), field.Text("comment", req.Comment)); err != nil {
		return pass.Pass{}, err
	}
	return e.changePass(ctx, req.Network, req.Key, "unfreeze", req.Pass, req.fingerprint("unfreeze"), func(_ catalog.Network, p *pass.Pass, _ time.Time) ([]pass.Entry, error) {
		if err := p.EndFreeze(req.On); err != nil {
			return nil, err
		}
		return []pass.Entry{{Type: pass.EntryFreeze, Actor: req.Actor,
			Comment: joinComment("freeze ended on "+req.On.String(), req.Comment)}}, nil
	})
}

// PaidRequest marks a pass paid (A6).
type PaidRequest struct {
	// Key is the call's idempotency key (I1): the same key with the same
	// request returns the first result, with another request ErrKeyReused.
	// It has no JSON form: a host takes it from the Idempotency-Key
	// header, never from a body.
	Key string `json:"-"`
	// Network is the ID of the network the call is in.
	// It has no JSON form: a host takes it from the route or its auth,
	// never from a body.
	Network string `json:"-"`
	// Pass is the ID of the pass marked paid.
	Pass string `json:"pass"`
	// By is who marks the pass paid (PaidBy); required.
	By string `json:"by"`
}

// MarkPaid marks the pass paid by By at the current time (A6). Marking a
// paid pass again changes nothing. It returns a *FieldError for a missing
// By and ErrNotFound for an unknown pass.
func (e *Engine) MarkPaid(ctx context.Context, req PaidRequest) (pass.Pass, error) {
	if e.observes(ctx) {
		return observe1(ctx, e, "paid", req.Network, req.Key, req, (*Engine).MarkPaid)
	}
	if err := field.First(validKey(req.Key, req.Network), field.ID("pass", req.Pass), field.Required("by", req.By), field.Text("by", req.By)); err != nil {
		return pass.Pass{}, err
	}
	return e.changePass(ctx, req.Network, req.Key, "paid", req.Pass, req.fingerprint("paid"), func(_ catalog.Network, p *pass.Pass, now time.Time) ([]pass.Entry, error) {
		if p.Paid {
			return nil, nil
		}
		p.Paid, p.PaidAt, p.PaidBy = true, &now, req.By
		return []pass.Entry{{Type: pass.EntryPaid, Actor: req.By, Comment: "marked paid"}}, nil
	})
}

// PassView is a pass with its status today in the network's zone.
type PassView struct {
	pass.Pass
	// Status is the pass's status on today's date in the network's zone:
	// derived, never stored.
	Status pass.Status `json:"status"`
}

// Pass returns a pass with its status today, ErrNotFound, or a *FieldError
// for a malformed ID.
func (e *Engine) Pass(ctx context.Context, network, id string) (PassView, error) {
	if e.observes(ctx) {
		return observe2(ctx, e, "pass", network, "", network, id, (*Engine).Pass)
	}
	var v PassView
	if err := field.First(field.ID("network", network), field.ID("pass", id)); err != nil {
		return v, err
	}
	err := e.st.View(ctx, func(tx store.Tx) error {
		n, err := tx.Catalog().Network(ctx, network)
		if err != nil {
			return err
		}
		p, err := tx.Passes().Get(ctx, network, id)
		if err != nil {
			return err
		}
		z, err := e.networkZone(n)
		v = PassView{Pass: p, Status: p.StatusOn(z.Date(e.now()))}
		return err
	})
	return v, err
}

// Passes returns the passes matching f (a holder's, a team's, or the
// network's unpaid ones, A6) with their status today, in issue order. It
// returns a *FieldError for a missing network, a malformed holder or team,
// or a negative offset or limit, and ErrNotFound for an unknown network,
// holder or team.
func (e *Engine) Passes(ctx context.Context, f PassFilter) ([]PassView, error) {
	if e.observes(ctx) {
		return observe1(ctx, e, "passes", f.Network, "", f, (*Engine).Passes)
	}
	if err := field.First(field.ID("network", f.Network), field.OptionalID("holder", f.Holder), field.OptionalID("team", f.Team),
		field.NonNegative("offset", f.Offset), field.NonNegative("limit", f.Limit)); err != nil {
		return nil, err
	}
	var out []PassView
	err := e.st.View(ctx, func(tx store.Tx) error {
		n, err := tx.Catalog().Network(ctx, f.Network)
		if err != nil {
			return err
		}
		if err := ownersExist(ctx, tx, f.Network, f.Holder, f.Team); err != nil {
			return err
		}
		z, err := e.networkZone(n)
		if err != nil {
			return err
		}
		ps, err := tx.Passes().List(ctx, store.PassFilter(f))
		today := z.Date(e.now())
		for _, p := range ps {
			out = append(out, PassView{Pass: p, Status: p.StatusOn(today)})
		}
		return err
	})
	return out, err
}

// ownersExist returns ErrNotFound for a holder or team named ("" names
// none) that the network does not have.
func ownersExist(ctx context.Context, tx store.Tx, network, holder, team string) error {
	if holder != "" {
		if _, err := tx.Catalog().Holder(ctx, network, holder); err != nil {
			return err
		}
	}
	if team != "" {
		if _, err := tx.Catalog().Team(ctx, network, team); err != nil {
			return err
		}
	}
	return nil
}

// Ledger returns the ledger entries matching f in the order they were
// written. It returns a *FieldError for a missing network, a malformed
// pass or holder, or a negative offset or limit, and ErrNotFound for an
// unknown network, pass or holder.
func (e *Engine) Ledger(ctx context.Context, f LedgerFilter) ([]pass.Entry, error) {
	if e.observes(ctx) {
		return observe1(ctx, e, "ledger", f.Network, "", f, (*Engine).Ledger)
	}
	if err := field.First(field.ID("network", f.Network), field.OptionalID("pass", f.Pass), field.OptionalID("holder", f.Holder),
		field.NonNegative("offset", f.Offset), field.NonNegative("limit", f.Limit)); err != nil {
		return nil, err
	}
	var out []pass.Entry
	err := e.st.View(ctx, func(tx store.Tx) (err error) {
		if _, err := tx.Catalog().Network(ctx, f.Network); err != nil {
			return err
		}
		if f.Pass != "" {
			if _, err := tx.Passes().Get(ctx, f.Network, f.Pass); err != nil {
				return err
			}
		}
		if err := ownersExist(ctx, tx, f.Network, f.Holder, ""); err != nil {
			return err
		}
		out, err = tx.Ledger().List(ctx, store.LedgerFilter(f))
		return err
	})
	return out, err
}
