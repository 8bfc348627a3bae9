// Package postgres is the PostgreSQL store of passengine: the adapter for
// hosts that run several Engine processes against one database, and the
// path to a distributed SQL cluster (CockroachDB speaks the same protocol
// and SQL).
//
// # Driver
//
// The adapter uses pgx directly (pgxpool), not database/sql: it gets the
// server's SQLSTATE and constraint name as a typed *pgconn.PgError, which
// is how errors are mapped to store.ErrConflict and store.ErrNotFound
// (never by message text); numeric values scan into pgtype.Numeric and
// become exact decimals without passing through floats; prepared
// statements are cached per connection; and the pool needs no second
// abstraction on top. No pgx type appears in the package's API.
//
// # Units of work
//
// Update runs one READ COMMITTED transaction. Calls for one holder are
// serialized by LockHolder and LockTeam, which take SELECT ... FOR UPDATE
// on the holder or team row (I2). Every statement after the lock sees what
// the previous holder of the lock committed, so a balance read after the
// lock is current; SERIALIZABLE would add nothing for these calls but
// serialization failures, since every conflicting call already waits on the
// same row. WithIsolation(Serializable) is available, and is what
// CockroachDB runs unless its READ COMMITTED is enabled.
//
// Retries live in one place: the Engine. The adapter maps SQLSTATE 40001
// (serialization failure), 40P01 (deadlock) and 23505 (unique violation)
// to store.ErrConflict, whether a statement or the commit returns them, and
// the Engine re-runs the whole unit of work a bounded number of times
// (passengine.WithRetries, default 8). Update itself never re-runs its
// closure, so a closure runs exactly once per Update call, as the store
// contract says; hosts calling Update directly retry store.ErrConflict
// themselves. A commit whose outcome is unknown (the connection broke
// during COMMIT, or CockroachDB's 40003) is returned as it is, never
// swallowed and never mapped to ErrConflict: the caller retries with the
// same idempotency key, and the stored record makes that safe (I1).
//
// View runs a READ ONLY REPEATABLE READ transaction: one snapshot for all
// its statements, and never a serialization failure on PostgreSQL.
//
// # Round trips
//
// A unit of work runs on one pooled connection. Its BEGIN is sent with its
// first statement, in one round trip. The Tx is a store.StateLoader: the
// Engine's reads of a call (the team and holder locks, then the location,
// visits, passes and PAYG products) go in one pipelined batch. It is also a
// store.CommitWriter: the call's writes are held and sent with COMMIT, or
// before any later statement, so reads always see them. A check-in or a
// check-out is two round trips (the batch with BEGIN, then the writes with
// COMMIT; TestCallRoundTrips), where a statement at a time took sixteen.
//
// # Catalog cache
//
// A Store keeps the catalog rows a holder call reads (the network, the
// count of its locations, its PAYG products and the locations asked for)
// in memory, with the version of the network's catalog they were read at
// (catalog_versions, which every put of those rows raises in its own
// transaction). A call then reads only the version, by primary key, in
// its first round trip, and uses the rows when it is theirs; several
// processes sharing the database each check it in every transaction, so
// none decides on rows another has changed since (catcache.go).
//
// # Schema
//
// Migrate applies the SQL files embedded under migrations/ in order and
// records each in passengine_schema_version. Money is numeric with its
// currency beside it, instants timestamptz in UTC, civil dates date; lists
// no query looks inside are jsonb or arrays. Partial indexes keep the
// check-in path on live rows: passes with a balance, open visits, and a
// holder's visits by service date. WithSchema puts the tables in their own
// schema (search_path), one per tenant or per test.
//
// The schema uses nothing CockroachDB lacks: no advisory locks, triggers,
// LISTEN/NOTIFY or gapless sequences (the ledger's identity column only
// orders entries and tolerates gaps).
package postgres

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/passengine/passengine/internal/catcache"
	"github.com/passengine/passengine/store"
)

// Isolation is the isolation level of the transactions Update runs.
type Isolation string

// The isolation levels Update can run at.
const (
	// ReadCommitted, the default, relies on the row locks of LockHolder,
	// LockTeam and LockLocation for serialization (I2).
	ReadCommitted Isolation = "read committed"
	// Serializable adds PostgreSQL's serializable snapshot isolation: more
	// calls end in a serialization failure (store.ErrConflict) that the
	// Engine retries. It is CockroachDB's default level.
	Serializable Isolation = "serializable"
)

var _ store.Store = (*Store)(nil)

// ErrReadOnly is returned by a write inside View.
var ErrReadOnly = errors.New("postgres: write in a read-only unit of work")

// Store is a store.Store on a PostgreSQL (or CockroachDB) database. It is
// safe for concurrent use. Open one with Open and call Migrate once.
type Store struct {
	pool   *pgxpool.Pool
	schema string
	// begin is the statement that begins Update's transactions.
	begin string
	// fault, when set (tests only), is called at every statement with
	// "statement" and its SQL and arguments, before COMMIT with "commit"
	// and after a successful COMMIT with "committed"; an error it returns
	// is what the statement or the commit returns.
	fault func(point, sql string, args []any) error
	// roundTrips counts the requests sent to the server (a batch is one),
	// for the tests and benchmarks that count a call's.
	roundTrips atomic.Int64
	// cat is the catalog rows LoadState serves from memory once their
	// version is checked in the transaction (catcache.go).
	cat catcache.Cache
	// versioned is set once the schema is known to have catalog_versions
	// (catalogVersioned).
	versioned atomic.Bool
	// existing are the visits an INSERT of Defer found already there,
	// which Defer upserts (newvisit.go).
	existing existingVisits
}

type config struct {
	schema    string
	maxConns  int32
	isolation Isolation
}

// Option configures Open.
type Option func(*config)

// WithSchema makes the store keep its tables in schema (its connections'
// search_path). Migrate creates the schema if it does not exist. The name
// must be a lower-case SQL identifier: letters, digits and underscores,
// not starting with a digit, at most 63 bytes.
func WithSchema(schema string) Option { return func(c *config) { c.schema = schema } }

// WithMaxConns sets the largest number of connections the store's pool
// opens (default: pgxpool's, the greater of 4 and the number of CPUs).
func WithMaxConns(n int) Option { return func(c *config) { c.maxConns = int32(n) } }

// WithIsolation sets the isolation level of Update's transactions (default
// ReadCommitted).
func WithIsolation(level Isolation) Option { return func(c *config) { c.isolation = level } }

var identifier = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// Open connects to the database at dsn (a postgres:// URL or key=value
// string, as pgx parses it) and checks the connection. It returns an error
// for a malformed DSN, schema name or isolation level, or a database that
// cannot be reached. Open does not create tables: call Migrate.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	c := config{isolation: ReadCommitted}
	for _, o := range opts {
		o(&c)
	}
	s := &Store{schema: c.schema}
	switch c.isolation {
	case ReadCommitted:
		s.begin = "BEGIN ISOLATION LEVEL READ COMMITTED"
	case Serializable:
		s.begin = "BEGIN ISOLATION LEVEL SERIALIZABLE"
	default:
		return nil, fmt.Errorf("postgres: unknown isolation level %q", c.isolation)
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if c.schema != "" {
		if !identifier.MatchString(c.schema) {
			return nil, fmt.Errorf("postgres: schema %q is not a lower-case SQL identifier", c.schema)
		}
		cfg.ConnConfig.RuntimeParams["search_path"] = pgx.Identifier{c.schema}.Sanitize()
	}
	if c.maxConns > 0 {
		cfg.MaxConns = c.maxConns
	}

	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	s.pool = pool
	return s, nil
}

// Close closes the store's connections, waiting for the ones in use to be
// returned. It returns nil.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Update runs fn in a transaction at the store's isolation level and
// commits it if fn returns nil; otherwise it rolls back and returns fn's
// error. A commit that fails is returned (never swallowed): with SQLSTATE
// 40001 or 40P01 it wraps store.ErrConflict, otherwise its outcome may be
// unknown and the caller retries with the same idempotency key. A write
// held by Defer that fails is returned here too, and nothing is committed.
// A panic in fn rolls back and is re-raised.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.run(ctx, s.begin, true, fn)
}

// View runs fn in a read-only REPEATABLE READ transaction, so that every
// statement sees one snapshot. Writes inside it return ErrReadOnly. It
// returns fn's error, or the error of beginning or ending the transaction.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	return s.run(ctx, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", false, fn)
}

func (s *Store) run(ctx context.Context, begin string, write bool, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		return mapErr(err, "begin")
	}
	defer conn.Release() // a connection still in a transaction is destroyed
	t := &tx{s: s, conn: conn, begin: begin, write: write}
	defer func() {
		if r := recover(); r != nil {
			t.rollback(ctx)
			panic(r)
		}
	}()
	if err := fn(t); err != nil {
		t.rollback(ctx)
		if cerr := ctx.Err(); cerr != nil { // a statement cut short by ctx
			return cerr
		}
		return err
	}
	if err := ctx.Err(); err != nil {
		t.rollback(ctx)
		return err
	}
	if err := s.inject("commit", "", nil); err != nil {
		t.rollback(ctx)
		return mapErr(err, "commit")
	}
	if err := t.commit(ctx); err != nil {
		t.rollback(ctx)
		if cerr := ctx.Err(); cerr != nil { // the commit's outcome is unknown: retry with the key
			return fmt.Errorf("postgres: commit: %w", cerr)
		}
		return err
	}
	if err := s.inject("committed", "", nil); err != nil {
		return fmt.Errorf("postgres: commit: %w", err)
	}
	return nil
}

// inject returns the test fault at point, if any.
func (s *Store) inject(point, sql string, args []any) error {
	if s.fault == nil {
		return nil
	}
	return s.fault(point, sql, args)
}
