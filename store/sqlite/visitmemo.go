package sqlite

import (
	"slices"
	"sync"

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

// visitMemoSize is the most visits the memo keeps.
const visitMemoSize = 4096

// visitMemo is the memo of decoded visits. It is safe for concurrent use;
// its entries never change once made.
type visitMemo struct {
	mu sync.Mutex
	m  map[visitKey]*memoVisit
}

// visitKey names a visit: its network and ID.
type visitKey struct{ network, id string }

// memoVisit is a visit row's driver values (in the order of visitColumns)
// and the visit they decode to.
type memoVisit struct {
	vals  []any
	visit checkin.Visit
}

func newVisitMemo() *visitMemo {
	return &visitMemo{m: map[visitKey]*memoVisit{}}
}

// scanVisit returns the visit that the row's values from its offset on
// (visitColumns) decode to, as scanVisit(row) does: a copy of the memo's
// when it holds the visit with the same values, decoded (and kept)
// otherwise.
func (m *visitMemo) scanVisit(row *wideRow) (checkin.Visit, error) {
	n := len(visitColumns)
	if len(row.vals)-row.off < n {
		return scanVisit(row)
	}
	vals := row.vals[row.off : row.off+n]
	network, ok1 := vals[0].(string)
	id, ok2 := vals[1].(string)
	if !ok1 || !ok2 {
		return scanVisit(row)
	}
	k := visitKey{network, id}
	m.mu.Lock()
	e := m.m[k]
	m.mu.Unlock()
	if e != nil && sameValues(e.vals, vals) {
		return cloneVisit(&e.visit), nil
	}
	v, err := scanVisit(row)
	if err != nil {
		return v, err
	}
	e = &memoVisit{vals: slices.Clone(vals), visit: cloneVisit(&v)}
	m.mu.Lock()
	if _, ok := m.m[k]; !ok && len(m.m) >= visitMemoSize {
		for old := range m.m { // any one
			delete(m.m, old)
			break
		}
	}
	m.m[k] = e
	m.mu.Unlock()
	return v, nil
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
