package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// The Go floor (side d) sends bench/pg/checkin.sql's statements from Go
// with pgx, as a Go developer writes them by hand: each statement
// prepared once per connection (pgx's statement cache, its default exec
// mode), the values computed in Go where checkin.sql computes them from
// its pgbench variables, now() and current_date on the server as there.
// It is the least a Go client of pgx must spend for the minimal
// check-in: what is left of the Engine's gap to pgbench beyond it is the
// Engine's own cost.
const (
	// The first pipeline, after BEGIN: the idempotency key's record, the
	// holder locked, its live passes, open visits and the visits of the
	// days at hand.
	floorKey    = `SELECT operation, request, result, at FROM idempotency WHERE network = 'bench' AND key = $1`
	floorHolder = `SELECT id, team FROM holders WHERE network = 'bench' AND id = $1 FOR UPDATE`
	floorPasses = `SELECT * FROM passes WHERE network = 'bench' AND holder = $1 AND team = '' AND balance > 0 ORDER BY id`
	floorOpen   = `SELECT * FROM visits WHERE network = 'bench' AND holder = $1 AND status = 'open' ORDER BY start_at, id`
	floorWindow = `SELECT * FROM visits WHERE network = 'bench' AND holder = $1 AND date BETWEEN current_date - 1 AND current_date ORDER BY start_at, id`
	floorVisit  = `INSERT INTO visits (network, id, holder, location, kind, mode, status, start_at, end_at, date, cost, pass,
    covered_by, payg, consumptions, uncovered_minutes, auto_closed, activated, late_cancel, cancelled_by, terms)
VALUES ('bench', $1, $2, $3, 'check_in', 'visits', 'open', now(), NULL, current_date, 1, $4, '', '',
    jsonb_build_array(jsonb_build_object('pass', $4::text, 'kind', 'visits', 'units', 1)),
    0, false, '', false, '', '')`
	// The second, before COMMIT: the visit, the pass's units, the ledger
	// entry and the idempotency record.
	floorUse    = `UPDATE passes SET balance = balance - 1, uses = uses + 1 WHERE network = 'bench' AND id = $1`
	floorLedger = `INSERT INTO ledger (network, id, pass, holder, visit, at, type, units, balance, amount, amount_currency, key, actor, comment)
VALUES ('bench', $1, $2, $3, $4, now(), 'use', -1, 0, 0, '', $5, '', '')`
	floorRecord = `INSERT INTO idempotency (network, key, operation, request, result, at)
VALUES ('bench', $1, 'check_in', '\x00'::bytea, '{}'::bytea, now())`
)

// floorCheckIn is one check-in of checkin.sql's shape on conn: holder i
// (of the seeded h%07d and p%07d), at loc, under key k, in two round
// trips. It reads every row the first pipeline returns into Go values.
func floorCheckIn(ctx context.Context, conn *pgx.Conn, i int64, loc string, k int64) error {
	holder, pass, key := fmt.Sprintf("h%07d", i), fmt.Sprintf("p%07d", i), fmt.Sprintf("gof-%d", k)

	var read pgx.Batch
	read.Queue("BEGIN")
	read.Queue(floorKey, key)
	read.Queue(floorHolder, holder)
	read.Queue(floorPasses, holder)
	read.Queue(floorOpen, holder)
	read.Queue(floorWindow, holder)
	br := conn.SendBatch(ctx, &read)
	if _, err := br.Exec(); err != nil {
		br.Close()
		return fmt.Errorf("begin: %w", err)
	}
	var (
		op, id, team         string
		request, result      []byte
		at                   time.Time
		passes, open, visits [][]any
	)
	err := br.QueryRow().Scan(&op, &request, &result, &at)
	switch {
	case err == nil:
		br.Close()
		return fmt.Errorf("key %s already recorded", key)
	case !errors.Is(err, pgx.ErrNoRows):
		br.Close()
		return fmt.Errorf("key: %w", err)
	}
	if err := br.QueryRow().Scan(&id, &team); err != nil {
		br.Close()
		return fmt.Errorf("holder %s: %w", holder, err)
	}
	for _, rows := range []*[][]any{&passes, &open, &visits} {
		if *rows, err = values(br); err != nil {
			br.Close()
			return fmt.Errorf("holder %s: %w", holder, err)
		}
	}
	if err := br.Close(); err != nil {
		return err
	}
	if len(passes) == 0 {
		return fmt.Errorf("holder %s: no live pass", holder)
	}
	if len(open) > 0 {
		return fmt.Errorf("holder %s: already checked in", holder)
	}

	// The IDs begin with the time in microseconds, as checkin.sql's do.
	now := time.Now().UnixMicro()
	visit, entry := fmt.Sprintf("gofv-%d-%d", now, k), fmt.Sprintf("gofl-%d-%d", now, k)
	var write pgx.Batch
	write.Queue(floorVisit, visit, holder, loc, pass)
	write.Queue(floorUse, pass)
	write.Queue(floorLedger, entry, pass, holder, visit, key)
	write.Queue(floorRecord, key)
	write.Queue("COMMIT")
	return conn.SendBatch(ctx, &write).Close()
}

// values reads the next result of br, each row's columns decoded into Go
// values.
func values(br pgx.BatchResults) ([][]any, error) {
	rows, err := br.Query()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		v, err := rows.Values()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// floorConns opens n connections on dsn (its options setting the Go
// floor's schema and synchronous_commit), each checked to run with
// synchronous_commit sync.
func floorConns(ctx context.Context, dsn, sync string, n int) ([]*pgx.Conn, error) {
	var conns []*pgx.Conn
	for range n {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			closeConns(conns)
			return nil, err
		}
		conns = append(conns, conn)
		var got string
		if err := conn.QueryRow(ctx, "SHOW synchronous_commit").Scan(&got); err != nil {
			closeConns(conns)
			return nil, err
		}
		if (sync == "off") != (got == "off") {
			closeConns(conns)
			return nil, fmt.Errorf("the Go floor's sessions: synchronous_commit %q; -sync %s", got, sync)
		}
	}
	return conns, nil
}

func closeConns(conns []*pgx.Conn) {
	for _, c := range conns {
		c.Close(context.Background())
	}
}

// goFloor runs floorCheckIn on n goroutines, each on its own of conns,
// for d, the holders i·stride mod holders of i = seq+1, ... as the
// Engine's side's, and returns the measure as checkIns does.
func goFloor(ctx context.Context, conns []*pgx.Conn, seq *atomic.Int64, n, holders int, d time.Duration) (measure, error) {
	stride := scatter(int64(holders))
	return drive(n, holders, d, "Go floor check-in", func(g int) error {
		loc := fmt.Sprintf("l%04d", g%32)
		i := seq.Add(1) * stride % int64(holders)
		if err := floorCheckIn(ctx, conns[g], i, loc, 1+rand.Int64N(keySpace)); err != nil {
			return fmt.Errorf("Go floor check-in at %s: %w", loc, err)
		}
		return nil
	})
}
