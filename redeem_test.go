package passengine_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/pass"
)

// wantRedeemError returns the *RedeemError of err, failing unless it has
// outcome want and unwraps to sentinel.
func wantRedeemError(t testing.TB, err error, want checkin.RedeemOutcome, sentinel error) *passengine.RedeemError {
	t.Helper()
	var re *passengine.RedeemError
	if !errors.As(err, &re) || re.Outcome != want || !errors.Is(err, sentinel) {
		t.Fatalf("got %v, want a RedeemError %s (%v)", err, want, sentinel)
	}
	return re
}

// Rule P2: more than 5 failed codes at a club within 15 minutes lock
// redemption there for 24 hours: the sixth failure locks; while locked
// every code, the right one too, is refused with the lock's end; other
// clubs are not affected; after 24 hours the club works again.
func TestRule_P2_LockAfterMoreThanFiveFailures(t *testing.T) {
	w := newAggWorld(t)
	good := w.code(w.issue("ana", "monthly-plus").ID)
	start := w.clock.Now()
	for i := 1; i <= 6; i++ {
		r, err := w.redeem("plus", w.wrongCode(i, good))
		re := wantRedeemError(t, err, checkin.UnknownCode, passengine.ErrUnknownCode)
		if locked := !r.LockedUntil.IsZero(); locked != (i == 6) {
			t.Fatalf("failure %d: locked %v, want %v", i, locked, i == 6)
		}
		if i == 6 && (!re.LockedUntil.Equal(w.clock.Now().Add(24*time.Hour)) || !strings.Contains(re.Error(), "locked until")) {
			t.Errorf("sixth failure: got %v, want locked until %s", re, w.clock.Now().Add(24*time.Hour))
		}
		w.clock.Advance(time.Minute)
	}
	until := start.Add(5*time.Minute + 24*time.Hour).UTC()
	_, err := w.redeem("plus", good)
	re := wantRedeemError(t, err, checkin.LocationLocked, passengine.ErrLocationLocked)
	if !re.LockedUntil.Equal(until) {
		t.Errorf("locked until: got %s, want %s", re.LockedUntil, until)
	}
	if g := w.guard("plus"); !g.Locked(w.clock.Now()) || !g.LockedUntil.Equal(until) {
		t.Errorf("guard: got %+v, want locked until %s", g, until)
	}
	if len(w.redemptions()) != 0 {
		t.Fatalf("visits while locked: got %d, want 0", len(w.redemptions()))
	}
	w.mustRedeem("basic", good) // another club
	w.clock.Set(until.Add(-time.Second))
	_, err = w.redeem("plus", good)
	wantRedeemError(t, err, checkin.LocationLocked, passengine.ErrLocationLocked)
	w.clock.Set(until)
	w.mustRedeem("plus", good)
}

// Rule P2: failures older than 15 minutes do not count; a failure exactly
// 15 minutes old is out of the window.
func TestRule_P2_WindowSlides(t *testing.T) {
	w := newAggWorld(t)
	for i := 0; i < 5; i++ {
		_, err := w.redeem("plus", w.wrongCode(i))
		wantRedeemError(t, err, checkin.UnknownCode, passengine.ErrUnknownCode)
	}
	w.clock.Advance(15 * time.Minute)
	for i := 5; i < 10; i++ {
		r, _ := w.redeem("plus", w.wrongCode(i))
		if !r.LockedUntil.IsZero() {
			t.Fatalf("failure %d: locked, want the first five out of the window", i+1)
		}
	}
	if r, _ := w.redeem("plus", w.wrongCode(10)); r.LockedUntil.IsZero() {
		t.Error("sixth failure within 15 minutes: not locked")
	}
}

// Rule P2: 50 wrong codes at once at one club: at most 6 are evaluated
// (the sixth locks), the rest are refused as locked, and then the right
// code is refused too.
func TestRule_P2_ConcurrentWrongCodes(t *testing.T) {
	w := newAggWorld(t)
	good := w.code(w.issue("ana", "monthly-plus").ID)
	const n = 50
	outcomes := make([]checkin.RedeemOutcome, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := w.eng.Redeem(w.ctx, passengine.RedeemRequest{Key: fmt.Sprintf("wrong-%d", i), Network: aggNet,
				Location: "prime", Code: w.wrongCode(i, good)})
			var re *passengine.RedeemError
			if !errors.As(err, &re) {
				t.Errorf("goroutine %d: got %v, want a RedeemError", i, err)
			}
			outcomes[i] = r.Outcome
		}()
	}
	wg.Wait()
	count := map[checkin.RedeemOutcome]int{}
	for _, o := range outcomes {
		count[o]++
	}
	if count[checkin.UnknownCode] > 6 || count[checkin.UnknownCode]+count[checkin.LocationLocked] != n {
		t.Errorf("outcomes: got %v, want at most 6 unknown_code and the rest location_locked", count)
	}
	if count[checkin.UnknownCode] != 6 {
		t.Errorf("evaluated: got %d, want 6 (every one before the lock counts)", count[checkin.UnknownCode])
	}
	_, err := w.redeem("prime", good)
	wantRedeemError(t, err, checkin.LocationLocked, passengine.ErrLocationLocked)
}

// Rule P2: a manager unlocks a club; the right code then works. Unlock
// needs an actor and is idempotent.
func TestRule_P2_ManagerUnlock(t *testing.T) {
	w := newAggWorld(t)
	good := w.code(w.issue("ana", "monthly-plus").ID)
	for i := 0; i < 6; i++ {
		w.redeem("plus", w.wrongCode(i, good))
	}
	until := w.guard("plus").LockedUntil
	req := passengine.UnlockRequest{Key: "unlock-1", Network: aggNet, Location: "plus", Actor: "manager-zoe", Comment: "customer at the desk"}
	r, err := w.eng.Unlock(w.ctx, req)
	w.must(err)
	if !r.WasLocked || !r.LockedUntil.Equal(until) || r.Actor != "manager-zoe" {
		t.Errorf("unlock: got %+v, want was locked until %s by manager-zoe", r, until)
	}
	if g := w.guard("plus"); g.Locked(w.clock.Now()) || len(g.Failures) != 0 {
		t.Errorf("guard after unlock: got %+v, want clear", g)
	}
	w.mustRedeem("plus", good)
	again, err := w.eng.Unlock(w.ctx, req)
	if err != nil || again != r {
		t.Errorf("replay: got %+v, %v, want %+v", again, err, r)
	}
	req.Actor = ""
	_, err = w.eng.Unlock(w.ctx, req)
	wantFieldError(t, err, "actor")
	_, err = w.eng.Unlock(w.ctx, passengine.UnlockRequest{Key: "u2", Network: aggNet, Location: "nowhere", Actor: "m"})
	if !errors.Is(err, passengine.ErrNotFound) {
		t.Errorf("unknown club: got %v, want ErrNotFound", err)
	}
}

// Rule P2 with I1: a failed redemption is a committed result kept under
// its key: retrying it returns the same refusal and does not count again.
func TestRule_P2_RetriedFailureCountsOnce(t *testing.T) {
	w := newAggWorld(t)
	req := passengine.RedeemRequest{Key: "desk-1", Network: aggNet, Location: "plus", Code: w.wrongCode(0)}
	for i := 0; i < 10; i++ {
		_, err := w.eng.Redeem(w.ctx, req)
		wantRedeemError(t, err, checkin.UnknownCode, passengine.ErrUnknownCode)
	}
	if got := len(w.guard("plus").Failures); got != 1 {
		t.Errorf("failures: got %d, want 1", got)
	}
	req.Code = w.wrongCode(1)
	if _, err := w.eng.Redeem(w.ctx, req); !errors.Is(err, passengine.ErrKeyReused) {
		t.Errorf("same key, other code: got %v, want ErrKeyReused", err)
	}
}

// Rule P2: the thresholds are host options.
func TestRule_P2_LockoutOption(t *testing.T) {
	w := newAggWorld(t, passengine.WithLockout(checkin.Lockout{MaxFailures: 2, Window: time.Minute, Duration: time.Hour}))
	w.redeem("plus", w.wrongCode(0))
	w.redeem("plus", w.wrongCode(1))
	r, _ := w.redeem("plus", w.wrongCode(2))
	if want := w.clock.Now().Add(time.Hour).UTC(); !r.LockedUntil.Equal(want) {
		t.Errorf("locked until: got %s, want %s", r.LockedUntil, want)
	}
}

// Rule P2 with S2: a code that is not 8 digits is refused as bad input and
// not counted; a redemption dated in the future is refused.
func TestRule_P2_MalformedCodeNotCounted(t *testing.T) {
	w := newAggWorld(t)
	for _, c := range []string{"123", "1234567x", "123456789", ""} {
		_, err := w.redeem("plus", c)
		wantFieldError(t, err, "code")
	}
	if g := w.guard("plus"); len(g.Failures) != 0 {
		t.Errorf("failures: got %d, want 0", len(g.Failures))
	}
	_, err := w.eng.Redeem(w.ctx, passengine.RedeemRequest{Key: "f", Network: aggNet, Location: "plus", Code: "12345678",
		At: w.clock.Now().Add(passengine.DefaultClockSkew + time.Minute)})
	wantFieldError(t, err, "at")
	_, err = w.eng.Redeem(w.ctx, passengine.RedeemRequest{Key: "g", Network: aggNet, Location: "nowhere", Code: "12345678"})
	if !errors.Is(err, passengine.ErrNotFound) {
		t.Errorf("unknown club: got %v, want ErrNotFound", err)
	}
}

// Rule P3: a known code is checked with G1-G6 and the health declaration,
// and each refusal is its own outcome: the club above the pass's tier
// ("the club is more expensive"), a club not among the pass's, an expired
// pass, one not active yet, a frozen one, a used-up one, a holder without a
// health declaration. A refusal writes nothing and is not a failed code.
func TestRule_P3_RefusalsTellWhy(t *testing.T) {
	w := newAggWorld(t)
	w.product(pass.Product{Network: aggNet, ID: "basic-only", Kind: pass.Visits, Units: 5, Tier: 3, Locations: []string{"basic"},
		Price: eur("20"), Activation: pass.OnPurchase})
	w.product(pass.Product{Network: aggNet, ID: "summer", Kind: pass.Visits, Units: 5, Tier: 3, Price: eur("20"),
		Activation: pass.MerchantSet, Locked: true})
	w.product(pass.Product{Network: aggNet, ID: "single", Kind: pass.Visits, Units: 1, Tier: 3, Price: eur("9"),
		Activation: pass.OnPurchase})
	monthly := w.issue("ana", "monthly-plus")
	basicOnly := w.issue("ana", "basic-only")
	summer, err := w.eng.IssuePass(w.ctx, passengine.IssueRequest{Key: "summer", Network: aggNet, Product: "summer", Holder: "ana",
		ActivatedOn: calendar.NewDate(2026, 6, 1), ExpiresOn: calendar.NewDate(2026, 8, 31), Passcode: true})
	w.must(err)
	frozen := w.issue("ben", "monthly-plus")
	_, err = w.eng.Freeze(w.ctx, passengine.FreezeRequest{Key: "fr", Network: aggNet, Pass: frozen.ID,
		From: calendar.NewDate(2026, 3, 1), To: calendar.NewDate(2026, 3, 10)})
	w.must(err)
	single := w.issue("ben", "single")
	w.mustRedeem("prime", w.code(single.ID))
	noDecl := w.issue("cy", "monthly-plus")
	old := w.issue("ben", "visits-5")
	tests := []struct {
		name     string
		pass     pass.Pass
		club     string
		at       time.Time
		want     checkin.RedeemOutcome
		reason   entitlement.Reason
		sentinel error
	}{
		{"tier above the pass", monthly, "prime", time.Time{}, checkin.NotIncluded, entitlement.TierTooLow, passengine.ErrNotIncluded},
		{"club not on the pass", basicOnly, "plus", time.Time{}, checkin.NotIncluded, entitlement.NotCovered, passengine.ErrNotIncluded},
		{"not active yet", summer, "plus", time.Time{}, checkin.PassNotActive, entitlement.Early, passengine.ErrPassNotUsable},
		{"frozen", frozen, "plus", time.Time{}, checkin.PassFrozen, entitlement.Frozen, passengine.ErrPassNotUsable},
		{"used up", single, "prime", time.Date(2026, 3, 3, 9, 0, 0, 0, london), checkin.PassUsedUp, entitlement.NoBalance, passengine.ErrPassNotUsable},
		{"no health declaration", noDecl, "plus", time.Time{}, checkin.NoHealthDeclaration, "", passengine.ErrNoHealthDeclaration},
		{"expired", old, "basic", time.Date(2026, 6, 3, 9, 0, 0, 0, london), checkin.PassExpired, entitlement.Expired, passengine.ErrPassNotUsable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.at.IsZero() {
				w.clock.Set(tt.at)
			}
			before := w.pass(tt.pass.ID)
			visits := len(w.redemptions())
			r, err := w.redeem(tt.club, w.code(tt.pass.ID))
			re := wantRedeemError(t, err, tt.want, tt.sentinel)
			if re.Reason != tt.reason || r.Pass != tt.pass.ID || r.Product != tt.pass.Product {
				t.Errorf("got reason %q pass %s product %s, want %q %s %s", re.Reason, r.Pass, r.Product, tt.reason, tt.pass.ID, tt.pass.Product)
			}
			if after := w.pass(tt.pass.ID); after.Balance != before.Balance || len(w.redemptions()) != visits {
				t.Errorf("refusal wrote: balance %d -> %d, visits %d -> %d", before.Balance, after.Balance, visits, len(w.redemptions()))
			}
			if g := w.guard(tt.club); len(g.Failures) != 0 {
				t.Errorf("a known code counted as a failure: %d", len(g.Failures))
			}
		})
	}
	_, err = w.redeem("prime", w.code(monthly.ID))
	if !strings.Contains(err.Error(), "more expensive") || !errors.Is(err, entitlement.ErrNoEntitlement) {
		t.Errorf("tier refusal: got %q, want it to say the club is more expensive and be ErrNoEntitlement", err)
	}
}

// Rule P3: success records a redemption visit with the holder, club,
// instant and terms version in force, takes one unit, and returns the
// holder and the health declaration for the desk; the same key returns the
// same result and takes nothing more.
func TestRule_P3_SuccessRecordsVisit(t *testing.T) {
	w := newAggWorld(t)
	p := w.issue("ben", "visits-5")
	req := passengine.RedeemRequest{Key: "desk-7", Network: aggNet, Location: "basic", Code: w.code(p.ID), Actor: "desk"}
	r, err := w.eng.Redeem(w.ctx, req)
	w.must(err)
	v := r.Visit
	if r.Outcome != checkin.Redeemed || v.Kind != checkin.Redemption || v.Holder != "ben" || v.Location != "basic" ||
		!v.Start.Equal(w.clock.Now()) || v.Terms != "basic-v1" || v.Pass != p.ID || v.Status != checkin.Closed {
		t.Errorf("visit: got %+v", v)
	}
	if r.Holder.ID != "ben" || r.Holder.Name != "Ben" || !r.Health.Done || r.Health.At == nil ||
		!r.Health.At.Equal(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)) || r.Balance != 4 {
		t.Errorf("desk view: got holder %+v health %+v balance %d", r.Holder, r.Health, r.Balance)
	}
	stored, err := w.eng.Visit(w.ctx, aggNet, v.ID)
	w.must(err)
	if stored.Terms != "basic-v1" {
		t.Errorf("stored terms: got %q, want basic-v1", stored.Terms)
	}
	es := w.ledger(p.ID)
	if last := es[len(es)-1]; last.Type != pass.EntryUse || last.Units != -1 || last.Visit != v.ID || last.Actor != "desk" {
		t.Errorf("ledger: got %+v, want a use of 1 for the visit", last)
	}
	again, err := w.eng.Redeem(w.ctx, req)
	w.must(err)
	if again.Visit.ID != v.ID || w.pass(p.ID).Balance != 4 || len(w.redemptions()) != 1 {
		t.Errorf("replay: got visit %s, balance %d, %d visits; want %s, 4, 1", again.Visit.ID, w.pass(p.ID).Balance, len(w.redemptions()), v.ID)
	}
	// A desk event replayed later keeps its instant.
	w.clock.Advance(2 * time.Hour)
	at := w.clock.Now().Add(-time.Hour)
	late, err := w.eng.Redeem(w.ctx, passengine.RedeemRequest{Key: "offline-1", Network: aggNet, Location: "basic", Code: w.code(p.ID), At: at})
	w.must(err)
	if !late.Visit.Start.Equal(at) {
		t.Errorf("offline visit start: got %s, want %s", late.Visit.Start, at)
	}
}

// Rule P3 with C2: a subscription (a day pass) takes one day unit per
// business day: a second redemption that day, at another club, is
// recorded (each club is paid) and takes nothing; the next day takes one.
func TestRule_P3_SubscriptionOneDayUnitPerDay(t *testing.T) {
	w := newAggWorld(t)
	p := w.issue("ana", "monthly-plus")
	code := w.code(p.ID)
	first := w.mustRedeem("basic", code)
	w.clock.Advance(10 * time.Hour)
	second := w.mustRedeem("plus", code)
	if second.Visit.CoveredBy != first.Visit.ID || second.Balance != 30 {
		t.Errorf("second visit: covered by %q, balance %d; want %s, 30", second.Visit.CoveredBy, second.Balance, first.Visit.ID)
	}
	w.clock.Advance(14 * time.Hour)
	if third := w.mustRedeem("plus", code); third.Balance != 29 || third.Visit.CoveredBy != "" {
		t.Errorf("next day: balance %d covered by %q, want 29 and none", third.Balance, third.Visit.CoveredBy)
	}
	// A day pass activating on first use activates on the redemption date.
	d := w.issue("ben", "day-prime")
	r := w.mustRedeem("prime", w.code(d.ID))
	if pv := w.pass(d.ID); pv.ActivatedOn != calendar.NewDate(2026, 3, 3) || r.Visit.Activated != d.ID || pv.Balance != 0 {
		t.Errorf("day pass: activated %s by %q balance %d, want 2026-03-03, the visit, 0", pv.ActivatedOn, r.Visit.Activated, pv.Balance)
	}
	w.clock.Advance(2 * time.Hour)
	w.mustRedeem("prime", w.code(d.ID)) // the same day: still covered
	w.clock.Advance(24 * time.Hour)
	_, err := w.redeem("prime", w.code(d.ID))
	wantRedeemError(t, err, checkin.PassUsedUp, passengine.ErrPassNotUsable)
}

// benchWorld returns a world whose holder "ana" has a visits pass that no
// benchmark uses up, and its code.
func benchWorld(b *testing.B, opts ...passengine.Option) (*aggWorld, string) {
	w := newAggWorld(b, opts...)
	w.product(pass.Product{Network: aggNet, ID: "bench", Kind: pass.Visits, Units: field.MaxCount, Tier: 3, Price: eur("1"), Activation: pass.OnPurchase})
	return w, w.code(w.issue("ana", "bench").ID)
}

// BenchmarkRedeem measures Redeem on memstore: a success (one visit taken
// from a visits pass and recorded), an unknown code (counted in the
// club's guard; the lockout's maximum is raised so it never locks), and a
// refusal at a locked club.
func BenchmarkRedeem(b *testing.B) {
	b.Run("success", func(b *testing.B) {
		w, code := benchWorld(b)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			if _, err := w.eng.Redeem(w.ctx, passengine.RedeemRequest{Key: fmt.Sprint("s", i), Network: aggNet, Location: "plus", Code: code}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("unknown_code", func(b *testing.B) {
		w, code := benchWorld(b, passengine.WithLockout(checkin.Lockout{MaxFailures: 1 << 30, Window: time.Minute}))
		wrong := w.wrongCode(0, code)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			w.clock.Advance(time.Second) // at most 60 failures in the window
			if _, err := w.eng.Redeem(w.ctx, passengine.RedeemRequest{Key: fmt.Sprint("u", i), Network: aggNet, Location: "plus", Code: wrong}); !errors.Is(err, passengine.ErrUnknownCode) {
				b.Fatal(err)
			}
		}
	})
	b.Run("locked", func(b *testing.B) {
		w, code := benchWorld(b)
		for i := 0; i < 6; i++ {
			w.redeem("plus", w.wrongCode(i, code))
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			if _, err := w.eng.Redeem(w.ctx, passengine.RedeemRequest{Key: fmt.Sprint("l", i), Network: aggNet, Location: "plus", Code: code}); !errors.Is(err, passengine.ErrLocationLocked) {
				b.Fatal(err)
			}
		}
	})
}
