package wallet

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/passengine/passengine/money"
)

// Debt is the account side of one visit's charges (its PAYG charges and
// no-show fee, W2): Debited is what the account paid of them so far,
// settlements included, and Owed what is still owed. Start orders debts:
// the oldest first, ties by visit ID.
type Debt struct {
	// Visit is the ID of the visit whose charges these are.
	Visit string `json:"visit"`
	// Start is the visit's start.
	Start time.Time `json:"start,omitzero"`
	// Debited is what the account paid of the charges so far, described
	// above.
	Debited money.Money `json:"debited"`
	// Owed is what is still owed, described above; zero when paid.
	Owed money.Money `json:"owed"`
}

// Due is a charge of a visit that no entry or debt accounts for yet:
// Amount to debit on top of the Debt's Debited and Owed. Comment, when
// set, is the comment of its charge entry instead of the call's.
type Due struct {
	Debt
	// Amount is what is left to debit, above zero, described above.
	Amount money.Money
	// Comment, described above, is "" to use the call's.
	Comment string
}

// Charge debits the charges Dues from the account.
type Charge struct {
	// Dues are the charges to debit, in the order they are debited.
	Dues []Due
	Meta
}

// DecideCharge debits each due from the account, in order, with a charge
// entry linked to its visit, as far as the balance and the overdraft limit
// allow; what they do not cover is owed on the visit and added to the
// account's Owed (W2). It never refuses for money: a check-out is never
// refused because the account is short. Each due's Debt comes back in
// Outcome.Debts with its new Debited and Owed. It returns a *field.Error
// (named "charge") for a due that is negative, in another currency or
// finer than the minor unit; a due of zero is skipped.
func DecideCharge(st State, req Charge) (Outcome, error) {
	o := Outcome{Account: st.Account}
	a := &o.Account
	for _, d := range req.Dues {
		if d.Amount.Amount.IsZero() {
			continue
		}
		if err := ValidAmount("charge", d.Amount, a.Currency); err != nil {
			return Outcome{}, err
		}
		paid := least(d.Amount, a.Available())
		if paid.Amount.IsPositive() {
			m := req.Meta
			if d.Comment != "" {
				m.Comment = d.Comment
			}
			o.entry(EntryCharge, neg(paid), &m).Visit = d.Visit
		}
		owed := d.Amount.Sub(paid)
		debt := d.Debt
		debt.Debited = add(debt.Debited, paid, a.Currency)
		debt.Owed = add(debt.Owed, owed, a.Currency)
		a.Owed = add(a.Owed, owed, a.Currency)
		if a.OpenedAt.IsZero() {
			a.OpenedAt = req.At.UTC()
		}
		o.Debts = append(o.Debts, debt)
	}
	return o, nil
}

// add returns a + b in currency (a may be the zero Money).
func add(a, b money.Money, currency string) money.Money {
	return money.Money{Amount: a.Amount.Add(b.Amount), Currency: currency}
}

// Settle pays the holder's debts from the account: the one of Visit when
// it is set, otherwise all, oldest first.
type Settle struct {
	// Visit is the ID of the visit whose debt to pay; "" pays them all.
	Visit string
	Meta
}

// DecideSettle pays debts of st.Debts from what the account can pay
// (balance plus overdraft limit): the debt of req.Visit, or every debt
// oldest first, each with a settle entry linked to its visit; a debt the
// account cannot pay in full is paid in part (W2). It returns a
// *NoDebtError when nothing is owed (by the visit named), and an
// *InsufficientFundsError when the account can pay nothing of it.
func DecideSettle(st State, req Settle) (Outcome, error) {
	o := Outcome{Account: st.Account}
	a := &o.Account
	debts := st.Debts
	if req.Visit != "" {
		debts = nil
		for _, d := range st.Debts {
			if d.Visit == req.Visit {
				debts = append(debts, d)
			}
		}
	}
	owed := money.Zero(a.Currency)
	for _, d := range debts {
		if d.Owed.Amount.IsPositive() {
			owed = add(owed, d.Owed, a.Currency)
		}
	}
	if !owed.Amount.IsPositive() {
		return Outcome{}, &NoDebtError{Holder: a.Holder, Visit: req.Visit}
	}
	if !a.Available().Amount.IsPositive() {
		return Outcome{}, &InsufficientFundsError{Holder: a.Holder, Amount: owed, Available: a.Available(),
			Balance: a.Balance, Overdraft: a.Overdraft}
	}
	o.settle(debts, &req.Meta)
	return o, nil
}

// settle pays debts, oldest first, from what the account can pay, until
// it can pay no more.
func (o *Outcome) settle(debts []Debt, m *Meta) {
	a := &o.Account
	debts = slices.Clone(debts)
	slices.SortFunc(debts, func(x, y Debt) int {
		return cmp.Or(x.Start.Compare(y.Start), strings.Compare(x.Visit, y.Visit))
	})
	for _, d := range debts {
		if !d.Owed.Amount.IsPositive() {
			continue
		}
		paid := least(money.Money{Amount: d.Owed.Amount, Currency: a.Currency}, a.Available())
		if !paid.Amount.IsPositive() {
			return
		}
		o.entry(EntrySettle, neg(paid), m).Visit = d.Visit
		d.Debited = add(d.Debited, paid, a.Currency)
		d.Owed = money.Money{Amount: d.Owed.Amount.Sub(paid.Amount), Currency: a.Currency}
		a.Owed = money.Money{Amount: a.Owed.Amount.Sub(paid.Amount), Currency: a.Currency}
		o.Debts = append(o.Debts, d)
	}
}
