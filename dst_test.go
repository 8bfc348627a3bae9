package passengine_test

import (
	"testing"
	"time"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/pass"
)

// Rules C4, C5 and T1 on the DST days of Europe/London: minutes are
// elapsed time, so 00:30 to 03:30 is two hours when the clocks go forward
// (2026-03-29) and four when they go back (2026-10-25).
func TestRule_C4_C5_DSTLondon(t *testing.T) {
	for _, c := range []struct {
		name    string
		day     time.Month
		date    int
		minutes int
		charge  string
	}{
		{"spring forward", time.March, 29, 120, "20.00 GBP"},
		{"fall back", time.October, 25, 240, "40.00 GBP"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newCoreWorld(t, "Europe/London", "GBP")
			w.payg(billing.PAYG{ID: "payg", Prices: []billing.Price{{Hourly: w.money("10")}}})
			w.product(pass.Product{ID: "hours", Kind: pass.Time, Units: 600})
			w.clock.Set(w.at(2026, c.day, 1, 9, 0))
			p := w.issue("ben", "hours")
			in, out := w.at(2026, c.day, c.date, 0, 30), w.at(2026, c.day, c.date, 3, 30)
			payg := w.visit("ada", "downtown", in, out)
			if got := payg.Visit.Minutes(); got != c.minutes {
				t.Fatalf("PAYG minutes: got %d, want %d", got, c.minutes)
			}
			wantMoney(t, "PAYG", payg.Charge, c.charge)
			if d := payg.Visit.Charges[0].Date; d != calendar.NewDate(2026, c.day, c.date) {
				t.Fatalf("charge date: got %s, want the local date", d)
			}
			w.visit("ben", "downtown", in, out)
			wantBalance(t, w, p.ID, 600-c.minutes)
		})
	}
}

// Rules C2 and T2 on the DST days of America/New_York: a day unit covers
// the whole civil date, 23 hours long on 2026-03-08 and 25 on 2026-11-01;
// 00:30 the next day takes a new unit.
func TestRule_C2_DSTNewYork(t *testing.T) {
	for _, c := range []struct {
		name string
		day  time.Month
		date int
	}{{"23-hour day", time.March, 8}, {"25-hour day", time.November, 1}} {
		t.Run(c.name, func(t *testing.T) {
			w := newCoreWorld(t, "America/New_York", "USD")
			w.product(pass.Product{ID: "days", Kind: pass.Day, Units: 5})
			w.clock.Set(w.at(2026, c.day-1, 1, 9, 0))
			p := w.issue("ada", "days")
			first := w.visit("ada", "downtown", w.at(2026, c.day, c.date, 0, 30), w.at(2026, c.day, c.date, 1, 0))
			late := w.visit("ada", "uptown", w.at(2026, c.day, c.date, 23, 30), w.at(2026, c.day, c.date, 23, 45))
			if late.Visit.CoveredBy != first.Visit.ID {
				t.Fatalf("23:30 visit: covered by %q, want %s", late.Visit.CoveredBy, first.Visit.ID)
			}
			wantBalance(t, w, p.ID, 4)
			next := w.visit("ada", "downtown", w.at(2026, c.day, c.date+1, 0, 30), w.at(2026, c.day, c.date+1, 1, 0))
			if next.Visit.CoveredBy != "" || next.Visit.Date != calendar.NewDate(2026, c.day, c.date+1) {
				t.Fatalf("next day's visit: covered by %q on %s, want a new unit on the next date", next.Visit.CoveredBy, next.Visit.Date)
			}
			wantBalance(t, w, p.ID, 3)
		})
	}
}

// Rule C6 on the US spring-forward night: PAYG from 23:00 on Mar 7 to
// 04:00 on Mar 8 is four hours, one on Mar 7 and three on Mar 8.
func TestRule_C6_DSTNewYorkAcrossMidnight(t *testing.T) {
	w := newCoreWorld(t, "America/New_York", "USD")
	w.payg(billing.PAYG{ID: "payg", Prices: []billing.Price{{Hourly: w.money("10")}}})
	out := w.visit("ada", "downtown", w.at(2026, 3, 7, 23, 0), w.at(2026, 3, 8, 4, 0))
	if got := out.Visit.Minutes(); got != 240 {
		t.Fatalf("minutes: got %d, want 240", got)
	}
	cs := out.Visit.Charges
	if len(cs) != 2 || cs[0].Increments != 4 || cs[0].Amount.String() != "10.00 USD" ||
		cs[1].Date != calendar.NewDate(2026, 3, 8) || cs[1].Increments != 12 || cs[1].Amount.String() != "30.00 USD" {
		t.Fatalf("charges: got %+v, want 4 increments ($10) on Mar 7 and 12 ($30) on Mar 8", cs)
	}
}

// Rule T4 on the US spring-forward night: with a 03:00 cut-off, 01:30 EST
// on Mar 8 is still the business day of Mar 7 (covered by that day's
// unit) and 03:30 EDT starts Mar 8.
func TestRule_T4_CutoffOnDSTNight(t *testing.T) {
	w := newCoreWorld(t, "America/New_York", "USD")
	w.must(w.eng.PutLocation(w.ctx, catalog.Location{Network: coreNet, ID: "late-club", Zone: "America/New_York", DayCutoff: 3 * time.Hour}))
	w.product(pass.Product{ID: "days", Kind: pass.Day, Units: 5})
	w.clock.Set(w.at(2026, 3, 1, 9, 0))
	p := w.issue("ada", "days")
	first := w.visit("ada", "late-club", w.at(2026, 3, 7, 22, 0), w.at(2026, 3, 7, 23, 0))
	night := w.visit("ada", "late-club", w.at(2026, 3, 8, 1, 30), w.at(2026, 3, 8, 1, 45))
	if night.Visit.Date != calendar.NewDate(2026, 3, 7) || night.Visit.CoveredBy != first.Visit.ID {
		t.Fatalf("01:30 visit: date %s covered by %q, want 2026-03-07 covered by %s", night.Visit.Date, night.Visit.CoveredBy, first.Visit.ID)
	}
	morning := w.checkIn("ada", "late-club", w.at(2026, 3, 8, 3, 30))
	if morning.Visit.Date != calendar.NewDate(2026, 3, 8) || morning.Visit.Mode != checkin.ByDay || morning.Visit.CoveredBy != "" {
		t.Fatalf("03:30 visit: date %s covered by %q, want a new unit on 2026-03-08", morning.Visit.Date, morning.Visit.CoveredBy)
	}
	wantBalance(t, w, p.ID, 3)
}
