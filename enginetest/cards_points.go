package enginetest

import (
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/stretchr/testify/require"
)

// cardPointsReported: every call that uses or gives back a card's visits
// says what it did to the card's bonus points (M3), so a desk can say
// "you earned 2 points": a check-in and its dry run, a booking and its
// cancel (points taken back), a passcode redemption and its dry run; a
// replay says the same; a call on a pass that is no card's says nothing.
func cardPointsReported(t *testing.T, w *cardWorld) {
	c := w.issue("ada")
	w.add(c.Card.ID, 5, "50")
	id := c.Card.ID
	in := passengine.CheckInRequest{Key: "door-1", Network: cardNet, Holder: "ada", Location: "soho"}
	dry, err := w.eng.Explain(w.ctx, in)
	require.NoError(t, err)
	require.Equal(t, []passengine.CardPoints{{Card: id, Points: 2, Bonus: 2}}, dry.Points, "the dry run says what the check-in would earn")
	r, err := w.eng.CheckIn(w.ctx, in)
	require.NoError(t, err)
	require.Equal(t, []passengine.CardPoints{{Card: id, Points: 2, Bonus: 2}}, r.Points)
	again, err := w.eng.CheckIn(w.ctx, in)
	require.NoError(t, err)
	require.Equal(t, r, again)
	out, err := w.eng.CheckOut(w.ctx, passengine.CheckOutRequest{Key: w.key("out"), Network: cardNet, Visit: r.Visit.ID})
	require.NoError(t, err)
	require.Empty(t, out.Points, "a check-out moves no points")

	b, err := w.eng.Book(w.ctx, passengine.BookRequest{Key: w.key("book"), Network: cardNet, Holder: "ada", Location: "camden",
		Start: cardStart.Add(48 * time.Hour), Cost: 2})
	require.NoError(t, err)
	require.Equal(t, []passengine.CardPoints{{Card: id, Points: 4, Bonus: 6}}, b.Points, "a class of cost 2 earns for 2 visits")
	cancel, err := w.eng.CancelBooking(w.ctx, passengine.CancelRequest{Key: w.key("cancel"), Network: cardNet, Visit: b.Visit.ID})
	require.NoError(t, err)
	require.Equal(t, []passengine.CardPoints{{Card: id, Points: -4, Bonus: 2}}, cancel.Points, "a cancel takes the points back")

	_, err = w.eng.RotatePasscode(w.ctx, passengine.PasscodeRequest{Key: w.key("code"), Network: cardNet, Pass: c.Card.Pass})
	require.NoError(t, err)
	code, err := w.eng.Passcode(w.ctx, cardNet, c.Card.Pass)
	require.NoError(t, err)
	redeem := passengine.RedeemRequest{Key: w.key("redeem"), Network: cardNet, Location: "camden", Code: code}
	dryRedeem, err := w.eng.ExplainRedeem(w.ctx, redeem)
	require.NoError(t, err)
	require.Equal(t, []passengine.CardPoints{{Card: id, Points: 2, Bonus: 4}}, dryRedeem.Points)
	rr, err := w.eng.Redeem(w.ctx, redeem)
	require.NoError(t, err)
	require.Equal(t, []passengine.CardPoints{{Card: id, Points: 2, Bonus: 4}}, rr.Points)
	require.Equal(t, 4, w.card(id).Metrics.Bonus)

	_, err = w.eng.IssuePass(w.ctx, passengine.IssueRequest{Key: w.key("pack"), Network: cardNet, Product: "class-5", Holder: "ben"})
	require.NoError(t, err)
	plain := w.checkIn("ben", "soho")
	require.Empty(t, plain.Points, "a pass that is no card's earns nothing")
	w.snapshot()
}

// cardVisitsPaidFromAccount: visits added to a card can be paid from the
// holder's prepaid account in the same unit of work (W2, M1): short of
// funds the call is refused and writes nothing; paid, the account has a
// spend entry of the amount naming the card's pass, and the card counts
// the purchase. PayFromAccount is part of the request (I4), needs an
// amount, and is refused on a subtraction.
func cardVisitsPaidFromAccount(t *testing.T, w *cardWorld) {
	c := w.issue("ada")
	_, err := w.eng.Deposit(w.ctx, passengine.DepositRequest{Key: w.key("dep"), Network: cardNet, Holder: "ada", Amount: gbp("100")})
	require.NoError(t, err)
	sale := passengine.VisitsRequest{Key: "sale-1", Network: cardNet, Card: c.Card.ID, Visits: 10, Amount: gbp("120"),
		PayFromAccount: true, Actor: "desk", Comment: "spring offer"}
	before := w.snapshot()
	_, err = w.eng.AddVisits(w.ctx, sale)
	require.ErrorIs(t, err, passengine.ErrInsufficientFunds)
	require.Equal(t, before, w.snapshot(), "a purchase the account cannot pay writes nothing")

	_, err = w.eng.Deposit(w.ctx, passengine.DepositRequest{Key: w.key("dep"), Network: cardNet, Holder: "ada", Amount: gbp("20")})
	require.NoError(t, err)
	v, err := w.eng.AddVisits(w.ctx, sale)
	require.NoError(t, err)
	require.Equal(t, 10, v.Metrics.Available)
	amountIs(t, "LTV", v.Metrics.LTV, "120")
	a, err := w.eng.Account(w.ctx, cardNet, "ada")
	require.NoError(t, err)
	amountIs(t, "balance", a.Balance, "0")
	s := w.snapshot()
	spend := s.AccountEntries[len(s.AccountEntries)-1]
	require.Equal(t, []any{"spend", c.Card.Pass, "desk", "10 visits on card " + c.Card.ID + ": spring offer"},
		[]any{string(spend.Type), spend.Pass, spend.Actor, spend.Comment})
	amountIs(t, "spend", spend.Amount, "-120")
	again, err := w.eng.AddVisits(w.ctx, sale)
	require.NoError(t, err)
	require.Equal(t, v, again)
	unpaid := sale
	unpaid.PayFromAccount = false
	_, err = w.eng.AddVisits(w.ctx, unpaid)
	require.ErrorIs(t, err, passengine.ErrKeyReused, "paying from the account is part of the request (I4)")

	free := passengine.VisitsRequest{Key: w.key("gift"), Network: cardNet, Card: c.Card.ID, Visits: 1, PayFromAccount: true}
	_, err = w.eng.AddVisits(w.ctx, free)
	wantField(t, err, "amount")
	free.Amount = gbp("10")
	_, err = w.eng.SubtractVisits(w.ctx, free)
	wantField(t, err, "pay_from_account")
	require.Equal(t, s, w.snapshot())
}
