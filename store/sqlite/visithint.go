package sqlite

import (
	"sync"

	"github.com/passengine/passengine/internal/sqlutil"
	"github.com/passengine/passengine/store"
)

// The hints of visits. A state query that names only a visit (a call on
// a visit: a check-out) reads the visit's holder, location and service
// date inside the statement, into a materialized table that the branches
// read: about a tenth of the statement. The Store remembers the holder,
// location and service date of the visits it put; a query naming only a
// visit it remembers runs as a query of that holder and location, with
// the window computed from that date, and checks them against the visit's
// row, which the statement returns first: a visit that moved (another
// writer, a rolled-back put) or is missing stops it there, and the query
// runs as it was. A hint is only ever a guess that the statement checks.

// visitHintSize is the most visits the hints keep.
const visitHintSize = 4096

// visitHint is a visit's holder, location and service date, as the text
// of its row.
type visitHint struct{ holder, location, date string }

// visitHints holds the hints of the visits put last. It is safe for
// concurrent use.
type visitHints struct {
	mu sync.Mutex
	m  map[visitKey]visitHint
}

func newVisitHints() *visitHints { return &visitHints{m: map[visitKey]visitHint{}} }

// get returns the hint of visit k, if any.
func (h *visitHints) get(k visitKey) (visitHint, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	v, ok := h.m[k]
	return v, ok
}

// put keeps the hint of visit k, dropping another past the bound.
func (h *visitHints) put(k visitKey, v visitHint) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.m[k]; !ok && len(h.m) >= visitHintSize {
		for old := range h.m { // any one
			delete(h.m, old)
			break
		}
	}
	h.m[k] = v
}

// hinted returns q, a query naming only a visit, as the query of the
// holder and location of hint h with the window it computes from the
// visit's date (store.StateQuery.FromVisit), and false when h's date is
// not one a query can name.
func hinted(q store.StateQuery, h visitHint) (store.StateQuery, bool) {
	var d sqlutil.Decoder
	date := d.Date(h.date)
	if d.Err() != nil || date.IsZero() || sqlutil.FormatDate(date) != h.date || h.holder == "" || h.location == "" {
		return q, false
	}
	q.Holder, q.Location = h.holder, h.location
	q.From = date.AddDays(q.FromVisit)
	if q.To.IsZero() {
		q.To = date
	}
	return q, true
}
