package passengine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/wallet"
)

// This file holds what DeleteHolder erases besides the holder's row (RULES
// M5; a GDPR erasure): the free-text comments of the holder's history and
// the stored results of the holder's calls, and what it refuses while the
// holder and the business still owe each other money (W1, W2).

// ErrErased: the stored result of an idempotency key was erased with its
// holder (DeleteHolder). The error is an *ErasedError.
var ErrErased = errors.New("the result of this call was erased with its holder")

// ErasedError is returned for a call sent again with the key of a call
// whose holder was deleted since: its stored result held the holder's
// data and was erased. The key still refuses another request (I1), and
// the call is not made again. It unwraps to ErrErased.
type ErasedError struct {
	// Key is the idempotency key whose stored result was erased.
	Key string
}

// Error names the key.
func (e *ErasedError) Error() string {
	return fmt.Sprintf("idempotency key %s: its result was erased with its holder", field.Quote(e.Key))
}

// Unwrap returns ErrErased.
func (e *ErasedError) Unwrap() error { return ErrErased }

// decodeRecord reads rec's result into res, or returns an *ErasedError for
// a result erased with its holder.
func decodeRecord[R any](rec store.Record, res *R) error {
	if bytes.Equal(rec.Result, store.ErasedResult) {
		return &ErasedError{Key: rec.Key}
	}
	*res = *new(R)
	if len(rec.Result) > 0 && (rec.Result[0] == recordCompact || rec.Result[0] == recordCompactV2) { // record.go
		if err := readCompact(rec.Result[1:], res, rec.Result[0] == recordCompactV2); err != nil {
			return fmt.Errorf("idempotency key %s: %w", field.Quote(rec.Key), err)
		}
		return nil
	}
	return json.Unmarshal(rec.Result, res)
}

// erasePage is how many entries eraseHolder reads at a time.
const erasePage = 1000

// checkSettled refuses to delete a holder whose prepaid account holds a
// balance, either way, or whose visits owe money (W1, W2): the business
// would lose track of money it owes or is owed. It returns a *FieldError
// on "holder" saying what to do first.
func checkSettled(ctx context.Context, tx store.Tx, network, holder string) error {
	accounts, err := tx.Accounts().List(ctx, store.AccountFilter{Network: network, Holder: holder})
	if err != nil {
		return err
	}
	for _, a := range accounts {
		switch {
		case a.Balance.Amount.IsPositive():
			return field.Invalid("holder", "%s has %s on the prepaid account: refund or adjust it to zero before deleting the holder",
				field.Quote(holder), a.Balance)
		case a.Balance.Amount.IsNegative():
			return field.Invalid("holder", "%s owes %s on the prepaid account: take a deposit or adjust it to zero before deleting the holder",
				field.Quote(holder), money.Money{Amount: a.Balance.Amount.Neg(), Currency: a.Balance.Currency})
		case a.Owed.Amount.IsPositive():
			return field.Invalid("holder", "%s owes %s for visits: settle the debts before deleting the holder",
				field.Quote(holder), a.Owed)
		}
	}
	return nil
}

// eraseHolder erases, in tx, the free text of the holder's history and the
// stored results of the holder's calls: the comments of the ledger
// entries whose holder they are (their passes' and their uses of team
// passes) and of their account entries, and the result of every
// idempotency record whose key wrote one of those entries, except the
// deletion's own (key). Instants, types, units, amounts, balances, actors
// and keys stay. The freezes' comments are the caller's to erase, on the
// passes it writes.
func (e *Engine) eraseHolder(ctx context.Context, tx store.Tx, network, holder, key string) error {
	keys := map[string]bool{}
	err := collectKeys(keys, func(read int, _ *pass.Entry) ([]pass.Entry, error) {
		return tx.Ledger().List(ctx, store.LedgerFilter{Network: network, Holder: holder, Offset: read, Limit: erasePage})
	}, func(en *pass.Entry) string { return en.Key })
	if err != nil {
		return err
	}
	err = collectKeys(keys, func(_ int, last *wallet.Entry) ([]wallet.Entry, error) {
		f := store.EntryFilter{Network: network, Holder: holder, Limit: erasePage}
		if last != nil {
			c := store.CursorOf(*last)
			f.After = &c
		}
		return tx.Accounts().Entries(ctx, f)
	}, func(en *wallet.Entry) string { return en.Key })
	if err != nil {
		return err
	}
	delete(keys, "")
	delete(keys, key)
	sorted := make([]string, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	slices.Sort(sorted)
	if err := tx.Idempotency().Erase(ctx, network, sorted); err != nil {
		return err
	}
	if err := tx.Ledger().EraseComments(ctx, network, holder); err != nil {
		return err
	}
	return tx.Accounts().EraseComments(ctx, network, holder)
}

// collectKeys reads pages of entries, each of erasePage at most, until
// one is shorter, and adds the key of each entry to keys. page gets how
// many entries were read before and the last of them (nil at first).
func collectKeys[T any](keys map[string]bool, page func(read int, last *T) ([]T, error), key func(*T) string) error {
	var last *T
	for read := 0; ; {
		es, err := page(read, last)
		if err != nil {
			return err
		}
		for i := range es {
			keys[key(&es[i])] = true
		}
		if len(es) < erasePage {
			return nil
		}
		read, last = read+len(es), &es[len(es)-1]
	}
}

// eraseFreezes empties the comments of p's freezes and reports whether it
// changed p.
func eraseFreezes(p *pass.Pass) bool {
	changed := false
	for i := range p.Freezes {
		if p.Freezes[i].Comment != "" {
			p.Freezes[i].Comment, changed = "", true
		}
	}
	return changed
}

// deskHolder fills in a redeemed result the holder and the date of their
// health declaration (P3), which the stored result does not keep, so that
// no idempotency record holds them: from read, the holder as the call
// read them, or, for a replay (read nil), from the holder's row as it is
// now; once the holder is deleted they stay erased (only the ID is left).
// A refused result has no holder and is left as it is.
func (e *Engine) deskHolder(ctx context.Context, network string, r *RedeemResult, read *catalog.Holder) error {
	if r.Outcome != checkin.Redeemed {
		return nil
	}
	id := r.Holder.ID
	if read == nil {
		h, err := e.Holder(ctx, network, id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			h = catalog.Holder{Network: network, ID: id}
		case err != nil:
			return err
		}
		read = &h
	}
	r.Holder, r.Health.At = *read, read.HealthDeclaredAt
	return nil
}
