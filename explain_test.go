package passengine_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/enginetest"
	"github.com/passengine/passengine/entitlement/enttest"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/memstore"
)

// Rule C10: ExplainBook answers what Book would do, with the same
// ranking, units and balances, and writes nothing; a refusal is explained
// with every pass's reason.
func TestRule_C10_ExplainBookWritesNothing(t *testing.T) {
	w := newCoreWorld(t, "America/New_York", "USD")
	w.product(pass.Product{ID: "pack-10", Kind: pass.Visits, Units: 10, Price: w.money("100")})
	w.product(pass.Product{ID: "pack-5", Kind: pass.Visits, Units: 5, Price: w.money("40")})
	w.product(pass.Product{ID: "day", Kind: pass.Day, Units: 3})
	w.issue("ada", "pack-10")
	cheaper := w.issue("ada", "pack-5")
	w.issue("ada", "day")
	req := passengine.BookRequest{Network: coreNet, Holder: "ada", Location: "downtown", Start: w.at(2026, 10, 3, 18, 0), Cost: 2}
	before := w.snapshot()
	ex, err := w.eng.ExplainBook(w.ctx, req)
	w.must(err)
	w.unchanged(before)
	if ex.Visit.ID != "" {
		t.Errorf("dry run visit ID: got %q, want none", ex.Visit.ID)
	}
	req.Key = "book"
	bk, err := w.eng.Book(w.ctx, req)
	w.must(err)
	ex.Visit.ID = bk.Visit.ID
	if !reflect.DeepEqual(ex.Visit, bk.Visit) || !reflect.DeepEqual(ex.Balances, bk.Balances) ||
		!reflect.DeepEqual(enttest.Ranking(ex.Selection), enttest.Ranking(bk.Selection)) {
		t.Fatalf("dry run %+v\nbook %+v", ex, bk)
	}
	if ex.Visit.Pass != cheaper.ID || ex.Selection.DecidedBy != "unit_value" {
		t.Errorf("dry run: pass %s decided by %q, want the 8.00 pack (%s) by unit_value", ex.Visit.Pass, ex.Selection.DecidedBy, cheaper.ID)
	}
	// A refusal is explained, with each pass's reason, and writes nothing.
	before = w.snapshot()
	_, err = w.eng.ExplainBook(w.ctx, passengine.BookRequest{Network: coreNet, Holder: "ada", Location: "downtown",
		Start: w.at(2026, 10, 3, 18, 0), Cost: 20})
	refusal := wantRefusal(t, err)
	if len(refusal.Candidates) != 3 {
		t.Errorf("refusal: got %d candidates, want 3", len(refusal.Candidates))
	}
	w.unchanged(before)
	// Bad input is refused as Book refuses it, without a key.
	_, err = w.eng.ExplainBook(w.ctx, passengine.BookRequest{Network: coreNet, Holder: "ada", Location: "downtown"})
	wantFieldError(t, err, "start")
}

// Rule C10, P2: ExplainRedeem answers what Redeem would decide and leaves
// the lockout untouched: dry runs of unknown codes count nothing, the dry
// run of the failure that would lock says until when without locking, and
// while the location is locked every dry run is refused as Redeem is.
func TestRule_C10_ExplainRedeemLeavesTheLockoutAlone(t *testing.T) {
	w := newAggWorld(t)
	p := w.issue("ana", "visits-5")
	good := w.code(p.ID)
	explain := func(code string) (passengine.RedeemResult, error) {
		return w.eng.ExplainRedeem(w.ctx, passengine.RedeemRequest{Network: aggNet, Location: "basic", Code: code})
	}
	before := w.snap()
	ex, err := explain(good)
	w.must(err)
	if ex.Outcome != checkin.Redeemed || ex.Balance != 4 || ex.Visit.ID != "" || ex.Holder.ID != "ana" {
		t.Fatalf("dry run: got %+v, want redeemed with 4 left, no visit ID, holder ana", ex)
	}
	for i := range 10 {
		_, err := explain(w.wrongCode(i, good))
		wantRedeemError(t, err, checkin.UnknownCode, passengine.ErrUnknownCode)
	}
	if g := w.guard("basic"); len(g.Failures) != 0 {
		t.Fatalf("dry runs counted failures: %+v", g)
	}
	if after := w.snap(); !reflect.DeepEqual(before, after) {
		t.Fatalf("dry runs changed the store:\nbefore %+v\nafter  %+v", before, after)
	}
	r := w.mustRedeem("basic", good)
	ex.Visit.ID = r.Visit.ID
	// The same decision: equal in the JSON a client is given (a result
	// read back from its record has [] where the dry run has nil).
	if exJSON, rJSON := mustJSON(t, ex), mustJSON(t, r); exJSON != rJSON {
		t.Fatalf("dry run %s\nredeem  %s", exJSON, rJSON)
	}

	for i := range 5 {
		_, err := w.redeem("basic", w.wrongCode(i, good))
		wantRedeemError(t, err, checkin.UnknownCode, passengine.ErrUnknownCode)
	}
	guard := w.guard("basic")
	ex, err = explain(w.wrongCode(5, good))
	re := wantRedeemError(t, err, checkin.UnknownCode, passengine.ErrUnknownCode)
	if want := w.clock.Now().Add(24 * time.Hour).UTC(); !re.LockedUntil.Equal(want) || !ex.LockedUntil.Equal(want) {
		t.Errorf("dry run of the sixth failure: locked until %s, want %s (what Redeem would say)", re.LockedUntil, want)
	}
	if got := w.guard("basic"); !reflect.DeepEqual(got, guard) {
		t.Fatalf("dry run changed the guard: got %+v, want %+v", got, guard)
	}
	_, err = w.redeem("basic", w.wrongCode(5, good))
	wantRedeemError(t, err, checkin.UnknownCode, passengine.ErrUnknownCode)
	locked := w.guard("basic")
	for _, code := range []string{good, w.wrongCode(6, good)} {
		_, err := explain(code)
		re := wantRedeemError(t, err, checkin.LocationLocked, passengine.ErrLocationLocked)
		if !re.LockedUntil.Equal(locked.LockedUntil) {
			t.Errorf("dry run while locked: until %s, want %s", re.LockedUntil, locked.LockedUntil)
		}
	}
	if got := w.guard("basic"); !reflect.DeepEqual(got, locked) {
		t.Fatalf("dry run changed the locked guard: got %+v, want %+v", got, locked)
	}
	// A malformed code is bad input, as for Redeem.
	_, err = explain("12")
	if !errors.Is(err, passengine.ErrInvalid) {
		t.Errorf("malformed code: got %v, want ErrInvalid", err)
	}
}

// snap returns the snapshot of the world's network.
func (w *world) snap() enginetest.Snapshot {
	w.tb.Helper()
	s, err := enginetest.Take(w.ctx, w.st, w.net)
	w.must(err)
	return s
}

// Rules C10, S6: a dry run under another passcode key is refused with
// ErrCodeKeyMismatch, as Redeem is; on a store with no key check recorded
// (an earlier release's), a dry run that finds its code records nothing,
// and the real redemption then records the key.
func TestRule_S6_ExplainRedeemChecksTheKeyAndRecordsNothing(t *testing.T) {
	st := memstore.New()
	w := newAggWorldOn(t, st)
	p := w.issue("ana", "visits-5")
	code := w.code(p.ID)
	other := passengine.New(w.st, passengine.WithClock(w.clock), passengine.WithCodeKey([]byte(strings.Repeat("x", 32))))
	_, err := other.ExplainRedeem(w.ctx, passengine.RedeemRequest{Network: aggNet, Location: "basic", Code: code})
	if !errors.Is(err, passengine.ErrCodeKeyMismatch) {
		t.Fatalf("dry run under another key: got %v, want ErrCodeKeyMismatch", err)
	}

	fresh := memstore.New()
	copyNetwork(t, st, fresh, aggNet)
	eng := passengine.New(fresh, passengine.WithClock(w.clock), passengine.WithCodeKey(aggKey))
	check := func() string {
		var c string
		w.must(fresh.View(w.ctx, func(tx store.Tx) (err error) { c, err = tx.Catalog().CodeKeyCheck(w.ctx, aggNet); return err }))
		return c
	}
	if r, err := eng.ExplainRedeem(w.ctx, passengine.RedeemRequest{Network: aggNet, Location: "basic", Code: code}); err != nil || r.Outcome != checkin.Redeemed {
		t.Fatalf("dry run: got %+v, %v; want redeemed", r, err)
	}
	if c := check(); c != "" {
		t.Fatalf("a dry run recorded the key check %q", c)
	}
	if _, err := eng.Redeem(w.ctx, passengine.RedeemRequest{Key: "r1", Network: aggNet, Location: "basic", Code: code}); err != nil {
		t.Fatal(err)
	}
	if check() == "" {
		t.Fatal("no key check recorded after the real redemption")
	}
}
