package checkin_test

import (
	"fmt"
	"reflect"
	"slices"
	"time"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/stretchr/testify/require"
)

// tb is what the helpers need of *testing.T and *rapid.T.
type tb interface {
	Helper()
	Fatalf(format string, args ...any)
	Errorf(format string, args ...any)
	FailNow()
}

// world is a holder's state at one location, kept the way the Engine keeps
// it: after each successful decision the outcome's visits go to Open and
// Recent, its passes are written over the world's (as the Engine writes
// them to the store) and its ledger entries are appended; a failed
// decision leaves the state as it was (the Engine reloads it in a new unit
// of work). A decision must not change the passes the State points to
// (they are read-only: a store may share them): run fails the test when
// one does.
type world struct {
	t      tb
	st     *checkin.State
	ledger map[string][]pass.Entry // by pass ID
	nextID int
}

// newWorld returns member "ada" of team "acme" (credit sharing on) at
// location "downtown" of network "hub" (3 locations) in zone with cutoff,
// with the default policy and no passes.
func newWorld(t tb, zone string, cutoff time.Duration) *world {
	t.Helper()
	z, err := calendar.LoadZone(zone, cutoff)
	require.NoError(t, err)
	return &world{t: t, ledger: map[string][]pass.Entry{}, st: &checkin.State{
		Holder:      catalog.Holder{Network: "hub", ID: "ada", Audience: catalog.Member, Team: "acme"},
		TeamSharing: true,
		Location:    catalog.Location{Network: "hub", ID: "downtown", Zone: zone, DayCutoff: cutoff},
		Zone:        z, NetworkLocations: 3, Policy: entitlement.DefaultPolicy(),
	}}
}

func ny(t tb) *world { t.Helper(); return newWorld(t, "America/New_York", 0) }

// at returns local wall time s ("2006-01-02 15:04") at the location.
func (w *world) at(s string) time.Time {
	w.t.Helper()
	tm, err := time.ParseInLocation("2006-01-02 15:04", s, w.st.Zone.Loc)
	require.NoError(w.t, err)
	return tm.UTC()
}

// product returns a product of kind k with units, price and edits.
func product(k pass.Kind, units int, price string, edit ...func(*pass.Product)) pass.Product {
	p := pass.Product{Network: "hub", ID: "prod-" + string(k), Kind: k, Units: units,
		Price: money.MustNew(price, "USD"), Activation: pass.OnPurchase}
	for _, e := range edit {
		e(&p)
	}
	return p
}

// add issues prod to ada (or with edits, to someone else) as pass id on
// 2024-06-01 (or spec.On), at an instant before every use of the tests
// (2024-01-01), and loads it into the state with its ledger.
func (w *world) add(id string, prod pass.Product, edit ...func(*pass.IssueSpec)) *pass.Pass {
	w.t.Helper()
	spec := pass.IssueSpec{ID: id, Holder: "ada", Source: pass.FromProduct, Paid: true,
		At: time.Date(2024, time.January, 1, 12, 0, 0, 0, time.UTC), On: calendar.MustDate("2024-06-01")}
	for _, e := range edit {
		e(&spec)
	}
	p, entries, err := pass.Issue(prod, spec)
	require.NoError(w.t, err)
	w.st.Passes = append(w.st.Passes, &p)
	w.ledger[id] = append(w.ledger[id], entries...)
	return &p
}

// seedPAYG is seed 001's PAYG: $10 an hour for members, $15 for contacts,
// a $100 daily cap.
func seedPAYG() billing.PAYG {
	return billing.PAYG{Network: "hub", ID: "payg", Prices: []billing.Price{
		{Audience: catalog.Member, Hourly: money.MustNew("10", "USD")},
		{Audience: catalog.Contact, Hourly: money.MustNew("15", "USD")},
	}, DailyCap: money.MustNew("100", "USD")}
}

func (w *world) id(prefix string) string {
	w.nextID++
	return fmt.Sprintf("%s%d", prefix, w.nextID)
}

type saved struct {
	passes       []pass.Pass
	open, recent []checkin.Visit
}

func (w *world) save() saved {
	s := saved{}
	for _, p := range w.st.Passes {
		s.passes = append(s.passes, p.Clone())
	}
	for _, v := range w.st.Open {
		s.open = append(s.open, v.Clone())
	}
	for _, v := range w.st.Recent {
		s.recent = append(s.recent, v.Clone())
	}
	return s
}

func (w *world) restore(s saved) {
	for i, p := range w.st.Passes {
		*p = s.passes[i]
	}
	w.st.Open, w.st.Recent = s.open, s.recent
}

// run applies decide to the world: on success the outcome's effects are
// kept, on error the state is restored. Either way it checks that the
// decision left the passes the State pointed to as they were.
func (w *world) run(decide func() (checkin.Outcome, error)) (checkin.Outcome, error) {
	w.t.Helper()
	s := w.save()
	passes := slices.Clone(w.st.Passes)
	o, err := decide()
	for i, p := range passes {
		if !reflect.DeepEqual(*p, s.passes[i]) {
			w.t.Errorf("the decision changed pass %s in place: got %+v, want %+v", p.ID, *p, s.passes[i])
		}
	}
	w.st.Passes = passes
	if err != nil {
		w.restore(s)
		return o, err
	}
	w.apply(o)
	return o, nil
}

// apply writes o's passes over the world's, records o's visits in Open
// and Recent and appends its entries.
func (w *world) apply(o checkin.Outcome) {
	for _, q := range o.Passes {
		for _, p := range w.st.Passes {
			if p.ID == q.ID {
				*p = q.Clone()
			}
		}
	}
	for _, v := range append(slices.Clone(o.Closed), o.Visit) {
		w.st.Open = slices.DeleteFunc(w.st.Open, func(x checkin.Visit) bool { return x.ID == v.ID })
		if v.IsOpen() {
			w.st.Open = append(w.st.Open, v)
		}
		w.st.Recent = slices.DeleteFunc(w.st.Recent, func(x checkin.Visit) bool { return x.ID == v.ID })
		w.st.Recent = append(w.st.Recent, v)
	}
	for _, e := range o.Entries {
		w.ledger[e.Pass] = append(w.ledger[e.Pass], e)
	}
}

// visit returns the recorded visit id.
func (w *world) visit(id string) checkin.Visit {
	w.t.Helper()
	for _, v := range w.st.Recent {
		if v.ID == id {
			return v
		}
	}
	w.t.Fatalf("no visit %s", id)
	return checkin.Visit{}
}

func (w *world) checkIn(at time.Time, edit ...func(*checkin.CheckIn)) (checkin.Outcome, error) {
	w.t.Helper()
	req := checkin.CheckIn{Visit: w.id("v"), At: at}
	for _, e := range edit {
		e(&req)
	}
	return w.run(func() (checkin.Outcome, error) { return checkin.DecideCheckIn(w.st, req) })
}

func (w *world) mustCheckIn(at time.Time, edit ...func(*checkin.CheckIn)) checkin.Outcome {
	w.t.Helper()
	o, err := w.checkIn(at, edit...)
	require.NoError(w.t, err)
	w.checkLedger()
	return o
}

func (w *world) checkOut(id string, at time.Time) (checkin.Outcome, error) {
	w.t.Helper()
	v := w.visit(id)
	return w.run(func() (checkin.Outcome, error) { return checkin.DecideCheckOut(w.st, v, at, false) })
}

func (w *world) mustCheckOut(id string, at time.Time) checkin.Outcome {
	w.t.Helper()
	o, err := w.checkOut(id, at)
	require.NoError(w.t, err)
	w.checkLedger()
	return o
}

func (w *world) book(start, at time.Time, cost int) (checkin.Outcome, error) {
	w.t.Helper()
	req := checkin.Book{Visit: w.id("b"), Start: start, Cost: cost, At: at}
	return w.run(func() (checkin.Outcome, error) { return checkin.DecideBook(w.st, req) })
}

func (w *world) mustBook(start, at time.Time, cost int) checkin.Outcome {
	w.t.Helper()
	o, err := w.book(start, at, cost)
	require.NoError(w.t, err)
	w.checkLedger()
	return o
}

func (w *world) cancel(id string, req checkin.Cancel) (checkin.Outcome, error) {
	w.t.Helper()
	v := w.visit(id)
	return w.run(func() (checkin.Outcome, error) { return checkin.DecideCancel(w.st, v, req) })
}

func (w *world) attend(id string, req checkin.Attendance) (checkin.Outcome, error) {
	w.t.Helper()
	v := w.visit(id)
	return w.run(func() (checkin.Outcome, error) { return checkin.DecideAttendance(w.st, v, req) })
}

func (w *world) move(id, to string, at time.Time) (checkin.Outcome, error) {
	w.t.Helper()
	v := w.visit(id)
	return w.run(func() (checkin.Outcome, error) { return checkin.DecideMove(w.st, v, to, at) })
}

// checkLedger fails unless every pass's balance is between zero and its
// units and equals the sum of its ledger entries' Units, and every entry's
// Balance is the running sum.
func (w *world) checkLedger() {
	w.t.Helper()
	for _, p := range w.st.Passes {
		if p.Balance < 0 {
			w.t.Fatalf("pass %s: balance %d below zero", p.ID, p.Balance)
		}
		if p.Uses < 0 {
			w.t.Fatalf("pass %s: uses %d below zero", p.ID, p.Uses)
		}
		sum := 0
		for i, e := range w.ledger[p.ID] {
			sum += e.Units
			if e.Balance != sum {
				w.t.Fatalf("pass %s entry %d (%s %+d): balance after %d, running sum %d", p.ID, i, e.Type, e.Units, e.Balance, sum)
			}
		}
		if sum != p.Balance {
			w.t.Fatalf("pass %s: balance %d, ledger sum %d", p.ID, p.Balance, sum)
		}
		if err := p.Validate(); err != nil {
			w.t.Fatalf("pass %s: %v", p.ID, err)
		}
	}
}

// total returns the sum of a visit's PAYG charges.
func total(v checkin.Visit) money.Money {
	m := money.Zero("USD")
	for _, c := range v.Charges {
		m = m.Add(c.Amount)
	}
	return m
}
