package passengine

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/card"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

// DeleteHolderRequest deletes a holder and erases their personal data
// (M5).
type DeleteHolderRequest struct {
	// Key is the call's idempotency key (I1): the same key with the same
	// request returns the first result, with another request ErrKeyReused.
	// It has no JSON form: a host takes it from the Idempotency-Key
	// header, never from a body.
	Key string `json:"-"`
	// Network is the ID of the network the call is in.
	// It has no JSON form: a host takes it from the route or its auth,
	// never from a body.
	Network string `json:"-"`
	// Holder is the ID of the holder deleted.
	Holder string `json:"holder"`
	// Actor is the staff member who deletes, kept on the ledger entries.
	Actor string `json:"actor,omitempty"`
	// Comment is a note kept on the ledger entries, free text.
	Comment string `json:"comment,omitempty"`
}

// DeleteHolderResult is what DeleteHolder did: the bookings it cancelled,
// the cards it deleted and the passes it revoked.
type DeleteHolderResult struct {
	// Holder is the ID of the holder deleted.
	Holder string `json:"holder"`
	// Cancelled are the IDs of the bookings cancelled.
	Cancelled []string `json:"cancelled"`
	// Cards are the IDs of the cards deleted.
	Cards []string `json:"cards"`
	// Revoked are the IDs of the passes revoked.
	Revoked []string `json:"revoked"`
}

// DeleteHolder deletes a holder (M5) in one unit of work, with the
// holder (and their team) locked:
//   - it is refused while a card of the holder is installed (a
//     *CardInstalledError: delete the card first, seed 003), while the
//     holder is checked in somewhere (a *checkin.AlreadyCheckedInError:
//     check them out first), and while money is owed either way: a
//     prepaid account with a balance above or below zero, or visits that
//     owe (a *FieldError on "holder" saying which: refund, adjust or
//     settle first, W1, W2);
//   - the holder's bookings of classes that have not started are cancelled
//     by the business, their units returned to the passes that paid (B2);
//   - every card of the holder is deleted and every pass of the holder
//     revoked, with a ledger entry each, so nothing of theirs is usable
//     again, even by a holder later put with the same ID;
//   - the holder's personal data is erased: their row (name, audience,
//     team and health declaration), the comments of their ledger and
//     account entries and of their passes' freezes, and the stored
//     results of their earlier calls (a call sent again with one of those
//     keys gets an *ErasedError, and is not made again). Their passes,
//     visits, ledger and account entries, accounts and cards stay, under
//     the holder's ID only, so statements, payouts and history exports
//     computed again give the same figures.
//
// It returns what it did, a *FieldError for a missing key, network or
// holder or for money owed, ErrNotFound for an unknown network or holder,
// and an *IdempotencyError for a reused key.
func (e *Engine) DeleteHolder(ctx context.Context, req DeleteHolderRequest) (DeleteHolderResult, error) {
	if e.observes(ctx) {
		return observe1(ctx, e, "delete_holder", req.Network, req.Key, req, (*Engine).DeleteHolder)
	}
	if err := field.First(validKey(req.Key, req.Network), field.ID("holder", req.Holder), field.Text("actor", req.Actor),
		field.Text("comment", req.Comment)); err != nil {
		return DeleteHolderResult{}, err
	}
	now := e.now()
	return idempotent(ctx, e, req.Network, req.Key, "delete_holder", req.fingerprint("delete_holder"), func(tx store.Tx) (DeleteHolderResult, error) {
		res := DeleteHolderResult{Holder: req.Holder}
		if _, err := network(ctx, tx, req.Network); err != nil {
			return res, err
		}
		h, err := tx.Catalog().Holder(ctx, req.Network, req.Holder)
		if err != nil {
			return res, err
		}
		if h.Team != "" {
			if err := tx.Catalog().LockTeam(ctx, req.Network, h.Team); err != nil {
				return res, err
			}
		}
		if err := tx.Catalog().LockHolder(ctx, req.Network, req.Holder); err != nil {
			return res, err
		}
		cards, err := tx.Cards().List(ctx, store.CardFilter{Network: req.Network, Holder: req.Holder})
		if err != nil {
			return res, err
		}
		for _, c := range cards {
			if c.Status == card.Installed {
				return res, &CardInstalledError{Card: c.ID}
			}
		}
		open, err := tx.Visits().Open(ctx, req.Network, req.Holder)
		if err != nil {
			return res, err
		}
		if len(open) > 0 {
			return res, &checkin.AlreadyCheckedInError{Visit: open[0]}
		}
		if err := checkSettled(ctx, tx, req.Network, req.Holder); err != nil { // erase.go
			return res, err
		}
		if err := e.eraseHolder(ctx, tx, req.Network, req.Holder, req.Key); err != nil {
			return res, err
		}
		passes, err := tx.Passes().List(ctx, store.PassFilter{Network: req.Network, Holder: req.Holder})
		if err != nil {
			return res, err
		}
		revoked := make([]bool, len(passes)) // before this call
		for i := range passes {
			revoked[i] = passes[i].Revoked
		}
		if res.Cancelled, err = e.cancelUpcoming(ctx, tx, req, passes, now); err != nil {
			return res, err
		}
		var entries []pass.Entry
		for _, c := range cards {
			if c.Status == card.Deleted {
				continue
			}
			if c, err = tx.Cards().Get(ctx, req.Network, c.ID); err != nil { // as its bookings' cancels left it
				return res, err
			}
			i := slices.IndexFunc(passes, func(p pass.Pass) bool { return p.ID == c.Pass })
			if i < 0 {
				return res, fmt.Errorf("pass %q of card %q: %w", c.Pass, c.ID, store.ErrNotFound)
			}
			es, err := card.SetStatus(&c, &passes[i], card.Deleted, req.Actor, "holder deleted", now)
			if err != nil {
				return res, err
			}
			if err := tx.Cards().Put(ctx, c); err != nil {
				return res, err
			}
			entries = append(entries, es...)
			res.Cards = append(res.Cards, c.ID)
		}
		for i := range passes {
			p := &passes[i]
			if revoked[i] {
				if eraseFreezes(p) {
					if err := tx.Passes().Put(ctx, *p); err != nil {
						return res, err
					}
				}
				continue
			}
			eraseFreezes(p)
			p.Revoked = true
			entries = append(entries, pass.Entry{Network: p.Network, Pass: p.ID, Holder: p.Holder, At: now,
				Type: pass.EntryRevoke, Balance: p.Balance, Comment: joinComment("holder deleted", req.Comment)})
			if err := tx.Passes().Put(ctx, *p); err != nil {
				return res, err
			}
			res.Revoked = append(res.Revoked, p.ID)
		}
		if err := e.appendEntries(ctx, tx, entries, req.Key, req.Actor, ""); err != nil {
			return res, err
		}
		return res, tx.Catalog().DeleteHolder(ctx, req.Network, req.Holder)
	})
}

// cancelUpcoming cancels, by the business, the holder's bookings of
// classes that start after now, returning their units to the passes that
// paid (B2): passes, the holder's, are updated to their new state; team
// passes are read as needed. It returns the cancelled visits' IDs.
func (e *Engine) cancelUpcoming(ctx context.Context, tx store.Tx, req DeleteHolderRequest, passes []pass.Pass, now time.Time) ([]string, error) {
	first, _ := calendar.Bounds(now)
	bookings, err := tx.Visits().List(ctx, store.VisitFilter{Network: req.Network, Holder: req.Holder, Kind: checkin.Booking, From: first})
	if err != nil {
		return nil, err
	}
	st := &checkin.State{}
	for i := range passes {
		st.Passes = append(st.Passes, &passes[i])
	}
	var ids []string
	for _, v := range bookings {
		if v.Status != checkin.Booked || !v.Start.After(now) {
			continue
		}
		for _, c := range v.Consumptions {
			if st.Has(c.Pass) {
				continue
			}
			p, err := tx.Passes().Get(ctx, req.Network, c.Pass)
			if err != nil {
				return nil, err
			}
			st.Passes = append(st.Passes, &p)
		}
		o, err := checkin.DecideCancel(st, v, checkin.Cancel{At: now, ByBusiness: true})
		if err != nil {
			return nil, err
		}
		if err := e.write(ctx, tx, &o, req.Key, req.Actor); err != nil {
			return nil, err
		}
		for i := range passes { // a decision changes a copy (checkin.State)
			if st.Passes[i] != &passes[i] {
				passes[i] = *st.Passes[i]
			}
		}
		ids = append(ids, v.ID)
	}
	return ids, nil
}
