package storefault

import "context"

// The erasure calls (store/erase.go), each of which may be the one to fail.

func (r faultLedger) EraseComments(ctx context.Context, network, holder string) error {
	return call0(r.s, "Ledger.EraseComments", func() error { return r.Ledger.EraseComments(ctx, network, holder) })
}

func (r faultIdem) Erase(ctx context.Context, network string, keys []string) error {
	return call0(r.s, "Idempotency.Erase", func() error { return r.Idempotency.Erase(ctx, network, keys) })
}

func (r faultAccounts) EraseComments(ctx context.Context, network, holder string) error {
	return call0(r.s, "Accounts.EraseComments", func() error { return r.Accounts.EraseComments(ctx, network, holder) })
}
