package memstore

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

// LoadState reads q's state from the indexes in one call: what
// store.ReadState reads through the repositories, with its checks in the
// same order and its errors. Its passes are the store's rows, which a
// write replaces and never changes (State's passes are read-only); its
// visits are copies. It takes a few allocations whatever the number of
// visits and passes: one backing array for Open and Recent, one for the
// pointers of Live and Named, and one per kind of value the visits' copies
// hold outside their structs (store.StateLoader); most states fit in one
// allocation (a box), and with q.Scratch the two arrays are the Scratch's.
// The write lock already serializes every unit of work, so it locks
// nothing.
func (t *tx) LoadState(_ context.Context, q store.StateQuery) (s store.State, err error) {
	st := t.s
	var ok bool
	if s.Network, ok = st.networks[q.Network]; !ok {
		return s, missing("network", q.Network)
	}
	var visit *visitRow
	if q.Holder == "" && q.Location == "" { // the visit's holder and location
		if visit, ok = st.visits[nk{q.Network, q.Visit}]; !ok {
			return s, missing("visit", q.Visit)
		}
		v := &visit.v
		q.Holder, q.Location, q.From = v.Holder, v.Location, v.Date.AddDays(q.FromVisit)
		if q.To.IsZero() {
			q.To = v.Date
		}
	}
	if s.Holder, ok = st.holders[nk{q.Network, q.Holder}]; !ok {
		return s, missing("holder", q.Holder)
	}
	if s.Location, ok = st.locations[nk{q.Network, q.Location}]; !ok {
		return s, missing("location", q.Location)
	}
	if s.Holder.Team != "" {
		if s.Team, ok = st.teams[nk{q.Network, s.Holder.Team}]; !ok {
			return s, missing("team", s.Holder.Team)
		}
	}
	if q.Key != "" {
		if i, ok := st.records.find(q.Network, q.Key); ok { // a replay
			s.Record = new(store.Record)
			*s.Record = st.records.record(i, q.Network, q.Key)
		}
	}
	if q.Visit != "" && visit == nil {
		if visit, ok = st.visits[nk{q.Network, q.Visit}]; !ok {
			return s, missing("visit", q.Visit)
		}
	}
	s.Locations = st.locCount[q.Network]

	// The rows: open visits, the window's visits, live passes, the
	// lineage's passes.
	hv := st.hv[nk{q.Network, q.Holder}]
	var open []*visitRow
	if hv != nil {
		open = hv.open
	}
	from, lookback := q.From, max(q.Lookback, 1)
	for _, r := range open { // store.WindowStart
		if d := r.v.Date.AddDays(-lookback); r.v.Location == q.Location && d.Before(from) {
			from = d
		}
	}
	var recentBuf [8]*visitRow
	recent := append(recentBuf[:0], hv.datedRows(from, q.To)...)
	slices.SortFunc(recent, rowByStart)
	live := st.liveRows(q.Network, q.Holder, s.Holder.Team)

	// The lineage (store.Lineage): each pass once, the live ones as Live
	// holds them.
	var namedBuf [8]*passRow
	named := namedBuf[:0]
	name := func(id string) {
		for _, r := range named {
			if r.p.ID == id {
				return
			}
		}
		if i, ok := slices.BinarySearchFunc(live, id, byRowID); ok {
			named = append(named, live[i])
		} else if r, ok := st.passes[nk{q.Network, id}]; ok {
			named = append(named, r)
		}
	}
	for _, id := range q.Lineage {
		name(id)
	}
	if visit != nil {
		for i := range visit.v.Consumptions {
			name(visit.v.Consumptions[i].Pass)
		}
	}
	for _, r := range recent {
		for i := range r.v.Consumptions {
			name(r.v.Consumptions[i].Pass)
		}
	}
	slices.SortFunc(named, func(a, b *passRow) int { return strings.Compare(a.p.ID, b.p.ID) })

	// The copies of the visits; the passes are the rows' own (State's
	// passes are read-only, and a row never changes: a write replaces it).
	// With a Scratch, the window's visits are copied into its memory, and
	// the visit and the open visits, which a call's result may keep (the
	// visit checked out, the visits closed on the way), into new memory.
	var n, nr need // n: the visit, the open visits, the holder; nr: the window's visits
	if visit != nil {
		n.visit(&visit.v)
	}
	for _, r := range open {
		n.visit(&r.v)
	}
	for _, r := range recent {
		nr.visit(&r.v)
	}
	if s.Holder.HealthDeclaredAt != nil {
		n.times++
	}
	nv, np := len(open)+len(recent), len(live)+len(named)
	var c, cr copier // cr copies the window's visits
	var vs []checkin.Visit
	var ps []*pass.Pass
	if sc := q.Scratch; sc != nil {
		c = newCopier(&n)
		cr = copier{times: sc.Times(nr.times), cons: sc.Consumptions(nr.cons), charges: sc.Charges(nr.charges)}
		vs, ps = sc.Visits(nv), sc.Passes(np)
	} else {
		n.add(&nr)
		c, vs, ps = boxed(&n, nv, np)
	}
	s.Holder.HealthDeclaredAt = c.time(s.Holder.HealthDeclaredAt)
	if visit != nil {
		c.visitTo(&s.Visit, &visit.v)
	}
	if nv > 0 {
		for i, r := range open {
			c.visitTo(&vs[i], &r.v)
		}
		rc := &cr
		if q.Scratch == nil {
			rc = &c
		}
		for i, r := range recent {
			rc.visitTo(&vs[len(open)+i], &r.v)
		}
		if len(open) > 0 {
			s.Open = vs[:len(open):len(open)]
		}
		if len(recent) > 0 {
			s.Recent = vs[len(open):]
		}
	}
	if np > 0 {
		for i, r := range live {
			ps[i] = &r.p
		}
		for i, r := range named {
			ps[len(live)+i] = &r.p // a live one is the pointer Live holds
		}
		if len(live) > 0 {
			s.Live = ps[:len(live):len(live)]
		}
		if len(named) > 0 {
			s.Named = ps[len(live):]
		}
	}
	s.PAYG = st.paygsOf(q.Network)
	return s, nil
}

// boxed returns a copier for what n counts, nv visits and np pass
// pointers, all in one allocation, the smallest box that holds them: a
// quarter of a stateBox for most check-ins, a midBox for most check-outs;
// in one allocation of each kind when none does.
func boxed(n *need, nv, np int) (c copier, vs []checkin.Visit, ps []*pass.Pass) {
	arrays := 0
	for _, k := range [...]int{nv, np, n.times, n.cons} {
		if k > 0 {
			arrays++
		}
	}
	small, mid, large := (*smallBox)(nil), (*midBox)(nil), (*stateBox)(nil)
	fits := func(visits, passes, times, cons int) bool {
		return arrays > 1 && nv <= visits && np <= passes && n.times <= times && n.cons <= cons
	}
	switch {
	case fits(len(small.visits), len(small.passes), len(small.times), len(small.cons)):
		b := new(smallBox)
		vs, ps = c.carve(n, b.visits[:nv:nv], b.passes[:np:np], b.times[:], b.cons[:])
	case fits(len(mid.visits), len(mid.passes), len(mid.times), len(mid.cons)):
		b := new(midBox)
		vs, ps = c.carve(n, b.visits[:nv:nv], b.passes[:np:np], b.times[:], b.cons[:])
	case fits(len(large.visits), len(large.passes), len(large.times), len(large.cons)):
		b := new(stateBox)
		vs, ps = c.carve(n, b.visits[:nv:nv], b.passes[:np:np], b.times[:], b.cons[:])
	default:
		c = newCopier(n)
		if nv > 0 {
			vs = make([]checkin.Visit, nv)
		}
		if np > 0 {
			ps = make([]*pass.Pass, np)
		}
	}
	return c, vs, ps
}

// stateBox holds the copies of a usual state's visits (a visit open, the
// day's visits) and its passes' pointers in one allocation: LoadState uses
// it when they fit.
type stateBox struct {
	visits [4]checkin.Visit
	passes [4]*pass.Pass
	times  [4]time.Time
	cons   [6]checkin.Consumption
}

// carve makes c's arenas of times and consumptions those of a box, with
// the capacity n counts, allocates the other kinds n counts, and returns
// the box's visits and passes.
func (c *copier) carve(n *need, visits []checkin.Visit, passes []*pass.Pass, times []time.Time, cons []checkin.Consumption) ([]checkin.Visit, []*pass.Pass) {
	c.times, c.cons = times[:0:n.times], cons[:0:n.cons]
	n.times, n.cons = 0, 0
	c.more(n)
	return visits, passes
}

// smallBox is a stateBox for one visit and two passes, the state of most
// check-ins and check-outs (576 bytes against 2,304).
type smallBox struct {
	visits [1]checkin.Visit
	passes [2]*pass.Pass
	times  [1]time.Time
	cons   [2]checkin.Consumption
}

// midBox is a stateBox for four visits and two passes, the state of most
// check-outs (the visit's copy is State.Visit, outside the box; the box
// holds it open and among the window's visits, beside the two days
// before's): 2,048 bytes against 2,304.
type midBox struct {
	visits [4]checkin.Visit
	passes [2]*pass.Pass
	times  [2]time.Time
	cons   [5]checkin.Consumption
}

// paygsOf returns copies of the network's PAYG products by ID, their
// prices and locations in one allocation each.
func (s *Store) paygsOf(network string) []billing.PAYG {
	ids := s.paygIDs[network]
	if len(ids) == 0 {
		return nil
	}
	out := make([]billing.PAYG, len(ids))
	prices, locs := 0, 0
	for i, id := range ids {
		out[i] = s.paygs[nk{network, id}]
		prices += len(out[i].Prices)
		locs += len(out[i].Locations)
	}
	var pa []billing.Price
	var la []string
	if prices > 0 {
		pa = make([]billing.Price, 0, prices)
	}
	if locs > 0 {
		la = make([]string, 0, locs)
	}
	for i := range out {
		p := &out[i]
		if len(p.Prices) > 0 {
			p.Prices = take(&pa, p.Prices)
		} else if p.Prices != nil {
			p.Prices = p.Prices[:0:0]
		}
		if len(p.Locations) > 0 {
			p.Locations = take(&la, p.Locations)
		} else if p.Locations != nil {
			p.Locations = p.Locations[:0:0]
		}
	}
	return out
}
