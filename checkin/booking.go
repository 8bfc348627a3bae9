package checkin

import (
	"errors"
	"fmt"
	"time"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
)

// Book is a class booking request: the new visit's ID, the class start,
// its cost in visits (0 means 1) and when the booking is made.
type Book struct {
	// Visit is the ID the booking's visit gets.
	Visit string
	// Start is the class's start; its service date is the booking's (T4).
	Start time.Time
	// Cost is what the class takes from a visits pass, in visits or
	// points; 0 means 1 (B1).
	Cost int
	// At is when the booking is made: a pass must be valid then too.
	At time.Time
}

// bookable lists the pass kinds that pay for a class: visits (and class
// points). Day and time passes are for check-ins.
var bookable = []pass.Kind{pass.Visits}

// DecideBook decides a booking of a class at st.Location (B1): the service
// date is the class's business day; the first eligible visits pass in the
// policy's order pays the cost, under A2-A4 (a pass that activates on first
// use activates on the class date; a locked pass only books classes inside
// [activation, expiry]). With no eligible pass it returns an
// *entitlement.RefusalError.
func DecideBook(st *State, req Book) (Outcome, error) {
	var o Outcome
	if req.Cost <= 0 {
		req.Cost = 1
	}
	d := st.Zone.Date(req.Start)
	v := Visit{Network: st.Location.Network, ID: req.Visit, Holder: st.Holder.ID, Location: st.Location.ID,
		Kind: Booking, Mode: ByVisits, Status: Booked, Start: req.Start.UTC(), Date: d, Cost: req.Cost}
	u := st.use(d, req.Cost, bookable)
	o.Selection = entitlement.Select(st.Passes, &u, st.Policy, nil)
	c := o.Selection.Chosen()
	if c == nil {
		return Outcome{}, &entitlement.RefusalError{Candidates: o.Selection.Candidates}
	}
	p := st.own(c.Pass)
	v.Pass = p.ID
	st.activate(&o, p, d, &v)
	if err := o.consume(p, req.Cost, &v, req.At); err != nil {
		return Outcome{}, err
	}
	o.Visit = v
	return o, nil
}

// Cancel is a booking cancellation: when, whether the business cancelled,
// the host's cancel window before the class start, and whether the host
// refunds late cancels.
type Cancel struct {
	// At is when the booking is cancelled.
	At time.Time
	// ByBusiness is whether the business cancels (the class is off),
	// which always returns the units; false: the holder cancels.
	ByBusiness bool
	// Window is how long before the class start a holder's cancel
	// becomes late (B2); 0: every cancel before the start is on time.
	// Cancel is a decision input with no JSON form.
	Window time.Duration `json:"-"`
	// RefundLate returns the units of a late cancel too; false, the zero
	// value, forfeits them (B2).
	RefundLate bool
}

// DecideCancel cancels booking v (B2). Cancelled before the window (or by
// the business, which is never late) it returns the units to the pass that
// paid, even one expired since, and a pass the booking activated with no
// other use becomes inactive again (A5). A late cancel forfeits the units
// unless the host refunds late cancels. It returns ErrNotBooked for a visit
// that is not a current booking.
func DecideCancel(st *State, v Visit, req Cancel) (Outcome, error) {
	var o Outcome
	if v.Kind != Booking || v.Status != Booked {
		return Outcome{}, fmt.Errorf("visit %s is a %s, %s: %w", v.ID, v.Kind, v.Status, ErrNotBooked)
	}
	at := req.At.UTC()
	late := !req.ByBusiness && at.After(v.Start.Add(-req.Window))
	if !late || req.RefundLate {
		if err := o.giveBack(st, &v, at); err != nil {
			return Outcome{}, err
		}
	}
	v.Status, v.CancelledAt, v.LateCancel = Cancelled, &at, late
	if req.ByBusiness {
		v.CancelledBy = "business"
	} else {
		v.CancelledBy = "holder"
	}
	o.Visit = v
	return o, nil
}

// Attendance marks a booking attended or missed. Fee is the host's no-show
// fee: zero Money forfeits the units (the default policy), a fee returns
// them and charges the fee instead (B3).
type Attendance struct {
	// Attended is true for a booking held, false for a no-show (B3).
	Attended bool
	// At is when the attendance is marked.
	At time.Time
	// Fee is the no-show fee, described above; ignored when Attended.
	Fee money.Money
}

// DecideAttendance marks booking v attended or a no-show and applies the
// no-show policy once: a booking already marked returns ErrNotBooked (B3).
func DecideAttendance(st *State, v Visit, req Attendance) (Outcome, error) {
	var o Outcome
	if v.Kind != Booking || v.Status != Booked {
		return Outcome{}, fmt.Errorf("visit %s is a %s, %s: %w", v.ID, v.Kind, v.Status, ErrNotBooked)
	}
	if req.Attended {
		v.Status = Attended
		o.Visit = v
		return o, nil
	}
	v.Status = NoShow
	if !req.Fee.IsZero() {
		if err := o.giveBack(st, &v, req.At); err != nil {
			return Outcome{}, err
		}
		v.Fee = &billing.DayCharge{Date: v.Date, Amount: req.Fee.Round()}
	}
	o.Visit = v
	return o, nil
}

// ErrNotMovable is returned when a visit cannot move to another pass: it
// was not paid by day or visits units, or it was cancelled.
var ErrNotMovable = errors.New("visit cannot move to another pass")

// DecideMove moves visit v to pass to (C11): the units v consumed go back
// to the passes that paid and the new pass pays, in one step. The new pass
// must be eligible for v's location and service date and of a kind that
// could have paid for it; otherwise it returns an *entitlement.RefusalError
// with its reason. Visits paid by time or PAYG, and cancelled or refunded
// bookings, return ErrNotMovable.
func DecideMove(st *State, v Visit, to string, at time.Time) (Outcome, error) {
	var o Outcome
	if (v.Mode != ByDay && v.Mode != ByVisits) || v.Status == Cancelled || len(v.Consumptions) == 0 {
		return Outcome{}, fmt.Errorf("visit %s (%s, %s): %w", v.ID, v.Mode, v.Status, ErrNotMovable)
	}
	p := st.pass(to)
	if p == nil {
		return Outcome{}, fmt.Errorf("checkin: pass %s not loaded", to)
	}
	p = st.own(p)
	kinds := []pass.Kind{pass.Day, pass.Visits}
	if v.Kind == Booking {
		kinds = bookable
	}
	if err := o.giveBack(st, &v, at); err != nil {
		return Outcome{}, err
	}
	u := st.use(v.Date, v.Cost, kinds)
	o.Selection = entitlement.Select([]*pass.Pass{p}, &u, st.Policy, nil)
	if o.Selection.Chosen() == nil {
		return Outcome{}, &entitlement.RefusalError{Candidates: o.Selection.Candidates}
	}
	n := v.Cost
	v.Mode = ByVisits
	if p.Kind == pass.Day {
		n, v.Mode = 1, ByDay
	}
	v.Pass, v.CoveredBy = p.ID, ""
	if err := o.consume(p, n, &v, at); err != nil {
		return Outcome{}, err
	}
	o.Visit = v
	return o, nil
}
