package storefault

import (
	"context"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/store"
)

// Lists returns the wrapped listing repository, whose every call may be
// the one to fail.
func (t *faultTx) Lists() store.Lists { return faultLists{t.Tx.Lists(), t.s} }

type faultLists struct {
	store.Lists
	s *Store
}

func (r faultLists) Networks(ctx context.Context, p store.Page) ([]catalog.Network, error) {
	return call1(r.s, "Lists.Networks", func() ([]catalog.Network, error) { return r.Lists.Networks(ctx, p) })
}
func (r faultLists) Locations(ctx context.Context, network string, p store.Page) ([]catalog.Location, error) {
	return call1(r.s, "Lists.Locations", func() ([]catalog.Location, error) { return r.Lists.Locations(ctx, network, p) })
}
func (r faultLists) Holders(ctx context.Context, network string, p store.Page) ([]catalog.Holder, error) {
	return call1(r.s, "Lists.Holders", func() ([]catalog.Holder, error) { return r.Lists.Holders(ctx, network, p) })
}
func (r faultLists) Teams(ctx context.Context, network string, p store.Page) ([]catalog.Team, error) {
	return call1(r.s, "Lists.Teams", func() ([]catalog.Team, error) { return r.Lists.Teams(ctx, network, p) })
}
func (r faultLists) PAYGs(ctx context.Context, network string, p store.Page) ([]billing.PAYG, error) {
	return call1(r.s, "Lists.PAYGs", func() ([]billing.PAYG, error) { return r.Lists.PAYGs(ctx, network, p) })
}
func (r faultLists) Visits(ctx context.Context, q store.VisitQuery) ([]checkin.Visit, error) {
	return call1(r.s, "Lists.Visits", func() ([]checkin.Visit, error) { return r.Lists.Visits(ctx, q) })
}
func (r faultLists) Occupancy(ctx context.Context, q store.OccupancyQuery) ([]store.Occupancy, error) {
	return call1(r.s, "Lists.Occupancy", func() ([]store.Occupancy, error) { return r.Lists.Occupancy(ctx, q) })
}
