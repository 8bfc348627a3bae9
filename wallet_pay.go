package passengine

import (
	"context"
	"time"

	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/wallet"
)

// payFromAccount pays the new pass p from its holder's account (W2), the
// holder being locked: a spend entry of the pass's price linked to the
// pass, and the pass marked paid at now by actor (the holder when empty)
// with that entry (PaidWith). A pass priced zero is marked paid with no
// entry. It returns the pass ledger's paid entry, a
// *wallet.InsufficientFundsError when the account cannot pay (the caller
// then writes nothing), and a *FieldError for a price in another currency
// than the network's.
func (e *Engine) payFromAccount(ctx context.Context, tx store.Tx, n catalog.Network, p *pass.Pass, key, actor, comment string, now time.Time) ([]pass.Entry, error) {
	if actor == "" {
		actor = p.Holder
	}
	paid := pass.Entry{Network: p.Network, Pass: p.ID, Holder: p.Holder, At: now, Type: pass.EntryPaid, Actor: actor,
		Comment: "paid from the account: nothing to pay"}
	if !p.Price.Amount.IsZero() {
		if err := p.Price.Validate("price", n.Currency); err != nil {
			return nil, err
		}
		st, err := e.accountState(ctx, tx, n, p.Holder)
		if err != nil {
			return nil, err
		}
		o, err := wallet.DecideSpend(st, wallet.Spend{Amount: p.Price, Pass: p.ID,
			Meta: wallet.Meta{Key: key, Actor: actor, Comment: comment, At: now}})
		if err != nil {
			return nil, err
		}
		if err := e.writeAccount(ctx, tx, &o); err != nil {
			return nil, err
		}
		p.PaidWith = o.Entries[0].ID
		paid.Comment = "paid from the account, entry " + p.PaidWith
	}
	p.Paid, p.PaidAt, p.PaidBy = true, &now, actor
	return []pass.Entry{paid}, nil
}

// debit charges the holder's account for the visits of o whose charges
// (PAYG, no-show fee) no entry or debt accounts for yet, under
// WithAccountDebit (W2): as far as the balance and overdraft limit allow,
// the rest owed on the visit. It sets the visits' Debited and Owed (the
// caller writes the visits) and writes the account and its entries. It
// reads nothing when there is nothing to debit, so the check-in and
// check-out path pays for the account only when a visit is charged.
func (e *Engine) debit(ctx context.Context, tx store.Tx, n catalog.Network, o *checkin.Outcome, key, actor string) error {
	if !e.accountDebit {
		return nil
	}
	// The outcome's visits by index, -1 for o.Visit and the others
	// o.Closed's: indexes rather than pointers, so that o stays where the
	// caller has it (a slice of pointers into it would move it to the heap).
	visit := func(i int) *checkin.Visit {
		if i < 0 {
			return &o.Visit
		}
		return &o.Closed[i]
	}
	var dues []wallet.Due
	var charged []int
	for i := -1; i < len(o.Closed); i++ {
		if d, ok := due(visit(i), n.Currency); ok {
			dues, charged = append(dues, d), append(charged, i)
		}
	}
	if len(dues) == 0 {
		return nil
	}
	holder := visit(charged[0]).Holder
	st, err := e.accountState(ctx, tx, n, holder)
	if err != nil {
		return err
	}
	if actor == "" {
		actor = holder
	}
	out, err := wallet.DecideCharge(st, wallet.Charge{Dues: dues, Meta: wallet.Meta{Key: key, Actor: actor, At: e.now()}})
	if err != nil {
		return err
	}
	for _, d := range out.Debts {
		for _, i := range charged {
			if v := visit(i); v.ID == d.Visit {
				v.Debited, v.Owed = d.Debited, d.Owed
			}
		}
	}
	return e.writeAccount(ctx, tx, &out)
}

// due returns what visit v's charges and fee come to beyond what its
// Debited and Owed account for, rounded to the currency's minor unit, and
// whether that is above zero.
func due(v *checkin.Visit, currency string) (wallet.Due, bool) {
	if v.ID == "" || (len(v.Charges) == 0 && v.Fee == nil) {
		return wallet.Due{}, false
	}
	total := money.Zero(currency)
	comment := "PAYG"
	for _, c := range v.Charges {
		total = total.Add(c.Amount)
	}
	if v.Fee != nil {
		total = total.Add(v.Fee.Amount)
		if len(v.Charges) == 0 {
			comment = "no-show fee"
		}
	}
	left := total.Sub(v.Debited).Sub(v.Owed).Round()
	if !left.Amount.IsPositive() {
		return wallet.Due{}, false
	}
	return wallet.Due{Debt: wallet.Debt{Visit: v.ID, Start: v.Start, Debited: v.Debited, Owed: v.Owed},
		Amount: left, Comment: comment + " of visit " + v.ID}, true
}

// validPayFromAccount returns a *FieldError when a request both pays from
// the account and says it is paid, or pays a team's pass from an account.
func validPayFromAccount(fromAccount, paid bool, team string) error {
	switch {
	case !fromAccount:
		return nil
	case paid:
		return field.Invalid("pay_from_account", "give paid or pay_from_account, not both")
	case team != "":
		return field.Invalid("pay_from_account", "a team's pass cannot be paid from a holder's account")
	}
	return nil
}
