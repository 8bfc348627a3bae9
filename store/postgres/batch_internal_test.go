package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/passengine/passengine/store"
)

// TestEncodeFastAsPgx checks that encodeFast writes the bytes and chooses
// the format pgx does for the same values (text for strings, otherwise
// the type's preferred format), NULL included, and leaves the values it
// does not know to pgtype.
func TestEncodeFastAsPgx(t *testing.T) {
	m := pgtype.NewMap()
	east, west := time.FixedZone("east", 14*3600), time.FixedZone("west", -12*3600)
	var dates []any
	for _, d := range []time.Time{
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-4713, 11, 24, 0, 0, 0, 0, time.UTC),
		time.Date(0, 2, 29, 0, 0, 0, 0, time.UTC), time.Date(-400, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1600, 2, 29, 0, 0, 0, 0, time.UTC), time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC), time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC), time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC),
		time.Date(2100, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 3, 2, 23, 30, 0, 0, east), time.Date(2026, 3, 2, 0, 30, 0, 0, west),
	} {
		d := pgtype.Date{Time: d, Valid: true}
		dates = append(dates, d, &d)
	}
	dates = append(dates, pgtype.Date{}, (*pgtype.Date)(nil))
	var instants []any
	for _, ts := range []time.Time{
		time.Date(2026, 3, 2, 9, 0, 0, 123456789, time.UTC), time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2000, 1, 1, 0, 0, 0, 1000, time.UTC),
		time.Date(1999, 12, 31, 23, 59, 59, 999, time.UTC), time.Date(2026, 3, 2, 9, 0, 0, 5000, east),
		{},
	} {
		tz := pgtype.Timestamptz{Time: ts, Valid: true}
		instants = append(instants, ts, &ts, tz, &tz)
	}
	instants = append(instants, pgtype.Timestamptz{}, (*pgtype.Timestamptz)(nil), (*time.Time)(nil))
	var ints []any
	for _, n := range []int{0, 1, -1, 255, 256, math.MaxInt32, math.MinInt32} {
		ints = append(ints, n, &n, int64(n))
	}
	ints = append(ints, (*int)(nil))
	var strs []any
	for _, s := range []string{"", "h0000001", "ünï\x00'"} {
		strs = append(strs, s, &s)
	}
	strs = append(strs, (*string)(nil))
	yes, no := true, false
	var byteas []any
	for _, b := range [][]byte{nil, {}, []byte("{\"visit\":1}"), {0, 0xff}} {
		byteas = append(byteas, b, &b)
	}
	byteas = append(byteas, (*[]byte)(nil))
	for _, c := range []struct {
		oid    uint32
		values []any
	}{
		{pgtype.DateOID, dates},
		{pgtype.TimestamptzOID, instants},
		{pgtype.Int4OID, ints},
		{pgtype.Int8OID, append(ints, math.MaxInt64, math.MinInt64, int64(math.MinInt64))},
		{pgtype.TextOID, strs},
		{pgtype.VarcharOID, strs},
		{pgtype.BoolOID, []any{true, false, &yes, &no, (*bool)(nil)}},
		{pgtype.ByteaOID, byteas},
	} {
		for _, v := range c.values {
			got, gotFormat, ok := encodeFast(c.oid, v, []byte{0xff})
			wantFormat := m.FormatCodeForOID(c.oid)
			switch v.(type) {
			case string, *string:
				wantFormat = pgtype.TextFormatCode
			}
			want, err := m.Encode(c.oid, wantFormat, v, []byte{0xff})
			if !ok || err != nil || !bytes.Equal(got, want) || want != nil && gotFormat != wantFormat {
				t.Errorf("encodeFast(%d, %#v) = %x, format %d, %v; pgtype: %x, format %d, %v",
					c.oid, v, got, gotFormat, ok, want, wantFormat, err)
			}
		}
	}
	for _, c := range []struct {
		oid uint32
		v   any
	}{
		{pgtype.DateOID, pgtype.Date{InfinityModifier: pgtype.Infinity, Valid: true}},
		{pgtype.DateOID, time.Now()},
		{pgtype.DateOID, "2026-03-02"},
		{pgtype.TimestamptzOID, pgtype.Timestamptz{InfinityModifier: pgtype.NegativeInfinity, Valid: true}},
		{pgtype.TimestamptzOID, "2026-03-02"},
		{pgtype.Int4OID, math.MaxInt32 + 1},
		{pgtype.Int4OID, int64(math.MinInt32 - 1)},
		{pgtype.Int4OID, int32(1)},
		{pgtype.Int2OID, 1},
		{pgtype.TextOID, 1},
		{pgtype.ByteaOID, "x"},
		{pgtype.JSONBOID, "{}"},
		{pgtype.TextOID, true},
		{pgtype.TextOID, []byte("x")},
		{pgtype.JSONBOID, []byte("{}")},
	} {
		if _, _, ok := encodeFast(c.oid, c.v, nil); ok {
			t.Errorf("encodeFast(%d, %#v) encoded; want it left to pgtype", c.oid, c.v)
		}
	}
}

// TestSendBeyondPrepared runs more distinct statements on one connection
// than it keeps prepared: those beyond maxPrepared go through pgx's Batch,
// each read back with its own result, with the held write before it, and
// the statements prepared before still run prepared.
func TestSendBeyondPrepared(t *testing.T) {
	ctx := context.Background()
	st := NewTestStore(t, WithMaxConns(1))
	if err := Exec(st, `CREATE TABLE sent (n int PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	for i := range maxPrepared + 10 {
		err := st.Update(ctx, func(stx store.Tx) error {
			tx := stx.(*tx)
			if err := tx.hold("insert", `INSERT INTO sent (n) VALUES ($1)`, i); err != nil {
				return err
			}
			var got, n int
			// A statement of its own text each time: the first ones
			// are prepared, the rest go through pgx's Batch.
			if err := tx.queryRow(ctx, fmt.Sprintf(`SELECT $1::int + %d, (SELECT count(*) FROM sent)`, i), 1).Scan(&got, &n); err != nil {
				return err
			}
			if got != i+1 || n != i+1 {
				t.Errorf("statement %d: got %d and %d rows, want %d and %d", i, got, n, i+1, i+1)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("statement %d: %v", i, err)
		}
	}
	if err := st.View(ctx, func(stx store.Tx) error {
		cs := stx.(*tx).state()
		if len(cs.stmts) != maxPrepared {
			t.Errorf("%d statements prepared, want %d", len(cs.stmts), maxPrepared)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// TestPreparedDroppedByServer: when the server no longer has the
// statements a connection prepared (DEALLOCATE ALL, as a pooler's
// DISCARD ALL does), the unit of work that finds out fails with
// store.ErrConflict, so the Engine runs it again, and the statements are
// prepared again: the caller sees no error.
func TestPreparedDroppedByServer(t *testing.T) {
	ctx := context.Background()
	st := NewTestStore(t, WithMaxConns(1))
	if err := Exec(st, `CREATE TABLE sent (n int PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	read := func() error {
		return st.Update(ctx, func(stx store.Tx) error {
			var n int
			return stx.(*tx).queryRow(ctx, `SELECT count(*) + $1::int FROM sent`, 1).Scan(&n)
		})
	}
	if err := read(); err != nil {
		t.Fatal(err)
	}
	if err := Exec(st, `DEALLOCATE ALL`); err != nil {
		t.Fatal(err)
	}
	if err := read(); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("the first unit of work after DEALLOCATE ALL: got %v, want store.ErrConflict", err)
	}
	if err := read(); err != nil {
		t.Fatalf("the next unit of work: got %v, want the statement prepared again", err)
	}
}

// TestBatchLayout checks that batchLayout has pgconn.Batch's fields, in
// its order, with its types (resetBatch writes a batch through it), and
// that a batch reset after use encodes as a new one.
func TestBatchLayout(t *testing.T) {
	if d := sameLayout(reflect.TypeFor[pgconn.Batch](), reflect.TypeFor[batchLayout]()); d != "" || !batchReusable {
		t.Fatalf("pgconn.Batch is not batchLayout (%s): a connection makes a new batch for each round trip", d)
	}
	type other struct {
		buf []byte
		n   int
	}
	if sameLayout(reflect.TypeFor[pgconn.Batch](), reflect.TypeFor[other]()) == "" {
		t.Fatal("sameLayout found another struct the same as pgconn.Batch")
	}
	sd := &pgconn.StatementDescription{Name: "s", Fields: []pgconn.FieldDescription{{Name: "a"}}}
	fill := func(b *pgconn.Batch, n int) {
		for i := range n {
			b.ExecStatement(sd, [][]byte{[]byte(fmt.Sprint(i))}, []int16{0}, []int16{1})
		}
	}
	var fresh, reused pgconn.Batch
	fill(&reused, 20)
	if !resetBatch(&reused) {
		t.Fatal("resetBatch: false, want true")
	}
	if l := (*batchLayout)(unsafe.Pointer(&reused)); len(l.buf) != 0 || len(l.statementDescriptions) != 0 ||
		len(l.resultFormats) != 0 || cap(l.buf) == 0 {
		t.Fatalf("reset batch: %d bytes (room for %d), %d statements, %d formats", len(l.buf), cap(l.buf),
			len(l.statementDescriptions), len(l.resultFormats))
	}
	fill(&fresh, 3)
	fill(&reused, 3)
	f, r := (*batchLayout)(unsafe.Pointer(&fresh)), (*batchLayout)(unsafe.Pointer(&reused))
	if !bytes.Equal(f.buf, r.buf) || !reflect.DeepEqual(f.statementDescriptions, r.statementDescriptions) ||
		!reflect.DeepEqual(f.resultFormats, r.resultFormats) {
		t.Errorf("a reset batch encodes %q, a new one %q", r.buf, f.buf)
	}
}

// TestScanSharesText scans rows whose text values share one string
// (rows.Scan): each destination gets its own value, named string types,
// empty values, NULLs into pgtype.Text and nil destinations included, a
// NULL into a string fails as pgx's plan fails, and a value scanned in
// one row is not changed by the next.
func TestScanSharesText(t *testing.T) {
	ctx := context.Background()
	st := NewTestStore(t, WithMaxConns(1))
	type kind string
	var kept []string
	err := st.Update(ctx, func(stx store.Tx) error {
		tx := stx.(*tx)
		const q = `SELECT $1::text, 'é'::varchar, ''::text, NULL::text, $2::text, 7, $1::text || 'x'`
		for _, arg := range []string{"alpha", "b", "ünï"} {
			// A held statement before each: the query goes through send.
			if err := tx.hold("nothing", `SELECT 1`); err != nil {
				return err
			}
			var a, b, empty string
			var null pgtype.Text
			var k kind
			var n int
			if err := tx.queryRow(ctx, q, arg, "kind-"+arg).Scan(&a, &b, &empty, &null, &k, &n, nil); err != nil {
				return err
			}
			if a != arg || b != "é" || empty != "" || null.Valid || k != kind("kind-"+arg) || n != 7 {
				t.Errorf("scanned %q %q %q %v %q %d; want %q é \"\" NULL kind-%s 7", a, b, empty, null, k, n, arg, arg)
			}
			kept = append(kept, a, b, string(k))
		}
		var s string
		if err := tx.hold("nothing", `SELECT 1`); err != nil {
			return err
		}
		if err := tx.queryRow(ctx, `SELECT 'x'::text, NULL::text`).Scan(&s, &s); err == nil {
			t.Error("NULL scanned into a string")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"alpha", "é", "kind-alpha", "b", "é", "kind-b", "ünï", "é", "kind-ünï"}; !reflect.DeepEqual(kept, want) {
		t.Errorf("kept %q, want %q", kept, want)
	}
}

// TestNumericColAsPgx checks that numericCol.scanBinary decodes a binary
// numeric into the coefficient and exponent pgx's plan does (through
// decimalOf): values of pgx's encoder and values PostgreSQL sends
// (scanned through send), those it leaves to pgx's plan included.
func TestNumericColAsPgx(t *testing.T) {
	m := pgtype.NewMap()
	plan := m.PlanScan(pgtype.NumericOID, pgtype.BinaryFormatCode, &numericCol{})
	check := func(src []byte, what string) {
		t.Helper()
		var want pgtype.Numeric
		werr := m.PlanScan(pgtype.NumericOID, pgtype.BinaryFormatCode, &want).Scan(src, &want)
		wantD, derr := decimalOf(want)
		var got numericCol
		err := got.scanBinary(src, plan)
		if (err != nil) != (werr != nil || derr != nil) {
			t.Errorf("%s: error %v; pgx %v, %v", what, err, werr, derr)
			return
		}
		if err == nil && (got.d.String() != wantD.String() || got.d.Exponent() != wantD.Exponent()) {
			t.Errorf("%s: %s (exponent %d); pgx %s (exponent %d)", what, got.d, got.d.Exponent(), wantD, wantD.Exponent())
		}
	}
	coefs := []int64{0, 1, -1, 5, 10, 100, 1000, 10_000, 12_345, -99_990, 1_000_000, 123_456_789,
		9_999_999_999_999_999, -1_234_567_890_123_456, math.MaxInt64, math.MinInt64 + 1}
	for _, c := range coefs {
		for exp := int32(-20); exp <= 20; exp++ {
			n := pgtype.Numeric{Int: big.NewInt(c), Exp: exp, Valid: true}
			src, err := m.Encode(pgtype.NumericOID, pgtype.BinaryFormatCode, n, nil)
			if err != nil {
				t.Fatal(err)
			}
			check(src, fmt.Sprintf("%de%d", c, exp))
		}
	}
	check(nil, "NULL")
	check([]byte{0, 1}, "short")
	check([]byte{0, 1, 0, 0, 0, 0, 0, 0}, "missing digit")

	ctx := context.Background()
	st := NewTestStore(t, WithMaxConns(1))
	err := st.Update(ctx, func(stx store.Tx) error {
		tx := stx.(*tx)
		for _, lit := range []string{"0", "0.00", "1", "-1", "1.50", "-0.01", "1000", "1000.0", "100000000",
			"12.3400", "123456789012.3456", "1234567890123456.78", "99999999999999999999", "1e20", "-1e-20",
			"0.000000000000000001", "12345678901234567890.5", "NaN", "Infinity", "-Infinity"} {
			// A held statement before each: the query goes through send.
			if err := tx.hold("nothing", `SELECT 1`); err != nil {
				return err
			}
			var got numericCol
			var raw []byte
			if err := tx.queryRow(ctx, `SELECT $1::text::numeric, numeric_send($1::text::numeric)`, lit).Scan(&got, &raw); err != nil {
				if lit == "NaN" || strings.HasSuffix(lit, "Infinity") {
					continue // decimalOf's error
				}
				return fmt.Errorf("%s: %w", lit, err)
			}
			check(raw, lit)
			var want pgtype.Numeric
			if err := want.Scan(lit); err == nil {
				if d, err := decimalOf(want); err == nil && !d.Equal(got.d) {
					t.Errorf("%s: scanned %s", lit, got.d)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
