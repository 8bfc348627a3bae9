// Command pgcheckin measures the Engine's PostgreSQL check-ins per second
// against pgbench running bench/pg/checkin.sql, a script of the same
// minimal shape, at the same client counts for the same duration, on the
// same seeded network.
//
// It creates the database passengine_bench if it is missing (never
// touching the tests' database), and in it the schemas checkin_pgbench
// and checkin_engine, which it drops first: each is migrated by
// store/postgres's Migrate (the Engine's own tables and indexes) and
// seeded by bench/pg/setup.sql. Then, for each round and client count, it
// runs pgbench (-M prepared, -T duration) on checkin_pgbench and the
// Engine's check-ins on checkin_engine for the same duration, one after
// the other (pgbench first in odd rounds, the Engine first in even ones).
// Before each run it closes the visits the runs before left open, so
// every check-in is of a holder not checked in.
//
// The Engine's side is N goroutines, each calling Engine.CheckIn of the
// next holder (cycling through them) at location l000(g), each its own
// unit of work, on a store whose pool allows max(N, 4) connections, as
// pgbench opens one per client.
//
// Each run's output is a file in -out: pgbench's own output, and for the
// Engine a line in go test's benchmark format
// ("BenchmarkEngineCheckIn/clients=8 N ns/op checkins/s allocs/op").
// On standard output it writes, for bench/run's manifest, one line per
// run: "run", the row, the side (a pgbench, b the Engine), the round, the
// file, the benchmark's name and the metric, tab-separated.
//
// Usage:
//
//	go run ./bench/pg/cmd/pgcheckin -out DIR [-rounds 3] [-duration 10s] [-clients 1,8,32]
//	go run ./bench/pg/cmd/pgcheckin -setup-only
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/passengine/passengine"
	"github.com/passengine/passengine/store/postgres"
)

const (
	// dsnEnv is the variable the PostgreSQL tests read their server from.
	dsnEnv        = "PASSENGINE_POSTGRES_DSN"
	pgbenchSchema = "checkin_pgbench"
	engineSchema  = "checkin_engine"
	network       = "bench"
)

// start is the instant of the Engine's first check-in.
var start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

type config struct {
	dsn, db, setup, script, pgbench, out string
	holders, rounds                      int
	clients                              []int
	duration                             time.Duration
	setupOnly                            bool
}

func main() {
	var c config
	var clients string
	def := os.Getenv(dsnEnv)
	if def == "" {
		def = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	flag.StringVar(&c.dsn, "dsn", def, "a DSN of the server (its database is used only to create -db); default $"+dsnEnv)
	flag.StringVar(&c.db, "db", "passengine_bench", "the database of the benchmark's schemas, created if missing")
	flag.StringVar(&c.setup, "setup", "bench/pg/setup.sql", "the seed SQL, run in each schema with :holders replaced")
	flag.StringVar(&c.script, "script", "bench/pg/checkin.sql", "the pgbench script")
	flag.StringVar(&c.pgbench, "pgbench", "pgbench", "the pgbench program")
	flag.StringVar(&c.out, "out", "", "the directory of the runs' outputs (required unless -setup-only)")
	flag.IntVar(&c.holders, "holders", 100_000, "holders seeded, each with a live pass")
	flag.IntVar(&c.rounds, "rounds", 3, "rounds: each runs every client count on both sides")
	flag.StringVar(&clients, "clients", "1,8,32", "client counts, comma-separated")
	flag.DurationVar(&c.duration, "duration", 10*time.Second, "duration of each run (pgbench -T, rounded to seconds)")
	flag.BoolVar(&c.setupOnly, "setup-only", false, "create and seed the two schemas, then stop")
	flag.Parse()
	for _, s := range strings.Split(clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "pgcheckin: -clients: %q is not a positive count\n", s)
			os.Exit(2)
		}
		c.clients = append(c.clients, n)
	}
	if (c.out == "" && !c.setupOnly) || c.rounds < 1 || c.holders < 1 || c.duration < time.Second {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(context.Background(), c); err != nil {
		fmt.Fprintln(os.Stderr, "pgcheckin:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, c config) error {
	benchDSN, err := withDatabase(c.dsn, c.db)
	if err != nil {
		return err
	}
	if err := createDatabase(ctx, c.dsn, c.db); err != nil {
		return err
	}
	seed, err := os.ReadFile(c.setup)
	if err != nil {
		return err
	}
	maxClients := 4
	for _, n := range c.clients {
		maxClients = max(maxClients, n)
	}
	var engineStore *postgres.Store
	for _, schema := range []string{pgbenchSchema, engineSchema} {
		logf("seeding %s.%s with %d holders", c.db, schema, c.holders)
		st, err := prepare(ctx, benchDSN, schema, strings.ReplaceAll(string(seed), ":holders", strconv.Itoa(c.holders)), maxClients)
		if err != nil {
			return fmt.Errorf("schema %s: %w", schema, err)
		}
		if schema == engineSchema {
			engineStore = st
		} else {
			st.Close()
		}
	}
	defer engineStore.Close()
	if c.setupOnly {
		return nil
	}
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return err
	}
	eng := passengine.New(engineStore, passengine.WithClock(passengine.NewManualClock(start)),
		passengine.WithClockSkew(200*365*24*time.Hour))
	var seq atomic.Int64
	for r := 1; r <= c.rounds; r++ {
		for _, n := range c.clients {
			sides := []string{"a", "b"}
			if r%2 == 0 {
				sides = []string{"b", "a"}
			}
			for _, side := range sides {
				if err := closeOpen(ctx, benchDSN); err != nil {
					return err
				}
				row := fmt.Sprintf("clients=%d", n)
				if side == "a" {
					file := fmt.Sprintf("pgbench-c%d-r%d.txt", n, r)
					logf("round %d: pgbench, %d clients, %s", r, n, c.duration)
					if err := runPgbench(ctx, c, benchDSN, n, filepath.Join(c.out, file)); err != nil {
						return err
					}
					fmt.Printf("run\t%s\ta\t%d\t%s\tpgbench\ttps\n", row, r, file)
					continue
				}
				file := fmt.Sprintf("engine-c%d-r%d.txt", n, r)
				logf("round %d: Engine, %d clients, %s", r, n, c.duration)
				line, err := checkIns(ctx, eng, &seq, n, c.holders, c.duration)
				if err != nil {
					return err
				}
				if err := os.WriteFile(filepath.Join(c.out, file), []byte(line+"\n"), 0o644); err != nil {
					return err
				}
				fmt.Printf("run\t%s\tb\t%d\t%s\tBenchmarkEngineCheckIn/clients=%d\tcheckins/s\n", row, r, file, n)
			}
		}
	}
	return nil
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s pgcheckin: %s\n", time.Now().UTC().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// withDatabase returns dsn, a URL, naming database db instead.
func withDatabase(dsn, db string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		return "", fmt.Errorf("-dsn %q: want a postgres:// URL", dsn)
	}
	u.Path = "/" + db
	return u.String(), nil
}

// createDatabase creates db on dsn's server if it does not exist.
func createDatabase(ctx context.Context, dsn, db string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, db).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	logf("creating database %s", db)
	_, err = conn.Exec(ctx, `CREATE DATABASE `+pgx.Identifier{db}.Sanitize())
	return err
}

// prepare drops schema, migrates it with the store's migrations, runs
// seed in it and returns the store on it.
func prepare(ctx context.Context, dsn, schema, seed string, conns int) (*postgres.Store, error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, err
	}
	_, err = conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`)
	conn.Close(ctx)
	if err != nil {
		return nil, err
	}
	st, err := postgres.Open(ctx, dsn, postgres.WithSchema(schema), postgres.WithMaxConns(conns))
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	sconn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		st.Close()
		return nil, err
	}
	defer sconn.Close(ctx)
	if _, err := sconn.Exec(ctx, `SET search_path = `+pgx.Identifier{schema}.Sanitize()); err != nil {
		st.Close()
		return nil, err
	}
	if _, err := sconn.Exec(ctx, seed, pgx.QueryExecModeSimpleProtocol); err != nil {
		st.Close()
		return nil, fmt.Errorf("seed: %w", err)
	}
	return st, nil
}

// closeOpen closes the visits left open in both schemas, so that every
// holder can be checked in again and no run reads the open visits of the
// runs before it.
func closeOpen(ctx context.Context, dsn string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	for _, schema := range []string{pgbenchSchema, engineSchema} {
		if _, err := conn.Exec(ctx, `UPDATE `+pgx.Identifier{schema, "visits"}.Sanitize()+
			` SET status = 'closed', end_at = start_at + interval '30 minutes' WHERE network = $1 AND status = 'open'`, network); err != nil {
			return fmt.Errorf("close open visits in %s: %w", schema, err)
		}
	}
	return nil
}

// runPgbench runs pgbench with the script on the pgbench schema, n
// clients, and writes its output to file.
func runPgbench(ctx context.Context, c config, dsn string, n int, file string) error {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return err
	}
	secs := max(1, int(c.duration.Round(time.Second)/time.Second))
	args := []string{"-h", cfg.Host, "-p", strconv.Itoa(int(cfg.Port)), "-U", cfg.User, "-n", "-M", "prepared",
		"-D", fmt.Sprintf("holders=%d", c.holders), "-f", c.script, "-c", strconv.Itoa(n), "-j", strconv.Itoa(min(n, 2)),
		"-T", strconv.Itoa(secs), cfg.Database}
	cmd := exec.CommandContext(ctx, c.pgbench, args...)
	cmd.Env = append(os.Environ(), "PGOPTIONS=-c search_path="+pgbenchSchema)
	if cfg.Password != "" {
		cmd.Env = append(cmd.Env, "PGPASSWORD="+cfg.Password)
	}
	outText, err := cmd.CombinedOutput()
	if werr := os.WriteFile(file, outText, 0o644); werr != nil {
		return werr
	}
	if err != nil {
		return fmt.Errorf("pgbench %s: %w (output in %s)", strings.Join(args, " "), err, file)
	}
	return nil
}

// checkIns runs Engine check-ins on n goroutines for d and returns the
// result as a benchmark line.
func checkIns(ctx context.Context, eng *passengine.Engine, seq *atomic.Int64, n, holders int, d time.Duration) (string, error) {
	var (
		wg       sync.WaitGroup
		count    atomic.Int64
		firstErr atomic.Pointer[error]
		before   runtime.MemStats
		after    runtime.MemStats
	)
	runtime.GC()
	runtime.ReadMemStats(&before)
	began := time.Now()
	deadline := began.Add(d)
	for g := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			loc := fmt.Sprintf("l%04d", g%32)
			for time.Now().Before(deadline) && firstErr.Load() == nil && count.Load() < int64(holders) {
				i := seq.Add(1)
				h := fmt.Sprintf("h%07d", i%int64(holders))
				_, err := eng.CheckIn(ctx, passengine.CheckInRequest{Key: fmt.Sprintf("in-%d", i), Network: network,
					Holder: h, Location: loc, At: start.Add(time.Duration(i) * time.Second)})
				if err != nil {
					err = fmt.Errorf("CheckIn of %s at %s: %w", h, loc, err)
					firstErr.CompareAndSwap(nil, &err)
					return
				}
				count.Add(1)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(began)
	runtime.ReadMemStats(&after)
	if err := firstErr.Load(); err != nil {
		return "", *err
	}
	k := count.Load()
	if k == 0 {
		return "", errors.New("no check-in finished in the run")
	}
	return fmt.Sprintf("BenchmarkEngineCheckIn/clients=%d\t%d\t%.0f ns/op\t%.2f checkins/s\t%d allocs/op",
		n, k, float64(elapsed.Nanoseconds())/float64(k), float64(k)/elapsed.Seconds(), (after.Mallocs-before.Mallocs)/uint64(k)), nil
}
