package store

import (
	"context"
	"time"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
)

// Lists pages through what a host lists: networks, a network's locations,
// holders, teams and PAYG products in ID order (Catalog.Products pages
// products the same way), a network's visits in (Start, ID) order, and the
// occupancy of its locations. A page starts after a position (the last
// item of the previous page) and holds at most a limit of items; its cost
// follows the page, not the rows before the position, so adapters read an
// index from the position on and never skip rows by OFFSET. None of these
// calls is on the check-in path.
type Lists interface {
	// Networks returns one page of the networks in ID order.
	Networks(ctx context.Context, p Page) ([]catalog.Network, error)
	// Locations returns one page of the network's locations in ID order.
	Locations(ctx context.Context, network string, p Page) ([]catalog.Location, error)
	// Holders returns one page of the network's holders in ID order.
	Holders(ctx context.Context, network string, p Page) ([]catalog.Holder, error)
	// Teams returns one page of the network's teams in ID order.
	Teams(ctx context.Context, network string, p Page) ([]catalog.Team, error)
	// PAYGs returns one page of the network's PAYG products in ID order.
	PAYGs(ctx context.Context, network string, p Page) ([]billing.PAYG, error)
	// Visits returns one page of the visits matching q, ordered by Start
	// then ID, starting after q.After. With q.Holder or q.Location set it
	// reads only that holder's or location's visits, and with q.Status
	// Open only the open ones, from the position on.
	Visits(ctx context.Context, q VisitQuery) ([]checkin.Visit, error)
	// Occupancy returns one page of the network's locations in ID order,
	// each with how many of its visits are open and started after q.Since:
	// how many holders are checked in there (a holder has at most one
	// open visit at a location, C1). Its cost follows the page and the
	// open visits of its locations.
	Occupancy(ctx context.Context, q OccupancyQuery) ([]Occupancy, error)
}

// VisitQuery selects a page of a network's visits. Network is required;
// empty fields match all.
type VisitQuery struct {
	// Network is the ID of the visits' network.
	Network string
	// Holder, when set, keeps one holder's visits.
	Holder string
	// Location, when set, keeps one location's visits.
	Location string
	// Status keeps the visits of one status; "" keeps all. Open reads the
	// open visits only (a partial index); another status filters the
	// visits the other fields select.
	Status checkin.Status
	// Kind, when set, keeps the visits of one kind.
	Kind checkin.Kind
	// Mode, when set, keeps the visits paid one way.
	Mode checkin.Mode
	// From and To bound the service date, inclusive; a zero date leaves
	// that end open.
	From, To calendar.Date
	// StartFrom and StartBefore bound Start: StartFrom <= Start <
	// StartBefore; a zero instant leaves that end open. A caller that
	// bounds the service date bounds Start too, with the instants every
	// visit of those dates starts within, so that the adapter reads only
	// that range of its index.
	StartFrom, StartBefore time.Time
	// After is the position of the last visit of the previous page; nil
	// starts at the first.
	After *VisitCursor
	// Limit bounds the page; 0: no bound.
	Limit int
}

// VisitCursor is the position of a visit in the order Lists.Visits returns
// them.
type VisitCursor struct {
	// Start is the visit's start.
	Start time.Time
	// ID is the visit's ID, which orders visits of the same start.
	ID string
}

// VisitCursorOf returns the position of v.
func VisitCursorOf(v checkin.Visit) VisitCursor { return VisitCursor{Start: v.Start.UTC(), ID: v.ID} }

// OccupancyQuery selects a page of a network's locations with their
// occupancy. Network is required.
type OccupancyQuery struct {
	// Network is the ID of the locations' network.
	Network string
	// Since excludes the open visits that started at or before it (those
	// open longer than the longest visit, closed by the next check-in or
	// sweep, C8); zero counts every open visit.
	Since time.Time
	// Page is the page of locations, in ID order.
	Page Page
}

// Occupancy is a location and how many of its visits are open.
type Occupancy struct {
	// Location is the location, whole.
	Location catalog.Location
	// Open is how many visits are open at the location, counted as
	// OccupancyQuery says.
	Open int
}
