// Package sqlite is passengine's embedded SQL store: a store.Store kept in
// one SQLite file, in pure Go (modernc.org/sqlite, no cgo). It is the
// default store of the examples and of single-server hosts.
//
// The database runs in WAL mode, so readers (View) never wait for the
// writer. Every Update is a BEGIN IMMEDIATE transaction on the store's one
// write connection: units of work are serialized, which is what locking a
// holder, team or location asks for (RULES I2), so the Lock methods only
// check that the row exists. Another process writing the same file is
// waited for up to the busy timeout; a unit of work that still cannot get
// the lock fails with store.ErrConflict, which the Engine retries.
//
// The schema is a set of SQL files embedded in the package and applied by
// Migrate, which records each version in the schema_migrations table. Call
// Migrate after Open and before the first unit of work.
//
// A Store keeps the decoded live passes of the holders and teams it read
// last (WithPassCache): a call reads each pass row of its holder only when
// it changed. Triggers (migration 6) raise an owner's version in the
// pass_versions table on every write to a row of its passes, whoever
// writes the file; the state statement reads the holder's and team's
// versions before their live passes and stops there when the cache holds
// both at those versions. The cache is filled from committed states only:
// a View's snapshot, and an Update's reads and puts after its COMMIT, at
// the version read plus one per pass put. A write the Store did not count
// (another process, plain SQL on DB) leaves the database's version ahead
// of the cache's, and the next read reads the rows: a miss, never a stale
// pass. Replacing the database file under an open Store is not supported.
//
// A Store also keeps, for the visits its state reads decoded last, the
// values of each row and the visit they decoded to (visitmemo.go): a row
// read again with the same values is not decoded again. Triggers
// (migration 7) give every visit row a version that only grows, across
// deletes and inserts of its key, whoever writes the file; the state
// statement reads the versions of the call's visits first and, when the
// memo holds every one at its version, reads no visit row at all. The
// memo learns a version from committed states only: a View's read, and
// an Update's reads and puts after its COMMIT, a put at the version it
// expects to write (one more than the version read, or 1 for an insert),
// which the triggers may only have raised: a miss, never a stale visit.
// It remembers the holder, location and service date of the visits it put
// (visithint.go): a call on such a visit reads its state as that holder's,
// and the statement checks them against the visit's row.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/passengine/passengine/internal/catcache"
	"github.com/passengine/passengine/internal/sqlutil"
	"github.com/passengine/passengine/store"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// ErrClosed is returned by a Store used after Close. It wraps
// store.ErrClosed.
var ErrClosed = fmt.Errorf("sqlite: %w", store.ErrClosed)

// Store is a store.Store on a SQLite file. It is safe for concurrent use.
// The zero value is not usable; call Open.
type Store struct {
	path string
	w    *sql.DB // one connection, BEGIN IMMEDIATE: the writer
	r    *sql.DB // read-only connections for View

	mu     sync.Mutex
	closed bool
	// Prepared statements, learnt: a query run inside a unit of work is
	// noted in wanted and prepared before the next one begins (preparing
	// inside would wait for the one write connection the unit holds).
	stmts  map[stmtKey]*sql.Stmt
	wanted map[stmtKey]bool

	// passes caches the decoded live passes of recently read holders and
	// teams (passcache.go); nil when WithPassCache turned it off.
	passes *passCache

	// visits keeps decoded visits by the values of their rows
	// (visitmemo.go).
	visits *visitMemo

	// hints keeps the holder, location and date of the visits put last
	// (visithint.go).
	hints *visitHints

	// cat keeps the catalog rows of recently read networks at their
	// version (catcache.go).
	cat catcache.Cache

	// statements counts the statements sent to SQLite (BEGIN and COMMIT
	// included), for the tests and benchmarks that count a call's.
	statements atomic.Int64
}

type stmtKey struct {
	write bool
	query string
}

// maxStmts bounds the statement cache; queries past it run unprepared.
const maxStmts = 256

// Option configures Open.
type Option func(*config)

type config struct {
	busy     time.Duration
	sync     string
	readers  int
	cacheKiB int
	passes   int
}

// WithBusyTimeout sets how long a unit of work waits for a lock held by
// another connection or process before failing with store.ErrConflict
// (default 5s).
func WithBusyTimeout(d time.Duration) Option { return func(c *config) { c.busy = d } }

// WithSyncNormal sets PRAGMA synchronous=NORMAL instead of FULL: commits no
// longer wait for the disk to flush the WAL. A crash of the process still
// loses nothing acknowledged; a power loss or OS crash may lose the last
// commits. Faster; for tests, demos and hosts that accept that.
func WithSyncNormal() Option { return func(c *config) { c.sync = "NORMAL" } }

// WithCacheSize sets the page cache of each connection (default 64 MiB;
// SQLite's own default is 2 MiB). A cache that holds the indexes of the
// check-in path keeps its cost flat as the database grows.
func WithCacheSize(bytes int) Option { return func(c *config) { c.cacheKiB = max(bytes>>10, 64) } }

// WithPassCache sets how many decoded live passes the store keeps in
// memory, across the holders and teams it read last (default 16384; 0
// turns the cache off). A call whose holder's and team's passes are in the
// cache and unchanged since reads no pass row of theirs (see the package
// documentation).
func WithPassCache(passes int) Option { return func(c *config) { c.passes = passes } }

// WithReaders sets how many read connections View may use at once
// (default 4).
func WithReaders(n int) Option { return func(c *config) { c.readers = n } }

// Open opens (creating it if missing) the SQLite database at path, in WAL
// mode with a busy timeout, and returns the Store. Call Migrate before the
// first unit of work. It returns an error for an empty path, a path holding
// '?', or a file that cannot be opened as a SQLite database.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	if path == "" || strings.ContainsRune(path, '?') || strings.HasPrefix(path, "file:") || path == ":memory:" {
		return nil, fmt.Errorf("sqlite: open %q: want a file path without '?' (no URI, no :memory:)", path)
	}
	c := config{busy: 5 * time.Second, sync: "FULL", readers: 4, cacheKiB: 64 << 10, passes: defaultPassCache}
	for _, o := range opts {
		o(&c)
	}
	c.readers = max(c.readers, 1)
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.FormatInt(c.busy.Milliseconds(), 10)+")")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous("+c.sync+")")
	q.Add("_pragma", "foreign_keys(0)")
	q.Add("_pragma", "cache_size(-"+strconv.Itoa(c.cacheKiB)+")")
	w, err := sql.Open("sqlite", path+"?"+q.Encode()+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %q: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	// The first connection sets WAL mode on the file before any reader opens.
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open %q: %w", path, mapErr(err))
	}
	rq := url.Values{}
	rq.Add("_pragma", "busy_timeout("+strconv.FormatInt(c.busy.Milliseconds(), 10)+")")
	rq.Add("_pragma", "query_only(1)")
	rq.Add("_pragma", "cache_size(-"+strconv.Itoa(c.cacheKiB)+")")
	r, err := sql.Open("sqlite", path+"?"+rq.Encode())
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open %q: %w", path, err)
	}
	r.SetMaxOpenConns(c.readers)
	r.SetMaxIdleConns(c.readers)
	return &Store{path: path, w: w, r: r, stmts: map[stmtKey]*sql.Stmt{}, wanted: map[stmtKey]bool{},
		passes: newPassCache(c.passes), visits: newVisitMemo(), hints: newVisitHints()}, nil
}

// Path returns the database file's path.
func (s *Store) Path() string { return s.path }

// Migrate applies the embedded migrations the database has not recorded
// yet, each in its own transaction. It returns the first failing
// migration's error; running it again on an up-to-date database does
// nothing.
func (s *Store) Migrate(ctx context.Context) error {
	ms, err := sqlutil.LoadMigrations(migrationFiles, "migrations")
	if err != nil {
		return err
	}
	if err := sqlutil.Migrate(ctx, s.w, ms, func(int) string { return "?" }); err != nil {
		return mapErr(err)
	}
	return s.backfillExpiry(ctx)
}

// SchemaVersion returns the highest migration version applied, or 0 for a
// database Migrate has not run on. It returns the driver's error when the
// database cannot be read.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	vs, err := sqlutil.Applied(ctx, s.w)
	if err != nil {
		var e *sqlite.Error
		if errors.As(err, &e) && e.Code() == sqlite3.SQLITE_ERROR { // no such table
			return 0, nil
		}
		return 0, err
	}
	if len(vs) == 0 {
		return 0, nil
	}
	return vs[len(vs)-1], nil
}

// DB returns the store's write connection pool (one connection), for bulk
// loads and inspection by tests and tools. Statements on it are serialized
// with the store's units of work.
func (s *Store) DB() *sql.DB { return s.w }

// Update runs fn in a BEGIN IMMEDIATE transaction on the write connection
// and commits it if fn returns nil; if fn returns an error or panics, the
// transaction is rolled back (and the panic re-raised). It returns fn's
// error, or the begin's or commit's mapped to store.ErrConflict when the
// database stayed locked past the busy timeout.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) (err error) {
	return s.run(ctx, true, fn)
}

// View runs fn in a read-only transaction that sees one snapshot of the
// database. Writes inside it fail. It returns fn's error.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	return s.run(ctx, false, fn)
}

func (s *Store) run(ctx context.Context, write bool, fn func(store.Tx) error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return ErrClosed
	}
	s.prepare(ctx)
	db, opts := s.w, (*sql.TxOptions)(nil)
	if !write {
		db, opts = s.r, &sql.TxOptions{ReadOnly: true}
	}
	s.statements.Add(1)
	sqlTx, err := db.BeginTx(ctx, opts)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		return fmt.Errorf("sqlite: begin: %w", mapErr(err))
	}
	t := &tx{s: s, tx: sqlTx, write: write}
	defer func() {
		if r := recover(); r != nil {
			_ = sqlTx.Rollback()
			panic(r)
		}
	}()
	if err := fn(t); err != nil {
		if cerr := ctx.Err(); cerr != nil {
			// A statement cut short by the context fails with whatever
			// database/sql saw first ("sql: statement is closed", say):
			// the context's error is the one to return.
			_ = sqlTx.Rollback()
			return cerr
		}
		if rerr := sqlTx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
			return errors.Join(err, mapErr(rerr))
		}
		return err
	}
	s.statements.Add(1)
	if err := sqlTx.Commit(); err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		return fmt.Errorf("sqlite: commit: %w", mapErr(err))
	}
	if t.owners != nil {
		t.install()
	}
	if t.learnt != nil {
		s.visits.install(t.learnt)
	}
	t.installCatalog()
	return nil
}

// Close closes the database. Units of work still running finish first.
// It returns the first error of closing the prepared statements and the
// connections; closing twice returns nil.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	stmts := s.stmts
	s.stmts, s.wanted = nil, nil
	s.mu.Unlock()
	var errs []error
	for _, st := range stmts {
		errs = append(errs, st.Close())
	}
	// The last connection to close checkpoints the WAL into the file.
	return errors.Join(append(errs, s.r.Close(), s.w.Close())...)
}

// cached returns the prepared statement of query, or nil after noting that
// it is wanted.
func (s *Store) cached(write bool, query string) *sql.Stmt {
	k := stmtKey{write, query}
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.stmts[k]; ok {
		return st
	}
	if s.stmts != nil && len(s.stmts)+len(s.wanted) < maxStmts {
		s.wanted[k] = true
	}
	return nil
}

// prepare prepares the wanted statements. It runs outside any unit of
// work; a query that fails to prepare (a table Migrate has not created
// yet) stays unprepared until it is wanted again.
func (s *Store) prepare(ctx context.Context) {
	s.mu.Lock()
	if len(s.wanted) == 0 {
		s.mu.Unlock()
		return
	}
	keys := make([]stmtKey, 0, len(s.wanted))
	for k := range s.wanted {
		keys = append(keys, k)
	}
	clear(s.wanted)
	s.mu.Unlock()
	for _, k := range keys {
		db := s.r
		if k.write {
			db = s.w
		}
		st, err := db.PrepareContext(ctx, k.query)
		if err != nil {
			continue
		}
		s.mu.Lock()
		if _, dup := s.stmts[k]; dup || s.stmts == nil {
			st.Close()
		} else {
			s.stmts[k] = st
		}
		s.mu.Unlock()
	}
}

// mapErr maps SQLite's result codes to the store's errors: a unique or
// primary key violation is store.ErrConflict, and so is a database still
// busy or locked after the busy timeout (the unit of work may be retried).
// Codes are compared, never messages.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return err
	}
	switch code := e.Code(); {
	case code == sqlite3.SQLITE_CONSTRAINT_UNIQUE, code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return fmt.Errorf("%w: %w", store.ErrConflict, err)
	case code&0xff == sqlite3.SQLITE_BUSY, code&0xff == sqlite3.SQLITE_LOCKED:
		return fmt.Errorf("%w: %w", store.ErrConflict, err)
	}
	return err
}
