package scenario

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/store"
	"github.com/shopspring/decimal"
)

// CodeKey is the passcode key of every scenario's Engine (WithCodeKey):
// a fixed key, so that runs are repeatable. It protects nothing.
var CodeKey = []byte("passengine-scenario-passcode-key")

// world is the state of one scenario run: the store, the Engine (made
// again when the engine command changes its options), its clock, its ID
// and code sources, and the names the scenario gave passes and visits.
type world struct {
	ctx   context.Context
	st    store.Store
	eng   *passengine.Engine
	clock *passengine.ManualClock
	ids   *idSource
	codes io.Reader
	opts  []passengine.Option

	net      catalog.Network
	netZone  *time.Location
	locZones map[string]*time.Location
	clockSet bool
	passes   []string          // pass IDs in issue order
	passIDs  map[string]string // scenario name -> pass ID
	visitIDs map[string]string // scenario name -> visit ID
	names    map[string]string // ID -> scenario name, of every pass and visit named
	keys     int
}

// idSource gives the Engine its IDs (WithIDs): the name the scenario
// chose for the next pass or visit, when one is pending, otherwise "id-1",
// "id-2", ... (ledger entries and anything the scenario does not name).
type idSource struct {
	mu      sync.Mutex
	n       int
	pending string
}

func (s *idSource) next() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pending != "" {
		id := s.pending
		s.pending = ""
		return id
	}
	s.n++
	return fmt.Sprintf("id-%d", s.n)
}

// name makes the next ID drawn be id; clear undoes it.
func (s *idSource) name(id string) { s.mu.Lock(); s.pending = id; s.mu.Unlock() }
func (s *idSource) clear()         { s.name("") }

func newWorld(ctx context.Context, st store.Store) *world {
	w := &world{ctx: ctx, st: st, clock: passengine.NewManualClock(time.Time{}), ids: &idSource{},
		codes:    rand.NewChaCha8([32]byte{'s', 'c', 'e', 'n', 'a', 'r', 'i', 'o'}),
		locZones: map[string]*time.Location{}, passIDs: map[string]string{}, visitIDs: map[string]string{},
		names: map[string]string{}}
	w.build(nil)
	return w
}

// build makes the Engine with the scenario's clock, IDs, passcode key and
// source and opts.
func (w *world) build(opts []passengine.Option) {
	w.opts = opts
	base := []passengine.Option{passengine.WithClock(w.clock), passengine.WithIDs(w.ids.next),
		passengine.WithCodeKey(CodeKey), passengine.WithCodeSource(w.codes)}
	w.eng = passengine.New(w.st, append(base, opts...)...)
}

// key returns the idempotency key of the next call: the case's key=
// argument, or a new one.
func (w *world) key(a *args) string {
	w.keys++
	return a.str("key", fmt.Sprintf("k%d", w.keys))
}

// currency returns the network's currency ("" before the network).
func (w *world) currency() string { return w.net.Currency }

// ready returns an error unless the network and the clock are declared.
func (w *world) ready() error {
	switch {
	case w.net.ID == "":
		return errors.New("declare the network first (network id=... currency=... zone=...)")
	case !w.clockSet:
		return errors.New("set the clock first (clock at=2024-06-10T08:00)")
	}
	return nil
}

// parseTime parses "now", local wall time in the network's zone
// (2024-06-10T09:00 or 2024-06-10T09:00:30) or RFC 3339 with an offset.
func (w *world) parseTime(s string) (time.Time, error) {
	if s == "now" {
		return w.clock.Now(), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if w.netZone == nil {
		return time.Time{}, errors.New("declare the network (and its zone) before local times")
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, w.netZone); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time (2024-06-10T09:00 in the network's zone, or RFC 3339)", s)
}

// passID returns the ID of the pass the scenario named name.
func (w *world) passID(name string) string {
	if id, ok := w.passIDs[name]; ok {
		return id
	}
	return name
}

// visitID returns the ID of the visit the scenario named name.
func (w *world) visitID(name string) string {
	if id, ok := w.visitIDs[name]; ok {
		return id
	}
	return name
}

// name returns the scenario's name of an Engine ID.
func (w *world) name(id string) string {
	if n, ok := w.names[id]; ok {
		return n
	}
	return id
}

// rename replaces every Engine ID that has another name in s.
func (w *world) rename(s string) string {
	ids := make([]string, 0, len(w.names))
	for id, name := range w.names {
		if id != name {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return s
	}
	sort.Slice(ids, func(i, j int) bool { return len(ids[i]) > len(ids[j]) || len(ids[i]) == len(ids[j]) && ids[i] < ids[j] })
	pairs := make([]string, 0, 2*len(ids))
	for _, id := range ids {
		pairs = append(pairs, id, w.names[id])
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// newName returns the name of a new pass or visit: given, or the first
// of prefix+"1", prefix+"2", ... that no pass or visit has.
func (w *world) newName(given, prefix string) (string, error) {
	taken := func(n string) bool {
		_, p := w.passIDs[n]
		_, v := w.visitIDs[n]
		return p || v
	}
	if given != "" {
		if taken(given) {
			return "", fmt.Errorf("the name %q is taken", given)
		}
		if strings.HasPrefix(given, "id-") {
			return "", fmt.Errorf("the name %q: names starting with id- are the Engine's", given)
		}
		return given, nil
	}
	for n := 1; ; n++ {
		if name := fmt.Sprintf("%s%d", prefix, n); !taken(name) {
			return name, nil
		}
	}
}

// create runs call, a call that makes a pass or a visit, with the
// Engine's next ID set to its name: given, or prefix+"1", prefix+"2", ...
// (the first free one). It returns the name, or an error for a name that
// is taken, and then does not run call.
func (w *world) create(given, prefix string, call func()) (string, error) {
	name, err := w.newName(given, prefix)
	if err != nil {
		return "", err
	}
	w.ids.name(name)
	defer w.ids.clear()
	call()
	return name, nil
}

// namePass records that the pass the scenario calls name has ID id and
// returns the name, or, when the pass has a name already (a call replayed
// by its idempotency key returns the pass it made first), that name.
func (w *world) namePass(name, id string) string {
	if n, ok := w.names[id]; ok {
		return n
	}
	w.passIDs[name] = id
	w.passes = append(w.passes, id)
	w.names[id] = name
	return name
}

// nameVisit records that the visit the scenario calls name has ID id and
// returns the name, or the visit's name when it has one already.
func (w *world) nameVisit(name, id string) string {
	if n, ok := w.names[id]; ok {
		return n
	}
	w.visitIDs[name] = id
	w.names[id] = name
	return name
}

// policyKeys are the keys a scenario's policy= names, by name.
func policyKeys() map[string]entitlement.Key {
	m := map[string]entitlement.Key{}
	for _, k := range entitlement.DefaultPolicy() {
		m[k.Name] = k
	}
	return m
}

// engineOptions reads the engine command's arguments.
func engineOptions(a *args) []passengine.Option {
	var opts []passengine.Option
	if names := a.vals("policy"); names != nil {
		keys := policyKeys()
		var p entitlement.Policy
		for _, n := range names {
			k, ok := keys[n]
			if !ok {
				a.fail("policy: unknown key %q (the keys are %s)", n, strings.Join(entitlement.DefaultPolicy().Names(), ", "))
			}
			p = append(p, k)
		}
		opts = append(opts, passengine.WithPolicy(p))
	}
	if d := a.duration("max-open", 0); d > 0 {
		opts = append(opts, passengine.WithMaxOpen(d))
	}
	if d := a.duration("cancel-window", 0); d > 0 {
		opts = append(opts, passengine.WithCancelWindow(d))
	}
	if a.has("refund-late") {
		opts = append(opts, passengine.WithLateCancelRefund())
	}
	if fee := a.str("no-show-fee", ""); fee != "" {
		d, err := decimal.NewFromString(fee)
		if err != nil {
			a.fail("no-show-fee: %q is not an amount", fee)
		}
		opts = append(opts, passengine.WithNoShowFee(d))
	}
	if a.has("settle-later") {
		opts = append(opts, passengine.WithSettleLater())
	}
	if l := a.vals("lockout"); l != nil {
		if len(l) != 3 {
			a.fail("lockout: want lockout=(failures, window, duration), such as lockout=(5, 15m, 24h)")
		} else {
			lo := checkin.Lockout{}
			var err error
			if _, err = fmt.Sscan(l[0], &lo.MaxFailures); err != nil {
				a.fail("lockout: %q is not a number of failures", l[0])
			}
			if lo.Window, err = parseDuration(l[1]); err != nil {
				a.fail("lockout: %v", err)
			}
			if lo.Duration, err = parseDuration(l[2]); err != nil {
				a.fail("lockout: %v", err)
			}
			opts = append(opts, passengine.WithLockout(lo))
		}
	}
	return opts
}
