package passengine

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/wallet"
)

// AccountEntriesRequest asks for a page of prepaid account entries: one
// holder's, or the network's in a period.
type AccountEntriesRequest struct {
	// Network is the ID of the entries' network.
	// It has no JSON form: a host takes it from the route or its auth,
	// never from a body.
	Network string `json:"-"`
	// Holder, when set, selects the holder's account (in the network's
	// currency); otherwise every account of the network.
	Holder string `json:"holder,omitempty"`
	// From and To bound the entries' instants, From <= At < To; zero:
	// unbounded.
	From time.Time `json:"from,omitzero"`
	// To is described with From above.
	To time.Time `json:"to,omitzero"`
	// Cursor is the Next of the previous page; empty: the first page.
	Cursor string `json:"cursor,omitempty"`
	// Limit is the page size: 0 means 100; at most 10,000.
	Limit int `json:"limit,omitempty"`
}

// EntryPage is a page of account entries, oldest first, and the cursor of
// the next page: empty when this page is the last.
type EntryPage struct {
	// Entries are the page's entries, oldest first.
	Entries []wallet.Entry `json:"entries"`
	// Next is the cursor of the next page; "" when this page is the last.
	Next string `json:"next,omitempty"`
}

// maxEntryPage bounds AccountEntriesRequest.Limit.
const maxEntryPage = 10_000

// AccountEntries returns a page of entries, oldest first: a holder's in
// the order they were written (Seq), or the network's in the order of
// their instants (ties by holder, currency, Seq). Each page's cost follows
// its size, not the history before it, so a host (or a CSV export) can
// stream any number of entries page by page with Next; the cursor is
// opaque and stays valid while entries are added. Entries written after a
// page was read with instants before its cursor (a call that started
// earlier and committed later, within the same moment) may be missed by a
// network listing: read periods that have ended. It returns a *FieldError
// for a missing network, To not after From, a limit outside [0, 10,000]
// or a cursor this call did not make, and ErrNotFound for an unknown
// network or holder. From and To must be instants of the years
// calendar.MinYear to calendar.MaxYear.
func (e *Engine) AccountEntries(ctx context.Context, req AccountEntriesRequest) (EntryPage, error) {
	if err := field.First(field.ID("network", req.Network), field.NonNegative("limit", req.Limit)); err != nil {
		return EntryPage{}, err
	}
	if req.Holder != "" {
		if err := field.ID("holder", req.Holder); err != nil {
			return EntryPage{}, err
		}
	}
	for _, b := range []struct {
		name string
		t    time.Time
	}{{"from", req.From}, {"to", req.To}} {
		if !b.t.IsZero() && !calendar.ValidInstant(b.t) {
			return EntryPage{}, field.Invalid(b.name, "is not an instant of the years %d to %d", calendar.MinYear, calendar.MaxYear)
		}
	}
	if req.Limit > maxEntryPage {
		return EntryPage{}, field.Invalid("limit", "must be at most %d, got %d", maxEntryPage, req.Limit)
	}
	if !req.From.IsZero() && !req.To.IsZero() && !req.To.After(req.From) {
		return EntryPage{}, field.Invalid("to", "%s is not after from %s", req.To.UTC().Format(time.RFC3339), req.From.UTC().Format(time.RFC3339))
	}
	if _, err := decodeCursor(req.Cursor); err != nil {
		return EntryPage{}, err
	}
	var page EntryPage
	err := e.st.View(ctx, func(tx store.Tx) (err error) {
		page, err = accountEntryPage(ctx, tx, req)
		return err
	})
	return page, err
}

// accountEntryPage reads the page req asks for in tx, req being valid:
// the store side of AccountEntries, for the calls that stream entries
// page by page in units of work of their own (an export, say).
func accountEntryPage(ctx context.Context, tx store.Tx, req AccountEntriesRequest) (EntryPage, error) {
	after, err := decodeCursor(req.Cursor)
	if err != nil {
		return EntryPage{}, err
	}
	limit := req.Limit
	if limit == 0 {
		limit = 100
	}
	n, err := tx.Catalog().Network(ctx, req.Network)
	if err != nil {
		return EntryPage{}, err
	}
	if req.Holder != "" {
		if _, err := tx.Catalog().Holder(ctx, req.Network, req.Holder); err != nil {
			return EntryPage{}, err
		}
	}
	es, err := tx.Accounts().Entries(ctx, store.EntryFilter{Network: req.Network, Holder: req.Holder, Currency: n.Currency,
		From: req.From, To: req.To, After: after, Limit: limit + 1})
	if err != nil {
		return EntryPage{}, err
	}
	var page EntryPage
	if len(es) > limit {
		es = es[:limit]
		page.Next = encodeCursor(store.CursorOf(es[limit-1]))
	}
	page.Entries = es
	return page, nil
}

// encodeCursor returns c as an opaque string.
func encodeCursor(c store.EntryCursor) string {
	b, _ := json.Marshal(c) // a struct of strings, an int and a time: never fails
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor returns the position an encodeCursor string names, nil
// for "", and a *FieldError for anything else.
func decodeCursor(s string) (*store.EntryCursor, error) {
	if s == "" {
		return nil, nil
	}
	var c store.EntryCursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &c) != nil || c.At.IsZero() || c.Holder == "" || c.Currency == "" || c.Seq < 1 {
		return nil, field.Invalid("cursor", "is not a cursor AccountEntries returned")
	}
	c.At = c.At.UTC()
	return &c, nil
}
