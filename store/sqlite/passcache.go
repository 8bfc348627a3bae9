package sqlite

import (
	clist "container/list"
	"database/sql/driver"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/passengine/passengine/pass"
)

// The cache of decoded live passes. The state statement reads the version
// of the holder and of its team (pass_versions, kept by the triggers of
// migration 6) before their live passes; when the cache holds both owners
// at those versions, LoadState stops reading there and takes the passes
// from the cache, so a call decodes no live-pass row. Versions only grow,
// and every write to a pass row raises its owners' versions, so an entry
// that matches the database's version holds what its rows would decode
// to; an entry that does not match is a miss, never a wrong answer.
//
// Entries are filled from committed states only: a View's snapshot at
// once, and in an Update, what it read and what it then wrote, after its
// COMMIT succeeds (tx.install); a rolled-back unit of work leaves the
// cache as it was. A cached pass is read-only and shared by the States
// that hold it (store.State); a write installs a new entry with new
// passes, never changing an old one.

// defaultPassCache is the most passes the cache holds by default.
const defaultPassCache = 16384

// ownerKey names an owner of passes: a holder, or a team, of a network.
type ownerKey struct {
	network string
	team    bool
	id      string
}

// kind is the owner's kind as pass_versions spells it.
func (k ownerKey) kind() string {
	if k.team {
		return "team"
	}
	return "holder"
}

// owns reports whether p is a pass of k (live or not).
func (k ownerKey) owns(p *pass.Pass) bool {
	if p.Network != k.network {
		return false
	}
	if k.team {
		return p.Team == k.id
	}
	return p.Holder == k.id
}

// liveEntry is an owner's live passes at a version of pass_versions,
// sorted by ID. It never changes once made.
type liveEntry struct {
	key     ownerKey
	version int64
	passes  []*pass.Pass
}

// cost is what the entry counts against the cache's bound.
func (e *liveEntry) cost() int { return len(e.passes) + 1 }

// passCache holds the live passes of recently read owners, least recently
// used first out, up to max passes. It is safe for concurrent use.
type passCache struct {
	mu      sync.Mutex
	max     int
	size    int
	entries map[ownerKey]*clist.Element // of *liveEntry
	lru     clist.List                  // most recently used at the front

	// hits and misses count the state reads that found their owners'
	// live passes in the cache, and those that read the rows.
	hits, misses atomic.Int64
}

func newPassCache(max int) *passCache {
	if max <= 0 {
		return nil
	}
	return &passCache{max: max, entries: map[ownerKey]*clist.Element{}}
}

// get returns k's entry, or nil.
func (c *passCache) get(k ownerKey) *liveEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[k]
	if !ok {
		return nil
	}
	c.lru.MoveToFront(el)
	return el.Value.(*liveEntry)
}

// put installs e unless the cache holds its owner at a version as new or
// newer (versions only grow), evicting the least recently used entries
// past the bound. An entry larger than the bound is not kept.
func (c *passCache) put(e *liveEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[e.key]; ok {
		old := el.Value.(*liveEntry)
		if old.version >= e.version {
			return
		}
		c.size -= old.cost()
		c.lru.Remove(el)
		delete(c.entries, e.key)
	}
	if e.cost() > c.max {
		return
	}
	c.entries[e.key] = c.lru.PushFront(e)
	c.size += e.cost()
	for c.size > c.max {
		el := c.lru.Back()
		old := el.Value.(*liveEntry)
		c.lru.Remove(el)
		delete(c.entries, old.key)
		c.size -= old.cost()
	}
}

// len returns how many owners and passes the cache holds.
func (c *passCache) len() (owners, passes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, el := range c.entries {
		passes += len(el.Value.(*liveEntry).passes)
	}
	return len(c.entries), passes
}

// ownerRead is what an Update's state read of an owner: the version and
// live passes under the unit of work's lock, and since, the number of
// passes the unit of work had put before the read (tx.puts).
type ownerRead struct {
	version int64
	passes  []*pass.Pass
	since   int
}

// noteRead records, in an Update, the owner's version and live passes as
// its first state read saw them.
func (t *tx) noteRead(k ownerKey, version int64, passes []*pass.Pass) {
	if t.owners == nil {
		t.owners = map[ownerKey]ownerRead{}
	}
	if _, ok := t.owners[k]; !ok {
		t.owners[k] = ownerRead{version: version, passes: passes, since: len(t.puts)}
	}
}

// notePut records a pass the unit of work put, decoded from the values
// written (args, in the order of passColumns) as a read of its row would
// decode it, when the unit of work read an owner's passes before.
func (t *tx) notePut(args []any) {
	if len(t.owners) == 0 || t.putErr {
		return
	}
	vals := make([]any, len(args))
	for i, a := range args {
		v, err := driver.DefaultParameterConverter.ConvertValue(a)
		if err != nil {
			t.putErr = true
			return
		}
		vals[i] = v
	}
	p, err := scanPass(&wideRow{vals: vals})
	if err != nil {
		t.putErr = true
		return
	}
	t.puts = append(t.puts, &p)
}

// install puts in the cache, after the unit of work committed, the live
// passes of each owner it read: those read, with the passes it put since
// in place, at the version read plus one per pass put of the owner (each
// raised it once, by the triggers of pass_versions). An owner that a put
// took a live pass from is left out (the triggers raised it more than
// that), and so is every owner when a put could not be decoded. A write
// the unit of work made by other means leaves the version short: the next
// read misses.
func (t *tx) install() {
	c := t.s.passes
	if c == nil || t.putErr {
		return
	}
	byID := func(a *pass.Pass, id string) int { return strings.Compare(a.ID, id) }
next:
	for k, r := range t.owners {
		ps, version := r.passes, r.version
		copied := false
		for _, p := range t.puts[r.since:] {
			i, in := slices.BinarySearchFunc(ps, p.ID, byID)
			owns := k.owns(p)
			if !owns && !in {
				continue
			}
			if !owns {
				continue next // a live pass moved to another owner
			}
			version++
			if !copied {
				ps, copied = slices.Clone(ps), true
			}
			switch {
			case in && p.Balance > 0:
				ps[i] = p
			case in:
				ps = slices.Delete(ps, i, i+1)
			case p.Balance > 0:
				ps = slices.Insert(ps, i, p)
			}
		}
		c.put(&liveEntry{key: k, version: version, passes: ps})
	}
}
