package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store/postgres"
)

// TestCallRoundTrips counts the requests a check-in and a check-out send
// to the server: two each (BEGIN with the state's batch, which reads the
// idempotency key's record too; the writes with COMMIT). A count, not a
// time.
func TestCallRoundTrips(t *testing.T) {
	ctx := context.Background()
	st := postgres.NewTestStore(t)
	clock := passengine.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	eng := passengine.New(st, passengine.WithClock(clock))
	if err := errors.Join(
		eng.PutNetwork(ctx, catalog.Network{ID: "n", Currency: "USD", Zone: "UTC"}),
		eng.PutLocation(ctx, catalog.Location{Network: "n", ID: "l", Zone: "UTC"}),
		eng.PutHolder(ctx, catalog.Holder{Network: "n", ID: "h", Audience: catalog.Member}),
		eng.PutProduct(ctx, pass.Product{Network: "n", ID: "p", Kind: pass.Visits, Units: 100,
			Price: money.MustNew("100", "USD"), Activation: pass.OnPurchase}),
	); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.IssuePass(ctx, passengine.IssueRequest{Key: "issue", Network: "n", Product: "p", Holder: "h"}); err != nil {
		t.Fatal(err)
	}
	for i := range 2 { // the first learns the location's zone
		clock.Advance(13 * time.Hour)
		before := postgres.RoundTrips(st)
		r, err := eng.CheckIn(ctx, passengine.CheckInRequest{Key: fmt.Sprint("in-", i), Network: "n", Holder: "h", Location: "l"})
		if err != nil {
			t.Fatal(err)
		}
		mid := postgres.RoundTrips(st)
		clock.Advance(time.Hour)
		if _, err := eng.CheckOut(ctx, passengine.CheckOutRequest{Key: fmt.Sprint("out-", i), Network: "n", Visit: r.Visit.ID}); err != nil {
			t.Fatal(err)
		}
		in, out := mid-before, postgres.RoundTrips(st)-mid
		if i == 1 && (in != 2 || out != 2) {
			t.Errorf("round trips: check-in %d, check-out %d; want 2 and 2", in, out)
		}
	}
}
