// Package enginetest holds reusable checks of a passengine Engine on any
// store.Store: a Snapshot of what a network holds (to show that a refused
// or failed call wrote nothing, RULES I3), the ledger invariant (a pass's
// balance equals the sum of its ledger entries and is never negative), and
// a rapid state machine that drives the Engine with random operations
// against a simple model (Run), and a rapid check that the dry runs of
// bookings and redemptions equal the real calls and write nothing
// (RunDryRuns).
//
// A store adapter's tests run them with their own constructor:
//
//	func TestEngineModel(t *testing.T) {
//		enginetest.Run(t, func(t *rapid.T) store.Store {
//			st, err := sqlite.Open(ctx, ":memory:")
//			if err != nil {
//				t.Fatalf("open: %v", err)
//			}
//			t.Cleanup(func() { st.Close() })
//			return st
//		})
//	}
package enginetest

import (
	"context"
	"fmt"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/card"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/wallet"
)

// Snapshot is what one network holds in a store: its locations and PAYG
// products, and every pass, visit, ledger entry and card, in the store's
// list order. Two snapshots of an unchanged store are equal (reflect.DeepEqual).
type Snapshot struct {
	// Locations are the network's locations, by ID.
	Locations []catalog.Location
	// PAYGs are the network's PAYG products, by ID.
	PAYGs []billing.PAYG
	// Passes are every pass of the network, by issue instant then ID.
	Passes []pass.Pass
	// Visits are every visit of the network, by start then ID.
	Visits []checkin.Visit
	// Ledger is every pass ledger entry of the network, in append order.
	Ledger []pass.Entry
	// Accounts and AccountEntries are the network's prepaid accounts and
	// their entries (W1), in the store's list order.
	Accounts []wallet.Account
	// AccountEntries is described with Accounts above.
	AccountEntries []wallet.Entry
	// Cards are the network's multipass cards, by ID.
	Cards []card.Card
}

// Take returns the snapshot of network in st, read in one View. It returns
// the store's error if a read fails. Empty lists are nil, so that a
// network with nothing and a store that returns empty slices compare equal.
func Take(ctx context.Context, st store.Store, network string) (Snapshot, error) {
	var s Snapshot
	err := st.View(ctx, func(tx store.Tx) (err error) {
		if s.Locations, err = tx.Catalog().Locations(ctx, network); err != nil {
			return err
		}
		if s.PAYGs, err = tx.Catalog().PAYGs(ctx, network); err != nil {
			return err
		}
		if s.Passes, err = tx.Passes().List(ctx, store.PassFilter{Network: network}); err != nil {
			return err
		}
		if s.Visits, err = tx.Visits().List(ctx, store.VisitFilter{Network: network}); err != nil {
			return err
		}
		if s.Ledger, err = tx.Ledger().List(ctx, store.LedgerFilter{Network: network}); err != nil {
			return err
		}
		if s.Accounts, err = tx.Accounts().List(ctx, store.AccountFilter{Network: network}); err != nil {
			return err
		}
		if s.AccountEntries, err = tx.Accounts().Entries(ctx, store.EntryFilter{Network: network}); err != nil {
			return err
		}
		s.Cards, err = tx.Cards().List(ctx, store.CardFilter{Network: network})
		return err
	})
	if len(s.Locations) == 0 {
		s.Locations = nil
	}
	if len(s.PAYGs) == 0 {
		s.PAYGs = nil
	}
	if len(s.Passes) == 0 {
		s.Passes = nil
	}
	if len(s.Visits) == 0 {
		s.Visits = nil
	}
	if len(s.Ledger) == 0 {
		s.Ledger = nil
	}
	if len(s.Accounts) == 0 {
		s.Accounts = nil
	}
	if len(s.AccountEntries) == 0 {
		s.AccountEntries = nil
	}
	if len(s.Cards) == 0 {
		s.Cards = nil
	}
	return s, err
}

// Pass returns the pass with id and true, or the zero Pass and false.
func (s *Snapshot) Pass(id string) (pass.Pass, bool) {
	for _, p := range s.Passes {
		if p.ID == id {
			return p, true
		}
	}
	return pass.Pass{}, false
}

// CheckBalances returns an error naming the first pass whose balance is
// negative, above its units, or not the sum of its ledger entries' Units,
// or the first ledger entry of a pass the snapshot does not hold. It
// returns nil when every balance is consistent with the ledger.
func (s *Snapshot) CheckBalances() error {
	sums := make(map[string]int, len(s.Passes))
	for _, e := range s.Ledger {
		sums[e.Pass] += e.Units
	}
	seen := make(map[string]bool, len(s.Passes))
	for _, p := range s.Passes {
		seen[p.ID] = true
		if p.Balance < 0 {
			return fmt.Errorf("pass %s: balance %d is negative", p.ID, p.Balance)
		}
		if p.Balance > p.Units {
			return fmt.Errorf("pass %s: balance %d is above its %d units", p.ID, p.Balance, p.Units)
		}
		if got, want := sums[p.ID], p.Balance; got != want {
			return fmt.Errorf("pass %s: ledger entries sum to %d, balance is %d", p.ID, got, want)
		}
	}
	for _, e := range s.Ledger {
		if !seen[e.Pass] {
			return fmt.Errorf("ledger entry %s names pass %s, which is not stored", e.ID, e.Pass)
		}
	}
	return nil
}
