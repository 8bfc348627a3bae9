package passengine_test

import (
	"errors"
	"io"
	"testing"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/card"
	"github.com/passengine/passengine/pass"
)

// The fuzz targets of the prepaid account and multipass card calls, holder
// deletion and the card queries with their cursors (RULES W1, W2, M1-M7
// with S2, S4, I3): no input panics, and a refused call writes nothing.

// cardFuzzWorld is the fuzz world with a prepaid account and cards: ada
// has 50.00 deposited and 10.00 spent (spend is the spend entry), an
// installed card with 5 visits (card); ben has a deleted card (deleted).
type cardFuzzWorld struct {
	*fuzzWorld
	card, deleted, spend string
}

func newCardFuzzWorld(t *testing.T) *cardFuzzWorld {
	w := &cardFuzzWorld{fuzzWorld: newFuzzWorld(t)}
	w.product(pass.Product{ID: "multipass", Kind: pass.Visits, Units: 10, Price: w.money("100"), Validity: calendar.Validity{Months: 6}})
	c, err := w.eng.IssueCard(w.ctx, passengine.IssueCardRequest{Key: "fuzz-card", Network: coreNet, Holder: "ada", Program: "multipass",
		Card: "0042", Status: card.Installed})
	w.must(err)
	_, err = w.eng.AddVisits(w.ctx, passengine.VisitsRequest{Key: "fuzz-sale", Network: coreNet, Card: c.Card.ID, Visits: 5, Amount: w.money("50")})
	w.must(err)
	old, err := w.eng.IssueCard(w.ctx, passengine.IssueCardRequest{Key: "fuzz-old", Network: coreNet, Holder: "ben", Program: "multipass"})
	w.must(err)
	_, err = w.eng.SetCardStatus(w.ctx, passengine.CardStatusRequest{Key: "fuzz-deleted", Network: coreNet, Card: old.Card.ID, Status: card.Deleted})
	w.must(err)
	w.deposit("ada", "50")
	r, err := w.eng.Spend(w.ctx, passengine.SpendRequest{Key: "fuzz-spend", Network: coreNet, Holder: "ada", Amount: w.money("10")})
	w.must(err)
	w.card, w.deleted, w.spend = c.Card.ID, old.Card.ID, r.Entries[0].ID
	return w
}

// tryCards is try on the card fuzz world.
func tryCards(t *testing.T, call func(w *cardFuzzWorld) error) {
	w := newCardFuzzWorld(t)
	tryOn(t, w.fuzzWorld, func() error { return call(w) })
}

// pick turns the words "card", "deleted" and "spend" into the world's
// IDs, and leaves any other text as it is.
func (w *cardFuzzWorld) pick(s string) string {
	switch s {
	case "card":
		return w.card
	case "deleted":
		return w.deleted
	case "spend":
		return w.spend
	}
	return s
}

func FuzzWalletCalls(f *testing.F) {
	seeds(f, func(s string, n int, sec int64) { f.Add(s, "10", n%7) })
	for which := range 7 {
		f.Add("spend", "2.50", which)
		f.Add("ada", "0.001", which)
	}
	f.Fuzz(func(t *testing.T, text, amount string, which int) {
		tryCards(t, func(w *cardFuzzWorld) error {
			holder, m := text, fuzzMoney(amount, "USD")
			if text == "spend" || text == "card" {
				holder = "ada"
			}
			var err error
			switch (which%7 + 7) % 7 {
			case 0:
				_, err = w.eng.Deposit(w.ctx, passengine.DepositRequest{Key: "k", Network: coreNet, Holder: holder, Amount: m, Comment: text})
			case 1:
				_, err = w.eng.Spend(w.ctx, passengine.SpendRequest{Key: "k", Network: coreNet, Holder: holder, Amount: m, Actor: text})
			case 2:
				_, err = w.eng.Refund(w.ctx, passengine.RefundRequest{Key: "k", Network: coreNet, Entry: w.pick(text), Amount: m, Actor: "manager"})
			case 3:
				_, err = w.eng.AdjustAccount(w.ctx, passengine.AdjustAccountRequest{Key: "k", Network: coreNet, Holder: holder, Amount: m, Actor: text})
			case 4:
				_, err = w.eng.SetOverdraft(w.ctx, passengine.OverdraftRequest{Key: "k", Network: coreNet, Holder: holder, Limit: m, Actor: text})
			case 5:
				_, err = w.eng.Settle(w.ctx, passengine.SettleRequest{Key: "k", Network: coreNet, Holder: holder, Visit: text})
			default:
				_, err = w.eng.IssuePass(w.ctx, passengine.IssueRequest{Key: "k", Network: coreNet, Product: "pack", Holder: holder,
					PayFromAccount: true, Price: m})
			}
			return err
		})
	})
}

func FuzzAccountReads(f *testing.F) {
	seeds(f, func(s string, n int, sec int64) { f.Add(s, s, n, sec, int(sec%3000), 3, 4) })
	f.Add("ada", "next", 1, int64(-3600), 2026, 10, 1)
	f.Fuzz(func(t *testing.T, holder, cursor string, limit int, sec int64, y, m, d int) {
		tryCards(t, func(w *cardFuzzWorld) error {
			if cursor == "next" {
				first, err := w.eng.AccountEntries(w.ctx, passengine.AccountEntriesRequest{Network: coreNet, Limit: 1})
				w.must(err)
				cursor = first.Next
			}
			_, e1 := w.eng.AccountEntries(w.ctx, passengine.AccountEntriesRequest{Network: coreNet, Holder: holder, From: fuzzAt(w.fuzzWorld, sec),
				To: fuzzAt(w.fuzzWorld, sec/2), Cursor: cursor, Limit: limit})
			e2 := w.eng.WriteAccountHistoryCSV(w.ctx, passengine.AccountHistoryRequest{Network: coreNet, Holder: holder,
				From: fuzzDate(y, m, d), To: fuzzDate(y, m, d+limit%40)}, io.Discard)
			_, e3 := w.eng.Account(w.ctx, coreNet, holder)
			_, e4 := w.eng.Outstanding(w.ctx, passengine.DebtFilter{Network: coreNet, Holder: holder, Offset: limit, Limit: limit})
			return errors.Join(e1, e2, e3, e4)
		})
	})
}

func FuzzCardCalls(f *testing.F) {
	seeds(f, func(s string, n int, sec int64) { f.Add(s, "10", n, int(sec%3000), 3, 4, n%8) })
	for which := range 8 {
		f.Add("card", "9.99", 2, 2027, 1, 31, which)
		f.Add("deleted", "", 1, 2027, 1, 31, which)
	}
	f.Fuzz(func(t *testing.T, text, amount string, n, y, m, d, which int) {
		tryCards(t, func(w *cardFuzzWorld) error {
			id, money := w.pick(text), fuzzMoney(amount, "USD")
			visits := passengine.VisitsRequest{Key: "k", Network: coreNet, Card: id, Visits: n, Amount: money, Comment: text,
				Referral: which%3 == 0, Redeemed: which%5 == 0}
			bonus := passengine.BonusRequest{Key: "k", Network: coreNet, Card: id, Points: n, Amount: money, Actor: text}
			var err error
			switch (which%8 + 8) % 8 {
			case 0:
				_, err = w.eng.IssueCard(w.ctx, passengine.IssueCardRequest{Key: "k", Network: coreNet, Holder: text, Program: "multipass",
					Card: text, Status: card.Status(amount), ExpiresOn: fuzzDate(y, m, d), Comment: text})
			case 1:
				_, err = w.eng.AddVisits(w.ctx, visits)
			case 2:
				_, err = w.eng.SubtractVisits(w.ctx, visits)
			case 3:
				_, err = w.eng.AddBonus(w.ctx, bonus)
			case 4:
				_, err = w.eng.SubtractBonus(w.ctx, bonus)
			case 5:
				_, err = w.eng.SetCardStatus(w.ctx, passengine.CardStatusRequest{Key: "k", Network: coreNet, Card: id, Status: card.Status(amount)})
			case 6:
				_, err = w.eng.SetCardExpiry(w.ctx, passengine.CardExpiryRequest{Key: "k", Network: coreNet, Card: id, ExpiresOn: fuzzDate(y, m, d)})
			default:
				_, err = w.eng.DeleteHolder(w.ctx, passengine.DeleteHolderRequest{Key: "k", Network: coreNet, Holder: text, Comment: amount})
			}
			return err
		})
	})
}

func FuzzCardReads(f *testing.F) {
	seeds(f, func(s string, n int, sec int64) { f.Add(s, s, n, int(sec%3000), 3, 4) })
	f.Add("card", "next", 1, 2026, 10, 1)
	f.Add("ada", "1", 1, 2026, 9, 1)
	f.Fuzz(func(t *testing.T, text, cursor string, n, y, m, d int) {
		tryCards(t, func(w *cardFuzzWorld) error {
			id := w.pick(text)
			if cursor == "next" {
				first, err := w.eng.Purchases(w.ctx, passengine.PurchasesRequest{Network: coreNet, Holder: "ada", Limit: 1})
				w.must(err)
				cursor = first.Next
			}
			_, e1 := w.eng.Card(w.ctx, coreNet, id)
			_, e2 := w.eng.Cards(w.ctx, passengine.CardFilter{Network: coreNet, Holder: text, Program: text, After: text, Limit: n})
			_, e3 := w.eng.Purchases(w.ctx, passengine.PurchasesRequest{Network: coreNet, Holder: text, Group: passengine.PurchaseGroup(cursor),
				Cursor: cursor, Limit: n})
			_, e4 := w.eng.ExpiringSoon(w.ctx, passengine.ExpiringRequest{Network: coreNet, Within: n, AtLeast: d, Cursor: cursor, Limit: m})
			seg := card.DefaultSegmentation()
			seg.Thresholds.Recency[0] = n
			e5 := w.eng.Segments(w.ctx, passengine.SegmentsRequest{Network: coreNet, From: fuzzDate(y, m, d), To: fuzzDate(y, m, d+n%60),
				Segmentation: &seg}, func(passengine.CardSegment) error { return nil })
			e6 := w.eng.WriteCardHistoryCSV(w.ctx, coreNet, id, io.Discard)
			e7 := w.eng.WriteNetworkHistoryCSV(w.ctx, passengine.NetworkHistoryRequest{Network: coreNet, From: fuzzDate(y, m, d),
				To: fuzzDate(y, m+1, d)}, io.Discard)
			return errors.Join(e1, e2, e3, e4, e5, e6, e7)
		})
	})
}
