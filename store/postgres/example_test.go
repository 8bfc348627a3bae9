package postgres_test

import (
	"context"
	"log"
	"os"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/store/postgres"
)

// Open a pool on a PostgreSQL database (the connection string of pgx:
// postgres://user:password@host:5432/db?sslmode=require), keep a tenant's
// tables in a schema of their own, apply the embedded migrations and hand
// the store to the Engine. Several Engine processes may share the
// database: calls for one holder wait for each other on its row lock.
// (The example needs a database, so it is compiled but not run.)
func ExampleOpen() {
	ctx := context.Background()
	st, err := postgres.Open(ctx, os.Getenv("PASSENGINE_POSTGRES_DSN"), postgres.WithSchema("tenant_hub"))
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	eng := passengine.New(st)
	if err := eng.PutNetwork(ctx, catalog.Network{ID: "hub", Currency: "USD", Zone: "America/New_York"}); err != nil {
		log.Fatal(err)
	}
}
