// Command pgcheckin measures the Engine's PostgreSQL check-ins per second
// against pgbench running bench/pg/checkin.sql, a script of the same
// minimal shape (two round trips), at the same client counts for the same
// duration, on the same seeded network.
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
// every check-in is of a holder not checked in, and runs CHECKPOINT
// (-checkpoint), so that every run starts right after one.
//
// With -sync off (the default) both sides' sessions run with
// synchronous_commit = off (PGOPTIONS for pgbench, the options parameter
// of the Engine's DSN, each checked with SHOW): a COMMIT does not wait
// for its WAL to reach the disk, so the figure is the client's and the
// server's work rather than the disk's fsync latency, which on a shared
// disk varies twofold from run to run. -sync on keeps the server's
// setting (on), each COMMIT waiting for its fsync.
//
// The Engine's side is N goroutines calling Engine.CheckIn, each its own
// unit of work, at location l000(g), of the holders i·stride mod -holders
// for i = 1, 2, ... (all different, and as scattered over the tables'
// pages as pgbench's random holders) under random keys, on a store whose
// pool allows max(N, 4) connections, as pgbench opens one per client.
//
// With -gofloor (the default) a fourth side, the Go floor, runs between
// them in every round, on the schema checkin_gofloor: checkin.sql's
// statements sent from Go with pgx (its statement cache, one pgx.Batch
// per round trip, every row read into Go values), by N goroutines with a
// connection each, kept open across the runs as the Engine's pool is, on
// the holders i·stride mod -holders as the Engine's side, under random
// keys. It is the least a Go client of pgx spends on the minimal
// check-in: Engine ÷ pgbench is Engine ÷ Go floor (the Engine's own
// cost) times Go floor ÷ pgbench (the Go client's floor on this machine).
//
// Each run's output is a file in -out: pgbench's own output (and a
// "# pgcheckin:" line of what pgcheckin measured around it), and for the
// Engine a line in go test's benchmark format
// ("BenchmarkEngineCheckIn/clients=8 N ns/op checkins/s allocs/op ...").
// Around each run it reads, per transaction, the client's CPU time
// (pgbench's process, or pgcheckin's own), the CPU time of the server's
// backends of the database (from /proc, in a child process:
// pgcheckin -sample-backends), the machine's busy cores (/proc/stat) and
// the server's WAL bytes and fsyncs (pg_stat_wal). On standard output it
// writes, for bench/run's manifest, one line per run and table row: "run",
// the row, the side (a pgbench, b the Engine), the round, the file, the
// benchmark's name and the metric, tab-separated; the Go floor's rows are
// "gofloor, clients=N" (a the Go floor, b the Engine) and
// "gofloor-pgbench, clients=N" (a pgbench, b the Go floor). At the end it writes summary.txt in
// -out, and to standard error: per client count the ratio Engine ÷
// pgbench of each round and their median (min, max), the ratio of the
// CPU per transaction (client and backends) pgbench ÷ Engine, and each
// side's figures; with -gofloor, Engine ÷ Go floor and Go floor ÷ pgbench
// likewise.
//
// With -trips both sides connect through a proxy in pgcheckin that counts
// the Sync and simple Query messages each client sends: the round trips
// per transaction. The proxy costs the Engine's process CPU, so the
// throughput of such a run is not the figure.
//
// Usage:
//
//	go run ./bench/pg/cmd/pgcheckin -out DIR [-rounds 5] [-duration 5s] [-clients 1,8,32] [-sync off|on] [-trips] [-gofloor=false]
//	go run ./bench/pg/cmd/pgcheckin -setup-only
package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
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
	// engineSQLSchema is the schema of pgbench running -engine-script.
	engineSQLSchema = "checkin_enginesql"
	// goFloorSchema is the schema of the Go floor (-gofloor).
	goFloorSchema = "checkin_gofloor"
	network       = "bench"
	// asyncCommit is the session option of -sync off, for both sides.
	asyncCommit = "-c synchronous_commit=off"
)

// start is the instant of the Engine's first check-in.
var start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

type config struct {
	dsn, db, setup, script, pgbench, out string
	// engineScript is the pgbench script of the Engine's own statements
	// (bench/pg/engine.sql), run as a third side, or "" for none.
	engineScript    string
	holders, rounds int
	clients         []int
	duration        time.Duration
	setupOnly       bool
	// sync is "off" (synchronous_commit = off in both sides' sessions) or
	// "on" (the server's setting).
	sync string
	// trips routes both sides through proxies counting round trips.
	trips bool
	// checkpoint runs CHECKPOINT before each run.
	checkpoint bool
	// cpuProfile is the file of a CPU profile of the Engine's runs, or "".
	cpuProfile string
	// gofloor runs the Go floor as a fourth side: checkin.sql's statements
	// sent from Go with pgx (gofloor.go).
	gofloor bool
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
	flag.StringVar(&c.script, "script", "bench/pg/checkin.sql", "the pgbench script of the minimal shape")
	flag.StringVar(&c.engineScript, "engine-script", "bench/pg/engine.sql", "the pgbench script of the Engine's own statements, run as a third side (\"\" for none)")
	flag.StringVar(&c.pgbench, "pgbench", "pgbench", "the pgbench program")
	flag.StringVar(&c.out, "out", "", "the directory of the runs' outputs (required unless -setup-only)")
	flag.IntVar(&c.holders, "holders", 100_000, "holders seeded, each with a live pass")
	flag.IntVar(&c.rounds, "rounds", 5, "rounds: each runs every client count on both sides")
	flag.StringVar(&clients, "clients", "1,8,32", "client counts, comma-separated")
	flag.DurationVar(&c.duration, "duration", 5*time.Second, "duration of each run (pgbench -T, rounded to seconds)")
	flag.StringVar(&c.sync, "sync", "off", "synchronous_commit of both sides' sessions: off, or on (each COMMIT waits for its fsync)")
	flag.BoolVar(&c.trips, "trips", false, "count each side's round trips per transaction through a proxy (not a throughput figure)")
	flag.BoolVar(&c.checkpoint, "checkpoint", true, "run CHECKPOINT before each run, so that every run starts right after one")
	flag.StringVar(&c.cpuProfile, "cpuprofile", "", "write a CPU profile of pgcheckin's process during the Engine's runs to this file")
	flag.BoolVar(&c.gofloor, "gofloor", true, "run the Go floor as a fourth side: checkin.sql's statements sent from Go with pgx, a connection per goroutine")
	flag.BoolVar(&c.setupOnly, "setup-only", false, "create and seed the schemas, then stop")
	sampleDB := flag.String("sample-backends", "", "(internal) sample the CPU time of this database's backends until standard input closes")
	sampleFor := flag.Duration("sample-for", 0, "(internal) the run's duration, with -sample-backends")
	flag.Parse()
	if *sampleDB != "" {
		if err := sampleBackends(*sampleDB, *sampleFor); err != nil {
			fmt.Fprintln(os.Stderr, "pgcheckin -sample-backends:", err)
			os.Exit(1)
		}
		return
	}
	for _, s := range strings.Split(clients, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "pgcheckin: -clients: %q is not a positive count\n", s)
			os.Exit(2)
		}
		c.clients = append(c.clients, n)
	}
	if (c.out == "" && !c.setupOnly) || c.rounds < 1 || c.holders < 1 || c.duration < time.Second ||
		(c.sync != "off" && c.sync != "on") {
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
	schemas := []string{pgbenchSchema, engineSchema}
	if c.engineScript != "" {
		schemas = append(schemas, engineSQLSchema)
	}
	if c.gofloor {
		schemas = append(schemas, goFloorSchema)
	}
	if c.setupOnly {
		for _, schema := range schemas {
			logf("seeding %s.%s with %d holders", c.db, schema, c.holders)
			if err := prepare(ctx, benchDSN, schema, strings.ReplaceAll(string(seed), ":holders", strconv.Itoa(c.holders))); err != nil {
				return fmt.Errorf("schema %s: %w", schema, err)
			}
		}
		return vacuum(ctx, benchDSN)
	}
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return err
	}
	// The sides' connections: through the counting proxies with -trips,
	// with synchronous_commit = off in their sessions with -sync off.
	pgbenchDSN, engineDSN, goFloorDSN := benchDSN, benchDSN, benchDSN
	var pgbenchTrips, engineTrips, goFloorTrips *tripCounter
	if c.trips {
		if pgbenchTrips, pgbenchDSN, err = startTrips(benchDSN); err != nil {
			return err
		}
		defer pgbenchTrips.Close()
		if engineTrips, engineDSN, err = startTrips(benchDSN); err != nil {
			return err
		}
		defer engineTrips.Close()
		if goFloorTrips, goFloorDSN, err = startTrips(benchDSN); err != nil {
			return err
		}
		defer goFloorTrips.Close()
	}
	goFloorOptions := "-c search_path=" + goFloorSchema
	pgOptions, engineSQLOptions := "-c search_path="+pgbenchSchema, "-c search_path="+engineSQLSchema
	if c.sync == "off" {
		pgOptions += " " + asyncCommit
		engineSQLOptions += " " + asyncCommit
		goFloorOptions += " " + asyncCommit
		if engineDSN, err = withOptions(engineDSN, asyncCommit); err != nil {
			return err
		}
	}
	for _, schema := range schemas {
		logf("seeding %s.%s with %d holders", c.db, schema, c.holders)
		if err := prepare(ctx, benchDSN, schema, strings.ReplaceAll(string(seed), ":holders", strconv.Itoa(c.holders))); err != nil {
			return fmt.Errorf("schema %s: %w", schema, err)
		}
	}
	if err := vacuum(ctx, benchDSN); err != nil {
		return err
	}
	if goFloorDSN, err = withOptions(goFloorDSN, goFloorOptions); err != nil {
		return err
	}
	maxClients := 4
	for _, n := range c.clients {
		maxClients = max(maxClients, n)
	}
	// The Go floor's connections, one per goroutine, stay open across the
	// runs, as the Engine's pool does.
	var floor []*pgx.Conn
	if c.gofloor {
		if floor, err = floorConns(ctx, goFloorDSN, c.sync, slices.Max(c.clients)); err != nil {
			return fmt.Errorf("the Go floor: %w", err)
		}
		defer closeConns(floor)
		logf("Go floor: %d connections with options %q", len(floor), goFloorOptions)
	}
	engineStore, err := postgres.Open(ctx, engineDSN, postgres.WithSchema(engineSchema), postgres.WithMaxConns(maxClients))
	if err != nil {
		return err
	}
	defer engineStore.Close()
	mode, err := checkSync(ctx, c, engineDSN, pgOptions)
	if err != nil {
		return err
	}
	if c.checkpoint {
		mode += "; CHECKPOINT before each run"
	}
	logf("%s", mode)
	eng := passengine.New(engineStore, passengine.WithClock(passengine.NewManualClock(start)),
		passengine.WithClockSkew(200*365*24*time.Hour))
	var seq, floorSeq atomic.Int64
	profile := &cpuProfile{file: c.cpuProfile}
	defer profile.close()
	sum := &summary{mode: mode, rounds: c.rounds, duration: c.duration, runs: map[runKey]measure{}}
	for r := 1; r <= c.rounds; r++ {
		for _, n := range c.clients {
			// a is pgbench running -script, b the Engine, c pgbench
			// running -engine-script and d the Go floor (between the
			// two).
			sides := []string{"a", "c", "d", "b"}
			if r%2 == 0 {
				sides = []string{"b", "d", "c", "a"}
			}
			sides = slices.DeleteFunc(sides, func(s string) bool {
				return (s == "c" && c.engineScript == "") || (s == "d" && !c.gofloor)
			})
			for _, side := range sides {
				if err := closeOpen(ctx, benchDSN, schemas, c.checkpoint); err != nil {
					return err
				}
				row := fmt.Sprintf("clients=%d", n)
				trips := pgbenchTrips
				switch side {
				case "b":
					trips = engineTrips
				case "d":
					trips = goFloorTrips
				}
				var before, procAfter, after point
				if err := before.sample(ctx, benchDSN, trips); err != nil {
					return err
				}
				before.readProc()
				server, err := startBackendSampler(c.db, c.duration)
				if err != nil {
					return err
				}
				own := processCPU()
				// finish takes m's CPU, server and machine figures once its
				// side has run.
				finish := func(m *measure) error {
					var err error
					m.harness = processCPU() - own
					if m.server, m.backends, err = server.Stop(); err != nil {
						return err
					}
					if err := settleAndSample(ctx, &procAfter, &after, benchDSN, trips); err != nil {
						return err
					}
					m.between(before, procAfter, after)
					return nil
				}
				var m measure
				if side == "a" || side == "c" {
					file, script, options, row := fmt.Sprintf("pgbench-c%d-r%d.txt", n, r), c.script, pgOptions, row
					if side == "c" {
						file, script, options, row = fmt.Sprintf("enginesql-c%d-r%d.txt", n, r), c.engineScript, engineSQLOptions, engineSQLRow(n)
					}
					logf("round %d: pgbench %s, %d clients, %s", r, filepath.Base(script), n, c.duration)
					if m, err = runPgbench(ctx, c, pgbenchDSN, options, script, n, filepath.Join(c.out, file)); err != nil {
						return err
					}
					if err := finish(&m); err != nil {
						return err
					}
					if err := appendFile(filepath.Join(c.out, file), "# pgcheckin: "+m.String()+"\n"); err != nil {
						return err
					}
					fmt.Printf("run\t%s\ta\t%d\t%s\tpgbench\ttps\n", row, r, file)
					if side == "a" && c.gofloor {
						fmt.Printf("run\t%s\ta\t%d\t%s\tpgbench\ttps\n", goFloorPgbenchRow(n), r, file)
					}
				} else if side == "d" {
					file := fmt.Sprintf("gofloor-c%d-r%d.txt", n, r)
					logf("round %d: Go floor, %d clients, %s", r, n, c.duration)
					if m, err = goFloor(ctx, floor, &floorSeq, n, c.holders, c.duration); err != nil {
						return err
					}
					if err := finish(&m); err != nil {
						return err
					}
					if err := writeBenchLine(filepath.Join(c.out, file), "BenchmarkGoFloorCheckIn", n, m); err != nil {
						return err
					}
					fmt.Printf("run\t%s\ta\t%d\t%s\tBenchmarkGoFloorCheckIn/clients=%d\tcheckins/s\n", goFloorRow(n), r, file, n)
					fmt.Printf("run\t%s\tb\t%d\t%s\tBenchmarkGoFloorCheckIn/clients=%d\tcheckins/s\n", goFloorPgbenchRow(n), r, file, n)
				} else {
					file := fmt.Sprintf("engine-c%d-r%d.txt", n, r)
					logf("round %d: Engine, %d clients, %s", r, n, c.duration)
					if err := profile.resume(); err != nil {
						return err
					}
					m, err = checkIns(ctx, eng, &seq, n, c.holders, c.duration)
					profile.pause()
					if err != nil {
						return err
					}
					if err := finish(&m); err != nil {
						return err
					}
					if err := writeBenchLine(filepath.Join(c.out, file), "BenchmarkEngineCheckIn", n, m); err != nil {
						return err
					}
					fmt.Printf("run\t%s\tb\t%d\t%s\tBenchmarkEngineCheckIn/clients=%d\tcheckins/s\n", row, r, file, n)
					if c.engineScript != "" {
						fmt.Printf("run\t%s\tb\t%d\t%s\tBenchmarkEngineCheckIn/clients=%d\tcheckins/s\n", engineSQLRow(n), r, file, n)
					}
					if c.gofloor {
						fmt.Printf("run\t%s\tb\t%d\t%s\tBenchmarkEngineCheckIn/clients=%d\tcheckins/s\n", goFloorRow(n), r, file, n)
					}
				}
				logf("  %.0f/s; %s", m.rate, m.String())
				sum.runs[runKey{n, r, side}] = m
			}
		}
	}
	sum.engineScript, sum.gofloor, sum.script = c.engineScript, c.gofloor, c.script
	text := sum.String(c.clients, c.trips)
	fmt.Fprint(os.Stderr, text)
	return os.WriteFile(filepath.Join(c.out, "summary.txt"), []byte(text), 0o644)
}

// cpuProfile profiles pgcheckin's process during the Engine's runs only:
// runtime/pprof cannot pause a profile, so each run's profile is a file
// of its own, FILE.N, which go tool pprof merges when given them all.
type cpuProfile struct {
	file string
	n    int
	f    *os.File
}

// resume starts the next run's profile.
func (p *cpuProfile) resume() error {
	if p.file == "" {
		return nil
	}
	p.n++
	f, err := os.Create(fmt.Sprintf("%s.%d", p.file, p.n))
	if err != nil {
		return err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return err
	}
	p.f = f
	return nil
}

// pause ends the run's profile.
func (p *cpuProfile) pause() {
	if p.f == nil {
		return
	}
	pprof.StopCPUProfile()
	p.f.Close()
	p.f = nil
}

func (p *cpuProfile) close() { p.pause() }

// settleAndSample reads the machine's jiffies into procAfter right after
// a run, then waits settle and reads the server's counters into after.
func settleAndSample(ctx context.Context, procAfter, after *point, dsn string, trips *tripCounter) error {
	procAfter.readProc()
	time.Sleep(settle)
	return after.sample(ctx, dsn, trips)
}

// withOptions returns dsn, a URL, with opts added to its options
// parameter (the server's command-line options of the session).
func withOptions(dsn, opts string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", err
	}
	q := u.Query()
	if o := q.Get("options"); o != "" {
		opts = o + " " + opts
	}
	q.Set("options", opts)
	u.RawQuery = strings.ReplaceAll(q.Encode(), "+", "%20") // pgx reads "+" as itself
	return u.String(), nil
}

// checkSync reads synchronous_commit as each side's sessions see it (the
// Engine's DSN through pgx; pgbench's PGOPTIONS through psql) and returns
// the line stating it, or an error when the two differ or differ from
// -sync.
func checkSync(ctx context.Context, c config, engineDSN, pgOptions string) (string, error) {
	conn, err := pgx.Connect(ctx, engineDSN)
	if err != nil {
		return "", err
	}
	var engine string
	err = conn.QueryRow(ctx, "SHOW synchronous_commit").Scan(&engine)
	conn.Close(ctx)
	if err != nil {
		return "", err
	}
	cfg, err := pgx.ParseConfig(c.dsn)
	if err != nil {
		return "", err
	}
	psql := filepath.Join(filepath.Dir(c.pgbench), "psql")
	if !strings.ContainsRune(c.pgbench, os.PathSeparator) {
		psql = "psql"
	}
	cmd := exec.CommandContext(ctx, psql, "-h", cfg.Host, "-p", strconv.Itoa(int(cfg.Port)), "-U", cfg.User,
		"-X", "-A", "-t", "-c", "SHOW synchronous_commit", c.db)
	cmd.Env = append(os.Environ(), "PGOPTIONS="+pgOptions)
	if cfg.Password != "" {
		cmd.Env = append(cmd.Env, "PGPASSWORD="+cfg.Password)
	}
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("psql SHOW synchronous_commit with PGOPTIONS=%q: %w", pgOptions, err)
	}
	pgb := strings.TrimSpace(string(out))
	if pgb != engine || (c.sync == "off") != (engine == "off") {
		return "", fmt.Errorf("synchronous_commit: pgbench's sessions %q, the Engine's %q; -sync %s", pgb, engine, c.sync)
	}
	how := "the server's setting"
	if c.sync == "off" {
		how = "PGOPTIONS='" + pgOptions + "' for pgbench, options=" + asyncCommit + " in the Engine's DSN"
	}
	return fmt.Sprintf("synchronous_commit = %s on both sides (%s)", engine, how), nil
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

// prepare drops schema, migrates it with the store's migrations and runs
// seed in it.
func prepare(ctx context.Context, dsn, schema, seed string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	_, err = conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`)
	conn.Close(ctx)
	if err != nil {
		return err
	}
	st, err := postgres.Open(ctx, dsn, postgres.WithSchema(schema))
	if err != nil {
		return err
	}
	err = st.Migrate(ctx)
	st.Close()
	if err != nil {
		return err
	}
	sconn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer sconn.Close(ctx)
	if _, err := sconn.Exec(ctx, `SET search_path = `+pgx.Identifier{schema}.Sanitize()); err != nil {
		return err
	}
	if _, err := sconn.Exec(ctx, seed, pgx.QueryExecModeSimpleProtocol); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	return nil
}

// vacuum runs VACUUM (ANALYZE) on the database of dsn after the seeding,
// so that no run is the first to read the seeded rows and set their hint
// bits and visibility map (autovacuum may be off, as it is on the server
// these figures were taken on).
func vacuum(ctx context.Context, dsn string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	logf("VACUUM (ANALYZE)")
	if _, err := conn.Exec(ctx, `VACUUM (ANALYZE)`); err != nil {
		return fmt.Errorf("vacuum: %w", err)
	}
	return nil
}

// engineSQLRow is the row of bench/run's manifest of the comparison with
// -engine-script at n clients.
func engineSQLRow(n int) string { return fmt.Sprintf("engine.sql, clients=%d", n) }

// writeBenchLine writes to file m as a line in go test's benchmark format,
// named name/clients=n: count, ns/op, check-ins/s, allocs/op and the
// measured metrics.
func writeBenchLine(file, name string, n int, m measure) error {
	line := fmt.Sprintf("%s/clients=%d\t%d\t%.0f ns/op\t%.2f checkins/s\t%d allocs/op\t%s",
		name, n, m.count, float64(m.elapsed.Nanoseconds())/float64(m.count), m.rate, m.allocs, m.metrics())
	return os.WriteFile(file, []byte(line+"\n"), 0o644)
}

// goFloorRow is the row of bench/run's manifest of the Engine against the
// Go floor (side a the Go floor, b the Engine) at n clients.
func goFloorRow(n int) string { return fmt.Sprintf("gofloor, clients=%d", n) }

// goFloorPgbenchRow is the row of bench/run's manifest of the Go floor
// against pgbench running -script (side a pgbench, b the Go floor) at n
// clients.
func goFloorPgbenchRow(n int) string { return fmt.Sprintf("gofloor-pgbench, clients=%d", n) }

// closeOpen closes the visits left open in the schemas, so that every
// holder can be checked in again and no run reads the open visits of the
// runs before it, then, with checkpoint, runs CHECKPOINT: every run then
// starts right after a checkpoint, so each side writes the full page
// images of the pages it first changes after one alike, and no timed
// checkpoint (every checkpoint_timeout) falls in a run.
func closeOpen(ctx context.Context, dsn string, schemas []string, checkpoint bool) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	for _, schema := range schemas {
		if _, err := conn.Exec(ctx, `UPDATE `+pgx.Identifier{schema, "visits"}.Sanitize()+
			` SET status = 'closed', end_at = start_at + interval '30 minutes' WHERE network = $1 AND status = 'open'`, network); err != nil {
			return fmt.Errorf("close open visits in %s: %w", schema, err)
		}
	}
	if !checkpoint {
		return nil
	}
	if _, err := conn.Exec(ctx, `CHECKPOINT`); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// pgbenchTPS and pgbenchCount read pgbench's throughput (without its
// initial connection time) and transaction count.
var (
	pgbenchTPS   = regexp.MustCompile(`(?m)^tps = ([0-9.]+)`)
	pgbenchCount = regexp.MustCompile(`(?m)^number of transactions actually processed: ([0-9]+)`)
)

// runPgbench runs pgbench with script on the schema of the session
// options pgOptions (PGOPTIONS), n clients, writes its output to file and
// returns its throughput, its transactions and its process's CPU time.
func runPgbench(ctx context.Context, c config, dsn, pgOptions, script string, n int, file string) (measure, error) {
	var m measure
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return m, err
	}
	secs := max(1, int(c.duration.Round(time.Second)/time.Second))
	args := []string{"-h", cfg.Host, "-p", strconv.Itoa(int(cfg.Port)), "-U", cfg.User, "-n", "-M", "prepared",
		"-D", fmt.Sprintf("holders=%d", c.holders), "-f", script, "-c", strconv.Itoa(n), "-j", strconv.Itoa(min(n, 2)),
		"-T", strconv.Itoa(secs), cfg.Database}
	cmd := exec.CommandContext(ctx, c.pgbench, args...)
	cmd.Env = append(os.Environ(), "PGOPTIONS="+pgOptions, "PGSSLMODE=disable", "PGGSSENCMODE=disable")
	if cfg.Password != "" {
		cmd.Env = append(cmd.Env, "PGPASSWORD="+cfg.Password)
	}
	began := time.Now()
	outText, err := cmd.CombinedOutput()
	m.elapsed = time.Since(began)
	if werr := os.WriteFile(file, outText, 0o644); werr != nil {
		return m, werr
	}
	if err != nil {
		return m, fmt.Errorf("pgbench %s: %w (output in %s)", strings.Join(args, " "), err, file)
	}
	tps, count := pgbenchTPS.FindSubmatch(outText), pgbenchCount.FindSubmatch(outText)
	if tps == nil || count == nil {
		return m, fmt.Errorf("pgbench: no tps or transaction count in %s", file)
	}
	m.rate, _ = strconv.ParseFloat(string(tps[1]), 64)
	m.count, _ = strconv.ParseInt(string(count[1]), 10, 64)
	m.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	m.ownCPU = false
	return m, nil
}

// checkIns runs Engine check-ins on n goroutines for d and returns their
// throughput, count, allocations per check-in and the process's CPU time.
func checkIns(ctx context.Context, eng *passengine.Engine, seq *atomic.Int64, n, holders int, d time.Duration) (measure, error) {
	stride := scatter(int64(holders))
	return drive(n, holders, d, "check-in", func(g int) error {
		i := seq.Add(1)
		h, loc := fmt.Sprintf("h%07d", i*stride%int64(holders)), fmt.Sprintf("l%04d", g%32)
		_, err := eng.CheckIn(ctx, passengine.CheckInRequest{Key: fmt.Sprintf("in-%d", rand.Int64N(keySpace)), Network: network,
			Holder: h, Location: loc, At: start.Add(time.Duration(i) * time.Second)})
		if err != nil {
			return fmt.Errorf("CheckIn of %s at %s: %w", h, loc, err)
		}
		return nil
	})
}

// drive runs one on n goroutines (g is the goroutine's number) for d, at
// most holders times in all, stopping at the first error, and returns
// their throughput, count, allocations per call and the process's CPU
// time; what names the call in the error of a run that finished none.
func drive(n, holders int, d time.Duration, what string, one func(g int) error) (measure, error) {
	var (
		wg       sync.WaitGroup
		count    atomic.Int64
		firstErr atomic.Pointer[error]
		before   runtime.MemStats
		after    runtime.MemStats
		m        measure
	)
	runtime.GC()
	runtime.ReadMemStats(&before)
	cpu0 := processCPU()
	began := time.Now()
	deadline := began.Add(d)
	for g := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) && firstErr.Load() == nil && count.Load() < int64(holders) {
				if err := one(g); err != nil {
					firstErr.CompareAndSwap(nil, &err)
					return
				}
				count.Add(1)
			}
		}()
	}
	wg.Wait()
	m.elapsed = time.Since(began)
	m.cpu = processCPU() - cpu0
	m.ownCPU = true
	runtime.ReadMemStats(&after)
	if err := firstErr.Load(); err != nil {
		return m, *err
	}
	m.count = count.Load()
	if m.count == 0 {
		return m, fmt.Errorf("no %s finished in the run", what)
	}
	m.rate = float64(m.count) / m.elapsed.Seconds()
	m.allocs = (after.Mallocs - before.Mallocs) / uint64(m.count)
	return m, nil
}

// keySpace bounds the random idempotency keys of both sides (checkin.sql's
// random(1, 9000000000000000000)): a key repeated would fail its
// check-in.
const keySpace = 9_000_000_000_000_000_000

// scatter returns a stride coprime with n near n·0.618: the holders
// i·stride mod n of i = 1, 2, ... are all different until n check-ins, and
// as scattered over the tables' pages as checkin.sql's random holders.
func scatter(n int64) int64 {
	gcd := func(a, b int64) int64 {
		for b != 0 {
			a, b = b, a%b
		}
		return a
	}
	s := max(1, n*618/1000)
	for gcd(s, n) != 1 {
		s++
	}
	return s
}

// processCPU returns the CPU time (user and system) pgcheckin's process
// has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// appendFile appends text to file.
func appendFile(file, text string) error {
	f, err := os.OpenFile(file, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(text)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
