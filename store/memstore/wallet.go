package memstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/wallet"
)

// walletData holds the prepaid accounts and their entries. Entries are
// kept sorted by store.EntryCursor per network and per holder, so a page
// is found by binary search and its cost follows the page.
type walletData struct {
	accounts  map[accountKey]wallet.Account // network+holder+currency -> account
	byID      valMap[wallet.Entry]          // network+entry ID -> entry
	positions map[positionKey]bool          // network+holder+currency+seq
	byNetwork map[string][]wallet.Entry     // network -> entries in cursor order
	byHolder  map[nk][]wallet.Entry         // network+holder -> entries in cursor order
	refunds   map[nk][]wallet.Entry         // network+refunded entry ID -> refunds in order
}

func newWalletData() *walletData {
	return &walletData{accounts: map[accountKey]wallet.Account{}, byID: valMap[wallet.Entry]{},
		positions: map[positionKey]bool{}, byNetwork: map[string][]wallet.Entry{}, byHolder: map[nk][]wallet.Entry{},
		refunds: map[nk][]wallet.Entry{}}
}

// Accounts returns the unit of work's prepaid account repository.
func (t *tx) Accounts() store.Accounts { return accountRepo{t} }

type accountRepo struct{ t *tx }

// accountKey is the key of a holder's account in one currency.
type accountKey struct{ net, holder, currency string }

// positionKey is the key of an entry's position in its account.
type positionKey struct {
	accountKey
	seq int64
}

// putAccount stores a at k and logs how to undo it.
func putAccount(t *tx, k accountKey, a wallet.Account) error {
	if err := t.writable(); err != nil {
		return err
	}
	m := t.s.wallet.accounts
	old, had := m[k]
	m[k] = a
	t.onUndo(func() {
		if had {
			m[k] = old
		} else {
			delete(m, k)
		}
	})
	return nil
}

// inCurrency returns m's amount in currency: an account's and an entry's
// amounts are in its currency.
func inCurrency(m money.Money, currency string) money.Money {
	return money.Money{Amount: m.Amount, Currency: currency}
}

func (r accountRepo) Get(_ context.Context, network, holder, currency string) (wallet.Account, error) {
	a, ok := r.t.s.wallet.accounts[accountKey{network, holder, currency}]
	if !ok {
		return a, fmt.Errorf("account of %q in %s: %w", holder, currency, store.ErrNotFound)
	}
	return a, nil
}

func (r accountRepo) Put(_ context.Context, a wallet.Account) error {
	a.Balance, a.Overdraft, a.Owed = inCurrency(a.Balance, a.Currency), inCurrency(a.Overdraft, a.Currency), inCurrency(a.Owed, a.Currency)
	a.OpenedAt, a.UpdatedAt = a.OpenedAt.UTC(), a.UpdatedAt.UTC()
	return putAccount(r.t, accountKey{a.Network, a.Holder, a.Currency}, a)
}

func position(e *wallet.Entry) positionKey {
	return positionKey{accountKey{e.Network, e.Holder, e.Currency}, e.Seq}
}

func byCursor(a, b wallet.Entry) int { return store.CursorOf(a).Compare(store.CursorOf(b)) }

// insertSorted inserts e into the sorted list at k of m and logs how to
// undo it (undos run last first, so the index is still e's).
func insertSorted[K comparable](t *tx, m map[K][]wallet.Entry, k K, e wallet.Entry) {
	i, _ := slices.BinarySearchFunc(m[k], e, byCursor)
	m[k] = slices.Insert(m[k], i, e)
	t.onUndo(func() { m[k] = slices.Delete(m[k], i, i+1) })
}

func (r accountRepo) Append(_ context.Context, entries ...wallet.Entry) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	w := r.t.s.wallet
	seenIDs := make(map[nk]bool, len(entries))
	seenPos := make(map[positionKey]bool, len(entries))
	for i := range entries {
		e := &entries[i]
		id, pos := nk{e.Network, e.ID}, position(e)
		if _, ok := w.byID[id]; ok || seenIDs[id] {
			return fmt.Errorf("account entry %q: %w", e.ID, store.ErrConflict)
		}
		if w.positions[pos] || seenPos[pos] {
			return fmt.Errorf("account entry %q: position %d of %s's %s account: %w", e.ID, e.Seq, e.Holder, e.Currency, store.ErrConflict)
		}
		seenIDs[id], seenPos[pos] = true, true
	}
	for _, e := range entries {
		e.At = e.At.UTC()
		e.Amount, e.Balance = inCurrency(e.Amount, e.Currency), inCurrency(e.Balance, e.Currency)
		id, pos := nk{e.Network, e.ID}, position(&e)
		w.byID[id], w.positions[pos] = e, true
		r.t.onUndo(func() { delete(w.byID, id); delete(w.positions, pos) })
		insertSorted(r.t, w.byNetwork, e.Network, e)
		insertSorted(r.t, w.byHolder, nk{e.Network, e.Holder}, e)
		if e.Refunds != "" {
			rk := nk{e.Network, e.Refunds}
			w.refunds[rk] = append(w.refunds[rk], e)
			r.t.onUndo(func() { w.refunds[rk] = w.refunds[rk][:len(w.refunds[rk])-1] })
		}
	}
	return nil
}

func (r accountRepo) Entry(_ context.Context, network, id string) (wallet.Entry, error) {
	return get(r.t.s.wallet.byID, nk{network, id}, "account entry")
}

func (r accountRepo) Refunds(_ context.Context, network, id string) ([]wallet.Entry, error) {
	return slices.Clone(r.t.s.wallet.refunds[nk{network, id}]), nil
}

// Entries finds the page's start by binary search in the network's or the
// holder's sorted entries.
func (r accountRepo) Entries(_ context.Context, f store.EntryFilter) ([]wallet.Entry, error) {
	w := r.t.s.wallet
	list := w.byNetwork[f.Network]
	if f.Holder != "" {
		list = w.byHolder[nk{f.Network, f.Holder}]
	}
	i := 0
	if !f.From.IsZero() {
		i, _ = slices.BinarySearchFunc(list, f.From, func(e wallet.Entry, t time.Time) int { return e.At.Compare(t) })
	}
	if f.After != nil {
		j, found := slices.BinarySearchFunc(list, *f.After, func(e wallet.Entry, c store.EntryCursor) int { return store.CursorOf(e).Compare(c) })
		if found {
			j++
		}
		i = max(i, j)
	}
	var out []wallet.Entry
	for ; i < len(list) && (f.Limit <= 0 || len(out) < f.Limit); i++ {
		e := list[i]
		if !f.To.IsZero() && !e.At.Before(f.To) {
			break
		}
		if f.Currency == "" || e.Currency == f.Currency {
			out = append(out, e)
		}
	}
	return out, nil
}

func (r accountRepo) List(_ context.Context, f store.AccountFilter) ([]wallet.Account, error) {
	var out []wallet.Account
	for k, a := range r.t.s.wallet.accounts {
		if k.net == f.Network && (f.Holder == "" || a.Holder == f.Holder) {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b wallet.Account) int {
		return cmp.Or(strings.Compare(a.Holder, b.Holder), strings.Compare(a.Currency, b.Currency))
	})
	return page(out, f.Offset, f.Limit), nil
}

// Debts reads the holder's visits by date (all of them) or the network's.
func (r accountRepo) Debts(_ context.Context, f store.DebtFilter) ([]checkin.Visit, error) {
	s := r.t.s
	owes := func(v *checkin.Visit) bool { return v.Owed.Amount.IsPositive() }
	var rows []*visitRow
	if f.Holder != "" {
		if h := s.hv[nk{f.Network, f.Holder}]; h != nil {
			for _, r := range h.dated {
				if owes(&r.v) {
					rows = append(rows, r)
				}
			}
		}
	} else {
		for k, r := range s.visits {
			if k.net == f.Network && owes(&r.v) {
				rows = append(rows, r)
			}
		}
	}
	slices.SortFunc(rows, rowByStart)
	return copyVisits(page(rows, f.Offset, f.Limit)), nil
}
