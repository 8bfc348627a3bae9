package sqlite

import (
	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/internal/catcache"
)

// The catalog cache (internal/catcache, the Store's cat) keeps, per
// network, the catalog rows a holder call's state reads (the network, the
// count of its locations, its PAYG products and the locations asked for)
// as of one version of catalog_versions (migration 8), so that the state
// statement can read that version in their place: its catalog-cached
// variant (buildStateQuery's cat) has no PAYG branch and leaves the
// network, the location and the count out of the head row, which it gives
// the version only, and LoadState takes the rows from the cache when the
// version is the cached one. When it is not, LoadState drops the entry and
// reads the state again with the full statement, in the same unit of work
// (errCatalogStale): once per catalog change a process sees.
//
// Why a hit is never stale: the triggers of migration 8 raise a network's
// version by one with every insert, update or delete of its rows of
// networks, locations or paygs, whoever writes them, in the writer's
// transaction; the version is never lowered, and its row never deleted.
// The rows are cached only as the full statement read them with the
// version, in one snapshot, and only once that snapshot is committed: a
// View's at once, an Update's after its COMMIT succeeds (tx.catFills), so
// that rows a rolled-back unit of work wrote are never cached under a
// version another unit of work may then commit with other rows. Two
// committed states with one version of a network hold the same catalog
// rows of it, so a later read at the cached version would have read
// exactly the cached rows.

// catFill is the catalog rows a state read saw with their version, for
// the cache once they are known to be committed.
type catFill struct {
	version   int64
	network   catalog.Network
	locations int
	paygs     []billing.PAYG
	location  catalog.Location
}

// fillCatalog caches f now (a View's committed snapshot) or after the
// unit of work commits (an Update's: its PAYG products copied first, so
// that what the caller does with the state's until then is not cached).
func (t *tx) fillCatalog(f catFill) {
	if t.write {
		f.paygs = catcache.ClonePAYGs(f.paygs)
		t.catFills = append(t.catFills, f)
		return
	}
	t.s.cat.Put(f.version, f.network, f.locations, f.paygs, f.location)
}

// installCatalog caches the catalog rows the committed unit of work read.
func (t *tx) installCatalog() {
	for _, f := range t.catFills {
		t.s.cat.Put(f.version, f.network, f.locations, f.paygs, f.location)
	}
}
