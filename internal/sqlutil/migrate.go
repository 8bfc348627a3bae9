package sqlutil

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Migration is one numbered SQL file of an adapter's schema, such as
// migrations/0001_init.sql: version 1, name "init".
type Migration struct {
	// Version is the number the file's name starts with, from 1; the
	// migrations run in its order.
	Version int
	// Name is the rest of the file's name, without ".sql".
	Name string
	// SQL is the file's statements, run in one transaction.
	SQL string
}

// LoadMigrations reads the files dir/NNNN_name.sql of fsys (an embed.FS,
// typically) and returns them by version. It returns an error for a .sql
// file whose name does not start with a version number, for two files with
// one version, and for a directory without migrations.
func LoadMigrations(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("sqlutil: read migrations: %w", err)
	}
	var ms []Migration
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		base := strings.TrimSuffix(e.Name(), ".sql")
		num, name, _ := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("sqlutil: migration %q: name must start with a positive version number", e.Name())
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("sqlutil: read migration %q: %w", e.Name(), err)
		}
		ms = append(ms, Migration{Version: v, Name: name, SQL: string(b)})
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("sqlutil: no migrations in %q", dir)
	}
	slices.SortFunc(ms, func(a, b Migration) int { return a.Version - b.Version })
	for i := 1; i < len(ms); i++ {
		if ms[i].Version == ms[i-1].Version {
			return nil, fmt.Errorf("sqlutil: two migrations with version %d", ms[i].Version)
		}
	}
	return ms, nil
}

// VersionTable is the table Migrate records applied migrations in.
const VersionTable = "schema_migrations"

// Migrate applies the migrations of ms that db has not recorded yet, in
// version order, each in its own transaction together with its row in
// VersionTable (version, name, applied_at in TimeLayout), which it creates
// if missing. bind returns the placeholder of the n-th parameter (1-based):
// "?" for SQLite, "$1" for PostgreSQL. A migration's SQL may hold several
// statements; the driver must accept that in one Exec without arguments.
//
// The version row is inserted before the migration runs, so a concurrent
// Migrate on a database that serializes on that key fails (or waits) rather
// than applying a migration twice; call Migrate again after such an error.
// It returns the first failing statement's error, naming the migration; the
// migrations before it stay applied.
func Migrate(ctx context.Context, db *sql.DB, ms []Migration, bind func(n int) string) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+VersionTable+` (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at TEXT NOT NULL
)`); err != nil {
		return fmt.Errorf("sqlutil: create %s: %w", VersionTable, err)
	}
	applied, err := Applied(ctx, db)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if slices.Contains(applied, m.Version) {
			continue
		}
		if err := apply(ctx, db, m, bind); err != nil {
			return err
		}
	}
	return nil
}

// Applied returns the versions recorded in VersionTable, ascending. It
// returns the driver's error if the table does not exist.
func Applied(ctx context.Context, db *sql.DB) ([]int, error) {
	rows, err := db.QueryContext(ctx, `SELECT version FROM `+VersionTable+` ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("sqlutil: read %s: %w", VersionTable, err)
	}
	defer rows.Close()
	var vs []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		vs = append(vs, v)
	}
	return vs, rows.Err()
}

func apply(ctx context.Context, db *sql.DB, m Migration, bind func(int) string) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlutil: migration %04d_%s: %w", m.Version, m.Name, err)
	}
	defer func() {
		if err != nil {
			err = errors.Join(fmt.Errorf("sqlutil: migration %04d_%s: %w", m.Version, m.Name, err), rollback(tx))
		}
	}()
	if _, err = tx.ExecContext(ctx, `INSERT INTO `+VersionTable+` (version, name, applied_at) VALUES (`+
		bind(1)+`, `+bind(2)+`, `+bind(3)+`)`, m.Version, m.Name, FormatTime(time.Now())); err != nil {
		return err
	}
	if _, err = tx.ExecContext(ctx, m.SQL); err != nil {
		return err
	}
	return tx.Commit()
}

func rollback(tx *sql.Tx) error {
	if err := tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return err
	}
	return nil
}

// Before returns the migrations of ms below version: the schema a database
// had before that migration (tests of a migration build one with it).
func Before(ms []Migration, version int) []Migration {
	var out []Migration
	for _, m := range ms {
		if m.Version < version {
			out = append(out, m)
		}
	}
	return out
}
