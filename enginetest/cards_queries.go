package enginetest

import (
	"bytes"
	"encoding/csv"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/card"
	"github.com/passengine/passengine/pass"
	"github.com/stretchr/testify/require"
)

// readCSV parses b as RFC 4180 CSV and checks the header.
func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	require.NoError(t, err)
	require.NotEmpty(t, rows)
	require.Equal(t, passengine.HistoryHeader, rows[0])
	return rows[1:]
}

// cardHistoryCSV: a card's history exports as CSV (M7): one row per entry
// of its pass, in the order written, with the instant in London and in
// UTC, the type, value, amount, comment (quoted when it holds a comma),
// actor and balance after.
func cardHistoryCSV(t *testing.T, w *cardWorld) {
	c := w.issue("ada")
	w.clock.Set(time.Date(2026, 4, 1, 10, 0, 0, 0, london)) // BST: UTC+1
	_, err := w.eng.AddVisits(w.ctx, passengine.VisitsRequest{Key: w.key("add"), Network: cardNet, Card: c.Card.ID,
		Visits: 10, Amount: gbp("100"), Actor: "desk", Comment: "10-visit package, paid cash"})
	require.NoError(t, err)
	w.clock.Advance(time.Hour)
	w.checkIn("ada", "soho")
	_, err = w.eng.SubtractVisits(w.ctx, passengine.VisitsRequest{Key: w.key("sub"), Network: cardNet, Card: c.Card.ID,
		Visits: 2, Amount: gbp("20"), Actor: "manager", Comment: "refund"})
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, w.eng.WriteCardHistoryCSV(w.ctx, cardNet, c.Card.ID, &buf))
	rows := readCSV(t, buf.Bytes())
	s := w.snapshot()
	require.Len(t, rows, len(s.Ledger), "a row per entry of the card's pass")
	want := [][]string{
		{"2026-03-02T09:00:00Z", "2026-03-02T09:00:00Z", "ada", "card", c.Card.ID, "issued", "visits", "0", "", "", "card " + c.Card.ID + " issued", "desk", "0"},
		{"2026-04-01T10:00:00+01:00", "2026-04-01T09:00:00Z", "ada", "card", c.Card.ID, "visits_added", "visits", "10", "100.00", "GBP", "10-visit package, paid cash", "desk", "10"},
		{"2026-04-01T11:00:00+01:00", "2026-04-01T10:00:00Z", "ada", "card", c.Card.ID, "visits_redeemed", "visits", "-1", "", "", "", "", "9"},
		{"2026-04-01T11:00:00+01:00", "2026-04-01T10:00:00Z", "ada", "card", c.Card.ID, "bonus_awarded", "points", "2", "", "", "", "", "2"},
		{"2026-04-01T11:00:00+01:00", "2026-04-01T10:00:00Z", "ada", "card", c.Card.ID, "visits_removed", "visits", "-2", "20.00", "GBP", "refund", "manager", "7"},
	}
	require.Equal(t, want, rows)
	require.Contains(t, buf.String(), `"10-visit package, paid cash"`, "RFC 4180 quoting")

	// A card with more entries than a page exports them all, in order.
	for range 3 {
		_, err := w.eng.AddBonus(w.ctx, passengine.BonusRequest{Key: w.key("b"), Network: cardNet, Card: c.Card.ID, Points: 1})
		require.NoError(t, err)
	}
	buf.Reset()
	require.NoError(t, w.eng.WriteCardHistoryCSV(w.ctx, cardNet, c.Card.ID, &buf))
	rows = readCSV(t, buf.Bytes())
	require.Len(t, rows, 8)
	require.Equal(t, []string{"bonus_added", "points", "1", "5"}, []string{rows[7][5], rows[7][6], rows[7][7], rows[7][12]})
	require.ErrorIs(t, w.eng.WriteCardHistoryCSV(w.ctx, cardNet, "no-such-card", &buf), passengine.ErrNotFound)
}

// networkHistoryCSV: a network's entries of a period export by instant,
// cards' entries naming the card and other passes' the pass (M7); entries
// outside the period are left out.
func networkHistoryCSV(t *testing.T, w *cardWorld) {
	ada, ben := w.issue("ada"), w.issue("ben")
	w.add(ada.Card.ID, 5, "50")
	pack, err := w.eng.IssuePass(w.ctx, passengine.IssueRequest{Key: w.key("pack"), Network: cardNet, Product: "class-5", Holder: "ben"})
	require.NoError(t, err)
	w.clock.Set(time.Date(2026, 3, 3, 12, 0, 0, 0, london))
	w.add(ben.Card.ID, 3, "30")
	w.checkIn("ada", "soho")
	w.clock.Set(time.Date(2026, 3, 4, 12, 0, 0, 0, london))
	w.add(ada.Card.ID, 1, "10")
	var buf bytes.Buffer
	require.NoError(t, w.eng.WriteNetworkHistoryCSV(w.ctx, passengine.NetworkHistoryRequest{Network: cardNet,
		From: calendar.MustDate("2026-03-03"), To: calendar.MustDate("2026-03-03")}, &buf))
	rows := readCSV(t, buf.Bytes())
	var got [][]string
	for _, r := range rows {
		got = append(got, []string{r[2], r[3], r[4], r[5], r[7]})
	}
	require.Equal(t, [][]string{
		{"ben", "card", ben.Card.ID, "visits_added", "3"},
		{"ada", "card", ada.Card.ID, "visits_redeemed", "-1"},
		{"ada", "card", ada.Card.ID, "bonus_awarded", "2"},
	}, got)
	buf.Reset()
	require.NoError(t, w.eng.WriteNetworkHistoryCSV(w.ctx, passengine.NetworkHistoryRequest{Network: cardNet,
		From: calendar.MustDate("2026-03-01"), To: calendar.MustDate("2026-03-31")}, &buf))
	rows = readCSV(t, buf.Bytes())
	require.Len(t, rows, len(w.snapshot().Ledger))
	found := false
	for _, r := range rows {
		if r[4] == pack.ID {
			found = true
			require.Equal(t, []string{"pass", "issued", "visits", "5", "60.00"}, []string{r[3], r[5], r[6], r[7], r[8]})
		}
	}
	require.True(t, found, "the class pack's issue is listed as a pass")
	err = w.eng.WriteNetworkHistoryCSV(w.ctx, passengine.NetworkHistoryRequest{Network: cardNet,
		From: calendar.MustDate("2026-03-31"), To: calendar.MustDate("2026-03-01")}, &buf)
	wantField(t, err, "to")
}

// accountHistoryCSV: a prepaid account's entries export through the same
// streaming facility as a card's (M7, W1): a holder's account, oldest
// first, with the signed amount and the balance after; and every account
// of the network in a period.
func accountHistoryCSV(t *testing.T, w *cardWorld) {
	_, err := w.eng.Deposit(w.ctx, passengine.DepositRequest{Key: w.key("dep"), Network: cardNet, Holder: "ada",
		Amount: gbp("50.00"), Actor: "portal", Comment: "card payment"})
	require.NoError(t, err)
	w.clock.Advance(time.Hour)
	_, err = w.eng.Spend(w.ctx, passengine.SpendRequest{Key: w.key("spend"), Network: cardNet, Holder: "ada",
		Amount: gbp("20.00"), Actor: "desk", Comment: "smoothie, protein"})
	require.NoError(t, err)
	w.clock.Set(time.Date(2026, 3, 3, 10, 0, 0, 0, london))
	_, err = w.eng.Deposit(w.ctx, passengine.DepositRequest{Key: w.key("dep"), Network: cardNet, Holder: "ben", Amount: gbp("5")})
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, w.eng.WriteAccountHistoryCSV(w.ctx, passengine.AccountHistoryRequest{Network: cardNet, Holder: "ada"}, &buf))
	require.Equal(t, [][]string{
		{"2026-03-02T09:00:00Z", "2026-03-02T09:00:00Z", "ada", "account", "GBP", "deposit", "GBP", "50.00", "50.00", "GBP", "card payment", "portal", "50.00"},
		{"2026-03-02T10:00:00Z", "2026-03-02T10:00:00Z", "ada", "account", "GBP", "spend", "GBP", "-20.00", "20.00", "GBP", "smoothie, protein", "desk", "30.00"},
	}, readCSV(t, buf.Bytes()))
	buf.Reset()
	require.NoError(t, w.eng.WriteAccountHistoryCSV(w.ctx, passengine.AccountHistoryRequest{Network: cardNet,
		From: calendar.MustDate("2026-03-03"), To: calendar.MustDate("2026-03-03")}, &buf))
	rows := readCSV(t, buf.Bytes())
	require.Len(t, rows, 1)
	require.Equal(t, []string{"ben", "deposit", "5.00", "5.00"}, []string{rows[0][2], rows[0][5], rows[0][7], rows[0][12]})
	err = w.eng.WriteAccountHistoryCSV(w.ctx, passengine.AccountHistoryRequest{Network: cardNet, Holder: "nobody"}, &buf)
	require.ErrorIs(t, err, passengine.ErrNotFound)
}

// myPurchases: a member's passes and cards grouped as usable (units
// left), used up and expired, with units used and left, in pages (seed
// 004 "My purchases").
func myPurchases(t *testing.T, w *cardWorld) {
	c := w.issue("ada")
	w.add(c.Card.ID, 10, "100")
	issue := func(product string) pass.Pass {
		p, err := w.eng.IssuePass(w.ctx, passengine.IssueRequest{Key: w.key("p"), Network: cardNet, Product: product, Holder: "ada"})
		require.NoError(t, err)
		return p
	}
	used, expired, fresh := issue("class-5"), issue("class-5"), issue("class-5")
	_, err := w.eng.AdjustUnits(w.ctx, passengine.AdjustRequest{Key: w.key("adj"), Network: cardNet, Pass: used.ID, Units: -5})
	require.NoError(t, err)
	_, err = w.eng.SetExpiry(w.ctx, passengine.ExpiryRequest{Key: w.key("exp"), Network: cardNet, Pass: expired.ID, ExpiresOn: calendar.MustDate("2026-03-02")})
	require.NoError(t, err)
	w.clock.Advance(24 * time.Hour) // 2026-03-03: expired yesterday
	w.checkIn("ada", "soho")        // the card pays
	groups := map[passengine.PurchaseGroup][]string{}
	left := map[string][2]int{}
	page, err := w.eng.Purchases(w.ctx, passengine.PurchasesRequest{Network: cardNet, Holder: "ada"})
	require.NoError(t, err)
	require.Empty(t, page.Next)
	for _, p := range page.Items {
		groups[p.Group] = append(groups[p.Group], p.Pass.ID)
		left[p.Pass.ID] = [2]int{p.UnitsUsed, p.UnitsLeft}
		if p.Pass.ID == c.Card.Pass {
			require.NotNil(t, p.Card)
			require.Equal(t, c.Card.ID, p.Card.ID)
		}
	}
	require.Equal(t, []string{c.Card.Pass, fresh.ID}, groups[passengine.Usable])
	require.Equal(t, []string{used.ID}, groups[passengine.UsedUp])
	require.Equal(t, []string{expired.ID}, groups[passengine.Expired])
	require.Equal(t, [2]int{1, 9}, left[c.Card.Pass])
	require.Equal(t, [2]int{0, 5}, left[expired.ID])
	// Pages of one, usable only.
	var ids []string
	cursor := ""
	for range 10 {
		page, err := w.eng.Purchases(w.ctx, passengine.PurchasesRequest{Network: cardNet, Holder: "ada", Group: passengine.Usable, Cursor: cursor, Limit: 1})
		require.NoError(t, err)
		for _, p := range page.Items {
			ids = append(ids, p.Pass.ID)
		}
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	require.Equal(t, []string{c.Card.Pass, fresh.ID}, ids)
	_, err = w.eng.Purchases(w.ctx, passengine.PurchasesRequest{Network: cardNet, Holder: "ada", Group: "old"})
	wantField(t, err, "group")
	_, err = w.eng.Purchases(w.ctx, passengine.PurchasesRequest{Network: cardNet, Holder: "ada", Cursor: "x"})
	wantField(t, err, "cursor")
}

// expiringSoon: the network's passes and cards with units left expiring
// within 30, 14 or 7 days, soonest first, in pages (seed 003 best
// practices); used up, expired and deleted ones are not listed.
func expiringSoon(t *testing.T, w *cardWorld) {
	setExpiry := func(id string, on string) {
		_, err := w.eng.SetExpiry(w.ctx, passengine.ExpiryRequest{Key: w.key("exp"), Network: cardNet, Pass: id, ExpiresOn: calendar.MustDate(on)})
		require.NoError(t, err)
	}
	ada, ben := w.issue("ada"), w.issue("ben")
	w.add(ada.Card.ID, 3, "")
	w.add(ben.Card.ID, 3, "")
	_, err := w.eng.SetCardExpiry(w.ctx, passengine.CardExpiryRequest{Key: w.key("cexp"), Network: cardNet, Card: ada.Card.ID,
		ExpiresOn: calendar.MustDate("2026-03-10")}) // 7 days from 2026-03-03
	require.NoError(t, err)
	issue := func() pass.Pass {
		p, err := w.eng.IssuePass(w.ctx, passengine.IssueRequest{Key: w.key("p"), Network: cardNet, Product: "class-5", Holder: "ben"})
		require.NoError(t, err)
		return p
	}
	in14, in30, past, usedUp := issue(), issue(), issue(), issue()
	setExpiry(in14.ID, "2026-03-17")
	setExpiry(in30.ID, "2026-04-02")
	setExpiry(past.ID, "2026-03-02")
	setExpiry(usedUp.ID, "2026-03-05")
	_, err = w.eng.AdjustUnits(w.ctx, passengine.AdjustRequest{Key: w.key("adj"), Network: cardNet, Pass: usedUp.ID, Units: -5})
	require.NoError(t, err)
	_, err = w.eng.SetCardExpiry(w.ctx, passengine.CardExpiryRequest{Key: w.key("cexp"), Network: cardNet, Card: ben.Card.ID,
		ExpiresOn: calendar.MustDate("2026-03-10")})
	require.NoError(t, err)
	_, err = w.eng.SetCardStatus(w.ctx, passengine.CardStatusRequest{Key: w.key("del"), Network: cardNet, Card: ben.Card.ID, Status: card.Deleted})
	require.NoError(t, err)
	w.clock.Advance(24 * time.Hour) // 2026-03-03: past expired yesterday

	list := func(within, atLeast, limit int) ([]string, []int) {
		var ids []string
		var days []int
		cursor := ""
		for range 10 {
			page, err := w.eng.ExpiringSoon(w.ctx, passengine.ExpiringRequest{Network: cardNet, Within: within, AtLeast: atLeast, Cursor: cursor, Limit: limit})
			require.NoError(t, err)
			for _, it := range page.Items {
				ids = append(ids, it.Pass.ID)
				days = append(days, it.DaysLeft)
				if it.Pass.Card != "" {
					require.NotNil(t, it.Card)
				}
			}
			if page.Next == "" {
				break
			}
			cursor = page.Next
		}
		return ids, days
	}
	ids, days := list(30, 0, 0)
	require.Equal(t, []string{ada.Card.Pass, in14.ID, in30.ID}, ids)
	require.Equal(t, []int{7, 14, 30}, days)
	ids, _ = list(30, 0, 1)
	require.Equal(t, []string{ada.Card.Pass, in14.ID, in30.ID}, ids, "in pages of one")
	ids, _ = list(14, 0, 0)
	require.Equal(t, []string{ada.Card.Pass, in14.ID}, ids)
	ids, _ = list(7, 7, 0)
	require.Equal(t, []string{ada.Card.Pass}, ids, "the 7-day reminder")
	_, err = w.eng.ExpiringSoon(w.ctx, passengine.ExpiringRequest{Network: cardNet, Within: 7, AtLeast: 8})
	wantField(t, err, "at_least")
	_, err = w.eng.ExpiringSoon(w.ctx, passengine.ExpiringRequest{Network: cardNet, Within: 7, Cursor: "junk"})
	wantField(t, err, "cursor")
}

// segments: card holders get RFM segments from their redemptions in the
// period, recency and net revenue (seed 003); deleted cards are left out.
func segments(t *testing.T, w *cardWorld) {
	ada, ben := w.issue("ada"), w.issue("ben")
	w.add(ada.Card.ID, 30, "600")
	w.add(ben.Card.ID, 10, "60")
	for range 14 { // ada comes every day for two weeks
		in := w.checkIn("ada", "soho")
		_, err := w.eng.CheckOut(w.ctx, passengine.CheckOutRequest{Key: w.key("out"), Network: cardNet, Visit: in.Visit.ID})
		require.NoError(t, err)
		w.clock.Advance(24 * time.Hour)
	}
	got := map[string]passengine.CardSegment{}
	require.NoError(t, w.eng.Segments(w.ctx, passengine.SegmentsRequest{Network: cardNet}, func(s passengine.CardSegment) error {
		got[s.Card] = s
		return nil
	}))
	require.Len(t, got, 2)
	require.Equal(t, card.Champions, got[ada.Card.ID].Segment, "%+v", got[ada.Card.ID])
	require.Equal(t, 14, got[ada.Card.ID].RFM.Frequency)
	require.Equal(t, card.Promising, got[ben.Card.ID].Segment, "issued two weeks ago, not yet used: %+v", got[ben.Card.ID])
	// Two months later, nobody came.
	w.clock.Advance(60 * 24 * time.Hour)
	got = map[string]passengine.CardSegment{}
	require.NoError(t, w.eng.Segments(w.ctx, passengine.SegmentsRequest{Network: cardNet}, func(s passengine.CardSegment) error {
		got[s.Card] = s
		return nil
	}))
	require.Equal(t, card.CannotLose, got[ada.Card.ID].Segment, "%+v", got[ada.Card.ID])
	require.Equal(t, card.Lost, got[ben.Card.ID].Segment, "%+v", got[ben.Card.ID])
	_, err := w.eng.SetCardStatus(w.ctx, passengine.CardStatusRequest{Key: w.key("del"), Network: cardNet, Card: ben.Card.ID, Status: card.Deleted})
	require.NoError(t, err)
	n := 0
	require.NoError(t, w.eng.Segments(w.ctx, passengine.SegmentsRequest{Network: cardNet}, func(passengine.CardSegment) error { n++; return nil }))
	require.Equal(t, 1, n)
}
