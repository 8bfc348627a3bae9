package storefault

import (
	"context"

	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/wallet"
)

// Accounts returns the wrapped prepaid account repository, whose every
// call may be the one to fail.
func (t *faultTx) Accounts() store.Accounts { return faultAccounts{t.Tx.Accounts(), t.s} }

type faultAccounts struct {
	store.Accounts
	s *Store
}

func (r faultAccounts) Get(ctx context.Context, network, holder, currency string) (wallet.Account, error) {
	return call1(r.s, "Accounts.Get", func() (wallet.Account, error) { return r.Accounts.Get(ctx, network, holder, currency) })
}
func (r faultAccounts) Put(ctx context.Context, a wallet.Account) error {
	return call0(r.s, "Accounts.Put", func() error { return r.Accounts.Put(ctx, a) })
}
func (r faultAccounts) Append(ctx context.Context, entries ...wallet.Entry) error {
	return call0(r.s, "Accounts.Append", func() error { return r.Accounts.Append(ctx, entries...) })
}
func (r faultAccounts) Entry(ctx context.Context, network, id string) (wallet.Entry, error) {
	return call1(r.s, "Accounts.Entry", func() (wallet.Entry, error) { return r.Accounts.Entry(ctx, network, id) })
}
func (r faultAccounts) Refunds(ctx context.Context, network, id string) ([]wallet.Entry, error) {
	return call1(r.s, "Accounts.Refunds", func() ([]wallet.Entry, error) { return r.Accounts.Refunds(ctx, network, id) })
}
func (r faultAccounts) Entries(ctx context.Context, f store.EntryFilter) ([]wallet.Entry, error) {
	return call1(r.s, "Accounts.Entries", func() ([]wallet.Entry, error) { return r.Accounts.Entries(ctx, f) })
}
func (r faultAccounts) List(ctx context.Context, f store.AccountFilter) ([]wallet.Account, error) {
	return call1(r.s, "Accounts.List", func() ([]wallet.Account, error) { return r.Accounts.List(ctx, f) })
}
func (r faultAccounts) Debts(ctx context.Context, f store.DebtFilter) ([]checkin.Visit, error) {
	return call1(r.s, "Accounts.Debts", func() ([]checkin.Visit, error) { return r.Accounts.Debts(ctx, f) })
}
