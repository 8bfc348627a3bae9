package passengine

import (
	"context"
	"fmt"
	"slices"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

// loadDays loads q's state over the service days days returns in the
// location's zone. The zone is not known before the location is read, so
// q asks for the days in the zone last seen at the location, or for
// bounds the first time; should the location's zone or cut-off have
// changed so that the days asked for miss some, it reads again with the
// right ones. It returns the state, the location's zone and the days, or
// store.ErrConflict (retried by the Engine) should the zone keep changing
// under three reads.
func (e *Engine) loadDays(ctx context.Context, tx store.Tx, q store.StateQuery,
	days func(calendar.Zone) (from, to calendar.Date), bounds func() (from, to calendar.Date)) (store.State, calendar.Zone, calendar.Date, calendar.Date, error) {
	key := zoneKey{q.Network, q.Location}
	if z, ok := e.lastZone(key); ok {
		q.From, q.To = days(z)
	} else {
		q.From, q.To = bounds()
	}
	for range 3 {
		s, err := store.Load(ctx, tx, q)
		if err != nil {
			return s, calendar.Zone{}, calendar.Date{}, calendar.Date{}, err
		}
		if s.Record != nil { // q.Key was used before: the caller replays it
			return s, calendar.Zone{}, calendar.Date{}, calendar.Date{}, &recordedError{rec: *s.Record}
		}
		z, err := e.locationZone(s.Location)
		if err != nil {
			return s, z, calendar.Date{}, calendar.Date{}, err
		}
		e.seeZone(key, z)
		from, to := days(z)
		if !from.Before(q.From) && !to.After(q.To) {
			return s, z, from, to, nil
		}
		q.From, q.To = from, to
	}
	return store.State{}, calendar.Zone{}, calendar.Date{}, calendar.Date{},
		fmt.Errorf("location %q: its zone changed while being read: %w", q.Location, store.ErrConflict)
}

// zoneKey names a location for the Engine's cache of location zones.
type zoneKey struct{ network, location string }

// lastZone returns the zone last seen at the location, if any: loadDays
// reads the days of a call with it before the location is read, and reads
// again when the location's zone has changed since.
func (e *Engine) lastZone(k zoneKey) (calendar.Zone, bool) {
	e.locMu.RLock()
	defer e.locMu.RUnlock()
	z, ok := e.locZones[k]
	return z, ok
}

// seeZone records z as the zone of the location, writing only a change.
func (e *Engine) seeZone(k zoneKey, z calendar.Zone) {
	if old, ok := e.lastZone(k); ok && old == z {
		return
	}
	e.locMu.Lock()
	defer e.locMu.Unlock()
	e.locZones[k] = z
}

// assemble makes the decision state of a call from a loaded state and its
// location's zone: the recent visits of the service days [from, to] (from
// moved back lookback days before visits open at the location, as the
// query that loaded s did), the live passes by ID and then the passes of
// the lineage (explicit first, then those that paid the recent visits). A
// pass of the lineage that does not exist is ErrNotFound. The passes of
// the lineage are those of explicit, then those that paid visit (when not
// nil), then those that paid the recent visits. assemble reuses
// s.Recent's array for the state's recent visits.
//
// The State is room's (checkin.Room: a new one, or a pooled unit of
// work's, whose State the next call clears), with the room for the copy
// of the first pass the decision changes and for the first pass pointers.
func (e *Engine) assemble(s *store.State, z calendar.Zone, from, to calendar.Date, lookback int, explicit []string, visit *checkin.Visit, room *checkin.Room) (*checkin.State, error) {
	st := room.State()
	// Field by field: a composite literal would clear the room NewState set.
	st.Holder, st.Location, st.Zone, st.Policy, st.MaxOpen = s.Holder, s.Location, z, e.policy, e.maxOpen
	st.TeamSharing, st.NetworkLocations, st.Open, st.PAYG = s.Team.CreditSharing, s.Locations, s.Open, s.PAYG
	from = store.WindowStart(from, s.Open, s.Location.ID, lookback)
	// Filtered in place (s is the call's own), by index: a Visit is too
	// large to copy for a look at its date.
	n := 0
	for i := range s.Recent {
		if d := s.Recent[i].Date; !d.Before(from) && !d.After(to) {
			if n != i {
				s.Recent[n] = s.Recent[i]
			}
			n++
		}
	}
	st.Recent = s.Recent[:n]
	if n == 0 {
		st.Recent = nil
	}
	named := len(explicit)
	if visit != nil {
		named += len(visit.Consumptions)
	}
	for i := range st.Recent {
		named += len(st.Recent[i].Consumptions)
	}
	if n := len(s.Live) + named; cap(st.Passes) < n {
		st.Passes = room.Passes(n)
	}
	st.Passes = append(st.Passes, s.Live...) // read-only: checkin copies what it changes
	// The lineage (store.Lineage): explicit, then the passes that paid the
	// visit and the recent visits.
	add := func(id string) error {
		if st.Has(id) {
			return nil
		}
		i, ok := slices.BinarySearchFunc(s.Named, id, func(p *pass.Pass, id string) int { return compareStrings(p.ID, id) })
		if !ok {
			return fmt.Errorf("pass %q: %w", id, store.ErrNotFound)
		}
		st.Passes = append(st.Passes, s.Named[i])
		return nil
	}
	for _, id := range explicit {
		if err := add(id); err != nil {
			return nil, err
		}
	}
	if visit != nil {
		for _, c := range visit.Consumptions {
			if err := add(c.Pass); err != nil {
				return nil, err
			}
		}
	}
	for i := range st.Recent {
		for _, c := range st.Recent[i].Consumptions {
			if err := add(c.Pass); err != nil {
				return nil, err
			}
		}
	}
	return st, nil
}
