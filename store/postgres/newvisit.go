package postgres

import (
	"errors"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/passengine/passengine/checkin"
)

// Defer writes a visit the unit of work has read or written (LoadState,
// the visit repository's reads and Put, an earlier Defer) with the upsert
// of upsertVisit, and any other with a plain INSERT (insertVisitSQL): the
// Engine's calls decide on the visits they read, so a visit they write
// without having read it is one they create (a check-in's), and an INSERT
// costs the server less than INSERT ... ON CONFLICT DO UPDATE, which
// probes the primary key before it inserts and inserts speculatively.
//
// Why it stays correct when a visit Defer did not see exists all the
// same (a caller that writes a visit it did not read): the INSERT fails
// on the primary key, a unique violation, which fails the unit of work
// with store.ErrConflict, so nothing of it is committed; the Store
// remembers the visit (visitExisted), and Defer upserts it from then on,
// so the Engine's retry of the unit of work writes it. Such a visit costs
// one retry, never a wrong row.

// visitKey names a visit.
type visitKey struct{ network, id string }

// maxExistingVisits bounds the visits a Store remembers as existing
// (visitExisted): past it, it forgets them all and starts again.
const maxExistingVisits = 1024

// existingVisits are the visits an INSERT of Defer found already there.
type existingVisits struct {
	n  atomic.Int32 // len(m), read without the lock
	mu sync.Mutex
	m  map[visitKey]struct{}
}

// has reports whether k is remembered.
func (e *existingVisits) has(k visitKey) bool {
	if e.n.Load() == 0 {
		return false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	_, ok := e.m[k]
	return ok
}

// add remembers k.
func (e *existingVisits) add(k visitKey) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.m == nil || len(e.m) >= maxExistingVisits {
		e.m = make(map[visitKey]struct{})
	}
	e.m[k] = struct{}{}
	e.n.Store(int32(len(e.m)))
}

// visitExisted remembers k when err, the error of Defer's INSERT of it,
// is a unique violation of the visits' primary key.
func (s *Store) visitExisted(k visitKey, err error) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == codeUnique && pe.ConstraintName == "visits_pkey" {
		s.existing.add(k)
	}
}

// knowsVisit reports whether Defer upserts the visit k: the unit of work
// read or wrote it, or an INSERT of it found it there before.
func (t *tx) knowsVisit(k visitKey) bool {
	for _, v := range t.visits {
		if v == k {
			return true
		}
	}
	return t.s.existing.has(k)
}

// sawVisit records the visit network, id as read or written by the unit
// of work (Update only: View writes nothing).
func (t *tx) sawVisit(network, id string) {
	if !t.write {
		return
	}
	if t.visits == nil {
		t.visits = t.visitBuf[:0]
	}
	t.visits = append(t.visits, visitKey{network, id})
}

// sawVisits records vs as read and returns them with err.
func (t *tx) sawVisits(vs []checkin.Visit, err error) ([]checkin.Visit, error) {
	for i := range vs {
		t.sawVisit(vs[i].Network, vs[i].ID)
	}
	return vs, err
}
