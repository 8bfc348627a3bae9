package enginetest

import (
	"context"
	"testing"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/internal/storecheck"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/storetest"
)

// StoreOptions tunes RunStoreOptions.
type StoreOptions struct {
	// Repeats is how many rounds each double-spend test runs: 0 means 20,
	// or 3 when testing.Short() is set.
	Repeats int
	// Goroutines is how many goroutines check in at once in each round:
	// 0 means 200.
	Goroutines int
	// Units is the balance of the pass they compete for: 0 means 50.
	Units int
}

// RunStore runs the Engine's scenarios on stores open makes, with the
// default StoreOptions: check-in and check-out with day, time and PAYG
// passes (C2, C4, C5), idempotent replay (I1), refusals that write nothing
// (I3), the concurrent double spend of a holder's pass and of a team's
// shared pass (I2), and the aggregator's passcode redemption, lockout and
// payouts (P1-P4, Y1-Y3), and terms seeded again (Y1). They are the conformance suite's Engine half:
// store/storetest checks the repository contract, these check that the
// Engine on the store keeps the rules. open must return a new, empty,
// migrated store each time it is called; RunStore closes it when the test
// that opened it ends.
func RunStore(t *testing.T, open func(t *testing.T) store.Store) {
	RunStoreOptions(t, open, StoreOptions{})
}

// RunStoreOptions is RunStore with StoreOptions.
func RunStoreOptions(t *testing.T, open func(t *testing.T) store.Store, o StoreOptions) {
	if o.Repeats <= 0 {
		o.Repeats = 20
		if testing.Short() {
			o.Repeats = 3
		}
	}
	if o.Goroutines <= 0 {
		o.Goroutines = 200
	}
	if o.Units <= 0 {
		o.Units = 50
	}
	s := &storeSuite{open: open, opts: o}
	t.Run("EngineDay", s.testEngineDay)
	t.Run("EngineTime", s.testEngineTime)
	t.Run("EnginePAYG", s.testEnginePAYG)
	t.Run("EngineIdempotency", s.testEngineIdempotency)
	t.Run("EngineRefusalWritesNothing", s.testEngineRefusal)
	t.Run("EngineResultsOwnTheirPasses", s.testEngineResultsOwnTheirPasses)
	t.Run("DoubleSpendHolder", s.testDoubleSpendHolder)
	t.Run("DoubleSpendTeam", s.testDoubleSpendTeam)
	t.Run("EngineRedeem", s.testEngineRedeem)
	t.Run("EngineLockout", s.testEngineLockout)
	t.Run("EngineLockoutConcurrent", s.testEngineLockoutConcurrent)
	t.Run("EnginePayout", s.testEnginePayout)
	t.Run("EnginePutTermsAgain", s.testEnginePutTermsAgain)
}

type storeSuite struct {
	open func(t *testing.T) store.Store
	opts StoreOptions
}

// store opens a store for t and closes it when t ends.
func (s *storeSuite) store(t *testing.T) store.Store { return storecheck.Open(t, s.open) }

var (
	bg      = context.Background()
	newYork = mustZone("America/New_York")
)

func usd(s string) money.Money { return money.MustNew(s, "USD") }

func amount(s, currency string) money.Money { return money.MustNew(s, currency) }

func date(s string) calendar.Date { return calendar.MustDate(s) }

// The helpers of the scenarios (internal/storecheck, shared with
// store/storetest).
var (
	update  = storecheck.Update
	view    = storecheck.View
	need    = storecheck.Must
	wantErr = storecheck.WantErr
)

// same fails tb when got and want differ as storetest.Diff compares.
func same(tb testing.TB, what string, got, want any) {
	tb.Helper()
	if d := storetest.Diff(got, want); d != "" {
		tb.Errorf("%s: %s", what, d)
	}
}
