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
