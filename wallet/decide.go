package wallet

import (
	"fmt"
	"time"

	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/money"
)

// State is what a decision reads: the account as of the holder's lock
// (New's empty account when the holder has none yet) and, for a deposit
// or a settle, the holder's debts oldest first.
type State struct {
	// Account is the holder's account, described above.
	Account Account
	// Debts are the holder's debts, oldest first; nil when the decision
	// reads none.
	Debts []Debt
}

// Meta is what every entry of a call carries: the call's idempotency key,
// actor and comment, and the instant it is written at.
type Meta struct {
	// Key is the call's idempotency key.
	Key string
	// Actor is who makes the call; "" names the holder.
	Actor string
	// Comment is the reason given, free text.
	Comment string
	// At is the instant the entries are written at (or the account's
	// last, when later).
	At time.Time
}

// Outcome lists every effect of a decision: the account after it, the
// entries to append in order (without IDs: the caller gives each one),
// and the debts it created, changed or settled, in their new state.
type Outcome struct {
	// Account is the account after the decision.
	Account Account
	// Entries are the entries to append, in order, without IDs.
	Entries []Entry
	// Debts are the debts created, changed or settled, in their new
	// state.
	Debts []Debt
}

// entry appends an entry of type t and signed amount to o and moves the
// account's balance, count and instants. The instant is m.At, or the
// account's last instant when that is later, so entries never go back in
// time within an account.
func (o *Outcome) entry(t EntryType, amount money.Money, m *Meta) *Entry {
	a := &o.Account
	at := m.At.UTC()
	if at.Before(a.UpdatedAt) {
		at = a.UpdatedAt
	}
	amount = money.Money{Amount: amount.Amount, Currency: a.Currency}
	a.Balance = money.Money{Amount: a.Balance.Amount.Add(amount.Amount), Currency: a.Currency}
	a.Entries++
	if a.OpenedAt.IsZero() {
		a.OpenedAt = at
	}
	a.UpdatedAt = at
	o.Entries = append(o.Entries, Entry{Network: a.Network, Holder: a.Holder, Currency: a.Currency,
		Seq: a.Entries, At: at, Type: t, Amount: amount, Balance: a.Balance,
		Key: m.Key, Actor: m.Actor, Comment: m.Comment})
	return &o.Entries[len(o.Entries)-1]
}

// ValidAmount returns a *field.Error named name (or name.amount,
// name.currency) unless m is an amount above zero, in currency when
// currency is not empty, and valid money (money.Money.Validate: in whole
// minor units of its currency, below the bound every store keeps).
func ValidAmount(name string, m money.Money, currency string) error {
	if m.IsZero() {
		return field.Invalid(name, "is required")
	}
	if err := m.Validate(name, currency); err != nil {
		return err
	}
	if !m.Amount.IsPositive() {
		return field.Invalid(name+".amount", "must be above zero, got %s", m.Amount)
	}
	return nil
}

// ValidAdjustment is ValidAmount for a signed amount: it must not be zero
// and may be negative (money.Money.ValidateSigned). It returns a
// *field.Error named name, or name.amount or name.currency, otherwise.
func ValidAdjustment(name string, m money.Money, currency string) error {
	if m.IsZero() {
		return field.Invalid(name, "is required")
	}
	if err := m.ValidateSigned(name, currency); err != nil {
		return err
	}
	if m.Amount.IsZero() {
		return field.Invalid(name+".amount", "must not be zero")
	}
	return nil
}

// neg returns -m.
func neg(m money.Money) money.Money { return money.Money{Amount: m.Amount.Neg(), Currency: m.Currency} }

// least returns the smaller of a and b.
func least(a, b money.Money) money.Money {
	if a.Cmp(b) <= 0 {
		return a
	}
	return b
}

// Deposit pays Amount into the account.
type Deposit struct {
	// Amount is what is paid in, above zero, in the account's currency.
	Amount money.Money
	Meta
}

// DecideDeposit credits the account with a deposit entry (W1) and then
// settles the holder's debts, oldest first, with what the account can pay
// after it (balance plus overdraft limit), each with a settle entry (W2).
// It returns a *field.Error for an amount that is not above zero, not in
// the account's currency or finer than its minor unit.
func DecideDeposit(st State, req Deposit) (Outcome, error) {
	o := Outcome{Account: st.Account}
	if err := ValidAmount("amount", req.Amount, o.Account.Currency); err != nil {
		return Outcome{}, err
	}
	o.entry(EntryDeposit, req.Amount, &req.Meta)
	o.settle(st.Debts, &req.Meta)
	return o, nil
}

// Spend pays Amount from the account, for Pass when it is set (W2).
type Spend struct {
	// Amount is what is paid out, above zero, in the account's currency.
	Amount money.Money
	// Pass is the ID of the pass bought; "" for another purchase.
	Pass string
	Meta
}

// DecideSpend debits the account with a spend entry (W1). The balance may
// go down to minus the overdraft limit and no further: a larger amount is
// refused with an *InsufficientFundsError and nothing changes. It returns
// a *field.Error for a bad amount, as DecideDeposit.
func DecideSpend(st State, req Spend) (Outcome, error) {
	o := Outcome{Account: st.Account}
	if err := ValidAmount("amount", req.Amount, o.Account.Currency); err != nil {
		return Outcome{}, err
	}
	if err := o.canPay(req.Amount); err != nil {
		return Outcome{}, err
	}
	o.entry(EntrySpend, neg(req.Amount), &req.Meta).Pass = req.Pass
	return o, nil
}

// canPay returns an *InsufficientFundsError unless the account can pay
// amount.
func (o *Outcome) canPay(amount money.Money) error {
	a := &o.Account
	if av := a.Available(); amount.Cmp(av) > 0 {
		return &InsufficientFundsError{Holder: a.Holder, Amount: amount, Available: av, Balance: a.Balance, Overdraft: a.Overdraft}
	}
	return nil
}

// Refund gives money back for entry Of, a spend, charge or settle of the
// account, of which Refunded was refunded already. Amount zero refunds all
// that is left.
type Refund struct {
	// Of is the entry refunded.
	Of Entry
	// Refunded is what earlier refunds gave back of it.
	Refunded money.Money
	// Amount is what to give back, above zero; zero Money gives all that
	// is left.
	Amount money.Money
	Meta
}

// DecideRefund credits the account with a refund entry linked to the
// entry refunded (W1), carrying its pass and visit. A refund is at most
// what that entry took less what was refunded of it already: more is
// refused with a *RefundError. It returns a *field.Error (named "entry")
// for an entry of another account or one that is not a spend, charge or
// settle, and for a bad amount. A refund changes no pass and no visit.
func DecideRefund(st State, req Refund) (Outcome, error) {
	o := Outcome{Account: st.Account}
	a := &o.Account
	of := req.Of
	if of.Network != a.Network || of.Holder != a.Holder || of.Currency != a.Currency {
		return Outcome{}, field.Invalid("entry", "%s is not an entry of %s's %s account", of.ID, a.Holder, a.Currency)
	}
	if !of.Type.Refundable() {
		return Outcome{}, field.Invalid("entry", "%s is a %s entry, not a spend, charge or settle", of.ID, of.Type)
	}
	took := neg(of.Amount)
	refunded := money.Money{Amount: req.Refunded.Amount, Currency: a.Currency}
	left := took.Sub(refunded)
	amount := req.Amount
	if amount.IsZero() {
		amount = left
	} else if err := ValidAmount("amount", amount, a.Currency); err != nil {
		return Outcome{}, err
	}
	if !amount.Amount.IsPositive() || amount.Cmp(left) > 0 {
		return Outcome{}, &RefundError{Entry: of.ID, Asked: amount, Took: took, Refunded: refunded}
	}
	e := o.entry(EntryRefund, amount, &req.Meta)
	e.Refunds, e.Pass, e.Visit = of.ID, of.Pass, of.Visit
	return o, nil
}

// Adjust is a staff correction of the account by Amount, either sign.
type Adjust struct {
	// Amount is the signed correction, not zero: above zero credits,
	// below debits.
	Amount money.Money
	Meta
}

// DecideAdjust moves the balance by a signed amount with an adjust entry
// (W1). Down, it is refused like a spend (*InsufficientFundsError) when it
// would take the balance below minus the overdraft limit. It returns a
// *field.Error for a zero amount, one in another currency or finer than
// the minor unit.
func DecideAdjust(st State, req Adjust) (Outcome, error) {
	o := Outcome{Account: st.Account}
	if err := ValidAdjustment("amount", req.Amount, o.Account.Currency); err != nil {
		return Outcome{}, err
	}
	if req.Amount.Amount.IsNegative() {
		if err := o.canPay(neg(req.Amount)); err != nil {
			return Outcome{}, err
		}
	}
	o.entry(EntryAdjust, req.Amount, &req.Meta)
	return o, nil
}

// Overdraft sets the account's overdraft limit to Limit (zero: none).
type Overdraft struct {
	// Limit is the new limit, zero or above, in the account's currency.
	Limit money.Money
	Meta
}

// DecideOverdraft sets the overdraft limit and records the change with an
// overdraft entry of amount zero, its comment saying the old and new
// limits. Setting the limit it has changes nothing and writes no entry.
// It returns a *field.Error (named "limit") for a negative limit, one in
// another currency or finer than the minor unit, and for a limit below
// what the balance already uses (a balance of -40 needs a limit of at
// least 40).
func DecideOverdraft(st State, req Overdraft) (Outcome, error) {
	o := Outcome{Account: st.Account}
	a := &o.Account
	limit := req.Limit
	if limit.IsZero() {
		limit = money.Zero(a.Currency)
	}
	if err := limit.Validate("limit", a.Currency); err != nil {
		return Outcome{}, err
	}
	if a.Balance.Add(limit).Amount.IsNegative() {
		return Outcome{}, field.Invalid("limit", "the balance is %s: the limit cannot be below %s", a.Balance, neg(a.Balance))
	}
	if limit.Amount.Equal(a.Overdraft.Amount) {
		return o, nil
	}
	old := a.Overdraft
	a.Overdraft = limit
	m := req.Meta
	m.Comment = joinComment(fmt.Sprintf("overdraft limit %s -> %s", old, limit), m.Comment)
	o.entry(EntryOverdraft, money.Zero(a.Currency), &m)
	return o, nil
}

func joinComment(what, comment string) string {
	if comment == "" {
		return what
	}
	return what + ": " + comment
}
