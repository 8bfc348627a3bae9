package memstore

import (
	"context"
	"slices"

	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/wallet"
)

// EraseComments empties the comments of the holder's ledger entries. It
// scans the ledger: an erasure is rare, and the ledger has no index by
// holder.
func (r ledgerRepo) EraseComments(_ context.Context, network, holder string) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	s := r.t.s
	for i := range s.ledger.len() {
		if n, _, _, h := s.ledger.head(i); string(n) != network || string(h) != holder {
			continue
		}
		e := s.ledger.entry(i)
		if e.Comment == "" {
			continue
		}
		e.Comment = ""
		r.t.onUndo(s.ledger.rewrite(i, &e))
	}
	return nil
}

// Erase replaces the results of the records of keys with
// store.ErasedResult.
func (r idemRepo) Erase(_ context.Context, network string, keys []string) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	l := &r.t.s.records
	for _, k := range keys {
		i, ok := l.find(network, k)
		if !ok {
			continue
		}
		rec := l.record(i, network, k)
		rec.Result = store.ErasedResult
		r.t.onUndo(l.rewrite(i, &rec))
	}
	return nil
}

// EraseComments empties the comments of the holder's account entries in
// every list that holds a copy of them: by ID, the network's and the
// holder's sorted lists, and the refunds of the entry each refunds.
func (r accountRepo) EraseComments(_ context.Context, network, holder string) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	w := r.t.s.wallet
	hk := nk{network, holder}
	for _, e := range slices.Clone(w.byHolder[hk]) {
		if e.Comment == "" {
			continue
		}
		erased := e
		erased.Comment = ""
		if err := put(r.t, w.byID, nk{network, e.ID}, erased); err != nil {
			return err
		}
		replaceSorted(r.t, w.byNetwork, network, erased)
		replaceSorted(r.t, w.byHolder, hk, erased)
		if e.Refunds != "" {
			replaceEntry(r.t, w.refunds, nk{network, e.Refunds}, erased)
		}
	}
	return nil
}

// replaceSorted replaces the entry at e's place in the sorted list at k of
// m by e, and logs how to undo it.
func replaceSorted[K comparable](t *tx, m map[K][]wallet.Entry, k K, e wallet.Entry) {
	if i, found := slices.BinarySearchFunc(m[k], e, byCursor); found {
		old := m[k][i]
		m[k][i] = e
		t.onUndo(func() {
			if i, found := slices.BinarySearchFunc(m[k], old, byCursor); found {
				m[k][i] = old
			}
		})
	}
}

// replaceEntry replaces the entry with e's ID in the list at k of m by e,
// and logs how to undo it.
func replaceEntry(t *tx, m map[nk][]wallet.Entry, k nk, e wallet.Entry) {
	find := func() int { return slices.IndexFunc(m[k], func(x wallet.Entry) bool { return x.ID == e.ID }) }
	if i := find(); i >= 0 {
		old := m[k][i]
		m[k][i] = e
		t.onUndo(func() {
			if i := find(); i >= 0 {
				m[k][i] = old
			}
		})
	}
}
