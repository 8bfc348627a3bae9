package sqlite_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/sqlite"
	"github.com/passengine/passengine/store/storetest"
)

// The crash test: a child process (this test binary, re-run with
// crashEnv set) runs a workload of check-ins and check-outs on a SQLite
// file and prints each call the Engine acknowledged; the parent kills it
// with SIGKILL at a random moment, reopens the file and checks that every
// acknowledged call is there (a replay with its key returns its result)
// and that nothing partial is (storetest.Verify: every balance equals the
// sum of its ledger, every consumption has its ledger rows; and every
// ledger row's call has its idempotency record).

const (
	crashEnv     = "PASSENGINE_SQLITE_CRASH_DB"
	crashRound   = "PASSENGINE_SQLITE_CRASH_ROUND"
	crashNetwork = "crash"
	crashRounds  = 5
	crashWorkers = 4
)

// ack is one acknowledged call, as the child prints it.
type ack struct {
	Op       string    `json:"op"` // "in" or "out"
	Key      string    `json:"key"`
	Holder   string    `json:"holder,omitempty"`
	Location string    `json:"location,omitempty"`
	Visit    string    `json:"visit"`
	At       time.Time `json:"at"`
	Charge   string    `json:"charge"`
	Balances []passengine.Balance
}

func crashBase(round int) time.Time {
	return time.Date(2026, 3, 2+round*7, 8, 0, 0, 0, time.UTC)
}

func crashLocation(round, worker int) string { return fmt.Sprintf("loc-%d-%d", round, worker) }

func TestCrashSafety(t *testing.T) {
	if os.Getenv(crashEnv) != "" {
		t.Skip("in the crash child")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "crash.db")
	setUpCrash(t, path)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	total := 0
	for round := range crashRounds {
		acks := runCrashChild(t, path, round, time.Duration(150+rng.IntN(450))*time.Millisecond)
		total += len(acks)
		st, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatalf("round %d: reopen after SIGKILL: %v", round, err)
		}
		if err := st.Migrate(ctx); err != nil {
			t.Fatalf("round %d: Migrate after SIGKILL: %v", round, err)
		}
		checkAcked(t, st, round, acks)
		checkNothingPartial(t, st, round)
		if err := st.Close(); err != nil {
			t.Errorf("round %d: Close: %v", round, err)
		}
		if t.Failed() {
			return
		}
	}
	if total == 0 {
		t.Fatalf("the child acknowledged no call in %d rounds: the test checked nothing", crashRounds)
	}
	t.Logf("%d acknowledged calls over %d SIGKILLs, all present; nothing partial", total, crashRounds)
}

// setUpCrash creates the crash network: a holder per worker with a visits
// pass and a time pass, and PAYG for everyone, with locations per round so
// a visit left open by a kill never blocks the next round.
func setUpCrash(t *testing.T, path string) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	eng := passengine.New(st, passengine.WithClock(passengine.NewManualClock(crashBase(0))), replaySkew)
	usd := func(s string) money.Money { return money.MustNew(s, "USD") }
	steps := []error{
		eng.PutNetwork(ctx, catalog.Network{ID: crashNetwork, Currency: "USD", Zone: "UTC"}),
		eng.PutProduct(ctx, pass.Product{Network: crashNetwork, ID: "visits", Kind: pass.Visits, Units: 100000, Price: usd("1000"), Activation: pass.OnPurchase}),
		eng.PutProduct(ctx, pass.Product{Network: crashNetwork, ID: "minutes", Kind: pass.Time, Units: 100000, Price: usd("500"), Activation: pass.OnPurchase}),
		eng.PutPAYG(ctx, billing.PAYG{Network: crashNetwork, ID: "payg", Prices: []billing.Price{{Hourly: usd("12.34")}}, DailyCap: usd("77.77")}),
	}
	for r := range crashRounds {
		for w := range crashWorkers {
			steps = append(steps, eng.PutLocation(ctx, catalog.Location{Network: crashNetwork, ID: crashLocation(r, w), Zone: "UTC"}))
		}
	}
	for w := range crashWorkers {
		h := fmt.Sprintf("holder-%d", w)
		steps = append(steps, eng.PutHolder(ctx, catalog.Holder{Network: crashNetwork, ID: h, Audience: catalog.Member}))
		// Worker 0 pays as it goes; the others use a visits or a time pass.
		switch w % 3 {
		case 1:
			_, err := eng.IssuePass(ctx, passengine.IssueRequest{Key: "issue-" + h, Network: crashNetwork, Product: "visits", Holder: h})
			steps = append(steps, err)
		case 2:
			_, err := eng.IssuePass(ctx, passengine.IssueRequest{Key: "issue-" + h, Network: crashNetwork, Product: "minutes", Holder: h})
			steps = append(steps, err)
		}
	}
	if err := errors.Join(steps...); err != nil {
		t.Fatalf("set up: %v", err)
	}
}

// runCrashChild runs the workload in a child process, kills it with
// SIGKILL after it has worked for d, and returns the calls it acknowledged.
func runCrashChild(t *testing.T, path string, round int, d time.Duration) []ack {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+path, crashRound+"="+strconv.Itoa(round))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the crash child: %v", err)
	}
	var acks []ack
	ready := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Bytes()
			if string(line) == "ready" {
				close(ready)
				continue
			}
			if msg, ok := strings.CutPrefix(string(line), "error: "); ok {
				t.Errorf("round %d: the crash child failed: %s", round, msg)
				continue
			}
			var a ack
			if json.Unmarshal(line, &a) == nil && a.Key != "" {
				acks = append(acks, a)
			}
		}
	}()
	select {
	case <-ready:
	case <-done:
	case <-time.After(30 * time.Second):
	}
	time.Sleep(d)
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatalf("kill the crash child: %v", err)
	}
	<-done
	_ = cmd.Wait()
	return acks
}

// TestCrashChild is the crash test's child workload; it only runs when
// the parent sets crashEnv, and never ends by itself.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("run by TestCrashSafety in a child process")
	}
	round, _ := strconv.Atoi(os.Getenv(crashRound))
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("child: Open: %v", err)
	}
	eng := passengine.New(st, passengine.WithClock(passengine.NewManualClock(crashBase(round))), replaySkew)
	var mu sync.Mutex
	report := func(a ack) {
		b, _ := json.Marshal(a)
		mu.Lock()
		defer mu.Unlock()
		os.Stdout.Write(append(b, '\n'))
	}
	fail := func(msg string) {
		mu.Lock()
		defer mu.Unlock()
		os.Stdout.WriteString("error: " + strings.ReplaceAll(msg, "\n", " ") + "\n")
	}
	os.Stdout.WriteString("ready\n")
	var wg sync.WaitGroup
	for w := range crashWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h, loc := fmt.Sprintf("holder-%d", w), crashLocation(round, w)
			for i := 0; ; i++ {
				at := crashBase(round).Add(time.Duration(i) * 37 * time.Minute)
				key := fmt.Sprintf("r%d-%s-in-%d", round, h, i)
				in, err := eng.CheckIn(ctx, passengine.CheckInRequest{Key: key, Network: crashNetwork, Holder: h, Location: loc, At: at})
				if err != nil {
					fail(fmt.Sprintf("CheckIn %s: %v", key, err))
					return
				}
				report(ack{Op: "in", Key: key, Holder: h, Location: loc, Visit: in.Visit.ID, At: at, Charge: in.Charge.String(), Balances: in.Balances})
				key = fmt.Sprintf("r%d-%s-out-%d", round, h, i)
				at = at.Add(31 * time.Minute)
				out, err := eng.CheckOut(ctx, passengine.CheckOutRequest{Key: key, Network: crashNetwork, Visit: in.Visit.ID, At: at})
				if err != nil {
					fail(fmt.Sprintf("CheckOut %s: %v", key, err))
					return
				}
				report(ack{Op: "out", Key: key, Visit: out.Visit.ID, At: at, Charge: out.Charge.String(), Balances: out.Balances})
			}
		}()
	}
	wg.Wait()
}

// checkAcked replays every acknowledged call with its key: the store must
// return the acknowledged result, not run the call again.
func checkAcked(t *testing.T, st store.Store, round int, acks []ack) {
	t.Helper()
	ctx := context.Background()
	eng := passengine.New(st, passengine.WithClock(passengine.NewManualClock(crashBase(round).Add(24*time.Hour))), replaySkew)
	for _, a := range acks {
		var r passengine.VisitResult
		var err error
		if a.Op == "in" {
			r, err = eng.CheckIn(ctx, passengine.CheckInRequest{Key: a.Key, Network: crashNetwork, Holder: a.Holder, Location: a.Location, At: a.At})
		} else {
			r, err = eng.CheckOut(ctx, passengine.CheckOutRequest{Key: a.Key, Network: crashNetwork, Visit: a.Visit, At: a.At})
		}
		if err != nil {
			t.Errorf("round %d: replay of acknowledged %s: %v", round, a.Key, err)
			continue
		}
		if r.Visit.ID != a.Visit || r.Charge.String() != a.Charge {
			t.Errorf("round %d: replay of acknowledged %s: got visit %s charge %s, want visit %s charge %s",
				round, a.Key, r.Visit.ID, r.Charge, a.Visit, a.Charge)
		}
		if d := storetest.Diff(r.Balances, a.Balances); d != "" {
			t.Errorf("round %d: replay of acknowledged %s: balances %s", round, a.Key, d)
		}
	}
}

// checkNothingPartial checks the ledger invariants and that every ledger
// row's call left its idempotency record: the effects and the record of a
// call commit together or not at all.
func checkNothingPartial(t *testing.T, st store.Store, round int) {
	t.Helper()
	ctx := context.Background()
	if err := storetest.Verify(ctx, st, crashNetwork); err != nil {
		t.Errorf("round %d: after SIGKILL: %v", round, err)
	}
	err := st.View(ctx, func(tx store.Tx) error {
		es, err := tx.Ledger().List(ctx, store.LedgerFilter{Network: crashNetwork})
		if err != nil {
			return err
		}
		for _, e := range es {
			if _, err := tx.Idempotency().Get(ctx, crashNetwork, e.Key); err != nil {
				t.Errorf("round %d: ledger entry %s of call %s: idempotency record: %v", round, e.ID, e.Key, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Errorf("round %d: read the ledger: %v", round, err)
	}
}

// replaySkew lets the test supply instants ahead of its fixed clock: it
// replays a day of calls, not a door's live events (S3).
var replaySkew = passengine.WithClockSkew(30 * 24 * time.Hour)
