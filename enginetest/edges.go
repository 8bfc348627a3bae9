package enginetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

// RunEdges runs on stores open makes the edges whose answer depends on
// what a store keeps and returns (issue "Edges that cost money"): context
// cancellation, the passcode key check, and a day's PAYG cap across
// visits begun on earlier days.
func RunEdges(t *testing.T, open func(t *testing.T) store.Store) {
	t.Run("ContextCancel", func(t *testing.T) { runContextCancel(t, open(t)) })
	t.Run("CodeKeyMismatch", func(t *testing.T) { runCodeKeyMismatch(t, open(t)) })
	t.Run("CapCountsEarlierDays", func(t *testing.T) { runCapCountsEarlierDays(t, open(t)) })
}

// edgeWorld builds network "edges" on st: a location in New York, PAYG at
// $15 an hour for contacts with a $100 cap, holders h0 to h(n-1), all
// contacts.
func edgeWorld(t *testing.T, st store.Store, holders int, opts ...passengine.Option) (*passengine.Engine, *passengine.ManualClock) {
	t.Helper()
	ctx := context.Background()
	clock := passengine.NewManualClock(time.Date(2026, 10, 5, 12, 0, 0, 0, time.UTC))
	eng := passengine.New(st, append([]passengine.Option{passengine.WithClock(clock), passengine.WithIDs(seqIDs("e%06d"))}, opts...)...)
	usd := func(s string) money.Money { return money.MustNew(s, "USD") }
	errs := []error{
		eng.PutNetwork(ctx, catalog.Network{ID: "edges", Currency: "USD", Zone: "America/New_York"}),
		eng.PutLocation(ctx, catalog.Location{Network: "edges", ID: "club", Zone: "America/New_York"}),
		eng.PutPAYG(ctx, billing.PAYG{Network: "edges", ID: "walk-in", Prices: []billing.Price{{Audience: catalog.Contact, Hourly: usd("15")}},
			DailyCap: usd("100")}),
	}
	for i := range holders {
		errs = append(errs, eng.PutHolder(ctx, catalog.Holder{Network: "edges", ID: fmt.Sprint("h", i), Audience: catalog.Contact}))
	}
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	return eng, clock
}

// runContextCancel: calls whose context is cancelled at any moment either
// succeed or return the context's error, never a driver's ("sql:
// statement is closed"), and a cancelled check-in writes nothing.
func runContextCancel(t *testing.T, st store.Store) {
	const n = 2000
	eng, _ := edgeWorld(t, st, n+1)
	// Time one call, so the deadlines fall anywhere inside one on any store.
	start := time.Now()
	if _, err := eng.CheckIn(context.Background(), passengine.CheckInRequest{Key: "timed", Network: "edges", Holder: fmt.Sprint("h", n), Location: "club"}); err != nil {
		t.Fatal(err)
	}
	span := max(4*time.Since(start), 100*time.Microsecond)
	rng := rand.New(rand.NewPCG(1, 2))
	deadline := func() time.Duration { return time.Duration(rng.Int64N(int64(span))) }
	isCtx := func(err error) bool {
		return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
	}
	cancelled, tried := 0, 0
	// At least 200 calls, and up to n while under 5 seconds: the rare race
	// this looks for (about 1 call in 2,000 on SQLite) wants many calls
	// where calls are fast.
	for begin := time.Now(); tried < n && (tried < 200 || time.Since(begin) < 5*time.Second); tried++ {
		i := tried
		ctx, cancel := context.WithTimeout(context.Background(), deadline())
		in, err := eng.CheckIn(ctx, passengine.CheckInRequest{Key: fmt.Sprint("in-", i), Network: "edges", Holder: fmt.Sprint("h", i), Location: "club"})
		cancel()
		if err != nil {
			if !isCtx(err) {
				t.Fatalf("check-in %d: got %v, want success or the context's error", i, err)
			}
			cancelled++
			continue
		}
		ctx, cancel = context.WithTimeout(context.Background(), deadline())
		_, err = eng.CheckOut(ctx, passengine.CheckOutRequest{Key: fmt.Sprint("out-", i), Network: "edges", Visit: in.Visit.ID})
		cancel()
		if err != nil && !isCtx(err) {
			t.Fatalf("check-out %d: got %v, want success or the context's error", i, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := eng.CheckIn(ctx, passengine.CheckInRequest{Key: "late", Network: "edges", Holder: "h0", Location: "club"}); !errors.Is(err, context.Canceled) {
		t.Errorf("check-in with a cancelled context: got %v, want context.Canceled", err)
	}
	t.Logf("%d of %d check-ins cancelled", cancelled, tried)
}

// runCodeKeyMismatch: an Engine with another passcode key than the one
// the network's codes were made with is refused at once, and nothing is
// counted toward the lockout (RULES S6).
func runCodeKeyMismatch(t *testing.T, st store.Store) {
	ctx := context.Background()
	key := []byte(strings.Repeat("k", 32))
	eng, clock := edgeWorld(t, st, 1, passengine.WithCodeKey(key))
	declared := clock.Now().Add(-time.Hour)
	err := errors.Join(
		eng.PutHolder(ctx, catalog.Holder{Network: "edges", ID: "h0", Audience: catalog.Contact, HealthDeclaredAt: &declared}),
		eng.PutProduct(ctx, pass.Product{Network: "edges", ID: "visits", Kind: pass.Visits, Units: 5,
			Price: money.MustNew("50", "USD"), Activation: pass.OnPurchase}),
	)
	if err != nil {
		t.Fatal(err)
	}
	p, err := eng.IssuePass(ctx, passengine.IssueRequest{Key: "issue", Network: "edges", Product: "visits", Holder: "h0", Passcode: true})
	if err != nil {
		t.Fatal(err)
	}
	code, err := eng.Passcode(ctx, "edges", p.ID)
	if err != nil {
		t.Fatal(err)
	}
	other := passengine.New(st, passengine.WithClock(clock), passengine.WithCodeKey([]byte(strings.Repeat("o", 32))))
	for i := range 7 {
		_, err := other.Redeem(ctx, passengine.RedeemRequest{Key: fmt.Sprint("r", i), Network: "edges", Location: "club", Code: code})
		if !errors.Is(err, passengine.ErrCodeKeyMismatch) {
			t.Fatalf("redeem %d with another key: got %v, want ErrCodeKeyMismatch", i, err)
		}
	}
	g, err := eng.Guard(ctx, "edges", "club")
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Failures) != 0 || g.Locked(clock.Now()) {
		t.Errorf("guard after redemptions with another key: %d failures, locked %v; want none", len(g.Failures), g.Locked(clock.Now()))
	}
	if _, err := eng.Redeem(ctx, passengine.RedeemRequest{Key: "ok", Network: "edges", Location: "club", Code: code}); err != nil {
		t.Errorf("redeem with the network's key: %v", err)
	}
}

// runCapCountsEarlierDays: a contact at $15 an hour with a $100 cap stays
// Mon 22:00 to Wed 04:00 ($60 of it on Wednesday), then Wed 09:00-17:00 is
// charged $40: the check-out reads the visit begun two days before
// (RULES C6).
func runCapCountsEarlierDays(t *testing.T, st store.Store) {
	ctx := context.Background()
	eng, clock := edgeWorld(t, st, 1, passengine.WithMaxOpen(48*time.Hour))
	ny, _ := time.LoadLocation("America/New_York")
	at := func(day, hour int) time.Time { return time.Date(2026, 10, day, hour, 0, 0, 0, ny) }
	visit := func(key string, in, out time.Time) passengine.VisitResult {
		t.Helper()
		clock.Set(in)
		r, err := eng.CheckIn(ctx, passengine.CheckInRequest{Key: key + "-in", Network: "edges", Holder: "h0", Location: "club"})
		if err != nil {
			t.Fatal(err)
		}
		clock.Set(out)
		r, err = eng.CheckOut(ctx, passengine.CheckOutRequest{Key: key + "-out", Network: "edges", Visit: r.Visit.ID})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	long := visit("long", at(5, 22), at(7, 4))
	wed := calendar.NewDate(2026, 10, 7)
	for _, c := range long.Visit.Charges {
		if c.Date == wed && c.Amount.String() != "60.00 USD" {
			t.Fatalf("Wednesday's part of the long stay: got %s, want 60.00 USD", c.Amount)
		}
	}
	if got := visit("day", at(7, 9), at(7, 17)).Charge.String(); got != "40.00 USD" {
		t.Errorf("Wednesday 09:00-17:00: got %s, want 40.00 USD", got)
	}
}
