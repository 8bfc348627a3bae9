package postgres

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/passengine/passengine/store"
)

// The SQLSTATE codes the adapter maps to store.ErrConflict.
const (
	codeSerialization = "40001" // serialization_failure (also CockroachDB's restart)
	codeDeadlock      = "40P01" // deadlock_detected
	codeUnique        = "23505" // unique_violation
	// A statement prepared on the connection is gone (DEALLOCATE ALL, a
	// pooler's DISCARD ALL) or its plan no longer fits the tables (cached
	// plan must not change result type, after a migration): the
	// connection forgets its prepared statements (batch.go) and the unit
	// of work, which the server has aborted, runs again.
	codeNoStatement = "26000" // invalid_sql_statement_name
	codeCachedPlan  = "0A000" // feature_not_supported
)

// mapErr maps a driver error to the store's errors, by SQLSTATE and never
// by message text: no rows is store.ErrNotFound; a serialization failure,
// a deadlock, a unique violation or a prepared statement the server no
// longer has or can no longer run is store.ErrConflict (the unit of work
// may be retried whole). The result wraps both the store error and the
// driver's, so errors.As still finds a *pgconn.PgError. what names the
// operation.
func mapErr(err error, what string) error {
	if err == nil {
		return nil
	}
	if he := (*heldError)(nil); errors.As(err, &he) {
		return err // mapped when it happened
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case codeSerialization, codeDeadlock, codeNoStatement, codeCachedPlan:
			return fmt.Errorf("postgres: %s: %w: %w", what, store.ErrConflict, err)
		case codeUnique:
			return fmt.Errorf("postgres: %s: constraint %s: %w: %w", what, pe.ConstraintName, store.ErrConflict, err)
		}
	}
	return fmt.Errorf("postgres: %s: %w", what, err)
}
