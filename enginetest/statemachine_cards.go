package enginetest

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/card"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"pgregory.net/rapid"
)

// The state machine's multipass cards (RULES M1-M5): issuing cards of two
// programs (unit values 1 and 2, so they rank among the model's other
// visits passes by O2 and O7), adding and subtracting visits (with and
// without amounts, as referrals, as backend redemptions), adding and
// subtracting bonus points, and changing the status, deletion included.
// The model keeps each card's counters itself; check compares them with
// the stored card and with those replayed from its history (M6), and a
// deleted card's pass must be refused with the reason revoked (M5) by the
// check-ins and bookings the machine already drives.

// smBonusPerVisit is the machine's host rule: points per redeemed visit.
const smBonusPerVisit = 2

// mCard is the model of a card; amounts are in cents.
type mCard struct {
	id, pass       string
	status         card.Status
	sold, redeemed int
	removed        int
	referral       int
	bonus          int
	purchases      int
	refunds        int
	lastRedemption time.Time
	lastAdding     time.Time
}

// drawAmount draws an optional amount in cents; 0 means none.
func drawAmount(t *rapid.T) int {
	if rapid.Bool().Draw(t, "withAmount") {
		return rapid.IntRange(1, 20000).Draw(t, "cents")
	}
	return 0
}

func amountOf(c int) money.Money {
	if c == 0 {
		return money.Money{}
	}
	return cents(int64(c))
}

func (m *machine) issueCard(t *rapid.T) {
	uv := rapid.IntRange(1, 2).Draw(t, "programUnitValue")
	program := fmt.Sprintf("card-%d", uv)
	if !m.products[program] {
		must(t, m.eng.PutProduct(m.ctx, pass.Product{Network: smNetwork, ID: program, Kind: pass.Visits, Units: 10,
			UnitValue: money.MustNew(fmt.Sprint(uv), "USD"), Price: money.MustNew(fmt.Sprint(10*uv), "USD"), Activation: pass.OnPurchase}))
		m.products[program] = true
	}
	status := rapid.SampledFrom([]card.Status{card.NotInstalled, card.Installed}).Draw(t, "status")
	v, err := m.eng.IssueCard(m.ctx, passengine.IssueCardRequest{Key: m.key("card"), Network: smNetwork, Holder: smHolder,
		Program: program, Status: status})
	for _, c := range m.cards {
		if p := m.pass(c.pass); c.status != card.Deleted && p.unitValue == uv {
			var exists *passengine.CardExistsError
			if !errors.As(err, &exists) || exists.Card != c.id {
				t.Fatalf("a second card of %s: got %v, want a *CardExistsError naming %s", program, err, c.id)
			}
			return
		}
	}
	if err != nil {
		t.Fatalf("issue a card of %s: %v", program, err)
	}
	m.cards[v.Card.ID] = &mCard{id: v.Card.ID, pass: v.Card.Pass, status: status}
	m.passes = append(m.passes, &mPass{id: v.Card.Pass, kind: pass.Visits, unitValue: uv, source: pass.FromProduct,
		activation: pass.OnPurchase, issuedAt: m.clock.Now().UTC(), activatedOn: calendar.DateOf(m.clock.Now().In(m.zone)),
		card: v.Card.ID})
}

// pickCard draws one of the model's cards, deleted ones included.
func (m *machine) pickCard(t *rapid.T) *mCard {
	ids := make([]string, 0, len(m.cards))
	for id := range m.cards {
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		t.Skip("no card")
	}
	slices.Sort(ids)
	return m.cards[rapid.SampledFrom(ids).Draw(t, "card")]
}

// refused checks that a card call on c was refused: on a deleted card
// with the field "card" (M5), otherwise with field. It reports whether
// the call had to be refused.
func refused(t *rapid.T, c *mCard, err error, bad bool, field string) bool {
	switch {
	case c.status == card.Deleted:
		wantFieldError(t, err, "card")
	case bad:
		wantFieldError(t, err, field)
	default:
		if err != nil {
			t.Fatalf("card %s: %v", c.id, err)
		}
		return false
	}
	return true
}

func (m *machine) addVisits(t *rapid.T) {
	c := m.pickCard(t)
	p := m.pass(c.pass)
	n, amount, referral := rapid.IntRange(-1, 6).Draw(t, "visits"), drawAmount(t), rapid.Bool().Draw(t, "referral")
	paid := amount > 0 && rapid.Bool().Draw(t, "payFromAccount") // W2
	v, err := m.eng.AddVisits(m.ctx, passengine.VisitsRequest{Key: m.key("add"), Network: smNetwork, Card: c.id,
		Visits: n, Amount: amountOf(amount), Referral: referral, PayFromAccount: paid})
	short := paid && int64(amount) > m.wal.available()
	if c.status != card.Deleted && n > 0 && short {
		wantFunds(t, "visits paid from the account", err)
		return
	}
	if refused(t, c, err, n <= 0, "visits") {
		return
	}
	if paid {
		m.wal.balance -= int64(amount)
		m.wal.entries++
		m.wal.refundable = append(m.wal.refundable, &mDebit{took: int64(amount)})
		s, err := Take(m.ctx, m.eng.Store(), smNetwork)
		must(t, err)
		m.wal.refundable[len(m.wal.refundable)-1].entry = s.AccountEntries[len(s.AccountEntries)-1].ID
	}
	p.balance += n
	c.sold += n
	if referral {
		c.referral += n
	}
	c.purchases += amount
	c.lastAdding = m.clock.Now().UTC()
	if v.Metrics.Available != p.balance || v.Metrics.Sold != c.sold {
		t.Fatalf("after adding %d: got available %d sold %d, want %d and %d", n, v.Metrics.Available, v.Metrics.Sold, p.balance, c.sold)
	}
}

func (m *machine) subtractVisits(t *rapid.T) {
	c := m.pickCard(t)
	p := m.pass(c.pass)
	n, redeem := rapid.IntRange(0, p.balance+2).Draw(t, "visits"), rapid.Bool().Draw(t, "redeemed")
	amount := 0
	if !redeem {
		amount = drawAmount(t)
	}
	_, err := m.eng.SubtractVisits(m.ctx, passengine.VisitsRequest{Key: m.key("sub"), Network: smNetwork, Card: c.id,
		Visits: n, Amount: amountOf(amount), Redeemed: redeem})
	if refused(t, c, err, n <= 0 || n > p.balance, "visits") {
		return
	}
	p.balance -= n
	if redeem { // M3: counted as redeemed, with points
		m.redeemed(p, n)
		return
	}
	c.removed += n
	c.refunds += amount
}

func (m *machine) cardBonus(t *rapid.T) {
	c := m.pickCard(t)
	add, n, amount := rapid.Bool().Draw(t, "add"), rapid.IntRange(0, c.bonus+3).Draw(t, "points"), drawAmount(t)
	req := passengine.BonusRequest{Key: m.key("bonus"), Network: smNetwork, Card: c.id, Points: n, Amount: amountOf(amount)}
	var err error
	if add {
		_, err = m.eng.AddBonus(m.ctx, req)
	} else {
		_, err = m.eng.SubtractBonus(m.ctx, req)
	}
	if refused(t, c, err, n <= 0 || !add && n > c.bonus, "points") { // M4: never below zero
		return
	}
	if add {
		c.bonus += n
		c.purchases += amount
	} else {
		c.bonus -= n
	}
}

func (m *machine) cardStatus(t *rapid.T) {
	c := m.pickCard(t)
	to := rapid.SampledFrom([]card.Status{card.NotInstalled, card.Installed, card.Deleted}).Draw(t, "status")
	v, err := m.eng.SetCardStatus(m.ctx, passengine.CardStatusRequest{Key: m.key("status"), Network: smNetwork, Card: c.id, Status: to})
	if refused(t, c, err, false, "") {
		return
	}
	c.status = to
	if to == card.Deleted {
		m.pass(c.pass).revoked = true // M5
	}
	if v.Card.Status != to {
		t.Fatalf("status: got %s, want %s", v.Card.Status, to)
	}
}

// redeemed counts n visits used from p, when it is a card's (M3).
func (m *machine) redeemed(p *mPass, n int) {
	c := m.cards[p.card]
	if c == nil {
		return
	}
	c.redeemed += n
	if now := m.clock.Now().UTC(); now.After(c.lastRedemption) {
		c.lastRedemption = now
	}
	c.bonus += min(smBonusPerVisit*n, card.MaxBalance-c.bonus)
}

// returned counts n visits given back to p, when it is a card's (M3, M4).
func (m *machine) returned(p *mPass, n int) {
	c := m.cards[p.card]
	if c == nil {
		return
	}
	c.redeemed -= n
	c.bonus -= min(smBonusPerVisit*n, c.bonus)
}

// checkCards compares the stored cards with the model's and with their
// histories.
func (m *machine) checkCards(t *rapid.T, s *Snapshot) {
	if err := s.CheckCards(); err != nil {
		t.Fatal(err)
	}
	if got, want := len(s.Cards), len(m.cards); got != want {
		t.Fatalf("got %d cards, want %d", got, want)
	}
	for _, got := range s.Cards {
		c := m.cards[got.ID]
		if c == nil {
			t.Fatalf("card %s is not in the model", got.ID)
		}
		want := card.Counters{Sold: c.sold, Redeemed: c.redeemed, Removed: c.removed, Referral: c.referral, Bonus: c.bonus,
			Purchases: cents(int64(c.purchases)), Refunds: cents(int64(c.refunds)), LastRedemption: c.lastRedemption, LastAdding: c.lastAdding}
		if d := counterDiff(got.Counters, want); d != "" || got.Status != c.status {
			t.Fatalf("card %s (%s, model %s): %s", got.ID, got.Status, c.status, d)
		}
	}
}

// wantFieldError fails t unless err is a *FieldError named name.
func wantFieldError(t *rapid.T, err error, name string) {
	t.Helper()
	var fe *passengine.FieldError
	if !errors.As(err, &fe) || fe.Name != name {
		t.Fatalf("got %v, want a *FieldError named %q", err, name)
	}
}
