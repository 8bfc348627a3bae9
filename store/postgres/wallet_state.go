package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/wallet"
)

var _ store.AccountLoader = (*tx)(nil)

// LoadAccount sends the reads of an account call in one round trip (with
// BEGIN and the held writes before them when there are any): the network,
// the holder locked with SELECT ... FOR UPDATE, and, after the lock, its
// account in the network's currency and, with q.Debts, its visits that
// owe (the partial index visits_owed_holder). Inside View nothing is
// locked. It returns store.ErrNotFound for a missing network or holder.
func (t *tx) LoadAccount(ctx context.Context, q store.AccountQuery) (store.AccountState, error) {
	var s store.AccountState
	lock := ""
	if t.write {
		lock = " FOR UPDATE"
	}
	statements := []struct {
		sql  string
		args []any
	}{
		{`SELECT id, name, currency, zone FROM networks WHERE id = $1`, []any{q.Network}},
		{`SELECT 1 FROM holders WHERE network = $1 AND id = $2` + lock, []any{q.Network, q.Holder}},
		{`SELECT ` + accountCols + ` FROM accounts WHERE network = $1 AND holder = $2
			AND currency = (SELECT currency FROM networks WHERE id = $1)`, []any{q.Network, q.Holder}},
	}
	if q.Debts {
		statements = append(statements, struct {
			sql  string
			args []any
		}{`SELECT ` + visitCols + ` FROM visits WHERE network = $1 AND holder = $2 AND owed > 0 ORDER BY start_at, id`,
			[]any{q.Network, q.Holder}})
	}
	batch := make([]sqlStmt, 0, len(statements))
	for _, st := range statements {
		if err := t.s.inject("statement", st.sql, st.args); err != nil {
			return s, mapErr(err, "load account")
		}
		batch = append(batch, sqlStmt{st.sql, st.args})
	}
	br, err := t.send(ctx, batch...)
	if err != nil {
		return s, mapErr(err, "load account")
	}
	defer br.Close()
	network, err := scanOptional(br, scanNetwork)
	if err != nil {
		return s, mapErr(err, "load account: network")
	}
	holder, err := scanOptional(br, func(r pgx.Row) (one int, err error) { return one, r.Scan(&one) })
	if err != nil {
		return s, mapErr(err, "load account: holder")
	}
	account, err := scanOptional(br, scanAccount)
	if err != nil {
		return s, mapErr(err, "load account: account")
	}
	if q.Debts {
		if s.Debts, err = scanRows(br, "load account: debts", scanVisit); err != nil {
			return s, err
		}
	}
	if err := br.Close(); err != nil {
		return s, mapErr(err, "load account")
	}
	switch {
	case network == nil:
		return s, fmt.Errorf("network %q: %w", q.Network, store.ErrNotFound)
	case holder == nil:
		return s, fmt.Errorf("holder %q: %w", q.Holder, store.ErrNotFound)
	}
	s.Network = *network
	if account != nil {
		s.Account = *account
	} else {
		s.Account = wallet.New(q.Network, q.Holder, s.Network.Currency)
	}
	return s, nil
}
