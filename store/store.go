// Package store defines the storage contract of passengine: a Store runs
// units of work, each a transaction handing small repositories to a
// closure. Adapters (store/memstore, store/sqlite, store/postgres, or a
// host's own) implement it; business rules never live in an adapter, and
// store/storetest is the conformance suite every adapter runs.
//
// Contract:
//   - Update commits when its closure returns nil and rolls back otherwise;
//     nothing written inside a failed unit of work is ever visible (I3).
//   - LockHolder and LockTeam block every other unit of work that locks
//     the same holder or team until this one ends (I2).
//   - Errors: ErrNotFound for a missing row (another network's rows are
//     missing too, S1); ErrConflict for a serialization failure, deadlock
//     or unique-key race, after which the caller may retry the whole unit.
//   - Values come back as copies: changing them changes nothing stored.
package store

import (
	"context"
	"errors"
	"time"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/card"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/pass"
)

// The errors adapters map their drivers' errors to.
var (
	// ErrNotFound: no such row in the network.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the unit of work lost a race and may be retried whole.
	ErrConflict = errors.New("conflict")
	// ErrClosed: the store was used after Close. Adapters' own closed
	// errors wrap it.
	ErrClosed = errors.New("store is closed")
)

// Store runs units of work.
type Store interface {
	// Update runs fn in a read-write transaction and commits it if fn
	// returns nil. It returns fn's error, or the commit's. A commit error is
	// never swallowed: it may also mean the commit happened (an ambiguous
	// commit), which idempotency keys make safe to retry.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(Tx) error) error
	// Close releases the store's resources.
	Close() error
}

// InProcess is implemented by a Store whose data only this process reads:
// it lives in the process's memory (memstore), so no process of another
// release ever shares it. The Engine then writes its idempotency records
// in its newest format; to a store that processes may share (SQLite,
// PostgreSQL) it writes the format the earlier release reads too, so that
// a rolling upgrade replays a key across both releases.
type InProcess interface {
	// InProcess reports whether the store's data is this process's alone.
	InProcess() bool
}

// Tx is one unit of work's access to the repositories.
type Tx interface {
	// Catalog returns the repository of networks, locations, teams,
	// holders, products and PAYG products.
	Catalog() Catalog
	// Passes returns the repository of issued passes.
	Passes() Passes
	// Visits returns the repository of visits and bookings.
	Visits() Visits
	// Ledger returns the repository of pass ledger entries.
	Ledger() Ledger
	// Idempotency returns the repository of idempotency records.
	Idempotency() Idempotency
	// Guards returns the repository of the locations' lockout state.
	Guards() Guards
	// Terms returns the repository of commercial terms versions.
	Terms() Terms
	// Cards returns the repository of multipass cards.
	Cards() Cards
	// Accounts returns the repository of prepaid accounts.
	Accounts() Accounts
	// Lists returns the repository of hosts' listings.
	Lists() Lists
}

// Catalog stores networks and their locations, teams, holders, products and
// PAYG products. Puts insert or replace by (network, ID).
type Catalog interface {
	// Network returns the network with id, or ErrNotFound.
	Network(ctx context.Context, id string) (catalog.Network, error)
	// PutNetwork inserts or replaces n.
	PutNetwork(ctx context.Context, n catalog.Network) error
	// Location returns the network's location with id, or ErrNotFound.
	Location(ctx context.Context, network, id string) (catalog.Location, error)
	// PutLocation inserts or replaces l.
	PutLocation(ctx context.Context, l catalog.Location) error
	// Locations returns the network's locations ordered by ID.
	Locations(ctx context.Context, network string) ([]catalog.Location, error)
	// CountLocations returns how many locations the network has.
	CountLocations(ctx context.Context, network string) (int, error)
	// Team returns the network's team with id, or ErrNotFound.
	Team(ctx context.Context, network, id string) (catalog.Team, error)
	// PutTeam inserts or replaces t.
	PutTeam(ctx context.Context, t catalog.Team) error
	// Holder returns the network's holder with id, or ErrNotFound. Its
	// HealthDeclaredAt, when set, is in UTC.
	Holder(ctx context.Context, network, id string) (catalog.Holder, error)
	// PutHolder inserts or replaces h.
	PutHolder(ctx context.Context, h catalog.Holder) error
	// DeleteHolder removes the holder's row: its name, audience, team and
	// health declaration. Its passes, visits and ledger entries stay, under
	// its ID. It returns ErrNotFound for an unknown holder.
	DeleteHolder(ctx context.Context, network, id string) error
	// LockHolder holds the holder against every other unit of work that
	// locks it, until this unit ends. It returns ErrNotFound for an unknown
	// holder.
	LockHolder(ctx context.Context, network, id string) error
	// LockTeam is LockHolder for a team.
	LockTeam(ctx context.Context, network, id string) error
	// LockLocation is LockHolder for a location: passcode redemptions at
	// one location are serialized so its failure count is exact (P2).
	LockLocation(ctx context.Context, network, id string) error
	// Product returns the network's product with id, or ErrNotFound.
	Product(ctx context.Context, network, id string) (pass.Product, error)
	// PutProduct inserts or replaces p.
	PutProduct(ctx context.Context, p pass.Product) error
	// Products returns one page of the network's products in ID order.
	Products(ctx context.Context, network string, p Page) ([]pass.Product, error)
	// PAYG returns the network's PAYG product with id, or ErrNotFound.
	PAYG(ctx context.Context, network, id string) (billing.PAYG, error)
	// PutPAYG inserts or replaces p.
	PutPAYG(ctx context.Context, p billing.PAYG) error
	// PAYGs returns the network's PAYG products ordered by ID.
	PAYGs(ctx context.Context, network string) ([]billing.PAYG, error)
	// CodeKeyCheck returns the check value of the passcode key the
	// network's codes are made with (RULES S6), or "" when none is
	// recorded.
	CodeKeyCheck(ctx context.Context, network string) (string, error)
	// PutCodeKeyCheck records the check value of the network's passcode
	// key. A network keeps its first: recording one where one is recorded
	// is ErrConflict.
	PutCodeKeyCheck(ctx context.Context, network, check string) error
}

// Page selects one page of a list in ID order: the items whose ID sorts
// after After ("" starts at the first), at most Limit of them (0 for all).
// The next page starts after the last ID of this one, so a page costs the
// same wherever it starts.
type Page struct {
	// After is the ID the page starts after; "" starts at the first.
	After string
	// Limit is the most items the page holds; 0 holds all.
	Limit int
}

// Passes stores issued passes.
type Passes interface {
	// Get returns the network's pass with id, or ErrNotFound.
	Get(ctx context.Context, network, id string) (pass.Pass, error)
	// Put inserts or replaces the pass.
	Put(ctx context.Context, p pass.Pass) error
	// Live returns the passes with a balance above zero owned by holder or,
	// when team is not empty, by team, ordered by ID. Its cost must not grow
	// with the number of used-up passes (it is on the check-in path).
	Live(ctx context.Context, network, holder, team string) ([]pass.Pass, error)
	// List returns the passes matching f, ordered by issue instant then ID.
	List(ctx context.Context, f PassFilter) ([]pass.Pass, error)
	// ByCode returns the pass whose CodeHash is hash, or ErrNotFound. Two
	// passes of a network never share a code hash: Put of a pass with the
	// code hash of another returns ErrConflict.
	ByCode(ctx context.Context, network, hash string) (pass.Pass, error)
	// Expiring returns up to limit (>= 1) passes of the network with a
	// balance above zero, not revoked, whose expiry (freezes included,
	// pass.Pass.Expiry) is in [from, to], ordered by expiry then ID,
	// starting after cursor ("" for the first page), and the cursor of the
	// next page, "" when this page holds fewer than limit. Its cost must
	// not grow with the passes that expired before from.
	Expiring(ctx context.Context, network string, from, to calendar.Date, cursor string, limit int) ([]pass.Pass, string, error)
}

// PassFilter selects passes. Network is required; empty fields match all.
type PassFilter struct {
	// Network is the ID of the passes' network.
	Network string
	// Holder keeps the passes the holder owns.
	Holder string
	// Team keeps the passes the team owns.
	Team string
	// Unpaid keeps only passes not marked paid (A6).
	Unpaid bool
	// Offset is how many passes of the list to skip.
	Offset int
	Limit  int // 0: no limit
}

// Visits stores visits and bookings.
type Visits interface {
	// Get returns the network's visit with id, or ErrNotFound.
	Get(ctx context.Context, network, id string) (checkin.Visit, error)
	// Put inserts or replaces the visit.
	Put(ctx context.Context, v checkin.Visit) error
	// Open returns the holder's open visits, ordered by start.
	Open(ctx context.Context, network, holder string) ([]checkin.Visit, error)
	// OnDates returns the holder's visits with a service date in [from, to],
	// ordered by start then ID. Its cost must not grow with the holder's
	// older history.
	OnDates(ctx context.Context, network, holder string, from, to calendar.Date) ([]checkin.Visit, error)
	// OpenBefore returns up to limit open visits of the network that started
	// before t, ordered by start then ID (the stale-visit sweep, C8).
	OpenBefore(ctx context.Context, network string, t time.Time, limit int) ([]checkin.Visit, error)
	// List returns the visits matching f, ordered by start then ID.
	List(ctx context.Context, f VisitFilter) ([]checkin.Visit, error)
}

// VisitFilter selects visits. Network is required; empty fields match all;
// From and To bound the service date inclusively.
type VisitFilter struct {
	// Network is the ID of the visits' network.
	Network string
	// Holder keeps one holder's visits.
	Holder string
	// Location keeps one location's visits.
	Location string
	// Kind keeps the visits of one kind.
	Kind checkin.Kind
	// Mode keeps the visits paid one way.
	Mode checkin.Mode
	// From is the first service date kept; the zero Date: no bound.
	From calendar.Date
	// To is the last service date kept; the zero Date: no bound.
	To calendar.Date
	// Offset is how many visits of the list to skip.
	Offset int
	// Limit is the most visits returned; 0: no limit.
	Limit int
}

// Ledger stores the append-only ledger entries of pass balances.
type Ledger interface {
	// Append adds entries; an entry ID that exists is ErrConflict.
	Append(ctx context.Context, entries ...pass.Entry) error
	// List returns the entries matching f in the order they were appended.
	List(ctx context.Context, f LedgerFilter) ([]pass.Entry, error)
	// PassPage returns up to limit (>= 1) entries of the pass in the order
	// they were appended, starting after cursor ("" for the first page),
	// and the cursor of the next page, "" when this page holds fewer than
	// limit. Its cost follows the page, not the pass's history before it.
	PassPage(ctx context.Context, network, pass, cursor string, limit int) ([]pass.Entry, string, error)
	// PeriodPage returns up to limit (>= 1) entries of the network whose
	// At is in [from, to), ordered by At and then the order they were
	// appended, starting after cursor, and the cursor of the next page, ""
	// when this page holds fewer than limit. Its cost follows the page,
	// not the network's history outside the period.
	PeriodPage(ctx context.Context, network string, from, to time.Time, cursor string, limit int) ([]pass.Entry, string, error)
	// EraseComments empties the Comment of every entry of the network
	// whose Holder is holder (the erasure of a deleted holder's free
	// text, erase.go); everything else of the entries stays.
	EraseComments(ctx context.Context, network, holder string) error
}

// LedgerFilter selects ledger entries. Network is required.
type LedgerFilter struct {
	// Network is the ID of the entries' network.
	Network string
	// Pass keeps one pass's entries.
	Pass string
	// Holder keeps the entries of one holder.
	Holder string
	// Offset is how many entries of the list to skip.
	Offset int
	// Limit is the most entries returned; 0: no limit.
	Limit int
}

// Record is a stored idempotency record: the first result of the call
// made with Key (I1). Request is a fingerprint of the request.
type Record struct {
	// Network is the ID of the network the call was made in: keys are
	// per network.
	Network string
	// Key is the idempotency key the call was made with.
	Key string
	// Operation is the call's operation ("check_in", "issue", ...): the
	// same key with another operation is another request.
	Operation string
	// Request is the fingerprint of the normalized request (I4), compared
	// byte for byte; empty in records of releases before fingerprints,
	// which match any request of their operation.
	Request []byte
	// Result is the call's first result, encoded by the Engine; opaque to
	// the store.
	Result []byte
	// At is when the record was written, in UTC.
	At time.Time
}

// Idempotency stores idempotency records.
type Idempotency interface {
	// Get returns the record of key, or ErrNotFound.
	Get(ctx context.Context, network, key string) (Record, error)
	// Put stores a new record; a key that exists is ErrConflict. It keeps
	// no reference to r.Request or r.Result: the caller may reuse them
	// once the unit of work has ended.
	Put(ctx context.Context, r Record) error
	// Erase replaces the Result of the network's record of each of keys
	// with ErasedResult, keeping its Operation, Request and At; a key
	// without a record is skipped (erase.go).
	Erase(ctx context.Context, network string, keys []string) error
}

// Guards stores each location's passcode lockout state (P2).
type Guards interface {
	// Get returns the location's guard; a location without one gets a
	// zero Guard with Network and Location set, not an error.
	Get(ctx context.Context, network, location string) (checkin.Guard, error)
	// Put inserts or replaces the guard.
	Put(ctx context.Context, g checkin.Guard) error
}

// Terms stores the versions of locations' commercial terms (Y1).
type Terms interface {
	// Put inserts or replaces a terms version by (network, ID).
	Put(ctx context.Context, t billing.Terms) error
	// Get returns the version with id, or ErrNotFound.
	Get(ctx context.Context, network, id string) (billing.Terms, error)
	// At returns the location's version in force at t: the one with the
	// latest EffectiveFrom not after t (ties by ID, the greater wins), or
	// ErrNotFound.
	At(ctx context.Context, network, location string, t time.Time) (billing.Terms, error)
	// List returns the location's versions by EffectiveFrom then ID.
	List(ctx context.Context, network, location string) ([]billing.Terms, error)
}

// StateLoader is an optional interface of a Tx: it reads everything a call
// on one holder needs, under the holder's locks, in one request to the
// database. The Engine uses it when a unit of work's Tx implements it and
// otherwise makes the same reads through the repositories, one at a time;
// the two must give the same State (store/storetest checks it).
type StateLoader interface {
	// LoadState locks the holder's team, when the holder has one, and then
	// the holder (I2), and reads the rest of State after the locks. It
	// returns ErrNotFound for a missing network, holder, location, team or
	// q.Visit, in that order of checking (a query that names only a visit
	// checks the visit right after the network). Inside View it locks
	// nothing.
	LoadState(ctx context.Context, q StateQuery) (State, error)
}

// StateQuery names what LoadState reads.
type StateQuery struct {
	// Network is the ID of the network the call is in.
	Network string
	// Holder and Location are whose state and where; when both are empty,
	// they are Visit's holder and location (a call on a visit, which knows
	// them only once it has read the visit). The holder is locked.
	Holder string
	// Location is described with Holder above.
	Location string
	// Visit, when set, is a visit of the holder read again after the locks:
	// the visit the call acts on, as of the lock.
	Visit string
	// Key, when set, is an idempotency key whose record State.Record
	// returns, read after the locks (so that a call that waited on the
	// holder sees the record of one with the same key that held it).
	Key string
	// From and To bound the service dates of State.Recent, inclusive. From
	// moves back to Lookback days before the earliest open visit of the
	// holder at Location, so that a visit left open since an earlier day is
	// covered, and so are the visits whose PAYG charges share its days.
	From, To calendar.Date
	// Lookback is how many days before the holder's earliest open visit at
	// Location the window starts (WindowStart); 0 means 1.
	Lookback int
	// FromVisit, when the query names only a visit, puts From at the
	// visit's service date plus FromVisit days (From is not read), and a
	// zero To is then the visit's service date.
	FromVisit int
	// Lineage names passes that State.Named returns whatever their balance.
	Lineage []string
	// Scratch, when not nil, is memory the loader may build State's slice
	// of visits (Open and Recent), its slices of passes (Live and Named)
	// and what Recent's visits hold outside their structs in, in place of
	// new memory: the caller reuses it for one state after another (the
	// Engine keeps one in each pooled unit of work), and keeps nothing of
	// a State past the next load into it but what Visit and Open hold
	// outside their structs, which is never in it (Scratch). Nil makes
	// every State its own memory. A loader may ignore it.
	Scratch *Scratch
}

// Scratch is memory a StateLoader may build a State in, reused from one
// load to the next (StateQuery.Scratch): the arrays of its visits and of
// its pass pointers, and what the visits of Recent hold outside their
// structs (times, consumptions, charges). What State.Visit and State.Open
// hold outside their structs is never in it: a call's result may keep
// them (the visit checked out, the visits closed on the way), so a loader
// makes them new. Its zero value is ready to use; a Scratch must not be
// used by two loads at once.
type Scratch struct {
	visits  []checkin.Visit
	passes  []*pass.Pass
	times   []time.Time
	cons    []checkin.Consumption
	charges []billing.DayCharge
}

// room returns (*buf)[:n:n], first making *buf n long when it is shorter.
func room[V any](buf *[]V, n int) []V {
	if cap(*buf) < n {
		*buf = make([]V, n)
	}
	return (*buf)[:n:n]
}

// Visits returns a slice of n zero visits in s's memory, which it grows
// when n is more than it holds: the slice is overwritten by the next call
// with the same Scratch.
func (s *Scratch) Visits(n int) []checkin.Visit {
	vs := room(&s.visits, n)
	clear(vs)
	return vs
}

// Passes returns a slice of n nil pass pointers in s's memory, as Visits
// returns visits.
func (s *Scratch) Passes(n int) []*pass.Pass {
	ps := room(&s.passes, n)
	clear(ps)
	return ps
}

// Times returns an empty slice with room for n times in s's memory, to
// append to, as Visits returns visits.
func (s *Scratch) Times(n int) []time.Time { return room(&s.times, n)[:0] }

// Consumptions returns an empty slice with room for n consumptions in
// s's memory, as Times does.
func (s *Scratch) Consumptions(n int) []checkin.Consumption { return room(&s.cons, n)[:0] }

// Charges returns an empty slice with room for n day charges in s's
// memory, as Times does.
func (s *Scratch) Charges(n int) []billing.DayCharge { return room(&s.charges, n)[:0] }

// State is a holder's state as a unit of work sees it after the locks.
// Its visits (Visit, Open, Recent) and the slices holding them belong to
// the caller, which changes them in place (the Engine filters Recent): they
// share no memory with the store or with another call's State, but for
// the slices the query's Scratch holds. Its passes
// (Live, Named) are read-only: they may be shared with the store (memstore
// hands out its rows, an adapter may keep a cache of decoded passes) and
// with other calls' States, so neither the caller nor the store may change
// a pass they point to; the Engine copies a pass before it changes it
// (checkin.State). A pass loaded stays as loaded when a later unit of work
// changes the pass (store/storetest checks both).
type State struct {
	// Network is the query's network.
	Network catalog.Network
	// Holder is the query's holder, read after its lock.
	Holder catalog.Holder
	// Location is the query's location.
	Location catalog.Location
	// Team is the holder's team, zero when the holder has none.
	Team catalog.Team
	// Visit is the visit StateQuery.Visit names, zero when it names none.
	Visit checkin.Visit
	// Locations is how many locations the network has.
	Locations int
	// Open is the holder's open visits, as Visits.Open returns them.
	Open []checkin.Visit
	// Recent is the holder's visits with a service date in the window of
	// the query, ordered by start then ID.
	Recent []checkin.Visit
	// Live is Passes.Live of the holder and its team, read-only.
	Live []*pass.Pass
	// Named is the passes named in the query's lineage or by a consumption
	// of a Recent visit, ordered by ID, read-only; it may repeat passes of
	// Live.
	Named []*pass.Pass
	// PAYG is the network's PAYG products, as Catalog.PAYGs returns them.
	PAYG []billing.PAYG
	// Record is the idempotency record of StateQuery.Key, nil when the
	// query names no key or the key has none.
	Record *Record
}

// CommitWriter is an optional interface of a Tx: it holds a call's writes
// and sends them with the commit, in one request to the database. Reads
// and writes made through the repositories after Defer still see the held
// writes (an adapter sends them first). The error of a held write is
// returned by the first later statement of the unit or by Update.
type CommitWriter interface {
	// Defer holds w's writes until the unit of work's next statement or
	// its commit. It returns an error only for a value it cannot encode,
	// and ErrReadOnly-like errors inside View.
	Defer(ctx context.Context, w Writes) error
}

// Writes are the writes Defer holds, sent in this order: visits (insert or
// replace, as Visits.Put), passes (as Passes.Put), cards (as Cards.Put),
// ledger entries (as Ledger.Append), then idempotency records (inserted; a
// key that exists fails the unit of work with ErrConflict).
type Writes struct {
	// Visits are inserted or replaced first.
	Visits []checkin.Visit
	// Passes are inserted or replaced next.
	Passes []pass.Pass
	// Cards are inserted or replaced after the passes.
	Cards []card.Card
	// Entries are appended after them.
	Entries []pass.Entry
	// Records are inserted last.
	Records []Record
}
