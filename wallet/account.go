// Package wallet is the prepaid account of seed 004 (RULES W1, W2): a
// holder's money in one currency, kept as an append-only list of entries
// whose amounts sum to the balance, with an optional overdraft limit, and
// the debts of visits whose charges the account could not pay.
//
// It is pure like the other domain packages: a decision (DecideDeposit,
// DecideSpend, DecideRefund, DecideAdjust, DecideOverdraft, DecideCharge,
// DecideSettle) is a function of a State and a request returning an
// Outcome that lists every effect (the account after, the entries to
// append, the debts changed) for the caller to store in one unit of work.
// Nothing here reads a clock or a store.
package wallet

import (
	"errors"
	"fmt"
	"time"

	"github.com/passengine/passengine/money"
)

// Account is a holder's prepaid money in one currency (W1). Balance is
// always the sum of the account's entries' amounts and is never below
// minus Overdraft; it is kept current on the account row, written in the
// same unit of work as its entries.
type Account struct {
	// Network is the ID of the account's network (S1).
	Network string `json:"network"`
	// Holder is the ID of the holder whose money it is.
	Holder string `json:"holder"`
	// Currency is the ISO 4217 code of every amount of the account: the
	// network's (S5).
	Currency string `json:"currency"`
	// Balance is the sum of the entries' amounts: negative only inside the
	// overdraft.
	Balance money.Money `json:"balance"`
	// Overdraft is the overdraft limit: how far below zero spends, charges
	// and adjustments may take the balance. Zero: no overdraft.
	Overdraft money.Money `json:"overdraft"`
	// Owed is what the holder's visits still owe (the sum of their debts):
	// charges that funds and overdraft did not cover (W2).
	Owed money.Money `json:"owed"`
	// Entries is how many entries the account has: the Seq of the last.
	Entries int64 `json:"entries"`
	// OpenedAt is when the account was first written: its first entry,
	// or its first debt when a charge found it empty.
	OpenedAt time.Time `json:"opened_at,omitzero"`
	// UpdatedAt is the instant of the last entry. Entries' instants never
	// go back: an entry written while an earlier call's later instant is
	// already on the account takes that instant.
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// New returns the empty account of holder in currency: zero balance, no
// overdraft, nothing owed, no entries. Every holder has one until its
// first entry is written.
func New(network, holder, currency string) Account {
	z := money.Zero(currency)
	return Account{Network: network, Holder: holder, Currency: currency, Balance: z, Overdraft: z, Owed: z}
}

// Available returns what the account can pay now: the balance plus the
// overdraft limit (never below zero).
func (a *Account) Available() money.Money {
	av := a.Balance.Add(a.Overdraft)
	if av.Amount.IsNegative() {
		return money.Zero(a.Currency)
	}
	return money.Money{Amount: av.Amount, Currency: a.Currency}
}

// EntryType is what an account entry records.
type EntryType string

// The entry types. Credits have a positive amount, debits a negative one.
const (
	EntryDeposit EntryType = "deposit" // money paid in (W1)
	EntrySpend   EntryType = "spend"   // a purchase paid from the account: a pass (W2) or a product
	EntryRefund  EntryType = "refund"  // money given back for a spend, charge or settle
	EntryAdjust  EntryType = "adjust"  // a staff correction, either sign
	EntryCharge  EntryType = "charge"  // a visit's PAYG charge or no-show fee debited (W2)
	EntrySettle  EntryType = "settle"  // a visit's debt paid later (W2)
	// EntryOverdraft records a change of the overdraft limit; its amount
	// is zero.
	EntryOverdraft EntryType = "overdraft"
)

// Refundable reports whether entries of type t can be refunded: the
// debits that paid for something (spend, charge, settle).
func (t EntryType) Refundable() bool {
	return t == EntrySpend || t == EntryCharge || t == EntrySettle
}

// Entry is one append-only record of a change to an account. Amount is
// signed (credits positive, debits negative) and Balance is the account's
// balance after it. Seq is its position in the account, from 1, without
// gaps. Pass, Visit and Refunds link the entry to what it paid for or
// gives money back for. Key is the idempotency key of the call that wrote
// it; Actor who made the call (the holder when the call names nobody).
type Entry struct {
	// Network is the ID of the entry's network (S1).
	Network string `json:"network"`
	// Holder is the ID of the holder whose account it is.
	Holder string `json:"holder"`
	// Currency is the account's currency, of Amount and Balance.
	Currency string `json:"currency"`
	// Seq is the entry's position in its account: 1 for the first, with
	// no gaps.
	Seq int64 `json:"seq"`
	// ID names the entry in its network.
	ID string `json:"id"`
	// At is the instant of the entry, in UTC; never before the account's
	// previous entry's.
	At time.Time `json:"at,omitzero"`
	// Type is what the entry records.
	Type EntryType `json:"type"`
	// Amount is the signed change: credits above zero, debits below, zero
	// for an overdraft change.
	Amount money.Money `json:"amount"`
	// Balance is the account's balance after the entry.
	Balance money.Money `json:"balance"`
	// Pass is the pass a spend paid for (W2).
	Pass string `json:"pass,omitempty"`
	// Visit is the visit a charge or settle paid for (W2).
	Visit string `json:"visit,omitempty"`
	// Refunds is the ID of the entry a refund gives money back for.
	Refunds string `json:"refunds,omitempty"`
	// Key is the idempotency key of the call that wrote the entry.
	Key string `json:"key,omitempty"`
	// Actor is who made the call: the holder when the call named nobody.
	Actor string `json:"actor,omitempty"`
	// Comment is the reason given, free text; an overdraft entry says the
	// old and new limits.
	Comment string `json:"comment,omitempty"`
}

// The errors of the decisions. Each comes wrapped in a typed error with
// the detail.
var (
	// ErrInsufficientFunds: the balance plus the overdraft limit does not
	// cover the amount. The error is an *InsufficientFundsError.
	ErrInsufficientFunds = errors.New("insufficient funds")
	// ErrRefundTooLarge: the refund is more than what is left to refund of
	// the entry. The error is a *RefundError.
	ErrRefundTooLarge = errors.New("refund is more than what is left to refund")
	// ErrNoDebt: there is nothing owed to settle. The error is a
	// *NoDebtError.
	ErrNoDebt = errors.New("nothing is owed")
)

// InsufficientFundsError is the refusal of a debit the account cannot
// pay: Amount asked, Available = Balance + Overdraft. It unwraps to
// ErrInsufficientFunds.
type InsufficientFundsError struct {
	// Holder is the ID of the account's holder.
	Holder string
	// Amount is the debit asked.
	Amount money.Money
	// Available is what the account could pay: Balance plus Overdraft.
	Available money.Money
	// Balance is the account's balance.
	Balance money.Money
	// Overdraft is the account's overdraft limit; zero for none.
	Overdraft money.Money
}

// Error says what was asked and what the account has.
func (e *InsufficientFundsError) Error() string {
	return fmt.Sprintf("account of %s: %s asked, %s available (balance %s, overdraft limit %s): %s",
		e.Holder, e.Amount, e.Available, e.Balance, e.Overdraft, ErrInsufficientFunds)
}

// Unwrap returns ErrInsufficientFunds.
func (e *InsufficientFundsError) Unwrap() error { return ErrInsufficientFunds }

// RefundError is the refusal of a refund above what is left to refund of
// entry Entry: it took Took, Refunded of it was refunded already. It
// unwraps to ErrRefundTooLarge.
type RefundError struct {
	// Entry is the ID of the entry refunded.
	Entry string
	// Asked is the refund asked for.
	Asked money.Money
	// Took is what the entry took from the account, above zero.
	Took money.Money
	// Refunded is what earlier refunds gave back of it.
	Refunded money.Money
}

// Error says what was asked and what is left.
func (e *RefundError) Error() string {
	return fmt.Sprintf("refund of entry %s: %s asked, %s left of %s (%s refunded): %s",
		e.Entry, e.Asked, e.Took.Sub(e.Refunded), e.Took, e.Refunded, ErrRefundTooLarge)
}

// Unwrap returns ErrRefundTooLarge.
func (e *RefundError) Unwrap() error { return ErrRefundTooLarge }

// NoDebtError is the refusal of a settle with nothing owed: by the
// holder, or by Visit when the settle names one. It unwraps to ErrNoDebt.
type NoDebtError struct {
	// Holder is the ID of the account's holder.
	Holder string
	// Visit is the ID of the visit the settle named; "" when it named
	// none.
	Visit string
}

// Error names the holder or the visit.
func (e *NoDebtError) Error() string {
	if e.Visit != "" {
		return fmt.Sprintf("visit %s of %s: %s", e.Visit, e.Holder, ErrNoDebt)
	}
	return fmt.Sprintf("holder %s: %s", e.Holder, ErrNoDebt)
}

// Unwrap returns ErrNoDebt.
func (e *NoDebtError) Unwrap() error { return ErrNoDebt }
