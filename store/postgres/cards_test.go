package postgres_test

import (
	"testing"

	"github.com/passengine/passengine/enginetest"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/postgres"
)

// TestCards runs the multipass card scenarios (RULES M1-M7, seeds 003 and
// 004, holder deletion) on PostgreSQL, each in its own schema.
func TestCards(t *testing.T) {
	postgres.RequireDSN(t)
	enginetest.RunCards(t, func(t *testing.T) store.Store { return postgres.NewTestStore(t) })
}
