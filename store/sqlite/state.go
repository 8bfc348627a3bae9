package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

var _ store.StateLoader = (*tx)(nil)

// The state of a call is read in one statement: a UNION ALL of one branch
// per part of store.State, each row a section number, two sort keys and
// then the columns of its table, padded with NULLs to one width, so that
// the rows come back ordered by section and sort keys and each is scanned
// by its table's scan function (through wideRow). Its parameters:
//
//	?1 network   ?2 holder     ?3 location   ?4 from (a date, or a date
//	modifier such as '-2 days' from the visit's date)    ?5 to ('' for
//	the visit's date)   ?6 look-back days    ?7 visit    ?8 lineage (a
//	JSON array)    ?9 key
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
	secLive
	secNamed
	secPAYG
)

// stateWidth is the columns of each row: the section, two sort keys and
// the widest table's columns (passes).
var stateWidth = 3 + len(passColumns)

// branch returns one branch of the state query: section sec with sort
// keys k1 and k2, then cols (n of them) of what follows FROM, padded.
func branch(sec int, k1, k2 string, cols string, n int, from string) string {
	return fmt.Sprintf("SELECT %d, %s, %s, %s%s FROM %s", sec, k1, k2, cols, strings.Repeat(", NULL", stateWidth-3-n), from)
}

// stateQueries holds the state query of each variant (stateVariant).
var stateQueries [8]struct {
	once sync.Once
	sql  string
}

// stateVariant numbers the shapes of a state query: whether it names a
// visit, whether it names only a visit (whose holder and location are the
// query's), and whether it names an idempotency key.
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
	s.once.Do(func() { s.sql = buildStateQuery(variant&1 != 0, variant&2 != 0, variant&4 != 0) })
	return s.sql
}

func buildStateQuery(visit, visitFirst, key bool) string {
	holder, location, from, to := "?2", "?3", "?4", "?5"
	if visitFirst {
		holder = "(SELECT holder FROM visits WHERE network = ?1 AND id = ?7)"
		location = "(SELECT location FROM visits WHERE network = ?1 AND id = ?7)"
		from = "date((SELECT service_date FROM visits WHERE network = ?1 AND id = ?7), ?4)"
		to = "coalesce(nullif(?5, ''), (SELECT service_date FROM visits WHERE network = ?1 AND id = ?7))"
	}
	// The window's first day: from, or the look-back before the holder's
	// earliest open visit at the location (store.WindowStart).
	window := "min(" + from + ", coalesce((SELECT date(min(service_date), '-' || ?6 || ' days') FROM visits INDEXED BY visits_open" +
		" WHERE network = ?1 AND holder = " + holder + " AND status = 'open' AND location = " + location + "), " + from + "))"
	team := "(SELECT team FROM holders WHERE network = ?1 AND id = " + holder + ")"
	nv := len(visitColumns)
	var b []string
	if key {
		b = append(b, branch(secRecord, "''", "''", "network, key, operation, request, result, at", 6,
			"idempotency WHERE network = ?1 AND key = ?9"))
	}
	b = append(b,
		branch(secNetwork, "''", "''", "id, name, currency, zone", 4, "networks WHERE id = ?1"),
		branch(secHolder, "''", "''", "network, id, name, audience, team, health_declared_at", 6,
			"holders WHERE network = ?1 AND id = "+holder),
		branch(secLocation, "''", "''", locationCols, 6, "locations WHERE network = ?1 AND id = "+location),
		branch(secTeam, "''", "''", "network, id, name, credit_sharing", 4,
			"teams WHERE network = ?1 AND id = "+team+" AND id <> ''"),
		branch(secCount, "''", "''", "count(*)", 1, "locations WHERE network = ?1"),
	)
	if visit {
		b = append(b, branch(secVisit, "''", "''", visitCols, nv, "visits WHERE network = ?1 AND id = ?7"))
	}
	// The lineage: the passes the query names and those that paid the
	// window's visits and the named visit.
	lineage := "SELECT value FROM json_each(?8)" +
		" UNION SELECT json_extract(c.value, '$.pass') FROM visits v, json_each(v.consumptions) c" +
		" WHERE v.network = ?1 AND v.holder = " + holder + " AND v.service_date >= " + window +
		" AND v.service_date <= " + to + " AND v.consumptions <> ''"
	if visit {
		lineage += " UNION SELECT json_extract(c.value, '$.pass') FROM visits v, json_each(v.consumptions) c" +
			" WHERE v.network = ?1 AND v.id = ?7 AND v.consumptions <> ''"
	}
	b = append(b,
		branch(secOpen, "start_at", "id", visitCols, nv, "visits WHERE network = ?1 AND holder = "+holder+" AND status = 'open'"),
		branch(secRecent, "start_at", "id", visitCols, nv,
			"visits WHERE network = ?1 AND holder = "+holder+" AND service_date >= "+window+" AND service_date <= "+to),
		branch(secLive, "id", "''", passCols, len(passColumns),
			"passes WHERE network = ?1 AND holder = "+holder+" AND holder <> '' AND balance > 0"),
		branch(secLive, "id", "''", passCols, len(passColumns),
			"passes WHERE network = ?1 AND team = "+team+" AND team <> '' AND balance > 0"),
		branch(secNamed, "id", "''", passCols, len(passColumns), "passes WHERE network = ?1 AND id IN ("+lineage+")"),
		branch(secPAYG, "id", "''", paygCols, 7, "paygs WHERE network = ?1"),
	)
	// No ORDER BY: SQLite returns a UNION ALL branch by branch, and each
	// branch's rows in its index's order; LoadState sorts what an index
	// does not (sortState), which costs less than SQLite's sorter copying
	// every wide row.
	return strings.Join(b, "\nUNION ALL ")
}

// LoadState reads q's state in one statement (store.StateLoader). SQLite
// serializes units of work, so the holder and team need no lock of their
// own. It returns store.ErrNotFound for a missing network, visit (when
// the query names only a visit), holder, location, team or visit, in that
// order.
func (t *tx) LoadState(ctx context.Context, q store.StateQuery) (store.State, error) {
	var s store.State
	lineage, err := json.Marshal(q.Lineage)
	if err != nil {
		return s, err
	}
	if q.Lineage == nil {
		lineage = []byte("[]")
	}
	from := q.From.String()
	if q.Holder == "" && q.Location == "" {
		from = strconv.Itoa(q.FromVisit) + " days"
	}
	rows, err := t.query(ctx, stateQuery(stateVariant(&q)), q.Network, q.Holder, q.Location, from, q.To.String(),
		max(q.Lookback, 1), q.Visit, string(lineage), q.Key)
	if err != nil {
		return s, mapErr(err)
	}
	defer rows.Close()
	vals := make([]any, stateWidth)
	ptrs := make([]any, stateWidth)
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	row := &wideRow{vals: vals, off: 3}
	var found [secPAYG + 1]bool
	var live, named []pass.Pass
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return s, mapErr(err)
		}
		sec, _ := vals[0].(int64)
		found[sec] = true
		switch sec {
		case secRecord:
			var rec store.Record
			if rec, err = scanRecord(row); err == nil {
				s.Record = &rec
			}
		case secNetwork:
			err = row.Scan(&s.Network.ID, &s.Network.Name, &s.Network.Currency, &s.Network.Zone)
		case secHolder:
			s.Holder, err = scanHolder(row)
		case secLocation:
			s.Location, err = scanLocation(row)
		case secTeam:
			s.Team, err = scanTeam(row)
		case secCount:
			err = row.Scan(&s.Locations)
		case secVisit:
			s.Visit, err = scanVisit(row)
		case secOpen, secRecent:
			var v checkin.Visit
			if v, err = scanVisit(row); err == nil {
				if sec == secOpen {
					s.Open = append(s.Open, v)
				} else {
					s.Recent = append(s.Recent, v)
				}
			}
		case secLive, secNamed:
			var p pass.Pass
			if p, err = scanPass(row); err == nil {
				if sec == secLive {
					live = append(live, p)
				} else {
					named = append(named, p)
				}
			}
		case secPAYG:
			var p billing.PAYG
			if p, err = scanPAYG(row); err == nil {
				s.PAYG = append(s.PAYG, p)
			}
		}
		if err != nil {
			return s, fmt.Errorf("sqlite: load state: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return s, mapErr(err)
	}
	sortState(&s, live, named)
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

// sortState puts the state's lists in the order store.State promises:
// visits by start then ID, passes and PAYG products by ID, and sets its
// passes to live and named. The rows mostly come in that order already; a
// list is sorted only when not.
func sortState(s *store.State, live, named []pass.Pass) {
	byStart := func(a, b checkin.Visit) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	}
	byID := func(a, b pass.Pass) int { return strings.Compare(a.ID, b.ID) }
	for _, vs := range [][]checkin.Visit{s.Open, s.Recent} {
		if !slices.IsSortedFunc(vs, byStart) {
			slices.SortFunc(vs, byStart)
		}
	}
	for _, ps := range [][]pass.Pass{live, named} {
		if !slices.IsSortedFunc(ps, byID) {
			slices.SortFunc(ps, byID)
		}
	}
	s.Live, s.Named = store.Pointers(live), store.Pointers(named)
	paygByID := func(a, b billing.PAYG) int { return strings.Compare(a.ID, b.ID) }
	if !slices.IsSortedFunc(s.PAYG, paygByID) {
		slices.SortFunc(s.PAYG, paygByID)
	}
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
		switch x := v.(type) {
		case string:
			*d = x
			return nil
		case []byte:
			*d = string(x)
			return nil
		case int64:
			*d = strconv.FormatInt(x, 10)
			return nil
		case nil:
			*d = ""
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
			var s string
			if err := assign(&s, v); err != nil {
				return err
			}
			p.Elem().SetString(s)
			return nil
		}
	}
	return fmt.Errorf("cannot store %T in %T", v, dest)
}
