package checkin_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/entitlement/enttest"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"pgregory.net/rapid"
)

// ids returns the IDs of the recorded visits that match keep.
func (w *world) ids(keep func(checkin.Visit) bool) []string {
	var out []string
	for _, v := range w.st.Recent {
		if keep(v) {
			out = append(out, v.ID)
		}
	}
	return out
}

// checkLineage fails unless each pass's spent units (granted minus
// balance) are exactly the units the recorded visits say it paid, and its
// Uses count the visits' consumptions of it (C9, B2, C11).
func (w *world) checkLineage(t *rapid.T) {
	for _, p := range w.st.Passes {
		spent, uses := 0, 0
		for _, v := range w.st.Recent {
			for _, c := range v.Consumptions {
				if c.Pass == p.ID {
					spent += c.Units
					uses++
				}
			}
		}
		if p.Units-p.Balance != spent {
			t.Fatalf("pass %s: %d of %d units spent, visits record %d", p.ID, p.Units-p.Balance, p.Units, spent)
		}
		if p.Uses != uses {
			t.Fatalf("pass %s: Uses %d, visits record %d consumptions", p.ID, p.Uses, uses)
		}
		if p.Activation == pass.OnFirstUse && p.Activated() && p.ActivatedBy == "" {
			t.Fatalf("pass %s activated by nothing", p.ID)
		}
	}
}

// Rules C4, E4, C9, T6: over any sequence of check-ins, check-outs,
// bookings, cancels, attendance marks and moves applied to a holder's state
// at a location in a zone with DST transitions (the clock starting near
// one), no balance goes below zero, each pass's balance equals the sum of its
// ledger entries, and the visits' lineage accounts for every unit spent.
func TestRule_C9_BalancesMatchLedgerOverAnySequence(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		z := enttest.GenZone().Draw(t, "zone")
		w := newWorld(t, z.Loc.String(), z.Cutoff)
		clock := enttest.GenDSTInstant(z).Draw(t, "start")
		issued := clock.Add(-time.Duration(rapid.IntRange(0, 72).Draw(t, "issued_hours_before")) * time.Hour)
		n := rapid.IntRange(1, 4).Draw(t, "passes")
		for i := range n {
			prod := enttest.GenProduct(fmt.Sprintf("prod%d", i), "downtown", "uptown").Draw(t, fmt.Sprintf("product%d", i))
			w.add(fmt.Sprintf("p%d", i), prod, func(s *pass.IssueSpec) {
				s.At, s.On = issued, z.Date(issued)
				if rapid.IntRange(0, 3).Draw(t, "team") == 0 {
					s.Holder, s.Team = "", "acme"
				}
			})
		}
		if rapid.Bool().Draw(t, "payg") {
			w.st.PAYG = []billing.PAYG{seedPAYG()}
		}
		pick := func(label string, ids []string) (string, bool) {
			if len(ids) == 0 {
				return "", false
			}
			return rapid.SampledFrom(ids).Draw(t, label), true
		}
		all := func(checkin.Visit) bool { return true }
		for step := range rapid.IntRange(1, 30).Draw(t, "steps") {
			clock = clock.Add(time.Duration(rapid.IntRange(0, 600).Draw(t, "advance")) * time.Minute)
			op := rapid.IntRange(0, 5).Draw(t, "op")
			var err error
			switch op {
			case 0:
				w.st.MaxOpen = 0
				if rapid.Bool().Draw(t, "max_open") {
					w.st.MaxOpen = 12 * time.Hour
				}
				_, err = w.checkIn(clock, func(r *checkin.CheckIn) { r.Cost = rapid.IntRange(0, 3).Draw(t, "cost") })
			case 1:
				if id, ok := pick("visit", w.ids(all)); ok {
					_, err = w.checkOut(id, clock)
				}
			case 2:
				start := clock.Add(time.Duration(rapid.IntRange(-24, 240).Draw(t, "class_in_hours")) * time.Hour)
				_, err = w.book(start, clock, rapid.IntRange(1, 3).Draw(t, "class_cost"))
			case 3:
				if id, ok := pick("booking", w.ids(all)); ok {
					_, err = w.cancel(id, checkin.Cancel{At: clock, Window: time.Duration(rapid.IntRange(0, 24).Draw(t, "window")) * time.Hour,
						ByBusiness: rapid.Bool().Draw(t, "by_business"), RefundLate: rapid.Bool().Draw(t, "refund_late")})
				}
			case 4:
				if id, ok := pick("booking", w.ids(all)); ok {
					req := checkin.Attendance{Attended: rapid.Bool().Draw(t, "attended"), At: clock}
					if rapid.Bool().Draw(t, "fee") {
						req.Fee = money.MustNew("5", "USD")
					}
					_, err = w.attend(id, req)
				}
			case 5:
				if id, ok := pick("visit", w.ids(all)); ok {
					to := rapid.SampledFrom(w.st.Passes).Draw(t, "to").ID
					_, err = w.move(id, to, clock)
				}
			}
			// Refusals are part of the game, but only the documented ones.
			if err != nil && !expected(err) {
				t.Fatalf("step %d, op %d: unexpected error %v", step, op, err)
			}
			w.checkLedger()
			w.checkLineage(t)
		}
	})
}

// expected reports whether err is one of the decisions' documented
// refusals.
func expected(err error) bool {
	for _, target := range []error{entitlement.ErrNoEntitlement, checkin.ErrAlreadyCheckedIn, checkin.ErrNotOpen,
		checkin.ErrNotBooked, checkin.ErrNotMovable, field.ErrInvalid} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}
