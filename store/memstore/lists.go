package memstore

import (
	"cmp"
	"context"
	"slices"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/store"
)

// Lists returns the repository of hosts' listings. Each page is chosen
// from the network's rows in one pass over them (no ordered index is
// kept): its cost does not depend on where the page starts.
func (t *tx) Lists() store.Lists { return listRepo{t} }

type listRepo struct{ t *tx }

// idPage returns the values of m in network whose ID sorts after
// p.After, in ID order, at most p.Limit of them.
func idPage[V any](m valMap[V], network string, p store.Page, id func(*V) string) []V {
	var out []V
	for k, v := range m {
		if k.net == network && k.id > p.After {
			out = append(out, v)
		}
	}
	slices.SortFunc(out, func(a, b V) int { return cmp.Compare(id(&a), id(&b)) })
	return page(out, 0, p.Limit)
}

func (r listRepo) Networks(_ context.Context, p store.Page) ([]catalog.Network, error) {
	var out []catalog.Network
	for id, n := range r.t.s.networks {
		if id > p.After {
			out = append(out, n)
		}
	}
	slices.SortFunc(out, func(a, b catalog.Network) int { return cmp.Compare(a.ID, b.ID) })
	return page(out, 0, p.Limit), nil
}

func (r listRepo) Locations(_ context.Context, network string, p store.Page) ([]catalog.Location, error) {
	return idPage(r.t.s.locations, network, p, func(l *catalog.Location) string { return l.ID }), nil
}

func (r listRepo) Holders(_ context.Context, network string, p store.Page) ([]catalog.Holder, error) {
	hs := idPage(r.t.s.holders, network, p, func(h *catalog.Holder) string { return h.ID })
	for i := range hs {
		if at := hs[i].HealthDeclaredAt; at != nil {
			c := *at
			hs[i].HealthDeclaredAt = &c
		}
	}
	return hs, nil
}

func (r listRepo) Teams(_ context.Context, network string, p store.Page) ([]catalog.Team, error) {
	return idPage(r.t.s.teams, network, p, func(t *catalog.Team) string { return t.ID }), nil
}

func (r listRepo) PAYGs(_ context.Context, network string, p store.Page) ([]billing.PAYG, error) {
	ps := idPage(r.t.s.paygs, network, p, func(p *billing.PAYG) string { return p.ID })
	for i := range ps {
		ps[i] = clonePAYG(ps[i])
	}
	return ps, nil
}

// Visits scans the network's visits.
func (r listRepo) Visits(_ context.Context, q store.VisitQuery) ([]checkin.Visit, error) {
	var rows []*visitRow
	for k, r := range r.t.s.visits {
		if k.net == q.Network && visitMatches(&q, &r.v) {
			rows = append(rows, r)
		}
	}
	slices.SortFunc(rows, rowByStart)
	return copyVisits(page(rows, 0, q.Limit)), nil
}

// visitMatches reports whether v is one of the visits q selects.
func visitMatches(q *store.VisitQuery, v *checkin.Visit) bool {
	return (q.Holder == "" || v.Holder == q.Holder) && (q.Location == "" || v.Location == q.Location) &&
		(q.Status == "" || v.Status == q.Status) && (q.Kind == "" || v.Kind == q.Kind) && (q.Mode == "" || v.Mode == q.Mode) &&
		(q.From.IsZero() || !v.Date.Before(q.From)) && (q.To.IsZero() || !v.Date.After(q.To)) &&
		(q.StartFrom.IsZero() || !v.Start.Before(q.StartFrom)) && (q.StartBefore.IsZero() || v.Start.Before(q.StartBefore)) &&
		(q.After == nil || cmp.Or(v.Start.Compare(q.After.Start), cmp.Compare(v.ID, q.After.ID)) > 0)
}

// Occupancy counts the network's open visits (the open index) by location.
func (r listRepo) Occupancy(_ context.Context, q store.OccupancyQuery) ([]store.Occupancy, error) {
	s := r.t.s
	open := map[string]int{}
	for hk, h := range s.hv {
		if hk.net != q.Network {
			continue
		}
		for _, r := range h.open {
			if r.v.Start.After(q.Since) {
				open[r.v.Location]++
			}
		}
	}
	ls := idPage(s.locations, q.Network, q.Page, func(l *catalog.Location) string { return l.ID })
	out := make([]store.Occupancy, len(ls))
	for i, l := range ls {
		out[i] = store.Occupancy{Location: l, Open: open[l.ID]}
	}
	return out, nil
}
