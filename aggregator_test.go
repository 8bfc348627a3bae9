package passengine_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
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
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/memstore"
	"github.com/shopspring/decimal"
)

// aggNet is the aggregator network of the P and Y tests.
const aggNet = "agg"

// aggKey is the host's passcode key in the tests.
var aggKey = []byte("0123456789abcdef0123456789abcdef")

var london = mustZone("Europe/London")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// aggWorld is an aggregator network on memstore, in London and EUR, its
// clock at 2026-03-02 08:00 local: clubs "basic" (tier 1), "plus" (tier 2)
// and "prime" (tier 3); products "monthly-plus" (a tier 2 Monthly+
// subscription: 31 day units for a month, network-wide), "day-prime" (a
// tier 3 day pass activating on first use), "visits-5" (5 visits, tier 1)
// and "time-600" (600 minutes, tier 3); holders "ana" and "ben" with a
// health declaration and "cy" without; and terms "<club>-v1" in force from
// the clock's start paying 5, 8 and 12 EUR per visit.
type aggWorld struct {
	*world
	t testing.TB
}

func newAggWorld(t testing.TB, opts ...passengine.Option) *aggWorld {
	t.Helper()
	return newAggWorldOn(t, memstore.New(), opts...)
}

func newAggWorldOn(t testing.TB, st store.Store, opts ...passengine.Option) *aggWorld {
	t.Helper()
	codes := []passengine.Option{passengine.WithCodeKey(aggKey), passengine.WithCodeSource(rand.NewChaCha8([32]byte{'a', 'g', 'g'}))}
	w := &aggWorld{t: t, world: newWorld(t, st, aggNet, "id%05d", time.Date(2026, 3, 2, 8, 0, 0, 0, london), append(codes, opts...)...)}
	w.must(w.eng.PutNetwork(w.ctx, catalog.Network{ID: aggNet, Name: "Aggregator", Currency: "EUR", Zone: "Europe/London"}))
	for tier, id := range []string{"basic", "plus", "prime"} {
		w.must(w.eng.PutLocation(w.ctx, catalog.Location{Network: aggNet, ID: id, Name: id, Zone: "Europe/London", Tier: tier + 1}))
	}
	w.product(pass.Product{Network: aggNet, ID: "monthly-plus", Kind: pass.Day, Units: 31, Tier: 2,
		Price: eur("49"), Validity: calendar.Validity{Months: 1}, Activation: pass.OnPurchase})
	w.product(pass.Product{Network: aggNet, ID: "day-prime", Kind: pass.Day, Units: 1, Tier: 3,
		Price: eur("15"), Validity: calendar.Validity{Days: 30}, Activation: pass.OnFirstUse})
	w.product(pass.Product{Network: aggNet, ID: "visits-5", Kind: pass.Visits, Units: 5, Tier: 1,
		Price: eur("30"), Validity: calendar.Validity{Months: 3}, Activation: pass.OnPurchase})
	w.product(pass.Product{Network: aggNet, ID: "time-600", Kind: pass.Time, Units: 600, Tier: 3,
		Price: eur("60"), Activation: pass.OnPurchase})
	declared := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, h := range []catalog.Holder{
		{Network: aggNet, ID: "ana", Name: "Ana", Audience: catalog.Member, HealthDeclaredAt: &declared},
		{Network: aggNet, ID: "ben", Name: "Ben", Audience: catalog.Member, HealthDeclaredAt: &declared},
		{Network: aggNet, ID: "cy", Name: "Cy", Audience: catalog.Member},
	} {
		w.must(w.eng.PutHolder(w.ctx, h))
	}
	for i, club := range []string{"basic", "plus", "prime"} {
		w.terms(billing.Terms{Location: club, ID: club + "-v1", EffectiveFrom: w.clock.Now(),
			Rates: []billing.Rate{{Tier: 1, Amount: eur([]string{"5", "8", "12"}[i])}}})
	}
	return w
}

func eur(s string) money.Money { return money.MustNew(s, "EUR") }

func (w *aggWorld) product(p pass.Product) { w.t.Helper(); w.must(w.eng.PutProduct(w.ctx, p)) }

// terms stores a terms version of network aggNet.
func (w *aggWorld) terms(t billing.Terms) {
	w.t.Helper()
	t.Network = aggNet
	if t.PAYGShare.IsZero() {
		t.PAYGShare = decimal.Zero
	}
	w.must(w.eng.PutTerms(w.ctx, t))
}

// issue issues product to holder with a passcode.
func (w *aggWorld) issue(holder, product string) pass.Pass {
	w.t.Helper()
	p, err := w.eng.IssuePass(w.ctx, passengine.IssueRequest{Key: w.key("issue"), Network: aggNet, Product: product,
		Holder: holder, Passcode: true})
	w.must(err)
	return p
}

// code returns the pass's passcode as the holder's app shows it.
func (w *aggWorld) code(passID string) string {
	w.t.Helper()
	c, err := w.eng.Passcode(w.ctx, aggNet, passID)
	w.must(err)
	return c
}

// redeem redeems code at club now.
func (w *aggWorld) redeem(club, code string) (passengine.RedeemResult, error) {
	return w.eng.Redeem(w.ctx, passengine.RedeemRequest{Key: w.key("redeem"), Network: aggNet, Location: club, Code: code})
}

// mustRedeem redeems code at club now and fails unless it is redeemed.
func (w *aggWorld) mustRedeem(club, code string) passengine.RedeemResult {
	w.t.Helper()
	r, err := w.redeem(club, code)
	if err != nil {
		w.t.Fatalf("redeem %s at %s: %v", code, club, err)
	}
	return r
}

// wrongCode returns a code that no pass holds (the passes' codes differ).
func (w *aggWorld) wrongCode(i int, taken ...string) string {
	for ; ; i++ {
		c := fmt.Sprintf("%08d", 13_579_000+i)
		ok := true
		for _, t := range taken {
			ok = ok && t != c
		}
		if ok {
			return c
		}
	}
}

func (w *aggWorld) redemptions() []checkin.Visit {
	w.t.Helper()
	vs, err := w.eng.Visits(w.ctx, passengine.VisitFilter{Network: aggNet, Kind: checkin.Redemption})
	w.must(err)
	return vs.Items
}

func (w *aggWorld) guard(club string) checkin.Guard {
	w.t.Helper()
	g, err := w.eng.Guard(w.ctx, aggNet, club)
	w.must(err)
	return g
}

func wantFieldError(t testing.TB, err error, name string) {
	t.Helper()
	var fe *field.Error
	if !errors.As(err, &fe) || fe.Name != name {
		t.Fatalf("got %v, want a *FieldError named %q", err, name)
	}
}

// Rule P1: an issued pass gets an 8-digit code the holder's app can read
// back; only its keyed hash and sealed copy are stored, the ledger records
// the assignment without the code, and the desk may type it grouped.
func TestRule_P1_IssueWithPasscode(t *testing.T) {
	w := newAggWorld(t)
	p := w.issue("ana", "monthly-plus")
	code := w.code(p.ID)
	if len(code) != 8 || strings.Trim(code, "0123456789") != "" {
		t.Fatalf("code %q: want 8 digits", code)
	}
	if p.CodeHash != "" || p.CodeSealed != "" {
		t.Errorf("issued pass: got code hash %q, sealed %q; want neither in a result", p.CodeHash, p.CodeSealed)
	}
	if stored := w.pass(p.ID); stored.CodeHash == "" || stored.CodeSealed == "" {
		t.Fatalf("stored pass: code hash %q, sealed %q: want both", stored.CodeHash, stored.CodeSealed)
	}
	b, _ := json.Marshal(w.pass(p.ID))
	lb, _ := json.Marshal(w.ledger(p.ID))
	if bytes.Contains(b, []byte(code)) || bytes.Contains(lb, []byte(code)) {
		t.Errorf("the plain code %s is stored", code)
	}
	es := w.ledger(p.ID)
	if last := es[len(es)-1]; last.Type != pass.EntryCode || last.Units != 0 || last.Comment != "passcode assigned" {
		t.Errorf("last entry: got %+v, want a code entry of 0 units", last)
	}
	r := w.mustRedeem("plus", code[:4]+" "+code[4:])
	if r.Pass != p.ID || r.Holder.ID != "ana" {
		t.Errorf("redeemed: got pass %s holder %s, want %s ana", r.Pass, r.Holder.ID, p.ID)
	}
	// Passes without Passcode carry none.
	plain, err := w.eng.IssuePass(w.ctx, passengine.IssueRequest{Key: w.key("issue"), Network: aggNet, Product: "visits-5", Holder: "ben"})
	w.must(err)
	if _, err := w.eng.Passcode(w.ctx, aggNet, plain.ID); !errors.Is(err, passengine.ErrNoPasscode) {
		t.Errorf("Passcode of a pass without one: got %v, want ErrNoPasscode", err)
	}
}

// Rule P1: a subscription keeps one code for life, across redemptions and
// its renewal (the same pass extended); each day pass has its own code.
func TestRule_P1_SubscriptionKeepsCodeDayPassesDiffer(t *testing.T) {
	w := newAggWorld(t)
	sub := w.issue("ana", "monthly-plus")
	code := w.code(sub.ID)
	for day := 0; day < 3; day++ {
		w.mustRedeem("basic", code)
		w.clock.Advance(24 * time.Hour)
	}
	// Renewal for April: expiry moved a month on, 31 more day units.
	_, err := w.eng.SetExpiry(w.ctx, passengine.ExpiryRequest{Key: w.key("renew"), Network: aggNet, Pass: sub.ID,
		ExpiresOn: calendar.NewDate(2026, 5, 2), Actor: "billing"})
	w.must(err)
	_, err = w.eng.AdjustUnits(w.ctx, passengine.AdjustRequest{Key: w.key("renew"), Network: aggNet, Pass: sub.ID, Units: 31, Actor: "billing"})
	w.must(err)
	w.clock.Set(time.Date(2026, 4, 20, 9, 0, 0, 0, london))
	if got := w.code(sub.ID); got != code {
		t.Errorf("code after renewal: got %s, want %s", got, code)
	}
	if r := w.mustRedeem("plus", code); r.Pass != sub.ID {
		t.Errorf("redeemed pass: got %s, want %s", r.Pass, sub.ID)
	}
	seen := map[string]bool{code: true}
	for i := 0; i < 20; i++ {
		c := w.code(w.issue("ben", "day-prime").ID)
		if seen[c] {
			t.Fatalf("day pass %d: code %s already used", i, c)
		}
		seen[c] = true
	}
}

// scriptedSource returns the given 32-bit draws, each followed by nonce
// bytes when the next read wants 12.
type scriptedSource struct {
	draws []uint32
}

func (s *scriptedSource) Read(p []byte) (int, error) {
	if len(p) != 4 { // a seal's nonce
		for i := range p {
			p[i] = byte(i)
		}
		return len(p), nil
	}
	if len(s.draws) == 0 {
		return 0, errors.New("script exhausted")
	}
	binary.BigEndian.PutUint32(p, s.draws[0])
	s.draws = s.draws[1:]
	return 4, nil
}

// Rule P1: a drawn code another pass of the network holds is drawn again;
// codes are unique in the network, and the same code may live in another.
func TestRule_P1_TakenCodeDrawnAgain(t *testing.T) {
	src := &scriptedSource{draws: []uint32{11_111_111, 11_111_111, 22_222_222, 11_111_111}}
	w := newAggWorld(t, passengine.WithCodeSource(src))
	a := w.issue("ana", "monthly-plus")
	b := w.issue("ben", "monthly-plus")
	if got, want := w.code(a.ID)+" "+w.code(b.ID), "11111111 22222222"; got != want {
		t.Errorf("codes: got %s, want %s", got, want)
	}
	// Another network may hold the same code.
	w.must(w.eng.PutNetwork(w.ctx, catalog.Network{ID: "other", Currency: "EUR", Zone: "Europe/London"}))
	w.must(w.eng.PutHolder(w.ctx, catalog.Holder{Network: "other", ID: "ana", Audience: catalog.Member}))
	w.must(w.eng.PutProduct(w.ctx, pass.Product{Network: "other", ID: "v", Kind: pass.Visits, Units: 1, Price: eur("1"), Activation: pass.OnPurchase}))
	o, err := w.eng.IssuePass(w.ctx, passengine.IssueRequest{Key: "o", Network: "other", Product: "v", Holder: "ana", Passcode: true})
	w.must(err)
	if c, _ := w.eng.Passcode(w.ctx, "other", o.ID); c != "11111111" {
		t.Errorf("other network's code: got %s, want 11111111", c)
	}
	// Rule S1: a code of one network is unknown at another's club.
	if _, err := w.redeem("basic", "22222222"); err != nil {
		t.Errorf("own code: %v", err)
	}
	w.must(w.eng.PutLocation(w.ctx, catalog.Location{Network: "other", ID: "gym", Zone: "Europe/London"}))
	_, err = w.eng.Redeem(w.ctx, passengine.RedeemRequest{Key: "r", Network: "other", Location: "gym", Code: "22222222"})
	if !errors.Is(err, passengine.ErrUnknownCode) {
		t.Errorf("another network's code: got %v, want ErrUnknownCode", err)
	}
}

// Rule P1: with every draw taken the issue is refused after a bounded
// number of draws, and nothing is written.
func TestRule_P1_CodeSpaceExhausted(t *testing.T) {
	draws := make([]uint32, 40)
	for i := range draws {
		draws[i] = 33_333_333
	}
	w := newAggWorld(t, passengine.WithCodeSource(&scriptedSource{draws: draws}))
	w.issue("ana", "monthly-plus")
	_, err := w.eng.IssuePass(w.ctx, passengine.IssueRequest{Key: "k", Network: aggNet, Product: "monthly-plus", Holder: "ben", Passcode: true})
	if !errors.Is(err, passengine.ErrCodesExhausted) {
		t.Fatalf("got %v, want ErrCodesExhausted", err)
	}
	if ps, _ := w.eng.Passes(w.ctx, passengine.PassFilter{Network: aggNet, Holder: "ben"}); len(ps) != 0 {
		t.Errorf("ben's passes: got %d, want 0", len(ps))
	}
}

// Rule P1: rotating a code is recorded; the old code stops working and the
// new one works; a pass without a code gets its first one; team and time
// passes cannot carry one.
func TestRule_P1_RotatePasscode(t *testing.T) {
	w := newAggWorld(t)
	p := w.issue("ana", "monthly-plus")
	old, oldHash := w.code(p.ID), w.pass(p.ID).CodeHash
	_, err := w.eng.RotatePasscode(w.ctx, passengine.PasscodeRequest{Key: "rot", Network: aggNet, Pass: p.ID, Actor: "support", Comment: "code shared"})
	w.must(err)
	code, rotHash := w.code(p.ID), w.pass(p.ID).CodeHash
	if code == old || rotHash == oldHash {
		t.Fatalf("rotated code: got %s (was %s), want a new one", code, old)
	}
	es := w.ledger(p.ID)
	if last := es[len(es)-1]; last.Type != pass.EntryCode || last.Comment != "passcode rotated: code shared" || last.Actor != "support" {
		t.Errorf("last entry: got %+v, want the rotation by support", last)
	}
	if _, err := w.redeem("plus", old); !errors.Is(err, passengine.ErrUnknownCode) {
		t.Errorf("old code: got %v, want ErrUnknownCode", err)
	}
	w.mustRedeem("plus", code)
	// Replaying the rotation changes nothing.
	again, err := w.eng.RotatePasscode(w.ctx, passengine.PasscodeRequest{Key: "rot", Network: aggNet, Pass: p.ID, Actor: "support", Comment: "code shared"})
	if err != nil || again.ID != p.ID || w.pass(p.ID).CodeHash != rotHash || w.code(p.ID) != code {
		t.Errorf("replay: got %v, code %s, want the first rotation's", err, w.code(p.ID))
	}
	// First code of a pass issued without one.
	plain, err := w.eng.IssuePass(w.ctx, passengine.IssueRequest{Key: w.key("issue"), Network: aggNet, Product: "visits-5", Holder: "ben"})
	w.must(err)
	if _, err := w.eng.RotatePasscode(w.ctx, passengine.PasscodeRequest{Key: "first", Network: aggNet, Pass: plain.ID}); err != nil {
		t.Fatal(err)
	}
	if es := w.ledger(plain.ID); es[len(es)-1].Comment != "passcode assigned" {
		t.Errorf("first code entry: got %q, want passcode assigned", es[len(es)-1].Comment)
	}
	w.mustRedeem("basic", w.code(plain.ID))
	// Time and team passes cannot carry a code.
	_, err = w.eng.IssuePass(w.ctx, passengine.IssueRequest{Key: "time", Network: aggNet, Product: "time-600", Holder: "ana", Passcode: true})
	wantFieldError(t, err, "passcode")
	w.must(w.eng.PutTeam(w.ctx, catalog.Team{Network: aggNet, ID: "acme", CreditSharing: true}))
	_, err = w.eng.IssuePass(w.ctx, passengine.IssueRequest{Key: "team", Network: aggNet, Product: "visits-5", Team: "acme", Passcode: true})
	wantFieldError(t, err, "passcode")
}

// Rule P1: the calls that need codes refuse without a key of 32 bytes.
func TestRule_P1_NeedsKey(t *testing.T) {
	for name, opt := range map[string]passengine.Option{
		"no key":    passengine.WithClock(passengine.NewManualClock(time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC))),
		"short key": passengine.WithCodeKey([]byte("short")),
	} {
		t.Run(name, func(t *testing.T) {
			w := newAggWorld(t) // a world with a key, to issue a coded pass
			p := w.issue("ana", "visits-5")
			eng := passengine.New(w.st, opt)
			if _, err := eng.Passcode(w.ctx, aggNet, p.ID); !errors.Is(err, passengine.ErrNoCodeKey) {
				t.Errorf("Passcode: got %v, want ErrNoCodeKey", err)
			}
			if _, err := eng.Redeem(w.ctx, passengine.RedeemRequest{Key: "r", Network: aggNet, Location: "basic", Code: "12345678"}); !errors.Is(err, passengine.ErrNoCodeKey) {
				t.Errorf("Redeem: got %v, want ErrNoCodeKey", err)
			}
			if _, err := eng.IssuePass(w.ctx, passengine.IssueRequest{Key: "i", Network: aggNet, Product: "visits-5", Holder: "ben", Passcode: true}); !errors.Is(err, passengine.ErrNoCodeKey) {
				t.Errorf("IssuePass: got %v, want ErrNoCodeKey", err)
			}
			if _, err := eng.RotatePasscode(w.ctx, passengine.PasscodeRequest{Key: "p", Network: aggNet, Pass: p.ID}); !errors.Is(err, passengine.ErrNoCodeKey) {
				t.Errorf("RotatePasscode: got %v, want ErrNoCodeKey", err)
			}
		})
	}
	// Another key cannot open the sealed code.
	w := newAggWorld(t)
	p := w.issue("ana", "visits-5")
	other := passengine.New(w.st, passengine.WithCodeKey(bytes.Repeat([]byte{7}, 32)))
	if _, err := other.Passcode(w.ctx, aggNet, p.ID); err == nil {
		t.Error("Passcode with another key: got nil error, want one")
	}
}

// Rule P4: a holder may leave feedback for a club only after a redeemed
// visit there: not after a refused redemption, not for another club, not
// after a plain check-in.
func TestRule_P4_FeedbackOnlyAfterRedemption(t *testing.T) {
	w := newAggWorld(t)
	can := func(holder, club string) bool {
		t.Helper()
		ok, err := w.eng.CanLeaveFeedback(w.ctx, aggNet, holder, club)
		w.must(err)
		return ok
	}
	p := w.issue("ana", "monthly-plus")
	if can("ana", "plus") {
		t.Error("before any visit: got true, want false")
	}
	if _, err := w.redeem("prime", w.code(p.ID)); !errors.Is(err, passengine.ErrNotIncluded) {
		t.Fatalf("tier refusal: got %v", err)
	}
	if can("ana", "prime") {
		t.Error("after a refused redemption: got true, want false")
	}
	w.mustRedeem("plus", w.code(p.ID))
	if !can("ana", "plus") || can("ana", "basic") {
		t.Errorf("after redeeming at plus: got plus %v basic %v, want true false", can("ana", "plus"), can("ana", "basic"))
	}
	b := w.issue("ben", "visits-5")
	_, err := w.eng.CheckIn(w.ctx, passengine.CheckInRequest{Key: "ci", Network: aggNet, Holder: "ben", Location: "basic"})
	w.must(err)
	if can("ben", "basic") {
		t.Error("after a check-in without a redemption: got true, want false")
	}
	w.mustRedeem("basic", w.code(b.ID))
	if !can("ben", "basic") {
		t.Error("after redeeming: got false, want true")
	}
	if _, err := w.eng.CanLeaveFeedback(w.ctx, aggNet, "nobody", "basic"); !errors.Is(err, passengine.ErrNotFound) {
		t.Errorf("unknown holder: got %v, want ErrNotFound", err)
	}
	if _, err := w.eng.CanLeaveFeedback(w.ctx, aggNet, "ana", ""); err == nil {
		t.Error("empty location: got nil error")
	}
}

// Rule Y1: terms versions are immutable and never backdated: the same
// version again is a no-op, a changed one or one taking effect before now
// is refused.
func TestRule_Y1_TermsVersionsImmutable(t *testing.T) {
	w := newAggWorld(t)
	v1 := billing.Terms{Network: aggNet, Location: "basic", ID: "basic-v1", EffectiveFrom: w.clock.Now(),
		Rates: []billing.Rate{{Tier: 1, Amount: eur("5")}}, PAYGShare: decimal.Zero}
	w.clock.Advance(time.Hour)
	w.must(w.eng.PutTerms(w.ctx, v1)) // the same again
	changed := v1
	changed.Rates = []billing.Rate{{Tier: 1, Amount: eur("6")}}
	var exists *passengine.TermsExistError
	if err := w.eng.PutTerms(w.ctx, changed); !errors.As(err, &exists) || exists.ID != "basic-v1" || !errors.Is(err, passengine.ErrExists) {
		t.Errorf("changed version: got %v, want a *TermsExistError for basic-v1", err)
	}
	late := changed
	late.ID, late.EffectiveFrom = "basic-v0", w.clock.Now().Add(-time.Minute)
	wantFieldError(t, w.eng.PutTerms(w.ctx, late), "effective_from")
	bad := changed
	bad.ID, bad.EffectiveFrom, bad.Rates = "basic-v2", w.clock.Now(), []billing.Rate{{Tier: 1, Amount: money.MustNew("6", "USD")}}
	wantFieldError(t, w.eng.PutTerms(w.ctx, bad), "rates.amount.currency")
	unknown := changed
	unknown.ID, unknown.Location, unknown.EffectiveFrom = "x", "nowhere", w.clock.Now()
	if err := w.eng.PutTerms(w.ctx, unknown); !errors.Is(err, passengine.ErrNotFound) {
		t.Errorf("unknown location: got %v, want ErrNotFound", err)
	}
	vs, err := w.eng.TermsVersions(w.ctx, aggNet, "basic")
	w.must(err)
	if len(vs) != 1 || !vs[0].Rates[0].Amount.Amount.Equal(decimal.NewFromInt(5)) {
		t.Errorf("versions: got %+v, want only basic-v1 at 5", vs)
	}
}
