package passengine_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/store/memstore"
	"github.com/passengine/passengine/store/storefault"
)

// recorder is an Observer keeping every event and the context it came
// with.
type recorder struct {
	mu     sync.Mutex
	events []passengine.Event
	ctxs   []context.Context
}

func (r *recorder) Observe(ctx context.Context, ev passengine.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
	r.ctxs = append(r.ctxs, ctx)
}

// take returns the events recorded since the last take.
func (r *recorder) take() ([]passengine.Event, []context.Context) {
	r.mu.Lock()
	defer r.mu.Unlock()
	evs, ctxs := r.events, r.ctxs
	r.events, r.ctxs = nil, nil
	return evs, ctxs
}

// one returns the single event recorded since the last take, failing the
// test when there is not exactly one.
func (r *recorder) one(tb testing.TB, call string) (passengine.Event, context.Context) {
	tb.Helper()
	evs, ctxs := r.take()
	if got, want := len(evs), 1; got != want {
		tb.Fatalf("%s: events: got %d (%+v), want %d", call, got, evs, want)
	}
	return evs[0], ctxs[0]
}

type hostKey struct{}

// The observer sees each call once, with its operation, network, key,
// error and replay flag, and with the host's own context.
func TestObserver_OneEventPerCall(t *testing.T) {
	rec := &recorder{}
	w := newCoreWorld(t, "America/New_York", "USD", passengine.WithObserver(rec))
	w.product(pass.Product{ID: "days", Kind: pass.Day, Units: 5})
	w.must(w.eng.PutHolder(w.ctx, catalog.Holder{Network: coreNet, ID: "cy", Audience: catalog.Member}))
	rec.take()

	ctx := context.WithValue(w.ctx, hostKey{}, "host")
	issue := passengine.IssueRequest{Key: "issue-ada", Network: coreNet, Product: "days", Holder: "ada"}
	in := passengine.CheckInRequest{Key: "in-ada", Network: coreNet, Holder: "ada", Location: "downtown"}
	var passID, visitID string
	steps := []struct {
		name     string
		call     func() error
		op, key  string
		network  string
		wantErr  error
		replayed bool
	}{
		{"first issue", func() error {
			p, err := w.eng.IssuePass(ctx, issue)
			passID = p.ID
			return err
		}, "issue", "issue-ada", coreNet, nil, false},
		{"issue again", func() error { _, err := w.eng.IssuePass(ctx, issue); return err }, "issue", "issue-ada", coreNet, nil, true},
		{"explain", func() error { _, err := w.eng.Explain(ctx, in); return err }, "explain", "", coreNet, nil, false},
		{"first check-in", func() error {
			r, err := w.eng.CheckIn(ctx, in)
			visitID = r.Visit.ID
			return err
		}, "check_in", "in-ada", coreNet, nil, false},
		{"check-in again", func() error { _, err := w.eng.CheckIn(ctx, in); return err }, "check_in", "in-ada", coreNet, nil, true},
		{"key reused", func() error {
			other := in
			other.Location = "uptown"
			_, err := w.eng.CheckIn(ctx, other)
			return err
		}, "check_in", "in-ada", coreNet, passengine.ErrKeyReused, false},
		{"bad input", func() error {
			_, err := w.eng.CheckIn(ctx, passengine.CheckInRequest{Key: "in-nobody", Network: coreNet, Location: "downtown"})
			return err
		}, "check_in", "in-nobody", coreNet, passengine.ErrInvalid, false},
		{"check-out", func() error {
			_, err := w.eng.CheckOut(ctx, passengine.CheckOutRequest{Key: "out-ada", Network: coreNet, Visit: visitID})
			return err
		}, "check_out", "out-ada", coreNet, nil, false},
		{"pass read", func() error { _, err := w.eng.Pass(ctx, coreNet, passID); return err }, "pass", "", coreNet, nil, false},
		{"unknown pass", func() error { _, err := w.eng.Pass(ctx, coreNet, "nope"); return err }, "pass", "", coreNet, passengine.ErrNotFound, false},
		{"network read", func() error { _, err := w.eng.Network(ctx, coreNet); return err }, "network", "", coreNet, nil, false},
		{"networks list", func() error { _, err := w.eng.Networks(ctx, passengine.PageRequest{}); return err }, "networks", "", "", nil, false},
		// Calls made by another call belong to its event.
		{"bulk issue", func() error {
			_, err := w.eng.BulkIssue(ctx, passengine.BulkIssueRequest{Key: "bulk-1", Network: coreNet, Product: "days", Holders: []string{"ben", "cy"}})
			return err
		}, "bulk_issue", "bulk-1", coreNet, nil, false},
		{"payout CSV", func() error {
			return w.eng.WritePayoutCSV(ctx, passengine.PayoutRequest{Network: coreNet, From: calendar.Date{Year: 2026, Month: 10, Day: 1},
				To: calendar.Date{Year: 2026, Month: 10, Day: 31}}, io.Discard)
		}, "payout_csv", "", coreNet, nil, false},
	}
	for _, s := range steps {
		err := s.call()
		if s.wantErr == nil && err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if s.wantErr != nil && !errors.Is(err, s.wantErr) {
			t.Fatalf("%s: got %v, want %v", s.name, err, s.wantErr)
		}
		ev, evCtx := rec.one(t, s.name)
		if got, want := ev.Op, s.op; got != want {
			t.Errorf("%s: Op: got %q, want %q", s.name, got, want)
		}
		if got, want := ev.Network, s.network; got != want {
			t.Errorf("%s: Network: got %q, want %q", s.name, got, want)
		}
		if got, want := ev.Key, s.key; got != want {
			t.Errorf("%s: Key: got %q, want %q", s.name, got, want)
		}
		if got, want := ev.Err, err; got != want {
			t.Errorf("%s: Err: got %v, want the call's error %v", s.name, got, want)
		}
		if got, want := ev.Replayed, s.replayed; got != want {
			t.Errorf("%s: Replayed: got %v, want %v", s.name, got, want)
		}
		if got, want := ev.Retries, 0; got != want {
			t.Errorf("%s: Retries: got %d, want %d", s.name, got, want)
		}
		if ev.StoreDuration > ev.Duration || ev.Duration < 0 || ev.StoreDuration < 0 {
			t.Errorf("%s: StoreDuration %v, Duration %v: want 0 <= StoreDuration <= Duration", s.name, ev.StoreDuration, ev.Duration)
		}
		if got, want := evCtx.Value(hostKey{}), any("host"); got != want {
			t.Errorf("%s: the observer's context is not the host's: value %v, want %v", s.name, got, want)
		}
	}
}

// A call refused before it reaches the store spends no time there.
func TestObserver_NoStoreTimeBeforeTheStore(t *testing.T) {
	rec := &recorder{}
	eng := passengine.New(memstore.New(), passengine.WithObserver(rec))
	_, err := eng.CheckIn(context.Background(), passengine.CheckInRequest{Network: coreNet})
	if !errors.Is(err, passengine.ErrInvalid) {
		t.Fatalf("got %v, want ErrInvalid", err)
	}
	ev, _ := rec.one(t, "check-in without a key")
	if got, want := ev.StoreDuration, time.Duration(0); got != want {
		t.Errorf("StoreDuration: got %v, want %v", got, want)
	}
	if _, err := eng.Networks(context.Background(), passengine.PageRequest{}); err != nil {
		t.Fatal(err)
	}
	if ev, _ := rec.one(t, "networks"); ev.StoreDuration <= 0 {
		t.Errorf("a read that ran a View: StoreDuration %v, want > 0", ev.StoreDuration)
	}
}

// Rule I3: the observer counts a unit of work's conflict retries, and the
// host's own CallInfo is still filled in.
func TestRule_I3_ObserverCountsRetries(t *testing.T) {
	rec := &recorder{}
	fs := storefault.New(memstore.New())
	w := newCoreWorldOn(t, fs, "America/New_York", "USD", passengine.WithObserver(rec))
	w.product(pass.Product{ID: "days", Kind: pass.Day, Units: 5})
	rec.take()
	fs.FailAt(1, store.ErrConflict)
	var info passengine.CallInfo
	req := passengine.IssueRequest{Key: "issue-ada", Network: coreNet, Product: "days", Holder: "ada"}
	_, err := w.eng.IssuePass(passengine.WithCallInfo(w.ctx, &info), req)
	w.must(err)
	if !fs.Fired() {
		t.Fatal("the conflict did not fire")
	}
	ev, _ := rec.one(t, "issue")
	if got, want := ev.Retries, 1; got != want {
		t.Errorf("event Retries: got %d, want %d", got, want)
	}
	if got, want := info.Retries, 1; got != want {
		t.Errorf("host's CallInfo Retries: got %d, want %d", got, want)
	}
	if ev.Replayed || ev.Err != nil {
		t.Errorf("a retried first call: Replayed %v, Err %v; want false, nil", ev.Replayed, ev.Err)
	}
	if ev.StoreDuration <= 0 || ev.StoreDuration > ev.Duration {
		t.Errorf("StoreDuration %v, Duration %v: want 0 < StoreDuration <= Duration", ev.StoreDuration, ev.Duration)
	}

	// A replay with the host's CallInfo: both say replayed.
	info = passengine.CallInfo{}
	_, err = w.eng.IssuePass(passengine.WithCallInfo(w.ctx, &info), req)
	w.must(err)
	ev, _ = rec.one(t, "issue again")
	if !ev.Replayed || !info.Replayed {
		t.Errorf("replay: event Replayed %v, CallInfo Replayed %v; want true, true", ev.Replayed, info.Replayed)
	}
	if got, want := w.eng.Store(), store.Store(fs); got != want {
		t.Errorf("Store(): got %T, want the store the Engine was made on", got)
	}
}

// observedOps is the operation every public Engine method reports.
var observedOps = map[string]string{
	"RotatePasscode": "passcode", "Passcode": "read_passcode", "Unlock": "unlock", "Guard": "guard",
	"CanLeaveFeedback": "can_leave_feedback", "PutTerms": "put_terms", "TermsVersions": "terms_versions",
	"IssueCard": "issue_card", "AddVisits": "card_add_visits", "SubtractVisits": "card_subtract_visits",
	"AddBonus": "card_add_bonus", "SubtractBonus": "card_subtract_bonus", "SetCardStatus": "card_status",
	"SetCardExpiry": "card_expiry", "Card": "card", "Cards": "cards",
	"PutNetwork": "put_network", "PutLocation": "put_location", "PutTeam": "put_team", "PutHolder": "put_holder",
	"PutProduct": "put_product", "PutPAYG": "put_payg",
	"Network": "network", "Location": "location", "Holder": "holder", "Product": "product",
	"ExpiringSoon": "expiring_soon", "Explain": "explain", "ExplainBook": "explain_book", "ExplainRedeem": "explain_redeem",
	"WriteHistoryCSV": "history_csv", "WriteCardHistoryCSV": "card_history_csv",
	"WriteNetworkHistoryCSV": "network_history_csv", "WriteAccountHistoryCSV": "account_history_csv",
	"DeleteHolder": "delete_holder",
	"Networks":     "networks", "Locations": "locations", "Holders": "holders", "Teams": "teams", "Products": "products",
	"PAYGs": "paygs", "Team": "team", "PAYG": "payg", "Occupancy": "occupancy",
	"IssuePass": "issue", "BulkIssue": "bulk_issue", "AdjustUnits": "adjust", "SetExpiry": "expiry",
	"Freeze": "freeze", "Unfreeze": "unfreeze", "MarkPaid": "paid", "Pass": "pass", "Passes": "passes", "Ledger": "ledger",
	"Payout": "payout", "WritePayoutCSV": "payout_csv", "Purchases": "purchases", "Redeem": "redeem", "Segments": "segments",
	"CheckIn": "check_in", "CheckOut": "check_out", "Book": "book", "CancelBooking": "cancel",
	"MarkAttendance": "attendance", "MoveVisit": "move", "CloseStale": "close_stale", "Visit": "visit", "Visits": "visits",
	"Deposit": "deposit", "Spend": "spend", "Refund": "refund", "AdjustAccount": "adjust_account",
	"SetOverdraft": "overdraft", "Settle": "settle", "Account": "account", "Outstanding": "outstanding",
	"AccountEntries": "account_entries",
}

// Every public Engine method (Store excepted) reports exactly one event,
// with its documented operation, also when refused for bad input.
func TestObserver_EveryMethodOnce(t *testing.T) {
	rec := &recorder{}
	eng := passengine.New(memstore.New(), passengine.WithObserver(rec))
	documented := documentedOps(t)
	ctx := context.Background()
	v := reflect.ValueOf(eng)
	seen := map[string]bool{}
	for i := range v.NumMethod() {
		name := v.Type().Method(i).Name
		if name == "Store" {
			continue
		}
		want, ok := observedOps[name]
		if !ok {
			t.Errorf("Engine.%s: no operation in observedOps: give it one, observe it and document it in Event.Op", name)
			continue
		}
		if seen[want] {
			t.Errorf("Engine.%s: operation %q is another method's too", name, want)
		}
		seen[want] = true
		if !documented[want] {
			t.Errorf("Engine.%s: operation %q is not listed in Event.Op's documentation", name, want)
		}
		m := v.Method(i)
		m.Call(zeroArgs(ctx, m.Type()))
		evs, _ := rec.take()
		if got := len(evs); got != 1 {
			t.Errorf("Engine.%s: events: got %d, want 1", name, got)
			continue
		}
		if got := evs[0].Op; got != want {
			t.Errorf("Engine.%s: Op: got %q, want %q", name, got, want)
		}
	}
	for name := range observedOps {
		if _, ok := v.Type().MethodByName(name); !ok {
			t.Errorf("observedOps names %s, which the Engine no longer has", name)
		}
	}
	if got, want := len(documented), len(observedOps); got != want {
		t.Errorf("Event.Op documents %d operations, the Engine has %d", got, want)
	}
}

// documentedOps returns the operations listed in Event.Op's comment.
func documentedOps(tb testing.TB) map[string]bool {
	tb.Helper()
	src, err := os.ReadFile("observe.go")
	if err != nil {
		tb.Fatal(err)
	}
	s := string(src)
	from := strings.Index(s, "// Op names the call")
	to := strings.Index(s, "\tOp string")
	if from < 0 || to < from {
		tb.Fatal("observe.go: no Event.Op comment")
	}
	list := s[from:to]
	list = list[strings.Index(list, "Writes:"):]
	ops := map[string]bool{}
	for _, w := range regexp.MustCompile(`\b[a-z][a-z_]*\b`).FindAllString(list, -1) {
		if w != "and" {
			ops[w] = true
		}
	}
	return ops
}

// zeroArgs returns arguments for a method of type mt: ctx, a writer that
// discards, UTC, functions that return zero values, zero values else.
func zeroArgs(ctx context.Context, mt reflect.Type) []reflect.Value {
	ctxType := reflect.TypeFor[context.Context]()
	args := make([]reflect.Value, mt.NumIn())
	for i := range args {
		in := mt.In(i)
		switch {
		case in == ctxType:
			args[i] = reflect.ValueOf(ctx)
		case in == reflect.TypeFor[io.Writer]():
			args[i] = reflect.ValueOf(io.Discard)
		case in == reflect.TypeFor[*time.Location]():
			args[i] = reflect.ValueOf(time.UTC)
		case in.Kind() == reflect.Func:
			args[i] = reflect.MakeFunc(in, func([]reflect.Value) []reflect.Value {
				out := make([]reflect.Value, in.NumOut())
				for j := range out {
					out[j] = reflect.Zero(in.Out(j))
				}
				return out
			})
		default:
			args[i] = reflect.Zero(in)
		}
	}
	return args
}

// Without an observer a call allocates what it did before observers
// existed (TestObserverAddsNoEscape proves the methods' escape analysis
// unchanged); with one it allocates one object more, the call's
// observation: the event, the guard and the helpers allocate nothing. An
// observed call enters its method twice (the guard, then the work), so a
// method whose own variables live on the heap allocates them twice:
// Network's results n and err, which its View closure assigns.
func TestObserver_Allocations(t *testing.T) {
	nop := passengine.ObserverFunc(func(context.Context, passengine.Event) {})
	without := observedWorld(t)
	with := observedWorld(t, passengine.WithObserver(nop))
	calls := []struct {
		name string
		more float64
		call func(w *coreWorld) error
	}{
		{"check-in replay", 1, func(w *coreWorld) error {
			_, err := w.eng.CheckIn(w.ctx, passengine.CheckInRequest{Key: "in-ada", Network: coreNet, Holder: "ada", Location: "downtown"})
			return err
		}},
		{"explain", 1, func(w *coreWorld) error {
			_, err := w.eng.Explain(w.ctx, passengine.CheckInRequest{Network: coreNet, Holder: "ben", Location: "downtown"})
			return err
		}},
		{"pass", 1, func(w *coreWorld) error { _, err := w.eng.Pass(w.ctx, coreNet, "id0001"); return err }},
		{"network", 3, func(w *coreWorld) error { _, err := w.eng.Network(w.ctx, coreNet); return err }},
		{"holders", 1, func(w *coreWorld) error {
			_, err := w.eng.Holders(w.ctx, coreNet, passengine.PageRequest{Limit: 10})
			return err
		}},
		{"bad input", 1, func(w *coreWorld) error {
			_, err := w.eng.CheckIn(w.ctx, passengine.CheckInRequest{Network: coreNet})
			if !errors.Is(err, passengine.ErrInvalid) {
				return errors.New("bad input accepted")
			}
			return nil
		}},
	}
	for _, c := range calls {
		for _, w := range []*coreWorld{without, with} {
			w.must(c.call(w)) // warm the pools and caches
		}
		// A collection during a measurement empties the record buffers'
		// pool and costs one allocation: measure again, up to three times.
		var a, b float64
		for range 3 {
			a = testing.AllocsPerRun(200, func() { without.must(c.call(without)) })
			b = testing.AllocsPerRun(200, func() { with.must(c.call(with)) })
			if b-a == c.more {
				break
			}
		}
		if got, want := b-a, c.more; got != want {
			t.Errorf("%s: allocations with an observer %v, without %v: got %v more, want %v", c.name, b, a, got, want)
		}
	}
}

// observedWorld is a core world with a day pass for ada, checked in
// once under key "in-ada".
func observedWorld(t *testing.T, opts ...passengine.Option) *coreWorld {
	t.Helper()
	w := newCoreWorld(t, "America/New_York", "USD", opts...)
	w.product(pass.Product{ID: "days", Kind: pass.Day, Units: 5})
	w.issue("ada", "days")
	w.issue("ben", "days")
	_, err := w.eng.CheckIn(w.ctx, passengine.CheckInRequest{Key: "in-ada", Network: coreNet, Holder: "ada", Location: "downtown"})
	w.must(err)
	return w
}

// BenchmarkObserver is a check-in replay and a pass read without an
// observer and with a no-op one, in one run.
func BenchmarkObserver(b *testing.B) {
	nop := passengine.ObserverFunc(func(context.Context, passengine.Event) {})
	for _, c := range []struct {
		name string
		opts []passengine.Option
	}{{"none", nil}, {"nop", []passengine.Option{passengine.WithObserver(nop)}}} {
		w := observedWorld(&testing.T{}, c.opts...)
		in := passengine.CheckInRequest{Key: "in-ada", Network: coreNet, Holder: "ada", Location: "downtown"}
		b.Run("replay/"+c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := w.eng.CheckIn(w.ctx, in); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("pass/"+c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := w.eng.Pass(w.ctx, coreNet, "id0001"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// An Event's JSON form has its code, its error's message and its
// durations in milliseconds.
func TestObserver_EventJSON(t *testing.T) {
	ev := passengine.Event{Op: "check_in", Network: "hub", Key: "in-1", Err: passengine.ErrNotFound, Retries: 2,
		Start: time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC), Duration: 1500 * time.Microsecond, StoreDuration: time.Millisecond}
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"op":"check_in","network":"hub","key":"in-1","code":"not_found","retries":2,"replayed":false,` +
		`"start":"2026-10-01T12:00:00Z","duration_ms":1.5,"store_duration_ms":1,"error":"not found"}`
	if got := string(b); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	b, err = json.Marshal(passengine.Event{Op: "networks"})
	if err != nil {
		t.Fatal(err)
	}
	want = `{"op":"networks","network":"","retries":0,"replayed":false,"duration_ms":0,"store_duration_ms":0}`
	if got := string(b); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
