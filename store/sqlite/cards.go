package sqlite

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/card"
	"github.com/passengine/passengine/internal/sqlutil"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

type cardRepo struct{ t *tx }

var cardColumns = []string{"network", "id", "holder", "program", "pass", "status", "issued_at", "issued_on",
	"sold", "redeemed", "removed", "referral", "bonus", "purchases", "purchases_currency", "refunds", "refunds_currency",
	"last_redemption", "last_adding"}

var (
	cardCols = strings.Join(cardColumns, ", ")
	putCard  = upsert("cards", 2, cardColumns...)
)

func scanCard(s scanner) (c card.Card, err error) {
	var issuedAt, issuedOn, purchases, purchasesCur, refunds, refundsCur, lastRedemption, lastAdding string
	if err = s.Scan(&c.Network, &c.ID, &c.Holder, &c.Program, &c.Pass, &c.Status, &issuedAt, &issuedOn,
		&c.Sold, &c.Redeemed, &c.Removed, &c.Referral, &c.Bonus, &purchases, &purchasesCur, &refunds, &refundsCur,
		&lastRedemption, &lastAdding); err != nil {
		return c, err
	}
	var d sqlutil.Decoder
	c.IssuedAt, c.IssuedOn = d.Time(issuedAt), d.Date(issuedOn)
	c.Purchases, c.Refunds = d.Money(purchases, purchasesCur), d.Money(refunds, refundsCur)
	c.LastRedemption, c.LastAdding = d.Time(lastRedemption), d.Time(lastAdding)
	return c, d.Err()
}

func (r cardRepo) Get(ctx context.Context, network, id string) (card.Card, error) {
	return one(ctx, r.t, scanCard, fmt.Sprintf("card %q", id), `SELECT `+cardCols+` FROM cards WHERE network = ? AND id = ?`, network, id)
}

// Put inserts or replaces the card; a second live card of the holder and
// program violates cards_live and is store.ErrConflict.
func (r cardRepo) Put(ctx context.Context, c card.Card) error {
	err := r.t.exec(ctx, putCard, c.Network, c.ID, c.Holder, c.Program, c.Pass, string(c.Status),
		sqlutil.FormatTime(c.IssuedAt), sqlutil.FormatDate(c.IssuedOn), c.Sold, c.Redeemed, c.Removed, c.Referral, c.Bonus,
		sqlutil.FormatDecimal(c.Purchases.Amount), c.Purchases.Currency, sqlutil.FormatDecimal(c.Refunds.Amount), c.Refunds.Currency,
		sqlutil.FormatTime(c.LastRedemption), sqlutil.FormatTime(c.LastAdding))
	if err != nil {
		return fmt.Errorf("card %q: %w", c.ID, err)
	}
	return nil
}

// List reads cards_holder for a holder's cards, the primary key otherwise.
func (r cardRepo) List(ctx context.Context, f store.CardFilter) ([]card.Card, error) {
	q := `SELECT ` + cardCols + ` FROM cards WHERE network = ? AND id > ?`
	args := []any{f.Network, f.After}
	if f.Holder != "" {
		q += ` AND holder = ?`
		args = append(args, f.Holder)
	}
	if f.Program != "" {
		q += ` AND program = ?`
		args = append(args, f.Program)
	}
	if f.Live {
		q += ` AND status <> 'deleted'`
	}
	q += ` ORDER BY id LIMIT ?`
	return list(ctx, r.t, scanCard, q, append(args, limit(f.Limit))...)
}

// DeleteHolder deletes the holder's row.
func (r catalogRepo) DeleteHolder(ctx context.Context, network, id string) error {
	if err := exists(ctx, r.t, fmt.Sprintf("holder %q", id), `SELECT 1 FROM holders WHERE network = ? AND id = ?`, network, id); err != nil {
		return err
	}
	return r.t.exec(ctx, `DELETE FROM holders WHERE network = ? AND id = ?`, network, id)
}

// expiringQuery reads the partial index passes_expiring from the window's
// first day (or the cursor): expired passes are before it.
var expiringQuery = `SELECT ` + passCols + ` FROM passes WHERE network = ? AND balance > 0 AND revoked = 0 AND expiry <> ''
	AND expiry <= ? AND (expiry, id) > (?, ?) ORDER BY expiry, id LIMIT ?`

func (r passRepo) Expiring(ctx context.Context, network string, from, to calendar.Date, cursor string, n int) ([]pass.Pass, string, error) {
	after, id := sqlutil.FormatDate(from), ""
	if cursor != "" {
		on, rest, _ := strings.Cut(cursor, "|")
		if _, err := calendar.ParseDate(on); err != nil {
			return nil, "", fmt.Errorf("sqlite: cursor %q: %w", cursor, store.ErrCursor)
		}
		after, id = on, rest
	}
	ps, err := list(ctx, r.t, scanPass, expiringQuery, network, sqlutil.FormatDate(to), after, id, n)
	if err != nil || len(ps) < n {
		return ps, "", err
	}
	last := ps[len(ps)-1]
	return ps, sqlutil.FormatDate(last.Expiry()) + "|" + last.ID, nil
}

// The ledger's pages: ledger_pass from a seq, ledger_at from an instant
// and a seq.
var (
	passPageQuery = `SELECT seq, ` + ledgerCols + ` FROM ledger
		WHERE network = ? AND pass = ? AND seq > ? ORDER BY seq LIMIT ?`
	periodPageQuery = `SELECT seq, ` + ledgerCols + ` FROM ledger
		WHERE network = ? AND (at, seq) > (?, ?) AND at < ? ORDER BY at, seq LIMIT ?`
)

func entryOf(r *seqEntry) pass.Entry { return r.e }

// seqEntry is a ledger row with its seq and instant text, for cursors.
type seqEntry struct {
	e   pass.Entry
	seq int64
	at  string
}

func scanSeqEntry(s scanner) (r seqEntry, err error) {
	var amount, amountCur string
	if err = s.Scan(&r.seq, &r.e.Network, &r.e.ID, &r.e.Pass, &r.e.Holder, &r.e.Visit, &r.at, &r.e.Type, &r.e.Units, &r.e.Balance,
		&amount, &amountCur, &r.e.Key, &r.e.Actor, &r.e.Comment, &r.e.Points, &r.e.Bonus); err != nil {
		return r, err
	}
	var d sqlutil.Decoder
	r.e.At = d.Time(r.at)
	r.e.Amount = d.Money(amount, amountCur)
	return r, d.Err()
}

// PassPage reads ledger_pass from the cursor, a seq.
func (r ledgerRepo) PassPage(ctx context.Context, network, passID, cursor string, n int) ([]pass.Entry, string, error) {
	var after int64
	if cursor != "" {
		var err error
		if after, err = strconv.ParseInt(cursor, 10, 64); err != nil {
			return nil, "", fmt.Errorf("sqlite: cursor %q: %w", cursor, store.ErrCursor)
		}
	}
	rows, err := list(ctx, r.t, scanSeqEntry, passPageQuery, network, passID, after, n)
	if err != nil {
		return nil, "", err
	}
	out, next := sqlutil.Page(rows, n, entryOf, func(r *seqEntry) string { return strconv.FormatInt(r.seq, 10) })
	return out, next, nil
}

// PeriodPage reads ledger_at from the period's start (or the cursor, an
// instant and a seq).
func (r ledgerRepo) PeriodPage(ctx context.Context, network string, from, to time.Time, cursor string, n int) ([]pass.Entry, string, error) {
	at, seq := sqlutil.FormatTime(from), int64(-1)
	if cursor != "" {
		a, s, _ := strings.Cut(cursor, "|")
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, "", fmt.Errorf("sqlite: cursor %q: %w", cursor, store.ErrCursor)
		}
		at, seq = a, v
	}
	rows, err := list(ctx, r.t, scanSeqEntry, periodPageQuery, network, at, seq, sqlutil.FormatTime(to), n)
	if err != nil {
		return nil, "", err
	}
	out, next := sqlutil.Page(rows, n, entryOf, func(r *seqEntry) string { return r.at + "|" + strconv.FormatInt(r.seq, 10) })
	return out, next, nil
}

// backfillExpiry computes the derived column expiry of the passes that
// migration 0004 left NULL (those frozen before it: their expiry moves with
// their freezes, pass.Pass.Expiry, which SQL does not compute), a batch at
// a time. Once done it finds nothing to do.
func (s *Store) backfillExpiry(ctx context.Context) error {
	for {
		n, err := s.backfillBatch(ctx, 500)
		if err != nil || n == 0 {
			return err
		}
	}
}

func (s *Store) backfillBatch(ctx context.Context, n int) (int, error) {
	sqlTx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, mapErr(err)
	}
	defer sqlTx.Rollback()
	rows, err := sqlTx.QueryContext(ctx, `SELECT `+passCols+` FROM passes WHERE expiry IS NULL LIMIT ?`, n)
	if err != nil {
		return 0, mapErr(err)
	}
	var ps []pass.Pass
	for rows.Next() {
		p, err := scanPass(rows)
		if err != nil {
			rows.Close()
			return 0, mapErr(err)
		}
		ps = append(ps, p)
	}
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return 0, mapErr(err)
	}
	for _, p := range ps {
		if _, err := sqlTx.ExecContext(ctx, `UPDATE passes SET expiry = ? WHERE network = ? AND id = ?`,
			sqlutil.FormatDate(p.Expiry()), p.Network, p.ID); err != nil {
			return 0, mapErr(err)
		}
	}
	return len(ps), mapErr(sqlTx.Commit())
}
