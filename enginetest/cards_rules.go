package enginetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/card"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
	"github.com/stretchr/testify/require"
)

// cardDeleted: a deleted card is never usable (M5): check-ins, bookings
// and passcode redemptions refuse its pass with the reason "revoked", and
// every card call on it is a field error; none of them writes anything.
func cardDeleted(t *testing.T, w *cardWorld) {
	c := w.issue("ada")
	w.add(c.Card.ID, 5, "50")
	_, err := w.eng.RotatePasscode(w.ctx, passengine.PasscodeRequest{Key: w.key("code"), Network: cardNet, Pass: c.Card.Pass})
	require.NoError(t, err)
	code, err := w.eng.Passcode(w.ctx, cardNet, c.Card.Pass)
	require.NoError(t, err)
	v, err := w.eng.SetCardStatus(w.ctx, passengine.CardStatusRequest{Key: w.key("status"), Network: cardNet, Card: c.Card.ID,
		Status: card.Deleted, Actor: "manager", Comment: "customer left"})
	require.NoError(t, err)
	require.Equal(t, card.Deleted, v.Card.Status)
	require.Equal(t, pass.StatusRevoked, v.Status)
	require.Equal(t, 5, v.Metrics.Available, "the visits stay recorded")
	before := w.snapshot()

	_, err = w.eng.CheckIn(w.ctx, passengine.CheckInRequest{Key: w.key("in"), Network: cardNet, Holder: "ada", Location: "soho"})
	var refusal *entitlement.RefusalError
	require.ErrorAs(t, err, &refusal)
	require.Len(t, refusal.Candidates, 1)
	require.Equal(t, entitlement.Revoked, refusal.Candidates[0].Reason)
	_, err = w.eng.Book(w.ctx, passengine.BookRequest{Key: w.key("book"), Network: cardNet, Holder: "ada", Location: "soho",
		Start: cardStart.Add(24 * time.Hour)})
	require.ErrorIs(t, err, passengine.ErrNoEntitlement)
	r, err := w.eng.Redeem(w.ctx, passengine.RedeemRequest{Key: w.key("redeem"), Network: cardNet, Location: "soho", Code: code})
	require.ErrorIs(t, err, passengine.ErrPassNotUsable)
	require.Equal(t, entitlement.Revoked, r.Reason)
	for name, call := range map[string]func() error{
		"add": func() error {
			_, err := w.eng.AddVisits(w.ctx, passengine.VisitsRequest{Key: w.key("x"), Network: cardNet, Card: c.Card.ID, Visits: 1})
			return err
		},
		"spend": func() error {
			_, err := w.eng.SubtractVisits(w.ctx, passengine.VisitsRequest{Key: w.key("x"), Network: cardNet, Card: c.Card.ID, Visits: 1, Redeemed: true})
			return err
		},
		"bonus": func() error {
			_, err := w.eng.AddBonus(w.ctx, passengine.BonusRequest{Key: w.key("x"), Network: cardNet, Card: c.Card.ID, Points: 1})
			return err
		},
		"reinstall": func() error {
			_, err := w.eng.SetCardStatus(w.ctx, passengine.CardStatusRequest{Key: w.key("x"), Network: cardNet, Card: c.Card.ID, Status: card.Installed})
			return err
		},
		"expiry": func() error {
			_, err := w.eng.SetCardExpiry(w.ctx, passengine.CardExpiryRequest{Key: w.key("x"), Network: cardNet, Card: c.Card.ID,
				ExpiresOn: calendar.MustDate("2027-01-01")})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) { wantField(t, call(), "card") })
	}
	after := w.snapshot()
	require.Equal(t, before.Passes, after.Passes, "refused uses of a deleted card change no pass")
	require.Equal(t, before.Cards, after.Cards)
	require.Equal(t, before.Visits, after.Visits)
	require.Len(t, after.Ledger, len(before.Ledger))
	// A new card of the program may be issued once the old one is deleted.
	w.issue("ada")
}

// cardHolderDeletion: a holder cannot be deleted while a card is installed
// (M5) or while checked in; once the card is deleted and the visit closed,
// DeleteHolder cancels the holder's upcoming bookings (units back), deletes
// the cards, revokes every pass, erases the holder's row and keeps the
// history; the same key replays the result; a holder put again with the
// ID can use none of the old passes.
func cardHolderDeletion(t *testing.T, w *cardWorld) {
	c := w.issue("ada")
	w.add(c.Card.ID, 5, "50")
	pack, err := w.eng.IssuePass(w.ctx, passengine.IssueRequest{Key: w.key("pack"), Network: cardNet, Product: "class-5", Holder: "ada"})
	require.NoError(t, err)
	del := passengine.DeleteHolderRequest{Key: "delete-ada", Network: cardNet, Holder: "ada", Actor: "manager", Comment: "GDPR request"}
	_, err = w.eng.DeleteHolder(w.ctx, del)
	var installed *passengine.CardInstalledError
	require.ErrorAs(t, err, &installed)
	require.Equal(t, c.Card.ID, installed.Card)
	require.ErrorIs(t, err, passengine.ErrCardInstalled)

	_, err = w.eng.SetCardStatus(w.ctx, passengine.CardStatusRequest{Key: w.key("status"), Network: cardNet, Card: c.Card.ID, Status: card.NotInstalled})
	require.NoError(t, err)
	in := w.checkIn("ada", "soho")
	_, err = w.eng.DeleteHolder(w.ctx, passengine.DeleteHolderRequest{Key: w.key("del"), Network: cardNet, Holder: "ada"})
	require.ErrorIs(t, err, passengine.ErrAlreadyCheckedIn)
	_, err = w.eng.CheckOut(w.ctx, passengine.CheckOutRequest{Key: w.key("out"), Network: cardNet, Visit: in.Visit.ID})
	require.NoError(t, err)
	booked, err := w.eng.Book(w.ctx, passengine.BookRequest{Key: w.key("book"), Network: cardNet, Holder: "ada", Location: "camden",
		Start: cardStart.Add(72 * time.Hour), Cost: 2})
	require.NoError(t, err)
	require.Equal(t, c.Card.Pass, booked.Visit.Pass)
	require.Equal(t, 2, w.card(c.Card.ID).Metrics.Available)

	res, err := w.eng.DeleteHolder(w.ctx, del)
	require.NoError(t, err)
	require.Equal(t, []string{booked.Visit.ID}, res.Cancelled)
	require.Equal(t, []string{c.Card.ID}, res.Cards)
	require.ElementsMatch(t, []string{c.Card.Pass, pack.ID}, res.Revoked)
	again, err := w.eng.DeleteHolder(w.ctx, del)
	require.NoError(t, err)
	require.Equal(t, res, again, "the same key replays the result")

	_, err = w.eng.Holder(w.ctx, cardNet, "ada")
	require.ErrorIs(t, err, passengine.ErrNotFound)
	_, err = w.eng.CheckIn(w.ctx, passengine.CheckInRequest{Key: w.key("in"), Network: cardNet, Holder: "ada", Location: "soho"})
	require.ErrorIs(t, err, passengine.ErrNotFound)
	v := w.card(c.Card.ID)
	require.Equal(t, card.Deleted, v.Card.Status)
	require.Equal(t, 4, v.Metrics.Available, "the cancelled booking's 2 visits are back")
	require.Equal(t, 1, v.Metrics.Redeemed)
	s := w.snapshot()
	require.Len(t, s.Visits, 2, "the history stays")
	for _, p := range s.Passes {
		require.True(t, p.Revoked, "pass %s", p.ID)
	}
	bv, _ := w.eng.Visit(w.ctx, cardNet, booked.Visit.ID)
	require.Equal(t, checkin.Cancelled, bv.Status)
	require.Equal(t, "business", bv.CancelledBy)

	// Someone put again with the ID gets none of the old passes.
	require.NoError(t, w.eng.PutHolder(w.ctx, catalog.Holder{Network: cardNet, ID: "ada", Audience: catalog.Member}))
	_, err = w.eng.CheckIn(w.ctx, passengine.CheckInRequest{Key: w.key("in"), Network: cardNet, Holder: "ada", Location: "soho"})
	require.ErrorIs(t, err, passengine.ErrNoEntitlement)
}

// cardMetricsHistory: after check-ins, bookings, cancels, additions,
// subtractions, referrals and bonus changes, every metric on the card's
// row equals the one replayed from the full ledger (M6).
func cardMetricsHistory(t *testing.T, w *cardWorld) {
	c := w.issue("ada")
	w.add(c.Card.ID, 10, "95.50")
	for i := range 3 {
		w.clock.Advance(24 * time.Hour)
		in := w.checkIn("ada", []string{"soho", "camden"}[i%2])
		_, err := w.eng.CheckOut(w.ctx, passengine.CheckOutRequest{Key: w.key("out"), Network: cardNet, Visit: in.Visit.ID})
		require.NoError(t, err)
	}
	b, err := w.eng.Book(w.ctx, passengine.BookRequest{Key: w.key("book"), Network: cardNet, Holder: "ada", Location: "soho",
		Start: w.clock.Now().Add(48 * time.Hour)})
	require.NoError(t, err)
	_, err = w.eng.CancelBooking(w.ctx, passengine.CancelRequest{Key: w.key("cancel"), Network: cardNet, Visit: b.Visit.ID})
	require.NoError(t, err)
	_, err = w.eng.SubtractVisits(w.ctx, passengine.VisitsRequest{Key: w.key("sub"), Network: cardNet, Card: c.Card.ID, Visits: 1, Amount: gbp("9.55")})
	require.NoError(t, err)
	_, err = w.eng.AddVisits(w.ctx, passengine.VisitsRequest{Key: w.key("ref"), Network: cardNet, Card: c.Card.ID, Visits: 1, Referral: true})
	require.NoError(t, err)
	_, err = w.eng.SubtractBonus(w.ctx, passengine.BonusRequest{Key: w.key("bonus"), Network: cardNet, Card: c.Card.ID, Points: 4})
	require.NoError(t, err)
	s := w.snapshot() // CheckCards compares the row with the history
	v := w.card(c.Card.ID)
	m := v.Metrics
	require.Equal(t, []int{11, 3, 7, 1, 4, 1, 2}, []int{m.Sold, m.Redeemed, m.Available, m.Removed, m.TotalVisits, m.ReferralVisits, m.Bonus})
	amountIs(t, "LTV", m.LTV, "105.05")
	amountIs(t, "net revenue", m.NetRevenue, "85.95")
	require.Equal(t, calendar.DateOf(cardStart), m.IssuedOn)
	require.Equal(t, calendar.MustDate("2026-09-02"), m.ExpiresOn)
	require.True(t, m.LastRedemption.Equal(cardStart.Add(72*time.Hour)), "last redemption %s", m.LastRedemption)
	require.Equal(t, card.Replay("GBP", c.Card.Pass, s.Ledger), v.Card.Counters)
}

// cardExpiry: the card's expiry moves either way (E2); past it the visits
// are refused, moved past today they are usable again.
func cardExpiry(t *testing.T, w *cardWorld) {
	c := w.issue("ada")
	w.add(c.Card.ID, 2, "")
	v, err := w.eng.SetCardExpiry(w.ctx, passengine.CardExpiryRequest{Key: w.key("exp"), Network: cardNet, Card: c.Card.ID,
		ExpiresOn: calendar.MustDate("2026-03-03"), Actor: "manager"})
	require.NoError(t, err)
	require.Equal(t, pass.StatusActive, v.Status)
	w.clock.Advance(2 * 24 * time.Hour) // 2026-03-04
	require.Equal(t, pass.StatusExpired, w.card(c.Card.ID).Status)
	_, err = w.eng.SetCardExpiry(w.ctx, passengine.CardExpiryRequest{Key: w.key("exp"), Network: cardNet, Card: c.Card.ID,
		ExpiresOn: calendar.MustDate("2026-03-01")})
	wantField(t, err, "expires_on")
	_, err = w.eng.CheckIn(w.ctx, passengine.CheckInRequest{Key: w.key("in"), Network: cardNet, Holder: "ada", Location: "soho"})
	var refusal *entitlement.RefusalError
	require.ErrorAs(t, err, &refusal)
	require.Equal(t, entitlement.Expired, refusal.Candidates[0].Reason)
	v, err = w.eng.SetCardExpiry(w.ctx, passengine.CardExpiryRequest{Key: w.key("exp"), Network: cardNet, Card: c.Card.ID,
		ExpiresOn: calendar.MustDate("2026-12-31"), Comment: "loyal customer"})
	require.NoError(t, err)
	require.Equal(t, calendar.MustDate("2026-12-31"), v.Metrics.ExpiresOn)
	w.checkIn("ada", "soho")
}

// cardIdempotent: a card call sent again with its key returns the first
// result and changes nothing; with another request it is refused (I1).
func cardIdempotent(t *testing.T, w *cardWorld) {
	c := w.issue("ada")
	req := passengine.VisitsRequest{Key: "sale-1", Network: cardNet, Card: c.Card.ID, Visits: 10, Amount: gbp("100")}
	first, err := w.eng.AddVisits(w.ctx, req)
	require.NoError(t, err)
	again, err := w.eng.AddVisits(w.ctx, req)
	require.NoError(t, err)
	require.Equal(t, first, again)
	require.Equal(t, 10, w.card(c.Card.ID).Metrics.Sold)
	req.Visits = 11
	_, err = w.eng.AddVisits(w.ctx, req)
	require.ErrorIs(t, err, passengine.ErrKeyReused)
	_, err = w.eng.SubtractVisits(w.ctx, passengine.VisitsRequest{Key: "sale-1", Network: cardNet, Card: c.Card.ID, Visits: 10})
	require.ErrorIs(t, err, passengine.ErrKeyReused, "the same key for another operation")
}

// cardConcurrent: 40 check-ins of one holder at 40 locations at once,
// with a card of 15 visits: exactly 15 succeed, the card counts 15
// redemptions and 30 points, and its row equals its history (I2, M3).
func cardConcurrent(t *testing.T, w *cardWorld) {
	const n, visits = 40, 15
	for i := range n {
		require.NoError(t, w.eng.PutLocation(w.ctx, catalog.Location{Network: cardNet, ID: fmt.Sprintf("loc-%02d", i), Zone: "Europe/London"}))
	}
	c := w.issue("ada")
	w.add(c.Card.ID, visits, "150")
	errs := make([]error, n)
	start(n, func(i int) {
		_, errs[i] = w.eng.CheckIn(w.ctx, passengine.CheckInRequest{Key: fmt.Sprintf("door-%d", i), Network: cardNet,
			Holder: "ada", Location: fmt.Sprintf("loc-%02d", i)})
	})
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, passengine.ErrNoEntitlement):
			t.Fatalf("check-in: %v", err)
		}
	}
	require.Equal(t, visits, ok)
	v := w.card(c.Card.ID)
	require.Equal(t, []int{0, visits, 2 * visits}, []int{v.Metrics.Available, v.Metrics.Redeemed, v.Metrics.Bonus})
	w.snapshot()
}

// cardBadInput: bad input to the card calls (zero or negative visits or
// points, a fractional visit count, an amount in another currency or finer
// than a penny, subtracting more than available, a referral subtraction,
// an unknown status) gets a field error naming the field and writes
// nothing (S2, I3).
func cardBadInput(t *testing.T, w *cardWorld) {
	c := w.issue("ada")
	w.add(c.Card.ID, 3, "30")
	var fractional passengine.VisitsRequest
	require.Error(t, json.Unmarshal([]byte(`{"key":"k","network":"studio","card":"c","visits":1.5}`), &fractional),
		"a fractional visit count cannot reach the Engine: Visits is a whole number")
	before := w.snapshot()
	visits := func(v int, amount money.Money, referral bool) passengine.VisitsRequest {
		return passengine.VisitsRequest{Key: w.key("bad"), Network: cardNet, Card: c.Card.ID, Visits: v, Amount: amount, Referral: referral}
	}
	for _, tc := range []struct {
		name, field string
		call        func() error
	}{
		{"zero visits", "visits", func() error { _, err := w.eng.AddVisits(w.ctx, visits(0, money.Money{}, false)); return err }},
		{"negative visits", "visits", func() error { _, err := w.eng.AddVisits(w.ctx, visits(-2, money.Money{}, false)); return err }},
		{"too many visits", "visits", func() error {
			_, err := w.eng.AddVisits(w.ctx, visits(card.MaxValue+1, money.Money{}, false))
			return err
		}},
		{"another currency", "amount.currency", func() error {
			_, err := w.eng.AddVisits(w.ctx, visits(1, money.MustNew("10", "EUR"), false))
			return err
		}},
		{"finer than a penny", "amount.amount", func() error { _, err := w.eng.AddVisits(w.ctx, visits(1, gbp("10.001"), false)); return err }},
		{"negative amount", "amount.amount", func() error { _, err := w.eng.AddVisits(w.ctx, visits(1, gbp("-10"), false)); return err }},
		{"more than available", "visits", func() error {
			_, err := w.eng.SubtractVisits(w.ctx, visits(4, money.Money{}, false))
			return err
		}},
		{"zero subtraction", "visits", func() error { _, err := w.eng.SubtractVisits(w.ctx, visits(0, money.Money{}, false)); return err }},
		{"referral subtraction", "referral", func() error {
			_, err := w.eng.SubtractVisits(w.ctx, visits(1, money.Money{}, true))
			return err
		}},
		{"zero points", "points", func() error {
			_, err := w.eng.AddBonus(w.ctx, passengine.BonusRequest{Key: w.key("bad"), Network: cardNet, Card: c.Card.ID})
			return err
		}},
		{"negative points", "points", func() error {
			_, err := w.eng.SubtractBonus(w.ctx, passengine.BonusRequest{Key: w.key("bad"), Network: cardNet, Card: c.Card.ID, Points: -1})
			return err
		}},
		{"unknown status", "status", func() error {
			_, err := w.eng.SetCardStatus(w.ctx, passengine.CardStatusRequest{Key: w.key("bad"), Network: cardNet, Card: c.Card.ID, Status: "lost"})
			return err
		}},
		{"missing card", "card", func() error {
			_, err := w.eng.AddVisits(w.ctx, passengine.VisitsRequest{Key: w.key("bad"), Network: cardNet, Visits: 1})
			return err
		}},
		{"program not of visits", "program", func() error {
			require.NoError(t, w.eng.PutProduct(w.ctx, pass.Product{Network: cardNet, ID: "day", Kind: pass.Day, Units: 1,
				Price: gbp("10"), Activation: pass.OnPurchase}))
			_, err := w.eng.IssueCard(w.ctx, passengine.IssueCardRequest{Key: w.key("bad"), Network: cardNet, Holder: "ben", Program: "day"})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) { wantField(t, tc.call(), tc.field) })
	}
	after := w.snapshot()
	require.Equal(t, before.Passes, after.Passes)
	require.Equal(t, before.Cards, after.Cards)
	require.Equal(t, before.Ledger, after.Ledger)
	_, err := w.eng.AddVisits(w.ctx, passengine.VisitsRequest{Key: w.key("bad"), Network: cardNet, Card: "no-such-card", Visits: 1})
	require.ErrorIs(t, err, passengine.ErrNotFound)
}

// cardOnePerProgram: a holder has one card of a program that is not
// deleted; a second is a *CardExistsError; a card ID in use is a field
// error; another program is fine.
func cardOnePerProgram(t *testing.T, w *cardWorld) {
	c := w.issue("ada")
	_, err := w.eng.IssueCard(w.ctx, passengine.IssueCardRequest{Key: w.key("card"), Network: cardNet, Holder: "ada", Program: "multipass"})
	var exists *passengine.CardExistsError
	require.ErrorAs(t, err, &exists)
	require.Equal(t, c.Card.ID, exists.Card)
	_, err = w.eng.IssueCard(w.ctx, passengine.IssueCardRequest{Key: w.key("card"), Network: cardNet, Holder: "ben", Program: "multipass", Card: c.Card.ID})
	wantField(t, err, "card")
	v, err := w.eng.IssueCard(w.ctx, passengine.IssueCardRequest{Key: w.key("card"), Network: cardNet, Holder: "ada", Program: "class-5", Card: "serial-0042"})
	require.NoError(t, err)
	require.Equal(t, "serial-0042", v.Card.ID)
	require.Equal(t, card.NotInstalled, v.Card.Status)
	_, err = w.eng.IssueCard(w.ctx, passengine.IssueCardRequest{Key: w.key("card"), Network: cardNet, Holder: "nobody", Program: "multipass"})
	require.ErrorIs(t, err, store.ErrNotFound)
}

// cardAdjustRefused: AdjustUnits does not change a card's pass, whose
// visits change through the card calls that keep its metrics (E4, M6).
func cardAdjustRefused(t *testing.T, w *cardWorld) {
	c := w.issue("ada")
	w.add(c.Card.ID, 2, "")
	_, err := w.eng.AdjustUnits(w.ctx, passengine.AdjustRequest{Key: w.key("adj"), Network: cardNet, Pass: c.Card.Pass, Units: 3})
	wantField(t, err, "pass")
	require.Equal(t, 2, w.card(c.Card.ID).Metrics.Available)
}
