// Package storetest is the conformance suite of passengine's storage
// contract (package store). Every adapter in this module runs it unchanged,
// and so can a host's own adapter:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) store.Store {
//			st, err := mystore.Open(...) // a new, empty, migrated store
//			if err != nil {
//				t.Fatal(err)
//			}
//			return st
//		})
//	}
//
// It covers every repository method of store.Tx (multipass cards, holder
// deletion, expiring passes and ledger pages included), network isolation (S1),
// rollback of a failed or panicking unit of work (I3), values returned as
// copies, exact round trips of every field (decimals compared with
// decimal.Decimal.Equal, instants with time.Time.Equal, at microsecond
// precision), serialization of units of work that lock one holder, team or
// location (I2), and the listings' order, pages and cursors (store.Lists).
// An adapter whose Tx implements the optional store.StateLoader or
// store.CommitWriter is checked against the repository calls they stand
// for (store.ReadState, and the writes read back); one that does not
// skips those two tests. The same holds for the optional
// store.AccountLoader (store.ReadAccount). The prepaid account repository
// (store.Accounts) is covered like the others: round trips, cursor pages,
// debts, conflicts, isolation, rollback and copies.
// The erasure calls of a deleted holder (Ledger.EraseComments,
// Accounts.EraseComments, Idempotency.Erase) are checked to change what
// they name and nothing else, and to roll back.
//
// The suite stands below the Engine and imports nothing above package
// store: the Engine's scenarios on a store (check-ins, idempotent replay,
// the concurrent double spend, passcodes and payouts) are
// enginetest.RunStore, which every adapter of this module runs too.
// Verify checks a network's ledger invariants on any store.
package storetest

import (
	"testing"

	"github.com/passengine/passengine/internal/storecheck"
	"github.com/passengine/passengine/store"
)

// Run runs the conformance suite on the stores open returns. open must
// return a new, empty store, ready for units of work (migrated), each time
// it is called; the suite closes it when the test that opened it ends.
// Run reports failures through t.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	s := &suite{open: open}
	t.Run("Catalog", s.testCatalog)
	t.Run("CatalogPages", s.testCatalogPages)
	t.Run("Lists", s.testLists)
	t.Run("ListVisits", s.testListVisits)
	t.Run("Occupancy", s.testOccupancy)
	t.Run("Locks", s.testLocks)
	t.Run("Passes", s.testPasses)
	t.Run("PassCodes", s.testPassCodes)
	t.Run("Visits", s.testVisits)
	t.Run("Ledger", s.testLedger)
	t.Run("Idempotency", s.testIdempotency)
	t.Run("Guards", s.testGuards)
	t.Run("Terms", s.testTerms)
	t.Run("Cards", s.testCards)
	t.Run("DeleteHolder", s.testDeleteHolder)
	t.Run("Erase", s.testErase)
	t.Run("Expiring", s.testExpiring)
	t.Run("LedgerPages", s.testLedgerPages)
	t.Run("Accounts", s.testAccounts)
	t.Run("AccountsIsolation", s.testAccountsIsolation)
	t.Run("AccountsRollback", s.testAccountsRollback)
	t.Run("AccountsCopies", s.testAccountsCopies)
	t.Run("AccountLoader", s.testAccountLoader)
	t.Run("Isolation", s.testIsolation)
	t.Run("Rollback", s.testRollback)
	t.Run("Copies", s.testCopies)
	t.Run("Context", s.testContext)
	t.Run("StateLoader", s.testStateLoader)
	t.Run("StateCopies", s.testStateCopies)
	t.Run("StatePassesStay", s.testStatePassesStay)
	t.Run("CommitWriter", s.testCommitWriter)
}

type suite struct {
	open func(t *testing.T) store.Store
}

// store opens a store for t and closes it when t ends.
func (s *suite) store(t *testing.T) store.Store { return storecheck.Open(t, s.open) }

// The helpers every test of the suite uses (internal/storecheck).
var (
	update  = storecheck.Update
	retry   = storecheck.Retry
	view    = storecheck.View
	wantErr = storecheck.WantErr
	must    = storecheck.Must
)

// same fails t when got and want differ (see Diff).
func same(t testing.TB, what string, got, want any) {
	t.Helper()
	if d := Diff(got, want); d != "" {
		t.Errorf("%s: %s", what, d)
	}
}

// complete fails t now if the fixture v leaves a field unset: every field
// must be set for a round trip to show the adapter stores it.
func complete(t testing.TB, name string, v any, except ...string) {
	t.Helper()
	if zero := unset(v, except...); len(zero) > 0 {
		t.Fatalf("storetest fixture %s leaves %v unset: a field was added to the domain type; set it in the fixture so adapters are checked to store it", name, zero)
	}
}

// ids returns the IDs of vs, in order.
func ids[T any](vs []T, id func(T) string) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = id(v)
	}
	return out
}
