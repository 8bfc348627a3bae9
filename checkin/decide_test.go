package checkin_test

import (
	"testing"
	"time"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Rule C1: a holder with an open visit at the location who checks in there
// again gets "already checked in" with that visit, and nothing is consumed.
func TestRule_C1_AlreadyCheckedIn(t *testing.T) {
	w := ny(t)
	p := w.add("day", product(pass.Day, 5, "125"))
	first := w.mustCheckIn(w.at("2024-06-10 09:00"))
	_, err := w.checkIn(w.at("2024-06-10 09:01"))
	var ae *checkin.AlreadyCheckedInError
	require.ErrorAs(t, err, &ae)
	require.ErrorIs(t, err, checkin.ErrAlreadyCheckedIn)
	assert.Equal(t, first.Visit.ID, ae.Visit.ID, "the error carries the open visit")
	assert.Contains(t, err.Error(), first.Visit.ID)
	assert.Equal(t, 4, p.Balance, "nothing consumed by the refused check-in")
	w.checkLedger()

	// An open visit at another location does not refuse.
	w.st.Open[0].Location = "uptown"
	w.mustCheckIn(w.at("2024-06-10 09:02"))
}

// Rule C2 (seed 001): in at 9:00, out at 13:00, in again at 14:00: one day
// pass. The second check-in consumes nothing and names the covering visit.
func TestRule_C2_SeedOneDayPass(t *testing.T) {
	w := ny(t)
	p := w.add("day", product(pass.Day, 5, "125"))
	in1 := w.mustCheckIn(w.at("2024-06-10 09:00"))
	require.Equal(t, checkin.ByDay, in1.Visit.Mode)
	require.Equal(t, 4, p.Balance)
	out1 := w.mustCheckOut(in1.Visit.ID, w.at("2024-06-10 13:00"))
	assert.Empty(t, out1.Entries, "a day visit's check-out consumes nothing")

	in2 := w.mustCheckIn(w.at("2024-06-10 14:00"))
	assert.Equal(t, checkin.ByDay, in2.Visit.Mode)
	assert.Equal(t, "day", in2.Visit.Pass)
	assert.Equal(t, in1.Visit.ID, in2.Visit.CoveredBy)
	assert.Empty(t, in2.Visit.Consumptions)
	assert.Empty(t, in2.Entries)
	assert.Equal(t, 4, p.Balance, "one day pass for the day")
	require.NotNil(t, in2.Selection.Chosen())
	assert.Equal(t, "day", in2.Selection.Chosen().PassID)

	// The next day takes a new unit.
	w.mustCheckOut(in2.Visit.ID, w.at("2024-06-10 18:00"))
	in3 := w.mustCheckIn(w.at("2024-06-11 09:00"))
	assert.Empty(t, in3.Visit.CoveredBy)
	assert.Equal(t, 3, p.Balance)
}

// Rule C2: the covering pass goes first even when another pass would come
// first in the consumption order, and the selection says day_coverage.
func TestRule_C2_CoverageBeatsOrder(t *testing.T) {
	w := ny(t)
	dear := w.add("dear", product(pass.Day, 5, "500"))
	in1 := w.mustCheckIn(w.at("2024-06-10 09:00"))
	require.Equal(t, "dear", in1.Visit.Pass)
	w.mustCheckOut(in1.Visit.ID, w.at("2024-06-10 10:00"))
	cheap := w.add("cheap", product(pass.Day, 5, "50"))
	in2 := w.mustCheckIn(w.at("2024-06-10 11:00"))
	assert.Equal(t, "dear", in2.Visit.Pass)
	assert.Equal(t, 4, dear.Balance)
	assert.Equal(t, 5, cheap.Balance)
	require.Len(t, in2.Selection.Candidates, 2)
	assert.Equal(t, "dear", in2.Selection.Candidates[0].PassID)
	assert.Equal(t, entitlement.Outranked, in2.Selection.Candidates[1].Reason)
	assert.Equal(t, "day_coverage", in2.Selection.DecidedBy)
}

// Rule C2: a unit that covers the date is reused only if its pass is valid
// at this location; otherwise a unit of the first candidate is consumed.
func TestRule_C2_CoverageNeedsValidAtLocation(t *testing.T) {
	w := ny(t)
	uptown := w.add("uptown-only", product(pass.Day, 5, "50", func(p *pass.Product) { p.Locations = []string{"uptown"} }))
	wide := w.add("wide", product(pass.Day, 5, "125"))
	d := calendar.MustDate("2024-06-10")
	w.st.Recent = append(w.st.Recent, checkin.Visit{Network: "hub", ID: "v-uptown", Holder: "ada", Location: "uptown",
		Kind: checkin.CheckInVisit, Mode: checkin.ByDay, Status: checkin.Closed, Date: d, Pass: uptown.ID,
		Consumptions: []checkin.Consumption{{Pass: uptown.ID, Kind: pass.Day, Units: 1}}})
	in := w.mustCheckIn(w.at("2024-06-10 15:00"))
	assert.Empty(t, in.Visit.CoveredBy)
	assert.Equal(t, "wide", in.Visit.Pass)
	assert.Equal(t, 4, wide.Balance)
}

// Rule C3: each check-in on a visits pass consumes the visit's cost
// (default 1).
func TestRule_C3_VisitsConsumeCost(t *testing.T) {
	w := ny(t)
	p := w.add("ten", product(pass.Visits, 10, "100"))
	in := w.mustCheckIn(w.at("2024-06-10 09:00"))
	assert.Equal(t, checkin.ByVisits, in.Visit.Mode)
	assert.Equal(t, 9, p.Balance)
	assert.Equal(t, 1, in.Visit.Cost)
	w.mustCheckOut(in.Visit.ID, w.at("2024-06-10 10:00"))
	in = w.mustCheckIn(w.at("2024-06-10 11:00"), func(r *checkin.CheckIn) { r.Cost = 3 })
	assert.Equal(t, 6, p.Balance)
	assert.Equal(t, []checkin.Consumption{{Pass: "ten", Kind: pass.Visits, Units: 3}}, in.Visit.Consumptions)
	w.mustCheckOut(in.Visit.ID, w.at("2024-06-10 12:00"))

	// A second check-in on the same date consumes again (no day coverage).
	in = w.mustCheckIn(w.at("2024-06-10 13:00"))
	assert.Equal(t, 5, p.Balance)
}

// Rule C4 (seed 001): a time pass of 8 hours used 2 hours on Monday, 1 on
// Wednesday and 5 on Thursday; check-in deducts nothing, check-out the
// elapsed minutes.
func TestRule_C4_SeedEightHoursOverThreeDays(t *testing.T) {
	w := ny(t)
	p := w.add("8h", product(pass.Time, 480, "50"))
	sessions := []struct {
		in, out string
		left    int
	}{
		{"2024-06-10 09:00", "2024-06-10 11:00", 360},
		{"2024-06-12 14:00", "2024-06-12 15:00", 300},
		{"2024-06-13 09:00", "2024-06-13 14:00", 0},
	}
	for _, s := range sessions {
		in := w.mustCheckIn(w.at(s.in))
		assert.Equal(t, checkin.ByTime, in.Visit.Mode)
		assert.Empty(t, in.Entries, "check-in deducts nothing")
		out := w.mustCheckOut(in.Visit.ID, w.at(s.out))
		assert.Equal(t, s.left, p.Balance, "after %s", s.out)
		assert.Zero(t, out.Visit.UncoveredMinutes)
		require.Len(t, out.Entries, 1)
		assert.Equal(t, in.Visit.ID, out.Entries[0].Visit)
	}
	// Used up: the next check-in is refused with the pass's reason.
	_, err := w.checkIn(w.at("2024-06-14 09:00"))
	var re *entitlement.RefusalError
	require.ErrorAs(t, err, &re)
	require.Len(t, re.Candidates, 1)
	assert.Equal(t, entitlement.NoBalance, re.Candidates[0].Reason)
}

// Rule C4: check-out drains time passes in consumption order (more minutes
// first), one before the next; the rest is uncovered minutes, or PAYG when a
// PAYG product applies; no balance goes below zero.
func TestRule_C4_DrainThenOverflow(t *testing.T) {
	for _, withPAYG := range []bool{false, true} {
		w := ny(t)
		short := w.add("30m", product(pass.Time, 30, "5"))
		long := w.add("60m", product(pass.Time, 60, "10"))
		if withPAYG {
			w.st.PAYG = []billing.PAYG{seedPAYG()}
		}
		in := w.mustCheckIn(w.at("2024-06-10 09:00"))
		assert.Equal(t, "60m", in.Visit.Pass, "O5: more remaining minutes first")
		out := w.mustCheckOut(in.Visit.ID, w.at("2024-06-10 10:40"))
		assert.Equal(t, []checkin.Consumption{{Pass: "60m", Kind: pass.Time, Units: 60}, {Pass: "30m", Kind: pass.Time, Units: 30}},
			out.Visit.Consumptions)
		assert.Zero(t, long.Balance)
		assert.Zero(t, short.Balance)
		if !withPAYG {
			assert.Equal(t, 10, out.Visit.UncoveredMinutes)
			assert.Empty(t, out.Visit.Charges)
			continue
		}
		assert.Zero(t, out.Visit.UncoveredMinutes)
		assert.Equal(t, "payg", out.Visit.PAYG)
		require.Len(t, out.Visit.Charges, 1)
		assert.Equal(t, 10, out.Visit.Charges[0].Minutes, "the 10 minutes after 90 were used")
		assert.Equal(t, "2.50 USD", out.Visit.Charges[0].Amount.String(), "one increment at $10 an hour")
	}
}

// Rule C4: partial minutes round up to whole minutes; a time pass with
// one minute left admits and then drains to zero.
func TestRule_C4_MinutesRoundUp(t *testing.T) {
	w := ny(t)
	p := w.add("t", product(pass.Time, 100, "5"))
	in := w.mustCheckIn(w.at("2024-06-10 09:00"))
	w.mustCheckOut(in.Visit.ID, w.at("2024-06-10 09:00").Add(10*time.Minute+time.Second))
	assert.Equal(t, 89, p.Balance, "10m01s is 11 minutes")

	require.NoError(t, p.Spend(88))
	w.ledger["t"] = append(w.ledger["t"], pass.Entry{Pass: "t", Type: pass.EntryAdjust, Units: -88, Balance: 1})
	in = w.mustCheckIn(w.at("2024-06-10 11:00"))
	assert.Equal(t, checkin.ByTime, in.Visit.Mode, "one minute admits")
	out := w.mustCheckOut(in.Visit.ID, w.at("2024-06-10 12:00"))
	assert.Zero(t, p.Balance)
	assert.Equal(t, 59, out.Visit.UncoveredMinutes)
}

// Rule C5 (seed 001): with no pass, the visit opens as PAYG on the
// cheapest product for the holder's audience; $10 an hour for members, $15
// for contacts, $100 a day cap counting the day's earlier sessions.
func TestRule_C5_PAYGSeed(t *testing.T) {
	w := ny(t)
	dearer := seedPAYG()
	dearer.ID, dearer.Prices = "dearer", []billing.Price{{Hourly: money.MustNew("20", "USD")}}
	w.st.PAYG = []billing.PAYG{dearer, seedPAYG()}

	in := w.mustCheckIn(w.at("2024-06-10 09:00"))
	assert.Equal(t, checkin.ByPAYG, in.Visit.Mode)
	assert.Equal(t, "payg", in.Visit.PAYG)
	out := w.mustCheckOut(in.Visit.ID, w.at("2024-06-10 13:00"))
	assert.Equal(t, "40.00 USD", total(out.Visit).String(), "member, 4 hours")

	in = w.mustCheckIn(w.at("2024-06-10 14:00"))
	out = w.mustCheckOut(in.Visit.ID, w.at("2024-06-10 23:00"))
	assert.Equal(t, "60.00 USD", total(out.Visit).String(), "9 hours ($90) capped at what is left of $100")
	assert.True(t, out.Visit.Charges[0].Capped)

	in = w.mustCheckIn(w.at("2024-06-10 23:10"))
	out = w.mustCheckOut(in.Visit.ID, w.at("2024-06-10 23:40"))
	assert.Equal(t, "0.00 USD", total(out.Visit).String(), "cap reached")

	in = w.mustCheckIn(w.at("2024-06-11 09:00"))
	out = w.mustCheckOut(in.Visit.ID, w.at("2024-06-11 10:00"))
	assert.Equal(t, "10.00 USD", total(out.Visit).String(), "a new day, a new cap")

	c := ny(t)
	c.st.Holder.Audience = catalog.Contact
	c.st.PAYG = []billing.PAYG{seedPAYG()}
	in = c.mustCheckIn(c.at("2024-06-10 09:00"))
	out = c.mustCheckOut(in.Visit.ID, c.at("2024-06-10 13:00"))
	assert.Equal(t, "60.00 USD", total(out.Visit).String(), "contact, 4 hours at $15")
}

// Rule C5 (seed 001): a PAYG product of $50 for 8 hours charges $25 for 4.
func TestRule_C5_Seed50For8Hours(t *testing.T) {
	w := ny(t)
	w.st.PAYG = []billing.PAYG{{Network: "hub", ID: "payg-50", Prices: []billing.Price{{Hourly: money.MustNew("6.25", "USD")}}}}
	in := w.mustCheckIn(w.at("2024-06-10 09:00"))
	out := w.mustCheckOut(in.Visit.ID, w.at("2024-06-10 13:00"))
	assert.Equal(t, "25.00 USD", total(out.Visit).String())
}

// Rule C5: a pass comes before PAYG; without either, the check-in is
// refused with each pass's reason (G7).
func TestRule_C5_PassBeforePAYGAndRefusal(t *testing.T) {
	w := ny(t)
	w.st.PAYG = []billing.PAYG{seedPAYG()}
	w.add("day", product(pass.Day, 1, "25"))
	in := w.mustCheckIn(w.at("2024-06-10 09:00"))
	assert.Equal(t, checkin.ByDay, in.Visit.Mode)

	r := ny(t)
	r.add("bobs", product(pass.Day, 1, "25"), func(s *pass.IssueSpec) { s.Holder = "bob" })
	r.add("expired", product(pass.Day, 1, "25"), func(s *pass.IssueSpec) { s.ExpiresOn = calendar.MustDate("2024-06-05") })
	_, err := r.checkIn(r.at("2024-06-10 09:00"))
	require.ErrorIs(t, err, entitlement.ErrNoEntitlement)
	var re *entitlement.RefusalError
	require.ErrorAs(t, err, &re)
	reasons := map[string]entitlement.Reason{}
	for _, c := range re.Candidates {
		reasons[c.PassID] = c.Reason
	}
	assert.Equal(t, map[string]entitlement.Reason{"bobs": entitlement.NotHolders, "expired": entitlement.Expired}, reasons)
	assert.Empty(t, r.st.Open, "nothing opened")
}

// Rule C6: a day unit covers the visit it was consumed for until its
// check-out, even past midnight; the next day's check-in takes a new unit.
func TestRule_C6_DayUnitCoversVisitPastMidnight(t *testing.T) {
	w := ny(t)
	p := w.add("day", product(pass.Day, 5, "125"))
	in := w.mustCheckIn(w.at("2024-06-10 22:00"))
	require.Equal(t, 4, p.Balance)
	out := w.mustCheckOut(in.Visit.ID, w.at("2024-06-11 01:30"))
	assert.Empty(t, out.Entries)
	assert.Equal(t, 4, p.Balance)
	assert.Equal(t, "2024-06-10", out.Visit.Date.String(), "the service date is the check-in's")
	in = w.mustCheckIn(w.at("2024-06-11 09:00"))
	assert.Empty(t, in.Visit.CoveredBy)
	assert.Equal(t, 3, p.Balance)
}

// Rule C6: PAYG minutes across local midnight count to the date they fall
// in, and each date's cap applies to its own minutes.
func TestRule_C6_PAYGAcrossMidnight(t *testing.T) {
	w := ny(t)
	w.st.PAYG = []billing.PAYG{seedPAYG()}
	in := w.mustCheckIn(w.at("2024-06-10 08:00"))
	w.mustCheckOut(in.Visit.ID, w.at("2024-06-10 17:30")) // $95
	in = w.mustCheckIn(w.at("2024-06-10 22:00"))
	out := w.mustCheckOut(in.Visit.ID, w.at("2024-06-11 02:00"))
	require.Len(t, out.Visit.Charges, 2)
	assert.Equal(t, "2024-06-10", out.Visit.Charges[0].Date.String())
	assert.Equal(t, "5.00 USD", out.Visit.Charges[0].Amount.String(), "what is left of Jun 10's cap")
	assert.True(t, out.Visit.Charges[0].Capped)
	assert.Equal(t, 120, out.Visit.Charges[0].Minutes)
	assert.Equal(t, "2024-06-11", out.Visit.Charges[1].Date.String())
	assert.Equal(t, "20.00 USD", out.Visit.Charges[1].Amount.String())

	// Jun 11's cap counts the 20.00 already charged to it.
	in = w.mustCheckIn(w.at("2024-06-11 09:00"))
	out = w.mustCheckOut(in.Visit.ID, w.at("2024-06-11 19:00"))
	assert.Equal(t, "80.00 USD", total(out.Visit).String())
}

// Rule C6 with T4: with a 03:00 cut-off the split is at 03:00, and a
// check-in at 02:00 belongs to the previous business day.
func TestRule_C6_PAYGAcrossCutoff(t *testing.T) {
	w := newWorld(t, "Europe/London", 3*time.Hour)
	w.st.PAYG = []billing.PAYG{seedPAYG()}
	in := w.mustCheckIn(w.at("2024-06-11 02:00"))
	assert.Equal(t, "2024-06-10", in.Visit.Date.String())
	out := w.mustCheckOut(in.Visit.ID, w.at("2024-06-11 04:00"))
	require.Len(t, out.Visit.Charges, 2)
	assert.Equal(t, "2024-06-10", out.Visit.Charges[0].Date.String())
	assert.Equal(t, "10.00 USD", out.Visit.Charges[0].Amount.String())
	assert.Equal(t, "2024-06-11", out.Visit.Charges[1].Date.String())
	assert.Equal(t, "10.00 USD", out.Visit.Charges[1].Amount.String())
}

// Rule C6: a time visit on the New York autumn DST day is billed for the
// elapsed 3 hours between 00:30 EDT and 02:30 EST.
func TestRule_C6_TimeOnDSTDay(t *testing.T) {
	w := ny(t)
	p := w.add("t", product(pass.Time, 600, "50"))
	in := w.mustCheckIn(time.Date(2024, time.November, 3, 0, 30, 0, 0, w.st.Zone.Loc))
	w.mustCheckOut(in.Visit.ID, time.Date(2024, time.November, 3, 2, 30, 0, 0, w.st.Zone.Loc))
	assert.Equal(t, 420, p.Balance, "180 minutes elapsed")
}

// Rule C7: a check-out before the check-in names "at"; a visit that is not
// open is refused with ErrNotOpen; neither changes anything.
func TestRule_C7_BadCheckOut(t *testing.T) {
	w := ny(t)
	p := w.add("t", product(pass.Time, 600, "50"))
	in := w.mustCheckIn(w.at("2024-06-10 09:00"))
	_, err := w.checkOut(in.Visit.ID, w.at("2024-06-10 08:59"))
	var fe *field.Error
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "at", fe.Name)
	assert.Len(t, w.st.Open, 1, "still open")
	assert.Equal(t, 600, p.Balance)

	out := w.mustCheckOut(in.Visit.ID, w.at("2024-06-10 09:00"))
	assert.Equal(t, 0, out.Visit.Minutes(), "a zero-length visit is fine")
	_, err = w.checkOut(in.Visit.ID, w.at("2024-06-10 10:00"))
	require.ErrorIs(t, err, checkin.ErrNotOpen)

	b := ny(t)
	b.add("ten", product(pass.Visits, 10, "100"))
	bk := b.mustBook(b.at("2024-06-12 18:00"), b.at("2024-06-10 09:00"), 1)
	_, err = b.checkOut(bk.Visit.ID, b.at("2024-06-12 19:00"))
	require.ErrorIs(t, err, checkin.ErrNotOpen, "a booking is not checked out")
}

// Rule C8: a visit left open past the host's maximum is closed at check-in
// + max, marked as closed automatically, when the holder checks in again;
// a younger one still refuses the check-in.
func TestRule_C8_StaleVisitClosed(t *testing.T) {
	w := ny(t)
	p := w.add("t", product(pass.Time, 1000, "50"))
	w.st.MaxOpen = 12 * time.Hour
	in := w.mustCheckIn(w.at("2024-06-10 08:00"))
	_, err := w.checkIn(w.at("2024-06-10 19:59"))
	require.ErrorIs(t, err, checkin.ErrAlreadyCheckedIn)

	again := w.mustCheckIn(w.at("2024-06-10 21:00"))
	require.Len(t, again.Closed, 1)
	closed := again.Closed[0]
	assert.Equal(t, in.Visit.ID, closed.ID)
	assert.True(t, closed.AutoClosed)
	assert.Equal(t, checkin.Closed, closed.Status)
	require.NotNil(t, closed.End)
	assert.True(t, closed.End.Equal(w.at("2024-06-10 20:00")), "closed at start + max, got %s", closed.End)
	assert.Equal(t, 1000-720, p.Balance, "12 hours deducted")
	assert.True(t, again.Visit.IsOpen())
	assert.Len(t, w.st.Open, 1)

	// The sweep's own check-out is marked too.
	out, err := w.run(func() (checkin.Outcome, error) {
		return checkin.DecideCheckOut(w.st, w.visit(again.Visit.ID), w.at("2024-06-11 09:00"), true)
	})
	require.NoError(t, err)
	assert.True(t, out.Visit.AutoClosed)
	w.checkLedger()
}

// Rule C9: every consumption names the pass that paid; every entry links
// the visit, the pass and the balance after; the outcome lists the changed
// passes and the ranked candidates.
func TestRule_C9_Lineage(t *testing.T) {
	w := ny(t)
	cheap := w.add("cheap", product(pass.Visits, 10, "50"))
	w.add("dear", product(pass.Visits, 10, "150"))
	in := w.mustCheckIn(w.at("2024-06-10 09:00"), func(r *checkin.CheckIn) { r.Cost = 2 })
	assert.Equal(t, "cheap", in.Visit.Pass)
	assert.Equal(t, []checkin.Consumption{{Pass: "cheap", Kind: pass.Visits, Units: 2}}, in.Visit.Consumptions)
	require.Len(t, in.Entries, 1)
	e := in.Entries[0]
	assert.Equal(t, pass.Entry{Network: "hub", Pass: "cheap", Holder: "ada", Visit: in.Visit.ID,
		At: w.at("2024-06-10 09:00"), Type: pass.EntryUse, Units: -2, Balance: 8}, e)
	require.Len(t, in.Passes, 1)
	assert.Equal(t, *cheap, *in.Passes[0], "the outcome's pass is cheap in its new state (the world wrote it back)")
	assert.Equal(t, 8, in.Passes[0].Balance)
	assert.Equal(t, []string{"cheap", "dear"}, []string{in.Selection.Candidates[0].PassID, in.Selection.Candidates[1].PassID})
	assert.Equal(t, "unit_value", in.Selection.DecidedBy)
	assert.Equal(t, "hub", in.Visit.Network)
	assert.Equal(t, "downtown", in.Visit.Location)
	assert.Equal(t, time.UTC, in.Visit.Start.Location())
}

// Rule A2 via check-in: a pass that activates on first use activates on
// the check-in's business day, and the visit names it.
func TestRule_A2_CheckInActivates(t *testing.T) {
	w := newWorld(t, "America/New_York", 3*time.Hour)
	p := w.add("fu", product(pass.Visits, 10, "100", func(p *pass.Product) {
		p.Activation, p.Validity = pass.OnFirstUse, calendar.Validity{Months: 1}
	}))
	in := w.mustCheckIn(w.at("2024-01-31 02:00"))
	assert.Equal(t, "2024-01-30", p.ActivatedOn.String(), "02:00 is the business day of Jan 30")
	assert.Equal(t, "2024-02-29", p.ExpiresOn.String())
	assert.Equal(t, "fu", in.Visit.Activated)
}

// Rule T5 (PITFALLS: a date read as UTC midnight ends a pass early west of
// UTC): a pass that expires on May 31 admits at 23:30 on May 31 in New
// York (03:30 UTC on Jun 1) and refuses at 00:00 on Jun 1.
func TestRule_T5_ExpiryIsEndOfDayAtLocation(t *testing.T) {
	w := ny(t)
	p := w.add("day", product(pass.Day, 5, "125"), func(s *pass.IssueSpec) {
		s.On, s.ExpiresOn = calendar.MustDate("2024-05-01"), calendar.MustDate("2024-05-31")
	})
	in := w.mustCheckIn(w.at("2024-05-31 23:30"))
	assert.Equal(t, "day", in.Visit.Pass)
	assert.Equal(t, 4, p.Balance)
	w.mustCheckOut(in.Visit.ID, w.at("2024-05-31 23:45"))
	_, err := w.checkIn(w.at("2024-06-01 00:00"))
	var re *entitlement.RefusalError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, entitlement.Expired, re.Candidates[0].Reason)
}

// Rule C4 with T5 (README: choices made): time passes are checked at
// check-out for the visit's service date, so a pass valid at check-in
// covers the visit even when it expires during it.
func TestRule_C4_TimePassExpiringDuringVisit(t *testing.T) {
	w := ny(t)
	p := w.add("t", product(pass.Time, 600, "50"), func(s *pass.IssueSpec) { s.ExpiresOn = calendar.MustDate("2024-06-10") })
	in := w.mustCheckIn(w.at("2024-06-10 22:00"))
	out := w.mustCheckOut(in.Visit.ID, w.at("2024-06-11 02:00"))
	assert.Equal(t, 360, p.Balance, "240 minutes deducted")
	assert.Zero(t, out.Visit.UncoveredMinutes)
}

// Rule S3: a pass cannot pay for a check-in made before it was issued (a
// door's backdated entry); the refusal names the reason.
func TestRule_S3_PassIssuedAfterTheCheckIn(t *testing.T) {
	w := ny(t)
	w.add("late", product(pass.Day, 5, "125"), func(s *pass.IssueSpec) { s.At = w.at("2024-06-10 09:05") })
	_, err := w.checkIn(w.at("2024-06-10 09:00"))
	var re *entitlement.RefusalError
	require.ErrorAs(t, err, &re)
	require.Len(t, re.Candidates, 1)
	assert.Equal(t, entitlement.NotYetIssued, re.Candidates[0].Reason)
	in := w.mustCheckIn(w.at("2024-06-10 09:05"))
	assert.Equal(t, "late", in.Visit.Pass, "issued at that instant, it pays")
}

// Rule C8, S3: a check-out later than the visit's start plus the maximum
// closes it at that instant, marked automatic, and charges no more: a
// PAYG visit left open for years is charged one maximum's worth.
func TestRule_C8_CheckOutNeverCountsPastTheMaximum(t *testing.T) {
	w := ny(t)
	w.st.PAYG = []billing.PAYG{seedPAYG()}
	w.st.MaxOpen = 24 * time.Hour
	in := w.mustCheckIn(w.at("2024-06-10 09:00"))
	out := w.mustCheckOut(in.Visit.ID, w.at("2054-06-10 09:00"))
	require.NotNil(t, out.Visit.End)
	assert.True(t, out.Visit.End.Equal(w.at("2024-06-11 09:00")), "end: got %s", out.Visit.End)
	assert.True(t, out.Visit.AutoClosed)
	total := money.Zero("USD")
	for _, c := range out.Visit.Charges {
		total = total.Add(c.Amount)
	}
	assert.Equal(t, "190.00 USD", total.String(), "15 hours on Jun 10 capped at 100, then 9 hours on Jun 11")
}
