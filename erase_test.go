package passengine_test

import (
	"fmt"
	"testing"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/card"
	"github.com/passengine/passengine/pass"
	"github.com/stretchr/testify/require"
)

// TestRule_M5_ErasureReadsEveryPage: a holder with more ledger and account
// entries than the erasure reads at a time (1,000) has the results of all
// their calls erased, the first and the last (M5).
func TestRule_M5_ErasureReadsEveryPage(t *testing.T) {
	w := newCoreWorld(t, "Europe/London", "GBP")
	w.product(pass.Product{ID: "multipass", Kind: pass.Visits, Units: 10, Price: w.money("100")})
	c, err := w.eng.IssueCard(w.ctx, passengine.IssueCardRequest{Key: "card", Network: coreNet, Holder: "ada", Program: "multipass"})
	require.NoError(t, err)
	const n = 1100
	bonus := func(i int) passengine.BonusRequest {
		return passengine.BonusRequest{Key: fmt.Sprint("bonus-", i), Network: coreNet, Card: c.Card.ID, Points: 1, Comment: "birthday"}
	}
	deposit := func(i int) passengine.DepositRequest {
		return passengine.DepositRequest{Key: fmt.Sprint("deposit-", i), Network: coreNet, Holder: "ada", Amount: w.money("1"), Comment: "cash"}
	}
	for i := range n {
		_, err := w.eng.AddBonus(w.ctx, bonus(i))
		require.NoError(t, err)
		_, err = w.eng.Deposit(w.ctx, deposit(i))
		require.NoError(t, err)
	}
	_, err = w.eng.Spend(w.ctx, passengine.SpendRequest{Key: "spend", Network: coreNet, Holder: "ada", Amount: w.money(fmt.Sprint(n))})
	require.NoError(t, err)
	_, err = w.eng.DeleteHolder(w.ctx, passengine.DeleteHolderRequest{Key: "delete", Network: coreNet, Holder: "ada"})
	require.NoError(t, err)
	for _, i := range []int{0, 999, 1000, n - 1} {
		_, err := w.eng.AddBonus(w.ctx, bonus(i))
		require.ErrorIs(t, err, passengine.ErrErased, "bonus %d", i)
		_, err = w.eng.Deposit(w.ctx, deposit(i))
		require.ErrorIs(t, err, passengine.ErrErased, "deposit %d", i)
	}
	s := w.snapshot()
	for _, en := range s.Ledger {
		require.NotEqual(t, "birthday", en.Comment, "entry %s keeps its comment", en.ID)
	}
	for _, en := range s.AccountEntries {
		require.Empty(t, en.Comment, "account entry %s keeps its comment", en.ID)
	}
	require.Equal(t, card.Deleted, s.Cards[0].Status)
}
