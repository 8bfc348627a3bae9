package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/internal/catcache"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
	"github.com/shopspring/decimal"
)

var (
	_ store.StateLoader  = (*tx)(nil)
	_ store.CommitWriter = (*tx)(nil)
)

// The statements of LoadState. $1 is the network, $2 the holder (the
// location in stateCatalog), $3 the location, $4 and $5 the first and last day of the window, $6 the
// look-back in days (store.WindowStart).
const (
	// stateWindow is the first day of the window: $4, or $6 days before
	// the holder's earliest open visit at the location (visits_holder_open).
	stateWindow = `LEAST($4::date, (SELECT min(date) FROM visits
		WHERE network = $1 AND holder = $2 AND status = 'open' AND location = $3) - $6::int)`
	stateTeam = `SELECT network, id, name, credit_sharing FROM teams
		WHERE network = $1 AND id = (SELECT team FROM holders WHERE network = $1 AND id = $2)`
	stateHolder = `SELECT network, id, name, audience, team, health_declared_at FROM holders
		WHERE network = $1 AND id = $2`
	// stateVisits is the holder's open visits (open true) then the
	// window's visits (open false), each by start then ID.
	stateVisits = `SELECT true AS open, ` + visitCols + ` FROM visits
		WHERE network = $1 AND holder = $2 AND status = 'open'
		UNION ALL
		SELECT false, ` + visitCols + ` FROM visits
		WHERE network = $1 AND holder = $2 AND date BETWEEN ` + stateWindow + ` AND $5::date
		ORDER BY open DESC, start_at, id`
	// stateCatalog is one row of the network, the location ($2; its
	// columns NULL when it is missing), the count of the network's
	// locations and its PAYG products as a JSON array of arrays (NULL for
	// none), or no row when the network is missing. stateKey adds the
	// idempotency record of key $3 to it.
	stateCatalog = `SELECT n.id, n.name, n.currency, n.zone, (SELECT count(*) FROM locations WHERE network = $1),
		l.network, l.id, l.name, l.zone, l.day_cutoff_ns, l.tier,
		(SELECT jsonb_agg(jsonb_build_array(id, name, prices, daily_cap::text, daily_cap_currency, locations) ORDER BY id)
			FROM paygs WHERE network = $1)`
	// stateVersionCol adds the network's catalog version (0 when NULL: no
	// row) to stateCatalog, read in the same snapshot as its rows, for the
	// store's catalog cache (on a schema that has catalog_versions).
	stateVersionCol  = `, ` + stateVersion
	stateCatalogFrom = `
		FROM networks n LEFT JOIN locations l ON l.network = n.id AND l.id = $2`
	stateKeyCols = `,
		k.key, k.operation, k.request, k.result, k.at`
	stateKeyJoin = `
		LEFT JOIN idempotency k ON k.network = n.id AND k.key = $3`
	stateCatalogWhere = `
		WHERE n.id = $1`
	// stateVersion is network $1's catalog version, NULL when it has none
	// (version 0).
	stateVersion = `(SELECT version FROM catalog_versions WHERE network = $1)`
	// stateCheck takes stateCatalog's place when the store's catalog cache
	// holds the network and the location (catcache.go): one row of the
	// network's catalog version, which LoadState compares with the cached
	// one's, read by primary key; stateCheckKey adds the idempotency
	// record of key $2 to it, as stateKeyCols does to stateCatalog.
	stateCheck    = `SELECT ` + stateVersion
	stateCheckKey = `SELECT ` + stateVersion + stateKeyCols + `
		FROM (SELECT 1) one LEFT JOIN idempotency k ON k.network = $1 AND k.key = $2`
	stateLive = `SELECT * FROM (
			SELECT ` + passCols + ` FROM passes WHERE network = $1 AND holder = $2 AND team = '' AND balance > 0
			UNION ALL
			SELECT ` + passCols + ` FROM passes WHERE network = $1 AND team <> '' AND balance > 0
				AND team = (SELECT team FROM holders WHERE network = $1 AND id = $2)
		) live ORDER BY id`
)

// stateSQL are the statements of LoadState in one of its forms.
// catalogV and catalogKeyV are catalog and catalogKey with the catalog
// version (stateVersionCol).
type stateSQL struct {
	team, holder, catalog, catalogKey, catalogV, catalogKeyV, visits, live string
}

// stateSQLs are LoadState's statements, built once: [1][...] for a query
// that names only a visit (visitFirst), [...][1] locking (FOR UPDATE).
var stateSQLs = func() (out [2][2]stateSQL) {
	for first := range 2 {
		for lock := range 2 {
			rewrite, forUpdate := func(sql string) string { return sql }, ""
			if first == 1 {
				rewrite = visitFirst.Replace
			}
			if lock == 1 {
				forUpdate = " FOR UPDATE"
			}
			location := func(sql string) string {
				if first == 1 {
					return strings.Replace(sql, "l.id = $2", "l.id = (SELECT location FROM visits WHERE network = $1 AND id = $2)", 1)
				}
				return sql
			}
			out[first][lock] = stateSQL{
				team:       rewrite(stateTeam) + forUpdate,
				holder:     rewrite(stateHolder) + forUpdate,
				catalog:    location(stateCatalog + stateCatalogFrom + stateCatalogWhere),
				catalogKey: location(stateCatalog + stateKeyCols + stateCatalogFrom + stateKeyJoin + stateCatalogWhere),
				catalogV:   location(stateCatalog + stateVersionCol + stateCatalogFrom + stateCatalogWhere),
				catalogKeyV: location(stateCatalog + stateVersionCol + stateKeyCols + stateCatalogFrom + stateKeyJoin +
					stateCatalogWhere),
				visits: rewrite(stateVisits),
				live:   rewrite(stateLive),
			}
		}
	}
	return out
}()

// b2i is 1 for true, 0 for false.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// visitFirst rewrites a statement of LoadState for a query that names only
// a visit: $2 and $3, which name the holder and the location, carry the
// visit's ID and are read through it, and $4, the first day of the
// window, is a count of days from the visit's date, and $5, its last day,
// the visit's date when it is NULL.
var visitFirst = strings.NewReplacer(
	"$2", "(SELECT holder FROM visits WHERE network = $1 AND id = $2)",
	"$3", "(SELECT location FROM visits WHERE network = $1 AND id = $3)",
	"$4::date", "((SELECT date FROM visits WHERE network = $1 AND id = $2) + $4::int)",
	"$5::date", "COALESCE($5::date, (SELECT date FROM visits WHERE network = $1 AND id = $2))",
)

// LoadState sends the reads of a holder call in one round trip (with BEGIN
// and the held writes before them when there are any), in at most seven
// statements, each of which costs the server a bind and an execute: the
// holder's team locked with SELECT ... FOR UPDATE, then the holder locked
// the same way, and, after the locks, the network's catalog version and
// the idempotency key's record (stateCheck), one row of the network, the
// location, the count of locations and the PAYG products (stateCatalog)
// unless the store's catalog cache holds them at that version
// (catcache.go), the visit, the open and the window's visits in one
// result (stateVisits), and the live passes; named passes that are not
// live take one more round trip, and so do the catalog rows when the
// cache's turn out to be of an older version. A query that names only a
// visit reads the catalog rows with the key's record. Inside View nothing
// is locked. It returns store.ErrNotFound for a missing network, holder,
// location, team or visit, and store.ErrConflict when the holder's team
// changed between the team's lock and the holder's.
func (t *tx) LoadState(ctx context.Context, q store.StateQuery) (store.State, error) {
	var s store.State
	first := q.Holder == "" && q.Location == "" // the visit's holder and location
	sqls := &stateSQLs[b2i(first)][b2i(t.write)]
	// The arguments: pointers into one copy of q and its dates (see
	// visitArgs), in one backing array, in the same allocation as the
	// cache's location.
	c := &struct {
		q              store.StateQuery
		from, to       pgtype.Date
		lookback       int
		all            [16]any
		cachedLocation catalog.Location
	}{q: q, from: dateParam(q.From), to: dateParam(q.To), lookback: max(q.Lookback, 1)}
	netArg, holderArg, locationArg, fromArg := any(&c.q.Network), any(&c.q.Holder), any(&c.q.Location), any(&c.from)
	if first {
		holderArg, locationArg, fromArg = &c.q.Visit, &c.q.Visit, &c.q.FromVisit
	}
	all := c.all[:0]
	args := func(vs ...any) []any {
		n := len(all)
		all = append(all, vs...)
		return all[n:len(all):len(all)]
	}
	holderArgs := args(netArg, holderArg) // the team's, the holder's and the live passes'
	// The catalog rows. On a schema with catalog versions, a query that
	// names a holder and a location sends stateCheck (the version and the
	// key's record) and takes the rows from the store's cache when it
	// holds them at that version, and reads them with their version
	// (catalogV) only when it does not (catcache.go); the statements are
	// the same whether the cache holds them or not but for catalogV, so
	// that a first call prepares stateCheck on the connection. A query
	// that names only a visit does not know its location yet: it reads
	// the rows with the key's record and the version (catalogKeyV).
	versioned, err := t.catalogVersioned(ctx)
	if err != nil {
		return s, err
	}
	check := versioned && !first
	var cached *catcache.Entry
	if check {
		cached, c.cachedLocation = t.s.cat.Lookup(q.Network, q.Location)
	}
	var catalogSQL, missSQL string
	var catalogArgs, missArgs []any
	switch {
	case check && q.Key != "":
		catalogSQL, catalogArgs = stateCheckKey, args(netArg, &c.q.Key)
	case check:
		catalogSQL, catalogArgs = stateCheck, args(netArg)
	case q.Key != "" && versioned:
		catalogSQL, catalogArgs = sqls.catalogKeyV, args(netArg, locationArg, &c.q.Key)
	case q.Key != "":
		catalogSQL, catalogArgs = sqls.catalogKey, args(netArg, locationArg, &c.q.Key)
	case versioned:
		catalogSQL, catalogArgs = sqls.catalogV, args(netArg, locationArg)
	default:
		catalogSQL, catalogArgs = sqls.catalog, args(netArg, locationArg)
	}
	if check && cached == nil {
		missSQL, missArgs = sqls.catalogV, args(netArg, locationArg)
	}
	visitSQL, visitArgs := "", []any(nil) // sent only when the query names a visit
	if q.Visit != "" {
		visitSQL, visitArgs = `SELECT `+visitCols+` FROM visits WHERE network = $1 AND id = $2`, args(netArg, &c.q.Visit)
	}
	visitsArgs := args(netArg, holderArg, locationArg, fromArg, &c.to, &c.lookback)
	statements := [...]struct {
		sql  string
		args []any
	}{
		{sqls.team, holderArgs},
		{sqls.holder, holderArgs},
		{catalogSQL, catalogArgs},
		{missSQL, missArgs},
		{visitSQL, visitArgs},
		{sqls.visits, visitsArgs},
		{sqls.live, holderArgs},
	}
	var queue [len(statements)]sqlStmt
	batch := queue[:0]
	for _, st := range statements {
		if st.sql == "" {
			continue
		}
		if err := t.s.inject("statement", st.sql, st.args); err != nil {
			return s, mapErr(err, "load state")
		}
		batch = append(batch, sqlStmt{st.sql, st.args})
	}
	br, err := t.send(ctx, batch...)
	if err != nil {
		return s, mapErr(err, "load state")
	}
	defer br.Close()

	team, err := scanOptional(br, scanTeam)
	if err != nil {
		return s, mapErr(err, "load state: team")
	}
	holder, err := scanOptional(br, scanHolder)
	if err != nil {
		return s, mapErr(err, "load state: holder")
	}
	var cat *stateCatalogRow
	stale := false // the cache's rows are not the committed ones: read them
	if check {
		chk, err := scanOptional(br, func(r pgx.Row) (stateCatalogRow, error) { return scanStateCheck(r, q.Network, q.Key != "") })
		if err != nil {
			return s, mapErr(err, "load state: catalog version")
		}
		if chk != nil { // always: one row
			s.Record = chk.record
		}
		switch {
		case cached == nil:
		case chk != nil && chk.version == cached.Version:
			cat = &stateCatalogRow{network: cached.Network, location: &c.cachedLocation, locations: cached.Locations,
				paygs: cached.PAYGCopy()}
		default:
			stale = true
		}
	}
	if !check || cached == nil {
		if cat, err = scanOptional(br, func(r pgx.Row) (stateCatalogRow, error) {
			return scanStateCatalog(r, !check && q.Key != "", versioned)
		}); err != nil {
			return s, mapErr(err, "load state: network and location")
		}
		if cat != nil {
			if versioned {
				t.cacheCatalog(cat)
			}
			if !check {
				s.Record = cat.record
			}
		}
	}
	var visit *checkin.Visit
	if q.Visit != "" {
		if visit, err = scanOptional(br, scanVisit); err != nil {
			return s, mapErr(err, "load state: visit")
		}
	}
	if s.Open, s.Recent, err = scanStateVisits(br); err != nil {
		return s, err
	}
	t.sawVisits(s.Open, nil)
	t.sawVisits(s.Recent, nil)
	if visit != nil {
		t.sawVisit(visit.Network, visit.ID)
	}
	live, err := scanRows(br, "load state: live passes", scanPass)
	if err != nil {
		return s, err
	}
	if sc := q.Scratch; sc != nil && len(live) > 0 { // the array in the query's memory
		s.Live = sc.Passes(len(live))
		for i := range live {
			s.Live[i] = &live[i]
		}
	} else {
		s.Live = store.Pointers(live)
	}
	if t.write {
		t.loaded = append(t.loaded, s.Live...)
	}
	if err := br.Close(); err != nil {
		return s, mapErr(err, "load state")
	}
	if stale { // one more round trip, once per catalog change a process sees
		t.s.cat.Drop(q.Network, cached.Version)
		if cat, err = t.readCatalog(ctx, sqls.catalogV, netArg, locationArg); err != nil {
			return s, mapErr(err, "load state: network and location")
		}
	}
	var network *catalog.Network
	var location *catalog.Location
	if cat != nil {
		network, location, s.Locations, s.PAYG = &cat.network, cat.location, cat.locations, cat.paygs
	}

	if first && holder != nil {
		q.Holder = holder.ID
	}
	switch {
	case network == nil:
		return s, fmt.Errorf("network %q: %w", q.Network, store.ErrNotFound)
	case first && visit == nil:
		return s, fmt.Errorf("visit %q: %w", q.Visit, store.ErrNotFound)
	case holder == nil:
		return s, fmt.Errorf("holder %q: %w", q.Holder, store.ErrNotFound)
	case location == nil:
		return s, fmt.Errorf("location %q: %w", q.Location, store.ErrNotFound)
	case holder.Team != "" && team == nil:
		return s, fmt.Errorf("team %q: %w", holder.Team, store.ErrNotFound)
	case team != nil && team.ID != holder.Team || team == nil && holder.Team != "":
		return s, fmt.Errorf("holder %q changed team while being locked: %w", q.Holder, store.ErrConflict)
	case q.Visit != "" && visit == nil:
		return s, fmt.Errorf("visit %q: %w", q.Visit, store.ErrNotFound)
	}
	s.Network, s.Holder, s.Location = *network, *holder, *location
	if team != nil {
		s.Team = *team
	}
	if visit != nil {
		s.Visit = *visit
	}
	if s.Named, err = t.named(ctx, &s, q.Lineage); err != nil {
		return s, err
	}
	if t.write {
		t.loaded = append(t.loaded, s.Named...)
	}
	return s, nil
}

// named returns the passes named by lineage or by the consumptions of the
// state's visit and recent visits, by ID: the live ones from s.Live, the
// others (used up, or named by the caller) read by primary key in one more
// round trip, which a call whose visits were all paid by live passes does
// not make. A name with no pass is left out.
func (t *tx) named(ctx context.Context, s *store.State, lineage []string) ([]*pass.Pass, error) {
	ids := store.Lineage(lineage, append([]checkin.Visit{s.Visit}, s.Recent...))
	slices.Sort(ids)
	ids = slices.Compact(ids)
	var out []*pass.Pass
	var rest []string
	for _, id := range ids {
		i := slices.IndexFunc(s.Live, func(p *pass.Pass) bool { return p.ID == id })
		if i < 0 {
			rest = append(rest, id)
			continue
		}
		out = append(out, s.Live[i])
	}
	if len(rest) > 0 {
		more, err := collect(ctx, t, "load state: named passes", scanPass,
			`SELECT `+passCols+` FROM passes WHERE network = $1 AND id = ANY($2::text[])`, s.Network.ID, rest)
		if err != nil {
			return nil, err
		}
		out = append(out, store.Pointers(more)...)
		slices.SortFunc(out, func(a, b *pass.Pass) int { return strings.Compare(a.ID, b.ID) })
	}
	return out, nil
}

// readCatalog runs sql, stateCatalog with the version's column and
// without the key's, alone,
// caches its row and returns it; no row (a missing network) is nil.
func (t *tx) readCatalog(ctx context.Context, sql string, args ...any) (*stateCatalogRow, error) {
	if err := t.s.inject("statement", sql, args); err != nil {
		return nil, err
	}
	br, err := t.sendOne(ctx, sql, args) // prepared by the batch of a call that missed the cache
	if err != nil {
		return nil, err
	}
	row, err := scanOptional(br, func(r pgx.Row) (stateCatalogRow, error) { return scanStateCatalog(r, false, true) })
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil || row == nil {
		return nil, err
	}
	t.cacheCatalog(row)
	return row, nil
}

// cacheCatalog puts row in the store's catalog cache, unless this unit
// of work wrote catalog rows: then row and its version may be its own
// uncommitted writes, which a rollback would leave in the cache under a
// version another unit of work may then commit with other rows.
func (t *tx) cacheCatalog(row *stateCatalogRow) {
	if !t.catalogWritten && row.location != nil {
		t.s.cat.Put(row.version, row.network, row.locations, row.paygs, *row.location)
	}
}

// stateCatalogRow is the row of stateCatalog.
type stateCatalogRow struct {
	network   catalog.Network
	location  *catalog.Location // nil when missing
	locations int
	paygs     []billing.PAYG
	record    *store.Record // nil when there is none or no key was asked for
	version   int64         // the network's catalog version (stateVersion)
}

// scanStateCatalog scans a row of stateCatalog, with stateVersionCol when
// version is set and stateKeyCols when key is set.
func scanStateCatalog(r pgx.Row, key, version bool) (c stateCatalogRow, err error) {
	// The columns that need converting, in one variable (one allocation:
	// see scanPass).
	var v struct {
		rec                         store.Record
		recKey, recOperation        pgtype.Text
		recAt                       pgtype.Timestamptz
		lNetwork, lID, lName, lZone pgtype.Text
		cutoff, lTier, version      pgtype.Int8
		paygs                       []byte
	}
	all := [...]any{&c.network.ID, &c.network.Name, &c.network.Currency, &c.network.Zone, &c.locations,
		&v.lNetwork, &v.lID, &v.lName, &v.lZone, &v.cutoff, &v.lTier, &v.paygs, &v.version,
		&v.recKey, &v.recOperation, &v.rec.Request, &v.rec.Result, &v.recAt}
	dest := all[:12]
	if version {
		dest = all[:13]
	}
	if key {
		dest = append(dest, all[13:]...) // copies over all[12] when !version
	}
	if err = r.Scan(dest...); err != nil {
		return c, err
	}
	c.version = v.version.Int64 // 0 when NULL
	if v.recKey.Valid {
		rec := v.rec
		rec.Network, rec.Key, rec.Operation, rec.At = c.network.ID, v.recKey.String, v.recOperation.String, instantOf(v.recAt)
		c.record = &rec
	}
	if v.lID.Valid {
		c.location = &catalog.Location{Network: v.lNetwork.String, ID: v.lID.String, Name: v.lName.String, Zone: v.lZone.String,
			DayCutoff: time.Duration(v.cutoff.Int64), Tier: int(v.lTier.Int64)}
	}
	if v.paygs == nil {
		return c, nil
	}
	var rows [][]json.RawMessage
	if err := json.Unmarshal(v.paygs, &rows); err != nil {
		return c, fmt.Errorf("postgres: decode PAYG products: %w", err)
	}
	c.paygs = make([]billing.PAYG, len(rows))
	for i, row := range rows {
		p := &c.paygs[i]
		var dailyCap *string
		if len(row) != 6 {
			return c, fmt.Errorf("postgres: decode PAYG products: %d columns, want 6", len(row))
		}
		p.Network = c.network.ID
		for j, dst := range []any{&p.ID, &p.Name, &p.Prices, &dailyCap, &p.DailyCap.Currency, &p.Locations} {
			if err := json.Unmarshal(row[j], dst); err != nil {
				return c, fmt.Errorf("postgres: decode PAYG products: %w", err)
			}
		}
		if dailyCap != nil {
			if p.DailyCap.Amount, err = decimal.NewFromString(*dailyCap); err != nil {
				return c, fmt.Errorf("postgres: decode PAYG daily cap: %w", err)
			}
		}
	}
	return c, nil
}

// scanStateCheck scans a row of stateCheck into the version and, with
// key (stateCheckKey), the record of network's key.
func scanStateCheck(r pgx.Row, network string, key bool) (c stateCatalogRow, err error) {
	v := &struct { // one allocation (see scanPass)
		rec                  store.Record
		recKey, recOperation pgtype.Text
		recAt                pgtype.Timestamptz
		version              pgtype.Int8
		dest                 [6]any
	}{}
	v.dest = [...]any{&v.version, &v.recKey, &v.recOperation, &v.rec.Request, &v.rec.Result, &v.recAt}
	n := len(v.dest)
	if !key {
		n = 1
	}
	if err = r.Scan(v.dest[:n]...); err != nil {
		return c, err
	}
	c.version = v.version.Int64 // 0 when NULL
	if v.recKey.Valid {
		rec := v.rec
		rec.Network, rec.Key, rec.Operation, rec.At = network, v.recKey.String, v.recOperation.String, instantOf(v.recAt)
		c.record = &rec
	}
	return c, nil
}

// scanStateVisits scans the rows of stateVisits: the open visits, then
// the window's.
func scanStateVisits(br pgx.BatchResults) (open, recent []checkin.Visit, err error) {
	rows, err := br.Query()
	if err != nil {
		return nil, nil, mapErr(err, "load state: visits")
	}
	defer rows.Close()
	for rows.Next() {
		var isOpen bool
		v, err := scanVisitAfter(rows, &isOpen)
		if err != nil {
			return nil, nil, mapErr(err, "load state: visits")
		}
		if isOpen {
			open = append(open, v)
		} else {
			recent = append(recent, v)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, mapErr(err, "load state: visits")
	}
	return open, recent, nil
}

// scanOptional scans the next result of br, a query of at most one row;
// no row is nil.
func scanOptional[T any](br pgx.BatchResults, scan func(pgx.Row) (T, error)) (*T, error) {
	rows, err := br.Query()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, rows.Err()
	}
	v, err := scan(rows)
	if err != nil {
		return nil, err
	}
	rows.Close()
	return &v, rows.Err()
}

// scanRows scans every row of the next result of br.
func scanRows[T any](br pgx.BatchResults, what string, scan func(pgx.Row) (T, error)) ([]T, error) {
	rows, err := br.Query()
	if err != nil {
		return nil, mapErr(err, what)
	}
	defer rows.Close()
	return scanAll(rows, what, scan)
}

// Defer holds w's writes, sent before the unit of work's next statement or
// with its COMMIT in one round trip: each visit, pass and card inserted or
// replaced, the entries inserted (their IDs unique), and each record
// inserted, a key that exists failing the unit of work with
// store.ErrConflict. A pass whose code hash another pass holds fails it
// the same way, through the unique index. Defer returns ErrReadOnly inside
// View and an error for a value it cannot encode.
func (t *tx) Defer(_ context.Context, w store.Writes) error {
	if err := t.writable(); err != nil {
		return err
	}
	// hold holds a write named what and id (formatted only for an error).
	hold := func(what, id string, affects bool, sql string, args ...any) error {
		h := heldWrite{sql: sql, args: args, what: what, id: id, affects: affects}
		if err := t.holdWrite(h); err != nil {
			return mapErr(err, h.name())
		}
		return nil
	}
	for _, v := range w.Visits {
		sql, args, err := upsertVisit(v)
		if err != nil {
			return err
		}
		h := heldWrite{sql: sql, args: args, what: "put visit", id: v.ID}
		if k := (visitKey{v.Network, v.ID}); !t.knowsVisit(k) {
			h.sql, h.newVisit, h.isNew = insertVisitSQL, k, true // newvisit.go
		}
		if err := t.holdWrite(h); err != nil {
			return mapErr(err, h.name())
		}
		t.sawVisit(v.Network, v.ID)
	}
	for _, p := range w.Passes {
		if sql, args, ok := t.narrowPass(&p); ok {
			if err := hold("put pass", p.ID, true, sql, args...); err != nil {
				return err
			}
			continue
		}
		sql, args, err := upsertPass(p)
		if err != nil {
			return err
		}
		if err := hold("put pass", p.ID, false, sql, args...); err != nil {
			return err
		}
		t.wrote(&p)
	}
	for _, c := range w.Cards {
		sql, args := upsertCard(c)
		if err := hold("put card", c.ID, false, sql, args...); err != nil {
			return err
		}
	}
	for entries := w.Entries; len(entries) > 0; {
		n := min(len(entries), appendChunk)
		sql, args := insertEntries(entries[:n])
		if err := hold("append ledger entries", "", false, sql, args...); err != nil {
			return err
		}
		entries = entries[n:]
	}
	for _, r := range w.Records {
		request, result := r.Request, r.Result
		if request == nil {
			request = []byte{}
		}
		if result == nil {
			result = []byte{}
		}
		c := &struct { // pointers into one copy and the arguments, one allocation (see visitArgs)
			r               store.Record
			request, result []byte
			at              time.Time
			args            [6]any
		}{r: r, request: request, result: result, at: r.At.UTC()}
		c.args = [...]any{&c.r.Network, &c.r.Key, &c.r.Operation, &c.request, &c.result, &c.at}
		if err := t.holdWrite(heldWrite{sql: insertRecordSQL, args: c.args[:], what: "put idempotency key", id: r.Key}); err != nil {
			return mapErr(err, "put idempotency key "+strconv.Quote(r.Key))
		}
	}
	return nil
}

// insertRecordSQL is Defer's statement for an idempotency record.
const insertRecordSQL = `INSERT INTO idempotency (network, key, operation, request, result, at)
			VALUES ($1, $2, $3, $4, $5, $6)`

// passCounters is the statement that writes the columns of a pass a call
// changes when it uses one (narrowPass); $1 and $2 are the network and ID.
const passCounters = `UPDATE passes SET balance = $3, uses = $4, activated_on = $5, activated_by = $6,
	expires_on = $7, expiry = $8 WHERE network = $1 AND id = $2`

// narrowPass returns the statement that writes p when p is a pass this
// unit of work loaded (LoadState, after the holder's and team's locks) or
// wrote, changed only in its balance, uses, activation day, activator and
// expiry day: an UPDATE of those columns rather than an upsert of the
// whole row, 8 parameters rather than 37 to encode and bind. Any other
// difference, or a pass not loaded, is written whole. The UPDATE must
// change a row (holdAffecting): a pass deleted since it was loaded fails
// the unit of work with store.ErrConflict, and the Engine's retry writes
// it whole.
func (t *tx) narrowPass(p *pass.Pass) (string, []any, bool) {
	i := slices.IndexFunc(t.loaded, func(l *pass.Pass) bool { return l.ID == p.ID && l.Network == p.Network })
	if i < 0 {
		return "", nil, false
	}
	if !sameRowButCounters(t.loaded[i], p) {
		return "", nil, false
	}
	t.wrote(p)
	c := &struct { // pointers into one copy and the arguments, one allocation (see visitArgs)
		network, id, activatedBy       string
		balance, uses                  int
		activatedOn, expiresOn, expiry pgtype.Date
		args                           [8]any
	}{network: p.Network, id: p.ID, activatedBy: p.ActivatedBy, balance: p.Balance, uses: p.Uses,
		activatedOn: dateParam(p.ActivatedOn), expiresOn: dateParam(p.ExpiresOn), expiry: expiryParam(p.Expiry())}
	c.args = [...]any{&c.network, &c.id, &c.balance, &c.uses, &c.activatedOn, &c.activatedBy, &c.expiresOn, &c.expiry}
	return passCounters, c.args[:], true
}

// wrote records p, written by Defer, as the pass's row for narrowPass.
func (t *tx) wrote(p *pass.Pass) {
	cp := *p
	for i, l := range t.loaded {
		if l.ID == p.ID && l.Network == p.Network {
			t.loaded[i] = &cp
			return
		}
	}
	t.loaded = append(t.loaded, &cp)
}

// forget drops the pass id of network from the passes narrowPass compares
// with: a write that is not Defer's.
func (t *tx) forget(network, id string) {
	t.loaded = slices.DeleteFunc(t.loaded, func(l *pass.Pass) bool { return l.ID == id && l.Network == network })
}

// sameRowButCounters reports whether a and b are written as the same row
// of passes but for the columns passCounters writes (balance, uses,
// activated_on, activated_by, expires_on and expiry, which follows from
// them and the freezes). Amounts are the same when they are equal with the
// same exponent (a numeric keeps its scale). Every field of pass.Pass is
// either compared here or one of those columns'
// (TestSameRowButCountersSeesEveryField).
func sameRowButCounters(a, b *pass.Pass) bool {
	return a.Network == b.Network && a.ID == b.ID && a.Product == b.Product && a.Holder == b.Holder &&
		a.Team == b.Team && a.Kind == b.Kind && a.Source == b.Source && a.Units == b.Units &&
		sameMoney(a.UnitValue, b.UnitValue) && sameMoney(a.Price, b.Price) && a.Paid == b.Paid &&
		sameInstant(a.PaidAt, b.PaidAt) && a.PaidBy == b.PaidBy && slices.Equal(a.Locations, b.Locations) &&
		a.Tier == b.Tier && a.Audience == b.Audience && a.Priority == b.Priority && a.Activation == b.Activation &&
		a.Locked == b.Locked && a.Validity == b.Validity && slices.Equal(a.Freezes, b.Freezes) &&
		a.IssuedAt.Equal(b.IssuedAt) && a.IssuedOn == b.IssuedOn && a.CodeHash == b.CodeHash &&
		a.CodeSealed == b.CodeSealed && a.PaidWith == b.PaidWith && a.Card == b.Card && a.Revoked == b.Revoked &&
		(a.Locations == nil) == (b.Locations == nil) && (a.Freezes == nil) == (b.Freezes == nil)
}

// sameMoney reports whether a and b are the same currency and the same
// amount with the same exponent; a copied amount shares its coefficient.
func sameMoney(a, b money.Money) bool {
	return a.Currency == b.Currency && (a.Amount == b.Amount ||
		a.Amount.Exponent() == b.Amount.Exponent() && a.Amount.Equal(b.Amount))
}

// sameInstant reports whether a and b are both nil or the same instant.
func sameInstant(a, b *time.Time) bool {
	return a == b || a != nil && b != nil && a.Equal(*b)
}
