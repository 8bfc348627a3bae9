package enginetest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/card"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
	"pgregory.net/rapid"
)

// NewStore returns an empty store for one run of the state machine. It may
// register cleanup with t.Cleanup, and fails t when it cannot make one.
type NewStore func(t *rapid.T) store.Store

// Run checks the Engine on stores made by newStore with a rapid state
// machine. Each run builds a network (two locations in America/New_York,
// one with a 03:00 day cut-off; PAYG on or off), starts a ManualClock two
// days before a DST change, and drives the Engine with random operations:
// issuing day, time and visits passes (on purchase or on first use, locked
// or not, bought or imported part-used), check-ins, check-outs after random
// durations, unit adjustments, class bookings, cancels, attendance and
// clock moves, and multipass cards (statemachine_cards.go: issue, visits
// added and subtracted, bonus points, status and deletion, with their
// visits paying check-ins and bookings and earning points). A simple
// model predicts every balance, which pass pays, every refusal and every
// card's counters; after each step Run compares the store with the model
// and checks that no balance is negative, that each pass's balance equals
// the sum of its ledger entries, and that each card's counters equal
// those replayed from its history (Snapshot.CheckCards). Before every
// check-in, Explain is asked the same question and must give the same
// decision (RULES C10).
//
// With the prepaid account operations (deposit, spend, refund, account
// adjustment, overdraft limit, settle, a pass paid from the account) and,
// drawn per run, WithAccountDebit, the model also predicts the account's
// balance, limit, entries and debts and every refusal for money; each
// step checks that the balance equals the sum of its entries and never
// goes below minus the limit (W1, W2).
//
// Passes never expire in the model (validity zero) and belong to one
// holder; the consumption order is the default policy, of which the keys
// kind, unit value, source, remaining minutes, issue instant and ID decide
// between the model's passes (O1-O3, O5, O7).
func Run(t *testing.T, newStore NewStore) {
	t.Helper()
	rapid.Check(t, func(rt *rapid.T) {
		m := newMachine(rt, newStore(rt))
		rt.Repeat(map[string]func(*rapid.T){
			"":           m.check,
			"issue":      m.issue,
			"checkIn":    m.checkIn,
			"checkOut":   m.checkOut,
			"adjust":     m.adjust,
			"book":       m.book,
			"cancel":     m.cancel,
			"attendance": m.attendance,
			"advance":    m.advance,
			// The prepaid account (W1, W2; statemachine_wallet.go).
			"deposit":       m.deposit,
			"spend":         m.spend,
			"refund":        m.refund,
			"adjustAccount": m.adjustAccount,
			"overdraft":     m.overdraft,
			"settle":        m.settle,
			"issuePaid":     m.issuePaid,
			// multipass cards (statemachine_cards.go)
			"issueCard":      m.issueCard,
			"addVisits":      m.addVisits,
			"subtractVisits": m.subtractVisits,
			"cardBonus":      m.cardBonus,
			"cardStatus":     m.cardStatus,
		})
	})
}

const (
	smNetwork = "sm"
	smHolder  = "holder"
)

var smLocations = []struct {
	id     string
	cutoff time.Duration
}{{"north", 0}, {"south", 3 * time.Hour}}

// mPass is the model of a pass.
type mPass struct {
	id          string
	kind        pass.Kind
	unitValue   int
	source      pass.Source
	activation  pass.Activation
	locked      bool
	issuedAt    time.Time
	balance     int
	uses        int
	activatedOn calendar.Date
	activatedBy string
	card        string // the card whose visits the pass holds, "" for none
	revoked     bool   // its card was deleted (M5)
}

// mVisit is the model of a visit or booking.
type mVisit struct {
	id       string
	location string
	kind     checkin.Kind
	mode     checkin.Mode
	status   checkin.Status
	start    time.Time
	date     calendar.Date
	cost     int
	paidBy   string // the pass whose units a booking holds
}

type machine struct {
	ctx      context.Context
	eng      *passengine.Engine
	st       store.Store
	clock    *passengine.ManualClock
	zone     *time.Location
	payg     bool
	products map[string]bool
	passes   []*mPass
	visits   map[string]*mVisit
	open     map[string]string        // location -> open visit
	dayUnit  map[calendar.Date]string // business date -> pass whose day unit covers it
	keys     int
	debit    bool              // WithAccountDebit
	wal      mWallet           // the holder's prepaid account
	cards    map[string]*mCard // statemachine_cards.go
}

func newMachine(t *rapid.T, st store.Store) *machine {
	ctx := context.Background()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatalf("zone: %v", err)
	}
	// Friday evening before the US spring-forward (Sunday 2026-03-08).
	clock := passengine.NewManualClock(time.Date(2026, 3, 6, 18, 0, 0, 0, ny))
	ids := seqIDs("id%08d")
	m := &machine{
		ctx: ctx, st: st, clock: clock, zone: ny,
		eng: passengine.New(st, passengine.WithClock(clock), passengine.WithIDs(ids),
			passengine.WithBonusRule(card.BonusRule{PerVisit: smBonusPerVisit})),
		cards:    map[string]*mCard{},
		products: map[string]bool{}, visits: map[string]*mVisit{},
		open: map[string]string{}, dayUnit: map[calendar.Date]string{},
		payg: rapid.Bool().Draw(t, "payg"),
	}
	m.debit = rapid.Bool().Draw(t, "accountDebit")
	if m.debit {
		m.eng = passengine.New(st, passengine.WithClock(clock), passengine.WithIDs(ids), passengine.WithAccountDebit(),
			passengine.WithBonusRule(card.BonusRule{PerVisit: smBonusPerVisit}))
	}
	must(t, m.eng.PutNetwork(ctx, catalog.Network{ID: smNetwork, Currency: "USD", Zone: "America/New_York"}))
	for _, l := range smLocations {
		must(t, m.eng.PutLocation(ctx, catalog.Location{Network: smNetwork, ID: l.id, Zone: "America/New_York", DayCutoff: l.cutoff}))
	}
	must(t, m.eng.PutHolder(ctx, catalog.Holder{Network: smNetwork, ID: smHolder, Audience: catalog.Member}))
	if m.payg {
		must(t, m.eng.PutPAYG(ctx, billing.PAYG{Network: smNetwork, ID: "payg",
			Prices: []billing.Price{{Hourly: money.MustNew("12", "USD")}}, DailyCap: money.MustNew("50", "USD")}))
	}
	return m
}

func must(t *rapid.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("setup: %v", err)
	}
}

func (m *machine) key(op string) string {
	m.keys++
	return fmt.Sprintf("%s-%d", op, m.keys)
}

// date returns the business day of instant at at location loc: the local
// date, less one day before the location's cut-off on the wall clock (T4).
func (m *machine) date(loc string, at time.Time) calendar.Date {
	local := at.In(m.zone)
	y, mo, d := local.Date()
	for _, l := range smLocations {
		if h, mi, _ := local.Clock(); l.id == loc && time.Duration(h)*time.Hour+time.Duration(mi)*time.Minute < l.cutoff {
			d--
		}
	}
	return calendar.NewDate(y, mo, d)
}

func (m *machine) pass(id string) *mPass {
	for _, p := range m.passes {
		if p.id == id {
			return p
		}
	}
	return nil
}

// issue issues a random pass.
func (m *machine) issue(t *rapid.T) {
	kind := rapid.SampledFrom([]pass.Kind{pass.Day, pass.Visits, pass.Time}).Draw(t, "kind")
	units := map[pass.Kind][]int{pass.Day: {1, 3}, pass.Visits: {2, 5}, pass.Time: {30, 120}}[kind][rapid.IntRange(0, 1).Draw(t, "size")]
	uv := rapid.IntRange(1, 2).Draw(t, "unitValue")
	act := rapid.SampledFrom([]pass.Activation{pass.OnPurchase, pass.OnFirstUse}).Draw(t, "activation")
	locked := rapid.Bool().Draw(t, "locked")
	src := rapid.SampledFrom([]pass.Source{pass.FromProduct, pass.FromManual, pass.FromImport}).Draw(t, "source")
	remaining := 0
	if src == pass.FromImport {
		remaining = rapid.IntRange(1, units).Draw(t, "remaining")
	}
	prod := fmt.Sprintf("%s-%d-%d-%s-%t", kind, units, uv, act, locked)
	if !m.products[prod] {
		must(t, m.eng.PutProduct(m.ctx, pass.Product{Network: smNetwork, ID: prod, Kind: kind, Units: units,
			UnitValue: money.MustNew(fmt.Sprint(uv), "USD"), Price: money.MustNew(fmt.Sprint(uv*units), "USD"),
			Activation: act, Locked: locked}))
		m.products[prod] = true
	}
	p, err := m.eng.IssuePass(m.ctx, passengine.IssueRequest{Key: m.key("issue"), Network: smNetwork,
		Product: prod, Holder: smHolder, Source: src, Remaining: remaining})
	if err != nil {
		t.Fatalf("issue %s: %v", prod, err)
	}
	mp := &mPass{id: p.ID, kind: kind, unitValue: uv, source: src, activation: act, locked: locked,
		issuedAt: m.clock.Now().UTC(), balance: units}
	if remaining > 0 {
		mp.balance = remaining
	}
	if act == pass.OnPurchase {
		mp.activatedOn = calendar.DateOf(m.clock.Now().In(m.zone))
	}
	m.passes = append(m.passes, mp)
}

// reason returns why the model's pass p cannot pay for a use on date d of
// cost cost accepting kinds (nil: any), or "" when it can.
func reason(p *mPass, d calendar.Date, cost int, kinds []pass.Kind) entitlement.Reason {
	if p.revoked {
		return entitlement.Revoked // M5
	}
	if kinds != nil && !slices.Contains(kinds, p.kind) {
		return entitlement.KindNotUsable
	}
	if p.locked && !p.activatedOn.IsZero() && d.Before(p.activatedOn) {
		return entitlement.Early // A3; not locked, any date is fine (A4)
	}
	need := 1
	if p.kind == pass.Visits {
		need = cost
	}
	if p.balance < need {
		return entitlement.NoBalance
	}
	return ""
}

func kindRank(k pass.Kind) int {
	return map[pass.Kind]int{pass.Day: 0, pass.Visits: 1, pass.Time: 2}[k]
}

func sourceRank(s pass.Source) int {
	if s == pass.FromImport || s == pass.FromManual {
		return 1
	}
	return 0
}

// order compares a and b in the default consumption order as it applies
// to the model's passes, and names the deciding key.
func order(a, b *mPass) (int, string) {
	if c := cmp.Compare(kindRank(a.kind), kindRank(b.kind)); c != 0 {
		return c, "kind"
	}
	if c := cmp.Compare(a.unitValue, b.unitValue); c != 0 {
		return c, "unit_value"
	}
	if c := cmp.Compare(sourceRank(a.source), sourceRank(b.source)); c != 0 {
		return c, "source"
	}
	if a.kind == pass.Time && b.kind == pass.Time {
		if c := cmp.Compare(b.balance, a.balance); c != 0 {
			return c, "remaining_minutes"
		}
	}
	if c := a.issuedAt.Compare(b.issuedAt); c != 0 {
		return c, "issued"
	}
	return cmp.Compare(a.id, b.id), "id"
}

// eligible returns the model's passes that may pay for the use, in
// consumption order.
func (m *machine) eligible(d calendar.Date, cost int, kinds []pass.Kind) []*mPass {
	var out []*mPass
	for _, p := range m.passes {
		if reason(p, d, cost, kinds) == "" {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b *mPass) int { c, _ := order(a, b); return c })
	return out
}

// consume takes n units of p for visit v, activating p on date d (A2).
func (m *machine) consume(p *mPass, n int, visit string, d calendar.Date) {
	p.balance -= n
	p.uses++
	m.activate(p, d, visit)
	m.redeemed(p, n) // M3
}

func (m *machine) activate(p *mPass, d calendar.Date, visit string) {
	if p.activation == pass.OnFirstUse && p.activatedOn.IsZero() {
		p.activatedOn, p.activatedBy = d, visit
	}
}

// sameDecision fails t unless Explain's answer and the check-in's agree.
func sameDecision(t *rapid.T, exp passengine.VisitResult, expErr error, got passengine.VisitResult, err error) {
	t.Helper()
	if (expErr == nil) != (err == nil) {
		t.Fatalf("explain error %v, check-in error %v", expErr, err)
	}
	if err != nil {
		for _, target := range []error{entitlement.ErrNoEntitlement, checkin.ErrAlreadyCheckedIn} {
			if errors.Is(err, target) != errors.Is(expErr, target) {
				t.Fatalf("explain error %v, check-in error %v", expErr, err)
			}
		}
		return
	}
	ev, gv := exp.Visit, got.Visit
	ev.ID, gv.ID, ev.Activated, gv.Activated = "", "", "", ""
	if fmt.Sprint(ev) != fmt.Sprint(gv) {
		t.Fatalf("explain visit %+v, check-in visit %+v", ev, gv)
	}
	if a, b := selectionString(exp.Selection), selectionString(got.Selection); a != b {
		t.Fatalf("explain selection %s, check-in selection %s", a, b)
	}
	if a, b := fmt.Sprint(exp.Balances), fmt.Sprint(got.Balances); a != b {
		t.Fatalf("explain balances %s, check-in balances %s", a, b)
	}
}

func selectionString(s entitlement.Selection) string {
	out := fmt.Sprintf("eligible %d decided by %q:", s.Eligible, s.DecidedBy)
	for _, c := range s.Candidates {
		out += fmt.Sprintf(" %s/%s/%d/%s/%s", c.PassID, c.Kind, c.Balance, c.Reason, c.DecidedBy)
	}
	return out
}

func (m *machine) checkIn(t *rapid.T) {
	loc := rapid.SampledFrom([]string{smLocations[0].id, smLocations[1].id}).Draw(t, "location")
	cost := rapid.IntRange(1, 3).Draw(t, "cost")
	req := passengine.CheckInRequest{Network: smNetwork, Holder: smHolder, Location: loc, Cost: cost}
	exp, expErr := m.eng.Explain(m.ctx, req)
	req.Key = m.key("in")
	res, err := m.eng.CheckIn(m.ctx, req)
	sameDecision(t, exp, expErr, res, err)

	now := m.clock.Now().UTC()
	d := m.date(loc, now)
	if id := m.open[loc]; id != "" && !now.Before(m.visits[id].start.Add(passengine.DefaultMaxOpen)) { // C8
		if err == nil && len(res.Closed) != 1 {
			t.Fatalf("check-in at %s with visit %s open past the maximum: got %d closed, want it closed", loc, id, len(res.Closed))
		}
		if err == nil {
			m.close(t, m.visits[id], res.Closed[0])
		} else {
			// A refused check-in writes nothing: the model closes the
			// visit as the Engine would, then restores it.
			snapshot := m.save()
			m.close(t, m.visits[id], checkin.Visit{})
			defer m.restore(snapshot)
		}
	}
	if id := m.open[loc]; id != "" { // C1
		var already *checkin.AlreadyCheckedInError
		if !errors.As(err, &already) || already.Visit.ID != id {
			t.Fatalf("check-in at %s with visit %s open: got %v, want ErrAlreadyCheckedIn", loc, id, err)
		}
		return
	}
	if id := m.dayUnit[d]; id != "" { // C2: the day is covered already
		if err != nil {
			t.Fatalf("check-in on covered %s: %v", d, err)
		}
		if res.Visit.Mode != checkin.ByDay || res.Visit.Pass != id || len(res.Visit.Consumptions) != 0 {
			t.Fatalf("check-in on %s covered by %s: got mode %s pass %s consumptions %v", d, id, res.Visit.Mode, res.Visit.Pass, res.Visit.Consumptions)
		}
		m.openVisit(res.Visit, loc, cost, d)
		return
	}
	el := m.eligible(d, cost, nil)
	if len(el) == 0 {
		if m.payg {
			if err != nil || res.Visit.Mode != checkin.ByPAYG {
				t.Fatalf("check-in with no pass and PAYG: got mode %s, %v; want payg", res.Visit.Mode, err)
			}
			m.openVisit(res.Visit, loc, cost, d)
			return
		}
		m.wantRefusal(t, err, d, cost, nil)
		return
	}
	if err != nil {
		t.Fatalf("check-in on %s: %v; want pass %s", d, err, el[0].id)
	}
	m.wantChoice(t, res.Selection, el)
	p := el[0]
	if res.Visit.Pass != p.id {
		t.Fatalf("check-in paid by %s, want %s", res.Visit.Pass, p.id)
	}
	switch p.kind {
	case pass.Day:
		m.consume(p, 1, res.Visit.ID, d)
		m.dayUnit[d] = p.id
	case pass.Visits:
		m.consume(p, cost, res.Visit.ID, d)
	case pass.Time:
		m.activate(p, d, res.Visit.ID) // C4: nothing deducted until check-out
	}
	m.openVisit(res.Visit, loc, cost, d)
}

func (m *machine) openVisit(v checkin.Visit, loc string, cost int, d calendar.Date) {
	m.visits[v.ID] = &mVisit{id: v.ID, location: loc, kind: checkin.CheckInVisit, mode: v.Mode,
		status: checkin.Open, start: v.Start, date: d, cost: cost}
	m.open[loc] = v.ID
}

// wantChoice checks the ranking of a selection against the model's
// eligible passes: same count, same first pass, same deciding key.
func (m *machine) wantChoice(t *rapid.T, s entitlement.Selection, el []*mPass) {
	t.Helper()
	if s.Eligible != len(el) {
		t.Fatalf("selection: got %d eligible, want %d (%s)", s.Eligible, len(el), selectionString(s))
	}
	for i, p := range el {
		if s.Candidates[i].PassID != p.id {
			t.Fatalf("selection: candidate %d is %s, want %s (%s)", i, s.Candidates[i].PassID, p.id, selectionString(s))
		}
	}
	if len(el) > 1 {
		if _, key := order(el[0], el[1]); s.DecidedBy != key {
			t.Fatalf("selection decided by %q, want %q (%s)", s.DecidedBy, key, selectionString(s))
		}
	}
}

// wantRefusal checks a refusal: an *entitlement.RefusalError listing each
// pass with a balance with the model's reason (G7).
func (m *machine) wantRefusal(t *rapid.T, err error, d calendar.Date, cost int, kinds []pass.Kind) {
	t.Helper()
	var refusal *entitlement.RefusalError
	if !errors.As(err, &refusal) {
		t.Fatalf("use on %s with no eligible pass: got %v, want a refusal", d, err)
	}
	listed := map[string]entitlement.Reason{}
	for _, c := range refusal.Candidates {
		listed[c.PassID] = c.Reason
	}
	for _, p := range m.passes {
		r, ok := listed[p.id]
		if !ok && p.balance > 0 {
			t.Fatalf("refusal does not list pass %s (balance %d): %v", p.id, p.balance, err)
		}
		if want := reason(p, d, cost, kinds); ok && r != want {
			t.Fatalf("refusal reason of %s: got %q, want %q", p.id, r, want)
		}
	}
}

func (m *machine) openVisits() []string {
	var ids []string
	for _, id := range m.open {
		if id != "" {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

func (m *machine) checkOut(t *rapid.T) {
	ids := m.openVisits()
	if len(ids) == 0 {
		t.Skip("no open visit")
	}
	v := m.visits[rapid.SampledFrom(ids).Draw(t, "visit")]
	m.clock.Advance(time.Duration(rapid.IntRange(0, 10*3600).Draw(t, "seconds")) * time.Second)
	res, err := m.eng.CheckOut(m.ctx, passengine.CheckOutRequest{Key: m.key("out"), Network: smNetwork, Visit: v.id})
	if err != nil {
		t.Fatalf("check-out of %s: %v", v.id, err)
	}
	m.close(t, v, res.Visit)
}

// close closes open visit v in the model at the clock's time, or at its
// start plus the maximum visit length when that is earlier (C8), and checks
// got, the visit the Engine closed (none when got is the zero Visit).
func (m *machine) close(t *rapid.T, v *mVisit, got checkin.Visit) {
	end := m.clock.Now().UTC()
	auto := false
	if max := v.start.Add(passengine.DefaultMaxOpen); !end.Before(max) {
		end, auto = max, true
	}
	minutes := int((end.Sub(v.start) + time.Minute - 1) / time.Minute)
	check := got.ID != ""
	if check && got.ID != v.id {
		t.Fatalf("closed visit %s, want %s", got.ID, v.id)
	}
	if gotMinutes := got.Minutes(); check && (gotMinutes != minutes || got.AutoClosed != auto) {
		t.Fatalf("closed %s: got %d minutes, automatic %v; want %d, %v", v.id, gotMinutes, got.AutoClosed, minutes, auto)
	}
	if v.mode == checkin.ByTime { // C4: drain in order, then PAYG or uncovered
		left := minutes
		var want []checkin.Consumption
		for _, p := range m.eligible(v.date, 1, []pass.Kind{pass.Time}) {
			if left == 0 {
				break
			}
			n := min(p.balance, left)
			m.consume(p, n, v.id, v.date)
			want = append(want, checkin.Consumption{Pass: p.id, Kind: pass.Time, Units: n})
			left -= n
		}
		if check && fmt.Sprint(got.Consumptions) != fmt.Sprint(want) {
			t.Fatalf("time check-out consumptions: got %v, want %v", got.Consumptions, want)
		}
		wantUncovered := left
		if m.payg {
			wantUncovered = 0
		}
		if check && got.UncoveredMinutes != wantUncovered {
			t.Fatalf("uncovered minutes: got %d, want %d", got.UncoveredMinutes, wantUncovered)
		}
	}
	for _, c := range got.Charges {
		if c.Amount.Amount.IsNegative() {
			t.Fatalf("negative charge %s", c.Amount)
		}
	}
	if check {
		m.charged(t, got) // W2
	}
	v.status = checkin.Closed
	m.open[v.location] = ""
}

func (m *machine) adjust(t *rapid.T) {
	if len(m.passes) == 0 {
		t.Skip("no pass")
	}
	p := rapid.SampledFrom(m.passes).Draw(t, "pass")
	delta := rapid.IntRange(-p.balance-2, 6).Filter(func(n int) bool { return n != 0 }).Draw(t, "delta")
	got, err := m.eng.AdjustUnits(m.ctx, passengine.AdjustRequest{Key: m.key("adjust"), Network: smNetwork, Pass: p.id, Units: delta})
	if p.card != "" { // a card's visits change through the card calls
		wantFieldError(t, err, "pass")
		return
	}
	if p.balance+delta < 0 { // E4
		if !errors.Is(err, passengine.ErrBalance) {
			t.Fatalf("adjust %d of %d: got %v, want ErrBalance", delta, p.balance, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("adjust %d of %d: %v", delta, p.balance, err)
	}
	p.balance += delta
	if got.Balance != p.balance {
		t.Fatalf("adjusted balance: got %d, want %d", got.Balance, p.balance)
	}
}

func (m *machine) book(t *rapid.T) {
	loc := rapid.SampledFrom([]string{smLocations[0].id, smLocations[1].id}).Draw(t, "location")
	start := m.clock.Now().UTC().Add(time.Duration(rapid.IntRange(1, 96*4).Draw(t, "quarters")) * 15 * time.Minute)
	cost := rapid.IntRange(1, 3).Draw(t, "cost")
	res, err := m.eng.Book(m.ctx, passengine.BookRequest{Key: m.key("book"), Network: smNetwork, Holder: smHolder,
		Location: loc, Start: start, Cost: cost})
	d := m.date(loc, start)
	kinds := []pass.Kind{pass.Visits}
	el := m.eligible(d, cost, kinds)
	if len(el) == 0 {
		m.wantRefusal(t, err, d, cost, kinds)
		return
	}
	if err != nil {
		t.Fatalf("book on %s: %v; want pass %s", d, err, el[0].id)
	}
	m.wantChoice(t, res.Selection, el)
	m.consume(el[0], cost, res.Visit.ID, d) // B1, A2-A4
	m.visits[res.Visit.ID] = &mVisit{id: res.Visit.ID, location: loc, kind: checkin.Booking, mode: checkin.ByVisits,
		status: checkin.Booked, start: start, date: d, cost: cost, paidBy: el[0].id}
}

func (m *machine) bookings() []string {
	var ids []string
	for id, v := range m.visits {
		if v.status == checkin.Booked {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

func (m *machine) cancel(t *rapid.T) {
	ids := m.bookings()
	if len(ids) == 0 {
		t.Skip("no booking")
	}
	v := m.visits[rapid.SampledFrom(ids).Draw(t, "booking")]
	_, err := m.eng.CancelBooking(m.ctx, passengine.CancelRequest{Key: m.key("cancel"), Network: smNetwork, Visit: v.id})
	if err != nil {
		t.Fatalf("cancel %s: %v", v.id, err)
	}
	v.status = checkin.Cancelled
	if m.clock.Now().After(v.start) { // B2: late, forfeited
		return
	}
	p := m.pass(v.paidBy)
	p.balance += v.cost
	p.uses--
	// M3: a card gets the visits and takes the points back.
	m.returned(p, v.cost)
	if p.activatedBy == v.id && p.uses == 0 { // A5
		p.activatedOn, p.activatedBy = calendar.Date{}, ""
	}
}

func (m *machine) attendance(t *rapid.T) {
	ids := m.bookings()
	if len(ids) == 0 {
		t.Skip("no booking")
	}
	v := m.visits[rapid.SampledFrom(ids).Draw(t, "booking")]
	attended := rapid.Bool().Draw(t, "attended")
	res, err := m.eng.MarkAttendance(m.ctx, passengine.AttendanceRequest{Key: m.key("attend"), Network: smNetwork,
		Visit: v.id, Attended: attended})
	if err != nil {
		t.Fatalf("attendance of %s: %v", v.id, err)
	}
	v.status = checkin.NoShow // B3: the default policy forfeits the units
	if attended {
		v.status = checkin.Attended
	}
	if res.Visit.Status != v.status {
		t.Fatalf("attendance status: got %s, want %s", res.Visit.Status, v.status)
	}
}

func (m *machine) advance(t *rapid.T) {
	m.clock.Advance(time.Duration(rapid.IntRange(1, 36*60).Draw(t, "minutes")) * time.Minute)
}

// check compares the store with the model.
func (m *machine) check(t *rapid.T) {
	s, err := Take(m.ctx, m.st, smNetwork)
	if err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	if err := s.CheckBalances(); err != nil {
		t.Fatal(err)
	}
	m.checkWallet(t, &s) // W1, W2
	if got, want := len(s.Passes), len(m.passes); got != want {
		t.Fatalf("got %d passes, want %d", got, want)
	}
	for _, mp := range m.passes {
		p, ok := s.Pass(mp.id)
		if !ok {
			t.Fatalf("pass %s is not stored", mp.id)
		}
		if p.Balance != mp.balance {
			t.Fatalf("pass %s (%s): got balance %d, want %d", p.ID, p.Kind, p.Balance, mp.balance)
		}
		if p.ActivatedOn != mp.activatedOn {
			t.Fatalf("pass %s (%s, %s): got activated on %q, want %q", p.ID, p.Kind, p.Activation, p.ActivatedOn, mp.activatedOn)
		}
		if p.Uses != mp.uses {
			t.Fatalf("pass %s: got %d uses, want %d", p.ID, p.Uses, mp.uses)
		}
	}
	m.checkCards(t, &s)
	if got, want := len(s.Visits), len(m.visits); got != want {
		t.Fatalf("got %d visits, want %d", got, want)
	}
	for _, v := range s.Visits {
		mv := m.visits[v.ID]
		if mv == nil {
			t.Fatalf("visit %s is not in the model", v.ID)
		}
		if v.Status != mv.status || v.Date != mv.date || v.Mode != mv.mode {
			t.Fatalf("visit %s: got %s %s on %s, want %s %s on %s", v.ID, v.Status, v.Mode, v.Date, mv.status, mv.mode, mv.date)
		}
	}
}

// modelState is a copy of the model's mutable state, for a step whose
// call the Engine refuses after the model has applied part of it.
type modelState struct {
	passes  []mPass
	visits  map[string]mVisit
	open    map[string]string
	dayUnit map[calendar.Date]string
}

func (m *machine) save() modelState {
	s := modelState{visits: map[string]mVisit{}, open: maps.Clone(m.open), dayUnit: maps.Clone(m.dayUnit)}
	for _, p := range m.passes {
		s.passes = append(s.passes, *p)
	}
	for id, v := range m.visits {
		s.visits[id] = *v
	}
	return s
}

// restore puts back what save copied: a refused call writes nothing (I3).
func (m *machine) restore(s modelState) {
	for i := range s.passes {
		*m.passes[i] = s.passes[i]
	}
	for id, v := range s.visits {
		*m.visits[id] = v
	}
	m.open, m.dayUnit = s.open, s.dayUnit
}
