package postgres_test

import (
	"testing"

	"github.com/passengine/passengine/enginetest"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/postgres"
	"pgregory.net/rapid"
)

// Rule C10: the dry runs of bookings and redemptions equal the real
// calls' decisions and leave PostgreSQL unchanged (a new schema per run).
func TestRule_C10_DryRuns(t *testing.T) {
	postgres.RequireDSN(t)
	enginetest.RunDryRuns(t, func(t *rapid.T) store.Store { return postgres.NewTestStore(t) })
}
