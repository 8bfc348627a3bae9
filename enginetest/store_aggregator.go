package enginetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
	"github.com/shopspring/decimal"
)

// The aggregator scenarios (RULES P1-P4, Y1-Y3) run the Engine's passcode
// redemption, lockout and payouts on the store: Passes.ByCode and its
// unique code hash, Catalog.LockLocation, Guards and Terms.

const agg = "agg"

var aggKey = []byte("storetest passcode key, 32 bytes")

func aggAt(day, hour int) time.Time { return time.Date(2026, 3, day, hour, 0, 0, 0, newYork) }

// newAgg returns an Engine on st with the agg network: clubs "basic" (tier
// 1) and "prime" (tier 2) with terms paying 5 and 10.00 USD a visit (basic
// capping paid visits at 4 a month), a tier 1 Monthly+ subscription (31
// day units, network-wide) and its tier 2 twin "monthly-2", and holders ana and ben with a health
// declaration.
func newAgg(t *testing.T, st store.Store, src *rand.ChaCha8) (*passengine.Engine, *passengine.ManualClock) {
	t.Helper()
	clock := passengine.NewManualClock(aggAt(2, 8))
	eng := passengine.New(st, passengine.WithClock(clock), passengine.WithCodeKey(aggKey), passengine.WithCodeSource(src))
	ctx := context.Background()
	need(t, "PutNetwork", eng.PutNetwork(ctx, catalog.Network{ID: agg, Currency: "USD", Zone: "America/New_York"}))
	for i, id := range []string{"basic", "prime"} {
		need(t, "PutLocation", eng.PutLocation(ctx, catalog.Location{Network: agg, ID: id, Zone: "America/New_York", Tier: i + 1}))
	}
	need(t, "PutProduct", eng.PutProduct(ctx, pass.Product{Network: agg, ID: "monthly", Kind: pass.Day, Units: 31, Tier: 1,
		Price: usd("49"), Validity: calendar.Validity{Months: 1}, Activation: pass.OnPurchase}))
	need(t, "PutProduct", eng.PutProduct(ctx, pass.Product{Network: agg, ID: "monthly-2", Kind: pass.Day, Units: 31, Tier: 2,
		Price: usd("79"), Validity: calendar.Validity{Months: 1}, Activation: pass.OnPurchase}))
	declared := aggAt(1, 12)
	for _, id := range []string{"ana", "ben"} {
		need(t, "PutHolder", eng.PutHolder(ctx, catalog.Holder{Network: agg, ID: id, Audience: catalog.Member, HealthDeclaredAt: &declared}))
	}
	need(t, "PutTerms", eng.PutTerms(ctx, billing.Terms{Network: agg, Location: "basic", ID: "basic-v1", EffectiveFrom: clock.Now(),
		Rates: []billing.Rate{{Tier: 1, Amount: usd("5")}}, MonthlyVisitCap: 4, PAYGShare: decimal.Zero}))
	need(t, "PutTerms", eng.PutTerms(ctx, billing.Terms{Network: agg, Location: "prime", ID: "prime-v1", EffectiveFrom: clock.Now(),
		Rates: []billing.Rate{{Tier: 1, Amount: usd("10.00")}}, PAYGShare: decimal.Zero}))
	return eng, clock
}

func aggIssue(t *testing.T, eng *passengine.Engine, key, holder, product string) (pass.Pass, string) {
	t.Helper()
	ctx := context.Background()
	p, err := eng.IssuePass(ctx, passengine.IssueRequest{Key: key, Network: agg, Product: product, Holder: holder, Passcode: true})
	need(t, "IssuePass "+key, err)
	code, err := eng.Passcode(ctx, agg, p.ID)
	need(t, "Passcode "+key, err)
	return p, code
}

func aggRedeem(eng *passengine.Engine, key, club, code string) (passengine.RedeemResult, error) {
	return eng.Redeem(context.Background(), passengine.RedeemRequest{Key: key, Network: agg, Location: club, Code: code})
}

// wrongCode returns the i-th code that is not good.
func wrongCode(i int, good string) string {
	c := fmt.Sprintf("%08d", 24_680_000+i)
	if c == good {
		c = fmt.Sprintf("%08d", 24_690_000+i)
	}
	return c
}

// testEngineRedeem: codes are stored as a hash the store finds them by and
// a seal the app opens; a redemption records a visit with the terms in
// force and takes a day unit once a day; a tier refusal and a missing
// code are told apart; feedback opens after a redemption (P1, P3, P4).
func (s *storeSuite) testEngineRedeem(t *testing.T) {
	st := s.store(t)
	eng, clock := newAgg(t, st, rand.NewChaCha8([32]byte{1}))
	ctx := context.Background()
	p, code := aggIssue(t, eng, "issue-ana", "ana", "monthly")
	if stored := storedPass(t, st, agg, p.ID); stored.CodeHash == "" || stored.CodeSealed == "" {
		t.Fatalf("stored code: got hash %q, seal %q; want both", stored.CodeHash, stored.CodeSealed)
	}
	if p.CodeHash != "" || p.CodeSealed != "" { // secrets are never in a result (JSON.md)
		t.Errorf("issued pass: got hash %q, seal %q; want neither in a result", p.CodeHash, p.CodeSealed)
	}
	r, err := aggRedeem(eng, "r1", "basic", code)
	need(t, "Redeem", err)
	if r.Visit.Terms != "basic-v1" || r.Holder.ID != "ana" || !r.Health.Done || r.Balance != 30 {
		t.Errorf("redeemed: got terms %q holder %q health %+v balance %d", r.Visit.Terms, r.Holder.ID, r.Health, r.Balance)
	}
	clock.Advance(4 * time.Hour)
	if r2, err := aggRedeem(eng, "r2", "basic", code); err != nil || r2.Balance != 30 || r2.Visit.CoveredBy != r.Visit.ID {
		t.Errorf("same day again: got %+v, %v; want covered by %s, balance 30", r2.Visit, err, r.Visit.ID)
	}
	if _, err := aggRedeem(eng, "r3", "prime", code); !errors.Is(err, passengine.ErrNotIncluded) {
		t.Errorf("tier refusal: got %v, want ErrNotIncluded", err)
	}
	ok, err := eng.CanLeaveFeedback(ctx, agg, "ana", "basic")
	need(t, "CanLeaveFeedback", err)
	if no, _ := eng.CanLeaveFeedback(ctx, agg, "ana", "prime"); !ok || no {
		t.Errorf("feedback: got basic %v prime %v, want true false", ok, no)
	}
	// Rotation: the old code is unknown, the new one works.
	_, err = eng.RotatePasscode(ctx, passengine.PasscodeRequest{Key: "rot", Network: agg, Pass: p.ID})
	need(t, "RotatePasscode", err)
	if _, err := aggRedeem(eng, "r4", "basic", code); !errors.Is(err, passengine.ErrUnknownCode) {
		t.Errorf("old code: got %v, want ErrUnknownCode", err)
	}
	code2, err := eng.Passcode(ctx, agg, p.ID)
	need(t, "Passcode", err)
	if _, err := aggRedeem(eng, "r5", "basic", code2); err != nil {
		t.Errorf("new code: %v", err)
	}
	verify(t, st, agg)
}

// testEngineLockout: the sixth wrong code locks the club, committed
// although each redemption was refused; the right code is refused with the
// lock's end; a manager unlocks (P2).
func (s *storeSuite) testEngineLockout(t *testing.T) {
	st := s.store(t)
	eng, clock := newAgg(t, st, rand.NewChaCha8([32]byte{2}))
	ctx := context.Background()
	_, code := aggIssue(t, eng, "issue-ana", "ana", "monthly")
	for i := range 6 {
		r, err := aggRedeem(eng, fmt.Sprint("w", i), "basic", wrongCode(i, code))
		if !errors.Is(err, passengine.ErrUnknownCode) || r.LockedUntil.IsZero() != (i < 5) {
			t.Fatalf("wrong code %d: got %v, locked until %v", i, err, r.LockedUntil)
		}
		clock.Advance(time.Minute)
	}
	_, err := aggRedeem(eng, "good", "basic", code)
	var re *passengine.RedeemError
	if !errors.As(err, &re) || !errors.Is(err, passengine.ErrLocationLocked) || !re.LockedUntil.Equal(aggAt(2, 8).Add(5*time.Minute+24*time.Hour)) {
		t.Fatalf("right code while locked: got %v, want locked until a day after the sixth failure", err)
	}
	g, err := eng.Guard(ctx, agg, "basic")
	need(t, "Guard", err)
	if !g.Locked(clock.Now()) {
		t.Errorf("stored guard: got %+v, want locked", g)
	}
	_, err = eng.Unlock(ctx, passengine.UnlockRequest{Key: "unlock", Network: agg, Location: "basic", Actor: "manager"})
	need(t, "Unlock", err)
	if _, err := aggRedeem(eng, "good-2", "basic", code); err != nil {
		t.Errorf("after unlock: %v", err)
	}
}

// testEngineLockoutConcurrent: 50 wrong codes at once at one club: at most
// 6 are evaluated, and the right code is then refused (P2: the failure
// count is updated in the same transaction as the check).
func (s *storeSuite) testEngineLockoutConcurrent(t *testing.T) {
	st := s.store(t)
	eng, _ := newAgg(t, st, rand.NewChaCha8([32]byte{3}))
	_, code := aggIssue(t, eng, "issue-ana", "ana", "monthly")
	const n = 50
	var mu sync.Mutex
	count := map[checkin.RedeemOutcome]int{}
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := aggRedeem(eng, fmt.Sprint("w", i), "prime", wrongCode(i, code))
			var re *passengine.RedeemError
			if !errors.As(err, &re) {
				t.Errorf("wrong code %d: got %v, want a RedeemError", i, err)
				return
			}
			mu.Lock()
			count[r.Outcome]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if count[checkin.UnknownCode] > 6 || count[checkin.UnknownCode]+count[checkin.LocationLocked] != n {
		t.Errorf("outcomes: got %v, want at most 6 unknown_code, the rest location_locked", count)
	}
	if _, err := aggRedeem(eng, "good", "prime", code); !errors.Is(err, passengine.ErrLocationLocked) {
		t.Errorf("right code: got %v, want ErrLocationLocked", err)
	}
}

// testEnginePayout: a terms change mid-month does not reprice earlier
// visits, a cap of 4 paid visits pays the 5th nothing, lines are rounded
// and totals are their sums, and the statement is the same when computed
// again (Y1-Y3).
func (s *storeSuite) testEnginePayout(t *testing.T) {
	st := s.store(t)
	eng, clock := newAgg(t, st, rand.NewChaCha8([32]byte{4}))
	ctx := context.Background()
	_, ana := aggIssue(t, eng, "issue-ana", "ana", "monthly")
	_, ben := aggIssue(t, eng, "issue-ben", "ben", "monthly-2")
	for day := 2; day <= 6; day++ {
		clock.Set(aggAt(day, 9))
		_, err := aggRedeem(eng, fmt.Sprint("ana-", day), "basic", ana)
		need(t, "Redeem", err)
		_, err = aggRedeem(eng, fmt.Sprint("ben-", day), "prime", ben)
		need(t, "Redeem", err)
	}
	clock.Set(aggAt(15, 0))
	need(t, "PutTerms", eng.PutTerms(ctx, billing.Terms{Network: agg, Location: "prime", ID: "prime-v2", EffectiveFrom: clock.Now(),
		Rates: []billing.Rate{{Tier: 1, Amount: usd("7")}}, PAYGShare: decimal.Zero}))
	clock.Set(aggAt(16, 9))
	_, err := aggRedeem(eng, "ben-16", "prime", ben)
	need(t, "Redeem", err)
	req := passengine.PayoutRequest{Network: agg, From: calendar.NewDate(2026, 3, 1), To: calendar.NewDate(2026, 3, 31)}
	stmt, err := eng.Payout(ctx, req)
	need(t, "Payout", err)
	var got []string
	for _, l := range stmt.Lines {
		got = append(got, l.Location+" "+l.Amount.Amount.StringFixed(2))
	}
	want := []string{"basic 5.00", "basic 5.00", "basic 5.00", "basic 5.00", "basic 0.00",
		"prime 10.00", "prime 10.00", "prime 10.00", "prime 10.00", "prime 10.00", "prime 7.00"}
	same(t, "statement lines", got, want)
	if stmt.Total.Amount.StringFixed(2) != "77.00" || len(stmt.Locations) != 2 ||
		stmt.Locations[0].Total.Amount.StringFixed(2) != "20.00" || stmt.Locations[1].Total.Amount.StringFixed(2) != "57.00" {
		t.Errorf("totals: got %s, %+v; want 77.00 = 20.00 + 57.00", stmt.Total, stmt.Locations)
	}
	again, err := eng.Payout(ctx, req)
	need(t, "Payout", err)
	same(t, "statement computed again", again, stmt)
}

// testEnginePutTermsAgain checks that seeding may run again (Y1): storing
// a terms version again with the same content, its amounts written at
// another scale and the zero monthly cap, changes nothing and returns nil,
// on every store; the version with other content is refused with a
// *TermsExistError (ErrExists, code "exists") and leaves the stored
// version as it was.
func (s *storeSuite) testEnginePutTermsAgain(t *testing.T) {
	st := s.store(t)
	eng, clock := newAgg(t, st, rand.NewChaCha8([32]byte{5}))
	ctx := context.Background()
	v1 := billing.Terms{Network: agg, Location: "prime", ID: "prime-v1", EffectiveFrom: aggAt(2, 8),
		Rates: []billing.Rate{{Tier: 1, Amount: usd("10")}}, PAYGShare: decimal.Zero}
	before, err := eng.TermsVersions(ctx, agg, "prime")
	need(t, "TermsVersions", err)
	clock.Set(aggAt(9, 8))
	for i := 0; i < 2; i++ {
		if err := eng.PutTerms(ctx, v1); err != nil {
			t.Fatalf("PutTerms of the same version, time %d: got %v, want nil", i+1, err)
		}
	}
	changed := v1
	changed.Rates = []billing.Rate{{Tier: 1, Amount: usd("11")}}
	err = eng.PutTerms(ctx, changed)
	var exists *passengine.TermsExistError
	if !errors.As(err, &exists) || !errors.Is(err, passengine.ErrExists) || exists.ID != "prime-v1" || exists.Location != "prime" {
		t.Fatalf("PutTerms of a changed version: got %v, want a *TermsExistError for prime-v1 at prime", err)
	}
	if got, want := passengine.CodeOf(err), passengine.CodeExists; got != want {
		t.Errorf("code of the changed version's error: got %q, want %q", got, want)
	}
	after, err := eng.TermsVersions(ctx, agg, "prime")
	need(t, "TermsVersions", err)
	if len(after) != len(before) || len(after) != 1 || !after[0].Same(before[0]) {
		t.Errorf("versions after putting again: got %+v, want %+v", after, before)
	}
}
