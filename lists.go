package passengine

import (
	"context"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

// The catalog lists page a network's locations, holders, teams, products
// and PAYG products (and the networks themselves) in ID order. A page's
// cost follows its size wherever it starts: the store reads its index
// from the cursor on. A list read while calls put new items shows an item
// put before the cursor only on a later walk from the start.

// idList reads one page of a list in ID order: the network's when
// network is not "" (ErrNotFound for an unknown one), else the networks.
func idList[T any](ctx context.Context, e *Engine, list, network string, req PageRequest,
	read func(store.Tx, store.Page) ([]T, error), id func(*T) string) (Page[T], error) {
	if list != "networks" {
		if err := field.ID("network", network); err != nil {
			return Page[T]{}, err
		}
	}
	limit, err := pageLimit(req.Limit)
	if err != nil {
		return Page[T]{}, err
	}
	after, err := parseCursor(req.Cursor, list, false)
	if err != nil {
		return Page[T]{}, err
	}
	var items []T
	err = e.st.View(ctx, func(tx store.Tx) (err error) {
		if network != "" {
			if _, err := tx.Catalog().Network(ctx, network); err != nil {
				return err
			}
		}
		items, err = read(tx, store.Page{After: after.ID, Limit: limit + 1})
		return err
	})
	if err != nil {
		return Page[T]{}, err
	}
	return pageOf(items, limit, func(v *T) cursor { return cursor{List: list, ID: id(v)} }), nil
}

// Networks returns a page of the networks in ID order. It returns a
// *FieldError for a limit outside [0, 10,000] or a cursor Networks did not
// return.
func (e *Engine) Networks(ctx context.Context, req PageRequest) (Page[catalog.Network], error) {
	if e.observes(ctx) {
		return observe(ctx, e, "networks", "", "", func(ctx context.Context) (Page[catalog.Network], error) { return e.Networks(ctx, req) })
	}
	return idList(ctx, e, "networks", "", req, func(tx store.Tx, p store.Page) ([]catalog.Network, error) {
		return tx.Lists().Networks(ctx, p)
	}, func(n *catalog.Network) string { return n.ID })
}

// Locations returns a page of the network's locations in ID order. It
// returns a *FieldError for a missing network, a limit outside
// [0, 10,000] or a cursor Locations did not return, and ErrNotFound for
// an unknown network.
func (e *Engine) Locations(ctx context.Context, network string, req PageRequest) (Page[catalog.Location], error) {
	if e.observes(ctx) {
		return observe(ctx, e, "locations", network, "", func(ctx context.Context) (Page[catalog.Location], error) { return e.Locations(ctx, network, req) })
	}
	return idList(ctx, e, "locations", network, req, func(tx store.Tx, p store.Page) ([]catalog.Location, error) {
		return tx.Lists().Locations(ctx, network, p)
	}, func(l *catalog.Location) string { return l.ID })
}

// Holders returns a page of the network's holders in ID order. It
// returns a *FieldError for a missing network, a limit outside
// [0, 10,000] or a cursor Holders did not return, and ErrNotFound for an
// unknown network.
func (e *Engine) Holders(ctx context.Context, network string, req PageRequest) (Page[catalog.Holder], error) {
	if e.observes(ctx) {
		return observe(ctx, e, "holders", network, "", func(ctx context.Context) (Page[catalog.Holder], error) { return e.Holders(ctx, network, req) })
	}
	return idList(ctx, e, "holders", network, req, func(tx store.Tx, p store.Page) ([]catalog.Holder, error) {
		return tx.Lists().Holders(ctx, network, p)
	}, func(h *catalog.Holder) string { return h.ID })
}

// Teams returns a page of the network's teams in ID order. It returns a
// *FieldError for a missing network, a limit outside [0, 10,000] or a
// cursor Teams did not return, and ErrNotFound for an unknown network.
func (e *Engine) Teams(ctx context.Context, network string, req PageRequest) (Page[catalog.Team], error) {
	if e.observes(ctx) {
		return observe(ctx, e, "teams", network, "", func(ctx context.Context) (Page[catalog.Team], error) { return e.Teams(ctx, network, req) })
	}
	return idList(ctx, e, "teams", network, req, func(tx store.Tx, p store.Page) ([]catalog.Team, error) {
		return tx.Lists().Teams(ctx, network, p)
	}, func(t *catalog.Team) string { return t.ID })
}

// Products returns a page of the network's products in ID order. It
// returns a *FieldError for a missing network, a limit outside
// [0, 10,000] or a cursor Products did not return, and ErrNotFound for an
// unknown network.
func (e *Engine) Products(ctx context.Context, network string, req PageRequest) (Page[pass.Product], error) {
	if e.observes(ctx) {
		return observe(ctx, e, "products", network, "", func(ctx context.Context) (Page[pass.Product], error) { return e.Products(ctx, network, req) })
	}
	return idList(ctx, e, "products", network, req, func(tx store.Tx, p store.Page) ([]pass.Product, error) {
		return tx.Catalog().Products(ctx, network, p)
	}, func(p *pass.Product) string { return p.ID })
}

// PAYGs returns a page of the network's PAYG products in ID order. It
// returns a *FieldError for a missing network, a limit outside
// [0, 10,000] or a cursor PAYGs did not return, and ErrNotFound for an
// unknown network.
func (e *Engine) PAYGs(ctx context.Context, network string, req PageRequest) (Page[billing.PAYG], error) {
	if e.observes(ctx) {
		return observe(ctx, e, "paygs", network, "", func(ctx context.Context) (Page[billing.PAYG], error) { return e.PAYGs(ctx, network, req) })
	}
	return idList(ctx, e, "paygs", network, req, func(tx store.Tx, p store.Page) ([]billing.PAYG, error) {
		return tx.Lists().PAYGs(ctx, network, p)
	}, func(p *billing.PAYG) string { return p.ID })
}

// Team returns a team of the network, ErrNotFound, or a *FieldError for a
// malformed ID.
func (e *Engine) Team(ctx context.Context, network, id string) (t catalog.Team, err error) {
	if e.observes(ctx) {
		return observe2(ctx, e, "team", network, "", network, id, (*Engine).Team)
	}
	if err := field.First(field.ID("network", network), field.ID("id", id)); err != nil {
		return t, err
	}
	err = e.st.View(ctx, func(tx store.Tx) error { t, err = tx.Catalog().Team(ctx, network, id); return err })
	return t, err
}

// PAYG returns a PAYG product of the network, ErrNotFound, or a
// *FieldError for a malformed ID.
func (e *Engine) PAYG(ctx context.Context, network, id string) (p billing.PAYG, err error) {
	if e.observes(ctx) {
		return observe2(ctx, e, "payg", network, "", network, id, (*Engine).PAYG)
	}
	if err := field.First(field.ID("network", network), field.ID("id", id)); err != nil {
		return p, err
	}
	err = e.st.View(ctx, func(tx store.Tx) error { p, err = tx.Catalog().PAYG(ctx, network, id); return err })
	return p, err
}

// Occupancy is a location and how many holders are checked in there now
// (seed 004's club occupancy).
type Occupancy struct {
	// Location is the location, whole.
	Location catalog.Location `json:"location"`
	// CheckedIn is how many holders have a visit open at the location
	// that started less than the longest visit (WithMaxOpen, 24 hours by
	// default) before now: a visit left open longer counts as ended (C8).
	CheckedIn int `json:"checked_in"`
}

// Occupancy returns a page of the network's locations in ID order, each
// with how many holders are checked in there now, 0 included. The counts
// read the open visits only (an index of them), so their cost follows the
// people checked in across the network, not its history. It returns a
// *FieldError for a missing network, a limit outside [0, 10,000] or a
// cursor Occupancy did not return, and ErrNotFound for an unknown
// network.
func (e *Engine) Occupancy(ctx context.Context, network string, req PageRequest) (Page[Occupancy], error) {
	if e.observes(ctx) {
		return observe(ctx, e, "occupancy", network, "", func(ctx context.Context) (Page[Occupancy], error) { return e.Occupancy(ctx, network, req) })
	}
	since := e.now().Add(-e.maxOpen)
	return idList(ctx, e, "occupancy", network, req, func(tx store.Tx, p store.Page) ([]Occupancy, error) {
		os, err := tx.Lists().Occupancy(ctx, store.OccupancyQuery{Network: network, Since: since, Page: p})
		out := make([]Occupancy, len(os))
		for i, o := range os {
			out[i] = Occupancy{Location: o.Location, CheckedIn: o.Open}
		}
		return out, err
	}, func(o *Occupancy) string { return o.Location.ID })
}
