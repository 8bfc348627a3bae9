package sqlite

import (
	"bytes"
	"context"
	"database/sql/driver"
	"fmt"
	"strings"
	"sync"
)

// A unit of work that read a row and then puts it back writes only the
// columns that changed, in an UPDATE of those columns. A whole-row upsert
// rewrites every index of the table and the pages under each in the WAL
// (a check-out's put of its visit: all ten indexes of visits, where the
// change touches three); an UPDATE maintains only the indexes whose
// columns or conditions it sets, and a put that changes nothing writes
// nothing.
//
// The row as read is a snapshot of its driver values, taken by LoadState
// in an Update (which holds the write lock, so no other connection can
// change it) and kept up to date by the puts of the unit of work, the one
// writer of its table: a failed write drops it, and a put without one is
// the upsert.

// rowSnap is a row of table as the unit of work last read or wrote it:
// its key (network, id) and its driver values in the order of its columns.
type rowSnap struct {
	network, id string
	vals        []any
}

// snapshot returns the unit of work's snapshot of the row, or nil.
func (t *tx) snapshot(network, id string) *rowSnap {
	for i := range t.snaps {
		if s := &t.snaps[i]; s.network == network && s.id == id {
			return s
		}
	}
	return nil
}

// noteRow keeps vals (driver values read from the row, in column order;
// copied) as the unit of work's snapshot of a row, in an Update.
func (t *tx) noteRow(network, id string, vals []any) {
	if !t.write {
		return
	}
	if s := t.snapshot(network, id); s != nil {
		s.vals = append(s.vals[:0], vals...)
		return
	}
	t.snaps = append(t.snaps, rowSnap{network: network, id: id, vals: append([]any(nil), vals...)})
}

// dropRow forgets the snapshot of a row.
func (t *tx) dropRow(network, id string) {
	for i := range t.snaps {
		if t.snaps[i].network == network && t.snaps[i].id == id {
			t.snaps = append(t.snaps[:i], t.snaps[i+1:]...)
			return
		}
	}
}

// updates caches the UPDATE statements of table by the set of columns
// they set (a bit per column).
var updates sync.Map // of updateKey -> string

type updateKey struct {
	table string
	set   uint64
}

// updateQuery returns the UPDATE of table that sets the columns of set
// (bits of cols) on the row of a network and id, the last two arguments.
func updateQuery(table string, cols []string, set uint64) string {
	k := updateKey{table, set}
	if q, ok := updates.Load(k); ok {
		return q.(string)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "UPDATE %s SET ", table)
	first := true
	for i, c := range cols {
		if set&(1<<i) == 0 {
			continue
		}
		if !first {
			b.WriteString(", ")
		}
		first = false
		fmt.Fprintf(&b, "%s = ?", c)
	}
	b.WriteString(" WHERE network = ? AND id = ?")
	q, _ := updates.LoadOrStore(k, b.String())
	return q.(string)
}

// putChanged writes args (the values of cols, key columns network and id
// first, as the table's upsert takes them) as an UPDATE of the columns
// that differ from the unit of work's snapshot of the row (rowdiff.go).
// It reports false, having written nothing, when there is no snapshot or
// a value cannot be compared: the caller then upserts. A table with a
// version column (visits: visitVersion) is written only when another
// column changed, and then with the version of args.
func (t *tx) putChanged(ctx context.Context, table string, cols []string, args []any) (bool, error) {
	if len(t.snaps) == 0 {
		return false, nil
	}
	network, ok1 := args[0].(string)
	id, ok2 := args[1].(string)
	if !ok1 || !ok2 {
		return false, nil
	}
	snap := t.snapshot(network, id)
	if snap == nil {
		return false, nil
	}
	var always uint64
	if table == "visits" {
		if len(args) != len(cols) || len(snap.vals) != len(cols) {
			return false, nil
		}
		changed := false
		for i := 2; i < len(args) && !changed; i++ {
			if i == visitVersion {
				continue
			}
			v, ok := driverValue(args[i])
			if !ok {
				return false, nil
			}
			changed = !sameValue(v, snap.vals[i])
		}
		if !changed {
			return true, nil // the row holds args, at its version
		}
		always = 1 << visitVersion
	}
	done, _, vals, err := t.writeChanged(ctx, table, cols, args, snap.vals, always)
	switch {
	case err != nil || !done:
		t.dropRow(network, id)
	default:
		snap.vals = vals
	}
	return done, err
}

// writeChanged writes args (the values of cols, key columns network and
// id first) as an UPDATE of the columns whose driver values differ from
// old, the driver values of the row as it is, and of the columns of
// always (bits of cols) when it writes, and nothing when none differs.
// It reports whether it did the put (false, having written
// nothing: a value it cannot compare, or no such row; the caller then
// upserts), whether it sent a statement, and args' driver values.
func (t *tx) writeChanged(ctx context.Context, table string, cols []string, args, old []any, always uint64) (done, wrote bool, vals []any, err error) {
	if len(cols) > 64 || len(args) != len(cols) || len(old) != len(cols) {
		return false, false, nil, nil
	}
	vals = make([]any, len(args))
	var set uint64
	n := 0
	for i, a := range args {
		v, ok := driverValue(a)
		if !ok {
			return false, false, nil, nil
		}
		vals[i] = v
		if i >= 2 && !sameValue(v, old[i]) {
			set |= 1 << i
			n++
		}
	}
	if set == 0 {
		return true, false, vals, nil
	}
	for i := range cols {
		if always&(1<<i) != 0 && set&(1<<i) == 0 {
			set |= 1 << i
			n++
		}
	}
	upd := make([]any, 0, n+2)
	for i, v := range vals {
		if set&(1<<i) != 0 {
			upd = append(upd, v)
		}
	}
	upd = append(upd, vals[0], vals[1])
	affected, err := t.execCount(ctx, updateQuery(table, cols, set), upd...)
	if err != nil {
		return true, true, nil, err
	}
	if affected != 1 {
		return false, true, nil, nil
	}
	return true, true, vals, nil
}

// driverValue returns a as the driver value it is written as, integers
// and booleans as int64, and false for a value it does not know.
func driverValue(a any) (any, bool) {
	switch a.(type) {
	case nil, int64, float64, string, []byte:
		return a, true // a driver value already, as the puts' arguments mostly are
	}
	v, err := driver.DefaultParameterConverter.ConvertValue(a)
	if err != nil {
		return nil, false
	}
	switch x := v.(type) {
	case bool:
		if x {
			return int64(1), true
		}
		return int64(0), true
	case nil, int64, float64, string, []byte:
		return v, true
	}
	return nil, false
}

// driverValues returns the driver values of args (driverValue), and
// false when one is not known.
func driverValues(args []any) ([]any, bool) {
	vals := make([]any, len(args))
	for i, a := range args {
		v, ok := driverValue(a)
		if !ok {
			return nil, false
		}
		vals[i] = v
	}
	return vals, true
}

// sameValue reports whether driver values a (to write) and b (as read)
// are the same value of the same storage class, so that writing a stores
// what the row holds. A difference of type only (an integer read from a
// text column, say) counts as a change, which is written.
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case int64:
		y, ok := b.(int64)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case string:
		y, ok := b.(string)
		return ok && x == y
	case []byte:
		y, ok := b.([]byte)
		return ok && bytes.Equal(x, y)
	}
	return false
}
