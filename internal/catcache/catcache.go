// Package catcache is the catalog cache the SQL stores share: per
// network, the catalog rows a holder call's state reads (the network, the
// count of its locations, its PAYG products and the locations asked for)
// as of one catalog version, so that a state read can read the version in
// their place and take the rows from memory when it is the cached one.
//
// The stores keep the version (store/postgres: its puts raise it,
// migration 0007; store/sqlite: triggers raise it, migration 0008) and
// say why a hit is never stale. The cache only keeps what a store puts,
// and trusts an entry for MaxAge after it was read, so that a catalog
// change that did not raise the version is seen within that time, not
// never.
package catcache

import (
	"slices"
	"sync"
	"time"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/catalog"
)

// MaxAge is how long a network's cached rows serve calls before they are
// read again whatever their version: the bound on how long a catalog
// change that did not raise the version goes unseen. Reading them again
// costs a call a fuller read, once per network and process in that time.
const MaxAge = time.Minute

// MaxLocations bounds the locations cached per network: a network with
// more reads the others from the database every time.
const MaxLocations = 4096

// Cache is the catalog cache of one store. The zero Cache is empty and
// ready to use; it is safe for concurrent use.
type Cache struct {
	mu   sync.Mutex
	nets map[string]*Entry
	// Now is the cache's clock, time.Now when nil; tests set it. It only
	// bounds how long an entry is trusted (MaxAge); no rule reads it.
	Now func() time.Time
}

// Entry is a network's cached rows at one version. It is never changed
// once published, but for its locations, which grow under the cache's
// lock.
type Entry struct {
	// Version is the catalog version the rows were read at.
	Version int64
	// Network is the network's row.
	Network catalog.Network
	// Locations is the count of the network's locations.
	Locations int
	// PAYGs are the network's PAYG products, by ID; read-only (PAYGCopy
	// returns a copy to hand out).
	PAYGs []billing.PAYG
	until time.Time
	locs  map[string]catalog.Location
}

// PAYGCopy returns a copy of the entry's PAYG products that shares no
// slice with the cache.
func (e *Entry) PAYGCopy() []billing.PAYG { return ClonePAYGs(e.PAYGs) }

func (c *Cache) clock() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Lookup returns network's cached entry and its location, or nil when
// the network's rows or that location are not cached, or were read more
// than MaxAge ago.
func (c *Cache) Lookup(network, location string) (*Entry, catalog.Location) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.nets[network]
	if e == nil {
		return nil, catalog.Location{}
	}
	if !c.clock().Before(e.until) {
		delete(c.nets, network) // too old to trust: read again (MaxAge)
		return nil, catalog.Location{}
	}
	l, ok := e.locs[location]
	if !ok {
		return nil, catalog.Location{}
	}
	return e, l
}

// Put caches network's rows and location, read with version in one
// snapshot of committed rows. Rows of an older version than the cached
// one are dropped; rows of a newer version replace the network's entry.
func (c *Cache) Put(version int64, network catalog.Network, locations int, paygs []billing.PAYG, location catalog.Location) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.nets == nil {
		c.nets = make(map[string]*Entry)
	}
	e := c.nets[network.ID]
	switch {
	case e != nil && e.Version > version:
		return
	case e == nil || e.Version < version:
		e = &Entry{Version: version, until: c.clock().Add(MaxAge), Network: network, Locations: locations,
			PAYGs: ClonePAYGs(paygs), locs: make(map[string]catalog.Location)}
		c.nets[network.ID] = e
	}
	if len(e.locs) < MaxLocations {
		e.locs[location.ID] = location
	}
}

// Drop forgets network's entry if it is still the one at version.
func (c *Cache) Drop(network string, version int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.nets[network]; e != nil && e.Version == version {
		delete(c.nets, network)
	}
}

// ClonePAYGs returns a copy of ps that shares no slice with it, so that
// neither the cache's copy nor a caller's can change the other (nil stays
// nil).
func ClonePAYGs(ps []billing.PAYG) []billing.PAYG {
	if ps == nil {
		return nil
	}
	out := slices.Clone(ps)
	for i := range out {
		out[i].Prices = slices.Clone(out[i].Prices)
		out[i].Locations = slices.Clone(out[i].Locations)
	}
	return out
}
