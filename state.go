package passengine

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

// load reads a holder's state for a call, locking the holder's team (when
// it has one) and then the holder (I2): in one request when the Tx is a
// store.StateLoader, otherwise one repository call at a time (loadState).
func load(ctx context.Context, tx store.Tx, q store.StateQuery) (store.State, error) {
	if l, ok := tx.(store.StateLoader); ok {
		return l.LoadState(ctx, q)
	}
	return loadState(ctx, tx, q)
}

// loadState is store.StateLoader's contract made of repository calls: the
// reads every adapter supports, and the reference store/storetest compares
// a StateLoader with.
func loadState(ctx context.Context, tx store.Tx, q store.StateQuery) (s store.State, err error) {
	c := tx.Catalog()
	if s.Network, err = c.Network(ctx, q.Network); err != nil {
		return s, err
	}
	if s.Holder, err = c.Holder(ctx, q.Network, q.Holder); err != nil {
		return s, err
	}
	if s.Location, err = c.Location(ctx, q.Network, q.Location); err != nil {
		return s, err
	}
	if s.Holder.Team != "" {
		if err := c.LockTeam(ctx, q.Network, s.Holder.Team); err != nil {
			return s, err
		}
		if s.Team, err = c.Team(ctx, q.Network, s.Holder.Team); err != nil {
			return s, err
		}
	}
	if err := c.LockHolder(ctx, q.Network, q.Holder); err != nil {
		return s, err
	}
	if q.Visit != "" {
		if s.Visit, err = tx.Visits().Get(ctx, q.Network, q.Visit); err != nil {
			return s, err
		}
	}
	if s.Locations, err = c.CountLocations(ctx, q.Network); err != nil {
		return s, err
	}
	if s.Open, err = tx.Visits().Open(ctx, q.Network, q.Holder); err != nil {
		return s, err
	}
	if s.Recent, err = tx.Visits().OnDates(ctx, q.Network, q.Holder, window(q.From, s.Open, q.Location), q.To); err != nil {
		return s, err
	}
	if s.Live, err = tx.Passes().Live(ctx, q.Network, q.Holder, s.Holder.Team); err != nil {
		return s, err
	}
	for _, id := range lineage(q.Lineage, append([]checkin.Visit{s.Visit}, s.Recent...)) {
		has := func(p pass.Pass) bool { return p.ID == id }
		if slices.ContainsFunc(s.Live, has) || slices.ContainsFunc(s.Named, has) {
			continue
		}
		p, err := tx.Passes().Get(ctx, q.Network, id)
		switch {
		case err == nil:
			s.Named = append(s.Named, p)
		case !errors.Is(err, store.ErrNotFound):
			return s, err
		}
	}
	slices.SortFunc(s.Named, func(a, b pass.Pass) int { return compareStrings(a.ID, b.ID) })
	if s.PAYG, err = c.PAYGs(ctx, q.Network); err != nil {
		return s, err
	}
	return s, nil
}

// window returns from moved back to the day before the earliest of the
// open visits at location, so that a visit left open since an earlier day
// is in the window.
func window(from calendar.Date, open []checkin.Visit, location string) calendar.Date {
	for _, v := range open {
		if v.Location == location && v.Date.AddDays(-1).Before(from) {
			from = v.Date.AddDays(-1)
		}
	}
	return from
}

// lineage returns the pass IDs of explicit followed by those of the
// consumptions of visits, in order, with repeats.
func lineage(explicit []string, visits []checkin.Visit) []string {
	ids := slices.Clone(explicit)
	for _, v := range visits {
		for _, c := range v.Consumptions {
			ids = append(ids, c.Pass)
		}
	}
	return ids
}

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
	from = window(from, s.Open, s.Location.ID)
	for _, v := range s.Recent {
		if !v.Date.Before(from) && !v.Date.After(to) {
			st.Recent = append(st.Recent, v)
		}
	}
	ids := lineage(explicit, st.Recent)
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
