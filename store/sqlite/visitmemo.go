package sqlite

import (
	"slices"
	"sync"
	"sync/atomic"

	"github.com/passengine/passengine/checkin"
)

// The memo of decoded visits. Decoding a visit row (its instants, JSON
// lists and decimals) costs a third of reading the row from SQLite, and
// the state statement returns a holder's recent visits call after call,
// mostly unchanged. The memo keeps, for each visit it saw last, the
// driver values of its row and the visit they decoded to: a row read with
// the same values decodes to the same visit, and gets a copy of it. It is
// keyed by the row's content, not by a version, so it never returns what
// the row does not hold, whoever wrote the row, and needs no
// invalidation.

// The memo also serves the visits of a state read whose rows it does not
// read at all: the state statement's head row names the version of each
// visit of the call (migration 7: a visit's version only grows, across
// every incarnation of its key, so in two committed states a visit at the
// same version is the same row), and LoadState takes from the memo the
// visits it holds at those versions. An entry names its row by version
// only when it was learnt from a committed state (trusted): a View's
// read, at once, and an Update's reads and writes after its COMMIT
// (tx.learnVisit, visitMemo.install). An Update's write is learnt at the
// version it wrote, which the triggers may have raised (another writer's
// row removed before, say): the entry then names a version the visit
// never has again, and is never found.

// visitMemoSize is the most visits the memo keeps.
const visitMemoSize = 4096

// visitMemo is the memo of decoded visits. It is safe for concurrent use;
// its entries never change once made (but for the decode, done once).
type visitMemo struct {
	mu sync.Mutex
	m  map[visitKey]*memoVisit

	// served counts the state reads whose visits all came from the memo
	// (tx.visitsFromMemo), for tests.
	served atomic.Int64
}

// visitKey names a visit: its network and ID.
type visitKey struct{ network, id string }

// memoVisit is a visit row's driver values (in the order of
// visitRowColumns, or of visitColumns for a row read without its version)
// and the visit they decode to, decoded once, when first needed.
type memoVisit struct {
	vals    []any
	trusted bool // learnt from a committed state: its version names the row
	dec     *memoDecode
}

// memoDecode is the decode of an entry's values, shared by the entries of
// the same values.
type memoDecode struct {
	once  sync.Once
	visit checkin.Visit
	err   error
}

// visit returns a copy of the visit the entry's values decode to.
func (e *memoVisit) visit() (checkin.Visit, error) {
	d := e.dec
	d.once.Do(func() {
		d.visit, d.err = scanVisit(&wideRow{vals: e.vals})
	})
	if d.err != nil {
		return checkin.Visit{}, d.err
	}
	return cloneVisit(&d.visit), nil
}

// version returns the entry's version, and false for none.
func (e *memoVisit) version() (int64, bool) {
	if len(e.vals) <= visitVersion {
		return 0, false
	}
	v, ok := e.vals[visitVersion].(int64)
	return v, ok
}

func newVisitMemo() *visitMemo {
	return &visitMemo{m: map[visitKey]*memoVisit{}}
}

// scanVisit returns the visit that the row's values from its offset on
// (visitColumns) decode to, as scanVisit(row) does: a copy of the memo's
// when it holds the visit with the same values, decoded (and kept)
// otherwise.
func (m *visitMemo) scanVisit(row *wideRow) (checkin.Visit, error) {
	v, _, err := m.scanRow(row, false)
	return v, err
}

// scanRow is scanVisit; a trusted read (of a committed state) makes the
// entry trusted. It also returns the row's values as the memo keeps them
// (nil when it does not).
func (m *visitMemo) scanRow(row *wideRow, trusted bool) (checkin.Visit, []any, error) {
	n := len(visitRowColumns)
	if len(row.vals)-row.off < n {
		n = len(visitColumns) // a row without its version: never trusted
	}
	if len(row.vals)-row.off < n {
		v, err := scanVisit(row)
		return v, nil, err
	}
	vals := row.vals[row.off : row.off+n]
	network, ok1 := vals[0].(string)
	id, ok2 := vals[1].(string)
	if !ok1 || !ok2 {
		v, err := scanVisit(row)
		return v, nil, err
	}
	k := visitKey{network, id}
	m.mu.Lock()
	e := m.m[k]
	m.mu.Unlock()
	if e != nil && sameValues(e.vals, vals) {
		v, err := e.visit()
		if err == nil && trusted && !e.trusted {
			m.put(k, &memoVisit{vals: e.vals, trusted: true, dec: e.dec})
		}
		return v, e.vals, err
	}
	v, err := scanVisit(row)
	if err != nil {
		return v, nil, err
	}
	d := &memoDecode{visit: cloneVisit(&v)}
	d.once.Do(func() {})
	e = &memoVisit{vals: slices.Clone(vals), trusted: trusted, dec: d}
	m.put(k, e)
	return v, e.vals, nil
}

// put keeps e as visit k's entry, dropping another past the bound.
func (m *visitMemo) put(k visitKey, e *memoVisit) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.m[k]; !ok && len(m.m) >= visitMemoSize {
		for old := range m.m { // any one
			delete(m.m, old)
			break
		}
	}
	m.m[k] = e
}

// at returns the trusted entry of visit k at version, or nil.
func (m *visitMemo) at(k visitKey, version int64) *memoVisit {
	m.mu.Lock()
	e := m.m[k]
	m.mu.Unlock()
	if e == nil || !e.trusted {
		return nil
	}
	if v, ok := e.version(); !ok || v != version {
		return nil
	}
	return e
}

// install makes trusted entries of rows of committed states (driver
// values in the order of visitColumns), keeping the decode of an entry
// with the same values.
func (m *visitMemo) install(rows [][]any) {
	for _, vals := range rows {
		network, ok1 := vals[0].(string)
		id, ok2 := vals[1].(string)
		if !ok1 || !ok2 || len(vals) != len(visitRowColumns) {
			continue
		}
		k := visitKey{network, id}
		m.mu.Lock()
		e := m.m[k]
		m.mu.Unlock()
		switch {
		case e != nil && sameValues(e.vals, vals) && e.trusted:
		case e != nil && sameValues(e.vals, vals):
			m.put(k, &memoVisit{vals: e.vals, trusted: true, dec: e.dec})
		default:
			m.put(k, &memoVisit{vals: vals, trusted: true, dec: &memoDecode{}})
		}
	}
}

// learnVisit notes the driver values of a visit row (visitColumns) as a
// committed state holds it: in a View at once, in an Update once it
// commits (Store.run). vals is not changed after.
func (t *tx) learnVisit(vals []any) {
	if !t.write {
		t.s.visits.install([][]any{vals})
		return
	}
	t.learnt = append(t.learnt, vals)
}

// sameValues reports whether driver values a and b are the same values of
// the same storage classes, one by one (sameValue).
func sameValues(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameValue(a[i], b[i]) {
			return false
		}
	}
	return true
}

// len returns how many visits the memo holds.
func (m *visitMemo) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.m)
}
