package enginetest

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/wallet"
	"github.com/shopspring/decimal"
)

// WalletBenchNetwork is the network NewWalletBench creates (USD, UTC).
const WalletBenchNetwork = "wbench"

// WalletBenchHolder returns the ID of the i-th holder of the benchmark.
func WalletBenchHolder(i int) string { return fmt.Sprintf("w%07d", i) }

// WalletBench measures prepaid account calls on a store.
type WalletBench struct {
	// Engine is the Engine the benchmark calls.
	Engine *passengine.Engine
	// Store is the store NewWalletBench seeded.
	Store store.Store
	seq   atomic.Int64
}

// walletBenchStart is the instant of the seeded history; the benchmark's
// calls come after it.
var walletBenchStart = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// NewWalletBench writes the benchmark network into st: holders
// WalletBenchHolder(0) to (holders-1), each with an account holding
// 1,000,000,000.00 USD; holder i's account has history[i] entries before
// that (deposits of 0.01, written through the store in units of work of
// 1,000 entries), others one. It fails tb on a store error.
func NewWalletBench(tb testing.TB, st store.Store, holders int, history map[int]int) *WalletBench {
	tb.Helper()
	ctx := context.Background()
	eng := passengine.New(st)
	if err := eng.PutNetwork(ctx, catalog.Network{ID: WalletBenchNetwork, Currency: "USD", Zone: "UTC"}); err != nil {
		tb.Fatal(err)
	}
	for i := range holders {
		h := WalletBenchHolder(i)
		if err := eng.PutHolder(ctx, catalog.Holder{Network: WalletBenchNetwork, ID: h, Audience: catalog.Member}); err != nil {
			tb.Fatal(err)
		}
		a := wallet.New(WalletBenchNetwork, h, "USD")
		at := walletBenchStart
		for n := history[i]; n > 0; {
			chunk := min(n, 1000)
			es := make([]wallet.Entry, chunk)
			for j := range es {
				a.Entries++
				a.Balance = a.Balance.Add(money.Money{Amount: decimal.New(1, -2), Currency: "USD"})
				at = at.Add(time.Second)
				es[j] = wallet.Entry{Network: a.Network, Holder: h, Currency: "USD", Seq: a.Entries, ID: fmt.Sprintf("%s-%d", h, a.Entries),
					At: at, Type: wallet.EntryDeposit, Amount: money.Money{Amount: decimal.New(1, -2), Currency: "USD"}, Balance: a.Balance}
			}
			a.OpenedAt, a.UpdatedAt = walletBenchStart.Add(time.Second), at
			err := retryUpdate(ctx, st, func(tx store.Tx) error {
				if err := tx.Accounts().Put(ctx, a); err != nil {
					return err
				}
				return tx.Accounts().Append(ctx, es...)
			})
			if err != nil {
				tb.Fatal(err)
			}
			n -= chunk
		}
		if _, err := eng.Deposit(ctx, passengine.DepositRequest{Key: "fund-" + h, Network: WalletBenchNetwork, Holder: h,
			Amount: money.MustNew("1000000000", "USD")}); err != nil {
			tb.Fatal(err)
		}
	}
	return &WalletBench{Engine: eng, Store: st}
}

func retryUpdate(ctx context.Context, st store.Store, fn func(store.Tx) error) error {
	var err error
	for range 10 {
		if err = st.Update(ctx, fn); !errors.Is(err, store.ErrConflict) {
			return err
		}
	}
	return err
}

// Spend runs b.N spends of 0.01 USD, one after another, from the account
// of holder(i) for the i-th, each with a new key, and reports spends/s.
func (wb *WalletBench) Spend(b *testing.B, holder func(i int) string) {
	b.Helper()
	ctx := context.Background()
	amount := money.MustNew("0.01", "USD")
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		k := wb.seq.Add(1)
		if _, err := wb.Engine.Spend(ctx, passengine.SpendRequest{Key: fmt.Sprintf("spend-%d", k), Network: WalletBenchNetwork,
			Holder: holder(i), Amount: amount}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "spends/s")
}
