package postgres

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/catalog"
)

// catalogCache keeps, per network, the catalog rows a holder call's state
// reads (the network, the count of its locations, its PAYG products and
// the locations asked for) as of one catalog version (catalog_versions,
// migration 0007), so that LoadState can send, in their place, one
// primary-key read of the version (stateCheck) and take the rows from
// memory when it is the cached one.
//
// Why a hit is never stale: every put of a network, location or PAYG
// product raises its network's version in its own transaction
// (putCatalog), and the version is never lowered or reused (its row is
// never deleted; a network without one is at version 0 and its first put
// makes it 1). The rows are cached only from stateCatalog, which reads
// them and the version in one statement, so in one snapshot: the cached
// rows are exactly those committed at that version. A later transaction
// that reads the same version in its own snapshot therefore sees the same
// rows, whichever process put them, as the statement it replaces would
// have read at that point of the transaction (under READ COMMITTED every
// statement takes its own snapshot, and the catalog is not locked by the
// call either way). Rows written by other means than the store's puts
// (bulk SQL) must raise the version too.
//
// Should a writer not raise it all the same (a process of the release
// before migration 0007 during a rolling upgrade, SQL by hand), an entry
// is trusted for maxCatalogAge after it was read and then read again, so
// that such a change is seen within that time, not never.
type catalogCache struct {
	mu   sync.Mutex
	nets map[string]*cachedCatalog
	now  func() time.Time // time.Now when nil; tests set it
}

// maxCatalogAge is how long a network's cached rows serve calls before
// they are read again whatever their version: the bound on how long a
// catalog change that did not raise the version goes unseen. Reading them
// again costs a call one more round trip, once per network and process
// in that time.
const maxCatalogAge = time.Minute

// clock returns the cache's time: time.Now's, with its monotonic reading,
// unless a test set now. It only bounds how long an entry is trusted; no
// rule reads it.
func (c *catalogCache) clock() time.Time {
	if c.now != nil {
		return c.now()
	}
	return time.Now()
}

// cachedCatalog is a network's cached rows at one version. It is never
// changed once published, but for locs, which grows under the cache's
// lock.
type cachedCatalog struct {
	version   int64
	until     time.Time // read again from then on (maxCatalogAge)
	network   catalog.Network
	locations int
	paygs     []billing.PAYG
	locs      map[string]catalog.Location
}

// maxCachedLocations bounds the locations cached per network: a network
// with more reads the others from the database every time.
const maxCachedLocations = 4096

// lookup returns the cached rows of network with location, or nil when
// they are not cached.
func (c *catalogCache) lookup(network, location string) (*cachedCatalog, catalog.Location) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.nets[network]
	if e == nil {
		return nil, catalog.Location{}
	}
	if !c.clock().Before(e.until) {
		delete(c.nets, network) // too old to trust: read again (maxCatalogAge)
		return nil, catalog.Location{}
	}
	l, ok := e.locs[location]
	if !ok {
		return nil, catalog.Location{}
	}
	return e, l
}

// put caches row, read with version in one snapshot. A row of an older
// version than the cached one is dropped; one of a newer version replaces
// the network's entry.
func (c *catalogCache) put(version int64, row *stateCatalogRow) {
	if row.location == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.nets == nil {
		c.nets = make(map[string]*cachedCatalog)
	}
	e := c.nets[row.network.ID]
	switch {
	case e != nil && e.version > version:
		return
	case e == nil || e.version < version:
		e = &cachedCatalog{version: version, until: c.clock().Add(maxCatalogAge), network: row.network, locations: row.locations,
			paygs: clonePAYGs(row.paygs), locs: make(map[string]catalog.Location)}
		c.nets[row.network.ID] = e
	}
	if len(e.locs) < maxCachedLocations {
		e.locs[row.location.ID] = *row.location
	}
}

// drop forgets network's entry if it is still the one at version.
func (c *catalogCache) drop(network string, version int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.nets[network]; e != nil && e.version == version {
		delete(c.nets, network)
	}
}

// clonePAYGs returns a copy of ps that shares no slice with it, so that
// neither the cache's copy nor a caller's can change the other (nil stays
// nil).
func clonePAYGs(ps []billing.PAYG) []billing.PAYG {
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

// catalogVersioned reports whether the store's schema has the catalog
// versions of migration 0007, and so whether catalog puts raise them and
// LoadState may use the catalog cache: a store opened on a database not
// migrated yet does neither. Once the server says yes (or Migrate applied
// 0007) the Store remembers it; a no is asked again at every call (one
// round trip, in the unit of work), so that a process opened before
// another one migrated the database starts raising the versions as soon
// as the table exists.
func (t *tx) catalogVersioned(ctx context.Context) (bool, error) {
	if t.s.versioned.Load() {
		return true, nil
	}
	var ok bool
	if err := t.queryRow(ctx, `SELECT to_regclass('catalog_versions') IS NOT NULL`).Scan(&ok); err != nil {
		return false, mapErr(err, "catalog versions")
	}
	if ok {
		t.s.versioned.Store(true)
	}
	return ok, nil
}
