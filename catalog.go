package passengine

import (
	"context"
	"time"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

// The catalog calls insert or replace a value by its ID, so a retry of the
// same call has the same effect: the ID is the idempotency key.

// PutNetwork creates or replaces network n. It returns a *FieldError for an
// invalid network (empty ID, malformed currency, unknown zone).
func (e *Engine) PutNetwork(ctx context.Context, n catalog.Network) error {
	if err := n.Validate(); err != nil {
		return err
	}
	return e.update(ctx, func(tx store.Tx) error { return tx.Catalog().PutNetwork(ctx, n) })
}

// PutLocation creates or replaces location l of an existing network. It
// returns a *FieldError for an invalid location (unknown zone, T1) and
// ErrNotFound for an unknown network.
func (e *Engine) PutLocation(ctx context.Context, l catalog.Location) error {
	if err := l.Validate(); err != nil {
		return err
	}
	return e.update(ctx, func(tx store.Tx) error {
		if _, err := network(ctx, tx, l.Network); err != nil {
			return err
		}
		return tx.Catalog().PutLocation(ctx, l)
	})
}

// PutTeam creates or replaces team t. It returns a *FieldError for an
// invalid team and ErrNotFound for an unknown network.
func (e *Engine) PutTeam(ctx context.Context, t catalog.Team) error {
	if err := t.Validate(); err != nil {
		return err
	}
	return e.update(ctx, func(tx store.Tx) error {
		if _, err := network(ctx, tx, t.Network); err != nil {
			return err
		}
		if _, err := tx.Catalog().Team(ctx, t.Network, t.ID); err == nil {
			if err := tx.Catalog().LockTeam(ctx, t.Network, t.ID); err != nil {
				return err
			}
		}
		return tx.Catalog().PutTeam(ctx, t)
	})
}

// PutHolder creates or replaces holder h. It returns a *FieldError for an
// invalid holder and ErrNotFound for an unknown network or team.
func (e *Engine) PutHolder(ctx context.Context, h catalog.Holder) error {
	if err := h.Validate(); err != nil {
		return err
	}
	if h.HealthDeclaredAt != nil {
		at := h.HealthDeclaredAt.UTC().Truncate(time.Microsecond)
		h.HealthDeclaredAt = &at
	}
	return e.update(ctx, func(tx store.Tx) error {
		if _, err := network(ctx, tx, h.Network); err != nil {
			return err
		}
		if h.Team != "" {
			if _, err := tx.Catalog().Team(ctx, h.Network, h.Team); err != nil {
				return err
			}
		}
		if _, err := tx.Catalog().Holder(ctx, h.Network, h.ID); err == nil {
			if err := tx.Catalog().LockHolder(ctx, h.Network, h.ID); err != nil {
				return err
			}
		}
		return tx.Catalog().PutHolder(ctx, h)
	})
}

// PutProduct creates or replaces product p. Passes already issued keep the
// terms they were issued with. It returns a *FieldError for an invalid
// product (amounts must be in the network's currency) and ErrNotFound for
// an unknown network or covered location.
func (e *Engine) PutProduct(ctx context.Context, p pass.Product) error {
	if err := field.ID("network", p.Network); err != nil {
		return err
	}
	return e.update(ctx, func(tx store.Tx) error {
		n, err := network(ctx, tx, p.Network)
		if err != nil {
			return err
		}
		if err := p.Validate(n.Currency); err != nil {
			return err
		}
		if err := locationsExist(ctx, tx, p.Network, p.Locations); err != nil {
			return err
		}
		return tx.Catalog().PutProduct(ctx, p)
	})
}

// PutPAYG creates or replaces PAYG product p. It returns a *FieldError for
// an invalid product and ErrNotFound for an unknown network or location.
func (e *Engine) PutPAYG(ctx context.Context, p billing.PAYG) error {
	if err := field.ID("network", p.Network); err != nil {
		return err
	}
	return e.update(ctx, func(tx store.Tx) error {
		n, err := network(ctx, tx, p.Network)
		if err != nil {
			return err
		}
		if err := p.Validate(n.Currency); err != nil {
			return err
		}
		if err := locationsExist(ctx, tx, p.Network, p.Locations); err != nil {
			return err
		}
		return tx.Catalog().PutPAYG(ctx, p)
	})
}

func locationsExist(ctx context.Context, tx store.Tx, network string, ids []string) error {
	for _, id := range ids {
		if _, err := tx.Catalog().Location(ctx, network, id); err != nil {
			return err
		}
	}
	return nil
}

// Network returns the network with id, or ErrNotFound.
func (e *Engine) Network(ctx context.Context, id string) (n catalog.Network, err error) {
	err = e.st.View(ctx, func(tx store.Tx) error { n, err = tx.Catalog().Network(ctx, id); return err })
	return n, err
}

// Location returns a location of the network, or ErrNotFound.
func (e *Engine) Location(ctx context.Context, network, id string) (l catalog.Location, err error) {
	err = e.st.View(ctx, func(tx store.Tx) error { l, err = tx.Catalog().Location(ctx, network, id); return err })
	return l, err
}

// Holder returns a holder of the network, or ErrNotFound.
func (e *Engine) Holder(ctx context.Context, network, id string) (h catalog.Holder, err error) {
	err = e.st.View(ctx, func(tx store.Tx) error { h, err = tx.Catalog().Holder(ctx, network, id); return err })
	return h, err
}

// Product returns a product of the network, or ErrNotFound.
func (e *Engine) Product(ctx context.Context, network, id string) (p pass.Product, err error) {
	err = e.st.View(ctx, func(tx store.Tx) error { p, err = tx.Catalog().Product(ctx, network, id); return err })
	return p, err
}
