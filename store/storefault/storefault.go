// Package storefault wraps a store.Store so that tests can make any one of
// its repository calls fail, to show that a call which fails part-way
// writes nothing (RULES I3) and that a lost race is retried (store
// ErrConflict). It works with every adapter: the memory store in this
// module's tests, the SQL stores, or a host's own.
//
// Every repository call made through the wrapper (Catalog().Holder,
// Passes().Put, Ledger().Append, ...) and every commit of an Update counts
// as one call. FailAt(n, err) makes the n-th call from then on return err
// instead of reaching the wrapped store; the unit of work it belongs to
// then fails and the wrapped store rolls it back. A test that arms n = 1,
// 2, 3, ... until a call completes without the failure firing has failed
// it at every point it can fail:
//
//	fs := storefault.New(memstore.New())
//	eng := passengine.New(fs)
//	for n := 1; ; n++ {
//		// ... build the world, take a snapshot ...
//		fs.FailAt(n, nil)
//		_, err := eng.CheckIn(ctx, req)
//		if !fs.Fired() {
//			break // the call made fewer than n store calls
//		}
//		// err wraps storefault.ErrInjected; the snapshot is unchanged.
//	}
package storefault

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

// ErrInjected is the error of an injected failure when FailAt is given a
// nil error. The error returned wraps it and names the failed call.
var ErrInjected = errors.New("storefault: injected failure")

// Store is a store.Store that passes every call to the store it wraps
// until a failure armed with FailAt fires. It is safe for concurrent use.
type Store struct {
	inner store.Store

	mu     sync.Mutex
	calls  int    // calls counted since the last FailAt
	failAt int    // the call to fail, counted from 1; 0: none
	err    error  // what the failed call returns
	fired  string // the name of the call that failed, once it has
}

// New returns a Store wrapping inner with no failure armed.
func New(inner store.Store) *Store { return &Store{inner: inner} }

// Inner returns the wrapped store.
func (s *Store) Inner() store.Store { return s.inner }

// FailAt arms a failure: the n-th repository call or commit from now on
// (n >= 1) returns err, or an error wrapping ErrInjected when err is nil.
// Only that call fails; the ones before and after it reach the wrapped
// store. FailAt resets the call count and the fired flag. n <= 0 disarms.
func (s *Store) FailAt(n int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil {
		err = ErrInjected
	}
	s.calls, s.failAt, s.err, s.fired = 0, max(n, 0), err, ""
}

// Disarm cancels an armed failure that has not fired yet.
func (s *Store) Disarm() { s.FailAt(0, nil) }

// Fired reports whether the armed failure has fired since the last FailAt.
func (s *Store) Fired() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fired != ""
}

// FiredAt returns the name of the call that failed ("Passes.Put",
// "commit", ...), or "" if the armed failure has not fired.
func (s *Store) FiredAt() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fired
}

// Calls returns how many repository calls and commits were made since the
// last FailAt (or since New).
func (s *Store) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// hit counts a call named name and returns the armed error if it is the
// one to fail.
func (s *Store) hit(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if s.failAt > 0 && s.calls == s.failAt {
		s.fired = name
		return fmt.Errorf("storefault: %s: %w", name, s.err)
	}
	return nil
}

// Update runs fn in a unit of work of the wrapped store with repositories
// that may fail. The commit counts as a call named "commit": when it is
// the one to fail, fn's writes are rolled back and the error returned.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.inner.Update(ctx, func(tx store.Tx) error {
		if err := fn(&faultTx{Tx: tx, s: s}); err != nil {
			return err
		}
		return s.hit("commit")
	})
}

// View runs fn in a read-only unit of work of the wrapped store with
// repositories that may fail.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	return s.inner.View(ctx, func(tx store.Tx) error { return fn(&faultTx{Tx: tx, s: s}) })
}

// Close closes the wrapped store and returns its error.
func (s *Store) Close() error { return s.inner.Close() }

// faultTx embeds the wrapped Tx so that repositories added to store.Tx
// later reach the wrapped store (without faults) until wrapped here too.
type faultTx struct {
	store.Tx
	s *Store
}

var _ store.Store = (*Store)(nil)

func (t *faultTx) Catalog() store.Catalog         { return faultCatalog{t.Tx.Catalog(), t.s} }
func (t *faultTx) Passes() store.Passes           { return faultPasses{t.Tx.Passes(), t.s} }
func (t *faultTx) Visits() store.Visits           { return faultVisits{t.Tx.Visits(), t.s} }
func (t *faultTx) Ledger() store.Ledger           { return faultLedger{t.Tx.Ledger(), t.s} }
func (t *faultTx) Idempotency() store.Idempotency { return faultIdem{t.Tx.Idempotency(), t.s} }
func (t *faultTx) Guards() store.Guards           { return faultGuards{t.Tx.Guards(), t.s} }
func (t *faultTx) Terms() store.Terms             { return faultTerms{t.Tx.Terms(), t.s} }

// call1 runs f unless the call named name is the one to fail.
func call1[R any](s *Store, name string, f func() (R, error)) (R, error) {
	if err := s.hit(name); err != nil {
		var zero R
		return zero, err
	}
	return f()
}

// call0 is call1 for calls that return only an error.
func call0(s *Store, name string, f func() error) error {
	if err := s.hit(name); err != nil {
		return err
	}
	return f()
}

type faultCatalog struct {
	store.Catalog
	s *Store
}

func (r faultCatalog) Network(ctx context.Context, id string) (catalog.Network, error) {
	return call1(r.s, "Catalog.Network", func() (catalog.Network, error) { return r.Catalog.Network(ctx, id) })
}
func (r faultCatalog) PutNetwork(ctx context.Context, n catalog.Network) error {
	return call0(r.s, "Catalog.PutNetwork", func() error { return r.Catalog.PutNetwork(ctx, n) })
}
func (r faultCatalog) Location(ctx context.Context, network, id string) (catalog.Location, error) {
	return call1(r.s, "Catalog.Location", func() (catalog.Location, error) { return r.Catalog.Location(ctx, network, id) })
}
func (r faultCatalog) PutLocation(ctx context.Context, l catalog.Location) error {
	return call0(r.s, "Catalog.PutLocation", func() error { return r.Catalog.PutLocation(ctx, l) })
}
func (r faultCatalog) Locations(ctx context.Context, network string) ([]catalog.Location, error) {
	return call1(r.s, "Catalog.Locations", func() ([]catalog.Location, error) { return r.Catalog.Locations(ctx, network) })
}
func (r faultCatalog) CountLocations(ctx context.Context, network string) (int, error) {
	return call1(r.s, "Catalog.CountLocations", func() (int, error) { return r.Catalog.CountLocations(ctx, network) })
}
func (r faultCatalog) Team(ctx context.Context, network, id string) (catalog.Team, error) {
	return call1(r.s, "Catalog.Team", func() (catalog.Team, error) { return r.Catalog.Team(ctx, network, id) })
}
func (r faultCatalog) PutTeam(ctx context.Context, t catalog.Team) error {
	return call0(r.s, "Catalog.PutTeam", func() error { return r.Catalog.PutTeam(ctx, t) })
}
func (r faultCatalog) Holder(ctx context.Context, network, id string) (catalog.Holder, error) {
	return call1(r.s, "Catalog.Holder", func() (catalog.Holder, error) { return r.Catalog.Holder(ctx, network, id) })
}
func (r faultCatalog) PutHolder(ctx context.Context, h catalog.Holder) error {
	return call0(r.s, "Catalog.PutHolder", func() error { return r.Catalog.PutHolder(ctx, h) })
}
func (r faultCatalog) LockHolder(ctx context.Context, network, id string) error {
	return call0(r.s, "Catalog.LockHolder", func() error { return r.Catalog.LockHolder(ctx, network, id) })
}
func (r faultCatalog) LockTeam(ctx context.Context, network, id string) error {
	return call0(r.s, "Catalog.LockTeam", func() error { return r.Catalog.LockTeam(ctx, network, id) })
}
func (r faultCatalog) LockLocation(ctx context.Context, network, id string) error {
	return call0(r.s, "Catalog.LockLocation", func() error { return r.Catalog.LockLocation(ctx, network, id) })
}
func (r faultCatalog) Product(ctx context.Context, network, id string) (pass.Product, error) {
	return call1(r.s, "Catalog.Product", func() (pass.Product, error) { return r.Catalog.Product(ctx, network, id) })
}
func (r faultCatalog) PutProduct(ctx context.Context, p pass.Product) error {
	return call0(r.s, "Catalog.PutProduct", func() error { return r.Catalog.PutProduct(ctx, p) })
}
func (r faultCatalog) PAYG(ctx context.Context, network, id string) (billing.PAYG, error) {
	return call1(r.s, "Catalog.PAYG", func() (billing.PAYG, error) { return r.Catalog.PAYG(ctx, network, id) })
}
func (r faultCatalog) PutPAYG(ctx context.Context, p billing.PAYG) error {
	return call0(r.s, "Catalog.PutPAYG", func() error { return r.Catalog.PutPAYG(ctx, p) })
}
func (r faultCatalog) Products(ctx context.Context, network string, p store.Page) ([]pass.Product, error) {
	return call1(r.s, "Catalog.Products", func() ([]pass.Product, error) { return r.Catalog.Products(ctx, network, p) })
}
func (r faultCatalog) CodeKeyCheck(ctx context.Context, network string) (string, error) {
	return call1(r.s, "Catalog.CodeKeyCheck", func() (string, error) { return r.Catalog.CodeKeyCheck(ctx, network) })
}
func (r faultCatalog) PutCodeKeyCheck(ctx context.Context, network, check string) error {
	return call0(r.s, "Catalog.PutCodeKeyCheck", func() error { return r.Catalog.PutCodeKeyCheck(ctx, network, check) })
}
func (r faultCatalog) PAYGs(ctx context.Context, network string) ([]billing.PAYG, error) {
	return call1(r.s, "Catalog.PAYGs", func() ([]billing.PAYG, error) { return r.Catalog.PAYGs(ctx, network) })
}

type faultPasses struct {
	store.Passes
	s *Store
}

func (r faultPasses) Get(ctx context.Context, network, id string) (pass.Pass, error) {
	return call1(r.s, "Passes.Get", func() (pass.Pass, error) { return r.Passes.Get(ctx, network, id) })
}
func (r faultPasses) Put(ctx context.Context, p pass.Pass) error {
	return call0(r.s, "Passes.Put", func() error { return r.Passes.Put(ctx, p) })
}
func (r faultPasses) Live(ctx context.Context, network, holder, team string) ([]pass.Pass, error) {
	return call1(r.s, "Passes.Live", func() ([]pass.Pass, error) { return r.Passes.Live(ctx, network, holder, team) })
}
func (r faultPasses) List(ctx context.Context, f store.PassFilter) ([]pass.Pass, error) {
	return call1(r.s, "Passes.List", func() ([]pass.Pass, error) { return r.Passes.List(ctx, f) })
}
func (r faultPasses) ByCode(ctx context.Context, network, hash string) (pass.Pass, error) {
	return call1(r.s, "Passes.ByCode", func() (pass.Pass, error) { return r.Passes.ByCode(ctx, network, hash) })
}

type faultVisits struct {
	store.Visits
	s *Store
}

func (r faultVisits) Get(ctx context.Context, network, id string) (checkin.Visit, error) {
	return call1(r.s, "Visits.Get", func() (checkin.Visit, error) { return r.Visits.Get(ctx, network, id) })
}
func (r faultVisits) Put(ctx context.Context, v checkin.Visit) error {
	return call0(r.s, "Visits.Put", func() error { return r.Visits.Put(ctx, v) })
}
func (r faultVisits) Open(ctx context.Context, network, holder string) ([]checkin.Visit, error) {
	return call1(r.s, "Visits.Open", func() ([]checkin.Visit, error) { return r.Visits.Open(ctx, network, holder) })
}
func (r faultVisits) OnDates(ctx context.Context, network, holder string, from, to calendar.Date) ([]checkin.Visit, error) {
	return call1(r.s, "Visits.OnDates", func() ([]checkin.Visit, error) { return r.Visits.OnDates(ctx, network, holder, from, to) })
}
func (r faultVisits) OpenBefore(ctx context.Context, network string, t time.Time, limit int) ([]checkin.Visit, error) {
	return call1(r.s, "Visits.OpenBefore", func() ([]checkin.Visit, error) { return r.Visits.OpenBefore(ctx, network, t, limit) })
}
func (r faultVisits) List(ctx context.Context, f store.VisitFilter) ([]checkin.Visit, error) {
	return call1(r.s, "Visits.List", func() ([]checkin.Visit, error) { return r.Visits.List(ctx, f) })
}

type faultLedger struct {
	store.Ledger
	s *Store
}

func (r faultLedger) Append(ctx context.Context, entries ...pass.Entry) error {
	return call0(r.s, "Ledger.Append", func() error { return r.Ledger.Append(ctx, entries...) })
}
func (r faultLedger) List(ctx context.Context, f store.LedgerFilter) ([]pass.Entry, error) {
	return call1(r.s, "Ledger.List", func() ([]pass.Entry, error) { return r.Ledger.List(ctx, f) })
}

type faultIdem struct {
	store.Idempotency
	s *Store
}

func (r faultIdem) Get(ctx context.Context, network, key string) (store.Record, error) {
	return call1(r.s, "Idempotency.Get", func() (store.Record, error) { return r.Idempotency.Get(ctx, network, key) })
}
func (r faultIdem) Put(ctx context.Context, rec store.Record) error {
	return call0(r.s, "Idempotency.Put", func() error { return r.Idempotency.Put(ctx, rec) })
}

type faultGuards struct {
	store.Guards
	s *Store
}

func (r faultGuards) Get(ctx context.Context, network, location string) (checkin.Guard, error) {
	return call1(r.s, "Guards.Get", func() (checkin.Guard, error) { return r.Guards.Get(ctx, network, location) })
}
func (r faultGuards) Put(ctx context.Context, g checkin.Guard) error {
	return call0(r.s, "Guards.Put", func() error { return r.Guards.Put(ctx, g) })
}

type faultTerms struct {
	store.Terms
	s *Store
}

func (r faultTerms) Put(ctx context.Context, t billing.Terms) error {
	return call0(r.s, "Terms.Put", func() error { return r.Terms.Put(ctx, t) })
}
func (r faultTerms) Get(ctx context.Context, network, id string) (billing.Terms, error) {
	return call1(r.s, "Terms.Get", func() (billing.Terms, error) { return r.Terms.Get(ctx, network, id) })
}
func (r faultTerms) At(ctx context.Context, network, location string, t time.Time) (billing.Terms, error) {
	return call1(r.s, "Terms.At", func() (billing.Terms, error) { return r.Terms.At(ctx, network, location, t) })
}
func (r faultTerms) List(ctx context.Context, network, location string) ([]billing.Terms, error) {
	return call1(r.s, "Terms.List", func() ([]billing.Terms, error) { return r.Terms.List(ctx, network, location) })
}
