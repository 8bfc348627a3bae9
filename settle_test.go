package passengine_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store/memstore"
)

// settleFixture returns an Engine with settle-later on, a network "n" in
// Europe/London with one location and a holder "h" who holds no pass.
func settleFixture(t *testing.T, opts ...passengine.Option) (*passengine.Engine, *passengine.ManualClock) {
	t.Helper()
	ctx := context.Background()
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	clk := passengine.NewManualClock(time.Date(2026, 5, 4, 9, 0, 0, 0, london))
	eng := passengine.New(memstore.New(), append([]passengine.Option{passengine.WithClock(clk)}, opts...)...)
	for _, err := range []error{
		eng.PutNetwork(ctx, catalog.Network{ID: "n", Currency: "GBP", Zone: "Europe/London"}),
		eng.PutLocation(ctx, catalog.Location{Network: "n", ID: "club", Zone: "Europe/London"}),
		eng.PutHolder(ctx, catalog.Holder{Network: "n", ID: "h", Audience: catalog.Member}),
		eng.PutProduct(ctx, pass.Product{Network: "n", ID: "ten", Kind: pass.Visits, Units: 10,
			Price: money.MustNew("90", "GBP"), Activation: pass.OnFirstUse, Validity: calendar.Validity{Days: 30}}),
		eng.PutProduct(ctx, pass.Product{Network: "n", ID: "locked", Kind: pass.Visits, Units: 10, Locked: true,
			Price: money.MustNew("90", "GBP"), Activation: pass.OnFirstUse, Validity: calendar.Validity{Days: 30}}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return eng, clk
}

// Rule C12: with "allow and settle later" a holder with nothing eligible is
// let in, the visit is kept unpaid, and the next eligible pass issued
// settles it; the pass's validity starts on the day of issue, not on the
// old visit's date.
func TestRule_C12_UnpaidVisitSettledByNextPass(t *testing.T) {
	ctx := context.Background()
	eng, clk := settleFixture(t, passengine.WithSettleLater())
	in, err := eng.CheckIn(ctx, passengine.CheckInRequest{Key: "in", Network: "n", Holder: "h", Location: "club"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := in.Visit.Mode, checkin.Unpaid; got != want {
		t.Fatalf("mode: got %s, want %s", got, want)
	}
	clk.Advance(40 * 24 * time.Hour) // June 13: an activation on May 4 would have expired
	p, err := eng.IssuePass(ctx, passengine.IssueRequest{Key: "buy", Network: "n", Product: "ten", Holder: "h"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.Balance, 9; got != want {
		t.Errorf("balance after settling: got %d, want %d", got, want)
	}
	if got, want := p.ActivatedOn, calendar.NewDate(2026, 6, 13); got != want {
		t.Errorf("activated on: got %s, want %s", got, want)
	}
	v, err := eng.Visit(ctx, "n", in.Visit.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v.Mode != checkin.ByVisits || v.Pass != p.ID || v.SettledAt == nil {
		t.Errorf("visit after settling: got mode %s pass %s settled %v, want visits by %s, settled", v.Mode, v.Pass, v.SettledAt, p.ID)
	}
	// A second pass has nothing left to settle.
	q, err := eng.IssuePass(ctx, passengine.IssueRequest{Key: "buy2", Network: "n", Product: "ten", Holder: "h"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := q.Balance, 10; got != want {
		t.Errorf("second pass balance: got %d, want %d", got, want)
	}
}

// Rule C12: a locked pass cannot pay for a visit before its activation, so
// it leaves an older unpaid visit unpaid.
func TestRule_C12_LockedPassDoesNotSettleOlderVisit(t *testing.T) {
	ctx := context.Background()
	eng, clk := settleFixture(t, passengine.WithSettleLater())
	in, err := eng.CheckIn(ctx, passengine.CheckInRequest{Key: "in", Network: "n", Holder: "h", Location: "club"})
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(24 * time.Hour)
	p, err := eng.IssuePass(ctx, passengine.IssueRequest{Key: "buy", Network: "n", Product: "locked", Holder: "h"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := p.Balance, 10; got != want {
		t.Errorf("balance: got %d, want %d", got, want)
	}
	v, err := eng.Visit(ctx, "n", in.Visit.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := v.Mode, checkin.Unpaid; got != want {
		t.Errorf("mode: got %s, want %s", got, want)
	}
}

// Rule C12: without the policy, nothing eligible is a refusal.
func TestRule_C12_OffByDefault(t *testing.T) {
	eng, _ := settleFixture(t)
	_, err := eng.CheckIn(context.Background(), passengine.CheckInRequest{Key: "in", Network: "n", Holder: "h", Location: "club"})
	if !errors.Is(err, passengine.ErrNoEntitlement) {
		t.Fatalf("got %v, want ErrNoEntitlement", err)
	}
}
