package storefault_test

import (
	"context"
	"errors"
	"testing"

	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/memstore"
	"github.com/passengine/passengine/store/storefault"
)

func putTwo(ctx context.Context, s store.Store) error {
	return s.Update(ctx, func(tx store.Tx) error {
		if err := tx.Catalog().PutNetwork(ctx, catalog.Network{ID: "a", Currency: "EUR", Zone: "UTC"}); err != nil {
			return err
		}
		return tx.Catalog().PutNetwork(ctx, catalog.Network{ID: "b", Currency: "EUR", Zone: "UTC"})
	})
}

// Each call and the commit can be failed; the failed unit of work leaves
// nothing behind, and with no failure armed everything goes through.
func TestFailAt(t *testing.T) {
	ctx := context.Background()
	for n, want := range map[int]string{1: "Catalog.PutNetwork", 2: "Catalog.PutNetwork", 3: "commit"} {
		fs := storefault.New(memstore.New())
		fs.FailAt(n, nil)
		err := putTwo(ctx, fs)
		if !errors.Is(err, storefault.ErrInjected) || fs.FiredAt() != want {
			t.Fatalf("fail at %d: got %v at %q, want the injected error at %s", n, err, fs.FiredAt(), want)
		}
		err = fs.Inner().View(ctx, func(tx store.Tx) error { _, err := tx.Catalog().Network(ctx, "a"); return err })
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("fail at %d: network a after rollback: got %v, want ErrNotFound", n, err)
		}
	}
	fs := storefault.New(memstore.New())
	fs.FailAt(4, store.ErrConflict)
	if err := putTwo(ctx, fs); err != nil || fs.Fired() || fs.Calls() != 3 {
		t.Fatalf("fail at 4 of 3 calls: got %v, fired %t, %d calls; want nil, false, 3", err, fs.Fired(), fs.Calls())
	}
	fs.FailAt(1, store.ErrConflict)
	if err := putTwo(ctx, fs); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("conflict: got %v, want ErrConflict", err)
	}
}
