package checkin

import (
	"fmt"
	"time"

	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/pass"
)

// DecideSettle settles unpaid visit v with pass id (C12) if that pass is
// eligible for v's location and service date: a day pass pays one unit, a
// visits pass the visit's cost; time passes do not settle visits. A pass
// that activates on first use and is not active yet activates today (the
// business day of at), never on the old visit's date, so settling cannot
// start a validity that has already run out; a locked pass then cannot pay
// for a visit before today. st.Location must be v's location. It returns an
// *entitlement.RefusalError when the pass is not eligible and ErrNotMovable
// for a visit that is not unpaid.
func DecideSettle(st *State, v Visit, id string, at time.Time) (Outcome, error) {
	var o Outcome
	if v.Mode != Unpaid {
		return Outcome{}, fmt.Errorf("visit %s is paid by %s: %w", v.ID, v.Mode, ErrNotMovable)
	}
	p := st.pass(id)
	if p == nil {
		return Outcome{}, fmt.Errorf("checkin: pass %s not loaded", id)
	}
	p = st.own(p)
	if !p.Activated() && p.Activation == pass.OnFirstUse {
		st.activate(&o, p, st.Zone.Date(at), &v)
	}
	u := st.use(v.Date, v.Cost, []pass.Kind{pass.Day, pass.Visits})
	o.Selection = entitlement.Select([]*pass.Pass{p}, &u, st.Policy, nil)
	if o.Selection.Chosen() == nil {
		return Outcome{}, &entitlement.RefusalError{Candidates: o.Selection.Candidates}
	}
	n, mode := v.Cost, ByVisits
	if p.Kind == pass.Day {
		n, mode = 1, ByDay
	}
	if err := o.consume(p, n, &v, at); err != nil {
		return Outcome{}, err
	}
	settled := at.UTC()
	v.Mode, v.Pass, v.SettledAt = mode, p.ID, &settled
	o.Visit = v
	return o, nil
}
