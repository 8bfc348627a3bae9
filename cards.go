package passengine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/card"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

// This file holds the multipass card calls (seed 003, RULES M1-M6). A
// card's prepaid visits are a visits pass (pass.Pass.Card names the card),
// so check-ins, bookings, passcode redemptions, cancels and moves pay and
// give back through the consumption order, lineage and ledger of any pass;
// write brings the card's row (redeemed, last redemption, bonus points) up
// to date in the same unit of work (cardEffects).

// The errors of the card calls.
var (
	// ErrCardExists: the holder already has a card of the program that is
	// not deleted. The error is a *CardExistsError.
	ErrCardExists = errors.New("the holder has a card of this program")
	// ErrCardInstalled: the holder has an installed card and cannot be
	// deleted (M5). The error is a *CardInstalledError.
	ErrCardInstalled = errors.New("the holder has an installed card")
)

// CardExistsError is returned by IssueCard when the holder already has a
// card of the program that is not deleted; Card is its ID. It unwraps to
// ErrCardExists.
type CardExistsError struct {
	// Card is the ID of the holder's card of the program.
	Card string
}

// Error names the card.
func (e *CardExistsError) Error() string {
	return fmt.Sprintf("the holder has card %s of this program", e.Card)
}

// Unwrap returns ErrCardExists.
func (e *CardExistsError) Unwrap() error { return ErrCardExists }

// CardInstalledError is returned by DeleteHolder while a card of the
// holder is installed (M5); Card is its ID. It unwraps to ErrCardInstalled.
type CardInstalledError struct {
	// Card is the ID of the installed card.
	Card string
}

// Error names the card.
func (e *CardInstalledError) Error() string {
	return fmt.Sprintf("card %s is installed: set it to deleted before deleting the holder (M5)", e.Card)
}

// Unwrap returns ErrCardInstalled.
func (e *CardInstalledError) Unwrap() error { return ErrCardInstalled }

// WithBonusRule sets the host's rule for the bonus points visits redeemed
// from a card earn (M3). Default: the zero rule, no points.
func WithBonusRule(r card.BonusRule) Option { return func(e *Engine) { e.bonus = r } }

// CardView is a card as a studio sees it: the card, its visits pass with
// the pass's status today in the network's zone (revoked for a deleted
// card), and its metrics (M6).
type CardView struct {
	// Card is the card.
	Card card.Card `json:"card"`
	// Visits is the card's visits pass: its balance is the visits left.
	Visits pass.Pass `json:"visits"`
	// Status is the pass's status today in the network's zone; revoked for a
	// deleted card.
	Status pass.Status `json:"status"`
	// Metrics are the card's metrics (M6), kept current with every entry.
	Metrics card.Metrics `json:"metrics"`
}

func cardView(c *card.Card, p *pass.Pass, today calendar.Date) CardView {
	return CardView{Card: *c, Visits: *p, Status: p.StatusOn(today), Metrics: card.MetricsOf(c, p)}
}

// networkToday returns the zone of the network, read in tx, and today's
// date there, or ErrNotFound for an unknown network.
func (e *Engine) networkToday(ctx context.Context, tx store.Tx, network string) (calendar.Zone, calendar.Date, error) {
	n, err := tx.Catalog().Network(ctx, network)
	if err != nil {
		return calendar.Zone{}, calendar.Date{}, err
	}
	z, err := e.networkZone(n)
	return z, z.Date(e.now()), err
}

// zoneOf returns the zone of the network, read in a unit of work of its
// own, or ErrNotFound for an unknown network.
func (e *Engine) zoneOf(ctx context.Context, network string) (z calendar.Zone, err error) {
	err = e.st.View(ctx, func(tx store.Tx) error { z, _, err = e.networkToday(ctx, tx, network); return err })
	return z, err
}

// cardEffects brings the card of every pass o changed that is a card's up
// to date with o's entries, appends the reward entries of its bonus points
// (M3), and returns the cards it changed, for write to store with the
// rest: a holder without cards reads nothing more.
func (e *Engine) cardEffects(ctx context.Context, tx store.Tx, o *checkin.Outcome) ([]card.Card, error) {
	var changed []card.Card
	for _, p := range o.Passes {
		if p.Card == "" {
			continue
		}
		c, err := tx.Cards().Get(ctx, p.Network, p.Card)
		if err != nil {
			return nil, err
		}
		before := c.Counters
		o.Entries = card.Apply(&c, p, o.Entries, e.bonus)
		if c.Redeemed != before.Redeemed || c.Bonus != before.Bonus || !c.LastRedemption.Equal(before.LastRedemption) {
			changed = append(changed, c) // else the pass changed otherwise (activated), not the card
		}
	}
	return changed, nil
}

// IssueCardRequest issues a multipass card of a program (a product of kind
// visits) to a holder.
type IssueCardRequest struct {
	// Key is the call's idempotency key (I1): the same key with the same
	// request returns the first result, with another request ErrKeyReused.
	// It has no JSON form: a host takes it from the Idempotency-Key
	// header, never from a body.
	Key string `json:"-"`
	// Network is the ID of the network the call is in.
	// It has no JSON form: a host takes it from the route or its auth,
	// never from a body.
	Network string `json:"-"`
	// Holder is the ID of the holder who gets the card.
	Holder string `json:"holder"`
	// Program is the ID of the card's program: a product of kind visits.
	Program string `json:"program"`
	// Card is the card's ID, its serial number; empty: a new ID.
	Card string `json:"card,omitempty"`
	// Status is not_installed (the default) or installed.
	Status card.Status `json:"status,omitempty"`
	// ExpiresOn overrides the expiry the program's validity gives.
	ExpiresOn calendar.Date `json:"expires_on,omitzero"`
	// Actor is who makes the call (staff, a desk, the holder in a portal),
	// kept on the ledger entries; "" for none.
	Actor string `json:"actor,omitempty"`
	// Comment is a note kept on the ledger entries, free text.
	Comment string `json:"comment,omitempty"`
}

// IssueCard issues a card with no visits yet (add them with AddVisits)
// and returns it. The card's pass takes the program's terms, so its visits
// pay wherever a visits pass of the program would. The issue date is today
// in the network's zone. It returns a *FieldError for bad input (a program
// that is not a visits product, a deleted status, a card ID in use), a
// *CardExistsError when the holder has a card of the program that is not
// deleted, ErrNotFound for an unknown network, holder or program, and an
// *IdempotencyError for a reused key.
func (e *Engine) IssueCard(ctx context.Context, req IssueCardRequest) (CardView, error) {
	if err := field.First(validKey(req.Key, req.Network), field.ID("holder", req.Holder), field.ID("program", req.Program),
		field.OptionalID("card", req.Card), card.CheckIssueStatus(req.Status), field.Text("actor", req.Actor),
		field.Text("comment", req.Comment)); err != nil {
		return CardView{}, err
	}
	if !req.ExpiresOn.IsZero() {
		if err := calendar.CheckDate("expires_on", req.ExpiresOn); err != nil {
			return CardView{}, err
		}
	}
	now, cardID, passID := e.now(), req.Card, e.newID()
	if cardID == "" {
		cardID = e.newID()
	}
	return idempotent(ctx, e, req.Network, req.Key, "issue_card", req.fingerprint("issue_card"), func(tx store.Tx) (CardView, error) {
		n, err := network(ctx, tx, req.Network)
		if err != nil {
			return CardView{}, err
		}
		prod, err := tx.Catalog().Product(ctx, req.Network, req.Program)
		if err != nil {
			return CardView{}, err
		}
		if prod.Price.Currency != n.Currency { // S5, as IssuePass
			return CardView{}, field.Invalid("program", "%s is priced in %s, the network's currency is %s", field.Quote(prod.ID), prod.Price.Currency, n.Currency)
		}
		if err := tx.Catalog().LockHolder(ctx, req.Network, req.Holder); err != nil {
			return CardView{}, err
		}
		live, err := tx.Cards().List(ctx, store.CardFilter{Network: req.Network, Holder: req.Holder, Program: req.Program, Live: true})
		if err != nil {
			return CardView{}, err
		}
		if len(live) > 0 {
			return CardView{}, &CardExistsError{Card: live[0].ID}
		}
		switch _, err := tx.Cards().Get(ctx, req.Network, cardID); {
		case err == nil:
			return CardView{}, field.Invalid("card", "%q is the ID of another card", cardID)
		case !errors.Is(err, store.ErrNotFound):
			return CardView{}, err
		}
		z, err := e.networkZone(n)
		if err != nil {
			return CardView{}, err
		}
		c, p, entries, err := card.Issue(prod, card.IssueSpec{ID: cardID, Pass: passID, Holder: req.Holder,
			Status: req.Status, ExpiresOn: req.ExpiresOn, At: now, On: z.Date(now)})
		if err != nil {
			return CardView{}, err
		}
		if err := e.putCard(ctx, tx, &c, &p, entries, req.Key, req.Actor, req.Comment); err != nil {
			return CardView{}, err
		}
		return cardView(&c, &p, z.Date(now)), nil
	})
}

// putCard stores the card, its pass and the entries, stamped.
func (e *Engine) putCard(ctx context.Context, tx store.Tx, c *card.Card, p *pass.Pass, entries []pass.Entry, key, actor, comment string) error {
	if err := tx.Passes().Put(ctx, *p); err != nil {
		return err
	}
	if err := tx.Cards().Put(ctx, *c); err != nil {
		return err
	}
	return e.appendEntries(ctx, tx, entries, key, actor, comment)
}

// changeCard runs fn on card id and its pass with the holder locked, as of
// the lock, stores what fn changed with its entries, and returns the card.
func (e *Engine) changeCard(ctx context.Context, netID, key, op, id string, sum [fpLen]byte,
	fn func(tx store.Tx, n catalog.Network, c *card.Card, p *pass.Pass, now time.Time, today calendar.Date) ([]pass.Entry, error)) (CardView, error) {
	now := e.now()
	return idempotent(ctx, e, netID, key, op, sum, func(tx store.Tx) (CardView, error) {
		n, err := network(ctx, tx, netID)
		if err != nil {
			return CardView{}, err
		}
		z, err := e.networkZone(n)
		if err != nil {
			return CardView{}, err
		}
		c, err := tx.Cards().Get(ctx, netID, id)
		if err != nil {
			return CardView{}, err
		}
		if err := tx.Catalog().LockHolder(ctx, netID, c.Holder); err != nil {
			return CardView{}, err
		}
		if c, err = tx.Cards().Get(ctx, netID, id); err != nil { // as of the lock
			return CardView{}, err
		}
		p, err := tx.Passes().Get(ctx, netID, c.Pass)
		if err != nil {
			return CardView{}, err
		}
		today := z.Date(now)
		entries, err := fn(tx, n, &c, &p, now, today)
		if err != nil {
			return CardView{}, err
		}
		if len(entries) > 0 {
			if err := e.putCard(ctx, tx, &c, &p, entries, key, "", ""); err != nil {
				return CardView{}, err
			}
		}
		return cardView(&c, &p, today), nil
	})
}

// VisitsRequest adds visits to a card or subtracts them (M1, M2).
type VisitsRequest struct {
	// Key is the call's idempotency key (I1): the same key with the same
	// request returns the first result, with another request ErrKeyReused.
	// It has no JSON form: a host takes it from the Idempotency-Key
	// header, never from a body.
	Key string `json:"-"`
	// Network is the ID of the network the call is in.
	// It has no JSON form: a host takes it from the route or its auth,
	// never from a body.
	Network string `json:"-"`
	// Card is the ID of the card.
	Card string `json:"card"`
	// Visits is the whole number of visits, above zero.
	Visits int `json:"visits"`
	// Amount is the optional purchase amount of an addition, or refund
	// amount of a subtraction, in the network's currency; the zero Money
	// for none.
	Amount money.Money `json:"amount"`
	// Referral marks visits added as a referral reward (additions only).
	Referral bool `json:"referral,omitempty"`
	// Redeemed marks visits subtracted because they were used without a
	// check-in, a phone booking or a backend redemption (subtractions
	// only, with no amount): they count as redeemed and earn bonus points.
	Redeemed bool `json:"redeemed,omitempty"`
	// PayFromAccount pays Amount, which must be above zero, from the
	// holder's prepaid account in the same unit of work (additions only,
	// W2): a spend entry naming the card's pass; short of funds, nothing is
	// written.
	PayFromAccount bool `json:"pay_from_account,omitempty"`
	// Actor is who makes the call (staff, a desk, the holder in a portal),
	// kept on the ledger entries; "" for none.
	Actor string `json:"actor,omitempty"`
	// Comment is a note kept on the ledger entries, free text.
	Comment string `json:"comment,omitempty"`
}

// validate checks the key, IDs and text of r; the card checks the rest.
func (r *VisitsRequest) validate() error {
	return field.First(validKey(r.Key, r.Network), field.ID("card", r.Card), field.Text("actor", r.Actor), field.Text("comment", r.Comment))
}

func (r *VisitsRequest) change(now time.Time, today calendar.Date) card.Change {
	return card.Change{Value: r.Visits, Amount: r.Amount, Actor: r.Actor, Comment: r.Comment, At: now, On: today,
		Referral: r.Referral, Redeemed: r.Redeemed}
}

// AddVisits adds visits to a card (M1): available and sold grow by the
// number, and so do referral visits for a referral; the amount is a
// purchase (LTV and net revenue grow by it); the last adding is now. With
// PayFromAccount the amount is spent from the holder's prepaid account in
// the same unit of work (W2). It returns the card, a *FieldError for bad
// input (visits not a whole number in [1, card.MaxValue], an amount in
// another currency, negative or finer than the minor unit, a card that
// would pass card.MaxBalance visits, a deleted card, PayFromAccount
// without an amount or on a subtraction), a *wallet.InsufficientFundsError
// (ErrInsufficientFunds) when the account cannot pay, ErrNotFound for an
// unknown card, and an *IdempotencyError for a reused key.
func (e *Engine) AddVisits(ctx context.Context, req VisitsRequest) (CardView, error) {
	if err := req.validate(); err != nil {
		return CardView{}, err
	}
	if err := req.validPayment(); err != nil {
		return CardView{}, err
	}
	return e.changeCard(ctx, req.Network, req.Key, "card_add_visits", req.Card, req.fingerprint("card_add_visits"),
		func(tx store.Tx, n catalog.Network, c *card.Card, p *pass.Pass, now time.Time, today calendar.Date) ([]pass.Entry, error) {
			entries, err := card.AddVisits(c, p, req.change(now, today), n.Currency)
			if err != nil || !req.PayFromAccount {
				return entries, err
			}
			return entries, e.payVisits(ctx, tx, n, c, p, &req, now) // cards_pay.go
		})
}

// SubtractVisits takes visits off a card (M2): available shrinks and the
// visits count as removed; an amount is a refund, which LTV counts upward
// (seed 003) and net revenue downward. With Redeemed the visits were used
// instead (M3): they count as redeemed, set the last redemption and earn
// bonus points by the host's rule. It returns the card, a *FieldError for
// bad input (visits not in [1, card.MaxValue] or more than available, a
// referral, a redemption with an amount or on a date the card's visits
// cannot be used, a bad amount, a deleted card), ErrNotFound for an unknown
// card, and an *IdempotencyError for a reused key.
func (e *Engine) SubtractVisits(ctx context.Context, req VisitsRequest) (CardView, error) {
	if err := req.validate(); err != nil {
		return CardView{}, err
	}
	if req.PayFromAccount {
		return CardView{}, field.Invalid("pay_from_account", "visits taken off a card are not paid for")
	}
	return e.changeCard(ctx, req.Network, req.Key, "card_subtract_visits", req.Card, req.fingerprint("card_subtract_visits"),
		func(_ store.Tx, n catalog.Network, c *card.Card, p *pass.Pass, now time.Time, today calendar.Date) ([]pass.Entry, error) {
			return card.SubtractVisits(c, p, req.change(now, today), n.Currency, e.bonus)
		})
}

// BonusRequest adds bonus points to a card or subtracts them (M4).
type BonusRequest struct {
	// Key is the call's idempotency key (I1): the same key with the same
	// request returns the first result, with another request ErrKeyReused.
	// It has no JSON form: a host takes it from the Idempotency-Key
	// header, never from a body.
	Key string `json:"-"`
	// Network is the ID of the network the call is in.
	// It has no JSON form: a host takes it from the route or its auth,
	// never from a body.
	Network string `json:"-"`
	// Card is the ID of the card.
	Card string `json:"card"`
	// Points is the whole number of points, above zero.
	Points int `json:"points"`
	// Amount is optional: a purchase when adding points (LTV and net
	// revenue grow by it), what the points bought when subtracting (kept
	// on the entry only).
	Amount money.Money `json:"amount"`
	// Actor is who makes the call (staff, a desk, the holder in a portal),
	// kept on the ledger entries; "" for none.
	Actor string `json:"actor,omitempty"`
	// Comment is a note kept on the ledger entries, free text.
	Comment string `json:"comment,omitempty"`
}

// AddBonus adds bonus points to a card (M4). It returns the card, a
// *FieldError for points not in [1, card.MaxValue], a balance that would
// pass card.MaxBalance, a bad amount or a deleted card, ErrNotFound for an
// unknown card, and an *IdempotencyError for a reused key.
func (e *Engine) AddBonus(ctx context.Context, req BonusRequest) (CardView, error) {
	return e.bonusCall(ctx, req, "card_add_bonus", card.AddBonus)
}

// SubtractBonus takes bonus points off a card, never below zero (M4). It
// returns the card, a *FieldError for points not in [1, card.MaxValue] or
// above the balance, a bad amount or a deleted card, ErrNotFound for an
// unknown card, and an *IdempotencyError for a reused key.
func (e *Engine) SubtractBonus(ctx context.Context, req BonusRequest) (CardView, error) {
	return e.bonusCall(ctx, req, "card_subtract_bonus", card.SubtractBonus)
}

func (e *Engine) bonusCall(ctx context.Context, req BonusRequest, op string,
	change func(*card.Card, *pass.Pass, card.Change, string) ([]pass.Entry, error)) (CardView, error) {
	if err := field.First(validKey(req.Key, req.Network), field.ID("card", req.Card), field.Text("actor", req.Actor),
		field.Text("comment", req.Comment)); err != nil {
		return CardView{}, err
	}
	return e.changeCard(ctx, req.Network, req.Key, op, req.Card, req.fingerprint(op),
		func(_ store.Tx, n catalog.Network, c *card.Card, p *pass.Pass, now time.Time, today calendar.Date) ([]pass.Entry, error) {
			return change(c, p, card.Change{Value: req.Points, Amount: req.Amount, Actor: req.Actor, Comment: req.Comment,
				At: now, On: today}, n.Currency)
		})
}

// CardStatusRequest changes a card's status (M5).
type CardStatusRequest struct {
	// Key is the call's idempotency key (I1): the same key with the same
	// request returns the first result, with another request ErrKeyReused.
	// It has no JSON form: a host takes it from the Idempotency-Key
	// header, never from a body.
	Key string `json:"-"`
	// Network is the ID of the network the call is in.
	// It has no JSON form: a host takes it from the route or its auth,
	// never from a body.
	Network string `json:"-"`
	// Card is the ID of the card.
	Card string `json:"card"`
	// Status is the new status: not_installed, installed or deleted (final).
	Status card.Status `json:"status"`
	// Actor is who makes the call (staff, a desk, the holder in a portal),
	// kept on the ledger entries; "" for none.
	Actor string `json:"actor,omitempty"`
	// Comment is a note kept on the ledger entries, free text.
	Comment string `json:"comment,omitempty"`
}

// SetCardStatus moves a card between not installed and installed, or
// deletes it (M5): a deleted card is final, its pass is revoked and never
// eligible again (check-ins, bookings and redemptions refuse it with the
// reason entitlement.Revoked), and every later card call on it is refused.
// Setting the status a card has changes nothing. It returns the card, a
// *FieldError for an unknown status or a deleted card, ErrNotFound for an
// unknown card, and an *IdempotencyError for a reused key.
func (e *Engine) SetCardStatus(ctx context.Context, req CardStatusRequest) (CardView, error) {
	if err := field.First(validKey(req.Key, req.Network), field.ID("card", req.Card), field.Text("actor", req.Actor),
		field.Text("comment", req.Comment)); err != nil {
		return CardView{}, err
	}
	return e.changeCard(ctx, req.Network, req.Key, "card_status", req.Card, req.fingerprint("card_status"),
		func(_ store.Tx, _ catalog.Network, c *card.Card, p *pass.Pass, now time.Time, _ calendar.Date) ([]pass.Entry, error) {
			return card.SetStatus(c, p, req.Status, req.Actor, req.Comment, now)
		})
}

// CardExpiryRequest moves a card's expiry date (E2).
type CardExpiryRequest struct {
	// Key is the call's idempotency key (I1): the same key with the same
	// request returns the first result, with another request ErrKeyReused.
	// It has no JSON form: a host takes it from the Idempotency-Key
	// header, never from a body.
	Key string `json:"-"`
	// Network is the ID of the network the call is in.
	// It has no JSON form: a host takes it from the route or its auth,
	// never from a body.
	Network string `json:"-"`
	// Card is the ID of the card.
	Card string `json:"card"`
	// ExpiresOn is the card's new last usable date (T5), before freezes; not
	// before its activation date.
	ExpiresOn calendar.Date `json:"expires_on,omitzero"`
	// Actor is who makes the call (staff, a desk, the holder in a portal),
	// kept on the ledger entries; "" for none.
	Actor string `json:"actor,omitempty"`
	// Comment is a note kept on the ledger entries, free text.
	Comment string `json:"comment,omitempty"`
}

// SetCardExpiry moves the card's expiry either way, as SetExpiry does for
// a pass (E2): moved past today, its remaining visits are usable again.
// It returns the card, a *FieldError for a missing date, one before the
// activation date or a deleted card, ErrNotFound for an unknown card, and
// an *IdempotencyError for a reused key.
func (e *Engine) SetCardExpiry(ctx context.Context, req CardExpiryRequest) (CardView, error) {
	if err := field.First(validKey(req.Key, req.Network), field.ID("card", req.Card), calendar.CheckDate("expires_on", req.ExpiresOn),
		field.Text("actor", req.Actor), field.Text("comment", req.Comment)); err != nil {
		return CardView{}, err
	}
	return e.changeCard(ctx, req.Network, req.Key, "card_expiry", req.Card, req.fingerprint("card_expiry"),
		func(_ store.Tx, _ catalog.Network, c *card.Card, p *pass.Pass, _ time.Time, _ calendar.Date) ([]pass.Entry, error) {
			if c.Status == card.Deleted {
				return nil, field.Invalid("card", "%s is deleted: a deleted card cannot be used or changed (M5)", c.ID)
			}
			return moveExpiry(p, req.ExpiresOn, req.Actor, req.Comment)
		})
}

// Card returns a card with its pass and metrics (M6), a *FieldError for a
// malformed ID, or ErrNotFound. It reads two rows, whatever the card's
// history.
func (e *Engine) Card(ctx context.Context, network, id string) (CardView, error) {
	var v CardView
	if err := field.First(field.ID("network", network), field.ID("card", id)); err != nil {
		return v, err
	}
	err := e.st.View(ctx, func(tx store.Tx) error {
		_, today, err := e.networkToday(ctx, tx, network)
		if err != nil {
			return err
		}
		c, err := tx.Cards().Get(ctx, network, id)
		if err != nil {
			return err
		}
		p, err := tx.Passes().Get(ctx, network, c.Pass)
		if err != nil {
			return err
		}
		v = cardView(&c, &p, today)
		return nil
	})
	return v, err
}

// Cards returns the cards matching f with their passes and metrics, by
// ID. It returns a *FieldError for a missing network or a negative limit,
// and ErrNotFound for an unknown network.
func (e *Engine) Cards(ctx context.Context, f CardFilter) ([]CardView, error) {
	if err := field.First(field.ID("network", f.Network), field.OptionalID("holder", f.Holder), field.OptionalID("program", f.Program),
		field.NonNegative("limit", f.Limit)); err != nil {
		return nil, err
	}
	var out []CardView
	err := e.st.View(ctx, func(tx store.Tx) error {
		_, today, err := e.networkToday(ctx, tx, f.Network)
		if err != nil {
			return err
		}
		cs, err := tx.Cards().List(ctx, store.CardFilter(f))
		if err != nil {
			return err
		}
		for i := range cs {
			p, err := tx.Passes().Get(ctx, f.Network, cs[i].Pass)
			if err != nil {
				return err
			}
			out = append(out, cardView(&cs[i], &p, today))
		}
		return nil
	})
	return out, err
}
