// Package exampledb opens the store of the example programs: a SQLite file
// kept between runs (migrated), or an in-memory store, and says which on
// standard output.
package exampledb

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/memstore"
	"github.com/passengine/passengine/store/sqlite"
)

// Open returns an in-memory store when memory is set, and otherwise the
// SQLite file at path, deleted first (with its WAL files) when reset is
// set, and migrated. It returns the error of removing, opening or
// migrating the file.
func Open(ctx context.Context, path string, reset, memory bool) (store.Store, error) {
	if memory {
		fmt.Println("store: in memory (nothing is kept)")
		return memstore.New(), nil
	}
	if reset {
		for _, f := range []string{path, path + "-wal", path + "-shm"} {
			if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
				return nil, err
			}
		}
	}
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	fmt.Printf("store: SQLite file %s\n", path)
	return st, nil
}

// Plural returns "n one" or "n many".
func Plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Counts is how much a network holds in a store.
type Counts struct {
	// Passes, Visits, Entries, Cards and AccountEntries count the
	// network's passes, visits, ledger entries, cards and prepaid account
	// entries.
	Passes, Visits, Entries, Cards, AccountEntries int
}

// Count returns how many passes, visits, ledger entries, cards and prepaid
// account entries the network holds in st, read in one unit of work.
func Count(ctx context.Context, st store.Store, network string) (c Counts, err error) {
	err = st.View(ctx, func(tx store.Tx) error {
		ps, err := tx.Passes().List(ctx, store.PassFilter{Network: network})
		if err != nil {
			return err
		}
		vs, err := tx.Visits().List(ctx, store.VisitFilter{Network: network})
		if err != nil {
			return err
		}
		es, err := tx.Ledger().List(ctx, store.LedgerFilter{Network: network})
		if err != nil {
			return err
		}
		cs, err := tx.Cards().List(ctx, store.CardFilter{Network: network})
		if err != nil {
			return err
		}
		as, err := tx.Accounts().Entries(ctx, store.EntryFilter{Network: network})
		c = Counts{Passes: len(ps), Visits: len(vs), Entries: len(es), Cards: len(cs), AccountEntries: len(as)}
		return err
	})
	return c, err
}
