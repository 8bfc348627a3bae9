package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestScatterVisitsEveryHolderOnce(t *testing.T) {
	for _, n := range []int64{1, 2, 7, 1000, 100_000} {
		stride := scatter(n)
		seen := make([]bool, n)
		for i := int64(1); i <= n; i++ {
			h := i * stride % n
			if seen[h] {
				t.Fatalf("n=%d stride=%d: holder %d twice within %d check-ins", n, stride, h, n)
			}
			seen[h] = true
		}
	}
}

func TestWithOptionsReachesTheSession(t *testing.T) {
	dsn, err := withOptions("postgres://u@127.0.0.1:5432/db?sslmode=disable", asyncCommit)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.RuntimeParams["options"]; got != asyncCommit {
		t.Errorf("options = %q, want %q (DSN %s)", got, asyncCommit, dsn)
	}
}

// message is a frontend message of type typ with body.
func message(typ byte, body string) []byte {
	b := []byte{typ, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(b[1:], uint32(4+len(body)))
	return append(b, body...)
}

// startup is an untyped startup packet with code.
func startup(code uint32, body string) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint32(b, uint32(8+len(body)))
	binary.BigEndian.PutUint32(b[4:], code)
	return append(b, body...)
}

func TestTripCounterCountsSyncAndQuery(t *testing.T) {
	var in bytes.Buffer
	in.Write(startup(sslRequest, ""))
	in.Write(startup(196608, "user\x00u\x00\x00"))
	in.Write(message('p', "secret\x00"))
	// A pipeline: Parse, Bind, Execute twice, then Sync; a simple query.
	for range 2 {
		in.Write(message('P', "\x00SELECT 1\x00\x00\x00"))
		in.Write(message('B', "\x00\x00\x00\x00\x00\x00\x00\x00"))
		in.Write(message('E', "\x00\x00\x00\x00\x00"))
	}
	in.Write(message('S', ""))
	in.Write(message('Q', "COMMIT\x00"))
	in.Write(message('X', ""))
	sent := bytes.Clone(in.Bytes())
	var out bytes.Buffer
	var tc tripCounter
	if err := tc.frontend(bufio.NewReader(&in), &out); err == nil || err.Error() != "EOF" {
		t.Fatalf("frontend: %v, want EOF", err)
	}
	if got := tc.Load(); got != 2 {
		t.Errorf("round trips %d, want 2", got)
	}
	if !bytes.Equal(out.Bytes(), sent) {
		t.Errorf("the proxy changed the stream: sent %d bytes, passed %d", len(sent), out.Len())
	}
}

func TestProcTicksReadsThisProcess(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("no /proc")
	}
	if _, ok := procTicks(os.Getpid()); !ok {
		t.Error("procTicks of this process: not read")
	}
}

func TestStatIsMedianMinMax(t *testing.T) {
	if got, want := stat([]float64{3, 1, 2, 5}, "%.1f"), "2.5 (1.0, 5.0)"; got != want {
		t.Errorf("stat = %q, want %q", got, want)
	}
	if got, want := stat([]float64{0.9, 1.2, 0.8}, "%.2f"), "0.90 (0.80, 1.20)"; got != want {
		t.Errorf("stat = %q, want %q", got, want)
	}
}

func TestSummaryGoFloorRatios(t *testing.T) {
	run := func(rate float64, cpu time.Duration) measure {
		return measure{rate: rate, count: 1000, elapsed: time.Second, cpu: cpu, server: 500 * time.Millisecond}
	}
	s := &summary{mode: "m", rounds: 2, duration: time.Second, gofloor: true, script: "bench/pg/checkin.sql", runs: map[runKey]measure{
		{8, 1, "a"}: run(1000, 100*time.Millisecond), {8, 1, "d"}: run(800, 300*time.Millisecond), {8, 1, "b"}: run(600, 400*time.Millisecond),
		{8, 2, "a"}: run(1000, 100*time.Millisecond), {8, 2, "d"}: run(900, 300*time.Millisecond), {8, 2, "b"}: run(450, 400*time.Millisecond),
	}}
	text := s.String([]int{8}, false)
	for _, want := range []string{
		"Engine check-ins/s ÷ Go floor check-ins/s (the Engine's own cost beyond the minimal check-in from Go), median (min, max) [each round]:\n" +
			"  clients=8   0.62 (0.50, 0.75)  [0.75 0.50]\n",
		"Go floor check-ins/s ÷ pgbench checkin.sql tps (the Go client's floor against pgbench's C client), median (min, max) [each round]:\n" +
			"  clients=8   0.85 (0.80, 0.90)  [0.80 0.90]\n",
		// CPU per transaction, client and server: pgbench 600 µs, the Go
		// floor 800, the Engine 900.
		"Go floor's CPU per transaction ÷ the Engine's (client and server backends), median (min, max) [each round]:\n" +
			"  clients=8   0.89 (0.89, 0.89)  [0.89 0.89]\n",
		"pgbench checkin.sql's CPU per transaction ÷ the Go floor's (client and server backends), median (min, max) [each round]:\n" +
			"  clients=8   0.75 (0.75, 0.75)  [0.75 0.75]\n",
		"Client CPU per transaction (µs), median (min, max): pgbench checkin.sql; Go floor; Engine:\n" +
			"  clients=8   100 (100, 100); 300 (300, 300); 400 (400, 400)\n",
		"Go floor (check-ins/s), median (min, max):\n  clients=8   850 (800, 900)/s",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("summary lacks\n%s\nin\n%s", want, text)
		}
	}
	// Without -gofloor the summary is as before: no Go floor line.
	s.gofloor = false
	if text := s.String([]int{8}, false); strings.Contains(text, "Go floor") {
		t.Errorf("summary without -gofloor mentions the Go floor:\n%s", text)
	}
}
