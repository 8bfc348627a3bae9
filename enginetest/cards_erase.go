package enginetest

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/card"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
	"github.com/stretchr/testify/require"
)

// cardHolderErasure: deleting a holder erases their personal data from
// everything the public API can read (M5, a GDPR erasure): the holder's
// row, the comments of their ledger and account entries and of their
// passes' freezes, and the stored results of their calls, which a retry
// with the key gets as an *ErasedError without the call being made again.
// A redemption's stored result never holds the holder's name or health
// declaration: a replay reads them from the holder as they are, and once
// the holder is deleted they are gone. Units, amounts, balances, instants,
// actors and keys stay, and another holder's data is untouched.
func cardHolderErasure(t *testing.T, w *cardWorld) {
	require.NoError(t, w.eng.PutProduct(w.ctx, pass.Product{Network: cardNet, ID: "day-10", Name: "10 days", Kind: pass.Day, Units: 10,
		Price: gbp("80"), Activation: pass.OnPurchase}))
	c := w.issue("ada")
	sale := passengine.VisitsRequest{Key: "sale-ada", Network: cardNet, Card: c.Card.ID, Visits: 10, Amount: gbp("100"),
		Actor: "desk", Comment: "Ada's birthday package"}
	_, err := w.eng.AddVisits(w.ctx, sale)
	require.NoError(t, err)
	benCard := w.issue("ben")
	benSale := passengine.VisitsRequest{Key: "sale-ben", Network: cardNet, Card: benCard.Card.ID, Visits: 5, Amount: gbp("50"),
		Actor: "desk", Comment: "Ben's package"}
	benFirst, err := w.eng.AddVisits(w.ctx, benSale)
	require.NoError(t, err)
	freeze := passengine.FreezeRequest{Key: "freeze-ada", Network: cardNet, Pass: c.Card.Pass, From: calendar.MustDate("2026-04-01"),
		To: calendar.MustDate("2026-04-08"), Actor: "desk", Comment: "broken leg"}
	_, err = w.eng.Freeze(w.ctx, freeze)
	require.NoError(t, err)
	deposit := passengine.DepositRequest{Key: "deposit-ada", Network: cardNet, Holder: "ada", Amount: gbp("20"), Comment: "cash from Ada's mum"}
	_, err = w.eng.Deposit(w.ctx, deposit)
	require.NoError(t, err)
	_, err = w.eng.Spend(w.ctx, passengine.SpendRequest{Key: "spend-ada", Network: cardNet, Holder: "ada", Amount: gbp("20"), Comment: "shoes, size 38"})
	require.NoError(t, err)

	// Two redemptions of a day pass on one day: the second takes no unit
	// and writes no ledger entry.
	days, err := w.eng.IssuePass(w.ctx, passengine.IssueRequest{Key: "days-ada", Network: cardNet, Product: "day-10", Holder: "ada", Passcode: true})
	require.NoError(t, err)
	code, err := w.eng.Passcode(w.ctx, cardNet, days.ID)
	require.NoError(t, err)
	first := passengine.RedeemRequest{Key: "redeem-1", Network: cardNet, Location: "soho", Code: code}
	second := passengine.RedeemRequest{Key: "redeem-2", Network: cardNet, Location: "camden", Code: code}
	r1, err := w.eng.Redeem(w.ctx, first)
	require.NoError(t, err)
	require.Equal(t, "Ada", r1.Holder.Name, "the desk sees who came in (P3)")
	r2, err := w.eng.Redeem(w.ctx, second)
	require.NoError(t, err)
	require.Equal(t, r1.Visit.ID, r2.Visit.CoveredBy)
	again, err := w.eng.Redeem(w.ctx, second)
	require.NoError(t, err)
	require.Equal(t, r2, again, "a replay shows the holder read again")
	stored := w.record("redeem-2")
	require.False(t, bytes.Contains(stored.Result, []byte("Ada")), "the stored redemption holds the holder's name: %s", stored.Result)
	require.NotNil(t, r2.Health.At)
	require.False(t, bytes.Contains(stored.Result, []byte(r2.Health.At.UTC().Format("2006-01-02T15"))),
		"the stored redemption holds the health declaration's date: %s", stored.Result)

	_, err = w.eng.SetCardStatus(w.ctx, passengine.CardStatusRequest{Key: w.key("status"), Network: cardNet, Card: c.Card.ID, Status: card.NotInstalled})
	require.NoError(t, err)
	before := w.snapshot()
	del := passengine.DeleteHolderRequest{Key: "delete-ada", Network: cardNet, Holder: "ada", Actor: "manager", Comment: "GDPR request"}
	res, err := w.eng.DeleteHolder(w.ctx, del)
	require.NoError(t, err)
	after := w.snapshot()

	// The history stays, without the holder's free text.
	for i, was := range before.Ledger {
		now := after.Ledger[i]
		if was.Holder == "ada" {
			require.Empty(t, now.Comment, "entry %s (%s) keeps its comment", now.ID, now.Type)
			was.Comment = ""
		}
		require.Equal(t, was, now, "entry %d changed otherwise", i)
	}
	for _, en := range after.Ledger[len(before.Ledger):] {
		require.Equal(t, "delete-ada", en.Key, "the deletion's own entries")
	}
	require.Len(t, after.AccountEntries, len(before.AccountEntries))
	for i, was := range before.AccountEntries {
		now := after.AccountEntries[i]
		require.Empty(t, now.Comment)
		was.Comment = ""
		require.Equal(t, was, now)
	}
	require.Equal(t, before.Accounts, after.Accounts, "the account's balance and counts stay")
	for _, p := range after.Passes {
		for _, f := range p.Freezes {
			require.Empty(t, f.Comment, "pass %s keeps a freeze comment", p.ID)
		}
	}
	fp, _ := after.Pass(c.Card.Pass)
	require.Len(t, fp.Freezes, 1, "the freeze stays, without its comment")
	for _, en := range after.Ledger {
		if en.Holder == "ben" {
			require.NotEmpty(t, en.Comment, "another holder's comments stay")
		}
	}

	// The stored results of the holder's calls are erased; the keys still
	// refuse another request; the deletion's own result replays.
	for name, call := range map[string]func() error{
		"add visits": func() error { _, err := w.eng.AddVisits(w.ctx, sale); return err },
		"freeze":     func() error { _, err := w.eng.Freeze(w.ctx, freeze); return err },
		"deposit":    func() error { _, err := w.eng.Deposit(w.ctx, deposit); return err },
		"redemption": func() error { _, err := w.eng.Redeem(w.ctx, first); return err },
	} {
		err := call()
		var erased *passengine.ErasedError
		require.ErrorAs(t, err, &erased, name)
		require.ErrorIs(t, err, passengine.ErrErased, name)
	}
	other := deposit
	other.Amount = gbp("5")
	_, err = w.eng.Deposit(w.ctx, other)
	require.ErrorIs(t, err, passengine.ErrKeyReused, "an erased key still refuses another request (I1)")
	covered, err := w.eng.Redeem(w.ctx, second)
	require.NoError(t, err, "a redemption that wrote no entry replays")
	require.Equal(t, r2.Visit, covered.Visit)
	require.Equal(t, "ada", covered.Holder.ID)
	require.Empty(t, covered.Holder.Name, "the deleted holder's name")
	require.Nil(t, covered.Health.At, "the deleted holder's health declaration")
	replayed, err := w.eng.DeleteHolder(w.ctx, del)
	require.NoError(t, err)
	require.Equal(t, res, replayed)
	require.Equal(t, after, w.snapshot(), "the refused retries wrote nothing")

	benAgain, err := w.eng.AddVisits(w.ctx, benSale)
	require.NoError(t, err)
	require.Equal(t, benFirst, benAgain, "another holder's results stay")

	var csv strings.Builder
	require.NoError(t, w.eng.WriteCardHistoryCSV(w.ctx, cardNet, c.Card.ID, &csv))
	for _, text := range []string{"birthday", "broken leg", "mum", "shoes"} {
		require.NotContains(t, csv.String(), text)
	}
	require.Contains(t, csv.String(), "100.00", "the amounts stay")
}

// record returns the idempotency record of key.
func (w *cardWorld) record(key string) store.Record {
	w.t.Helper()
	var rec store.Record
	require.NoError(w.t, w.st.View(w.ctx, func(tx store.Tx) (err error) {
		rec, err = tx.Idempotency().Get(w.ctx, cardNet, key)
		return err
	}))
	return rec
}

// cardHolderOwes: a holder is not deleted while money is owed either way
// (W1, W2, M5): a prepaid account with a balance above zero (the business
// owes it) or below (the holder owes it), or visits that owe. Each refusal
// is a *FieldError on "holder" saying what to do first, and writes
// nothing; once refunded, paid or settled the holder is deleted.
func cardHolderOwes(t *testing.T, w *cardWorld) {
	debit := passengine.New(w.st, passengine.WithClock(w.clock), passengine.WithAccountDebit())
	require.NoError(t, w.eng.PutPAYG(w.ctx, billing.PAYG{Network: cardNet, ID: "drop-in", Prices: []billing.Price{{Hourly: gbp("12")}}}))
	refused := func(holder, says string) {
		t.Helper()
		before := w.snapshot()
		_, err := w.eng.DeleteHolder(w.ctx, passengine.DeleteHolderRequest{Key: w.key("delete"), Network: cardNet, Holder: holder})
		wantField(t, err, "holder")
		require.Contains(t, err.Error(), says)
		require.Equal(t, before, w.snapshot(), "a refused deletion writes nothing")
		h, err := w.eng.Holder(w.ctx, cardNet, holder)
		require.NoError(t, err)
		require.Equal(t, holder, h.ID)
	}

	dep, err := w.eng.Deposit(w.ctx, passengine.DepositRequest{Key: w.key("dep"), Network: cardNet, Holder: "ada", Amount: gbp("10")})
	require.NoError(t, err)
	refused("ada", "has 10.00 GBP on the prepaid account")
	_, err = w.eng.SetOverdraft(w.ctx, passengine.OverdraftRequest{Key: w.key("od"), Network: cardNet, Holder: "ada", Limit: gbp("20"), Actor: "manager"})
	require.NoError(t, err)
	_, err = w.eng.Spend(w.ctx, passengine.SpendRequest{Key: w.key("spend"), Network: cardNet, Holder: "ada", Amount: gbp("15")})
	require.NoError(t, err)
	refused("ada", "owes 5.00 GBP on the prepaid account")
	_, err = w.eng.Refund(w.ctx, passengine.RefundRequest{Key: w.key("refund"), Network: cardNet, Entry: dep.Entries[0].ID, Actor: "manager"})
	require.Error(t, err, "a deposit is not refunded")
	_, err = w.eng.Deposit(w.ctx, passengine.DepositRequest{Key: w.key("dep"), Network: cardNet, Holder: "ada", Amount: gbp("5")})
	require.NoError(t, err)
	_, err = w.eng.DeleteHolder(w.ctx, passengine.DeleteHolderRequest{Key: w.key("delete"), Network: cardNet, Holder: "ada"})
	require.NoError(t, err, "a balance of zero")

	in, err := debit.CheckIn(w.ctx, passengine.CheckInRequest{Key: w.key("in"), Network: cardNet, Holder: "ben", Location: "soho"})
	require.NoError(t, err)
	require.Equal(t, "drop-in", in.Visit.PAYG)
	w.clock.Advance(time.Hour)
	out, err := debit.CheckOut(w.ctx, passengine.CheckOutRequest{Key: w.key("out"), Network: cardNet, Visit: in.Visit.ID})
	require.NoError(t, err)
	amountIs(t, "owed", out.Visit.Owed, "12")
	refused("ben", "owes 12.00 GBP for visits")
	_, err = debit.Deposit(w.ctx, passengine.DepositRequest{Key: w.key("dep"), Network: cardNet, Holder: "ben", Amount: gbp("12")})
	require.NoError(t, err)
	_, err = w.eng.DeleteHolder(w.ctx, passengine.DeleteHolderRequest{Key: w.key("delete"), Network: cardNet, Holder: "ben"})
	require.NoError(t, err, "the debt settled by the deposit")
	_, err = w.eng.Holder(w.ctx, cardNet, "ben")
	require.True(t, errors.Is(err, passengine.ErrNotFound))
}
