package postgres

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/internal/sqlutil"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

func TestOpenRefusesBadOptions(t *testing.T) {
	ctx := context.Background()
	for name, c := range map[string]struct {
		dsn  string
		opts []Option
	}{
		"malformed DSN":      {"postgres://%zz", nil},
		"schema with quotes": {"postgres://127.0.0.1/x", []Option{WithSchema(`a"; DROP TABLE x; --`)}},
		"upper-case schema":  {"postgres://127.0.0.1/x", []Option{WithSchema("Tenant")}},
		"unknown isolation":  {"postgres://127.0.0.1/x", []Option{WithIsolation("snapshot")}},
	} {
		if st, err := Open(ctx, c.dsn, c.opts...); err == nil {
			st.Close()
			t.Errorf("%s: Open got nil error, want one", name)
		}
	}
}

func TestMigrateRecordsTheVersionAndRunsOnce(t *testing.T) {
	ctx := context.Background()
	st := NewTestStore(t)
	for i := range 2 {
		if err := st.Migrate(ctx); err != nil {
			t.Fatalf("Migrate again (#%d): %v", i+1, err)
		}
	}
	ms, err := sqlutil.LoadMigrations(migrationFiles, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	want := ms[len(ms)-1].Version
	v, err := st.SchemaVersion(ctx)
	if err != nil || v != want {
		t.Errorf("SchemaVersion: got %d, %v; want %d, nil", v, err, want)
	}
	rows, err := QueryInt(st, `SELECT count(*) FROM schema_migrations`)
	if err != nil || rows != int64(len(ms)) {
		t.Errorf("version rows: got %d, %v; want %d, nil", rows, err, len(ms))
	}
}

func TestSchemaVersionBeforeMigrate(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, RequireDSN(t), WithSchema("passengine_test_never_migrated"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if v, err := st.SchemaVersion(ctx); err != nil || v != 0 {
		t.Errorf("SchemaVersion: got %d, %v; want 0, nil", v, err)
	}
}

// TestSchemaNamedLikeAKeyword: a schema may be named like an SQL keyword;
// the adapter quotes it.
func TestSchemaNamedLikeAKeyword(t *testing.T) {
	ctx := context.Background()
	dsn := RequireDSN(t)
	st, err := Open(ctx, dsn, WithSchema("user"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := Exec(st, `DROP SCHEMA IF EXISTS "user" CASCADE`); err != nil {
			t.Errorf("drop schema: %v", err)
		}
		st.Close()
	})
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	if n, err := QueryInt(st, `SELECT count(*) FROM information_schema.tables WHERE table_schema = 'user' AND table_name = 'passes'`); err != nil || n != 1 {
		t.Errorf("table user.passes: got %d, %v; want 1, nil", n, err)
	}
}

func TestViewRefusesWrites(t *testing.T) {
	ctx := context.Background()
	st := NewTestStore(t)
	err := st.View(ctx, func(tx store.Tx) error {
		return tx.Catalog().PutNetwork(ctx, catalog.Network{ID: "n", Currency: "USD", Zone: "UTC"})
	})
	if !errors.Is(err, ErrReadOnly) {
		t.Errorf("PutNetwork in View: got error %v, want ErrReadOnly", err)
	}
}

func TestMapErr(t *testing.T) {
	for _, c := range []struct {
		err  error
		want error
	}{
		{pgx.ErrNoRows, store.ErrNotFound},
		{&pgconn.PgError{Code: "40001"}, store.ErrConflict},
		{&pgconn.PgError{Code: "40P01"}, store.ErrConflict},
		{fmt.Errorf("wrapped: %w", &pgconn.PgError{Code: "23505", ConstraintName: "ledger_pkey"}), store.ErrConflict},
	} {
		if got := mapErr(c.err, "op"); !errors.Is(got, c.want) {
			t.Errorf("mapErr(%v): got %v, want it to wrap %v", c.err, got, c.want)
		}
	}
	for _, err := range []error{
		&pgconn.PgError{Code: "23503"},                                        // foreign_key_violation
		&pgconn.PgError{Code: "40003"},                                        // statement_completion_unknown
		&pgconn.PgError{Code: "XX000", Message: "could not serialize access"}, // never by text
		errors.New("unexpected EOF"),
	} {
		got := mapErr(err, "op")
		if errors.Is(got, store.ErrConflict) || errors.Is(got, store.ErrNotFound) {
			t.Errorf("mapErr(%v): got %v, want neither ErrConflict nor ErrNotFound", err, got)
		}
		if !errors.Is(got, err) {
			t.Errorf("mapErr(%v): got %v, want it to wrap the driver's error", err, got)
		}
	}
	var pe *pgconn.PgError
	if got := mapErr(&pgconn.PgError{Code: "40001"}, "op"); !errors.As(got, &pe) {
		t.Errorf("mapErr of a *pgconn.PgError: got %v, want errors.As to find it", got)
	}
}

// TestUniqueViolationIsConflict: a real unique violation (a ledger entry ID
// written twice) is store.ErrConflict, carrying the constraint's name.
func TestUniqueViolationIsConflict(t *testing.T) {
	ctx := context.Background()
	st := NewTestStore(t)
	e := pass.Entry{Network: "n", ID: "e1", Pass: "p1", At: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), Type: pass.EntryIssue, Units: 1, Balance: 1}
	if err := st.Update(ctx, func(tx store.Tx) error { return tx.Ledger().Append(ctx, e) }); err != nil {
		t.Fatal(err)
	}
	err := st.Update(ctx, func(tx store.Tx) error { return tx.Ledger().Append(ctx, e) })
	var pe *pgconn.PgError
	if !errors.Is(err, store.ErrConflict) || !errors.As(err, &pe) || pe.ConstraintName != "ledger_pkey" {
		t.Errorf("Append of an existing ID: got %v, want ErrConflict from constraint ledger_pkey", err)
	}
}

// TestAppendManyEntries: one Append of more entries than one statement
// can carry keeps them all, in order.
func TestAppendManyEntries(t *testing.T) {
	ctx := context.Background()
	st := NewTestStore(t)
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	entries := make([]pass.Entry, 2*appendChunk+7)
	for i := range entries {
		entries[i] = pass.Entry{Network: "n", ID: fmt.Sprintf("e%05d", len(entries)-i), Pass: "p1", At: at,
			Type: pass.EntryAdjust, Units: 1, Balance: i + 1}
	}
	if err := st.Update(ctx, func(tx store.Tx) error { return tx.Ledger().Append(ctx, entries...) }); err != nil {
		t.Fatal(err)
	}
	var got []pass.Entry
	err := st.View(ctx, func(tx store.Tx) (err error) {
		got, err = tx.Ledger().List(ctx, store.LedgerFilter{Network: "n", Pass: "p1"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(entries) {
		t.Fatalf("entries: got %d, want %d", len(got), len(entries))
	}
	for i := range got {
		if got[i].ID != entries[i].ID {
			t.Fatalf("entry %d: got %s, want %s (append order)", i, got[i].ID, entries[i].ID)
		}
	}
}

// TestZeroInstantsRoundTrip: the zero time.Time in a NOT NULL instant
// column comes back as the zero time.
func TestZeroInstantsRoundTrip(t *testing.T) {
	ctx := context.Background()
	st := NewTestStore(t)
	v := checkin.Visit{Network: "n", ID: "v", Holder: "h", Location: "l", Kind: checkin.CheckInVisit,
		Status: checkin.Open, Date: calendar.MustDate("2026-03-02")}
	e := pass.Entry{Network: "n", ID: "e", Pass: "p", Type: pass.EntryIssue}
	p := pass.Pass{Network: "n", ID: "p", Holder: "h", Kind: pass.Visits}
	err := st.Update(ctx, func(tx store.Tx) error {
		return errors.Join(tx.Visits().Put(ctx, v), tx.Ledger().Append(ctx, e), tx.Passes().Put(ctx, p))
	})
	if err != nil {
		t.Fatal(err)
	}
	err = st.View(ctx, func(tx store.Tx) error {
		gv, err1 := tx.Visits().Get(ctx, "n", "v")
		ge, err2 := tx.Ledger().List(ctx, store.LedgerFilter{Network: "n"})
		gp, err3 := tx.Passes().Get(ctx, "n", "p")
		if err := errors.Join(err1, err2, err3); err != nil {
			return err
		}
		if !gv.Start.IsZero() || len(ge) != 1 || !ge[0].At.IsZero() || !gp.IssuedAt.IsZero() {
			t.Errorf("zero instants: got visit start %v, entries %v, pass issued %v; want zero times", gv.Start, ge, gp.IssuedAt)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSwallowedErrorFailsTheCommit: a closure that ignores a failed
// statement and returns nil does not commit what came before (I3): the
// commit error is returned, never swallowed.
func TestSwallowedErrorFailsTheCommit(t *testing.T) {
	ctx := context.Background()
	st := NewTestStore(t)
	e := pass.Entry{Network: "n", ID: "e1", Pass: "p1", At: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), Type: pass.EntryIssue}
	if err := st.Update(ctx, func(tx store.Tx) error { return tx.Ledger().Append(ctx, e) }); err != nil {
		t.Fatal(err)
	}
	err := st.Update(ctx, func(tx store.Tx) error {
		if err := tx.Catalog().PutNetwork(ctx, catalog.Network{ID: "n", Currency: "USD", Zone: "UTC"}); err != nil {
			return err
		}
		_ = tx.Ledger().Append(ctx, e) // fails and aborts the transaction
		return nil
	})
	if err == nil {
		t.Fatal("Update after a swallowed statement error: got nil error, want the commit's")
	}
	if n, _ := QueryInt(st, `SELECT count(*) FROM networks`); n != 0 {
		t.Errorf("networks after a failed commit: got %d, want 0", n)
	}
}

// TestHotPathUsesPartialIndexes records the statements the check-in path
// runs (live passes with and without a team, open visits, visits by date,
// the stale sweep) and checks with EXPLAIN, sequential scans disabled,
// that each is answered from its index: the plan proves the query's shape
// matches the partial index's predicate.
func TestHotPathUsesPartialIndexes(t *testing.T) {
	ctx := context.Background()
	st := NewTestStore(t)
	d := calendar.MustDate("2026-03-02")
	// Enough rows, spread over enough holders, for the planner's
	// statistics to tell the indexes apart.
	for _, q := range []string{
		`INSERT INTO passes (network, id, product, holder, team, kind, source, units, balance, unit_value,
			unit_value_currency, price, price_currency, paid, paid_by, tier, audience, priority, activation, locked,
			validity_months, validity_days, activated_by, uses, issued_at, code_hash, code_sealed)
		SELECT 'n', 'p' || x, 'prod', 'h' || (x % 1000), CASE WHEN x % 10 = 0 THEN 't' || (x % 100) ELSE '' END,
			'visits', 'product', 10, CASE WHEN x % 20 = 0 THEN 5 ELSE 0 END, 1, 'USD', 10, 'USD', true, '', 0, '', '',
			'on_purchase', false, 0, 0, '', 0, now(), '', '' FROM generate_series(1, 20000) x`,
		`INSERT INTO visits (network, id, holder, location, kind, mode, status, start_at, date, cost, pass,
			covered_by, payg, uncovered_minutes, auto_closed, activated, late_cancel, cancelled_by, terms)
		SELECT 'n', 'v' || x, 'h' || (x % 1000), 'l' || (x % 3), 'check_in', 'visits',
			CASE WHEN x % 500 = 0 THEN 'open' ELSE 'closed' END, timestamptz '2025-01-01' + x * interval '1 hour',
			date '2025-01-01' + (x / 24), 1, 'p' || x, '', '', 0, false, '', false, '', '' FROM generate_series(1, 20000) x`,
		`INSERT INTO ledger (network, id, pass, holder, visit, at, type, units, balance, amount, amount_currency, key, actor, comment)
		SELECT 'n', 'e' || x, 'p' || (x % 5000), 'h' || (x % 1000), '', now(), 'use', -1, 0, 0, '', '', '', ''
		FROM generate_series(1, 20000) x`,
		`ANALYZE passes`, `ANALYZE visits`, `ANALYZE ledger`,
	} {
		if err := Exec(st, q); err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
	got, err := statements(st, func(tx store.Tx) error {
		return errors.Join(
			func() error { _, err := tx.Passes().Live(ctx, "n", "h", ""); return err }(),
			func() error { _, err := tx.Passes().Live(ctx, "n", "h", "t"); return err }(),
			func() error { _, err := tx.Visits().Open(ctx, "n", "h"); return err }(),
			func() error { _, err := tx.Visits().OnDates(ctx, "n", "h", d.AddDays(-1), d); return err }(),
			func() error { _, err := tx.Visits().OpenBefore(ctx, "n", time.Now(), 100); return err }(),
			func() error { _, err := tx.Ledger().List(ctx, store.LedgerFilter{Network: "n", Pass: "p"}); return err }(),
		)
	})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"passes_live_holder"},
		{"passes_live_holder", "passes_live_team"},
		{"visits_holder_open"},
		{"visits_holder_date"},
		{"visits_open_start"},
		{"ledger_pass"},
	}
	if len(got) != len(want) {
		t.Fatalf("statements recorded: got %d, want %d", len(got), len(want))
	}
	for i, s := range got {
		plan := explain(t, st, s.sql, s.args)
		for _, index := range want[i] {
			if !strings.Contains(plan, index) {
				t.Errorf("plan of %s: got\n%s\nwant it to use index %s", oneLine(s.sql), plan, index)
			}
		}
	}
}

// TestLoadStateUsesIndexes: on the same seeded tables, with sequential
// scans allowed, the planner answers each statement of LoadState (for a
// holder with and without a team, with a visit and a lineage) from
// indexes: none of them reads all the visits or all the passes, whatever
// the history.
func TestLoadStateUsesIndexes(t *testing.T) {
	ctx := context.Background()
	st := NewTestStore(t)
	for _, q := range []string{
		`INSERT INTO networks (id, name, currency, zone) VALUES ('n', 'n', 'USD', 'UTC')`,
		`INSERT INTO locations (network, id, name, zone, day_cutoff_ns, tier) VALUES ('n', 'l0', 'l', 'UTC', 0, 0)`,
		`INSERT INTO teams (network, id, name, credit_sharing) VALUES ('n', 't1', 't', true)`,
		`INSERT INTO holders (network, id, name, audience, team) SELECT 'n', 'h' || x, 'h', '', CASE WHEN x % 2 = 1 THEN 't1' ELSE '' END FROM generate_series(0, 999) x`,
		`INSERT INTO passes (network, id, product, holder, team, kind, source, units, balance, unit_value,
			unit_value_currency, price, price_currency, paid, paid_by, tier, audience, priority, activation, locked,
			validity_months, validity_days, activated_by, uses, issued_at, code_hash, code_sealed)
		SELECT 'n', 'p' || x, 'prod', 'h' || (x % 1000), CASE WHEN x % 10 = 1 THEN 't1' ELSE '' END,
			'visits', 'product', 10, CASE WHEN x % 20 = 0 THEN 5 ELSE 0 END, 1, 'USD', 10, 'USD', true, '', 0, '', '',
			'on_purchase', false, 0, 0, '', 0, now(), '', '' FROM generate_series(1, 20000) x`,
		`INSERT INTO visits (network, id, holder, location, kind, mode, status, start_at, date, cost, pass,
			covered_by, payg, consumptions, uncovered_minutes, auto_closed, activated, late_cancel, cancelled_by, terms)
		SELECT 'n', 'v' || x, 'h' || (x % 1000), 'l' || (x % 3), 'check_in', 'visits',
			CASE WHEN x % 500 = 0 THEN 'open' ELSE 'closed' END, timestamptz '2025-01-01' + x * interval '1 hour',
			date '2025-01-01' + (x / 24), 1, 'p' || x, '', '',
			jsonb_build_array(jsonb_build_object('pass', 'p' || x, 'kind', 'visits', 'units', 1)),
			0, false, '', false, '', '' FROM generate_series(1, 40000) x`,
		`ANALYZE`,
	} {
		if err := Exec(st, q); err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
	for _, holder := range []string{"h2", "h1"} {
		got, err := statements(st, func(tx store.Tx) error {
			_, err := tx.(store.StateLoader).LoadState(ctx, store.StateQuery{Network: "n", Holder: holder, Location: "l0",
				Visit: "v1002", From: calendar.MustDate("2025-02-10"), To: calendar.MustDate("2025-02-12"), Lineage: []string{"p7"}})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range got {
			plan := explainAs(t, st, false, s.sql, s.args)
			for _, table := range []string{"visits", "passes", "holders"} {
				if strings.Contains(plan, "Seq Scan on "+table) {
					t.Errorf("plan of %s for %s: got\n%s\nwant no sequential scan of %s", oneLine(s.sql), holder, plan, table)
				}
			}
		}
	}
}

type stmt struct {
	sql  string
	args []any
}

// statements runs fn in View on st and returns the statements it sent.
func statements(st *Store, fn func(store.Tx) error) ([]stmt, error) {
	var got []stmt
	SetFault(st, func(point, sql string, args []any) error {
		if point == "statement" {
			got = append(got, stmt{sql, args})
		}
		return nil
	})
	defer SetFault(st, nil)
	err := st.View(context.Background(), fn)
	return got, err
}

func explain(t *testing.T, st *Store, sql string, args []any) string {
	t.Helper()
	return explainAs(t, st, true, sql, args)
}

// explainAs returns the plan of sql with args, with sequential scans
// disabled when noSeqScan.
func explainAs(t *testing.T, st *Store, noSeqScan bool, sql string, args []any) string {
	t.Helper()
	ctx := context.Background()
	var lines []string
	err := pgx.BeginFunc(ctx, st.pool, func(tx pgx.Tx) error {
		if noSeqScan {
			if _, err := tx.Exec(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
				return err
			}
		}
		rows, err := tx.Query(ctx, `EXPLAIN `+sql, args...)
		if err != nil {
			return err
		}
		lines, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		t.Fatalf("EXPLAIN %s: %v", oneLine(sql), err)
	}
	return strings.Join(lines, "\n")
}

func oneLine(sql string) string { return strings.Join(strings.Fields(sql), " ") }

// TestNothingCockroachDBLacks: the migrations and the adapter's SQL use no
// advisory locks, triggers, LISTEN/NOTIFY or sequences of their own, so
// that the adapter stays the path to CockroachDB.
func TestNothingCockroachDBLacks(t *testing.T) {
	banned := regexp.MustCompile(`(?i)pg_advisory|pg_try_advisory|create\s+trigger|\blisten\s|\bnotify\s|pg_notify|create\s+sequence|nextval\(|\bserial\b|lock\s+table`)
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, "_test.go") ||
			!(strings.HasSuffix(path, ".go") || strings.HasSuffix(path, ".sql")) {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			code, _, _ := strings.Cut(line, "//")
			code, _, _ = strings.Cut(code, "--")
			if m := banned.FindString(code); m != "" {
				t.Errorf("%s:%d uses %q, which CockroachDB lacks", path, i+1, m)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestOpenVisitPlansSurviveStaleStatistics: statistics taken when no visit
// was open (an ANALYZE at night) must not send the hot path's open-visit
// lookups through the network-wide sweep index once thousands of visits
// are open. Checked on the generic plans the prepared statements settle
// on: each reads the holder's own open visits by index.
func TestOpenVisitPlansSurviveStaleStatistics(t *testing.T) {
	st := NewTestStore(t)
	visits := `INSERT INTO visits (network, id, holder, location, kind, mode, status, start_at, date, cost, pass,
		covered_by, payg, uncovered_minutes, auto_closed, activated, late_cancel, cancelled_by, terms)
		SELECT 'n', '%s' || x, 'h' || (x %% 20000), 'l' || (x %% 3), 'check_in', 'visits', '%s',
			timestamptz '2025-01-01' + x * interval '1 minute', date '2025-01-01' + (x / 1440), 1, '', '', '', 0, false, '',
			false, '', '' FROM generate_series(1, %d) x`
	for _, q := range []string{
		fmt.Sprintf(visits, "closed-", "closed", 100000),
		`ANALYZE visits`,
		fmt.Sprintf(visits, "open-", "open", 10000),
	} {
		if err := Exec(st, q); err != nil {
			t.Fatalf("seed: %v", err)
		}
	}
	for _, sql := range []string{
		`SELECT ` + visitCols + ` FROM visits WHERE network = 'n' AND holder = 'h7' AND status = 'open' ORDER BY start_at, id`,
		`SELECT ` + visitCols + ` FROM visits WHERE network = 'n' AND holder = 'h7' AND date BETWEEN ` +
			strings.NewReplacer("$1", "'n'", "$2", "'h7'", "$3", "'l1'", "$4", "'2025-01-03'", "$6", "1").Replace(stateWindow) +
			` AND '2025-01-05'::date ORDER BY start_at, id`,
	} {
		plan := genericPlan(t, st, sql)
		if strings.Contains(plan, "visits_open_start") || !strings.Contains(plan, "visits_holder_open") {
			t.Errorf("generic plan of %s: got\n%s\nwant the holder's index visits_holder_open, not visits_open_start", oneLine(sql), plan)
		}
	}
}

// genericPlan returns the plan PostgreSQL settles on for sql prepared
// (plan_cache_mode = force_generic_plan).
func genericPlan(t *testing.T, st *Store, sql string) string {
	t.Helper()
	ctx := context.Background()
	var lines []string
	err := pgx.BeginFunc(ctx, st.pool, func(tx pgx.Tx) error {
		for _, q := range []string{`SET LOCAL plan_cache_mode = force_generic_plan`, `PREPARE hot AS ` + sql} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		rows, err := tx.Query(ctx, `EXPLAIN EXECUTE hot`)
		if err != nil {
			return err
		}
		lines, err = pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DEALLOCATE hot`)
		return err
	})
	if err != nil {
		t.Fatalf("EXPLAIN %s: %v", oneLine(sql), err)
	}
	return strings.Join(lines, "\n")
}
