package passengine

import (
	"context"
	"fmt"
	"strconv"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/card"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

// PurchaseGroup is where "My purchases" (seed 004) lists a pass or card.
type PurchaseGroup string

// The groups.
const (
	// Usable: units left that can still be used (active, not yet
	// activated, frozen for now, or before a locked activation).
	Usable PurchaseGroup = "usable"
	// UsedUp: no units left.
	UsedUp PurchaseGroup = "used_up"
	// Expired: units left that can no longer be used: past the expiry, or
	// revoked (a deleted card's).
	Expired PurchaseGroup = "expired"
)

// Valid reports whether g is one of the groups.
func (g PurchaseGroup) Valid() bool { return g == Usable || g == UsedUp || g == Expired }

// groupOf returns the group of p on date today.
func groupOf(p *pass.Pass, today calendar.Date) PurchaseGroup {
	switch {
	case p.Balance <= 0:
		return UsedUp
	case p.Revoked, p.StatusOn(today) == pass.StatusExpired:
		return Expired
	}
	return Usable
}

// Purchase is a pass or card in "My purchases" (seed 004): the pass, the
// card whose visits it holds (nil for a pass that is no card's), its group
// and status today, and the units used and left.
type Purchase struct {
	// Pass is the pass.
	Pass pass.Pass `json:"pass"`
	// Card is the card whose visits the pass holds; nil for a pass that is no
	// card's.
	Card *card.Card `json:"card,omitempty"`
	// Group is where "My purchases" lists it today.
	Group PurchaseGroup `json:"group"`
	// Status is the pass's status today in the network's zone.
	Status pass.Status `json:"status"`
	// UnitsUsed is the units granted less the units left, in the pass's unit.
	UnitsUsed int `json:"units_used"`
	// UnitsLeft is the pass's balance, in its unit.
	UnitsLeft int `json:"units_left"`
}

// PurchasesRequest asks for a page of a holder's purchases.
type PurchasesRequest struct {
	// Network is the ID of the network the call is in. It has no JSON
	// form: a host takes it from the route or its auth.
	Network string `json:"-"`
	// Holder is the ID of the holder whose purchases they are.
	Holder string `json:"holder"`
	// Group keeps one group; "" lists every group.
	Group PurchaseGroup `json:"group,omitempty"`
	// Cursor is the Next of the page before; "" for the first page.
	Cursor string `json:"cursor,omitempty"`
	// Limit is the page's size: 0 means 20, at most 100.
	Limit int `json:"limit,omitempty"`
}

// PurchasesPage is a page of purchases and the cursor of the next, ""
// after the last.
type PurchasesPage struct {
	// Items are the page's purchases, in issue order.
	Items []Purchase `json:"items"`
	// Next is the cursor of the next page; "" after the last.
	Next string `json:"next,omitempty"`
}

// purchasesBatch is how many passes Purchases reads at a time.
const purchasesBatch = 100

// Purchases returns a page of the holder's own passes and cards as a
// member sees them (seed 004 "My purchases"), in issue order, grouped by
// their state today in the network's zone: usable (units left to use),
// used up, expired (units left that can no longer be used), each with the
// units used (granted less left) and left. It returns a *FieldError for a
// missing network or holder, an unknown group, a bad cursor or a limit
// out of range, and ErrNotFound for an unknown network.
func (e *Engine) Purchases(ctx context.Context, req PurchasesRequest) (PurchasesPage, error) {
	if err := field.First(field.ID("network", req.Network), field.ID("holder", req.Holder)); err != nil {
		return PurchasesPage{}, err
	}
	if req.Group != "" && !req.Group.Valid() {
		return PurchasesPage{}, field.Invalid("group", "%q is not usable, used_up or expired", req.Group)
	}
	if req.Limit < 0 || req.Limit > 100 {
		return PurchasesPage{}, field.Invalid("limit", "must be from 0 to 100, got %d", req.Limit)
	}
	limit := req.Limit
	if limit == 0 {
		limit = 20
	}
	offset := 0
	if req.Cursor != "" {
		n, err := strconv.Atoi(req.Cursor)
		if err != nil || n < 0 {
			return PurchasesPage{}, field.Invalid("cursor", "%q is not a cursor of Purchases", req.Cursor)
		}
		offset = n
	}
	var out PurchasesPage
	err := e.st.View(ctx, func(tx store.Tx) error {
		_, today, err := e.networkToday(ctx, tx, req.Network)
		if err != nil {
			return err
		}
		for {
			ps, err := tx.Passes().List(ctx, store.PassFilter{Network: req.Network, Holder: req.Holder, Offset: offset, Limit: purchasesBatch})
			if err != nil {
				return err
			}
			for i := range ps {
				offset++
				p := &ps[i]
				g := groupOf(p, today)
				if req.Group != "" && g != req.Group {
					continue
				}
				item := Purchase{Pass: *p, Group: g, Status: p.StatusOn(today), UnitsUsed: p.Units - p.Balance, UnitsLeft: p.Balance}
				if p.Card != "" {
					c, err := tx.Cards().Get(ctx, req.Network, p.Card)
					if err != nil {
						return fmt.Errorf("card of pass %q: %w", p.ID, err)
					}
					item.Card = &c
				}
				out.Items = append(out.Items, item)
				if len(out.Items) == limit {
					if i < len(ps)-1 || len(ps) == purchasesBatch {
						out.Next = strconv.Itoa(offset)
					}
					return nil
				}
			}
			if len(ps) < purchasesBatch {
				return nil
			}
		}
	})
	return out, err
}
