package sqlite_test

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
	"github.com/passengine/passengine/store/sqlite"
)

// maxPairStatements is the most statements a check-in and its check-out
// on a holder's visits pass may send to SQLite, BEGIN and COMMIT included
// (BENCHMARKS.md, SQLite): each call is BEGIN, the state's one statement
// (which reads the idempotency key's record too), its writes and COMMIT:
// 7 for the check-in (visit, pass, ledger entry, record) and 5 for the
// check-out (visit, record).
const maxPairStatements = 12

// TestPairStatements counts what a check-in and check-out pair sends to
// SQLite: a count, not a time, so it holds on any machine.
func TestPairStatements(t *testing.T) {
	ctx := context.Background()
	st := openTemp(t, sqlite.WithSyncNormal())
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
	pair := func(i int) (in, out int64) {
		t.Helper()
		clock.Advance(13 * time.Hour)
		before := sqlite.Statements(st)
		r, err := eng.CheckIn(ctx, passengine.CheckInRequest{Key: fmt.Sprint("in-", i), Network: "n", Holder: "h", Location: "l"})
		if err != nil {
			t.Fatal(err)
		}
		mid := sqlite.Statements(st)
		clock.Advance(time.Hour)
		if _, err := eng.CheckOut(ctx, passengine.CheckOutRequest{Key: fmt.Sprint("out-", i), Network: "n", Visit: r.Visit.ID}); err != nil {
			t.Fatal(err)
		}
		return mid - before, sqlite.Statements(st) - mid
	}
	pair(0) // the first learns the location's zone and prepares statements
	in, out := pair(1)
	t.Logf("check-in %d statements, check-out %d", in, out)
	if in+out > maxPairStatements {
		t.Errorf("a check-in and check-out pair sent %d statements (%d + %d), want at most %d", in+out, in, out, maxPairStatements)
	}
}
