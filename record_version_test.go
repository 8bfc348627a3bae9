package passengine_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/memstore"
	"github.com/passengine/passengine/store/sqlite"
)

// wrapped is a store that hides the InProcess of the one it wraps, as a
// host's tracing wrapper would.
type wrapped struct{ store.Store }

// Rule I1: the Engine writes compact records in version 2 (first byte
// 0xC2) only to a store that says no other process reads it (memstore); a
// store processes may share (SQLite here), or one that does not say,
// gets version 1 (0xC1), which every release since 13e251f reads, so a
// rolling upgrade replays a key across the two releases. Both replay the
// first answer.
func TestRecordVersionByStore(t *testing.T) {
	ctx := context.Background()
	sq, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sq.Close() })
	if err := sq.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		st    store.Store
		first byte
	}{
		{"memstore", memstore.New(), 0xC2},
		{"sqlite", sq, 0xC1},
		{"wrapped memstore", wrapped{memstore.New()}, 0xC1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newRecordWorld(t, tc.st)
			req := passengine.CheckInRequest{Key: "in", Network: "net", Holder: "h", Location: "club"}
			first, err := e.CheckIn(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			var rec store.Record
			if err := tc.st.View(ctx, func(tx store.Tx) (err error) {
				rec, err = tx.Idempotency().Get(ctx, "net", "in")
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if got := rec.Result[0]; got != tc.first {
				t.Errorf("got first byte %#x, want %#x", got, tc.first)
			}
			again, err := e.CheckIn(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := len(again.Selection.Candidates), len(first.Selection.Candidates); got != want || got != 3 {
				t.Fatalf("got %d candidates on replay, want %d (3)", got, want)
			}
			for i := range first.Selection.Candidates {
				g, w := again.Selection.Candidates[i], first.Selection.Candidates[i]
				if g != w {
					t.Errorf("candidate %d: got %+v on replay, want %+v", i, g, w)
				}
			}
		})
	}
}

// newRecordWorld returns an Engine on st with network "net", its location
// "club" and holder "h" with three passes of one product.
func newRecordWorld(t *testing.T, st store.Store) *passengine.Engine {
	t.Helper()
	ctx := context.Background()
	e := passengine.New(st, passengine.WithClock(passengine.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))))
	for _, err := range []error{
		e.PutNetwork(ctx, catalog.Network{ID: "net", Currency: "GBP", Zone: "Europe/London"}),
		e.PutLocation(ctx, catalog.Location{Network: "net", ID: "club", Zone: "Europe/London"}),
		e.PutHolder(ctx, catalog.Holder{Network: "net", ID: "h", Audience: catalog.Member}),
		e.PutProduct(ctx, pass.Product{Network: "net", ID: "ten", Kind: pass.Visits, Units: 10,
			Price: money.MustNew("0", "GBP"), Activation: pass.OnPurchase}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		if _, err := e.IssuePass(ctx, passengine.IssueRequest{Key: fmt.Sprint("issue-", i), Network: "net", Product: "ten", Holder: "h"}); err != nil {
			t.Fatal(err)
		}
	}
	return e
}
