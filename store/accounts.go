package store

import (
	"cmp"
	"context"
	"errors"
	"strings"
	"time"

	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/wallet"
)

// Accounts stores the prepaid accounts of holders (W1) and their
// append-only entries, and lists the visits that owe money (W2). An
// account is keyed by (network, holder, currency); its amounts are in its
// currency, and an entry's in the entry's currency: adapters store the
// amounts and give them back in that currency.
//
// Put and Append may be held by an adapter and sent with the unit of
// work's next statement or its commit, as a CommitWriter does: their
// errors (ErrConflict for an entry that exists) are then returned by that
// statement or by Update, and reads after them see them.
type Accounts interface {
	// Get returns the account of holder in currency, or ErrNotFound when
	// it has none.
	Get(ctx context.Context, network, holder, currency string) (wallet.Account, error)
	// Put inserts or replaces the account.
	Put(ctx context.Context, a wallet.Account) error
	// Append adds entries. An entry whose ID exists in the network, or
	// whose position (holder, currency, Seq) exists, is ErrConflict, and
	// none of entries is added.
	Append(ctx context.Context, entries ...wallet.Entry) error
	// Entry returns the entry with id, or ErrNotFound.
	Entry(ctx context.Context, network, id string) (wallet.Entry, error)
	// Refunds returns the entries whose Refunds is id (the refunds of a
	// spend, charge or settle), in account order.
	Refunds(ctx context.Context, network, id string) ([]wallet.Entry, error)
	// Entries returns up to f.Limit entries matching f after f.After,
	// oldest first: ordered by (At, Holder, Currency, Seq), the order of
	// EntryCursor, which is Seq order within an account (an account's
	// instants never go back). Its cost follows the page, not the
	// history before the cursor.
	Entries(ctx context.Context, f EntryFilter) ([]wallet.Entry, error)
	// List returns the accounts matching f, ordered by holder then
	// currency.
	List(ctx context.Context, f AccountFilter) ([]wallet.Account, error)
	// Debts returns the visits matching f whose Owed is above zero (W2),
	// ordered by start then ID: the oldest debt first.
	Debts(ctx context.Context, f DebtFilter) ([]checkin.Visit, error)
	// EraseComments empties the Comment of every entry of the holder's
	// accounts in the network (erase.go); everything else stays.
	EraseComments(ctx context.Context, network, holder string) error
}

// EntryFilter selects account entries. Network is required; empty fields
// match all. From and To bound the entries' instants: From <= At < To.
type EntryFilter struct {
	// Network is the ID of the entries' network.
	Network string
	// Holder keeps one holder's entries.
	Holder string
	// Currency keeps the entries of the accounts in one currency.
	Currency string
	// From is the earliest instant kept; the zero time: no bound.
	From time.Time
	// To is the first instant no longer kept; the zero time: no bound.
	To time.Time
	// After, when set, is the position of the last entry of the previous
	// page: the page starts after it.
	After *EntryCursor
	// Limit bounds the page; 0: no bound.
	Limit int
}

// EntryCursor is the position of an entry in the order Entries returns
// them.
type EntryCursor struct {
	// At is the entry's instant, in UTC.
	At time.Time `json:"at"`
	// Holder is the ID of the entry's holder.
	Holder string `json:"holder"`
	// Currency is the entry's account's currency.
	Currency string `json:"currency"`
	// Seq is the entry's position in its account.
	Seq int64 `json:"seq"`
}

// CursorOf returns the position of e.
func CursorOf(e wallet.Entry) EntryCursor {
	return EntryCursor{At: e.At.UTC(), Holder: e.Holder, Currency: e.Currency, Seq: e.Seq}
}

// Compare returns -1, 0 or +1 as c is before, at or after d in the order
// of Entries.
func (c EntryCursor) Compare(d EntryCursor) int {
	return cmp.Or(c.At.Compare(d.At), strings.Compare(c.Holder, d.Holder),
		strings.Compare(c.Currency, d.Currency), cmp.Compare(c.Seq, d.Seq))
}

// AccountFilter selects accounts. Network is required; an empty Holder
// matches all.
type AccountFilter struct {
	// Network is the ID of the accounts' network.
	Network string
	// Holder keeps one holder's accounts.
	Holder string
	// Offset is how many accounts of the list to skip.
	Offset int
	Limit  int // 0: no limit
}

// DebtFilter selects the visits that owe money. Network is required; an
// empty Holder matches all.
type DebtFilter struct {
	// Network is the ID of the visits' network.
	Network string
	// Holder keeps one holder's visits.
	Holder string
	// Offset is how many visits of the list to skip.
	Offset int
	Limit  int // 0: no limit
}

// AccountLoader is an optional interface of a Tx: it reads what an
// account call needs, under the holder's lock, in one request to the
// database. The Engine uses it when a unit of work's Tx implements it and
// otherwise makes the same reads through the repositories (ReadAccount);
// the two must give the same AccountState (store/storetest checks it).
type AccountLoader interface {
	// LoadAccount reads the network, locks the holder (as
	// Catalog.LockHolder) and then reads its account in the network's
	// currency and, with q.Debts, its debts. It returns ErrNotFound for a
	// missing network or holder, in that order of checking. Inside View
	// it locks nothing.
	LoadAccount(ctx context.Context, q AccountQuery) (AccountState, error)
}

// AccountQuery names what LoadAccount reads.
type AccountQuery struct {
	// Network is the ID of the network the call is in.
	Network string
	// Holder is the ID of the holder whose account it is; it is locked.
	Holder string
	// Debts asks for the holder's visits that owe money.
	Debts bool
}

// AccountState is what an account call reads after the holder's lock.
type AccountState struct {
	// Network is the query's network, whose currency the account is in.
	Network catalog.Network
	// Account is the holder's account in the network's currency:
	// wallet.New's empty account when the holder has none.
	Account wallet.Account
	// Debts are the holder's visits that owe money, oldest first, as
	// Accounts.Debts returns them, when the query asks for them.
	Debts []checkin.Visit
}

// LoadAccount returns q's account state in tx: through tx's AccountLoader
// when it is one, otherwise through ReadAccount. Its errors are those of
// AccountLoader.LoadAccount.
func LoadAccount(ctx context.Context, tx Tx, q AccountQuery) (AccountState, error) {
	if l, ok := tx.(AccountLoader); ok {
		return l.LoadAccount(ctx, q)
	}
	return ReadAccount(ctx, tx, q)
}

// ReadAccount is AccountLoader's contract made of repository calls, one
// at a time. Debts are read only when the account owes something (its
// Owed is the sum of the debts, so none are missed). Its errors are those
// of AccountLoader.LoadAccount.
func ReadAccount(ctx context.Context, tx Tx, q AccountQuery) (s AccountState, err error) {
	if s.Network, err = tx.Catalog().Network(ctx, q.Network); err != nil {
		return s, err
	}
	if err := tx.Catalog().LockHolder(ctx, q.Network, q.Holder); err != nil {
		return s, err
	}
	s.Account, err = tx.Accounts().Get(ctx, q.Network, q.Holder, s.Network.Currency)
	switch {
	case errors.Is(err, ErrNotFound):
		s.Account, err = wallet.New(q.Network, q.Holder, s.Network.Currency), nil
	case err != nil:
		return s, err
	}
	if q.Debts && s.Account.Owed.Amount.IsPositive() {
		s.Debts, err = tx.Accounts().Debts(ctx, DebtFilter{Network: q.Network, Holder: q.Holder})
	}
	return s, err
}
