package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// measure is what pgcheckin measured of one run.
type measure struct {
	// rate is the run's transactions (check-ins) per second, count its
	// transactions, elapsed its duration.
	rate    float64
	count   int64
	elapsed time.Duration
	// allocs are the Engine's allocations per check-in (0 for pgbench).
	allocs uint64
	// cpu is the client's CPU time: pgbench's process, or pgcheckin's own
	// (ownCPU) during the Engine's run.
	cpu    time.Duration
	ownCPU bool
	// server is the CPU time of the server's backends of the database
	// during the run (serverCPU), backends how many there were.
	server   time.Duration
	backends int
	// harness is pgcheckin's own CPU time during the run: during
	// pgbench's, that of the sampling alone (serverCPU), which is in the
	// Engine's client CPU during its runs too.
	harness time.Duration
	// busy is the machine's busy cores during the run (/proc/stat).
	busy float64
	// walBytes and fsyncs are the server's WAL bytes (its insert position)
	// and WAL fsyncs (pg_stat_wal, which the Engine's idle pooled
	// connections may report up to 10 s late, so that some of a run's
	// fall in the next run's count) from just before the run to a moment
	// after it, trips the round trips the side's proxy counted (-trips),
	// or -1. Both WAL figures are the whole server's.
	walBytes, fsyncs, trips int64
}

// point is a reading of the counters measure takes differences of.
type point struct {
	idle, total      uint64 // jiffies of /proc/stat's cpu line
	walBytes, fsyncs int64
	trips            int64
	procOK, statsOK  bool
}

// settle is how long pgcheckin waits after a run before reading the
// server's statistics: a backend reports its WAL counters at most once a
// second.
const settle = 1200 * time.Millisecond

// readProc reads the machine's idle and total jiffies into p.
func (p *point) readProc() {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return
	}
	line, _, _ := strings.Cut(string(b), "\n")
	fs := strings.Fields(line)
	if len(fs) < 5 || fs[0] != "cpu" {
		return
	}
	p.idle, p.total = 0, 0
	for i, f := range fs[1:] {
		v, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return
		}
		if i == 3 || i == 4 { // idle, iowait
			p.idle += v
		}
		p.total += v
	}
	p.procOK = true
}

// sample reads the server's WAL counters and the proxy's round trips
// (trips may be nil) into p.
func (p *point) sample(ctx context.Context, dsn string, trips *tripCounter) error {
	p.trips = -1
	if trips != nil {
		p.trips = trips.Load()
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	// The WAL's position moves at once; pg_stat_wal's counters are those
	// the backends have reported, which an idle one (the Engine's pooled
	// connections after a run) may hold for up to 10 s.
	if err := conn.QueryRow(ctx, `SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::bigint, wal_sync FROM pg_stat_wal`).
		Scan(&p.walBytes, &p.fsyncs); err != nil {
		return fmt.Errorf("pg_stat_wal: %w", err)
	}
	p.statsOK = true
	return nil
}

// between sets m's machine figures from the readings before the run,
// right after it (procAfter) and after settle (after).
func (m *measure) between(before, procAfter, after point) {
	m.busy, m.walBytes, m.fsyncs, m.trips = -1, -1, -1, -1
	if before.procOK && procAfter.procOK && procAfter.total > before.total {
		busy := float64((procAfter.total-before.total)-(procAfter.idle-before.idle)) / float64(procAfter.total-before.total)
		m.busy = busy * float64(runtime.NumCPU())
	}
	if before.statsOK && after.statsOK {
		m.walBytes, m.fsyncs = after.walBytes-before.walBytes, after.fsyncs-before.fsyncs
	}
	if before.trips >= 0 && after.trips >= 0 {
		m.trips = after.trips - before.trips
	}
}

// perTx is v per transaction of the run, or -1 when v is unknown.
func (m measure) perTx(v int64) float64 {
	if v < 0 || m.count == 0 {
		return -1
	}
	return float64(v) / float64(m.count)
}

// cpuPerTx is the client's CPU microseconds per transaction.
func (m measure) cpuPerTx() float64 { return float64(m.cpu.Microseconds()) / float64(max(m.count, 1)) }

// serverPerTx is the server's backends' CPU microseconds per transaction.
func (m measure) serverPerTx() float64 {
	return float64(m.server.Microseconds()) / float64(max(m.count, 1))
}

// totalPerTx is the client's and the server's backends' CPU microseconds
// per transaction: on a machine whose cores they saturate, the
// throughput is the cores over it.
func (m measure) totalPerTx() float64 { return m.cpuPerTx() + m.serverPerTx() }

// cores is the client's CPU time over the run's duration.
func (m measure) cores() float64 { return m.cpu.Seconds() / m.elapsed.Seconds() }

// metrics are m's machine figures as benchmark metrics (value unit ...).
func (m measure) metrics() string {
	s := fmt.Sprintf("%.1f cpu-us/op\t%.1f server-cpu-us/op\t%.2f client-cores\t%.2f busy-cores\t%.0f WAL-B/op\t%.3f fsyncs/op",
		m.cpuPerTx(), m.serverPerTx(), m.cores(), m.busy, m.perTx(m.walBytes), m.perTx(m.fsyncs))
	if m.trips >= 0 {
		s += fmt.Sprintf("\t%.2f trips/op", m.perTx(m.trips))
	}
	return s
}

// String states m's figures in words.
func (m measure) String() string {
	who := "pgbench's process"
	if m.ownCPU {
		who = "pgcheckin's process"
	}
	s := fmt.Sprintf("%d transactions in %s; client CPU (%s) %.1f µs/tx, %.2f cores; server backends (%d) %.1f µs/tx; "+
		"pgcheckin %s; machine %.2f of %d cores busy; server WAL %.0f B/tx, %.3f fsyncs/tx",
		m.count, m.elapsed.Round(time.Millisecond), who, m.cpuPerTx(), m.cores(), m.backends, m.serverPerTx(),
		m.harness.Round(time.Millisecond), m.busy, runtime.NumCPU(), m.perTx(m.walBytes), m.perTx(m.fsyncs))
	if m.trips >= 0 {
		s += fmt.Sprintf("; %.3f round trips/tx (Sync and Query messages)", m.perTx(m.trips))
	}
	return s
}

// runKey names a run: its client count, round and side (a pgbench
// running -script, b the Engine, c pgbench running -engine-script, d the
// Go floor).
type runKey struct {
	clients, round int
	side           string
}

// summary is every run's measure, for the table at the end.
type summary struct {
	mode     string
	rounds   int
	duration time.Duration
	runs     map[runKey]measure
	// engineScript is -engine-script: "" when side c did not run.
	engineScript string
	// gofloor is -gofloor: whether side d ran; script is -script.
	gofloor bool
	script  string
}

// stat is the median (min, max) of a sample.
func stat(xs []float64, format string) string {
	if len(xs) == 0 {
		return "-"
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	f := func(v float64) string { return fmt.Sprintf(format, v) }
	return f(med) + " (" + f(s[0]) + ", " + f(s[len(s)-1]) + ")"
}

// ratios writes, per client count, ratio(pgbench side's run, Engine's run)
// of each round and their median (min, max).
func (s *summary) ratios(b *strings.Builder, clients []int, side string, ratio func(p, e measure) (float64, bool)) {
	s.pairs(b, clients, side, "b", ratio)
}

// pairs writes, per client count, ratio(side x's run, side y's run) of
// each round that has both and their median (min, max).
func (s *summary) pairs(b *strings.Builder, clients []int, x, y string, ratio func(p, e measure) (float64, bool)) {
	for _, n := range clients {
		var ratios []float64
		var each []string
		for r := 1; r <= s.rounds; r++ {
			p, okP := s.runs[runKey{n, r, x}]
			e, okE := s.runs[runKey{n, r, y}]
			if v, ok := ratio(p, e); okP && okE && ok {
				ratios = append(ratios, v)
				each = append(each, fmt.Sprintf("%.2f", v))
			}
		}
		fmt.Fprintf(b, "  clients=%-3d %s  [%s]\n", n, stat(ratios, "%.2f"), strings.Join(each, " "))
	}
}

// rate is the Engine's throughput over pgbench's.
func rate(p, e measure) (float64, bool) { return e.rate / p.rate, p.rate > 0 }

// cpu is pgbench's CPU per transaction over the Engine's.
func cpu(p, e measure) (float64, bool) { return p.totalPerTx() / e.totalPerTx(), e.totalPerTx() > 0 }

// String is the summary's table: per client count, the ratio Engine ÷
// pgbench (-script) of each round and their median (min, max), then each
// side's figures as median (min, max) over the rounds; with
// -engine-script, the same ratios against pgbench running it, and its
// figures, follow.
func (s *summary) String(clients []int, trips bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "pgcheckin: %s; %d rounds of %s per side and client count, interleaved (pgbench first in odd rounds)\n",
		s.mode, s.rounds, s.duration)
	fmt.Fprintf(&b, "Engine check-ins/s ÷ pgbench tps, median (min, max) [each round]:\n")
	s.ratios(&b, clients, "a", rate)
	fmt.Fprintf(&b, "pgbench's CPU per transaction ÷ the Engine's (client and server backends; the throughput ratio where they saturate the cores), median (min, max) [each round]:\n")
	s.ratios(&b, clients, "a", cpu)
	sides := []string{"a", "b"}
	if s.engineScript != "" {
		sides = append(sides, "c")
	}
	if s.gofloor {
		sides = append(sides, "d")
	}
	for _, side := range sides {
		name := map[string]string{"a": "pgbench (tps)", "b": "Engine (check-ins/s)",
			"c": "pgbench " + filepath.Base(s.engineScript) + " (tps)", "d": "Go floor (check-ins/s)"}[side]
		fmt.Fprintf(&b, "%s, median (min, max):\n", name)
		for _, n := range clients {
			var rate, cpu, server, cores, busy, wal, fsyncs, rt, harness []float64
			for r := 1; r <= s.rounds; r++ {
				m, ok := s.runs[runKey{n, r, side}]
				if !ok {
					continue
				}
				rate, cpu, cores, busy = append(rate, m.rate), append(cpu, m.cpuPerTx()), append(cores, m.cores()), append(busy, m.busy)
				wal, fsyncs = append(wal, m.perTx(m.walBytes)), append(fsyncs, m.perTx(m.fsyncs))
				rt = append(rt, m.perTx(m.trips))
				server, harness = append(server, m.serverPerTx()), append(harness, m.harness.Seconds()/m.elapsed.Seconds())
			}
			fmt.Fprintf(&b, "  clients=%-3d %s/s; client CPU %s µs/tx, %s cores; server backends' CPU %s µs/tx; "+
				"machine busy %s of %d cores; WAL %s B/tx, %s fsyncs/tx",
				n, stat(rate, "%.0f"), stat(cpu, "%.0f"), stat(cores, "%.2f"), stat(server, "%.0f"), stat(busy, "%.2f"),
				runtime.NumCPU(), stat(wal, "%.0f"), stat(fsyncs, "%.3f"))
			if side != "b" && side != "d" {
				fmt.Fprintf(&b, "; pgcheckin's own CPU meanwhile %s cores", stat(harness, "%.3f"))
			}
			if trips {
				fmt.Fprintf(&b, "; round trips %s/tx", stat(rt, "%.3f"))
			}
			b.WriteString("\n")
		}
	}
	if s.engineScript != "" {
		script := filepath.Base(s.engineScript)
		fmt.Fprintf(&b, "Engine check-ins/s ÷ pgbench %s tps (the Engine's own statements), median (min, max) [each round]:\n", script)
		s.ratios(&b, clients, "c", rate)
		fmt.Fprintf(&b, "pgbench %s: its CPU per transaction ÷ the Engine's (client and server backends), median (min, max) [each round]:\n", script)
		s.ratios(&b, clients, "c", cpu)
	}
	if s.gofloor {
		s.goFloor(&b, clients)
	}
	return b.String()
}

// goFloor writes the Go floor's ratios: the Engine over it and it over
// pgbench (-script), whose product is the Engine over pgbench of each
// round, by throughput and by CPU per transaction, and the three sides'
// client CPU per transaction.
func (s *summary) goFloor(b *strings.Builder, clients []int) {
	fmt.Fprintf(b, "Go floor: %s's statements sent from Go with pgx, a connection per goroutine; "+
		"Engine ÷ pgbench = Engine ÷ Go floor × Go floor ÷ pgbench in each round\n", s.scriptName())
	fmt.Fprintf(b, "Engine check-ins/s ÷ Go floor check-ins/s (the Engine's own cost beyond the minimal check-in from Go), median (min, max) [each round]:\n")
	s.pairs(b, clients, "d", "b", rate)
	fmt.Fprintf(b, "Go floor check-ins/s ÷ pgbench %s tps (the Go client's floor against pgbench's C client), median (min, max) [each round]:\n", s.scriptName())
	s.pairs(b, clients, "a", "d", rate)
	fmt.Fprintf(b, "Go floor's CPU per transaction ÷ the Engine's (client and server backends), median (min, max) [each round]:\n")
	s.pairs(b, clients, "d", "b", cpu)
	fmt.Fprintf(b, "pgbench %s's CPU per transaction ÷ the Go floor's (client and server backends), median (min, max) [each round]:\n", s.scriptName())
	s.pairs(b, clients, "a", "d", cpu)
	fmt.Fprintf(b, "Client CPU per transaction (µs), median (min, max): pgbench %s; Go floor; Engine:\n", s.scriptName())
	for _, n := range clients {
		var each []string
		for _, side := range []string{"a", "d", "b"} {
			var us []float64
			for r := 1; r <= s.rounds; r++ {
				if m, ok := s.runs[runKey{n, r, side}]; ok {
					us = append(us, m.cpuPerTx())
				}
			}
			each = append(each, stat(us, "%.0f"))
		}
		fmt.Fprintf(b, "  clients=%-3d %s\n", n, strings.Join(each, "; "))
	}
}

// scriptName is the base name of -script.
func (s *summary) scriptName() string {
	if s.script == "" {
		return "checkin.sql"
	}
	return filepath.Base(s.script)
}
