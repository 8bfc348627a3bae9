package store

import (
	"cmp"
	"context"
	"strings"
	"time"

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
}

// EntryFilter selects account entries. Network is required; empty fields
// match all. From and To bound the entries' instants: From <= At < To.
type EntryFilter struct {
	Network  string
	Holder   string
	Currency string
	From     time.Time
	To       time.Time
	// After, when set, is the position of the last entry of the previous
	// page: the page starts after it.
	After *EntryCursor
	// Limit bounds the page; 0: no bound.
	Limit int
}

// EntryCursor is the position of an entry in the order Entries returns
// them.
type EntryCursor struct {
	At       time.Time `json:"at"`
	Holder   string    `json:"holder"`
	Currency string    `json:"currency"`
	Seq      int64     `json:"seq"`
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
	Network string
	Holder  string
	Offset  int
	Limit   int // 0: no limit
}

// DebtFilter selects the visits that owe money. Network is required; an
// empty Holder matches all.
type DebtFilter struct {
	Network string
	Holder  string
	Offset  int
	Limit   int // 0: no limit
}
