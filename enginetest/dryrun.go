package enginetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/entitlement/enttest"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// RunDryRuns checks the dry runs of bookings and redemptions (RULES C10)
// on stores made by newStore, with rapid. Each run builds a network with
// three locations of tiers 0-2 in a zone with DST transitions
// (enttest.GenZone, each with a drawn day cut-off), holders with and
// without a health declaration, one in a team that may share credit,
// products drawn by enttest.GenProduct, a lockout of 1-3 failures, and a
// clock starting near a DST change (enttest.GenDSTInstant). It then drives
// the Engine with random issues (with passcodes where a pass may carry
// one), bookings, cancels, check-ins, redemptions of known and unknown
// codes, unlocks and clock moves; and at random steps asks ExplainBook or
// ExplainRedeem a question and then Book or Redeem the same one at the same
// instant. It fails unless each dry run returns what the real call then
// decides (the new visit's ID aside) and leaves the store unchanged: every
// pass, visit and ledger entry, every location's lockout state, and no
// idempotency record under the dry run's key.
func RunDryRuns(t *testing.T, newStore NewStore) {
	t.Helper()
	rapid.Check(t, func(rt *rapid.T) {
		w := newDryWorld(rt, newStore(rt))
		rt.Repeat(map[string]func(*rapid.T){
			"issue":     w.issue,
			"issueMore": w.issue,
			"book":      func(t *rapid.T) { w.book(t, false) },
			"cancel":    w.cancel,
			"checkIn":   w.checkIn,
			"redeem":    func(t *rapid.T) { w.redeem(t, false) },
			"unlock":    w.unlock,
			"advance":   w.advance,
			"dryBook":   func(t *rapid.T) { w.book(t, true) },
			"dryRedeem": func(t *rapid.T) { w.redeem(t, true) },
		})
	})
}

// dryKey is the passcode key of the dry-run networks.
var dryKey = []byte("enginetest-dry-run-passcode-key!")

type dryWorld struct {
	ctx       context.Context
	eng       *passengine.Engine
	st        store.Store
	clock     *passengine.ManualClock
	locations []string
	holders   []string
	products  []pass.Product
	codes     []string // known passcodes
	bookings  []string
	keys      int
}

func newDryWorld(t *rapid.T, st store.Store) *dryWorld {
	ctx := context.Background()
	z := enttest.GenZone().Draw(t, "zone")
	zone := z.Loc.String()
	clock := passengine.NewManualClock(enttest.GenDSTInstant(z).Draw(t, "start"))
	ids := seqIDs("id%06d")
	lockout := checkin.Lockout{MaxFailures: rapid.IntRange(1, 3).Draw(t, "max_failures"), Window: 15 * time.Minute,
		Duration: time.Duration(rapid.IntRange(1, 24).Draw(t, "lock_hours")) * time.Hour}
	w := &dryWorld{ctx: ctx, st: st, clock: clock,
		eng: passengine.New(st, passengine.WithClock(clock), passengine.WithIDs(ids), passengine.WithCodeKey(dryKey),
			passengine.WithCodeSource(rand.NewChaCha8([32]byte{'d', 'r', 'y'})), passengine.WithLockout(lockout))}
	must(t, w.eng.PutNetwork(ctx, catalog.Network{ID: enttest.Network, Currency: enttest.Currency, Zone: zone}))
	for tier := range 3 {
		id := fmt.Sprintf("club-%d", tier)
		cutoff := rapid.SampledFrom(enttest.Cutoffs).Draw(t, "cutoff")
		must(t, w.eng.PutLocation(ctx, catalog.Location{Network: enttest.Network, ID: id, Zone: zone, DayCutoff: cutoff, Tier: tier}))
		must(t, w.eng.PutTerms(ctx, billing.Terms{Network: enttest.Network, Location: id, ID: id + "-v1", EffectiveFrom: clock.Now(),
			Rates: []billing.Rate{{Tier: 0, Amount: money.MustNew("5", enttest.Currency)}}, PAYGShare: decimal.Zero}))
		w.locations = append(w.locations, id)
	}
	must(t, w.eng.PutTeam(ctx, catalog.Team{Network: enttest.Network, ID: "crew", CreditSharing: rapid.Bool().Draw(t, "sharing")}))
	declared := clock.Now().Add(-time.Duration(rapid.IntRange(0, 48*60).Draw(t, "declared_minutes_ago")) * time.Minute)
	for _, h := range []catalog.Holder{
		{Network: enttest.Network, ID: "ana", Audience: catalog.Member, HealthDeclaredAt: &declared},
		{Network: enttest.Network, ID: "ben", Audience: catalog.Contact, Team: "crew", HealthDeclaredAt: &declared},
		{Network: enttest.Network, ID: "cy", Audience: catalog.Member},
	} {
		must(t, w.eng.PutHolder(ctx, h))
		w.holders = append(w.holders, h.ID)
	}
	for i := range rapid.IntRange(1, 4).Draw(t, "products") {
		p := enttest.GenProduct(fmt.Sprintf("prod-%d", i), w.locations...).Draw(t, fmt.Sprintf("product%d", i))
		must(t, w.eng.PutProduct(ctx, p))
		w.products = append(w.products, p)
	}
	return w
}

func (w *dryWorld) key(op string) string {
	w.keys++
	return fmt.Sprintf("%s-%d", op, w.keys)
}

// allowed fails t unless err is nil or one of the documented refusals.
func allowed(t *rapid.T, what string, err error, targets ...error) {
	t.Helper()
	if err == nil {
		return
	}
	for _, target := range targets {
		if errors.Is(err, target) {
			return
		}
	}
	t.Fatalf("%s: unexpected error %v", what, err)
}

// issue issues a drawn product to a holder or to the team, with a
// passcode when the pass may carry one.
func (w *dryWorld) issue(t *rapid.T) {
	prod := rapid.SampledFrom(w.products).Draw(t, "product")
	req := passengine.IssueRequest{Key: w.key("issue"), Network: enttest.Network, Product: prod.ID, Paid: true}
	if rapid.IntRange(0, 3).Draw(t, "to_team") == 0 {
		req.Team = "crew"
	} else {
		req.Holder = rapid.SampledFrom(w.holders).Draw(t, "holder")
		req.Passcode = prod.Kind != pass.Time
	}
	if rapid.IntRange(0, 3).Draw(t, "imported") == 0 {
		req.Source, req.Remaining = pass.FromImport, rapid.IntRange(1, prod.Units).Draw(t, "remaining")
	}
	p, err := w.eng.IssuePass(w.ctx, req)
	must(t, err)
	if req.Passcode {
		code, err := w.eng.Passcode(w.ctx, enttest.Network, p.ID)
		must(t, err)
		w.codes = append(w.codes, code)
	}
}

// book books a drawn class now or, dry, asks ExplainBook first and checks
// that Book agrees.
func (w *dryWorld) book(t *rapid.T, dry bool) {
	req := passengine.BookRequest{Network: enttest.Network,
		Holder:   rapid.SampledFrom(w.holders).Draw(t, "holder"),
		Location: rapid.SampledFrom(w.locations).Draw(t, "location"),
		Start:    w.clock.Now().UTC().Add(time.Duration(rapid.IntRange(1, 3*24*4).Draw(t, "quarters")) * 15 * time.Minute),
		Cost:     rapid.IntRange(0, 3).Draw(t, "cost")}
	r, err := dryThenReal(t, w, "book", w.key("book"), dry,
		func(key string) (passengine.VisitResult, error) { req.Key = key; return w.eng.ExplainBook(w.ctx, req) },
		func(key string) (passengine.VisitResult, error) { req.Key = key; return w.eng.Book(w.ctx, req) },
		func(ex, r *passengine.VisitResult) { ex.Visit.ID = r.Visit.ID })
	allowed(t, "book", err, entitlement.ErrNoEntitlement)
	if err == nil {
		w.bookings = append(w.bookings, r.Visit.ID)
	}
}

// redeem redeems a known or unknown code now (or a few minutes ago) or,
// dry, asks ExplainRedeem first and checks that Redeem agrees.
func (w *dryWorld) redeem(t *rapid.T, dry bool) {
	req := passengine.RedeemRequest{Network: enttest.Network, Location: rapid.SampledFrom(w.locations).Draw(t, "location"),
		Code: fmt.Sprintf("%08d", rapid.IntRange(0, 99_999_999).Draw(t, "digits"))}
	if len(w.codes) > 0 && rapid.IntRange(0, 2).Draw(t, "known") > 0 {
		req.Code = rapid.SampledFrom(w.codes).Draw(t, "code")
	}
	if back := rapid.IntRange(0, 3).Draw(t, "minutes_ago"); back > 0 {
		req.At = w.clock.Now().Add(-time.Duration(back) * time.Minute)
	}
	_, err := dryThenReal(t, w, "redeem", w.key("redeem"), dry,
		func(key string) (passengine.RedeemResult, error) {
			req.Key = key
			return w.eng.ExplainRedeem(w.ctx, req)
		},
		func(key string) (passengine.RedeemResult, error) { req.Key = key; return w.eng.Redeem(w.ctx, req) },
		func(ex, r *passengine.RedeemResult) { ex.Visit.ID = r.Visit.ID })
	var re *passengine.RedeemError
	if err != nil && !errors.As(err, &re) {
		t.Fatalf("redeem: unexpected error %v", err)
	}
}

// dryThenReal makes the real call with key and returns its result; when
// dry, it first asks the dry run the same question and checks that it
// left the store unchanged and decided what the real call then did
// (sameID gives the dry result the real visit's ID).
func dryThenReal[R any](t *rapid.T, w *dryWorld, what, key string, dry bool,
	explain, real func(key string) (R, error), sameID func(dry, real *R)) (R, error) {
	var ex R
	var exErr error
	if dry {
		before := w.state(t)
		ex, exErr = explain(key)
		w.unchanged(t, before, key)
	}
	r, err := real(key)
	if dry {
		sameID(&ex, &r)
		sameResult(t, what, ex, exErr, r, err)
	}
	return r, err
}

func (w *dryWorld) cancel(t *rapid.T) {
	if len(w.bookings) == 0 {
		t.Skip("no booking")
	}
	_, err := w.eng.CancelBooking(w.ctx, passengine.CancelRequest{Key: w.key("cancel"), Network: enttest.Network,
		Visit: rapid.SampledFrom(w.bookings).Draw(t, "booking"), ByBusiness: rapid.Bool().Draw(t, "by_business")})
	allowed(t, "cancel", err, passengine.ErrNotBooked)
}

func (w *dryWorld) checkIn(t *rapid.T) {
	_, err := w.eng.CheckIn(w.ctx, passengine.CheckInRequest{Key: w.key("in"), Network: enttest.Network,
		Holder:   rapid.SampledFrom(w.holders).Draw(t, "holder"),
		Location: rapid.SampledFrom(w.locations).Draw(t, "location")})
	allowed(t, "check-in", err, entitlement.ErrNoEntitlement, passengine.ErrAlreadyCheckedIn)
}

func (w *dryWorld) unlock(t *rapid.T) {
	_, err := w.eng.Unlock(w.ctx, passengine.UnlockRequest{Key: w.key("unlock"), Network: enttest.Network,
		Location: rapid.SampledFrom(w.locations).Draw(t, "location"), Actor: "manager"})
	must(t, err)
}

func (w *dryWorld) advance(t *rapid.T) {
	w.clock.Advance(time.Duration(rapid.IntRange(1, 36*60).Draw(t, "minutes")) * time.Minute)
}

// dryState is what a dry run must leave as it was: the network's
// snapshot and every location's lockout state.
type dryState struct {
	Snapshot Snapshot
	Guards   []checkin.Guard
}

func (w *dryWorld) state(t *rapid.T) dryState {
	s, err := Take(w.ctx, w.st, enttest.Network)
	must(t, err)
	st := dryState{Snapshot: s}
	for _, l := range w.locations {
		g, err := w.eng.Guard(w.ctx, enttest.Network, l)
		must(t, err)
		st.Guards = append(st.Guards, g)
	}
	return st
}

// unchanged fails t unless the store is as before and holds no
// idempotency record under key.
func (w *dryWorld) unchanged(t *rapid.T, before dryState, key string) {
	t.Helper()
	if after := w.state(t); !reflect.DeepEqual(before, after) {
		t.Fatalf("a dry run changed the store:\nbefore %+v\nafter  %+v", before, after)
	}
	err := w.st.View(w.ctx, func(tx store.Tx) error {
		_, err := tx.Idempotency().Get(w.ctx, enttest.Network, key)
		return err
	})
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a dry run with key %q: idempotency record lookup got %v, want ErrNotFound", key, err)
	}
}

// sameResult fails t unless a dry run's result and error are the real
// call's: the same error text, and the same result as JSON (what the
// Engine stores and returns).
func sameResult[R any](t *rapid.T, what string, dry R, dryErr error, real R, err error) {
	t.Helper()
	if (dryErr == nil) != (err == nil) || (err != nil && dryErr.Error() != err.Error()) {
		t.Fatalf("%s: dry run error %v, real call error %v", what, dryErr, err)
	}
	a, aerr := json.Marshal(dry)
	b, berr := json.Marshal(real)
	if aerr != nil || berr != nil {
		t.Fatalf("%s: marshal: %v, %v", what, aerr, berr)
	}
	if string(a) != string(b) {
		t.Fatalf("%s: dry run decided\n%s\nthe real call\n%s", what, a, b)
	}
}
