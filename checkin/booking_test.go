package checkin_test

import (
	"testing"
	"time"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Rule B1: a booking consumes the class's cost from the first visits pass
// eligible on the class's service date; day and time passes do not pay
// for classes.
func TestRule_B1_BookingConsumesCost(t *testing.T) {
	w := ny(t)
	day := w.add("day", product(pass.Day, 5, "10"))
	tm := w.add("time", product(pass.Time, 600, "10"))
	pts := w.add("points", product(pass.Visits, 10, "300"))
	o := w.mustBook(w.at("2024-06-20 18:00"), w.at("2024-06-10 09:00"), 2)
	assert.Equal(t, checkin.Booking, o.Visit.Kind)
	assert.Equal(t, checkin.Booked, o.Visit.Status)
	assert.Equal(t, checkin.ByVisits, o.Visit.Mode)
	assert.Equal(t, "2024-06-20", o.Visit.Date.String(), "the service date is the class's")
	assert.Equal(t, "points", o.Visit.Pass)
	assert.Equal(t, 8, pts.Balance)
	assert.Equal(t, 5, day.Balance)
	assert.Equal(t, 600, tm.Balance)
	for _, c := range o.Selection.Candidates[1:] {
		assert.Equal(t, entitlement.KindNotUsable, c.Reason, "pass %s", c.PassID)
	}
	require.Len(t, o.Entries, 1)
	assert.True(t, o.Entries[0].At.Equal(w.at("2024-06-10 09:00")), "the entry is written when booked")

	// Too few points for a class of 9: refused, nothing consumed.
	_, err := w.book(w.at("2024-06-21 18:00"), w.at("2024-06-10 09:05"), 9)
	var re *entitlement.RefusalError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 8, pts.Balance)
}

// seed002World returns a world with seed 002's pass: 20 points for 7,600
// bought Oct 10 2024, activated on first use, valid 3 months, locked or
// not; its first class is booked for Oct 30.
func seed002World(t *testing.T, locked bool) (*world, *pass.Pass, checkin.Outcome) {
	t.Helper()
	w := ny(t)
	p := w.add("20pts", product(pass.Visits, 20, "7600", func(p *pass.Product) {
		p.Activation, p.Locked, p.Validity = pass.OnFirstUse, locked, calendar.Validity{Months: 3}
	}), func(s *pass.IssueSpec) { s.On = calendar.MustDate("2024-10-10") })
	require.False(t, p.Activated())
	first := w.mustBook(w.at("2024-10-30 18:00"), w.at("2024-10-12 10:00"), 1)
	return w, p, first
}

// Rule A2 (seed 002): the first booking activates the pass on the class
// date, and expiry counts from there.
func TestRule_A2_BookingActivatesOnClassDate(t *testing.T) {
	_, p, first := seed002World(t, false)
	assert.Equal(t, "2024-10-30", p.ActivatedOn.String())
	assert.Equal(t, "2025-01-30", p.ExpiresOn.String())
	assert.Equal(t, "20pts", first.Visit.Activated)
	assert.Equal(t, first.Visit.ID, p.ActivatedBy)
}

// Rule A4 (seed 002): not locked: bought Oct 10, first class Oct 30, a
// class on Oct 15 can still be booked.
func TestRule_A4_SeedClassOct15AllowedWhenNotLocked(t *testing.T) {
	w, p, _ := seed002World(t, false)
	o := w.mustBook(w.at("2024-10-15 18:00"), w.at("2024-10-13 10:00"), 1)
	assert.Equal(t, "20pts", o.Visit.Pass)
	assert.Equal(t, 18, p.Balance)
	assert.Equal(t, "2024-10-30", p.ActivatedOn.String(), "activation does not move")
}

// Rule A3 (seed 002): locked: the class on Oct 15 is before activation and
// refused with that reason.
func TestRule_A3_SeedClassOct15RefusedWhenLocked(t *testing.T) {
	w, p, _ := seed002World(t, true)
	_, err := w.book(w.at("2024-10-15 18:00"), w.at("2024-10-13 10:00"), 1)
	var re *entitlement.RefusalError
	require.ErrorAs(t, err, &re)
	require.Len(t, re.Candidates, 1)
	assert.Equal(t, entitlement.Early, re.Candidates[0].Reason)
	assert.Equal(t, pass.StatusEarly, p.StatusOn(calendar.MustDate("2024-10-15")))
	assert.Equal(t, 19, p.Balance, "nothing consumed")
	// Inside the window it books.
	w.mustBook(w.at("2025-01-30 18:00"), w.at("2024-10-13 10:00"), 1)
	_, err = w.book(w.at("2025-01-31 18:00"), w.at("2024-10-13 10:00"), 1)
	require.ErrorAs(t, err, &re)
	assert.Equal(t, entitlement.Expired, re.Candidates[0].Reason)
}

var window = 12 * time.Hour

// Rule B2: cancelled before the window, the units go back to the pass that
// paid (not to another one), linked to the booking.
func TestRule_B2_CancelReturnsToSamePass(t *testing.T) {
	w := ny(t)
	cheap := w.add("cheap", product(pass.Visits, 10, "100"))
	dear := w.add("dear", product(pass.Visits, 10, "200"))
	b := w.mustBook(w.at("2024-06-20 18:00"), w.at("2024-06-10 09:00"), 2)
	require.Equal(t, 8, cheap.Balance)
	// Another class is booked on the cheap pass meanwhile.
	w.mustBook(w.at("2024-06-21 18:00"), w.at("2024-06-11 09:00"), 1)
	require.Equal(t, 7, cheap.Balance)
	o, err := w.cancel(b.Visit.ID, checkin.Cancel{At: w.at("2024-06-19 18:00"), Window: window})
	require.NoError(t, err)
	w.checkLedger()
	assert.Equal(t, 9, cheap.Balance, "the 2 units are back on the pass that paid")
	assert.Equal(t, 10, dear.Balance)
	assert.Equal(t, checkin.Cancelled, o.Visit.Status)
	assert.False(t, o.Visit.LateCancel)
	assert.Equal(t, "holder", o.Visit.CancelledBy)
	assert.Empty(t, o.Visit.Consumptions, "the lineage is returned")
	require.Len(t, o.Entries, 1)
	assert.Equal(t, pass.EntryReturn, o.Entries[0].Type)
	assert.Equal(t, "cheap", o.Entries[0].Pass)
	assert.Equal(t, b.Visit.ID, o.Entries[0].Visit)
	assert.Equal(t, 2, o.Entries[0].Units)

	_, err = w.cancel(b.Visit.ID, checkin.Cancel{At: w.at("2024-06-19 19:00"), Window: window})
	require.ErrorIs(t, err, checkin.ErrNotBooked, "cancelled once")
	assert.Equal(t, 9, cheap.Balance)
}

// Rule B2 with E1: units go back to the pass that paid even if it has
// expired since; they then stay unusable.
func TestRule_B2_CancelReturnsToExpiredPass(t *testing.T) {
	w := ny(t)
	p := w.add("p", product(pass.Visits, 10, "100"), func(s *pass.IssueSpec) { s.ExpiresOn = calendar.MustDate("2024-06-20") })
	b := w.mustBook(w.at("2024-06-20 18:00"), w.at("2024-06-10 09:00"), 1)
	// The class is cancelled by the business two days later.
	o, err := w.cancel(b.Visit.ID, checkin.Cancel{At: w.at("2024-06-22 09:00"), Window: window, ByBusiness: true})
	require.NoError(t, err)
	w.checkLedger()
	assert.Equal(t, 10, p.Balance)
	assert.Equal(t, "business", o.Visit.CancelledBy)
	assert.False(t, o.Visit.LateCancel, "a cancel by the business is never late")
	assert.Equal(t, pass.StatusExpired, p.StatusOn(calendar.MustDate("2024-06-22")))
	_, err = w.book(w.at("2024-06-23 18:00"), w.at("2024-06-22 09:00"), 1)
	require.ErrorIs(t, err, entitlement.ErrNoEntitlement, "returned units stay unusable")
}

// Rule B2: inside the window a cancel is late and forfeits the units,
// unless the host refunds late cancels; the business is never late.
func TestRule_B2_LateCancel(t *testing.T) {
	tests := []struct {
		name        string
		req         checkin.Cancel
		late        bool
		wantBalance int
	}{
		{"late forfeits", checkin.Cancel{At: time.Date(2024, 6, 20, 16, 0, 0, 0, time.UTC)}, true, 9},
		{"a second inside the window", checkin.Cancel{At: time.Date(2024, 6, 20, 10, 0, 1, 0, time.UTC)}, true, 9},
		{"late refunded by policy", checkin.Cancel{At: time.Date(2024, 6, 20, 16, 0, 0, 0, time.UTC), RefundLate: true}, true, 10},
		{"business inside the window", checkin.Cancel{At: time.Date(2024, 6, 20, 16, 0, 0, 0, time.UTC), ByBusiness: true}, false, 10},
		{"business after the class", checkin.Cancel{At: time.Date(2024, 6, 21, 16, 0, 0, 0, time.UTC), ByBusiness: true}, false, 10},
		{"exactly at the window's start", checkin.Cancel{At: time.Date(2024, 6, 20, 10, 0, 0, 0, time.UTC)}, false, 10},
		{"before the window", checkin.Cancel{At: time.Date(2024, 6, 19, 22, 0, 0, 0, time.UTC)}, false, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := ny(t)
			p := w.add("p", product(pass.Visits, 10, "100"))
			// Class at 18:00 EDT = 22:00Z; the window opens 12 hours before, 10:00Z.
			b := w.mustBook(w.at("2024-06-20 18:00"), w.at("2024-06-10 09:00"), 1)
			req := tt.req
			req.Window = window
			o, err := w.cancel(b.Visit.ID, req)
			require.NoError(t, err)
			w.checkLedger()
			assert.Equal(t, tt.late, o.Visit.LateCancel)
			assert.Equal(t, tt.wantBalance, p.Balance)
			assert.Equal(t, checkin.Cancelled, o.Visit.Status)
			if tt.wantBalance == 9 {
				assert.Empty(t, o.Entries, "a forfeit writes no units")
				assert.NotEmpty(t, o.Visit.Consumptions, "the lineage stays: the units were spent on it")
			}
		})
	}
}

// Rule A5 (with B2): cancelling the booking that activated a first-use
// pass, with no other use, makes it inactive again; with another use it
// stays active.
func TestRule_A5_CancelReinactivates(t *testing.T) {
	w, p, first := seed002World(t, false)
	o, err := w.cancel(first.Visit.ID, checkin.Cancel{At: w.at("2024-10-20 10:00"), Window: window})
	require.NoError(t, err)
	assert.False(t, p.Activated(), "inactive again")
	assert.True(t, p.ExpiresOn.IsZero())
	assert.Empty(t, o.Visit.Activated)
	assert.Equal(t, 20, p.Balance)
	assert.Zero(t, p.Uses)
	require.Len(t, o.Passes, 1, "the pass is among the changed ones")

	// A new first booking activates on its own class date.
	second := w.mustBook(w.at("2024-11-05 18:00"), w.at("2024-10-21 10:00"), 1)
	assert.Equal(t, "2024-11-05", p.ActivatedOn.String())
	third := w.mustBook(w.at("2024-11-12 18:00"), w.at("2024-10-21 10:05"), 1)
	_, err = w.cancel(second.Visit.ID, checkin.Cancel{At: w.at("2024-10-22 10:00"), Window: window})
	require.NoError(t, err)
	assert.Equal(t, "2024-11-05", p.ActivatedOn.String(), "another use holds the pass: still active")
	_, err = w.cancel(third.Visit.ID, checkin.Cancel{At: w.at("2024-10-22 10:05"), Window: window})
	require.NoError(t, err)
	assert.True(t, p.Activated(), "the third booking did not activate the pass")
	w.checkLedger()
}

// Rule B3: attended or no-show is applied once; a no-show forfeits the
// units by default, and with a fee returns them and charges the fee.
func TestRule_B3_Attendance(t *testing.T) {
	w := ny(t)
	p := w.add("p", product(pass.Visits, 10, "100"))
	b1 := w.mustBook(w.at("2024-06-20 18:00"), w.at("2024-06-10 09:00"), 1)
	b2 := w.mustBook(w.at("2024-06-21 18:00"), w.at("2024-06-10 09:00"), 2)
	b3 := w.mustBook(w.at("2024-06-22 18:00"), w.at("2024-06-10 09:00"), 1)
	require.Equal(t, 6, p.Balance)

	o, err := w.attend(b1.Visit.ID, checkin.Attendance{Attended: true, At: w.at("2024-06-20 19:00")})
	require.NoError(t, err)
	assert.Equal(t, checkin.Attended, o.Visit.Status)
	assert.Empty(t, o.Entries)

	o, err = w.attend(b2.Visit.ID, checkin.Attendance{At: w.at("2024-06-21 19:00")})
	require.NoError(t, err)
	assert.Equal(t, checkin.NoShow, o.Visit.Status)
	assert.Empty(t, o.Entries, "forfeit: the units stay spent")
	assert.Nil(t, o.Visit.Fee)
	assert.Equal(t, 6, p.Balance)

	o, err = w.attend(b3.Visit.ID, checkin.Attendance{At: w.at("2024-06-22 19:00"), Fee: money.MustNew("5.555", "USD")})
	require.NoError(t, err)
	w.checkLedger()
	assert.Equal(t, checkin.NoShow, o.Visit.Status)
	assert.Equal(t, 7, p.Balance, "the fee returns the units")
	require.NotNil(t, o.Visit.Fee)
	assert.Equal(t, "5.56 USD", o.Visit.Fee.Amount.String(), "rounded half-up once")
	assert.Equal(t, "2024-06-22", o.Visit.Fee.Date.String())

	for _, id := range []string{b1.Visit.ID, b2.Visit.ID, b3.Visit.ID} {
		_, err = w.attend(id, checkin.Attendance{At: w.at("2024-06-23 09:00"), Fee: money.MustNew("5", "USD")})
		require.ErrorIs(t, err, checkin.ErrNotBooked, "applied once: %s", id)
		_, err = w.cancel(id, checkin.Cancel{At: w.at("2024-06-23 09:00"), ByBusiness: true})
		require.ErrorIs(t, err, checkin.ErrNotBooked, "a marked booking is not cancelled: %s", id)
	}
	assert.Equal(t, 7, p.Balance)
	w.checkLedger()
}

// Rule C11: staff move a visit to another eligible pass in one step: the
// first pass gets its units back and the second pays.
func TestRule_C11_Move(t *testing.T) {
	w := ny(t)
	a := w.add("a", product(pass.Day, 5, "50"))
	b := w.add("b", product(pass.Day, 5, "100"))
	pts := w.add("pts", product(pass.Visits, 10, "100"))
	in := w.mustCheckIn(w.at("2024-06-10 09:00"))
	require.Equal(t, "a", in.Visit.Pass)

	o, err := w.move(in.Visit.ID, "b", w.at("2024-06-10 10:00"))
	require.NoError(t, err)
	w.checkLedger()
	assert.Equal(t, 5, a.Balance)
	assert.Equal(t, 4, b.Balance)
	assert.Equal(t, "b", o.Visit.Pass)
	assert.Equal(t, checkin.ByDay, o.Visit.Mode)
	assert.Equal(t, []checkin.Consumption{{Pass: "b", Kind: pass.Day, Units: 1}}, o.Visit.Consumptions)
	require.Len(t, o.Entries, 2)
	assert.Equal(t, pass.EntryReturn, o.Entries[0].Type)
	assert.Equal(t, "a", o.Entries[0].Pass)
	assert.Equal(t, pass.EntryUse, o.Entries[1].Type)
	assert.Equal(t, "b", o.Entries[1].Pass)
	for _, e := range o.Entries {
		assert.Equal(t, in.Visit.ID, e.Visit)
	}

	// A day visit moves onto a visits pass at the visit's cost.
	o, err = w.move(in.Visit.ID, "pts", w.at("2024-06-10 10:05"))
	require.NoError(t, err)
	assert.Equal(t, checkin.ByVisits, o.Visit.Mode)
	assert.Equal(t, 9, pts.Balance)
	assert.Equal(t, 5, b.Balance)
	w.checkLedger()
}

// Rule C11: a move onto a pass not eligible for the visit is refused with
// its reason and changes nothing; time and PAYG visits, covered visits and
// cancelled bookings do not move.
func TestRule_C11_MoveRefused(t *testing.T) {
	w := ny(t)
	a := w.add("a", product(pass.Day, 5, "50"))
	w.add("expired", product(pass.Day, 5, "100"), func(s *pass.IssueSpec) { s.ExpiresOn = calendar.MustDate("2024-06-05") })
	w.add("time", product(pass.Time, 600, "100"))
	in := w.mustCheckIn(w.at("2024-06-10 09:00"))

	_, err := w.move(in.Visit.ID, "expired", w.at("2024-06-10 10:00"))
	var re *entitlement.RefusalError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, entitlement.Expired, re.Candidates[0].Reason)
	_, err = w.move(in.Visit.ID, "time", w.at("2024-06-10 10:00"))
	require.ErrorAs(t, err, &re)
	assert.Equal(t, entitlement.KindNotUsable, re.Candidates[0].Reason)
	assert.Equal(t, 4, a.Balance, "nothing changed")
	w.checkLedger()

	w.mustCheckOut(in.Visit.ID, w.at("2024-06-10 12:00"))
	covered := w.mustCheckIn(w.at("2024-06-10 13:00"))
	require.NotEmpty(t, covered.Visit.CoveredBy)
	_, err = w.move(covered.Visit.ID, "a", w.at("2024-06-10 13:05"))
	require.ErrorIs(t, err, checkin.ErrNotMovable, "a covered visit consumed nothing")

	tw := ny(t)
	tw.add("time", product(pass.Time, 600, "100"))
	tin := tw.mustCheckIn(tw.at("2024-06-10 09:00"))
	require.Equal(t, checkin.ByTime, tin.Visit.Mode)
	tw.add("day", product(pass.Day, 5, "100"))
	_, err = tw.move(tin.Visit.ID, "day", tw.at("2024-06-10 10:00"))
	require.ErrorIs(t, err, checkin.ErrNotMovable, "a time visit is not moved")

	pw := ny(t)
	pw.st.PAYG = []billing.PAYG{seedPAYG()}
	pin := pw.mustCheckIn(pw.at("2024-06-10 09:00"))
	require.Equal(t, checkin.ByPAYG, pin.Visit.Mode)
	pw.add("day", product(pass.Day, 5, "100"))
	_, err = pw.move(pin.Visit.ID, "day", pw.at("2024-06-10 10:00"))
	require.ErrorIs(t, err, checkin.ErrNotMovable, "a PAYG visit is not moved")

	bw := ny(t)
	bw.add("pts", product(pass.Visits, 10, "100"))
	bw.add("pts2", product(pass.Visits, 10, "200"))
	bw.add("day", product(pass.Day, 10, "10"))
	bk := bw.mustBook(bw.at("2024-06-20 18:00"), bw.at("2024-06-10 09:00"), 1)
	_, err = bw.move(bk.Visit.ID, "day", bw.at("2024-06-10 10:00"))
	require.ErrorAs(t, err, &re)
	assert.Equal(t, entitlement.KindNotUsable, re.Candidates[0].Reason, "a class is paid by points")
	o, err := bw.move(bk.Visit.ID, "pts2", bw.at("2024-06-10 10:00"))
	require.NoError(t, err)
	assert.Equal(t, "pts2", o.Visit.Pass)
	_, err = bw.cancel(bk.Visit.ID, checkin.Cancel{At: bw.at("2024-06-11 09:00"), Window: window})
	require.NoError(t, err)
	_, err = bw.move(bk.Visit.ID, "pts", bw.at("2024-06-11 10:00"))
	require.ErrorIs(t, err, checkin.ErrNotMovable, "a cancelled booking does not move")
	bw.checkLedger()
}

// Rule C11 (README: choices made): moving a visit onto a pass that
// activates on first use does not activate it.
func TestRule_C11_MoveDoesNotActivate(t *testing.T) {
	w := ny(t)
	w.add("a", product(pass.Visits, 5, "50"))
	fu := w.add("fu", product(pass.Visits, 5, "100", func(p *pass.Product) {
		p.Activation, p.Validity = pass.OnFirstUse, calendar.Validity{Days: 30}
	}))
	in := w.mustCheckIn(w.at("2024-06-10 09:00"))
	require.Equal(t, "a", in.Visit.Pass)
	_, err := w.move(in.Visit.ID, "fu", w.at("2024-06-20 10:00"))
	require.NoError(t, err)
	assert.False(t, fu.Activated(), "a staff correction never starts a validity in the past")
	assert.Equal(t, 4, fu.Balance)
	w.checkLedger()
}
