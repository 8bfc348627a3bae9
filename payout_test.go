package passengine_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/shopspring/decimal"
)

func (w *aggWorld) payout(club string, from, to calendar.Date) billing.Statement {
	w.t.Helper()
	st, err := w.eng.Payout(w.ctx, passengine.PayoutRequest{Network: aggNet, Location: club, From: from, To: to})
	w.must(err)
	return st
}

var march1, march31 = calendar.NewDate(2026, 3, 1), calendar.NewDate(2026, 3, 31)

func lineAmounts(st billing.Statement) []string {
	out := make([]string, len(st.Lines))
	for i, l := range st.Lines {
		out[i] = l.Amount.Amount.StringFixed(2)
	}
	return out
}

// wantSums checks Rule Y3 on a statement: totals are the sums of lines.
func wantSums(t testing.TB, st billing.Statement) {
	t.Helper()
	sum := decimal.Zero
	byLoc := map[string]decimal.Decimal{}
	for _, l := range st.Lines {
		sum = sum.Add(l.Amount.Amount)
		byLoc[l.Location] = byLoc[l.Location].Add(l.Amount.Amount)
	}
	if !sum.Equal(st.Total.Amount) {
		t.Errorf("total %s, sum of lines %s", st.Total, sum)
	}
	for _, lt := range st.Locations {
		if !byLoc[lt.Location].Equal(lt.Total.Amount) {
			t.Errorf("%s: total %s, sum of lines %s", lt.Location, lt.Total, byLoc[lt.Location])
		}
	}
}

// Rule Y1: a terms change mid-month does not reprice earlier visits: each
// visit is paid by the version in force when it was redeemed, and the
// statement of the first half is the same before and after the change.
func TestRule_Y1_TermsChangeDoesNotRepriceEarlierVisits(t *testing.T) {
	w := newAggWorld(t)
	code := w.code(w.issue("ana", "monthly-plus").ID)
	w.mustRedeem("plus", code) // Mar 2, plus-v1: 8
	w.clock.Set(time.Date(2026, 3, 9, 18, 0, 0, 0, london))
	w.mustRedeem("plus", code) // Mar 9
	firstHalf := w.payout("plus", march1, calendar.NewDate(2026, 3, 14))
	w.clock.Set(time.Date(2026, 3, 15, 0, 0, 0, 0, london))
	w.terms(billing.Terms{Location: "plus", ID: "plus-v2", EffectiveFrom: w.clock.Now(),
		Rates: []billing.Rate{{Tier: 1, Amount: eur("6.50")}, {Tier: 2, Amount: eur("7.25")}}})
	w.clock.Set(time.Date(2026, 3, 20, 10, 0, 0, 0, london))
	r := w.mustRedeem("plus", code)
	if r.Visit.Terms != "plus-v2" {
		t.Errorf("terms after the change: got %q, want plus-v2", r.Visit.Terms)
	}
	st := w.payout("plus", march1, march31)
	if got, want := lineAmounts(st), []string{"8.00", "8.00", "7.25"}; !reflect.DeepEqual(got, want) {
		t.Errorf("amounts: got %v, want %v", got, want)
	}
	if again := w.payout("plus", march1, calendar.NewDate(2026, 3, 14)); !reflect.DeepEqual(firstHalf, again) {
		t.Errorf("first half repriced:\nbefore %+v\nafter  %+v", firstHalf.Lines, again.Lines)
	}
	wantSums(t, st)
}

// Rule Y2: with a monthly cap of 4 paid visits, a holder's 5th visit at
// the club in the month pays nothing (and is listed); the next month pays
// again.
func TestRule_Y2_MonthlyCapFifthVisitPaysNothing(t *testing.T) {
	w := newAggWorld(t)
	w.terms(billing.Terms{Location: "basic", ID: "basic-v2", EffectiveFrom: w.clock.Now(),
		Rates: []billing.Rate{{Tier: 1, Amount: eur("5")}}, MonthlyVisitCap: 4})
	code := w.code(w.issue("ana", "monthly-plus").ID)
	for day := 2; day <= 6; day++ {
		w.clock.Set(time.Date(2026, 3, day, 9, 0, 0, 0, london))
		w.mustRedeem("basic", code)
	}
	st := w.payout("basic", march1, march31)
	if got, want := lineAmounts(st), []string{"5.00", "5.00", "5.00", "5.00", "0.00"}; !reflect.DeepEqual(got, want) {
		t.Errorf("amounts: got %v, want %v", got, want)
	}
	if st.Lines[4].Capped != billing.CapVisits || st.Locations[0].Paid != 4 || st.Locations[0].Visits != 5 {
		t.Errorf("5th line capped %q, totals %+v: want %q, 5 visits, 4 paid", st.Lines[4].Capped, st.Locations[0], billing.CapVisits)
	}
	wantSums(t, st)
	// The statement of the 6th alone still knows the cap was reached.
	if got := lineAmounts(w.payout("basic", calendar.NewDate(2026, 3, 6), calendar.NewDate(2026, 3, 6))); !reflect.DeepEqual(got, []string{"0.00"}) {
		t.Errorf("Mar 6 alone: got %v, want [0.00]", got)
	}
	w.clock.Set(time.Date(2026, 4, 1, 9, 0, 0, 0, london))
	w.mustRedeem("basic", code)
	if got := lineAmounts(w.payout("basic", calendar.NewDate(2026, 4, 1), calendar.NewDate(2026, 4, 30))); !reflect.DeepEqual(got, []string{"5.00"}) {
		t.Errorf("April: got %v, want [5.00]", got)
	}
}

// Rule Y2: PAYG check-ins at a club are paid the terms' share of what the
// holder was charged.
func TestRule_Y2_PAYGShare(t *testing.T) {
	w := newAggWorld(t)
	w.terms(billing.Terms{Location: "plus", ID: "plus-v2", EffectiveFrom: w.clock.Now(),
		Rates: []billing.Rate{{Tier: 1, Amount: eur("8")}}, PAYGShare: decimal.RequireFromString("0.35")})
	w.must(w.eng.PutPAYG(w.ctx, billing.PAYG{Network: aggNet, ID: "walk-in", Prices: []billing.Price{{Hourly: eur("10")}}}))
	in, err := w.eng.CheckIn(w.ctx, passengine.CheckInRequest{Key: "in", Network: aggNet, Holder: "cy", Location: "plus"})
	w.must(err)
	w.clock.Advance(95 * time.Minute)
	_, err = w.eng.CheckOut(w.ctx, passengine.CheckOutRequest{Key: "out", Network: aggNet, Visit: in.Visit.ID})
	w.must(err)
	st := w.payout("plus", march1, march31)
	// 95 minutes: 7 increments of 2.50 = 17.50; 35% is 6.125, rounded 6.13.
	if len(st.Lines) != 1 || st.Lines[0].Kind != billing.PAYGLine || st.Lines[0].Base.Amount.StringFixed(2) != "17.50" ||
		st.Lines[0].Amount.Amount.StringFixed(2) != "6.13" {
		t.Errorf("lines: got %+v, want one PAYG line of 6.13 on 17.50", st.Lines)
	}
}

// Rule Y3: the network statement lists a line per visit across clubs,
// totals per club and in all are the sums of the lines, and computing it
// again gives the same statement and the same CSV.
func TestRule_Y3_NetworkStatement(t *testing.T) {
	w := newAggWorld(t)
	w.terms(billing.Terms{Location: "prime", ID: "prime-v2", EffectiveFrom: w.clock.Now(),
		Rates: []billing.Rate{{Tier: 1, Amount: eur("12.35")}}})
	ana := w.code(w.issue("ana", "monthly-plus").ID)
	ben := w.code(w.issue("ben", "day-prime").ID)
	for day := 2; day <= 12; day++ {
		w.clock.Set(time.Date(2026, 3, day, 7+day%5, 0, 0, 0, london))
		w.mustRedeem([]string{"basic", "plus"}[day%2], ana)
	}
	w.mustRedeem("prime", ben)
	w.clock.Advance(time.Hour)
	w.mustRedeem("prime", ben)
	st := w.payout("", march1, march31)
	if len(st.Lines) != 13 || len(st.Locations) != 3 {
		t.Fatalf("got %d lines over %d clubs, want 13 over 3", len(st.Lines), len(st.Locations))
	}
	wantSums(t, st)
	if got := st.Locations[2]; got.Location != "prime" || got.Total.Amount.StringFixed(2) != "24.70" {
		t.Errorf("prime: got %+v, want 2 lines of 12.35 = 24.70", got)
	}
	var first bytes.Buffer
	w.must(w.eng.WritePayoutCSV(w.ctx, passengine.PayoutRequest{Network: aggNet, From: march1, To: march31}, &first))
	again := w.payout("", march1, march31)
	if !reflect.DeepEqual(st, again) {
		t.Error("statement differs when computed again")
	}
	var second bytes.Buffer
	w.must(again.WriteCSV(&second))
	if !bytes.Equal(first.Bytes(), second.Bytes()) {
		t.Error("CSV differs when computed again")
	}
	rows, err := csv.NewReader(&first).ReadAll()
	w.must(err)
	if len(rows) != 1+13+3+1 || rows[len(rows)-1][0] != "total" || rows[len(rows)-1][14] != st.Total.Amount.StringFixed(2) {
		t.Errorf("CSV: got %d rows ending %v, want 18 ending with the total %s", len(rows), rows[len(rows)-1], st.Total)
	}
}

// Rule Y3 with S2: bad statement requests name the field; unknown IDs are
// not found.
func TestRule_Y3_PayoutInput(t *testing.T) {
	w := newAggWorld(t)
	for name, tt := range map[string]struct {
		req  passengine.PayoutRequest
		want string
	}{
		"network":  {passengine.PayoutRequest{From: march1, To: march31}, "network"},
		"from":     {passengine.PayoutRequest{Network: aggNet, To: march31}, "from"},
		"to":       {passengine.PayoutRequest{Network: aggNet, From: march31, To: march1}, "to"},
		"location": {passengine.PayoutRequest{Network: aggNet, Location: "a\x00b", From: march1, To: march31}, "location"},
	} {
		_, err := w.eng.Payout(w.ctx, tt.req)
		t.Run(name, func(t *testing.T) { wantFieldError(t, err, tt.want) })
	}
	if _, err := w.eng.Payout(w.ctx, passengine.PayoutRequest{Network: aggNet, Location: "nowhere", From: march1, To: march31}); !errors.Is(err, passengine.ErrNotFound) {
		t.Errorf("unknown club: got %v, want ErrNotFound", err)
	}
	if _, err := w.eng.Payout(w.ctx, passengine.PayoutRequest{Network: "nowhere", From: march1, To: march31}); !errors.Is(err, passengine.ErrNotFound) {
		t.Errorf("unknown network: got %v, want ErrNotFound", err)
	}
	// An empty club statement still lists the club with a zero total.
	st := w.payout("basic", march1, march31)
	if len(st.Lines) != 0 || len(st.Locations) != 1 || !st.Total.Amount.IsZero() {
		t.Errorf("empty statement: got %+v", st)
	}
}
