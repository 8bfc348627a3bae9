package storefault

import (
	"context"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/card"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

// The repository calls of multipass cards (RULES M5-M7), holder deletion,
// expiring passes and ledger pages.

func (t *faultTx) Cards() store.Cards { return faultCards{t.Tx.Cards(), t.s} }

type faultCards struct {
	store.Cards
	s *Store
}

func (r faultCards) Get(ctx context.Context, network, id string) (card.Card, error) {
	return call1(r.s, "Cards.Get", func() (card.Card, error) { return r.Cards.Get(ctx, network, id) })
}
func (r faultCards) Put(ctx context.Context, c card.Card) error {
	return call0(r.s, "Cards.Put", func() error { return r.Cards.Put(ctx, c) })
}
func (r faultCards) List(ctx context.Context, f store.CardFilter) ([]card.Card, error) {
	return call1(r.s, "Cards.List", func() ([]card.Card, error) { return r.Cards.List(ctx, f) })
}

func (r faultCatalog) DeleteHolder(ctx context.Context, network, id string) error {
	return call0(r.s, "Catalog.DeleteHolder", func() error { return r.Catalog.DeleteHolder(ctx, network, id) })
}

// page is the result of a paged read.
type page[T any] struct {
	items []T
	next  string
}

func paged[T any](s *Store, name string, f func() ([]T, string, error)) ([]T, string, error) {
	p, err := call1(s, name, func() (page[T], error) {
		items, next, err := f()
		return page[T]{items, next}, err
	})
	return p.items, p.next, err
}

func (r faultPasses) Expiring(ctx context.Context, network string, from, to calendar.Date, cursor string, limit int) ([]pass.Pass, string, error) {
	return paged(r.s, "Passes.Expiring", func() ([]pass.Pass, string, error) {
		return r.Passes.Expiring(ctx, network, from, to, cursor, limit)
	})
}

func (r faultLedger) PassPage(ctx context.Context, network, passID, cursor string, limit int) ([]pass.Entry, string, error) {
	return paged(r.s, "Ledger.PassPage", func() ([]pass.Entry, string, error) {
		return r.Ledger.PassPage(ctx, network, passID, cursor, limit)
	})
}

func (r faultLedger) PeriodPage(ctx context.Context, network string, from, to time.Time, cursor string, limit int) ([]pass.Entry, string, error) {
	return paged(r.s, "Ledger.PeriodPage", func() ([]pass.Entry, string, error) {
		return r.Ledger.PeriodPage(ctx, network, from, to, cursor, limit)
	})
}
