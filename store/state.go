package store

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/pass"
)

// Load returns q's state in tx: through tx's StateLoader when it is one,
// otherwise through ReadState. Its errors are those of LoadState.
func Load(ctx context.Context, tx Tx, q StateQuery) (State, error) {
	if l, ok := tx.(StateLoader); ok {
		return l.LoadState(ctx, q)
	}
	return ReadState(ctx, tx, q)
}

// ReadState is StateLoader's contract made of repository calls, one at a
// time: the reads every adapter supports, and the reference
// store/storetest compares a StateLoader with. Its errors are those of
// LoadState.
func ReadState(ctx context.Context, tx Tx, q StateQuery) (s State, err error) {
	c := tx.Catalog()
	if s.Network, err = c.Network(ctx, q.Network); err != nil {
		return s, err
	}
	if q.Holder == "" && q.Location == "" { // the visit's holder and location
		v, err := tx.Visits().Get(ctx, q.Network, q.Visit)
		if err != nil {
			return s, err
		}
		q.Holder, q.Location, q.From = v.Holder, v.Location, v.Date.AddDays(q.FromVisit)
		if q.To.IsZero() {
			q.To = v.Date
		}
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
	if q.Key != "" {
		rec, err := tx.Idempotency().Get(ctx, q.Network, q.Key)
		switch {
		case err == nil:
			s.Record = &rec
		case !errors.Is(err, ErrNotFound):
			return s, err
		}
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
	if s.Recent, err = tx.Visits().OnDates(ctx, q.Network, q.Holder, WindowStart(q.From, s.Open, q.Location, q.Lookback), q.To); err != nil {
		return s, err
	}
	live, err := tx.Passes().Live(ctx, q.Network, q.Holder, s.Holder.Team)
	if err != nil {
		return s, err
	}
	s.Live = Pointers(live)
	for _, id := range Lineage(q.Lineage, append([]checkin.Visit{s.Visit}, s.Recent...)) {
		has := func(p *pass.Pass) bool { return p.ID == id }
		if slices.ContainsFunc(s.Named, has) {
			continue
		}
		if i := slices.IndexFunc(s.Live, has); i >= 0 { // read already
			s.Named = append(s.Named, s.Live[i])
			continue
		}
		p, err := tx.Passes().Get(ctx, q.Network, id)
		switch {
		case err == nil:
			s.Named = append(s.Named, &p)
		case !errors.Is(err, ErrNotFound):
			return s, err
		}
	}
	slices.SortFunc(s.Named, func(a, b *pass.Pass) int { return strings.Compare(a.ID, b.ID) })
	if s.PAYG, err = c.PAYGs(ctx, q.Network); err != nil {
		return s, err
	}
	return s, nil
}

// Pointers returns pointers to the passes of ps, in order, nil for none:
// State's form of a list of passes.
func Pointers(ps []pass.Pass) []*pass.Pass {
	if len(ps) == 0 {
		return nil
	}
	out := make([]*pass.Pass, len(ps))
	for i := range ps {
		out[i] = &ps[i]
	}
	return out
}

// WindowStart returns from moved back to lookback days (0 means 1) before
// the earliest of the open visits at location, so that a visit left open
// since an earlier day, and the visits whose charges share its days, are
// in a window that starts there.
func WindowStart(from calendar.Date, open []checkin.Visit, location string, lookback int) calendar.Date {
	lookback = max(lookback, 1)
	for _, v := range open {
		if d := v.Date.AddDays(-lookback); v.Location == location && d.Before(from) {
			from = d
		}
	}
	return from
}

// Lineage returns the pass IDs of explicit followed by those of the
// consumptions of visits, in order, with repeats.
func Lineage(explicit []string, visits []checkin.Visit) []string {
	ids := slices.Clone(explicit)
	for _, v := range visits {
		for _, c := range v.Consumptions {
			ids = append(ids, c.Pass)
		}
	}
	return ids
}
