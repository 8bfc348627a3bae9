package enginetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/card"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
	"github.com/stretchr/testify/require"
)

// RunCards checks the multipass cards of seed 003 (RULES M1-M7), "My
// purchases" of seed 004 and holder deletion through the Engine on stores
// made by newStore, each subtest on a store of its own. Subtests name the
// rule they check. The world: a studio network in Europe/London with two
// locations, holders ada and ben (health declared), a multipass program
// (10 visits for 100.00 GBP, six months) and a 5-class pack (60.00 GBP),
// and an Engine awarding 2 bonus points per redeemed visit.
func RunCards(t *testing.T, newStore func(t *testing.T) store.Store) {
	t.Helper()
	for name, f := range map[string]func(*testing.T, *cardWorld){
		"Rule_M1_M2_SeedExample":            cardSeedExample,
		"Rule_M1_Referral":                  cardReferral,
		"Rule_M1_W2_VisitsPaidFromAccount":  cardVisitsPaidFromAccount,
		"Rule_M3_CheckInRedeemsCard":        cardCheckIn,
		"Rule_M3_BookCancelMove":            cardBookCancelMove,
		"Rule_M3_PasscodeRedemption":        cardRedeem,
		"Rule_M3_BackendRedemption":         cardBackendRedemption,
		"Rule_M3_ResultsReportPoints":       cardPointsReported,
		"Rule_M4_BonusNeverBelowZero":       cardBonus,
		"Rule_M5_DeletedCardNeverUsable":    cardDeleted,
		"Rule_M5_HolderDeletion":            cardHolderDeletion,
		"Rule_M5_HolderErasure":             cardHolderErasure,
		"Rule_M5_W1_W2_HolderOwesNothing":   cardHolderOwes,
		"Rule_M6_MetricsEqualHistory":       cardMetricsHistory,
		"Rule_E2_CardExpiry":                cardExpiry,
		"Rule_I1_CardCallsIdempotent":       cardIdempotent,
		"Rule_I2_ConcurrentCardRedemptions": cardConcurrent,
		"Rule_S2_BadInputWritesNothing":     cardBadInput,
		"OneCardPerHolderAndProgram":        cardOnePerProgram,
		"AdjustUnitsRefusesCardPass":        cardAdjustRefused,
		"Rule_M7_CardHistoryCSV":            cardHistoryCSV,
		"Rule_M7_NetworkHistoryCSV":         networkHistoryCSV,
		"Rule_M7_W1_AccountHistoryCSV":      accountHistoryCSV,
		"Seed004_MyPurchases":               myPurchases,
		"Seed003_ExpiringSoon":              expiringSoon,
		"Seed003_Segments":                  segments,
	} {
		t.Run(name, func(t *testing.T) { f(t, newCardWorld(t, newStore(t))) })
	}
}

const cardNet = "studio"

var london = mustZone("Europe/London")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func gbp(s string) money.Money { return money.MustNew(s, "GBP") }

// cardWorld is the studio network of RunCards.
type cardWorld struct {
	t     *testing.T
	ctx   context.Context
	st    store.Store
	eng   *passengine.Engine
	clock *passengine.ManualClock
	keys  int
}

// cardStart is Monday 2 March 2026, 09:00 in London (GMT).
var cardStart = time.Date(2026, 3, 2, 9, 0, 0, 0, london)

func newCardWorld(t *testing.T, st store.Store) *cardWorld {
	t.Helper()
	ctx := context.Background()
	clock := passengine.NewManualClock(cardStart)
	w := &cardWorld{t: t, ctx: ctx, st: st, clock: clock,
		eng: passengine.New(st, passengine.WithClock(clock), passengine.WithBonusRule(card.BonusRule{PerVisit: 2}),
			passengine.WithCodeKey([]byte("0123456789abcdef0123456789abcdef")))}
	declared := cardStart.Add(-24 * time.Hour)
	require.NoError(t, errors.Join(
		w.eng.PutNetwork(ctx, catalog.Network{ID: cardNet, Name: "Studio", Currency: "GBP", Zone: "Europe/London"}),
		w.eng.PutLocation(ctx, catalog.Location{Network: cardNet, ID: "soho", Zone: "Europe/London"}),
		w.eng.PutLocation(ctx, catalog.Location{Network: cardNet, ID: "camden", Zone: "Europe/London"}),
		w.eng.PutHolder(ctx, catalog.Holder{Network: cardNet, ID: "ada", Name: "Ada", Audience: catalog.Member, HealthDeclaredAt: &declared}),
		w.eng.PutHolder(ctx, catalog.Holder{Network: cardNet, ID: "ben", Name: "Ben", Audience: catalog.Member, HealthDeclaredAt: &declared}),
		w.eng.PutProduct(ctx, pass.Product{Network: cardNet, ID: "multipass", Name: "Multipass", Kind: pass.Visits, Units: 10,
			Price: gbp("100"), Activation: pass.OnPurchase, Validity: calendar.Validity{Months: 6}}),
		w.eng.PutProduct(ctx, pass.Product{Network: cardNet, ID: "class-5", Name: "5 classes", Kind: pass.Visits, Units: 5,
			Price: gbp("60"), Activation: pass.OnPurchase}),
	))
	return w
}

func (w *cardWorld) key(op string) string {
	w.keys++
	return fmt.Sprintf("%s-%d", op, w.keys)
}

// issue issues holder a multipass card.
func (w *cardWorld) issue(holder string) passengine.CardView {
	w.t.Helper()
	v, err := w.eng.IssueCard(w.ctx, passengine.IssueCardRequest{Key: w.key("card"), Network: cardNet, Holder: holder,
		Program: "multipass", Status: card.Installed, Actor: "desk"})
	require.NoError(w.t, err)
	return v
}

// add adds visits to a card, with an amount unless "".
func (w *cardWorld) add(id string, visits int, amount string) passengine.CardView {
	w.t.Helper()
	req := passengine.VisitsRequest{Key: w.key("add"), Network: cardNet, Card: id, Visits: visits, Actor: "desk"}
	if amount != "" {
		req.Amount = gbp(amount)
	}
	v, err := w.eng.AddVisits(w.ctx, req)
	require.NoError(w.t, err)
	return v
}

func (w *cardWorld) card(id string) passengine.CardView {
	w.t.Helper()
	v, err := w.eng.Card(w.ctx, cardNet, id)
	require.NoError(w.t, err)
	return v
}

func (w *cardWorld) checkIn(holder, location string) passengine.VisitResult {
	w.t.Helper()
	r, err := w.eng.CheckIn(w.ctx, passengine.CheckInRequest{Key: w.key("in"), Network: cardNet, Holder: holder, Location: location})
	require.NoError(w.t, err)
	return r
}

func (w *cardWorld) snapshot() Snapshot {
	w.t.Helper()
	s, err := Take(w.ctx, w.st, cardNet)
	require.NoError(w.t, err)
	require.NoError(w.t, s.CheckBalances())
	require.NoError(w.t, s.CheckCards())
	return s
}

// amountIs fails t unless m is amount in GBP.
func amountIs(t *testing.T, what string, m money.Money, amount string) {
	t.Helper()
	if !m.Amount.Equal(gbp(amount).Amount) || m.Currency != "GBP" {
		t.Errorf("%s: got %s, want %s GBP", what, m, amount)
	}
}

// CheckCards returns an error naming the first card whose counters are
// not those replayed from its pass's ledger entries (card.Replay, M6), or
// whose bonus points are below zero (M4), or whose pass is missing or does
// not name it, or is not revoked while the card is deleted (M5).
func (s *Snapshot) CheckCards() error {
	for _, c := range s.Cards {
		p, ok := s.Pass(c.Pass)
		if !ok || p.Card != c.ID {
			return fmt.Errorf("card %s: its pass %s is missing or names another card", c.ID, c.Pass)
		}
		if c.Bonus < 0 {
			return fmt.Errorf("card %s: bonus %d is below zero", c.ID, c.Bonus)
		}
		if (c.Status == card.Deleted) != p.Revoked {
			return fmt.Errorf("card %s is %s, its pass revoked %t", c.ID, c.Status, p.Revoked)
		}
		got := card.Replay(c.Purchases.Currency, c.Pass, s.Ledger)
		if d := counterDiff(c.Counters, got); d != "" {
			return fmt.Errorf("card %s: the counters on its row are not those of its history: %s", c.ID, d)
		}
	}
	return nil
}

// counterDiff describes how got differs from want, or returns "".
func counterDiff(got, want card.Counters) string {
	switch {
	case got.Sold != want.Sold, got.Redeemed != want.Redeemed, got.Removed != want.Removed,
		got.Referral != want.Referral, got.Bonus != want.Bonus,
		!got.Purchases.Amount.Equal(want.Purchases.Amount), !got.Refunds.Amount.Equal(want.Refunds.Amount),
		!got.LastRedemption.Equal(want.LastRedemption), !got.LastAdding.Equal(want.LastAdding):
		return fmt.Sprintf("got %+v, want %+v", got, want)
	}
	return ""
}

// cardSeedExample: seed 003's example. Add 10 visits with 100.00: sold
// 10, LTV 100; subtract 2 with a 20.00 refund: available 8, LTV 120 as the
// seed counts it, net revenue 80 (M1, M2).
func cardSeedExample(t *testing.T, w *cardWorld) {
	c := w.issue("ada")
	require.Equal(t, 0, c.Metrics.Available)
	v := w.add(c.Card.ID, 10, "100.00")
	require.Equal(t, 10, v.Metrics.Sold)
	require.Equal(t, 10, v.Metrics.Available)
	amountIs(t, "LTV after adding 10 for 100.00", v.Metrics.LTV, "100")
	require.True(t, v.Metrics.LastAdding.Equal(cardStart), "last adding %s", v.Metrics.LastAdding)
	v, err := w.eng.SubtractVisits(w.ctx, passengine.VisitsRequest{Key: w.key("sub"), Network: cardNet, Card: c.Card.ID,
		Visits: 2, Amount: gbp("20.00"), Actor: "manager", Comment: "refund processed"})
	require.NoError(t, err)
	require.Equal(t, 8, v.Metrics.Available)
	amountIs(t, "LTV after subtracting 2 with 20.00", v.Metrics.LTV, "120")
	amountIs(t, "net revenue", v.Metrics.NetRevenue, "80")
	require.Equal(t, 10, v.Metrics.Sold)
	require.Equal(t, 2, v.Metrics.Removed)
	require.Equal(t, 2, v.Metrics.TotalVisits)
	stored := w.card(c.Card.ID)
	require.Equal(t, v.Card.Counters.Sold, stored.Card.Sold)
	require.Equal(t, v.Metrics.Available, stored.Metrics.Available)
	amountIs(t, "stored LTV", stored.Metrics.LTV, "120")
	amountIs(t, "stored net revenue", stored.Metrics.NetRevenue, "80")
	s := w.snapshot()
	last := s.Ledger[len(s.Ledger)-1]
	require.Equal(t, pass.EntryAdjust, last.Type)
	require.Equal(t, -2, last.Units)
	require.Equal(t, "manager", last.Actor)
	require.Equal(t, "refund processed", last.Comment)
}

// cardReferral: visits added as a referral reward count as sold and as
// referral visits (M1, M6).
func cardReferral(t *testing.T, w *cardWorld) {
	c := w.issue("ada")
	v, err := w.eng.AddVisits(w.ctx, passengine.VisitsRequest{Key: w.key("ref"), Network: cardNet, Card: c.Card.ID,
		Visits: 2, Referral: true, Comment: "brought Ben"})
	require.NoError(t, err)
	require.Equal(t, 2, v.Metrics.ReferralVisits)
	require.Equal(t, 2, v.Metrics.Sold)
	amountIs(t, "LTV of a referral", v.Metrics.LTV, "0")
	w.snapshot()
}

// cardCheckIn: a card's visits pay a check-in through the consumption
// order like any visits pass (the card's unit value, 10.00, is below the
// class pack's 12.00, O2), with lineage to the card's pass; the card
// counts the redemption, its instant, and the host's 2 points (M3), in the
// same unit of work.
func cardCheckIn(t *testing.T, w *cardWorld) {
	c := w.issue("ada")
	w.add(c.Card.ID, 10, "100")
	pack, err := w.eng.IssuePass(w.ctx, passengine.IssueRequest{Key: w.key("pack"), Network: cardNet, Product: "class-5", Holder: "ada"})
	require.NoError(t, err)
	w.clock.Advance(time.Hour)
	in := w.checkIn("ada", "soho")
	require.Equal(t, c.Card.Pass, in.Visit.Pass, "the card pays first (O2)")
	require.Equal(t, "unit_value", in.Selection.DecidedBy)
	require.Len(t, in.Visit.Consumptions, 1)
	require.Equal(t, c.Card.Pass, in.Visit.Consumptions[0].Pass)
	v := w.card(c.Card.ID)
	require.Equal(t, 9, v.Metrics.Available)
	require.Equal(t, 1, v.Metrics.Redeemed)
	require.Equal(t, 2, v.Metrics.Bonus)
	require.True(t, v.Metrics.LastRedemption.Equal(cardStart.Add(time.Hour)), "last redemption %s", v.Metrics.LastRedemption)
	s := w.snapshot()
	reward := s.Ledger[len(s.Ledger)-1]
	require.Equal(t, pass.EntryReward, reward.Type)
	require.Equal(t, in.Visit.ID, reward.Visit)
	require.Equal(t, 2, reward.Points)
	p, _ := s.Pass(pack.ID)
	require.Equal(t, 5, p.Balance, "the class pack is untouched")
	_, err = w.eng.CheckOut(w.ctx, passengine.CheckOutRequest{Key: w.key("out"), Network: cardNet, Visit: in.Visit.ID})
	require.NoError(t, err)
	require.Equal(t, v.Card, w.card(c.Card.ID).Card, "a check-out changes nothing of the card")
}

// cardBookCancelMove: a booking paid by the card redeems a visit and earns
// points; a cancel on time gives the visit back and takes the points back
// (M3); a visit moved off the card (C11) gives back, moved onto it redeems.
func cardBookCancelMove(t *testing.T, w *cardWorld) {
	c := w.issue("ada")
	w.add(c.Card.ID, 5, "")
	start := cardStart.Add(48 * time.Hour)
	b, err := w.eng.Book(w.ctx, passengine.BookRequest{Key: w.key("book"), Network: cardNet, Holder: "ada", Location: "soho", Start: start})
	require.NoError(t, err)
	require.Equal(t, c.Card.Pass, b.Visit.Pass)
	v := w.card(c.Card.ID)
	require.Equal(t, []int{4, 1, 2}, []int{v.Metrics.Available, v.Metrics.Redeemed, v.Metrics.Bonus})
	_, err = w.eng.CancelBooking(w.ctx, passengine.CancelRequest{Key: w.key("cancel"), Network: cardNet, Visit: b.Visit.ID})
	require.NoError(t, err)
	v = w.card(c.Card.ID)
	require.Equal(t, []int{5, 0, 0}, []int{v.Metrics.Available, v.Metrics.Redeemed, v.Metrics.Bonus})

	pack, err := w.eng.IssuePass(w.ctx, passengine.IssueRequest{Key: w.key("pack"), Network: cardNet, Product: "class-5", Holder: "ada"})
	require.NoError(t, err)
	in := w.checkIn("ada", "camden")
	require.Equal(t, c.Card.Pass, in.Visit.Pass)
	_, err = w.eng.MoveVisit(w.ctx, passengine.MoveRequest{Key: w.key("move"), Network: cardNet, Visit: in.Visit.ID, Pass: pack.ID})
	require.NoError(t, err)
	v = w.card(c.Card.ID)
	require.Equal(t, []int{5, 0, 0}, []int{v.Metrics.Available, v.Metrics.Redeemed, v.Metrics.Bonus})
	_, err = w.eng.MoveVisit(w.ctx, passengine.MoveRequest{Key: w.key("move"), Network: cardNet, Visit: in.Visit.ID, Pass: c.Card.Pass})
	require.NoError(t, err)
	v = w.card(c.Card.ID)
	require.Equal(t, []int{4, 1, 2}, []int{v.Metrics.Available, v.Metrics.Redeemed, v.Metrics.Bonus})
	w.snapshot()
}

// cardRedeem: a passcode on the card's pass redeems a visit at a desk
// (P3) and the card counts it with its points (M3).
func cardRedeem(t *testing.T, w *cardWorld) {
	c := w.issue("ada")
	w.add(c.Card.ID, 3, "30")
	_, err := w.eng.RotatePasscode(w.ctx, passengine.PasscodeRequest{Key: w.key("code"), Network: cardNet, Pass: c.Card.Pass})
	require.NoError(t, err)
	code, err := w.eng.Passcode(w.ctx, cardNet, c.Card.Pass)
	require.NoError(t, err)
	r, err := w.eng.Redeem(w.ctx, passengine.RedeemRequest{Key: w.key("redeem"), Network: cardNet, Location: "soho", Code: code})
	require.NoError(t, err)
	require.Equal(t, 2, r.Balance)
	v := w.card(c.Card.ID)
	require.Equal(t, []int{2, 1, 2}, []int{v.Metrics.Available, v.Metrics.Redeemed, v.Metrics.Bonus})
	w.snapshot()
}

// cardBackendRedemption: visits subtracted as used (a phone booking,
// seed 003 FAQ) count as redeemed with their points, not as removed (M3).
func cardBackendRedemption(t *testing.T, w *cardWorld) {
	c := w.issue("ada")
	w.add(c.Card.ID, 4, "40")
	v, err := w.eng.SubtractVisits(w.ctx, passengine.VisitsRequest{Key: w.key("used"), Network: cardNet, Card: c.Card.ID,
		Visits: 1, Redeemed: true, Comment: "phone booking"})
	require.NoError(t, err)
	require.Equal(t, []int{3, 1, 0, 2}, []int{v.Metrics.Available, v.Metrics.Redeemed, v.Metrics.Removed, v.Metrics.Bonus})
	w.snapshot()
}

// cardBonus: bonus points added and subtracted with comment and actor,
// never below zero: subtracting more is a field error that writes nothing
// (M4); an amount entered with added points is a purchase.
func cardBonus(t *testing.T, w *cardWorld) {
	c := w.issue("ada")
	v, err := w.eng.AddBonus(w.ctx, passengine.BonusRequest{Key: w.key("bonus"), Network: cardNet, Card: c.Card.ID,
		Points: 5, Amount: gbp("2.50"), Actor: "desk", Comment: "birthday"})
	require.NoError(t, err)
	require.Equal(t, 5, v.Metrics.Bonus)
	amountIs(t, "LTV after bonus points bought for 2.50", v.Metrics.LTV, "2.5")
	before := w.snapshot()
	_, err = w.eng.SubtractBonus(w.ctx, passengine.BonusRequest{Key: w.key("bonus"), Network: cardNet, Card: c.Card.ID, Points: 6})
	wantField(t, err, "points")
	require.Equal(t, before, w.snapshot(), "a refused subtraction writes nothing")
	v, err = w.eng.SubtractBonus(w.ctx, passengine.BonusRequest{Key: w.key("bonus"), Network: cardNet, Card: c.Card.ID,
		Points: 5, Amount: gbp("4.00"), Actor: "desk", Comment: "free smoothie"})
	require.NoError(t, err)
	require.Equal(t, 0, v.Metrics.Bonus)
	amountIs(t, "LTV after spending points", v.Metrics.LTV, "2.5")
	s := w.snapshot()
	last := s.Ledger[len(s.Ledger)-1]
	require.Equal(t, []any{pass.EntryBonus, -5, 0, "desk", "free smoothie"}, []any{last.Type, last.Points, last.Bonus, last.Actor, last.Comment})
}

// wantField fails t unless err is a *FieldError named name.
func wantField(t *testing.T, err error, name string) {
	t.Helper()
	var fe *passengine.FieldError
	if !errors.As(err, &fe) || fe.Name != name {
		t.Fatalf("got %v, want a *FieldError named %q", err, name)
	}
}
