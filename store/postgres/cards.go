package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/card"
	"github.com/passengine/passengine/internal/sqlutil"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

type cardRepo struct{ t *tx }

const cardCols = `network, id, holder, program, pass, status, issued_at, issued_on, sold, redeemed, removed, referral,
	bonus, purchases, purchases_currency, refunds, refunds_currency, last_redemption, last_adding`

func scanCard(r pgx.Row) (c card.Card, err error) {
	var (
		issuedAt, lastRedemption, lastAdding pgtype.Timestamptz
		issuedOn                             pgtype.Date
		purchases, refunds                   moneyCol
	)
	err = r.Scan(&c.Network, &c.ID, &c.Holder, &c.Program, &c.Pass, &c.Status, &issuedAt, &issuedOn,
		&c.Sold, &c.Redeemed, &c.Removed, &c.Referral, &c.Bonus, &purchases.amount, &purchases.currency,
		&refunds.amount, &refunds.currency, &lastRedemption, &lastAdding)
	if err != nil {
		return c, err
	}
	c.IssuedAt, c.IssuedOn = instantOf(issuedAt), dateOf(issuedOn)
	c.LastRedemption, c.LastAdding = instantOf(lastRedemption), instantOf(lastAdding)
	if c.Purchases, err = purchases.value(); err != nil {
		return c, err
	}
	c.Refunds, err = refunds.value()
	return c, err
}

func (r cardRepo) Get(ctx context.Context, network, id string) (card.Card, error) {
	return one(ctx, r.t, fmt.Sprintf("card %q", id), scanCard,
		`SELECT `+cardCols+` FROM cards WHERE network = $1 AND id = $2`, network, id)
}

// Put inserts or replaces the card. A second live card of the holder and
// program violates cards_live: store.ErrConflict, after which the
// transaction is aborted and the unit of work must end (the Engine checks
// first and retries, and then finds the card that won).
func (r cardRepo) Put(ctx context.Context, c card.Card) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	sql, args := upsertCard(c)
	_, err := r.t.exec(ctx, sql, args...)
	return mapErr(err, fmt.Sprintf("put card %q", c.ID))
}

// upsertCard returns the statement that inserts or replaces c.
func upsertCard(c card.Card) (string, []any) {
	return `INSERT INTO cards (` + cardCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
		$11, $12, $13, $14, $15, $16, $17, $18, $19)
		ON CONFLICT (network, id) DO UPDATE SET holder = excluded.holder, program = excluded.program,
		pass = excluded.pass, status = excluded.status, issued_at = excluded.issued_at, issued_on = excluded.issued_on,
		sold = excluded.sold, redeemed = excluded.redeemed, removed = excluded.removed, referral = excluded.referral,
		bonus = excluded.bonus, purchases = excluded.purchases, purchases_currency = excluded.purchases_currency,
		refunds = excluded.refunds, refunds_currency = excluded.refunds_currency,
		last_redemption = excluded.last_redemption, last_adding = excluded.last_adding`, []any{
			c.Network, c.ID, c.Holder, c.Program, c.Pass, string(c.Status), c.IssuedAt.UTC(), dateParam(c.IssuedOn),
			c.Sold, c.Redeemed, c.Removed, c.Referral, c.Bonus, numeric(c.Purchases.Amount), c.Purchases.Currency,
			numeric(c.Refunds.Amount), c.Refunds.Currency, instantParam(c.LastRedemption), instantParam(c.LastAdding)}
}

// List reads cards_holder for a holder's cards, the primary key otherwise.
func (r cardRepo) List(ctx context.Context, f store.CardFilter) ([]card.Card, error) {
	sql, args := `SELECT `+cardCols+` FROM cards WHERE network = $1 AND id > $2`, []any{f.Network, f.After}
	where(&sql, &args, "holder", f.Holder)
	where(&sql, &args, "program", f.Program)
	if f.Live {
		sql += ` AND status <> 'deleted'`
	}
	sql += ` ORDER BY id` + page(0, f.Limit, &args)
	return collect(ctx, r.t, "cards", scanCard, sql, args...)
}

// DeleteHolder deletes the holder's row.
func (r catalogRepo) DeleteHolder(ctx context.Context, network, id string) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	tag, err := r.t.exec(ctx, `DELETE FROM holders WHERE network = $1 AND id = $2`, network, id)
	if err != nil {
		return mapErr(err, fmt.Sprintf("delete holder %q", id))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("holder %q: %w", id, store.ErrNotFound)
	}
	return nil
}

// noExpiry is what the derived column expiry holds for a pass without one.
var noExpiry = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// expiryParam returns d for the column expiry: 9999-12-31 for none.
func expiryParam(d calendar.Date) pgtype.Date {
	if d.IsZero() {
		return pgtype.Date{Time: noExpiry, Valid: true}
	}
	return dateParam(d)
}

// Expiring reads the partial index passes_expiring from the window's first
// day (or the cursor): expired passes are before it.
func (r passRepo) Expiring(ctx context.Context, network string, from, to calendar.Date, cursor string, n int) ([]pass.Pass, string, error) {
	after, id := dateParam(from), ""
	if cursor != "" {
		on, rest, _ := strings.Cut(cursor, "|")
		d, err := calendar.ParseDate(on)
		if err != nil {
			return nil, "", fmt.Errorf("postgres: cursor %q: %w", cursor, store.ErrCursor)
		}
		after, id = dateParam(d), rest
	}
	ps, err := collect(ctx, r.t, "expiring passes", scanPass, `SELECT `+passCols+` FROM passes
		WHERE network = $1 AND balance > 0 AND NOT revoked AND expiry <= $2 AND (expiry, id) > ($3, $4)
		ORDER BY expiry, id LIMIT $5`, network, dateParam(to), after, id, n)
	if err != nil || len(ps) < n {
		return ps, "", err
	}
	last := ps[len(ps)-1]
	return ps, last.Expiry().String() + "|" + last.ID, nil
}

func entryOf(r *seqEntry) pass.Entry { return r.e }

// seqEntry is a ledger row with its seq, for cursors.
type seqEntry struct {
	e   pass.Entry
	seq int64
}

func scanSeqEntry(r pgx.Row) (s seqEntry, err error) {
	var (
		at     pgtype.Timestamptz
		amount moneyCol
	)
	err = r.Scan(&s.seq, &s.e.Network, &s.e.ID, &s.e.Pass, &s.e.Holder, &s.e.Visit, &at, &s.e.Type, &s.e.Units,
		&s.e.Balance, &amount.amount, &amount.currency, &s.e.Key, &s.e.Actor, &s.e.Comment, &s.e.Points, &s.e.Bonus)
	if err != nil {
		return s, err
	}
	s.e.At = instantOf(at)
	s.e.Amount, err = amount.value()
	return s, err
}

// PassPage reads ledger_pass from the cursor, a seq.
func (r ledgerRepo) PassPage(ctx context.Context, network, passID, cursor string, n int) ([]pass.Entry, string, error) {
	var after int64
	if cursor != "" {
		var err error
		if after, err = strconv.ParseInt(cursor, 10, 64); err != nil {
			return nil, "", fmt.Errorf("postgres: cursor %q: %w", cursor, store.ErrCursor)
		}
	}
	rows, err := collect(ctx, r.t, "ledger page", scanSeqEntry, `SELECT seq, `+entryCols+` FROM ledger
		WHERE network = $1 AND pass = $2 AND seq > $3 ORDER BY seq LIMIT $4`, network, passID, after, n)
	if err != nil {
		return nil, "", err
	}
	out, next := sqlutil.Page(rows, n, entryOf, func(s *seqEntry) string { return strconv.FormatInt(s.seq, 10) })
	return out, next, nil
}

// PeriodPage reads ledger_at from the period's start (or the cursor, an
// instant and a seq).
func (r ledgerRepo) PeriodPage(ctx context.Context, network string, from, to time.Time, cursor string, n int) ([]pass.Entry, string, error) {
	at, seq := from.UTC(), int64(-1)
	if cursor != "" {
		a, s, _ := strings.Cut(cursor, "|")
		t, terr := time.Parse(time.RFC3339Nano, a)
		v, serr := strconv.ParseInt(s, 10, 64)
		if terr != nil || serr != nil {
			return nil, "", fmt.Errorf("postgres: cursor %q: %w", cursor, store.ErrCursor)
		}
		at, seq = t, v
	}
	rows, err := collect(ctx, r.t, "ledger period", scanSeqEntry, `SELECT seq, `+entryCols+` FROM ledger
		WHERE network = $1 AND (at, seq) > ($2, $3) AND at < $4 ORDER BY at, seq LIMIT $5`,
		network, at, seq, to.UTC(), n)
	if err != nil {
		return nil, "", err
	}
	out, next := sqlutil.Page(rows, n, entryOf, func(s *seqEntry) string {
		return s.e.At.Format(time.RFC3339Nano) + "|" + strconv.FormatInt(s.seq, 10)
	})
	return out, next, nil
}

// backfillExpiry computes the derived column expiry of the passes that
// migration 0005 left NULL (those frozen before it: their expiry moves with
// their freezes, pass.Pass.Expiry, which SQL does not compute), a batch at
// a time. Once done it finds nothing to do.
func (s *Store) backfillExpiry(ctx context.Context) error {
	for {
		rows, err := s.pool.Query(ctx, `SELECT `+passCols+` FROM passes WHERE expiry IS NULL LIMIT 500`)
		if err != nil {
			return mapErr(err, "backfill expiry")
		}
		ps, err := scanAll(rows, "backfill expiry", scanPass)
		rows.Close()
		if err != nil || len(ps) == 0 {
			return err
		}
		var b pgx.Batch
		for _, p := range ps {
			b.Queue(`UPDATE passes SET expiry = $1 WHERE network = $2 AND id = $3`, expiryParam(p.Expiry()), p.Network, p.ID)
		}
		if err := s.pool.SendBatch(ctx, &b).Close(); err != nil {
			return mapErr(err, "backfill expiry")
		}
	}
}
