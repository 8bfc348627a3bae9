package passengine

import (
	"context"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/store"
)

// VisitFilter selects a page of a network's visits. Network is required;
// the other fields, when set, narrow the list.
type VisitFilter struct {
	// Network is the visits' network; it is not read from JSON (it comes
	// from the route or the host's authentication).
	Network string `json:"-"`
	// Holder keeps one holder's visits.
	Holder string `json:"holder,omitempty"`
	// Location keeps one location's visits.
	Location string `json:"location,omitempty"`
	// Status keeps the visits of one status: checkin.Open lists who is in
	// now (the open visits, read from their own index).
	Status checkin.Status `json:"status,omitempty"`
	// Kind keeps check-ins, bookings or redemptions.
	Kind checkin.Kind `json:"kind,omitempty"`
	// Mode keeps the visits paid one way (day, visits, time, PAYG, unpaid).
	Mode checkin.Mode `json:"mode,omitempty"`
	// From and To keep the visits whose service date (T4) is in
	// [From, To]; a zero date leaves that end open.
	From calendar.Date `json:"from,omitzero"`
	// To is described with From above.
	To calendar.Date `json:"to,omitzero"`
	// Cursor is the Next of the page before; "" asks for the first page.
	Cursor string `json:"cursor,omitempty"`
	// Limit is the most visits a page holds: 0 means 100; at most 10,000.
	Limit int `json:"limit,omitempty"`
}

// Validate returns a *FieldError for a missing network, a malformed
// holder or location, an unknown status, kind or mode, a date that is
// not a real one (2026-02-31) or out of range, To before From, or a limit
// outside [0, 10,000].
func (f *VisitFilter) Validate() error {
	err := field.First(field.ID("network", f.Network), field.OptionalID("holder", f.Holder),
		field.OptionalID("location", f.Location), calendar.CheckOptionalDate("from", f.From),
		calendar.CheckOptionalDate("to", f.To))
	switch {
	case err != nil:
		return err
	case f.Status != "" && !f.Status.Valid():
		return field.Invalid("status", "%s is not a visit status", field.Quote(string(f.Status)))
	case f.Kind != "" && !f.Kind.Valid():
		return field.Invalid("kind", "%s is not a visit kind", field.Quote(string(f.Kind)))
	case f.Mode != "" && !f.Mode.Valid():
		return field.Invalid("mode", "%s is not a visit mode", field.Quote(string(f.Mode)))
	case !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From):
		return field.Invalid("to", "%s is before from %s", f.To, f.From)
	}
	_, err = pageLimit(f.Limit)
	return err
}

// query returns the store query of f's page, from after on, limit visits.
// The service dates become bounds on the start too, wide enough for any
// zone and cut-off (a business day's visits start within a day before its
// date and two after, in UTC), so that the store reads only that range
// of its index.
func (f *VisitFilter) query(after cursor, limit int) store.VisitQuery {
	q := store.VisitQuery{Network: f.Network, Holder: f.Holder, Location: f.Location, Status: f.Status,
		Kind: f.Kind, Mode: f.Mode, From: f.From, To: f.To, Limit: limit}
	if !f.From.IsZero() {
		q.StartFrom = midnightUTC(f.From.AddDays(-2))
	}
	if !f.To.IsZero() {
		q.StartBefore = midnightUTC(f.To.AddDays(4))
	}
	if after.ID != "" {
		q.After = &store.VisitCursor{Start: after.At, ID: after.ID}
	}
	return q
}

// Visits returns a page of the visits f selects, ordered by start then
// ID: a network's, a holder's, a location's, who is in now (Status
// checkin.Open), in a period of service dates. A page's cost follows its
// size, not the visits before its cursor: the store reads the index of
// the holder, of the open visits, of the location or of the network from
// the cursor on. It returns a *FieldError for a request Validate refuses
// or a cursor Visits did not return, and ErrNotFound for an unknown
// network, holder or location.
func (e *Engine) Visits(ctx context.Context, f VisitFilter) (Page[checkin.Visit], error) {
	if e.observes(ctx) {
		return observe1(ctx, e, "visits", f.Network, "", f, (*Engine).Visits)
	}
	if err := f.Validate(); err != nil {
		return Page[checkin.Visit]{}, err
	}
	after, err := parseCursor(f.Cursor, "visits", true)
	if err != nil {
		return Page[checkin.Visit]{}, err
	}
	limit, _ := pageLimit(f.Limit)
	var vs []checkin.Visit
	err = e.st.View(ctx, func(tx store.Tx) (err error) {
		c := tx.Catalog()
		if _, err := c.Network(ctx, f.Network); err != nil {
			return err
		}
		if f.Holder != "" {
			if _, err := c.Holder(ctx, f.Network, f.Holder); err != nil {
				return err
			}
		}
		if f.Location != "" {
			if _, err := c.Location(ctx, f.Network, f.Location); err != nil {
				return err
			}
		}
		vs, err = tx.Lists().Visits(ctx, f.query(after, limit+1))
		return err
	})
	if err != nil {
		return Page[checkin.Visit]{}, err
	}
	return pageOf(vs, limit, func(v *checkin.Visit) cursor { return cursor{List: "visits", ID: v.ID, At: v.Start.UTC()} }), nil
}

// midnightUTC returns the instant date d begins in UTC.
func midnightUTC(d calendar.Date) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}
