// Package memstore is the in-memory store of passengine: for tests, demos
// and single-process hosts that keep nothing on disk.
//
// Units of work are serialized: Update holds a write lock for its whole
// closure (so every holder is trivially locked, I2) and keeps an undo log
// of records that restores every change when the closure fails or panics
// (I3). View takes a read lock.
//
// Rows are keyed by (network, ID) structs, never by concatenated strings.
// Passes are kept as immutable rows: a Put makes a new row and swaps it
// into the maps and indexes, so an undo record only keeps the old row (a
// state hands out the rows themselves). A visit is a new row when its
// place in the indexes changes, and otherwise (a check-out) written over
// in place, its old value kept by the unit of work for the undo: reads
// copy visits under the lock. The ledger and the idempotency records are
// kept encoded, without pointers for the garbage collector to scan
// (ledger.go, records.go).
//
// Indexes keep the check-in path on live rows: per owner (holder or team)
// the passes with a balance sorted by ID, per holder the open visits
// sorted by start and every visit sorted by service date. The Tx is a
// store.StateLoader that reads a call's state from them in one call, with
// the copies it hands out made in a few shared allocations.
package memstore

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

// ErrClosed is returned by a Store used after Close. It wraps
// store.ErrClosed.
var ErrClosed = fmt.Errorf("memstore: %w", store.ErrClosed)

// nk is the key of a row: its network and ID.
type nk struct{ net, id string }

// Store is an in-memory store.Store. The zero value is not usable; call New.
type Store struct {
	mu     sync.RWMutex
	closed bool
	wtx    tx        // the unit of work Update runs, reused under the write lock
	views  sync.Pool // of *tx for View

	networks  map[string]catalog.Network
	locations valMap[catalog.Location]
	locCount  map[string]int // network -> number of locations
	teams     valMap[catalog.Team]
	holders   valMap[catalog.Holder]
	products  valMap[pass.Product]
	paygs     valMap[billing.PAYG]
	paygIDs   map[string][]string // network -> its PAYG IDs, sorted
	passes    map[nk]*passRow
	visits    map[nk]*visitRow
	records   recordLog // records.go
	monies    monies    // rows.go
	guards    valMap[checkin.Guard]
	terms     valMap[billing.Terms]
	codes     map[nk]string     // network+code hash -> pass ID
	codeKeys  map[string]string // network -> passcode key check (S6)
	ledger    entryLog          // ledger.go

	live map[ownerKey][]*passRow // owner -> passes with a balance, by ID
	hv   map[nk]*holderVisits    // network+holder -> visit indexes

	cardIndexes             // cards.go
	wallet      *walletData // prepaid accounts (wallet.go)
}

// ownerKey is the key of an owner's live passes: a holder's, or a team's
// when team is set.
type ownerKey struct {
	net, id string
	team    bool
}

// holderVisits are the indexes of one holder's visits: the open ones by
// (start, ID) and all of them by (service date, start, ID).
type holderVisits struct {
	open  []*visitRow
	dated []*visitRow
}

// New returns an empty Store.
func New() *Store {
	s := &Store{
		networks: map[string]catalog.Network{}, locations: valMap[catalog.Location]{}, locCount: map[string]int{},
		teams: valMap[catalog.Team]{}, holders: valMap[catalog.Holder]{},
		products: valMap[pass.Product]{}, paygs: valMap[billing.PAYG]{}, paygIDs: map[string][]string{},
		passes: map[nk]*passRow{}, visits: map[nk]*visitRow{},
		records: newRecordLog(), ledger: newEntryLog(), monies: monies{},
		guards: valMap[checkin.Guard]{}, terms: valMap[billing.Terms]{}, codes: map[nk]string{},
		codeKeys: map[string]string{},
		live:     map[ownerKey][]*passRow{}, hv: map[nk]*holderVisits{},
		cardIndexes: newCardIndexes(),
		wallet:      newWalletData(),
	}
	s.views.New = func() any { return new(tx) }
	return s
}

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
	t := &s.wtx
	t.s, t.ctx, t.write = s, ctx, true
	defer func() {
		if r := recover(); r != nil {
			t.rollback()
			t.done()
			panic(r)
		}
		if err != nil {
			t.rollback()
		}
		t.done()
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
	t := s.views.Get().(*tx)
	t.s, t.ctx, t.write = s, ctx, false
	defer func() {
		t.s, t.ctx = nil, nil
		s.views.Put(t)
	}()
	return fn(t)
}

// InProcess returns true: the store's data is in this process's memory
// alone (store.InProcess), so the Engine writes its records in its newest
// format.
func (s *Store) InProcess() bool { return true }

// Close makes the store unusable. It returns nil.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

type tx struct {
	s         *Store
	ctx       context.Context
	write     bool
	undo      []undo
	visitsWas []visitRow // the old values of the rows Put wrote over
}

// undo is one record of the undo log: r puts back what was at k before the
// change (old, or nothing when had is false; for a visit written over in
// place, tx.visitsWas[i]).
type undo struct {
	r   restorer
	k   nk
	old any
	had bool
	i   int
}

// restorer undoes one kind of change.
type restorer interface{ restore(s *Store, u *undo) }

// fnUndo is the undo of a rare change, as a closure.
type fnUndo func()

func (f fnUndo) restore(*Store, *undo) { f() }

// onUndo logs f as the undo of a rare change.
func (t *tx) onUndo(f func()) { t.undo = append(t.undo, undo{r: fnUndo(f)}) }

func (t *tx) rollback() {
	for i := len(t.undo) - 1; i >= 0; i-- {
		t.undo[i].r.restore(t.s, &t.undo[i])
	}
}

// done forgets the unit of work's log, keeping its capacity.
func (t *tx) done() {
	clear(t.undo)
	t.undo = t.undo[:0]
	clear(t.visitsWas)
	t.visitsWas = t.visitsWas[:0]
	t.ctx, t.write = nil, false
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

// valMap is a table of values by (network, ID); its undo puts the old
// value back.
type valMap[V any] map[nk]V

func (m valMap[V]) restore(_ *Store, u *undo) {
	if u.had {
		m[u.k] = u.old.(V)
	} else {
		delete(m, u.k)
	}
}

// put stores v at k in m and logs how to undo it.
func put[V any](t *tx, m valMap[V], k nk, v V) error {
	if err := t.writable(); err != nil {
		return err
	}
	old, had := m[k]
	m[k] = v
	u := undo{r: m, k: k, had: had}
	if had {
		u.old = old
	}
	t.undo = append(t.undo, u)
	return nil
}

// notFound is the ErrNotFound of a missing row, formatted only when read:
// "<what> <quoted id>: not found".
type notFound struct{ what, id string }

func (e *notFound) Error() string {
	return e.what + " " + strconv.Quote(e.id) + ": " + store.ErrNotFound.Error()
}

func (e *notFound) Unwrap() error { return store.ErrNotFound }

func missing(what, id string) error { return &notFound{what, id} }

func get[V any](m valMap[V], k nk, what string) (V, error) {
	v, ok := m[k]
	if !ok {
		return v, missing(what, k.id)
	}
	return v, nil
}

// inNetwork returns the values of m in network, sorted by less.
func inNetwork[V any](m valMap[V], network string, less func(a, b V) int) []V {
	var out []V
	for k, v := range m {
		if k.net == network {
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

// networkUndo puts a network back.
type networkUndo struct{}

func (networkUndo) restore(s *Store, u *undo) {
	if u.had {
		s.networks[u.k.id] = u.old.(catalog.Network)
	} else {
		delete(s.networks, u.k.id)
	}
}

func (r catalogRepo) Network(_ context.Context, id string) (catalog.Network, error) {
	n, ok := r.t.s.networks[id]
	if !ok {
		return n, missing("network", id)
	}
	return n, nil
}
func (r catalogRepo) PutNetwork(_ context.Context, n catalog.Network) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	s := r.t.s
	old, had := s.networks[n.ID]
	s.networks[n.ID] = n
	r.t.undo = append(r.t.undo, undo{r: networkUndo{}, k: nk{id: n.ID}, old: old, had: had})
	return nil
}
func (r catalogRepo) Location(_ context.Context, network, id string) (catalog.Location, error) {
	return get(r.t.s.locations, nk{network, id}, "location")
}

// locCountUndo takes back a location count's increment.
type locCountUndo struct{}

func (locCountUndo) restore(s *Store, u *undo) { s.locCount[u.k.net]-- }

func (r catalogRepo) PutLocation(_ context.Context, l catalog.Location) error {
	s, k := r.t.s, nk{l.Network, l.ID}
	_, had := s.locations[k]
	if err := put(r.t, s.locations, k, l); err != nil || had {
		return err
	}
	s.locCount[l.Network]++
	r.t.undo = append(r.t.undo, undo{r: locCountUndo{}, k: k})
	return nil
}
func (r catalogRepo) Locations(_ context.Context, network string) ([]catalog.Location, error) {
	return inNetwork(r.t.s.locations, network, func(a, b catalog.Location) int { return cmp.Compare(a.ID, b.ID) }), nil
}
func (r catalogRepo) CountLocations(_ context.Context, network string) (int, error) {
	return r.t.s.locCount[network], nil
}
func (r catalogRepo) Team(_ context.Context, network, id string) (catalog.Team, error) {
	return get(r.t.s.teams, nk{network, id}, "team")
}
func (r catalogRepo) PutTeam(_ context.Context, tm catalog.Team) error {
	return put(r.t, r.t.s.teams, nk{tm.Network, tm.ID}, tm)
}
func (r catalogRepo) Holder(_ context.Context, network, id string) (catalog.Holder, error) {
	h, err := get(r.t.s.holders, nk{network, id}, "holder")
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
	return put(r.t, r.t.s.holders, nk{h.Network, h.ID}, h)
}

// LockHolder checks the holder exists: the write lock already serializes
// every unit of work.
func (r catalogRepo) LockHolder(_ context.Context, network, id string) error {
	if _, ok := r.t.s.holders[nk{network, id}]; !ok {
		return missing("holder", id)
	}
	return nil
}

// LockLocation checks the location exists.
func (r catalogRepo) LockLocation(_ context.Context, network, id string) error {
	if _, ok := r.t.s.locations[nk{network, id}]; !ok {
		return missing("location", id)
	}
	return nil
}

// LockTeam checks the team exists.
func (r catalogRepo) LockTeam(_ context.Context, network, id string) error {
	if _, ok := r.t.s.teams[nk{network, id}]; !ok {
		return missing("team", id)
	}
	return nil
}
func (r catalogRepo) Product(_ context.Context, network, id string) (pass.Product, error) {
	p, err := get(r.t.s.products, nk{network, id}, "product")
	p.Locations = slices.Clone(p.Locations)
	return p, err
}
func (r catalogRepo) PutProduct(_ context.Context, p pass.Product) error {
	p.Locations = slices.Clone(p.Locations)
	return put(r.t, r.t.s.products, nk{p.Network, p.ID}, p)
}
func (r catalogRepo) Products(_ context.Context, network string, p store.Page) ([]pass.Product, error) {
	ps := inNetwork(r.t.s.products, network, func(a, b pass.Product) int { return cmp.Compare(a.ID, b.ID) })
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
	if err := r.t.writable(); err != nil {
		return err
	}
	s := r.t.s
	if _, ok := s.codeKeys[network]; ok {
		return fmt.Errorf("network %q: passcode key check recorded: %w", network, store.ErrConflict)
	}
	s.codeKeys[network] = check
	r.t.onUndo(func() { delete(s.codeKeys, network) })
	return nil
}
func (r catalogRepo) PAYG(_ context.Context, network, id string) (billing.PAYG, error) {
	p, err := get(r.t.s.paygs, nk{network, id}, "PAYG product")
	return clonePAYG(p), err
}

// paygUndo puts a PAYG product back, and takes a new one's ID out of its
// network's list.
type paygUndo struct{}

func (paygUndo) restore(s *Store, u *undo) {
	if u.had {
		s.paygs[u.k] = u.old.(billing.PAYG)
		return
	}
	delete(s.paygs, u.k)
	ids := s.paygIDs[u.k.net]
	if i, ok := slices.BinarySearch(ids, u.k.id); ok {
		s.paygIDs[u.k.net] = slices.Delete(ids, i, i+1)
	}
}

func (r catalogRepo) PutPAYG(_ context.Context, p billing.PAYG) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	s, k := r.t.s, nk{p.Network, p.ID}
	old, had := s.paygs[k]
	s.paygs[k] = clonePAYG(p)
	u := undo{r: paygUndo{}, k: k, had: had}
	if had {
		u.old = old
	} else {
		ids := s.paygIDs[k.net]
		i, _ := slices.BinarySearch(ids, k.id)
		s.paygIDs[k.net] = slices.Insert(ids, i, k.id)
	}
	r.t.undo = append(r.t.undo, u)
	return nil
}
func (r catalogRepo) PAYGs(_ context.Context, network string) ([]billing.PAYG, error) {
	s := r.t.s
	ids := s.paygIDs[network]
	if len(ids) == 0 {
		return nil, nil
	}
	ps := make([]billing.PAYG, len(ids))
	for i, id := range ids {
		ps[i] = clonePAYG(s.paygs[nk{network, id}])
	}
	return ps, nil
}

func clonePAYG(p billing.PAYG) billing.PAYG {
	p.Prices = slices.Clone(p.Prices)
	p.Locations = slices.Clone(p.Locations)
	return p
}

type passRepo struct{ t *tx }

func ownerOf(p *pass.Pass) ownerKey {
	if p.Team != "" {
		return ownerKey{p.Network, p.Team, true}
	}
	return ownerKey{p.Network, p.Holder, false}
}

// byRowID compares r's pass ID with id: one string comparison, where
// cmp.Compare makes two.
func byRowID(r *passRow, id string) int { return strings.Compare(r.p.ID, id) }

// setPass replaces the row at k with r (nil deletes) and keeps the live,
// code and expiry indexes current.
func (s *Store) setPass(k nk, r *passRow) {
	old := s.passes[k]
	if old != nil {
		s.unindexExpiry(&old.p)
		if old.p.CodeHash != "" {
			delete(s.codes, nk{old.p.Network, old.p.CodeHash})
		}
	}
	oldLive, newLive := old != nil && old.p.Balance > 0, r != nil && r.p.Balance > 0
	var oo, no ownerKey
	if oldLive {
		oo = ownerOf(&old.p)
	}
	if newLive {
		no = ownerOf(&r.p)
	}
	switch {
	case oldLive && newLive && oo == no: // the same place in the same list
		if ps := s.live[oo]; len(ps) > 0 {
			if i, ok := slices.BinarySearchFunc(ps, k.id, byRowID); ok {
				ps[i] = r
			}
		}
	default:
		if oldLive {
			ps := s.live[oo]
			if i, ok := slices.BinarySearchFunc(ps, k.id, byRowID); ok {
				ps = slices.Delete(ps, i, i+1)
				if len(ps) == 0 {
					delete(s.live, oo)
				} else {
					s.live[oo] = ps
				}
			}
		}
		if newLive {
			ps := s.live[no]
			i, _ := slices.BinarySearchFunc(ps, k.id, byRowID)
			s.live[no] = slices.Insert(ps, i, r)
		}
	}
	if r == nil {
		delete(s.passes, k)
		return
	}
	s.passes[k] = r
	s.indexExpiry(&r.p)
	if r.p.CodeHash != "" {
		s.codes[nk{r.p.Network, r.p.CodeHash}] = r.p.ID
	}
}

// passUndo puts a pass's old row back.
type passUndo struct{}

func (passUndo) restore(s *Store, u *undo) {
	var old *passRow
	if u.had {
		old = u.old.(*passRow)
	}
	s.setPass(u.k, old)
}

func (r passRepo) Get(_ context.Context, network, id string) (pass.Pass, error) {
	row, ok := r.t.s.passes[nk{network, id}]
	if !ok {
		return pass.Pass{}, missing("pass", id)
	}
	return row.p.Clone(), nil
}

func (r passRepo) Put(_ context.Context, p pass.Pass) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	s, k := r.t.s, nk{p.Network, p.ID}
	if p.CodeHash != "" {
		if id, ok := s.codes[nk{p.Network, p.CodeHash}]; ok && id != p.ID {
			return fmt.Errorf("pass %q: code already used by pass %q: %w", p.ID, id, store.ErrConflict)
		}
	}
	old, had := s.passes[k]
	if !had || p.UnitValue != old.p.UnitValue || p.Price != old.p.Price {
		p.UnitValue, p.Price = s.monies.shared(p.UnitValue), s.monies.shared(p.Price)
	}
	s.setPass(k, newPassRow(&p))
	u := undo{r: passUndo{}, k: k, had: had}
	if had {
		u.old = old
	}
	r.t.undo = append(r.t.undo, u)
	return nil
}

// liveRows returns the rows of the live passes of holder and, when team is
// not empty, of team, ordered by ID. The result may be an index itself:
// callers only read it.
func (s *Store) liveRows(network, holder, team string) []*passRow {
	hs := s.live[ownerKey{network, holder, false}]
	if team == "" {
		return hs
	}
	ts := s.live[ownerKey{network, team, true}]
	switch {
	case len(ts) == 0:
		return hs
	case len(hs) == 0:
		return ts
	}
	out := make([]*passRow, 0, len(hs)+len(ts))
	i, j := 0, 0
	for i < len(hs) && j < len(ts) {
		if hs[i].p.ID <= ts[j].p.ID {
			out = append(out, hs[i])
			i++
		} else {
			out = append(out, ts[j])
			j++
		}
	}
	out = append(out, hs[i:]...)
	return append(out, ts[j:]...)
}

func (r passRepo) Live(_ context.Context, network, holder, team string) ([]pass.Pass, error) {
	rows := r.t.s.liveRows(network, holder, team)
	if len(rows) == 0 {
		return nil, nil
	}
	var n need
	for _, row := range rows {
		n.pass(&row.p)
	}
	c := newCopier(&n)
	out := make([]pass.Pass, len(rows))
	for i, row := range rows {
		c.passTo(&out[i], &row.p)
	}
	return out, nil
}

func (r passRepo) List(_ context.Context, f store.PassFilter) ([]pass.Pass, error) {
	var rows []*passRow
	for k, row := range r.t.s.passes {
		p := &row.p
		if k.net == f.Network && (f.Holder == "" || p.Holder == f.Holder) && (f.Team == "" || p.Team == f.Team) && (!f.Unpaid || !p.Paid) {
			rows = append(rows, row)
		}
	}
	slices.SortFunc(rows, func(a, b *passRow) int {
		return cmp.Or(a.p.IssuedAt.Compare(b.p.IssuedAt), cmp.Compare(a.p.ID, b.p.ID))
	})
	rows = page(rows, f.Offset, f.Limit)
	if len(rows) == 0 {
		return nil, nil
	}
	out := make([]pass.Pass, len(rows))
	for i, row := range rows {
		out[i] = row.p.Clone()
	}
	return out, nil
}

var errNoCode = fmt.Errorf("pass code: %w", store.ErrNotFound)

func (r passRepo) ByCode(ctx context.Context, network, hash string) (pass.Pass, error) {
	id, ok := r.t.s.codes[nk{network, hash}]
	if !ok {
		return pass.Pass{}, errNoCode
	}
	return r.Get(ctx, network, id)
}

type visitRepo struct{ t *tx }

func byStart(a, b checkin.Visit) int {
	return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.ID, b.ID))
}

// rowByStart orders visit rows by start, then ID.
func rowByStart(a, b *visitRow) int {
	return cmp.Or(a.v.Start.Compare(b.v.Start), cmp.Compare(a.v.ID, b.v.ID))
}

// rowByDate orders visit rows by service date, start, then ID.
func rowByDate(a, b *visitRow) int {
	return cmp.Or(a.v.Date.Compare(b.v.Date), rowByStart(a, b))
}

// removeRow removes r from rs, sorted by cmp, and returns rs. The last
// row (a holder's newest visit: the usual one) is found without a search.
func removeRow(rs []*visitRow, r *visitRow, by func(a, b *visitRow) int) []*visitRow {
	if n := len(rs); n > 0 && rs[n-1] == r {
		rs[n-1] = nil
		return rs[:n-1]
	}
	if i, ok := slices.BinarySearchFunc(rs, r, by); ok {
		return slices.Delete(rs, i, i+1)
	}
	return rs
}

// insertRow inserts r into rs, sorted by cmp, and returns rs. A row that
// sorts last (a holder's newest visit: the usual one) is appended without
// a search.
func insertRow(rs []*visitRow, r *visitRow, by func(a, b *visitRow) int) []*visitRow {
	if n := len(rs); n == 0 || by(rs[n-1], r) < 0 {
		return append(rs, r)
	}
	i, _ := slices.BinarySearchFunc(rs, r, by)
	return slices.Insert(rs, i, r)
}

// setVisit replaces the row at k with r (nil deletes) and keeps the open
// and by-date indexes current.
func (s *Store) setVisit(k nk, r *visitRow) {
	if old := s.visits[k]; old != nil {
		if h := s.hv[nk{old.v.Network, old.v.Holder}]; h != nil {
			if old.v.IsOpen() {
				h.open = removeRow(h.open, old, rowByStart)
			}
			h.dated = removeRow(h.dated, old, rowByDate)
		}
	}
	if r == nil {
		delete(s.visits, k)
		return
	}
	s.visits[k] = r
	hk := nk{r.v.Network, r.v.Holder}
	h := s.hv[hk]
	if h == nil {
		h = &holderVisits{}
		s.hv[hk] = h
	}
	if r.v.IsOpen() {
		h.open = insertRow(h.open, r, rowByStart)
	}
	h.dated = insertRow(h.dated, r, rowByDate)
}

// visitUndo puts a visit's old row back.
type visitUndo struct{}

func (visitUndo) restore(s *Store, u *undo) {
	var old *visitRow
	if u.had {
		old = u.old.(*visitRow)
	}
	s.setVisit(u.k, old)
}

func (r visitRepo) Get(_ context.Context, network, id string) (checkin.Visit, error) {
	row, ok := r.t.s.visits[nk{network, id}]
	if !ok {
		return checkin.Visit{}, missing("visit", id)
	}
	return row.v.Clone(), nil
}

// visitSetUndo puts back the value a row held before a Put wrote over it
// in place: tx.visitsWas[u.i].
type visitSetUndo struct{}

func (visitSetUndo) restore(s *Store, u *undo) {
	row := s.visits[u.k]
	s.setOpen(row, s.wtx.visitsWas[u.i].v.IsOpen())
	*row = s.wtx.visitsWas[u.i]
}

// setOpen puts row, whose holder, date, start and ID do not change, in
// its holder's open visits or takes it out, as open says, before its
// status changes.
func (s *Store) setOpen(row *visitRow, open bool) {
	if row.v.IsOpen() == open {
		return
	}
	h := s.hv[nk{row.v.Network, row.v.Holder}]
	if open {
		h.open = insertRow(h.open, row, rowByStart)
	} else {
		h.open = removeRow(h.open, row, rowByStart)
	}
}

func (r visitRepo) Put(_ context.Context, v checkin.Visit) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	s, k := r.t.s, nk{v.Network, v.ID}
	old, had := s.visits[k]
	if had && old.v.Holder == v.Holder && old.v.Date == v.Date && old.v.Start.Equal(v.Start) {
		// The same place in the indexes (a check-out, a settlement): the
		// row is written over, its old value kept for the undo. Reads
		// copy rows under the lock, and no row leaves it.
		r.t.visitsWas = append(r.t.visitsWas, *old)
		s.setOpen(old, v.IsOpen())
		old.set(&v)
		r.t.undo = append(r.t.undo, undo{r: visitSetUndo{}, k: k, i: len(r.t.visitsWas) - 1})
		return nil
	}
	s.setVisit(k, newVisitRow(&v))
	u := undo{r: visitUndo{}, k: k, had: had}
	if had {
		u.old = old
	}
	r.t.undo = append(r.t.undo, u)
	return nil
}

// copyVisits returns copies of rows' visits.
func copyVisits(rows []*visitRow) []checkin.Visit {
	if len(rows) == 0 {
		return nil
	}
	var n need
	for _, row := range rows {
		n.visit(&row.v)
	}
	c := newCopier(&n)
	out := make([]checkin.Visit, len(rows))
	for i, row := range rows {
		c.visitTo(&out[i], &row.v)
	}
	return out
}

func (r visitRepo) Open(_ context.Context, network, holder string) ([]checkin.Visit, error) {
	if h := r.t.s.hv[nk{network, holder}]; h != nil {
		return copyVisits(h.open), nil
	}
	return nil, nil
}

// datedRows returns the rows of h's visits with a service date in [from,
// to], in h.dated's order (by date, then start).
func (h *holderVisits) datedRows(from, to calendar.Date) []*visitRow {
	if h == nil || from.After(to) {
		return nil
	}
	// The window is usually the last few days: its first row is found by
	// stepping back from the last one, a few steps at most, before a
	// search over a long history.
	i := len(h.dated)
	for k := 0; k < 8 && i > 0 && !h.dated[i-1].v.Date.Before(from); k++ {
		i--
	}
	if i > 0 && !h.dated[i-1].v.Date.Before(from) {
		i, _ = slices.BinarySearchFunc(h.dated[:i], from, func(r *visitRow, d calendar.Date) int {
			return cmp.Or(r.v.Date.Compare(d), 1)
		})
	}
	j := i
	for j < len(h.dated) && !h.dated[j].v.Date.After(to) {
		j++
	}
	return h.dated[i:j]
}

func (r visitRepo) OnDates(_ context.Context, network, holder string, from, to calendar.Date) ([]checkin.Visit, error) {
	rows := r.t.s.hv[nk{network, holder}].datedRows(from, to)
	out := copyVisits(rows)
	slices.SortFunc(out, byStart)
	return out, nil
}

func (r visitRepo) OpenBefore(_ context.Context, network string, t time.Time, limit int) ([]checkin.Visit, error) {
	var rows []*visitRow
	for hk, h := range r.t.s.hv {
		if hk.net != network {
			continue
		}
		for _, row := range h.open {
			if row.v.Start.Before(t) {
				rows = append(rows, row)
			}
		}
	}
	slices.SortFunc(rows, rowByStart)
	return copyVisits(page(rows, 0, limit)), nil
}

func (r visitRepo) List(_ context.Context, f store.VisitFilter) ([]checkin.Visit, error) {
	var rows []*visitRow
	for k, row := range r.t.s.visits {
		v := &row.v
		if k.net == f.Network && (f.Holder == "" || v.Holder == f.Holder) && (f.Location == "" || v.Location == f.Location) &&
			(f.Kind == "" || v.Kind == f.Kind) && (f.Mode == "" || v.Mode == f.Mode) &&
			(f.From.IsZero() || !v.Date.Before(f.From)) && (f.To.IsZero() || !v.Date.After(f.To)) {
			rows = append(rows, row)
		}
	}
	slices.SortFunc(rows, rowByStart)
	return copyVisits(page(rows, f.Offset, f.Limit)), nil
}

type ledgerRepo struct{ t *tx }

// ledgerUndo takes the last ledger entry back out.
type ledgerUndo struct{}

func (ledgerUndo) restore(s *Store, _ *undo) {
	last := s.ledger.len() - 1
	n, _, _, _ := s.ledger.head(last)
	s.unindexAt(string(n), last)
	s.ledger.pop()
}

func (r ledgerRepo) Append(_ context.Context, entries ...pass.Entry) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	s := r.t.s
	for i := range entries {
		e := &entries[i]
		dup := s.ledger.has(e.Network, e.ID)
		for j := range i {
			dup = dup || (entries[j].Network == e.Network && entries[j].ID == e.ID)
		}
		if dup {
			return fmt.Errorf("ledger entry %q: %w", e.ID, store.ErrConflict)
		}
	}
	for _, e := range entries {
		e.At = e.At.UTC()
		s.ledger.add(&e)
		s.indexAt(e.Network, s.ledger.len()-1)
		r.t.undo = append(r.t.undo, undo{r: ledgerUndo{}})
	}
	return nil
}

func (r ledgerRepo) List(_ context.Context, f store.LedgerFilter) ([]pass.Entry, error) {
	s := r.t.s
	var out []pass.Entry
	match := func(i int) bool {
		n, _, p, h := s.ledger.head(i)
		return string(n) == f.Network && (f.Pass == "" || string(p) == f.Pass) && (f.Holder == "" || string(h) == f.Holder)
	}
	if f.Pass != "" {
		for _, i := range s.ledger.ofPass(f.Network, f.Pass) {
			if match(i) {
				out = append(out, s.ledger.entry(i))
			}
		}
	} else {
		for i := range s.ledger.len() {
			if match(i) {
				out = append(out, s.ledger.entry(i))
			}
		}
	}
	return page(out, f.Offset, f.Limit), nil
}

type idemRepo struct{ t *tx }

func (r idemRepo) Get(_ context.Context, network, k string) (store.Record, error) {
	i, ok := r.t.s.records.find(network, k)
	if !ok {
		return store.Record{}, missing("idempotency key", k)
	}
	return r.t.s.records.record(i, network, k), nil
}

// recordUndo takes the last record back out.
type recordUndo struct{}

func (recordUndo) restore(s *Store, _ *undo) { s.records.pop() }

// Put copies the record's Request and Result: the Engine hands in a
// pooled buffer.
func (r idemRepo) Put(_ context.Context, rec store.Record) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	if r.t.s.records.add(&rec) {
		return fmt.Errorf("idempotency key %q: %w", rec.Key, store.ErrConflict)
	}
	r.t.undo = append(r.t.undo, undo{r: recordUndo{}})
	return nil
}

type guardRepo struct{ t *tx }

func (r guardRepo) Get(_ context.Context, network, location string) (checkin.Guard, error) {
	g, ok := r.t.s.guards[nk{network, location}]
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
	return put(r.t, r.t.s.guards, nk{g.Network, g.Location}, g)
}

type termsRepo struct{ t *tx }

func cloneTerms(t billing.Terms) billing.Terms {
	t.Rates = slices.Clone(t.Rates)
	return t
}

func (r termsRepo) Put(_ context.Context, t billing.Terms) error {
	t = cloneTerms(t)
	t.EffectiveFrom = t.EffectiveFrom.UTC()
	return put(r.t, r.t.s.terms, nk{t.Network, t.ID}, t)
}

func (r termsRepo) Get(_ context.Context, network, id string) (billing.Terms, error) {
	t, err := get(r.t.s.terms, nk{network, id}, "terms")
	return cloneTerms(t), err
}

func (r termsRepo) List(_ context.Context, network, location string) ([]billing.Terms, error) {
	all := inNetwork(r.t.s.terms, network, func(a, b billing.Terms) int {
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
