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
	accounts  map[string]wallet.Account // network+holder+currency -> account
	byID      map[string]wallet.Entry   // network+entry ID -> entry
	positions map[string]bool           // network+holder+currency+seq
	byNetwork map[string][]wallet.Entry // network -> entries in cursor order
	byHolder  map[string][]wallet.Entry // network+holder -> entries in cursor order
	refunds   map[string][]wallet.Entry // network+refunded entry ID -> refunds in order
}

func newWalletData() *walletData {
	return &walletData{accounts: map[string]wallet.Account{}, byID: map[string]wallet.Entry{},
		positions: map[string]bool{}, byNetwork: map[string][]wallet.Entry{}, byHolder: map[string][]wallet.Entry{},
		refunds: map[string][]wallet.Entry{}}
}

// Accounts returns the unit of work's prepaid account repository.
func (t *tx) Accounts() store.Accounts { return accountRepo{t} }

type accountRepo struct{ t *tx }

func accountKey(network, holder, currency string) string {
	return network + "\x00" + holder + "\x00" + currency
}

// inCurrency returns m's amount in currency: an account's and an entry's
// amounts are in its currency.
func inCurrency(m money.Money, currency string) money.Money {
	return money.Money{Amount: m.Amount, Currency: currency}
}

func (r accountRepo) Get(_ context.Context, network, holder, currency string) (wallet.Account, error) {
	a, ok := r.t.s.wallet.accounts[accountKey(network, holder, currency)]
	if !ok {
		return a, fmt.Errorf("account of %q in %s: %w", holder, currency, store.ErrNotFound)
	}
	return a, nil
}

func (r accountRepo) Put(_ context.Context, a wallet.Account) error {
	a.Balance, a.Overdraft, a.Owed = inCurrency(a.Balance, a.Currency), inCurrency(a.Overdraft, a.Currency), inCurrency(a.Owed, a.Currency)
	a.OpenedAt, a.UpdatedAt = a.OpenedAt.UTC(), a.UpdatedAt.UTC()
	return put(r.t, r.t.s.wallet.accounts, accountKey(a.Network, a.Holder, a.Currency), a)
}

func position(e *wallet.Entry) string {
	return fmt.Sprintf("%s\x00%d", accountKey(e.Network, e.Holder, e.Currency), e.Seq)
}

func byCursor(a, b wallet.Entry) int { return store.CursorOf(a).Compare(store.CursorOf(b)) }

// insertSorted inserts e into the sorted list at k of m and logs how to
// undo it (undos run last first, so the index is still e's).
func insertSorted(t *tx, m map[string][]wallet.Entry, k string, e wallet.Entry) {
	i, _ := slices.BinarySearchFunc(m[k], e, byCursor)
	m[k] = slices.Insert(m[k], i, e)
	t.undo = append(t.undo, func() { m[k] = slices.Delete(m[k], i, i+1) })
}

func (r accountRepo) Append(_ context.Context, entries ...wallet.Entry) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	w := r.t.s.wallet
	seen := make(map[string]bool, 2*len(entries))
	for i := range entries {
		e := &entries[i]
		id, pos := key(e.Network, e.ID), position(e)
		if _, ok := w.byID[id]; ok || seen[id] {
			return fmt.Errorf("account entry %q: %w", e.ID, store.ErrConflict)
		}
		if w.positions[pos] || seen[pos] {
			return fmt.Errorf("account entry %q: position %d of %s's %s account: %w", e.ID, e.Seq, e.Holder, e.Currency, store.ErrConflict)
		}
		seen[id], seen[pos] = true, true
	}
	for _, e := range entries {
		e.At = e.At.UTC()
		e.Amount, e.Balance = inCurrency(e.Amount, e.Currency), inCurrency(e.Balance, e.Currency)
		id, pos := key(e.Network, e.ID), position(&e)
		w.byID[id], w.positions[pos] = e, true
		r.t.undo = append(r.t.undo, func() { delete(w.byID, id); delete(w.positions, pos) })
		insertSorted(r.t, w.byNetwork, e.Network, e)
		insertSorted(r.t, w.byHolder, key(e.Network, e.Holder), e)
		if e.Refunds != "" {
			rk := key(e.Network, e.Refunds)
			w.refunds[rk] = append(w.refunds[rk], e)
			r.t.undo = append(r.t.undo, func() { w.refunds[rk] = w.refunds[rk][:len(w.refunds[rk])-1] })
		}
	}
	return nil
}

func (r accountRepo) Entry(_ context.Context, network, id string) (wallet.Entry, error) {
	return get(r.t.s.wallet.byID, key(network, id), "account entry")
}

func (r accountRepo) Refunds(_ context.Context, network, id string) ([]wallet.Entry, error) {
	return slices.Clone(r.t.s.wallet.refunds[key(network, id)]), nil
}

// Entries finds the page's start by binary search in the network's or the
// holder's sorted entries.
func (r accountRepo) Entries(_ context.Context, f store.EntryFilter) ([]wallet.Entry, error) {
	w := r.t.s.wallet
	list := w.byNetwork[f.Network]
	if f.Holder != "" {
		list = w.byHolder[key(f.Network, f.Holder)]
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
	all := sortedValues(r.t.s.wallet.accounts, f.Network, func(a, b wallet.Account) int {
		return cmp.Or(strings.Compare(a.Holder, b.Holder), strings.Compare(a.Currency, b.Currency))
	})
	out := all[:0]
	for _, a := range all {
		if f.Holder == "" || a.Holder == f.Holder {
			out = append(out, a)
		}
	}
	return page(out, f.Offset, f.Limit), nil
}

// Debts reads the holder's visits by date (all of them) or the network's.
func (r accountRepo) Debts(_ context.Context, f store.DebtFilter) ([]checkin.Visit, error) {
	s := r.t.s
	var out []checkin.Visit
	owes := func(v *checkin.Visit) bool { return v.Owed.Amount.IsPositive() }
	if f.Holder != "" {
		for _, ids := range s.byDate[key(f.Network, f.Holder)] {
			for id := range ids {
				if v := s.visits[key(f.Network, id)]; owes(&v) {
					out = append(out, v.Clone())
				}
			}
		}
		slices.SortFunc(out, byStart)
	} else {
		for _, v := range sortedValues(s.visits, f.Network, byStart) {
			if owes(&v) {
				out = append(out, v.Clone())
			}
		}
	}
	return page(out, f.Offset, f.Limit), nil
}
