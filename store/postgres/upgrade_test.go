package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/passengine/passengine/enginetest"
	"github.com/passengine/passengine/store/postgres"
)

// TestUpgradeFromPreviousRelease loads a database the previous release
// wrote (schema version 2: testdata/previous-v2.sql, a pg_dump of it) into
// a new schema, migrates it, and checks that every row reads back as that
// release wrote it and that the Engine goes on from it.
func TestUpgradeFromPreviousRelease(t *testing.T) {
	dsn := postgres.RequireDSN(t)
	ctx := context.Background()
	dump, err := os.ReadFile("testdata/previous-v2.sql")
	if err != nil {
		t.Fatal(err)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "passengine_upgrade_" + hex.EncodeToString(b[:])
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := conn.Exec(context.Background(), `DROP SCHEMA IF EXISTS `+schema+` CASCADE`); err != nil {
			t.Errorf("drop schema: %v", err)
		}
		conn.Close(context.Background())
	})
	if _, err := conn.Exec(ctx, strings.ReplaceAll(string(dump), "passengine_previous", schema)); err != nil {
		t.Fatalf("loading the previous release's dump: %v", err)
	}
	st, err := postgres.Open(ctx, dsn, postgres.WithSchema(schema))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if v, err := st.SchemaVersion(ctx); err != nil || v != 2 {
		t.Fatalf("schema version of the dump: got %d, %v; want 2", v, err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	enginetest.CheckUpgrade(t, st)
}
