package storetest

import (
	"bytes"
	"errors"
	"testing"

	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/wallet"
)

// The erasure calls of a deleted holder (store/erase.go): Ledger and
// Accounts EraseComments empty the comments of one holder's entries of one
// network and change nothing else; Idempotency.Erase replaces the results
// of the records named; a failed unit of work undoes them; inside View
// they fail.

// eraseWorld is what testErase writes: holder-1's and holder-2's ledger
// and account entries with comments in net-1, holder-1's in net-2, and
// records k1, k2, k3 in net-1 and k1 in net-2.
type eraseWorld struct {
	ledger  map[string][]pass.Entry // network -> entries in append order
	account map[string][]wallet.Entry
	records map[string][]store.Record
}

func newEraseWorld() eraseWorld {
	w := eraseWorld{ledger: map[string][]pass.Entry{}, account: map[string][]wallet.Entry{}, records: map[string][]store.Record{}}
	for _, n := range []string{"net-1", "net-2"} {
		e1 := sampleEntry(n, "e1", "pass-1")
		e2 := sampleEntry(n, "e2", "pass-2")
		e2.Comment = "broken leg: freeze"
		e3 := sampleEntry(n, "e3", "pass-3")
		e3.Holder = "holder-2"
		w.ledger[n] = []pass.Entry{e1, e2, e3}
		spend := accountEntry(n, "a1", "holder-1", 1, instant(2, 9, 0))
		spend.Type, spend.Comment = wallet.EntrySpend, "shoes for Ada"
		refund := sampleAccountEntry(n, "a2", "holder-1", 2, instant(2, 10, 0))
		refund.Refunds = "a1"
		other := accountEntry(n, "a3", "holder-2", 1, instant(2, 11, 0))
		other.Comment = "Ben's deposit"
		w.account[n] = []wallet.Entry{spend, refund, other}
		for _, k := range []string{"k1", "k2", "k3"} {
			w.records[n] = append(w.records[n], sampleRecord(n, k))
		}
	}
	return w
}

func (s *suite) testErase(t *testing.T) {
	st := s.store(t)
	w := newEraseWorld()
	update(t, st, func(tx store.Tx) error {
		for _, n := range []string{"net-1", "net-2"} {
			must(t, "Append", tx.Ledger().Append(bg, w.ledger[n]...))
			must(t, "Accounts.Append", tx.Accounts().Append(bg, w.account[n]...))
			for _, r := range w.records[n] {
				must(t, "Idempotency.Put", tx.Idempotency().Put(bg, r))
			}
		}
		return nil
	})
	erase := func(tx store.Tx) error {
		return errors.Join(tx.Ledger().EraseComments(bg, "net-1", "holder-1"),
			tx.Accounts().EraseComments(bg, "net-1", "holder-1"),
			tx.Idempotency().Erase(bg, "net-1", []string{"k1", "missing", "k2"}),
			tx.Idempotency().Erase(bg, "net-1", nil))
	}

	// A failed unit of work undoes the erasure; inside View it fails.
	failed := errors.New("refused")
	if err := st.Update(bg, func(tx store.Tx) error { must(t, "erase", erase(tx)); return failed }); !errors.Is(err, failed) {
		t.Fatalf("Update: got %v, want the closure's error", err)
	}
	view(t, st, func(tx store.Tx) error {
		if err := tx.Ledger().EraseComments(bg, "net-1", "holder-1"); err == nil {
			t.Error("Ledger.EraseComments inside View: got nil, want an error")
		}
		if err := tx.Accounts().EraseComments(bg, "net-1", "holder-1"); err == nil {
			t.Error("Accounts.EraseComments inside View: got nil, want an error")
		}
		if err := tx.Idempotency().Erase(bg, "net-1", []string{"k1"}); err == nil {
			t.Error("Idempotency.Erase inside View: got nil, want an error")
		}
		return nil
	})
	s.checkErased(t, st, newEraseWorld(), "after a failed unit of work")

	update(t, st, erase)
	want := newEraseWorld()
	for i := range want.ledger["net-1"][:2] {
		want.ledger["net-1"][i].Comment = ""
	}
	for i := range want.account["net-1"][:2] {
		want.account["net-1"][i].Comment = ""
	}
	for i := range want.records["net-1"][:2] {
		want.records["net-1"][i].Result = store.ErasedResult
	}
	s.checkErased(t, st, want, "after the erasure")
}

// checkErased compares what st holds with w: entries by every read that
// returns them, records by key.
func (s *suite) checkErased(t *testing.T, st store.Store, w eraseWorld, when string) {
	t.Helper()
	view(t, st, func(tx store.Tx) error {
		for _, n := range []string{"net-1", "net-2"} {
			got, err := tx.Ledger().List(bg, store.LedgerFilter{Network: n})
			must(t, "Ledger.List", err)
			same(t, when+": "+n+" ledger", got, w.ledger[n])
			got, err = tx.Ledger().List(bg, store.LedgerFilter{Network: n, Holder: "holder-1"})
			must(t, "Ledger.List by holder", err)
			same(t, when+": "+n+" ledger of holder-1", got, w.ledger[n][:2])
			page, _, err := tx.Ledger().PassPage(bg, n, "pass-2", "", 10)
			must(t, "Ledger.PassPage", err)
			same(t, when+": "+n+" page of pass-2", page, w.ledger[n][1:2])

			same(t, when+": "+n+" account entries", s.allEntries(t, tx, n), w.account[n])
			mine, err := tx.Accounts().Entries(bg, store.EntryFilter{Network: n, Holder: "holder-1"})
			must(t, "Accounts.Entries by holder", err)
			same(t, when+": "+n+" account entries of holder-1", mine, w.account[n][:2])
			for _, want := range w.account[n] {
				got, err := tx.Accounts().Entry(bg, n, want.ID)
				must(t, "Accounts.Entry", err)
				same(t, when+": "+n+" account entry "+want.ID, got, want)
			}
			refunds, err := tx.Accounts().Refunds(bg, n, "a1")
			must(t, "Accounts.Refunds", err)
			same(t, when+": "+n+" refunds of a1", refunds, w.account[n][1:2])

			for _, want := range w.records[n] {
				got, err := tx.Idempotency().Get(bg, n, want.Key)
				must(t, "Idempotency.Get", err)
				if got.Operation != want.Operation || !bytes.Equal(got.Request, want.Request) || !bytes.Equal(got.Result, want.Result) || !got.At.Equal(want.At) {
					t.Errorf("%s: %s record %s: got %q %q %q %s, want %q %q %q %s", when, n, want.Key,
						got.Operation, got.Request, got.Result, got.At, want.Operation, want.Request, want.Result, want.At)
				}
			}
		}
		return nil
	})
}
