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
