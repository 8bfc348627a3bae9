package postgres

import (
	"context"

	"github.com/passengine/passengine/store"
)

// EraseComments empties the comments of the holder's ledger entries,
// found by the ledger_holder index.
func (r ledgerRepo) EraseComments(ctx context.Context, network, holder string) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	_, err := r.t.exec(ctx, `UPDATE ledger SET comment = '' WHERE network = $1 AND holder = $2 AND comment <> ''`, network, holder)
	return mapErr(err, "erase the comments of ledger entries")
}

// Erase replaces the results of the records of keys in one statement.
func (r idemRepo) Erase(ctx context.Context, network string, keys []string) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	if len(keys) == 0 {
		return nil
	}
	_, err := r.t.exec(ctx, `UPDATE idempotency SET result = $1 WHERE network = $2 AND key = ANY($3)`, store.ErasedResult, network, keys)
	return mapErr(err, "erase the results of idempotency records")
}

// EraseComments empties the comments of the holder's account entries,
// found by the account_entries_holder_at index.
func (r accountRepo) EraseComments(ctx context.Context, network, holder string) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	_, err := r.t.exec(ctx, `UPDATE account_entries SET comment = '' WHERE network = $1 AND holder = $2 AND comment <> ''`, network, holder)
	return mapErr(err, "erase the comments of account entries")
}
