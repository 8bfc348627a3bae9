package passengine

import (
	"context"
	"errors"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/card"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

// ExpiringRequest asks for a network's passes and cards with units left
// that expire soon (seed 003: remind customers 30, 14 and 7 days before).
type ExpiringRequest struct {
	// Network is the ID of the network the call is in. It has no JSON
	// form: a host takes it from the route or its auth.
	Network string `json:"-"`
	// Within and AtLeast bound the days from today (in the network's zone)
	// to the last usable date: [today + AtLeast, today + Within]. A daily
	// reminder job for "7 days before" asks for AtLeast = Within = 7.
	Within int `json:"within_days"`
	// AtLeast is described with Within above: days, 0 or more, not above
	// Within.
	AtLeast int `json:"at_least_days,omitempty"`
	// Cursor is the Next of the page before; "" for the first page.
	Cursor string `json:"cursor,omitempty"`
	// Limit is the page's size: 0 means 100, at most 1000.
	Limit int `json:"limit,omitempty"`
}

// ExpiringPass is a pass (or a card's visits) expiring soon: its last
// usable date, the days left until it, the units left, and the card whose
// visits it holds (nil for a pass that is no card's).
type ExpiringPass struct {
	// Pass is the pass.
	Pass pass.Pass `json:"pass"`
	// Card is the card whose visits the pass holds; nil for a pass that is no
	// card's.
	Card *card.Card `json:"card,omitempty"`
	// ExpiresOn is the pass's last usable date, freezes included.
	ExpiresOn calendar.Date `json:"expires_on,omitzero"`
	// DaysLeft is how many days from today to ExpiresOn: 0 when it is today.
	DaysLeft int `json:"days_left"`
	// UnitsLeft is the pass's balance, in its unit (days, minutes or visits).
	UnitsLeft int `json:"units_left"`
}

// ExpiringPage is a page of expiring passes and the cursor of the next, ""
// after the last.
type ExpiringPage struct {
	// Items are the page's passes, by expiry then pass ID.
	Items []ExpiringPass `json:"items"`
	// Next is the cursor of the next page; "" after the last.
	Next string `json:"next,omitempty"`
}

// maxExpiringDays bounds ExpiringRequest.Within: ten years.
const maxExpiringDays = 3660

// ExpiringSoon returns a page of the network's passes and cards with units
// left, not revoked, whose last usable date (freezes included) is within
// the window, soonest first, then by pass ID. It reads the store's index
// of live passes by expiry (Passes.Expiring), so its cost does not grow
// with passes that have expired. It returns a *FieldError for a missing
// network, a window out of [0, 3660] days or inverted, a limit out of
// range or a bad cursor, and ErrNotFound for an unknown network.
func (e *Engine) ExpiringSoon(ctx context.Context, req ExpiringRequest) (ExpiringPage, error) {
	if err := field.ID("network", req.Network); err != nil {
		return ExpiringPage{}, err
	}
	if req.Within < 0 || req.Within > maxExpiringDays {
		return ExpiringPage{}, field.Invalid("within", "must be from 0 to %d days, got %d", maxExpiringDays, req.Within)
	}
	if req.AtLeast < 0 || req.AtLeast > req.Within {
		return ExpiringPage{}, field.Invalid("at_least", "must be from 0 to within (%d), got %d", req.Within, req.AtLeast)
	}
	if req.Limit < 0 || req.Limit > 1000 {
		return ExpiringPage{}, field.Invalid("limit", "must be from 0 to 1000, got %d", req.Limit)
	}
	limit := req.Limit
	if limit == 0 {
		limit = 100
	}
	var out ExpiringPage
	err := e.st.View(ctx, func(tx store.Tx) error {
		_, today, err := e.networkToday(ctx, tx, req.Network)
		if err != nil {
			return err
		}
		ps, next, err := tx.Passes().Expiring(ctx, req.Network, today.AddDays(req.AtLeast), today.AddDays(req.Within), req.Cursor, limit)
		if errors.Is(err, store.ErrCursor) {
			return field.Invalid("cursor", "%q is not a cursor of ExpiringSoon", req.Cursor)
		}
		if err != nil {
			return err
		}
		out.Next = next
		for i := range ps {
			p := &ps[i]
			exp := p.Expiry()
			item := ExpiringPass{Pass: *p, ExpiresOn: exp, DaysLeft: exp.DaysSince(today), UnitsLeft: p.Balance}
			if p.Card != "" {
				c, err := tx.Cards().Get(ctx, req.Network, p.Card)
				if err != nil {
					return err
				}
				item.Card = &c
			}
			out.Items = append(out.Items, item)
		}
		return nil
	})
	return out, err
}
