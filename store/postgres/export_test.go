package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"

	"github.com/jackc/pgx/v5"
)

// DSNEnv is the variable the PostgreSQL tests read their database from.
const DSNEnv = "PASSENGINE_POSTGRES_DSN"

// TB is what NewTestStore needs of a *testing.T, *testing.B or *rapid.T.
type TB interface {
	Skip(args ...any)
	Fatalf(format string, args ...any)
	Errorf(format string, args ...any)
	Cleanup(func())
}

func helper(tb TB) {
	if h, ok := tb.(interface{ Helper() }); ok {
		h.Helper()
	}
}

// RequireDSN returns the DSN of the test database, or skips tb with how to
// run the tests when it is not set.
func RequireDSN(tb TB) string {
	helper(tb)
	dsn := os.Getenv(DSNEnv)
	if dsn == "" {
		tb.Skip("PostgreSQL tests skipped: set " + DSNEnv + ", for example " + DSNEnv +
			"='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' go test ./store/postgres/ (.ci/run sets it)")
	}
	return dsn
}

// NewTestStore opens a migrated store in a new schema with a random name
// and drops the schema when tb ends.
func NewTestStore(tb TB, opts ...Option) *Store {
	helper(tb)
	return NewTestStoreDSN(tb, RequireDSN(tb), opts...)
}

// NewTestStoreDSN is NewTestStore on the database of dsn.
func NewTestStoreDSN(tb TB, dsn string, opts ...Option) *Store {
	helper(tb)
	ctx := context.Background()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatalf("random schema name: %v", err)
	}
	schema := "passengine_test_" + hex.EncodeToString(b[:])
	st, err := Open(ctx, dsn, append(opts, WithSchema(schema))...)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() {
		st.Close()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+schema+` CASCADE`); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	if err := st.Migrate(ctx); err != nil {
		tb.Fatalf("Migrate: %v", err)
	}
	return st
}

// Exec runs sql on the store's pool, outside any unit of work (bulk loads
// in benchmarks, checks in tests).
func Exec(st *Store, sql string, args ...any) error {
	_, err := st.pool.Exec(context.Background(), sql, args...)
	return err
}

// QueryInt runs sql, which returns one integer.
func QueryInt(st *Store, sql string, args ...any) (int64, error) {
	var n int64
	err := st.pool.QueryRow(context.Background(), sql, args...).Scan(&n)
	return n, err
}

// SetFault sets the store's fault hook (nil removes it): it is called at
// every statement with "statement" and the statement's SQL and arguments,
// before COMMIT with "commit" and after a successful COMMIT with
// "committed", and what it returns is what the statement or commit
// returns. Set it while no unit of work runs.
func SetFault(st *Store, f func(point, sql string, args []any) error) { st.fault = f }

// RoundTrips returns how many requests st has sent to the server.
func RoundTrips(st *Store) int64 { return st.roundTrips.Load() }
