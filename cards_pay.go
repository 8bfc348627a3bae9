package passengine

import (
	"context"
	"fmt"
	"time"

	"github.com/passengine/passengine/card"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/wallet"
)

// validPayment returns a *FieldError for PayFromAccount without an amount
// above zero: what is paid from the account is the amount entered.
func (r *VisitsRequest) validPayment() error {
	if r.PayFromAccount && !r.Amount.Amount.IsPositive() {
		return field.Invalid("amount", "visits paid from the account need the amount to pay")
	}
	return nil
}

// payVisits spends the purchase amount of visits added to card c from its
// holder's account, the holder being locked (W2): a spend entry naming the
// card's pass p, by the request's actor (the holder when empty), with a
// comment saying what it bought. It returns a
// *wallet.InsufficientFundsError when the account cannot pay, and the
// caller then writes nothing.
func (e *Engine) payVisits(ctx context.Context, tx store.Tx, n catalog.Network, c *card.Card, p *pass.Pass, req *VisitsRequest, now time.Time) error {
	st, err := e.accountState(ctx, tx, n, c.Holder)
	if err != nil {
		return err
	}
	actor := req.Actor
	if actor == "" {
		actor = c.Holder
	}
	what := fmt.Sprintf("%d visits on card %s", req.Visits, c.ID)
	o, err := wallet.DecideSpend(st, wallet.Spend{Amount: req.Amount, Pass: p.ID,
		Meta: wallet.Meta{Key: req.Key, Actor: actor, Comment: joinComment(what, req.Comment), At: now}})
	if err != nil {
		return err
	}
	return e.writeAccount(ctx, tx, &o)
}
