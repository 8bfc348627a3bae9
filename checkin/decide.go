package checkin

import (
	"fmt"
	"slices"
	"time"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
)

// State is what a decision reads: one holder's live state at one location.
// The caller loads it inside the unit of work and gives each decision its
// own State. The passes Passes points to are read-only to a decision, so a
// caller may load them shared with a store or a cache: a decision that
// changes a pass changes a copy (the first change copies it), which takes
// the pass's place in Passes and is what the Outcome lists. A decision may
// change the State's own slices (Passes, Recent) and, when it returns an
// error, may have done so part way: discard the State then, as the Engine
// does with its unit of work.
type State struct {
	// Holder is the holder the decision is for.
	Holder catalog.Holder
	// TeamSharing is whether the holder's team shares credit (G1).
	TeamSharing bool
	// Location is where the use happens (for a check-out or a booking's
	// cancel, the visit's location); Zone is its calendar.
	Location catalog.Location
	// Zone is the location's zone and cut-off, which turn instants into
	// service dates (T4).
	Zone calendar.Zone
	// NetworkLocations is how many locations the network has; a
	// network-wide pass counts as covering them all (O4).
	NetworkLocations int
	// Passes are the holder's and the team's live passes, plus every pass
	// that Recent or the visit at hand names in its lineage.
	Passes []*pass.Pass
	// Open holds the holder's open visits; Recent the holder's visits whose
	// service date is near the use (day coverage, C2, and the PAYG totals of
	// the days a check-out touches, C5, C6).
	Open []Visit
	// Recent is described with Open above.
	Recent []Visit
	// PAYG are the network's PAYG products; the cheapest for the holder's
	// audience at the location applies when no pass pays (C5).
	PAYG []billing.PAYG
	// Policy is the consumption order (O0-O8); an empty Policy ranks by
	// pass ID alone.
	Policy entitlement.Policy
	// MaxOpen is the longest a visit counts (C8, S3): a check-out later
	// than its start plus MaxOpen closes it at that instant, marked
	// automatic, and a check-in at the location after it first closes the
	// holder's visit there so. Zero means no maximum. State is a
	// decision input with no JSON form.
	MaxOpen time.Duration `json:"-"`

	// copies are the passes this State's decisions copied before changing
	// them (own), each with the pass it copies; the first in copyBuf and,
	// for a State made by NewState, in room, so that the usual decision
	// (one pass changed) allocates nothing for it.
	copies  []passCopy
	copyBuf [1]passCopy
	room    *stateRoom
}

// stateRoom is a State and the room for its first pass copy, allocated
// together by NewState.
type stateRoom struct {
	st     State
	p      pass.Pass
	passes [statePasses]*pass.Pass
}

// statePasses is how many pass pointers NewState's State holds in its own
// allocation (Passes' first array): a holder's live pass and the passes
// its recent visits name, in the usual call.
const statePasses = 4

// NewState returns an empty State that holds, in the same allocation, the
// room for the copy of the first pass a decision on it changes (own). A
// State made otherwise (a composite literal) decides the same, and
// allocates that copy when a decision changes a pass. Only the State
// NewState returns uses the room: a copy of it (another State value)
// allocates its pass copies, so two States never share one. Its Passes is
// empty with room for 4 pointers in the same allocation.
func NewState() *State { return new(Room).State() }

// Room is the memory of a State as NewState makes it, for a caller that
// decides again and again (a pooled unit of work) and would rather reuse
// that memory, warm in the cache, than allocate it for every decision.
// Its zero value is ready to use. A Room must not be used by two
// goroutines at once.
type Room struct {
	r stateRoom
	// passes is the longest array Passes has needed beyond the State's
	// own (Passes), kept for the next States.
	passes []*pass.Pass
}

// State returns the Room's State, empty, as NewState returns one. It
// clears the State it returned before, and that State's pass copy: the
// caller must be done with both, and with every pointer into them.
func (m *Room) State() *State {
	m.r = stateRoom{}
	m.r.st.room = &m.r
	m.r.st.Passes = m.r.passes[:0]
	return &m.r.st
}

// Passes returns an empty slice with room for n pass pointers, for the
// Passes of the Room's State when its own do not suffice: the Room keeps
// the array for the States it returns next, so that a caller deciding on
// many passes again and again allocates it once. Like State, it clears
// what the array held: the caller must be done with the Passes of the
// State before.
func (m *Room) Passes(n int) []*pass.Pass {
	if cap(m.passes) < n {
		m.passes = make([]*pass.Pass, 0, n)
	}
	clear(m.passes[:cap(m.passes)])
	return m.passes[:0]
}

// passCopy is a pass a decision copied to change it, and the pass it
// copies.
type passCopy struct{ from, to *pass.Pass }

// own returns the pass a decision on st may change in place of p: the
// copy made at p's first change, which takes p's place in st.Passes (the
// passes a State points to are read-only: they may be shared with a
// store). p may be the copy already, or a pointer to the original held
// elsewhere (a selection's candidate). A copy no longer in st.Passes (the
// caller put the original back after an earlier decision) is not reused.
func (st *State) own(p *pass.Pass) *pass.Pass {
	for _, c := range st.copies {
		if (c.from == p || c.to == p) && slices.Contains(st.Passes, c.to) {
			return c.to
		}
	}
	var q *pass.Pass
	if len(st.copies) == 0 && st.room != nil && &st.room.st == st {
		q = &st.room.p // the room is this State's own, not a copied State's
	} else {
		q = new(pass.Pass)
	}
	*q = p.Clone()
	if st.copies == nil {
		st.copies = st.copyBuf[:0]
	}
	for i, x := range st.Passes {
		if x == p {
			st.Passes[i] = q
		}
	}
	st.copies = append(st.copies, passCopy{from: p, to: q})
	return q
}

// Outcome lists every effect of a decision. Visit is the visit opened,
// closed or changed; Closed holds visits closed automatically on the way
// (C8). Passes are the passes changed, in their new state; Entries the
// ledger entries to append (without IDs or keys). Selection is the ranking
// that decided (C9).
type Outcome struct {
	// Visit is the visit the decision opened, closed or changed.
	Visit Visit `json:"visit"`
	// Closed are the holder's other visits closed automatically on the
	// way (C8); empty for most decisions.
	Closed []Visit `json:"closed,omitempty"`
	// Passes are the passes the decision changed, in their new state.
	Passes []*pass.Pass `json:"-"`
	// Entries are the ledger entries to append, without ID, key or actor
	// (the caller stamps them).
	Entries []pass.Entry `json:"-"`
	// Selection is the ranking that chose the pass (C9); empty when no
	// pass was ranked (a check-out, a cancel).
	Selection entitlement.Selection `json:"selection"`
}

func (st *State) pass(id string) *pass.Pass {
	for _, p := range st.Passes {
		if p.ID == id {
			return p
		}
	}
	return nil
}

func (st *State) use(d calendar.Date, cost int, kinds []pass.Kind) entitlement.Use {
	return entitlement.Use{
		Holder: st.Holder, TeamSharing: st.TeamSharing,
		Location: st.Location.ID, Tier: st.Location.Tier, NetworkLocations: st.NetworkLocations,
		Date: d, Cost: cost, Kinds: kinds,
	}
}

func (o *Outcome) touch(p *pass.Pass) {
	for _, q := range o.Passes {
		if q == p {
			return
		}
	}
	o.Passes = append(o.Passes, p)
}

func (o *Outcome) entry(p *pass.Pass, t pass.EntryType, units int, v *Visit, at time.Time) {
	o.touch(p)
	o.Entries = append(o.Entries, pass.Entry{Network: p.Network, Pass: p.ID, Holder: v.Holder, Visit: v.ID,
		At: at.UTC(), Type: t, Units: units, Balance: p.Balance})
}

// consume takes n units of p for v and records the lineage.
func (o *Outcome) consume(p *pass.Pass, n int, v *Visit, at time.Time) error {
	if err := p.Spend(n); err != nil {
		return err
	}
	p.Uses++
	v.Consumptions = append(v.Consumptions, Consumption{Pass: p.ID, Kind: p.Kind, Units: n})
	o.entry(p, pass.EntryUse, -n, v, at)
	return nil
}

// giveBack returns every unit v consumed to the pass that paid it (B2,
// C11), even to a pass that has expired since, and deactivates a pass that
// v activated and that has no other use (A5).
func (o *Outcome) giveBack(st *State, v *Visit, at time.Time) error {
	for _, c := range v.Consumptions {
		if c.Units == 0 {
			continue
		}
		p := st.pass(c.Pass)
		if p == nil {
			return fmt.Errorf("checkin: pass %s of visit %s not loaded", c.Pass, v.ID)
		}
		p = st.own(p)
		p.Balance += c.Units
		p.Uses--
		o.entry(p, pass.EntryReturn, c.Units, v, at)
		if p.Deactivate(v.ID) {
			v.Activated = ""
		}
	}
	v.Consumptions = nil
	return nil
}

func (st *State) activate(o *Outcome, p *pass.Pass, d calendar.Date, v *Visit) {
	if p.ActivateOn(d, v.ID) {
		v.Activated = p.ID
		o.touch(p)
	}
}

// CheckIn is a check-in request: the new visit's ID, the instant and the
// visit's cost for visits passes (C3; 0 means 1).
type CheckIn struct {
	// Visit is the ID the new visit gets.
	Visit string
	// At is the instant of the check-in.
	At time.Time
	// Cost is what the visit takes from a visits pass, in visits; 0
	// means 1 (C3).
	Cost int
	// AllowUnpaid is the host's "allow and settle later" policy (C12).
	AllowUnpaid bool
}

// DecideCheckIn decides a check-in at st.Location (C1-C5, C8, C9). A
// holder's open visit at the location older than st.MaxOpen is first
// closed at its start plus MaxOpen (C8); a younger one refuses the
// check-in with an *AlreadyCheckedInError (C1). A pass issued after
// req.At cannot pay for it (a backdated check-in). A day unit already covering the business day
// is reused (C2); otherwise the first eligible pass in the policy's order
// pays: a day unit, the visit's cost in visits, or, for a time pass, nothing
// until check-out (C4). With no eligible pass the visit opens as PAYG when
// a PAYG product applies (C5), or else as unpaid with AllowUnpaid (C12).
// Otherwise it returns an *entitlement.RefusalError carrying every pass's
// reason (G7).
func DecideCheckIn(st *State, req CheckIn) (Outcome, error) {
	var o Outcome
	if req.Cost <= 0 {
		req.Cost = 1
	}
	for _, v := range st.Open {
		if v.Location != st.Location.ID {
			continue
		}
		if st.MaxOpen > 0 && !req.At.Before(v.Start.Add(st.MaxOpen)) {
			if err := st.close(&o, &v, v.Start.Add(st.MaxOpen), true); err != nil {
				return Outcome{}, err
			}
			o.Closed = append(o.Closed, v)
			continue
		}
		return Outcome{}, &AlreadyCheckedInError{Visit: v}
	}
	d := st.Zone.Date(req.At)
	v := Visit{Network: st.Location.Network, ID: req.Visit, Holder: st.Holder.ID, Location: st.Location.ID,
		Kind: CheckInVisit, Status: Open, Start: req.At.UTC(), Date: d, Cost: req.Cost}
	u := st.use(d, req.Cost, nil)
	u.At = req.At
	o.Selection = entitlement.Select(st.Passes, &u, st.Policy, nil)
	if p, by := st.coverage(&u); p != nil {
		v.Mode, v.Pass, v.CoveredBy = ByDay, p.ID, by
		o.Selection = covered(o.Selection, p.ID)
		o.Visit = v
		return o, nil
	}
	if c := o.Selection.Chosen(); c != nil {
		p := st.own(c.Pass)
		v.Pass = p.ID
		st.activate(&o, p, d, &v)
		switch p.Kind {
		case pass.Day:
			v.Mode = ByDay
			if err := o.consume(p, 1, &v, req.At); err != nil {
				return Outcome{}, err
			}
		case pass.Visits:
			v.Mode = ByVisits
			if err := o.consume(p, req.Cost, &v, req.At); err != nil {
				return Outcome{}, err
			}
		case pass.Time:
			v.Mode = ByTime
		}
		o.Visit = v
		return o, nil
	}
	if payg := billing.Cheapest(st.PAYG, st.Location.ID, st.Holder.Audience); payg != nil {
		v.Mode, v.PAYG = ByPAYG, payg.ID
		o.Visit = v
		return o, nil
	}
	if req.AllowUnpaid {
		v.Mode = Unpaid
		o.Visit = v
		return o, nil
	}
	return Outcome{}, &entitlement.RefusalError{Candidates: o.Selection.Candidates}
}

// coverage returns the pass whose day unit already covers u's date and is
// valid at u's location (C2), with the visit that consumed the unit.
func (st *State) coverage(u *entitlement.Use) (*pass.Pass, string) {
	for i := range st.Recent {
		v := &st.Recent[i]
		if v.Date != u.Date {
			continue
		}
		id := v.DayUnit()
		if id == "" {
			continue
		}
		if p := st.pass(id); p != nil && entitlement.CheckCoverage(p, u) == "" {
			return p, v.ID
		}
	}
	return nil, ""
}

// covered rewrites a selection so that the covering pass comes first,
// decided by "day_coverage".
func covered(s entitlement.Selection, id string) entitlement.Selection {
	for i := range s.Candidates {
		if s.Candidates[i].PassID == id {
			c := s.Candidates[i]
			copy(s.Candidates[1:i+1], s.Candidates[:i])
			s.Candidates[0] = c
			if c.Reason != "" && c.Reason != entitlement.Outranked {
				s.Eligible++
			}
			break
		}
	}
	s.Candidates[0].Reason, s.Candidates[0].DecidedBy = "", ""
	for i := 1; i < s.Eligible; i++ {
		s.Candidates[i].Reason, s.Candidates[i].DecidedBy = entitlement.Outranked, "day_coverage"
	}
	s.DecidedBy = ""
	if s.Eligible > 1 {
		s.DecidedBy = "day_coverage"
	}
	return s
}

// DecideCheckOut decides the check-out of the open visit v at instant at
// (C4-C7, C9); auto marks a check-out made by the stale-visit sweep (C8).
// A check-out later than v's start plus st.MaxOpen closes the visit at
// that instant instead, marked automatic (C8): a visit never counts past
// its maximum length.
// A time visit's minutes (whole, rounded up) are drained from the eligible
// time passes in the policy's order, one before the next; what is left is
// charged as PAYG if a product applies and otherwise recorded as uncovered
// minutes. A PAYG visit is charged per business day within the daily cap
// (C5, C6). It returns ErrNotOpen for a visit that is not open and a
// *field.Error named "at" for a check-out before the check-in (C7).
func DecideCheckOut(st *State, v Visit, at time.Time, auto bool) (Outcome, error) {
	var o Outcome
	if err := st.close(&o, &v, at, auto); err != nil {
		return Outcome{}, err
	}
	o.Visit = v
	return o, nil
}

func (st *State) close(o *Outcome, v *Visit, at time.Time, auto bool) error {
	if v.Status != Open {
		return fmt.Errorf("visit %s is %s: %w", v.ID, v.Status, ErrNotOpen)
	}
	if at.Before(v.Start) {
		return field.Invalid("at", "check-out %s is before check-in %s", at.UTC().Format(time.RFC3339), v.Start.Format(time.RFC3339))
	}
	if st.MaxOpen > 0 && at.After(v.Start.Add(st.MaxOpen)) {
		at, auto = v.Start.Add(st.MaxOpen), true
	}
	end := at.UTC()
	v.End, v.Status, v.AutoClosed = &end, Closed, auto
	minutes := billing.Minutes(v.Start, end)
	switch v.Mode {
	case ByTime:
		u := st.use(v.Date, 1, []pass.Kind{pass.Time})
		o.Selection = entitlement.Select(st.Passes, &u, st.Policy, nil)
		left := minutes
		for i := 0; i < o.Selection.Eligible && left > 0; i++ {
			p := st.own(o.Selection.Candidates[i].Pass)
			n := min(p.Balance, left)
			// A2: a time pass first used by this visit's minutes activates
			// on the visit's service date, like the one chosen at check-in.
			if p.ActivateOn(v.Date, v.ID) && v.Activated == "" {
				v.Activated = p.ID
			}
			if err := o.consume(p, n, v, end); err != nil {
				return err
			}
			left -= n
		}
		if left > 0 {
			if payg := billing.Cheapest(st.PAYG, st.Location.ID, st.Holder.Audience); payg != nil {
				v.PAYG = payg.ID
				st.charge(v, payg, v.Start.Add(time.Duration(minutes-left)*time.Minute), left)
			} else {
				v.UncoveredMinutes = left
			}
		}
	case ByPAYG:
		payg := st.paygByID(v.PAYG)
		if payg == nil {
			return fmt.Errorf("checkin: PAYG product %s of visit %s not loaded", v.PAYG, v.ID)
		}
		st.charge(v, payg, v.Start, minutes)
	}
	st.remember(*v)
	return nil
}

func (st *State) paygByID(id string) *billing.PAYG {
	for i := range st.PAYG {
		if st.PAYG[i].ID == id {
			return &st.PAYG[i]
		}
	}
	return nil
}

// remember puts v into Recent, replacing an older copy, so that later
// decisions on this State count its charges.
func (st *State) remember(v Visit) {
	for i := range st.Recent {
		if st.Recent[i].ID == v.ID {
			st.Recent[i] = v
			return
		}
	}
	st.Recent = append(st.Recent, v)
}

// charge adds the PAYG charges of minutes starting at from to v, within
// each day's cap given the holder's other charges that day (C5, C6).
func (st *State) charge(v *Visit, payg *billing.PAYG, from time.Time, minutes int) {
	hourly, ok := payg.HourlyFor(st.Holder.Audience)
	if !ok || minutes <= 0 {
		return
	}
	spent := func(d calendar.Date) money.Money {
		sum := money.Zero(hourly.Currency)
		for i := range st.Recent {
			if st.Recent[i].ID == v.ID {
				continue
			}
			for _, c := range st.Recent[i].Charges {
				if c.Date == d {
					sum = sum.Add(c.Amount)
				}
			}
		}
		return sum
	}
	days := billing.Split(from, minutes, st.Zone)
	v.Charges = append(v.Charges, billing.Charge(days, payg, hourly, payg.DailyCap, spent)...)
}

// Has reports whether the pass with id is loaded in st.
func (st *State) Has(id string) bool { return st.pass(id) != nil }
