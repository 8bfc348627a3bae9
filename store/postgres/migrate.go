package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/passengine/passengine/internal/sqlutil"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// codeUndefinedTable is SQLSTATE 42P01, undefined_table.
const codeUndefinedTable = "42P01"

// Migrate creates the store's schema (WithSchema) if it does not exist and
// applies the embedded migrations it has not recorded yet, in order, each
// in its own transaction with its row in the version table
// (sqlutil.VersionTable). Running it again changes nothing. Two processes
// migrating at once are serialized by the version row: one applies, the
// other fails with a unique violation and succeeds when run again. It
// returns the first failing statement's error, naming the migration.
func (s *Store) Migrate(ctx context.Context) error {
	if s.schema != "" {
		if _, err := s.pool.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{s.schema}.Sanitize()); err != nil {
			return mapErr(err, "create schema")
		}
	}
	ms, err := sqlutil.LoadMigrations(migrationFiles, "migrations")
	if err != nil {
		return err
	}
	db := stdlib.OpenDBFromPool(s.pool)
	defer db.Close()
	if err := sqlutil.Migrate(ctx, db, ms, func(n int) string { return fmt.Sprintf("$%d", n) }); err != nil {
		return mapErr(err, "migrate")
	}
	s.versioned.Store(true) // 0007 is applied
	return s.backfillExpiry(ctx)
}

// SchemaVersion returns the highest migration version applied, or 0 for a
// database (or schema) Migrate has not run on. It returns the driver's
// error if the database cannot be read.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	db := stdlib.OpenDBFromPool(s.pool)
	defer db.Close()
	vs, err := sqlutil.Applied(ctx, db)
	if err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == codeUndefinedTable {
			return 0, nil
		}
		return 0, mapErr(err, "schema version")
	}
	if len(vs) == 0 {
		return 0, nil
	}
	return vs[len(vs)-1], nil
}
