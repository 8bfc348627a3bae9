package passengine

import (
	"fmt"
	"slices"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

// assemble makes the decision state of a call from a loaded state: the
// recent visits of the service days [from, to] (from moved back for visits
// open at the location), the live passes by ID and then the passes of the
// lineage (explicit first, then those that paid the recent visits). A pass
// of the lineage that does not exist is ErrNotFound.
func (e *Engine) assemble(s *store.State, from, to calendar.Date, explicit []string) (*checkin.State, error) {
	z, err := e.locationZone(s.Location)
	if err != nil {
		return nil, err
	}
	st := &checkin.State{Holder: s.Holder, Location: s.Location, Zone: z, Policy: e.policy,
		TeamSharing: s.Team.CreditSharing, NetworkLocations: s.Locations, Open: s.Open, PAYG: s.PAYG}
	from = store.WindowStart(from, s.Open, s.Location.ID)
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
