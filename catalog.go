package passengine

import (
	"context"
	"errors"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

// The catalog calls insert or replace a value by its ID, so a retry of the
// same call has the same effect: the ID is the idempotency key.

// PutNetwork creates or replaces network n. A network's currency is fixed
// once it has products, PAYG products, passes or prepaid accounts (S5):
// everything priced in it stays in it. It returns a *FieldError for an invalid network (empty
// ID, malformed currency, unknown zone) and one named "currency" for a
// change of currency the network can no longer make.
func (e *Engine) PutNetwork(ctx context.Context, n catalog.Network) error {
	if e.observes(ctx) {
		return observeErr1(ctx, e, "put_network", n.ID, "", n, (*Engine).PutNetwork)
	}
	if err := n.Validate(); err != nil {
		return err
	}
	return e.update(ctx, func(tx store.Tx) error {
		old, err := tx.Catalog().Network(ctx, n.ID)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return err
		case old.Currency != n.Currency:
			if err := currencyUnused(ctx, tx, old); err != nil {
				return err
			}
		}
		return tx.Catalog().PutNetwork(ctx, n)
	})
}

// currencyUnused returns a *FieldError named "currency" when network n has
// products, PAYG products, passes or prepaid accounts, whose amounts are in
// its currency.
func currencyUnused(ctx context.Context, tx store.Tx, n catalog.Network) error {
	c := tx.Catalog()
	products, err := c.Products(ctx, n.ID, store.Page{Limit: 1})
	if err != nil {
		return err
	}
	paygs, err := c.PAYGs(ctx, n.ID)
	if err != nil {
		return err
	}
	passes, err := tx.Passes().List(ctx, store.PassFilter{Network: n.ID, Limit: 1})
	if err != nil {
		return err
	}
	accounts, err := tx.Accounts().List(ctx, store.AccountFilter{Network: n.ID, Limit: 1}) // W1
	if err != nil {
		return err
	}
	if len(products)+len(paygs)+len(passes)+len(accounts) > 0 {
		return field.Invalid("currency", "the network has products, PAYG products, passes or accounts in %s: its currency is fixed", n.Currency)
	}
	return nil
}

// PutLocation creates or replaces location l of an existing network. It
// returns a *FieldError for an invalid location (unknown zone, T1) and
// ErrNotFound for an unknown network.
func (e *Engine) PutLocation(ctx context.Context, l catalog.Location) error {
	if e.observes(ctx) {
		return observeErr1(ctx, e, "put_location", l.Network, "", l, (*Engine).PutLocation)
	}
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
	if e.observes(ctx) {
		return observeErr1(ctx, e, "put_team", t.Network, "", t, (*Engine).PutTeam)
	}
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

// PutHolder creates or replaces holder h. A HealthDeclaredAt at the zero
// time is stored as nil: no declaration. It returns a *FieldError for an
// invalid holder (a declaration more than the clock skew in the future
// among it) and ErrNotFound for an unknown network or team.
func (e *Engine) PutHolder(ctx context.Context, h catalog.Holder) error {
	if e.observes(ctx) {
		return observeErr1(ctx, e, "put_holder", h.Network, "", h, (*Engine).PutHolder)
	}
	if err := h.Validate(); err != nil {
		return err
	}
	if h.HealthDeclaredAt != nil {
		if h.HealthDeclaredAt.IsZero() { // the zero time declares nothing
			h.HealthDeclaredAt = nil
		} else {
			at, err := e.declaredAt(*h.HealthDeclaredAt, e.now())
			if err != nil {
				return err
			}
			h.HealthDeclaredAt = &at
		}
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
	if e.observes(ctx) {
		return observeErr1(ctx, e, "put_product", p.Network, "", p, (*Engine).PutProduct)
	}
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
	if e.observes(ctx) {
		return observeErr1(ctx, e, "put_payg", p.Network, "", p, (*Engine).PutPAYG)
	}
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

// Network returns the network with id, ErrNotFound, or a *FieldError for
// a malformed ID.
func (e *Engine) Network(ctx context.Context, id string) (n catalog.Network, err error) {
	if e.observes(ctx) {
		return observe1(ctx, e, "network", id, "", id, (*Engine).Network)
	}
	if err := field.ID("id", id); err != nil {
		return n, err
	}
	err = e.st.View(ctx, func(tx store.Tx) error { n, err = tx.Catalog().Network(ctx, id); return err })
	return n, err
}

// Location returns a location of the network, ErrNotFound, or a
// *FieldError for a malformed ID.
func (e *Engine) Location(ctx context.Context, network, id string) (l catalog.Location, err error) {
	if e.observes(ctx) {
		return observe2(ctx, e, "location", network, "", network, id, (*Engine).Location)
	}
	if err := field.First(field.ID("network", network), field.ID("id", id)); err != nil {
		return l, err
	}
	err = e.st.View(ctx, func(tx store.Tx) error { l, err = tx.Catalog().Location(ctx, network, id); return err })
	return l, err
}

// Holder returns a holder of the network, ErrNotFound, or a *FieldError
// for a malformed ID.
func (e *Engine) Holder(ctx context.Context, network, id string) (h catalog.Holder, err error) {
	if e.observes(ctx) {
		return observe2(ctx, e, "holder", network, "", network, id, (*Engine).Holder)
	}
	if err := field.First(field.ID("network", network), field.ID("id", id)); err != nil {
		return h, err
	}
	err = e.st.View(ctx, func(tx store.Tx) error { h, err = tx.Catalog().Holder(ctx, network, id); return err })
	return h, err
}

// Product returns a product of the network, ErrNotFound, or a *FieldError
// for a malformed ID.
func (e *Engine) Product(ctx context.Context, network, id string) (p pass.Product, err error) {
	if e.observes(ctx) {
		return observe2(ctx, e, "product", network, "", network, id, (*Engine).Product)
	}
	if err := field.First(field.ID("network", network), field.ID("id", id)); err != nil {
		return p, err
	}
	err = e.st.View(ctx, func(tx store.Tx) error { p, err = tx.Catalog().Product(ctx, network, id); return err })
	return p, err
}
