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
// location (I2), and Engine scenarios run through passengine.New on the
// store: check-in and check-out with day, time and PAYG, idempotent replay
// (I1), and the concurrent double-spend test on a holder's pass and on a
// team's shared pass. An adapter whose Tx implements the optional
// store.StateLoader or store.CommitWriter is checked against the
// repository calls they stand for (store.ReadState, and the writes read
// back); one that does not skips those two tests. The same holds for the
// optional store.AccountLoader (store.ReadAccount). The prepaid account
// repository (store.Accounts) is covered like the others: round trips,
// cursor pages, debts, conflicts, isolation, rollback and copies. The
// erasure calls of a deleted holder (Ledger.EraseComments,
// Accounts.EraseComments, Idempotency.Erase) are checked to change what
// they name and nothing else, and to roll back.
//
// Verify checks a network's ledger invariants on any store, and Bench
// measures check-in and check-out on it.
package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/passengine/passengine/store"
)

// Options tunes RunOptions.
type Options struct {
	// Repeats is how many rounds each double-spend test runs: 0 means 20,
	// or 3 when testing.Short() is set.
	Repeats int
	// Goroutines is how many goroutines check in at once in each round:
	// 0 means 200.
	Goroutines int
	// Units is the balance of the pass they compete for: 0 means 50.
	Units int
}

// Run runs the conformance suite on the stores open returns, with the
// default Options. open must return a new, empty store, ready for units of
// work (migrated), each time it is called; the suite closes it when the
// test that opened it ends. Run reports failures through t.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	RunOptions(t, open, Options{})
}

// RunOptions is Run with Options.
func RunOptions(t *testing.T, open func(t *testing.T) store.Store, o Options) {
	if o.Repeats <= 0 {
		o.Repeats = 20
		if testing.Short() {
			o.Repeats = 3
		}
	}
	if o.Goroutines <= 0 {
		o.Goroutines = 200
	}
	if o.Units <= 0 {
		o.Units = 50
	}
	s := &suite{open: open, opts: o}
	t.Run("Catalog", s.testCatalog)
	t.Run("CatalogPages", s.testCatalogPages)
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
	t.Run("CommitWriter", s.testCommitWriter)
	t.Run("EngineDay", s.testEngineDay)
	t.Run("EngineTime", s.testEngineTime)
	t.Run("EnginePAYG", s.testEnginePAYG)
	t.Run("EngineIdempotency", s.testEngineIdempotency)
	t.Run("EngineRefusalWritesNothing", s.testEngineRefusal)
	t.Run("DoubleSpendHolder", s.testDoubleSpendHolder)
	t.Run("DoubleSpendTeam", s.testDoubleSpendTeam)
	t.Run("EngineRedeem", s.testEngineRedeem)
	t.Run("EngineLockout", s.testEngineLockout)
	t.Run("EngineLockoutConcurrent", s.testEngineLockoutConcurrent)
	t.Run("EnginePayout", s.testEnginePayout)
}

type suite struct {
	open func(t *testing.T) store.Store
	opts Options
}

// store opens a store for t and closes it when t ends.
func (s *suite) store(t *testing.T) store.Store {
	t.Helper()
	st := s.open(t)
	if st == nil {
		t.Fatal("open returned a nil store")
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return st
}

// update runs fn as a unit of work, retrying store.ErrConflict like the
// Engine does, and fails t on an error.
func update(t testing.TB, st store.Store, fn func(store.Tx) error) {
	t.Helper()
	if err := retry(st, fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func retry(st store.Store, fn func(store.Tx) error) error {
	var err error
	for range 50 {
		if err = st.Update(context.Background(), fn); !errors.Is(err, store.ErrConflict) {
			return err
		}
	}
	return err
}

// view runs fn as a read-only unit of work and fails t on an error.
func view(t testing.TB, st store.Store, fn func(store.Tx) error) {
	t.Helper()
	if err := st.View(context.Background(), fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

// wantErr fails t unless err is (or wraps) target.
func wantErr(t testing.TB, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: got error %v, want %v", what, err, target)
	}
}

// same fails t when got and want differ (see Diff).
func same(t testing.TB, what string, got, want any) {
	t.Helper()
	if d := Diff(got, want); d != "" {
		t.Errorf("%s: %s", what, d)
	}
}

// must fails t now on a non-nil err.
func must(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
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
