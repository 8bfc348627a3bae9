package sqlite

import (
	"context"
	"fmt"

	"github.com/passengine/passengine/store"
)

// EraseComments empties the comments of the holder's ledger entries,
// found by the ledger_holder index.
func (r ledgerRepo) EraseComments(ctx context.Context, network, holder string) error {
	if err := r.t.exec(ctx, `UPDATE ledger SET comment = '' WHERE network = ? AND holder = ? AND comment <> ''`, network, holder); err != nil {
		return fmt.Errorf("erase the comments of ledger entries: %w", err)
	}
	return nil
}

// Erase replaces the results of the records of keys, one prepared
// statement per key: the database is in the process.
func (r idemRepo) Erase(ctx context.Context, network string, keys []string) error {
	for _, k := range keys {
		if err := r.t.exec(ctx, `UPDATE idempotency SET result = ? WHERE network = ? AND key = ?`, store.ErasedResult, network, k); err != nil {
			return fmt.Errorf("erase the result of an idempotency record: %w", err)
		}
	}
	return nil
}

// EraseComments empties the comments of the holder's account entries,
// found by the account_entries_holder_at index.
func (r accountRepo) EraseComments(ctx context.Context, network, holder string) error {
	if err := r.t.exec(ctx, `UPDATE account_entries SET comment = '' WHERE network = ? AND holder = ? AND comment <> ''`, network, holder); err != nil {
		return fmt.Errorf("erase the comments of account entries: %w", err)
	}
	return nil
}
