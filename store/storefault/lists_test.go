package storefault_test

import (
	"context"
	"errors"
	"testing"

	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/memstore"
	"github.com/passengine/passengine/store/storefault"
)

// Every call of the listing repository counts and can be failed, and
// with no failure armed it reaches the wrapped store.
func TestListsFail(t *testing.T) {
	ctx := context.Background()
	calls := map[string]func(store.Lists) error{
		"Lists.Networks":  func(l store.Lists) error { _, err := l.Networks(ctx, store.Page{}); return err },
		"Lists.Locations": func(l store.Lists) error { _, err := l.Locations(ctx, "n", store.Page{}); return err },
		"Lists.Holders":   func(l store.Lists) error { _, err := l.Holders(ctx, "n", store.Page{}); return err },
		"Lists.Teams":     func(l store.Lists) error { _, err := l.Teams(ctx, "n", store.Page{}); return err },
		"Lists.PAYGs":     func(l store.Lists) error { _, err := l.PAYGs(ctx, "n", store.Page{}); return err },
		"Lists.Visits":    func(l store.Lists) error { _, err := l.Visits(ctx, store.VisitQuery{Network: "n"}); return err },
		"Lists.Occupancy": func(l store.Lists) error {
			_, err := l.Occupancy(ctx, store.OccupancyQuery{Network: "n"})
			return err
		},
	}
	for name, call := range calls {
		fs := storefault.New(memstore.New())
		fs.FailAt(1, nil)
		err := fs.View(ctx, func(tx store.Tx) error { return call(tx.Lists()) })
		if !errors.Is(err, storefault.ErrInjected) || fs.FiredAt() != name {
			t.Errorf("%s armed: got %v at %q, want the injected error there", name, err, fs.FiredAt())
		}
		fs.FailAt(2, nil)
		if err := fs.View(ctx, func(tx store.Tx) error { return call(tx.Lists()) }); err != nil || fs.Calls() != 1 {
			t.Errorf("%s: got %v after %d calls, want nil after 1", name, err, fs.Calls())
		}
	}
}
