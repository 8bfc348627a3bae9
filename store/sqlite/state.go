package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/internal/catcache"
	"github.com/passengine/passengine/internal/sqlutil"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

var _ store.StateLoader = (*tx)(nil)

// The state of a call is read in one statement: a UNION ALL of one branch
// per part of store.State, each row a section number and then the columns
// of its table, padded with NULLs to one width, so that each is scanned by
// its table's scan function (through wideRow). Every column of the width
// costs about 1,100 instructions a statement, NULL or not (the driver
// reads its name and declared type, then its type in each row read), so
// a row carries no column the decoding does not read. The PAYG products
// come first (but in the catalog-cached variant, which reads none,
// catcache.go); then the head row, which holds the one-row parts side by
// side (secHead) with the versions of the holder's and team's passes, of
// the call's visits and of the network's catalog; then the visits, the
// lineage's passes that are not live, a mark row, and the live passes.
// LoadState stops reading at the head when the memo holds the visits at
// those versions (visitmemo.go), the cache of live passes holds both
// owners at theirs (passcache.go) and they include every pass of the
// lineage (which LoadState knows by then from the visits), and at the
// mark when the cache holds the owners only: so SQLite never reads the
// visits' rows, computes the lineage, or steps through the live rows,
// when it need not. Its parameters:
//
//	?1 network   ?2 holder     ?3 location   ?4 from (a date, or a date
//	modifier such as '-2 days' from the visit's date)    ?5 to ('' for
//	the visit's date)   ?6 look-back days    ?7 visit    ?8 lineage (a
//	JSON array)    ?9 key
//
// The sections record to count and version are in one row, the head
// (secHead), at the offsets head* name.
const (
	secRecord = iota
	secNetwork
	secHolder
	secLocation
	secTeam
	secCount
	secVisit
	secOpen
	secRecent
	secNamed
	secPAYG
	secMark
	secLive     // the holder's live passes
	secLiveTeam // the team's live passes
)

// secHead is the section of the head row.
const secHead = secNetwork

// The offsets in the head row of its parts, from the first column after
// the section (stateCols).
const (
	headRecord   = 0
	headNetwork  = 6
	headHolder   = 10
	headLocation = 16
	headTeam     = 22
	headCount    = 26
	headVersions = 27
	headVisit    = 29 // the named visit's version and flags
	headOpen     = 30 // the open visits' versions
	headRecent   = 31 // the window's visits' versions
	headCatalog  = 32 // the network's catalog version (catcache.go)
)

// stateCols is the offset in a row of the state query of its table's
// columns: after the section.
const stateCols = 1

// stateWidth is the columns of each row: the section and the widest
// table's columns (passes).
var stateWidth = stateCols + len(passColumns)

// branch returns one branch of the state query: section sec, then cols
// (n of them) of what follows FROM, padded.
func branch(sec int, cols string, n int, from string) string {
	if from == "" {
		return fmt.Sprintf("SELECT %d, %s%s", sec, cols, strings.Repeat(", NULL", stateWidth-stateCols-n))
	}
	return fmt.Sprintf("SELECT %d, %s%s FROM %s", sec, cols, strings.Repeat(", NULL", stateWidth-stateCols-n), from)
}

// firstBranch returns the first branch of the state query, whose columns
// name the statement's: section sec, then cols of what follows FROM,
// padded. Each column is named _ (a name of one
// byte, which the driver reads on every run without allocating it), and a
// table's column is made an expression (unary +, which changes no value),
// whose declared type the driver does not read (it allocates it, on every
// run too).
func firstBranch(sec int, cols []string, from string) string {
	all := append([]string{strconv.Itoa(sec)}, cols...)
	for len(all) < stateWidth {
		all = append(all, "NULL")
	}
	for i, c := range all {
		if isColumn(c) {
			c = "+" + c
		}
		all[i] = c + " AS _"
	}
	return "SELECT " + strings.Join(all, ", ") + " FROM " + from
}

// isColumn reports whether expression e is a column name (qualified or
// not).
func isColumn(e string) bool {
	for i, r := range e {
		switch {
		case r >= 'a' && r <= 'z', r == '_':
		case i > 0 && (r >= '0' && r <= '9' || r == '.'):
		default:
			return false
		}
	}
	return e != "" && e != "NULL"
}

// stateQueries holds the state query of each variant (stateVariant).
var stateQueries [16]struct {
	once sync.Once
	sql  string
}

// stateVariant numbers the shapes of a state query: whether it names a
// visit, whether it names only a visit (whose holder and location are the
// query's), and whether it names an idempotency key; catalogCached (8)
// is added when the catalog cache holds the network and location.
func stateVariant(q *store.StateQuery) int {
	v := 0
	if q.Visit != "" {
		v |= 1
	}
	if q.Holder == "" && q.Location == "" {
		v |= 2
	}
	if q.Key != "" {
		v |= 4
	}
	return v
}

func stateQuery(variant int) string {
	s := &stateQueries[variant]
	s.once.Do(func() {
		s.sql = buildStateQuery(variant&1 != 0, variant&2 != 0, variant&4 != 0, variant&catalogCached != 0)
	})
	return s.sql
}

// catalogCached is the variant bit of a state query whose catalog rows
// the cache holds (catcache.go).
const catalogCached = 8

// buildStateQuery returns the state query of a variant: with cat, the
// catalog-cached one, whose head row gives the catalog's version but not
// its rows, and which reads no PAYG product.
func buildStateQuery(visit, visitFirst, key, cat bool) string {
	holder, location, from, to := "?2", "?3", "?4", "?5"
	// A query that names only a visit reads its holder, location and date
	// from the visit's row once, into a materialized CTE that the branches
	// read (each scalar subquery on visits would look the visit up again:
	// 13 lookups, 12% of a check-out's statement).
	with := ""
	if visitFirst {
		with = "WITH nv AS MATERIALIZED (SELECT holder, location, service_date FROM visits WHERE network = ?1 AND id = ?7)\n"
		holder = "(SELECT holder FROM nv)"
		location = "(SELECT location FROM nv)"
		from = "date((SELECT service_date FROM nv), ?4)"
		to = "coalesce(nullif(?5, ''), (SELECT service_date FROM nv))"
	}
	// The window's first day: from, or the look-back before the holder's
	// earliest open visit at the location (store.WindowStart).
	window := "min(" + from + ", coalesce((SELECT date(min(service_date), '-' || ?6 || ' days') FROM visits INDEXED BY visits_open" +
		" WHERE network = ?1 AND holder = " + holder + " AND status = 'open' AND location = " + location + "), " + from + "))"
	// The holder's team, NULL (no row) for a holder without one: the team's
	// branches then match nothing at once. Compared with '' instead, the
	// live team branch would walk every team-less pass of the network in
	// passes_live_team (176 times the cost of a pair at 1,000,000 holders).
	team := "(SELECT team FROM holders WHERE network = ?1 AND id = " + holder + " AND team <> '')"
	nv := len(visitRowColumns)
	// The PAYG products come first, but in the catalog-cached variant.
	var b []string
	if !cat {
		b = append(b, firstBranch(secPAYG, strings.Split(paygCols, ", "), "paygs WHERE network = ?1"))
	}
	// The named visit, when the query names one, is read once: the head
	// says whether it is one of the holder's open visits and of the
	// window's, which the open and recent branches then leave out
	// (LoadState adds copies).
	notVisit := ""
	if visit {
		notVisit = " AND id <> ?7"
	}
	open := "visits WHERE network = ?1 AND holder = " + holder + " AND status = 'open'" + notVisit
	recent := "visits WHERE network = ?1 AND holder = " + holder + " AND service_date >= " + window + " AND service_date <= " + to + notVisit
	var vb []string // the visits' branches, after the head
	if visit {
		vb = append(vb, branch(secVisit, visitRowCols, nv, "visits WHERE network = ?1 AND id = ?7"))
	}
	vb = append(vb,
		branch(secOpen, visitRowCols, nv, open),
		branch(secRecent, visitRowCols, nv, recent))
	// The head row: the key's record, the network, holder, location and
	// team (each NULLs when missing), the count of locations and the
	// versions of the holder's and team's passes (NULL for no row), at the
	// offsets head* name. One row instead of eight: each row costs a step
	// of the statement and a driver read of every column, NULL padding
	// included (about 13,000 instructions for a row of NULLs). It is the
	// first mark: LoadState stops there when the cache holds the live
	// passes at those versions and they include every pass of the lineage.
	// In the catalog-cached variant the network, location and count are
	// NULLs, and the network and location are not joined: the version of
	// the catalog, last, says whether the cached ones hold.
	cols := []string{"NULL", "NULL", "NULL", "NULL", "NULL", "NULL"}
	if key {
		cols = []string{"+r.network", "+r.key", "+r.operation", "+r.request", "+r.result", "+r.at"}
	}
	network := []string{"+n.id", "+n.name", "+n.currency", "+n.zone"}
	loc := []string{"+l.network", "+l.id", "+l.name", "+l.zone", "+l.day_cutoff", "+l.tier"}
	count := "(SELECT count(*) FROM locations WHERE network = ?1)"
	if cat {
		network, loc, count = slices.Repeat([]string{"NULL"}, len(network)), slices.Repeat([]string{"NULL"}, len(loc)), "NULL"
	}
	cols = append(cols, network...)
	cols = append(cols, "+h.network", "+h.id", "+h.name", "+h.audience", "+h.team", "+h.health_declared_at")
	cols = append(cols, loc...)
	cols = append(cols, "+t.network", "+t.id", "+t.name", "+t.credit_sharing", count,
		"(SELECT version FROM pass_versions WHERE network = ?1 AND kind = 'holder' AND owner = h.id)",
		"(SELECT version FROM pass_versions WHERE network = ?1 AND kind = 'team' AND owner = t.id)")
	// The versions of the call's visits (migration 7), which LoadState
	// takes from the memo when it holds them all (visitmemo.go): the named
	// visit's version times 4 plus whether it is open (1) and of the
	// window (2), NULL for no such visit; and the open and window visits
	// (the named one left out) as a list of length:id version; items.
	visitHead := "NULL"
	if visit {
		visitHead = "(SELECT version * 4 + (holder = " + holder + " AND status = 'open')" +
			" + 2 * (holder = " + holder + " AND service_date >= " + window + " AND service_date <= " + to + ")" +
			" FROM visits WHERE network = ?1 AND id = ?7)"
	}
	list := func(from string) string {
		return "(SELECT group_concat(octet_length(id) || ':' || id || version || ';', '') FROM " + from + ")"
	}
	cols = append(cols, visitHead, list(open), list(recent),
		"(SELECT version FROM catalog_versions WHERE network = ?1)")
	headFrom := "(SELECT 1)"
	if key {
		headFrom += " LEFT JOIN idempotency r ON r.network = ?1 AND r.key = ?9"
	}
	if !cat {
		headFrom += " LEFT JOIN networks n ON n.id = ?1"
	}
	headFrom += " LEFT JOIN holders h ON h.network = ?1 AND h.id = " + holder +
		" LEFT JOIN teams t ON t.network = ?1 AND t.id = h.team AND h.team <> ''"
	if !cat {
		headFrom += " LEFT JOIN locations l ON l.network = ?1 AND l.id = " + location
	}
	if cat {
		b = append(b, firstBranch(secHead, cols, headFrom))
	} else {
		b = append(b, branch(secHead, strings.Join(cols, ", "), len(cols), headFrom))
	}
	b = append(b, vb...)
	// The lineage: the passes the query names and those that paid the
	// window's visits and the named visit. UNION ALL: IN keeps each ID
	// once, and UNION would sort the IDs into a temporary b-tree first.
	lineage := "SELECT value FROM json_each(?8)" +
		" UNION ALL SELECT json_extract(c.value, '$.pass') FROM visits v, json_each(v.consumptions) c" +
		" WHERE v.network = ?1 AND v.holder = " + holder + " AND v.service_date >= " + window +
		" AND v.service_date <= " + to + " AND v.consumptions <> ''"
	if visit {
		lineage += " UNION ALL SELECT json_extract(c.value, '$.pass') FROM visits v, json_each(v.consumptions) c" +
			" WHERE v.network = ?1 AND v.id = ?7 AND v.consumptions <> ''"
	}
	b = append(b,
		// The lineage's live passes of the holder and team are left out:
		// they are among the live passes (read below, or cached), and
		// LoadState takes them from there (namedLive).
		branch(secNamed, passCols, len(passColumns), "passes WHERE network = ?1 AND id IN ("+lineage+")"+
			" AND NOT coalesce(balance > 0 AND ((holder = "+holder+" AND holder <> '') OR (team = "+team+" AND team <> '')), 0)"),
		branch(secMark, "NULL", 1, ""),
		branch(secLive, passCols, len(passColumns),
			"passes WHERE network = ?1 AND holder = "+holder+" AND holder <> '' AND balance > 0"),
		branch(secLiveTeam, passCols, len(passColumns),
			"passes WHERE network = ?1 AND team = "+team+" AND team <> '' AND balance > 0"),
	)
	// No ORDER BY: SQLite returns a UNION ALL branch by branch, and each
	// branch's rows in its index's order; LoadState sorts what an index
	// does not (sortState), which costs less than SQLite's sorter copying
	// every wide row.
	return with + strings.Join(b, "\nUNION ALL ")
}

// LoadState reads q's state in one statement (store.StateLoader). SQLite
// serializes units of work, so the holder and team need no lock of their
// own. It returns store.ErrNotFound for a missing network, visit (when
// the query names only a visit), holder, location, team or visit, in that
// order.
func (t *tx) LoadState(ctx context.Context, q store.StateQuery) (store.State, error) {
	if q.Visit != "" && q.Holder == "" && q.Location == "" {
		if h, ok := t.s.hints.get(visitKey{q.Network, q.Visit}); ok {
			if hq, ok := hinted(q, h); ok {
				// Any failure (the hint's check among them) runs the query
				// as it was, which says what is wrong.
				if s, err := t.loadState(ctx, hq, &h); err == nil {
					return s, nil
				}
			}
		}
	}
	return t.loadState(ctx, q, nil)
}

// errHintMissed stops a state read whose visit hint (visithint.go) does
// not hold.
var errHintMissed = errors.New("sqlite: the visit's hint does not hold")

// errCatalogStale stops a catalog-cached state read whose head row names
// another catalog version than the cached one (catcache.go).
var errCatalogStale = errors.New("sqlite: the cached catalog is not the database's")

// loadState is LoadState. With a hint h, q names the hint's holder and
// location, and the first row must be q's visit with the hint's holder,
// location and service date, or it returns errHintMissed. It reads the
// catalog-cached variant when the catalog cache holds q's network and
// location, and reads again with the full statement when the cached
// version is not the database's.
func (t *tx) loadState(ctx context.Context, q store.StateQuery, h *visitHint) (store.State, error) {
	if q.Holder != "" || q.Location != "" {
		if cat, loc := t.s.cat.Lookup(q.Network, q.Location); cat != nil {
			s, err := t.loadStateWith(ctx, q, h, cat, loc)
			if !errors.Is(err, errCatalogStale) {
				return s, err
			}
			t.s.cat.Drop(q.Network, cat.Version)
		}
	}
	return t.loadStateWith(ctx, q, h, nil, catalog.Location{})
}

// loadStateWith is loadState, with the cached catalog rows of q's
// network cat and its location loc, or without (cat nil).
func (t *tx) loadStateWith(ctx context.Context, q store.StateQuery, h *visitHint, cat *catcache.Entry, loc catalog.Location) (store.State, error) {
	var s store.State
	lineage := "[]" // a call's query names none, mostly
	if len(q.Lineage) > 0 {
		b, err := json.Marshal(q.Lineage)
		if err != nil {
			return s, err
		}
		lineage = string(b)
	}
	from := sqlutil.FormatDate(q.From)
	if q.Holder == "" && q.Location == "" {
		from = strconv.Itoa(q.FromVisit) + " days"
	}
	variant := stateVariant(&q)
	if cat != nil {
		variant |= catalogCached
	}
	rows, err := t.query(ctx, stateQuery(variant), q.Network, q.Holder, q.Location, from, sqlutil.FormatDate(q.To),
		max(q.Lookback, 1), q.Visit, lineage, q.Key)
	if err != nil {
		return s, mapErr(err)
	}
	defer rows.Close()
	buf := stateBufs.Get().(*stateBuf)
	defer buf.release()
	vals, ptrs := buf.vals, buf.ptrs
	row := &wideRow{vals: vals, off: stateCols}
	nv := len(visitRowColumns)
	var found [secLiveTeam + 1]bool
	var named []pass.Pass
	var versions [2]int64      // of the holder's passes and the team's, 0 for no row
	var owners [2]*ownerKey    // the holder and the team, nil when not cached
	var cached [2][]*pass.Pass // their live passes, from the cache or the rows
	var split [2][]pass.Pass   // the live rows of each
	hit := false
	memo := false                    // the visits came from the memo (visitsFromMemo)
	var visitOpen, visitRecent int64 // whether the named visit is one of Open, of Recent
	var catVersion int64             // the network's catalog version, 0 for no row
	stepped := 0                     // rows read, for the trace
rows:
	for rows.Next() {
		stepped++
		if err := rows.Scan(ptrs...); err != nil {
			return s, mapErr(err)
		}
		sec, _ := vals[0].(int64)
		if memo && (sec == secVisit || sec == secOpen || sec == secRecent) {
			continue // already taken from the memo
		}
		if sec != secHead {
			found[sec] = true
		}
		switch sec {
		case secHead:
			if err = t.scanHead(vals, &s, &found, &versions, cat == nil); err != nil {
				break
			}
			catVersion, _ = vals[stateCols+headCatalog].(int64)
			if cat != nil {
				if catVersion != cat.Version {
					return s, errCatalogStale
				}
				s.Network, s.Location, s.Locations, s.PAYG = cat.Network, loc, cat.Locations, cat.PAYGCopy()
				found[secNetwork], found[secLocation] = true, true
			}
			if x, ok := vals[stateCols+headVisit].(int64); ok {
				visitOpen, visitRecent = x&1, x>>1&1
			} else if h != nil {
				return s, errHintMissed // no such visit
			}
			if memo, err = t.visitsFromMemo(vals, &q, &s, h); err != nil {
				return s, err
			}
			if memo {
				found[secVisit] = q.Visit != ""
				h = nil // checked
			}
			owners = t.liveOwners(q.Network, found[secHolder], s.Holder.ID, s.Holder.Team)
			if hit = t.cachedLive(owners, versions, &cached); hit && memo && lineageCached(&q, &s, found[secVisit], cached) {
				break rows // the visits are the memo's, the lineage's passes live, in the cache: SQLite reads no other row
			}
		case secVisit:
			if h != nil {
				if vals[stateCols+2] != any(h.holder) || vals[stateCols+3] != any(h.location) || vals[stateCols+9] != any(h.date) {
					return s, errHintMissed
				}
				h = nil // checked
			}
			var kept []any
			if s.Visit, kept, err = t.s.visits.scanRow(row, !t.write); err == nil {
				t.noteRow(s.Visit.Network, s.Visit.ID, vals[stateCols:stateCols+nv])
				t.learnRead(kept)
			}
		case secOpen, secRecent:
			var v checkin.Visit
			var kept []any
			if v, kept, err = t.s.visits.scanRow(row, !t.write); err == nil {
				t.learnRead(kept)
				if sec == secOpen {
					s.Open = append(s.Open, v)
				} else {
					s.Recent = append(s.Recent, v)
				}
			}
		case secNamed:
			var p pass.Pass
			if p, err = scanPass(row); err == nil {
				named = append(named, p)
			}
		case secPAYG:
			var p billing.PAYG
			if p, err = scanPAYG(row); err == nil {
				s.PAYG = append(s.PAYG, p)
			}
		case secMark:
			if hit {
				break rows // the live rows are in the cache: SQLite never reads them
			}
		case secLive, secLiveTeam:
			var p pass.Pass
			if p, err = scanPass(row); err == nil {
				split[sec-secLive] = append(split[sec-secLive], p)
			}
		}
		if err != nil {
			return s, fmt.Errorf("sqlite: load state: %w", err)
		}
	}
	if !hit {
		if err := rows.Err(); err != nil {
			return s, mapErr(err)
		}
	}
	if tr := tracing.Load(); tr != nil {
		tr.stateRows(stepped)
	}
	if h != nil {
		return s, errHintMissed // no row
	}
	if visitOpen != 0 {
		s.Open = append(s.Open, cloneVisit(&s.Visit))
	}
	if visitRecent != 0 {
		s.Recent = append(s.Recent, cloneVisit(&s.Visit))
	}
	if hit {
		s.Live = mergeLive(cached[0], cached[1])
	} else {
		for i, o := range owners {
			if o != nil {
				cached[i] = sortedPointers(split[i])
				t.fillLive(*o, versions[i], cached[i])
			}
		}
		if owners[0] != nil {
			s.Live = mergeLive(cached[0], cached[1])
		} else {
			s.Live = sortedPointers(append(split[0], split[1]...))
		}
	}
	sortState(&s, named)
	s.Named = namedLive(s.Named, s.Live, &q, &s, found[secVisit])
	if cat == nil && found[secNetwork] && found[secLocation] {
		t.fillCatalog(catFill{version: catVersion, network: s.Network, locations: s.Locations, paygs: s.PAYG, location: s.Location})
	}
	switch visitFirst := q.Holder == "" && q.Location == ""; {
	case !found[secNetwork]:
		return s, fmt.Errorf("network %q: %w", q.Network, store.ErrNotFound)
	case visitFirst && !found[secVisit]:
		return s, fmt.Errorf("visit %q: %w", q.Visit, store.ErrNotFound)
	case !found[secHolder]:
		return s, fmt.Errorf("holder %q: %w", q.Holder, store.ErrNotFound)
	case !found[secLocation]:
		return s, fmt.Errorf("location %q: %w", q.Location, store.ErrNotFound)
	case s.Holder.Team != "" && !found[secTeam]:
		return s, fmt.Errorf("team %q: %w", s.Holder.Team, store.ErrNotFound)
	case q.Visit != "" && !found[secVisit]:
		return s, fmt.Errorf("visit %q: %w", q.Visit, store.ErrNotFound)
	}
	return s, nil
}

// visitsFromMemo sets the state's named visit (when the query names
// one), open visits and window's visits to the memo's, and reports true,
// when the memo holds every one of them at the version the head row
// (vals) names: a trusted entry at a visit's version holds its row
// (visitmemo.go). It reports false, changing nothing, otherwise. With a
// hint h, a named visit whose holder, location or service date is not the
// hint's is errHintMissed.
func (t *tx) visitsFromMemo(vals []any, q *store.StateQuery, s *store.State, h *visitHint) (bool, error) {
	var named *memoVisit
	if q.Visit != "" {
		x, ok := vals[stateCols+headVisit].(int64)
		if !ok {
			return false, nil
		}
		if named = t.s.visits.at(visitKey{q.Network, q.Visit}, x>>2); named == nil {
			return false, nil
		}
		if h != nil && (named.vals[2] != any(h.holder) || named.vals[3] != any(h.location) || named.vals[9] != any(h.date)) {
			return false, errHintMissed
		}
	}
	var open, recent []*memoVisit
	for i, l := range []*[]*memoVisit{&open, &recent} {
		text, ok := vals[stateCols+headOpen+i].(string)
		if vals[stateCols+headOpen+i] == nil {
			continue // no visit
		}
		if !ok || !eachVisitVersion(text, func(id string, version int64) bool {
			e := t.s.visits.at(visitKey{q.Network, id}, version)
			*l = append(*l, e)
			return e != nil
		}) {
			return false, nil
		}
	}
	// Every visit is the memo's: decode them (once per entry).
	decode := func(es []*memoVisit) ([]checkin.Visit, error) {
		var vs []checkin.Visit
		for _, e := range es {
			v, err := e.visit()
			if err != nil {
				return nil, err
			}
			vs = append(vs, v)
		}
		return vs, nil
	}
	var err error
	var visit checkin.Visit
	if named != nil {
		if visit, err = named.visit(); err != nil {
			return false, nil // the rows say what is wrong
		}
	}
	o, err := decode(open)
	if err != nil {
		return false, nil
	}
	r, err := decode(recent)
	if err != nil {
		return false, nil
	}
	if named != nil {
		s.Visit = visit
		t.noteRow(visit.Network, visit.ID, named.vals)
	}
	s.Open, s.Recent = o, r
	t.s.visits.served.Add(1)
	return true, nil
}

// eachVisitVersion calls fn with the ID and version of each item of
// text, a list of length:id version; items (the head's), until fn returns
// false, and reports whether every item was well formed and fn returned
// true for each.
func eachVisitVersion(text string, fn func(id string, version int64) bool) bool {
	for text != "" {
		colon := strings.IndexByte(text, ':')
		if colon <= 0 {
			return false
		}
		n, err := strconv.Atoi(text[:colon])
		if err != nil || n < 0 || colon+1+n > len(text) {
			return false
		}
		id := text[colon+1 : colon+1+n]
		text = text[colon+1+n:]
		semi := strings.IndexByte(text, ';')
		if semi <= 0 {
			return false
		}
		version, err := strconv.ParseInt(text[:semi], 10, 64)
		if err != nil || !fn(id, version) {
			return false
		}
		text = text[semi+1:]
	}
	return true
}

// learnRead notes a visit row read (its driver values as the memo keeps
// them; nil for none) for the memo once the unit of work commits: a View
// read is trusted at once (visitMemo.scanRow).
func (t *tx) learnRead(vals []any) {
	if t.write && vals != nil {
		t.learnt = append(t.learnt, vals)
	}
}

// scanHead decodes the head row (vals, the driver values of a row of the
// state query) into s, marks the parts it found and sets versions to the
// holder's and team's versions of passes (0 for no row).
//
// Without withCatalog (the catalog-cached variant), the head holds none
// of the network, location and count of locations, which it leaves as
// they are.
func (t *tx) scanHead(vals []any, s *store.State, found *[secLiveTeam + 1]bool, versions *[2]int64, withCatalog bool) error {
	row := &wideRow{vals: vals}
	at := func(off int) *wideRow { row.off = stateCols + off; return row }
	var err error
	if vals[stateCols+headRecord+1] != nil {
		var rec store.Record
		if rec, err = scanRecord(at(headRecord)); err != nil {
			return err
		}
		s.Record, found[secRecord] = &rec, true
	}
	if vals[stateCols+headNetwork] != nil {
		if err = at(headNetwork).Scan(&s.Network.ID, &s.Network.Name, &s.Network.Currency, &s.Network.Zone); err != nil {
			return err
		}
		found[secNetwork] = true
	}
	if vals[stateCols+headHolder+1] != nil {
		if s.Holder, err = scanHolder(at(headHolder)); err != nil {
			return err
		}
		found[secHolder] = true
	}
	if vals[stateCols+headLocation+1] != nil {
		if s.Location, err = scanLocation(at(headLocation)); err != nil {
			return err
		}
		found[secLocation] = true
	}
	if vals[stateCols+headTeam+1] != nil {
		if s.Team, err = scanTeam(at(headTeam)); err != nil {
			return err
		}
		found[secTeam] = true
	}
	if withCatalog {
		if err = at(headCount).Scan(&s.Locations); err != nil {
			return err
		}
	}
	versions[0], _ = vals[stateCols+headVersions].(int64)
	versions[1], _ = vals[stateCols+headVersions+1].(int64)
	return nil
}

// sortState puts the state's lists in the order store.State promises:
// visits by start then ID, named passes and PAYG products by ID, and sets
// its named passes to named. The rows mostly come in that order already;
// a list is sorted only when not.
func sortState(s *store.State, named []pass.Pass) {
	byStart := func(a, b checkin.Visit) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	}
	for _, vs := range [][]checkin.Visit{s.Open, s.Recent} {
		if !slices.IsSortedFunc(vs, byStart) {
			slices.SortFunc(vs, byStart)
		}
	}
	s.Named = sortedPointers(named)
	paygByID := func(a, b billing.PAYG) int { return strings.Compare(a.ID, b.ID) }
	if !slices.IsSortedFunc(s.PAYG, paygByID) {
		slices.SortFunc(s.PAYG, paygByID)
	}
}

// namedLive returns named (sorted by ID) with the passes of live that
// the query's lineage names added, sorted by ID: the state statement's
// named branch leaves out the live passes of the holder and team, and the
// lineage is the query's, and the passes of the consumptions of the
// window's visits (s.Recent) and of the named visit (when found), as the
// statement computes it.
func namedLive(named, live []*pass.Pass, q *store.StateQuery, s *store.State, visit bool) []*pass.Pass {
	if len(live) == 0 {
		return named
	}
	added := false
	for _, p := range live {
		if inLineage(q, s, visit, p.ID) {
			named, added = append(named, p), true
		}
	}
	if added {
		slices.SortFunc(named, func(a, b *pass.Pass) int { return strings.Compare(a.ID, b.ID) })
	}
	return named
}

// cloneVisit returns a copy of v that shares no memory with it, as a
// read of its row would decode it (an empty list stays empty, not nil).
func cloneVisit(v *checkin.Visit) checkin.Visit {
	c := v.Clone()
	if c.Consumptions == nil && v.Consumptions != nil {
		c.Consumptions = []checkin.Consumption{}
	}
	if c.Charges == nil && v.Charges != nil {
		c.Charges = []billing.DayCharge{}
	}
	return c
}

// inLineage reports whether pass id is in the query's lineage, as the
// state statement computes it: named by the query, or by a consumption of
// a visit of the window (s.Recent) or of the named visit (when found).
func inLineage(q *store.StateQuery, s *store.State, visit bool, id string) bool {
	if slices.Contains(q.Lineage, id) {
		return true
	}
	for i := range s.Recent {
		for _, c := range s.Recent[i].Consumptions {
			if c.Pass == id {
				return true
			}
		}
	}
	if visit {
		for _, c := range s.Visit.Consumptions {
			if c.Pass == id {
				return true
			}
		}
	}
	return false
}

// lineageCached reports whether every pass of the query's lineage (as
// inLineage) is one of the owners' live passes in cached (each sorted by
// ID): the named branch of the state statement would then return no row.
func lineageCached(q *store.StateQuery, s *store.State, visit bool, cached [2][]*pass.Pass) bool {
	live := func(id string) bool {
		for _, ps := range cached {
			if _, ok := slices.BinarySearchFunc(ps, id, func(p *pass.Pass, id string) int { return strings.Compare(p.ID, id) }); ok {
				return true
			}
		}
		return false
	}
	for _, id := range q.Lineage {
		if !live(id) {
			return false
		}
	}
	for i := range s.Recent {
		for _, c := range s.Recent[i].Consumptions {
			if !live(c.Pass) {
				return false
			}
		}
	}
	if visit {
		for _, c := range s.Visit.Consumptions {
			if !live(c.Pass) {
				return false
			}
		}
	}
	return true
}

// sortedPointers sorts ps by ID (the rows mostly come in that order) and
// returns pointers to its passes (store.Pointers).
func sortedPointers(ps []pass.Pass) []*pass.Pass {
	byID := func(a, b pass.Pass) int { return strings.Compare(a.ID, b.ID) }
	if !slices.IsSortedFunc(ps, byID) {
		slices.SortFunc(ps, byID)
	}
	return store.Pointers(ps)
}

// mergeLive returns a new list of the passes of a and b (each sorted by
// ID), sorted by ID, nil for none: a State's Live, whose pointers belong
// to the caller.
func mergeLive(a, b []*pass.Pass) []*pass.Pass {
	if len(a)+len(b) == 0 {
		return nil
	}
	out := make([]*pass.Pass, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		if b[0].ID < a[0].ID {
			out, b = append(out, b[0]), b[1:]
		} else {
			out, a = append(out, a[0]), a[1:]
		}
	}
	return append(append(out, a...), b...)
}

// liveOwners returns the owners whose live passes the state reads, as
// the cache names them: the holder (when found) and its team (when it has
// one), or nils when the store keeps no cache.
func (t *tx) liveOwners(network string, found bool, holder, team string) (owners [2]*ownerKey) {
	if t.s.passes == nil || !found || holder == "" {
		return owners
	}
	owners[0] = &ownerKey{network: network, id: holder}
	if team != "" {
		owners[1] = &ownerKey{network: network, team: true, id: team}
	}
	return owners
}

// cachedLive reports whether the cache holds every owner at the version
// the database has, and if so sets the owners' live passes to the cache's
// (and, in an Update, notes what it read).
func (t *tx) cachedLive(owners [2]*ownerKey, versions [2]int64, out *[2][]*pass.Pass) bool {
	if owners[0] == nil {
		return false
	}
	var es [2]*liveEntry
	for i, o := range owners {
		if o == nil {
			continue
		}
		if es[i] = t.s.passes.get(*o); es[i] == nil || es[i].version != versions[i] {
			t.s.passes.misses.Add(1)
			return false
		}
	}
	t.s.passes.hits.Add(1)
	for i, e := range es {
		if e != nil {
			out[i] = e.passes
			if t.write {
				t.noteRead(e.key, e.version, e.passes)
			}
		}
	}
	return true
}

// fillLive gives the cache an owner's live passes read from the rows at
// version: at once in a View (a committed snapshot), and in an Update only
// after its commit (tx.install).
func (t *tx) fillLive(k ownerKey, version int64, passes []*pass.Pass) {
	if t.write {
		t.noteRead(k, version, passes)
		return
	}
	t.s.passes.put(&liveEntry{key: k, version: version, passes: passes})
}

// stateBuf is the space a state read scans its rows into: vals, one row's
// values, and ptrs, a pointer to each, as rows.Scan takes them. A
// decoded value never refers to vals itself (strings and byte slices are
// the driver's own copies; the memo and snapshots copy the values they
// keep), so a buffer serves read after read.
type stateBuf struct{ vals, ptrs []any }

// stateBufs holds the buffers of state reads, which would otherwise
// allocate both slices (about 1,200 bytes) at every read.
var stateBufs = sync.Pool{New: func() any {
	b := &stateBuf{vals: make([]any, stateWidth), ptrs: make([]any, stateWidth)}
	for i := range b.vals {
		b.ptrs[i] = &b.vals[i]
	}
	return b
}}

// release clears b's values, so that the pool keeps none of them alive,
// and returns b to the pool.
func (b *stateBuf) release() {
	clear(b.vals)
	stateBufs.Put(b)
}

// wideRow is a row of the state query as the driver returned its values,
// from column off on: the scan functions of each table read it through
// Scan as they read a *sql.Row.
type wideRow struct {
	vals []any
	off  int
}

// Scan assigns the row's values, from its offset on, to dest.
func (r *wideRow) Scan(dest ...any) error {
	if len(dest) > len(r.vals)-r.off {
		return fmt.Errorf("sqlite: %d destinations for %d columns", len(dest), len(r.vals)-r.off)
	}
	for i, d := range dest {
		if err := assign(d, r.vals[r.off+i]); err != nil {
			return fmt.Errorf("sqlite: column %d: %w", r.off+i, err)
		}
	}
	return nil
}

// assign stores driver value v (int64, float64, string, []byte or nil) in
// dest, as database/sql's Scan would for the types the scan functions use.
func assign(dest, v any) error {
	switch d := dest.(type) {
	case *string:
		if x, ok := driverString(v); ok {
			*d = x
			return nil
		}
	case *sql.NullString:
		switch x := v.(type) {
		case string:
			*d = sql.NullString{String: x, Valid: true}
			return nil
		case []byte:
			*d = sql.NullString{String: string(x), Valid: true}
			return nil
		case nil:
			*d = sql.NullString{}
			return nil
		}
	case *int:
		if x, ok := v.(int64); ok {
			*d = int(x)
			return nil
		}
	case *int64:
		if x, ok := v.(int64); ok {
			*d = x
			return nil
		}
	case *bool:
		if x, ok := v.(int64); ok {
			*d = x != 0
			return nil
		}
	case *[]byte:
		switch x := v.(type) {
		case []byte:
			*d = x
			return nil
		case string:
			*d = []byte(x)
			return nil
		case nil:
			*d = nil
			return nil
		}
	default:
		// A named string type (pass.Kind, catalog.Audience, ...).
		if p := reflect.ValueOf(dest); p.Kind() == reflect.Pointer && p.Elem().Kind() == reflect.String {
			if x, ok := driverString(v); ok {
				p.Elem().SetString(x)
				return nil
			}
		}
	}
	// The destination's type by reflect.TypeOf, which keeps dest (a
	// caller's local, often) off the heap, as %T would not.
	return fmt.Errorf("cannot store %T in %s", v, reflect.TypeOf(dest))
}

// driverString returns driver value v as a string, as database/sql's Scan
// into a string would (NULL is ""), and false for a value it does not
// store in one. It returns the string rather than storing it through a
// pointer, so that a caller's string stays off the heap.
func driverString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case []byte:
		return string(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case nil:
		return "", true
	}
	return "", false
}
