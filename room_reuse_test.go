package passengine_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/pass"
)

// TestCheckInResultOutlivesItsRoom checks that a check-in's or
// check-out's result does not point into the memory of its decision's
// State, which a pooled unit of work keeps for the next call
// (checkin.Room): the result of one call is unchanged by the calls after
// it, of the same holder and of another, on the same goroutine (where the
// pool hands the same value back).
func TestCheckInResultOutlivesItsRoom(t *testing.T) {
	e := newBenchEngine(&testing.B{})
	ctx := context.Background()
	snapshot := func(r passengine.VisitResult) string {
		t.Helper()
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	first, err := e.eng.CheckIn(ctx, passengine.CheckInRequest{Key: "in-1", Network: benchNet, Holder: "fresh", Location: "club"})
	if err != nil {
		t.Fatal(err)
	}
	want := snapshot(first)
	chosen := first.Selection.Chosen()
	if chosen == nil || len(first.Balances) == 0 {
		t.Fatalf("got a check-in with no chosen pass or balance: %s", want)
	}
	passBefore := *chosen
	passes := map[int]pass.Pass{} // the passes candidates point to, if any
	for i, c := range first.Selection.Candidates {
		if c.Pass != nil {
			passes[i] = *c.Pass
		}
	}
	if _, err := e.eng.CheckIn(ctx, passengine.CheckInRequest{Key: "in-2", Network: benchNet, Holder: "veteran", Location: "club"}); err != nil {
		t.Fatal(err)
	}
	out, err := e.eng.CheckOut(ctx, passengine.CheckOutRequest{Key: "out-1", Network: benchNet, Visit: first.Visit.ID})
	if err != nil {
		t.Fatal(err)
	}
	wantOut := snapshot(out)
	third, err := e.eng.CheckIn(ctx, passengine.CheckInRequest{Key: "in-3", Network: benchNet, Holder: "fresh", Location: "club"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.eng.CheckOut(ctx, passengine.CheckOutRequest{Key: "out-3", Network: benchNet, Visit: third.Visit.ID}); err != nil {
		t.Fatal(err)
	}
	if got := snapshot(out); got != wantOut {
		t.Errorf("the first check-out's result changed after later calls:\ngot  %s\nwant %s", got, wantOut)
	}
	if got := snapshot(first); got != want {
		t.Errorf("the first check-in's result changed after later check-ins:\ngot  %s\nwant %s", got, want)
	}
	for i, p := range passes {
		if got := first.Selection.Candidates[i].Pass; got.ID != p.ID || got.Balance != p.Balance || got.Uses != p.Uses {
			t.Errorf("candidate %d's pass changed after later check-ins: got %s balance %d uses %d, want %s balance %d uses %d",
				i, got.ID, got.Balance, got.Uses, p.ID, p.Balance, p.Uses)
		}
	}
	if *first.Selection.Chosen() != passBefore {
		t.Errorf("got chosen candidate %+v after later check-ins, want %+v", *first.Selection.Chosen(), passBefore)
	}
}

// TestVisitResultsOutliveTheirScratch checks that no check-in's or
// check-out's result points into the memory its state was loaded in,
// which a pooled unit of work keeps for the next call (store.Scratch):
// time passes drained at check-out with PAYG charges beyond them, visits
// passes paying at check-in, a visit closed on the way (C8), and the
// visits of the days before in each call's window, for holders whose
// calls alternate; every result is unchanged by the calls after it.
func TestVisitResultsOutliveTheirScratch(t *testing.T) {
	w := newCoreWorld(t, "Europe/London", "GBP", passengine.WithMaxOpen(12*time.Hour))
	w.payg(billing.PAYG{ID: "payg", Prices: []billing.Price{{Hourly: w.money("10")}}, DailyCap: w.money("60")})
	w.product(pass.Product{ID: "minutes", Kind: pass.Time, Units: 90})
	w.product(pass.Product{ID: "visits", Kind: pass.Visits, Units: 20})
	w.issue("ada", "minutes")
	w.issue("ben", "minutes")
	for _, h := range []string{"cy", "dee"} { // a visit that keeps the consumption of its check-in
		w.must(w.eng.PutHolder(w.ctx, catalog.Holder{Network: coreNet, ID: h, Audience: catalog.Member}))
		w.issue(h, "visits")
	}
	type kept struct {
		r    passengine.VisitResult
		json string
	}
	var results []kept
	keep := func(r passengine.VisitResult) passengine.VisitResult {
		t.Helper()
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, kept{r, string(b)})
		return r
	}
	for day := 5; day <= 8; day++ {
		for _, h := range []string{"ada", "ben", "cy", "dee"} {
			in := keep(w.checkIn(h, "downtown", w.at(2026, 10, day, 9, 0)))
			keep(w.checkOut(in.Visit.ID, w.at(2026, 10, day, 11, 0)))
			keep(w.checkIn(h, "downtown", w.at(2026, 10, day, 12, 0))) // left open: closed on the way the next day
		}
	}
	closedOnTheWay := 0
	for i, k := range results {
		closedOnTheWay += len(k.r.Closed)
		b, err := json.Marshal(k.r)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(b); got != k.json {
			t.Errorf("result %d changed after later calls:\ngot  %s\nwant %s", i, got, k.json)
		}
	}
	if closedOnTheWay == 0 {
		t.Fatal("got no visit closed on the way: the test does not cover them")
	}
}
