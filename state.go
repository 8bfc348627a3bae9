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
	key := q.Network + "\x00" + q.Location
	if z, ok := e.locZones.Load(key); ok {
		q.From, q.To = days(z.(calendar.Zone))
	} else {
		q.From, q.To = bounds()
	}
	for range 3 {
		s, err := store.Load(ctx, tx, q)
		if err != nil {
			return s, calendar.Zone{}, calendar.Date{}, calendar.Date{}, err
		}
		z, err := e.locationZone(s.Location)
		if err != nil {
			return s, z, calendar.Date{}, calendar.Date{}, err
		}
		e.locZones.Store(key, z)
		from, to := days(z)
		if !from.Before(q.From) && !to.After(q.To) {
			return s, z, from, to, nil
		}
		q.From, q.To = from, to
	}
	return store.State{}, calendar.Zone{}, calendar.Date{}, calendar.Date{},
		fmt.Errorf("location %q: its zone changed while being read: %w", q.Location, store.ErrConflict)
}

// assemble makes the decision state of a call from a loaded state and its
// location's zone: the recent visits of the service days [from, to] (from
// moved back lookback days before visits open at the location, as the
// query that loaded s did), the live passes by ID and then the passes of
// the lineage (explicit first, then those that paid the recent visits). A
// pass of the lineage that does not exist is ErrNotFound.
func (e *Engine) assemble(s *store.State, z calendar.Zone, from, to calendar.Date, lookback int, explicit []string) (*checkin.State, error) {
	st := &checkin.State{Holder: s.Holder, Location: s.Location, Zone: z, Policy: e.policy, MaxOpen: e.maxOpen,
		TeamSharing: s.Team.CreditSharing, NetworkLocations: s.Locations, Open: s.Open, PAYG: s.PAYG}
	from = store.WindowStart(from, s.Open, s.Location.ID, lookback)
	for _, v := range s.Recent {
		if !v.Date.Before(from) && !v.Date.After(to) {
			st.Recent = append(st.Recent, v)
		}
	}
	ids := store.Lineage(explicit, st.Recent)
	st.Passes = make([]*pass.Pass, 0, len(s.Live)+len(ids))
	for i := range s.Live {
		st.Passes = append(st.Passes, &s.Live[i])
	}
	for _, id := range ids {
		if st.Has(id) {
			continue
		}
		i, ok := slices.BinarySearchFunc(s.Named, id, func(p pass.Pass, id string) int { return compareStrings(p.ID, id) })
		if !ok {
			return nil, fmt.Errorf("pass %q: %w", id, store.ErrNotFound)
		}
		st.Passes = append(st.Passes, &s.Named[i])
	}
	return st, nil
}
