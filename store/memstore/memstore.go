// Package memstore is the in-memory store of passengine: for tests, demos
// and single-process hosts that keep nothing on disk.
//
// Units of work are serialized: Update holds a write lock for its whole
// closure (so every holder is trivially locked, I2) and keeps an undo log
// that restores every change when the closure fails or panics (I3). View
// takes a read lock. Indexes keep the check-in path on live rows: a holder's
// passes with a balance, open visits, and visits by service date.
package memstore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

// ErrClosed is returned by a Store used after Close.
var ErrClosed = errors.New("memstore: closed")

// Store is an in-memory store.Store. The zero value is not usable; call New.
type Store struct {
	mu     sync.RWMutex
	closed bool

	networks  map[string]catalog.Network
	locations map[string]catalog.Location
	locCount  map[string]int // network -> number of locations
	teams     map[string]catalog.Team
	holders   map[string]catalog.Holder
	products  map[string]pass.Product
	paygs     map[string]billing.PAYG
	passes    map[string]pass.Pass
	visits    map[string]checkin.Visit
	idem      map[string]store.Record
	guards    map[string]checkin.Guard
	terms     map[string]billing.Terms
	codes     map[string]string // network+code hash -> pass ID
	codeKeys  map[string]string // network -> passcode key check (S6)
	ledger    []pass.Entry
	entryIDs  map[string]bool

	live   map[string]map[string]bool                   // network+owner -> live pass IDs
	open   map[string]map[string]bool                   // network+holder -> open visit IDs
	byDate map[string]map[calendar.Date]map[string]bool // network+holder -> date -> visit IDs
	byPass map[string][]int                             // network+pass -> ledger indexes

	cardIndexes             // cards.go
	wallet      *walletData // prepaid accounts (wallet.go)
}

// New returns an empty Store.
func New() *Store {
	return &Store{
		networks: map[string]catalog.Network{}, locations: map[string]catalog.Location{}, locCount: map[string]int{},
		teams: map[string]catalog.Team{}, holders: map[string]catalog.Holder{},
		products: map[string]pass.Product{}, paygs: map[string]billing.PAYG{},
		passes: map[string]pass.Pass{}, visits: map[string]checkin.Visit{},
		idem: map[string]store.Record{}, entryIDs: map[string]bool{},
		guards: map[string]checkin.Guard{}, terms: map[string]billing.Terms{}, codes: map[string]string{},
		codeKeys: map[string]string{},
		live:     map[string]map[string]bool{}, open: map[string]map[string]bool{},
		byDate: map[string]map[calendar.Date]map[string]bool{}, byPass: map[string][]int{},
		cardIndexes: newCardIndexes(),
		wallet:      newWalletData(),
	}
}

func key(network, id string) string { return network + "\x00" + id }

// Update runs fn with a write lock held; every change fn made is undone if
// it returns an error or panics (the panic is then re-raised).
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	t := &tx{s: s, ctx: ctx, write: true}
	defer func() {
		if r := recover(); r != nil {
			t.rollback()
			panic(r)
		}
		if err != nil {
			t.rollback()
		}
	}()
	if err = fn(t); err != nil {
		return err
	}
	return ctx.Err()
}

// View runs fn with a read lock held; writes inside it fail.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return ErrClosed
	}
	return fn(&tx{s: s, ctx: ctx})
}

// Close makes the store unusable. It returns nil.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

type tx struct {
	s     *Store
	ctx   context.Context
	write bool
	undo  []func()
}

func (t *tx) rollback() {
	for i := len(t.undo) - 1; i >= 0; i-- {
		t.undo[i]()
	}
	t.undo = nil
}

var errReadOnly = errors.New("memstore: write in a read-only unit of work")

func (t *tx) writable() error {
	if !t.write {
		return errReadOnly
	}
	return t.ctx.Err()
}

func (t *tx) Catalog() store.Catalog         { return catalogRepo{t} }
func (t *tx) Passes() store.Passes           { return passRepo{t} }
func (t *tx) Visits() store.Visits           { return visitRepo{t} }
func (t *tx) Ledger() store.Ledger           { return ledgerRepo{t} }
func (t *tx) Idempotency() store.Idempotency { return idemRepo{t} }
func (t *tx) Guards() store.Guards           { return guardRepo{t} }
func (t *tx) Terms() store.Terms             { return termsRepo{t} }
func (t *tx) Cards() store.Cards             { return cardRepo{t} }

// put stores v at k in m and logs how to undo it.
func put[V any](t *tx, m map[string]V, k string, v V) error {
	if err := t.writable(); err != nil {
		return err
	}
	old, had := m[k]
	m[k] = v
	t.undo = append(t.undo, func() {
		if had {
			m[k] = old
		} else {
			delete(m, k)
		}
	})
	return nil
}

func get[V any](m map[string]V, k, what string) (V, error) {
	v, ok := m[k]
	if !ok {
		var zero V
		return zero, fmt.Errorf("%s %q: %w", what, k[max(0, indexNUL(k)+1):], store.ErrNotFound)
	}
	return v, nil
}

func indexNUL(k string) int {
	for i := 0; i < len(k); i++ {
		if k[i] == 0 {
			return i
		}
	}
	return -1
}

func sortedValues[V any](m map[string]V, network string, less func(a, b V) int) []V {
	prefix := network + "\x00"
	var out []V
	for k, v := range m {
		if len(k) > len(prefix) && k[:len(prefix)] == prefix {
			out = append(out, v)
		}
	}
	slices.SortFunc(out, less)
	return out
}

func page[V any](vs []V, offset, limit int) []V {
	if offset > 0 {
		if offset >= len(vs) {
			return nil
		}
		vs = vs[offset:]
	}
	if limit > 0 && len(vs) > limit {
		vs = vs[:limit]
	}
	return vs
}

type catalogRepo struct{ t *tx }

func (r catalogRepo) Network(_ context.Context, id string) (catalog.Network, error) {
	return get(r.t.s.networks, key("", id), "network")
}
func (r catalogRepo) PutNetwork(_ context.Context, n catalog.Network) error {
	return put(r.t, r.t.s.networks, key("", n.ID), n)
}
func (r catalogRepo) Location(_ context.Context, network, id string) (catalog.Location, error) {
	return get(r.t.s.locations, key(network, id), "location")
}
func (r catalogRepo) PutLocation(_ context.Context, l catalog.Location) error {
	s, k := r.t.s, key(l.Network, l.ID)
	_, had := s.locations[k]
	if err := put(r.t, s.locations, k, l); err != nil || had {
		return err
	}
	s.locCount[l.Network]++
	r.t.undo = append(r.t.undo, func() { s.locCount[l.Network]-- })
	return nil
}
func (r catalogRepo) Locations(_ context.Context, network string) ([]catalog.Location, error) {
	return sortedValues(r.t.s.locations, network, func(a, b catalog.Location) int { return cmp.Compare(a.ID, b.ID) }), nil
}
func (r catalogRepo) CountLocations(_ context.Context, network string) (int, error) {
	return r.t.s.locCount[network], nil
}
func (r catalogRepo) Team(_ context.Context, network, id string) (catalog.Team, error) {
	return get(r.t.s.teams, key(network, id), "team")
}
func (r catalogRepo) PutTeam(_ context.Context, tm catalog.Team) error {
	return put(r.t, r.t.s.teams, key(tm.Network, tm.ID), tm)
}
func (r catalogRepo) Holder(_ context.Context, network, id string) (catalog.Holder, error) {
	h, err := get(r.t.s.holders, key(network, id), "holder")
	if h.HealthDeclaredAt != nil {
		at := *h.HealthDeclaredAt
		h.HealthDeclaredAt = &at
	}
	return h, err
}
func (r catalogRepo) PutHolder(_ context.Context, h catalog.Holder) error {
	if h.HealthDeclaredAt != nil {
		at := h.HealthDeclaredAt.UTC()
		h.HealthDeclaredAt = &at
	}
	return put(r.t, r.t.s.holders, key(h.Network, h.ID), h)
}

// LockHolder checks the holder exists: the write lock already serializes
// every unit of work.
func (r catalogRepo) LockHolder(ctx context.Context, network, id string) error {
	_, err := r.Holder(ctx, network, id)
	return err
}

// LockLocation checks the location exists.
func (r catalogRepo) LockLocation(ctx context.Context, network, id string) error {
	_, err := r.Location(ctx, network, id)
	return err
}

// LockTeam checks the team exists.
func (r catalogRepo) LockTeam(ctx context.Context, network, id string) error {
	_, err := r.Team(ctx, network, id)
	return err
}
func (r catalogRepo) Product(_ context.Context, network, id string) (pass.Product, error) {
	p, err := get(r.t.s.products, key(network, id), "product")
	p.Locations = slices.Clone(p.Locations)
	return p, err
}
func (r catalogRepo) PutProduct(_ context.Context, p pass.Product) error {
	p.Locations = slices.Clone(p.Locations)
	return put(r.t, r.t.s.products, key(p.Network, p.ID), p)
}
func (r catalogRepo) Products(_ context.Context, network string, p store.Page) ([]pass.Product, error) {
	ps := sortedValues(r.t.s.products, network, func(a, b pass.Product) int { return cmp.Compare(a.ID, b.ID) })
	i, _ := slices.BinarySearchFunc(ps, p.After, func(q pass.Product, id string) int {
		if q.ID <= id {
			return -1
		}
		return 1
	})
	ps = page(ps[i:], 0, p.Limit)
	for i := range ps {
		ps[i].Locations = slices.Clone(ps[i].Locations)
	}
	return ps, nil
}
func (r catalogRepo) CodeKeyCheck(_ context.Context, network string) (string, error) {
	return r.t.s.codeKeys[network], nil
}
func (r catalogRepo) PutCodeKeyCheck(_ context.Context, network, check string) error {
	if _, ok := r.t.s.codeKeys[network]; ok {
		return fmt.Errorf("network %q: passcode key check recorded: %w", network, store.ErrConflict)
	}
	return put(r.t, r.t.s.codeKeys, network, check)
}
func (r catalogRepo) PAYG(_ context.Context, network, id string) (billing.PAYG, error) {
	p, err := get(r.t.s.paygs, key(network, id), "PAYG product")
	return clonePAYG(p), err
}
func (r catalogRepo) PutPAYG(_ context.Context, p billing.PAYG) error {
	return put(r.t, r.t.s.paygs, key(p.Network, p.ID), clonePAYG(p))
}
func (r catalogRepo) PAYGs(_ context.Context, network string) ([]billing.PAYG, error) {
	ps := sortedValues(r.t.s.paygs, network, func(a, b billing.PAYG) int { return cmp.Compare(a.ID, b.ID) })
	for i := range ps {
		ps[i] = clonePAYG(ps[i])
	}
	return ps, nil
}

func clonePAYG(p billing.PAYG) billing.PAYG {
	p.Prices = slices.Clone(p.Prices)
	p.Locations = slices.Clone(p.Locations)
	return p
}

type passRepo struct{ t *tx }

func owner(p *pass.Pass) string {
	if p.Team != "" {
		return key(p.Network, "t:"+p.Team)
	}
	return key(p.Network, "h:"+p.Holder)
}

// setPass replaces the pass at k with p (nil deletes) and keeps the live
// index current.
func (s *Store) setPass(k string, p *pass.Pass) {
	if old, ok := s.passes[k]; ok {
		s.unindexExpiry(&old)
		delete(s.live[owner(&old)], old.ID)
		if old.CodeHash != "" {
			delete(s.codes, key(old.Network, old.CodeHash))
		}
	}
	if p == nil {
		delete(s.passes, k)
		return
	}
	s.passes[k] = *p
	s.indexExpiry(p)
	if p.CodeHash != "" {
		s.codes[key(p.Network, p.CodeHash)] = p.ID
	}
	if p.Balance > 0 {
		o := owner(p)
		if s.live[o] == nil {
			s.live[o] = map[string]bool{}
		}
		s.live[o][p.ID] = true
	}
}

func (r passRepo) Get(_ context.Context, network, id string) (pass.Pass, error) {
	p, err := get(r.t.s.passes, key(network, id), "pass")
	return p.Clone(), err
}

func (r passRepo) Put(_ context.Context, p pass.Pass) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	s, k := r.t.s, key(p.Network, p.ID)
	if p.CodeHash != "" {
		if id, ok := s.codes[key(p.Network, p.CodeHash)]; ok && id != p.ID {
			return fmt.Errorf("pass %q: code already used by pass %q: %w", p.ID, id, store.ErrConflict)
		}
	}
	old, had := s.passes[k]
	p = p.Clone()
	s.setPass(k, &p)
	r.t.undo = append(r.t.undo, func() {
		if had {
			s.setPass(k, &old)
		} else {
			s.setPass(k, nil)
		}
	})
	return nil
}

func (r passRepo) Live(_ context.Context, network, holder, team string) ([]pass.Pass, error) {
	s := r.t.s
	var out []pass.Pass
	add := func(o string) {
		for id := range s.live[o] {
			out = append(out, s.passes[key(network, id)].Clone())
		}
	}
	add(key(network, "h:"+holder))
	if team != "" {
		add(key(network, "t:"+team))
	}
	slices.SortFunc(out, func(a, b pass.Pass) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

func (r passRepo) List(_ context.Context, f store.PassFilter) ([]pass.Pass, error) {
	ps := sortedValues(r.t.s.passes, f.Network, func(a, b pass.Pass) int {
		return cmp.Or(a.IssuedAt.Compare(b.IssuedAt), cmp.Compare(a.ID, b.ID))
	})
	out := ps[:0]
	for _, p := range ps {
		if (f.Holder == "" || p.Holder == f.Holder) && (f.Team == "" || p.Team == f.Team) && (!f.Unpaid || !p.Paid) {
			out = append(out, p.Clone())
		}
	}
	return page(out, f.Offset, f.Limit), nil
}

func (r passRepo) ByCode(ctx context.Context, network, hash string) (pass.Pass, error) {
	id, ok := r.t.s.codes[key(network, hash)]
	if !ok {
		return pass.Pass{}, fmt.Errorf("pass code: %w", store.ErrNotFound)
	}
	return r.Get(ctx, network, id)
}

type visitRepo struct{ t *tx }

// setVisit replaces the visit at k with v (nil deletes) and keeps the open
// and by-date indexes current.
func (s *Store) setVisit(k string, v *checkin.Visit) {
	if old, ok := s.visits[k]; ok {
		hk := key(old.Network, old.Holder)
		delete(s.open[hk], old.ID)
		delete(s.byDate[hk][old.Date], old.ID)
	}
	if v == nil {
		delete(s.visits, k)
		return
	}
	s.visits[k] = *v
	hk := key(v.Network, v.Holder)
	if v.IsOpen() {
		if s.open[hk] == nil {
			s.open[hk] = map[string]bool{}
		}
		s.open[hk][v.ID] = true
	}
	if s.byDate[hk] == nil {
		s.byDate[hk] = map[calendar.Date]map[string]bool{}
	}
	if s.byDate[hk][v.Date] == nil {
		s.byDate[hk][v.Date] = map[string]bool{}
	}
	s.byDate[hk][v.Date][v.ID] = true
}

func byStart(a, b checkin.Visit) int {
	return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.ID, b.ID))
}

func (r visitRepo) Get(_ context.Context, network, id string) (checkin.Visit, error) {
	v, err := get(r.t.s.visits, key(network, id), "visit")
	return v.Clone(), err
}

func (r visitRepo) Put(_ context.Context, v checkin.Visit) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	s, k := r.t.s, key(v.Network, v.ID)
	old, had := s.visits[k]
	v = v.Clone()
	s.setVisit(k, &v)
	r.t.undo = append(r.t.undo, func() {
		if had {
			s.setVisit(k, &old)
		} else {
			s.setVisit(k, nil)
		}
	})
	return nil
}

func (r visitRepo) collect(network string, ids map[string]bool) []checkin.Visit {
	out := make([]checkin.Visit, 0, len(ids))
	for id := range ids {
		out = append(out, r.t.s.visits[key(network, id)].Clone())
	}
	slices.SortFunc(out, byStart)
	return out
}

func (r visitRepo) Open(_ context.Context, network, holder string) ([]checkin.Visit, error) {
	return r.collect(network, r.t.s.open[key(network, holder)]), nil
}

func (r visitRepo) OnDates(_ context.Context, network, holder string, from, to calendar.Date) ([]checkin.Visit, error) {
	dates := r.t.s.byDate[key(network, holder)]
	var out []checkin.Visit
	for d := from; !d.After(to); d = d.AddDays(1) {
		out = append(out, r.collect(network, dates[d])...)
	}
	slices.SortFunc(out, byStart)
	return out, nil
}

func (r visitRepo) OpenBefore(_ context.Context, network string, t time.Time, limit int) ([]checkin.Visit, error) {
	var out []checkin.Visit
	for hk, ids := range r.t.s.open {
		if len(hk) <= len(network) || hk[:len(network)+1] != network+"\x00" {
			continue
		}
		for id := range ids {
			if v := r.t.s.visits[key(network, id)]; v.Start.Before(t) {
				out = append(out, v.Clone())
			}
		}
	}
	slices.SortFunc(out, byStart)
	return page(out, 0, limit), nil
}

func (r visitRepo) List(_ context.Context, f store.VisitFilter) ([]checkin.Visit, error) {
	vs := sortedValues(r.t.s.visits, f.Network, byStart)
	out := vs[:0]
	for _, v := range vs {
		if (f.Holder == "" || v.Holder == f.Holder) && (f.Location == "" || v.Location == f.Location) &&
			(f.Kind == "" || v.Kind == f.Kind) && (f.Mode == "" || v.Mode == f.Mode) &&
			(f.From.IsZero() || !v.Date.Before(f.From)) && (f.To.IsZero() || !v.Date.After(f.To)) {
			out = append(out, v.Clone())
		}
	}
	return page(out, f.Offset, f.Limit), nil
}

type ledgerRepo struct{ t *tx }

func (r ledgerRepo) Append(_ context.Context, entries ...pass.Entry) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	s := r.t.s
	seen := make(map[string]bool, len(entries))
	for _, e := range entries {
		k := key(e.Network, e.ID)
		if s.entryIDs[k] || seen[k] {
			return fmt.Errorf("ledger entry %q: %w", e.ID, store.ErrConflict)
		}
		seen[k] = true
	}
	for _, e := range entries {
		k, pk := key(e.Network, e.ID), key(e.Network, e.Pass)
		e.At = e.At.UTC()
		s.entryIDs[k] = true
		s.byPass[pk] = append(s.byPass[pk], len(s.ledger))
		s.ledger = append(s.ledger, e)
		s.indexAt(len(s.ledger) - 1)
		r.t.undo = append(r.t.undo, func() {
			s.unindexAt(len(s.ledger) - 1)
			delete(s.entryIDs, k)
			s.byPass[pk] = s.byPass[pk][:len(s.byPass[pk])-1]
			s.ledger = s.ledger[:len(s.ledger)-1]
		})
	}
	return nil
}

func (r ledgerRepo) List(_ context.Context, f store.LedgerFilter) ([]pass.Entry, error) {
	s := r.t.s
	var out []pass.Entry
	match := func(e *pass.Entry) bool {
		return e.Network == f.Network && (f.Pass == "" || e.Pass == f.Pass) && (f.Holder == "" || e.Holder == f.Holder)
	}
	if f.Pass != "" {
		for _, i := range s.byPass[key(f.Network, f.Pass)] {
			if match(&s.ledger[i]) {
				out = append(out, s.ledger[i])
			}
		}
	} else {
		for i := range s.ledger {
			if match(&s.ledger[i]) {
				out = append(out, s.ledger[i])
			}
		}
	}
	return page(out, f.Offset, f.Limit), nil
}

type idemRepo struct{ t *tx }

func (r idemRepo) Get(_ context.Context, network, k string) (store.Record, error) {
	rec, err := get(r.t.s.idem, key(network, k), "idempotency key")
	rec.Request, rec.Result = slices.Clone(rec.Request), slices.Clone(rec.Result)
	return rec, err
}

func (r idemRepo) Put(_ context.Context, rec store.Record) error {
	k := key(rec.Network, rec.Key)
	if _, ok := r.t.s.idem[k]; ok {
		return fmt.Errorf("idempotency key %q: %w", rec.Key, store.ErrConflict)
	}
	rec.Request, rec.Result = slices.Clone(rec.Request), slices.Clone(rec.Result)
	return put(r.t, r.t.s.idem, k, rec)
}

type guardRepo struct{ t *tx }

func (r guardRepo) Get(_ context.Context, network, location string) (checkin.Guard, error) {
	g, ok := r.t.s.guards[key(network, location)]
	if !ok {
		return checkin.Guard{Network: network, Location: location}, nil
	}
	return g.Clone(), nil
}

func (r guardRepo) Put(_ context.Context, g checkin.Guard) error {
	g = g.Clone()
	for i := range g.Failures {
		g.Failures[i] = g.Failures[i].UTC()
	}
	g.LockedUntil = g.LockedUntil.UTC()
	return put(r.t, r.t.s.guards, key(g.Network, g.Location), g)
}

type termsRepo struct{ t *tx }

func cloneTerms(t billing.Terms) billing.Terms {
	t.Rates = slices.Clone(t.Rates)
	return t
}

func (r termsRepo) Put(_ context.Context, t billing.Terms) error {
	t = cloneTerms(t)
	t.EffectiveFrom = t.EffectiveFrom.UTC()
	return put(r.t, r.t.s.terms, key(t.Network, t.ID), t)
}

func (r termsRepo) Get(_ context.Context, network, id string) (billing.Terms, error) {
	t, err := get(r.t.s.terms, key(network, id), "terms")
	return cloneTerms(t), err
}

func (r termsRepo) List(_ context.Context, network, location string) ([]billing.Terms, error) {
	all := sortedValues(r.t.s.terms, network, func(a, b billing.Terms) int {
		return cmp.Or(a.EffectiveFrom.Compare(b.EffectiveFrom), cmp.Compare(a.ID, b.ID))
	})
	var out []billing.Terms
	for _, t := range all {
		if t.Location == location {
			out = append(out, cloneTerms(t))
		}
	}
	return out, nil
}

func (r termsRepo) At(ctx context.Context, network, location string, at time.Time) (billing.Terms, error) {
	ts, _ := r.List(ctx, network, location)
	for i := len(ts) - 1; i >= 0; i-- {
		if !ts[i].EffectiveFrom.After(at) {
			return ts[i], nil
		}
	}
	return billing.Terms{}, fmt.Errorf("terms of location %q at %s: %w", location, at.UTC().Format(time.RFC3339), store.ErrNotFound)
}
