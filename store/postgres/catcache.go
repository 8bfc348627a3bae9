package postgres

import "context"

// The catalog cache (internal/catcache, the Store's cat) keeps, per
// network, the catalog rows a holder call's state reads (the network, the
// count of its locations, its PAYG products and the locations asked for)
// as of one catalog version (catalog_versions, migration 0007), so that
// LoadState can send, in their place, one primary-key read of the version
// (stateCheck) and take the rows from memory when it is the cached one.
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
// is trusted for catcache.MaxAge after it was read and then read again,
// so that such a change is seen within that time, not never.

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
