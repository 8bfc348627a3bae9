package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// The batches of a unit of work (send) go through pgconn's ExecBatch, not
// pgx's pipelined Batch: one write of Bind and Execute messages with one
// Sync, the results read in order, as pgx's pipeline sends them, without
// its per-statement bookkeeping. Each statement is prepared once per
// connection under a name of its own (the first time costs one round trip
// per statement, as pgx's statement cache does), with its result formats
// chosen then, and remembers per parameter and per column the encode and
// scan plans of the Go types it last saw, so that a call spends no map
// lookup on choosing them. Values go to and from the server in the bytes
// and formats pgx uses: encodeFast writes the common parameters
// (TestEncodeFastAsPgx), pgtype's plans the others and every column.

// maxPrepared is how many statements a connection keeps prepared through
// send; a batch with a statement beyond them goes through pgx's Batch.
const maxPrepared = 256

// sqlStmt is a statement of a batch and its arguments.
type sqlStmt struct {
	sql  string
	args []any
}

// prepared is a statement prepared on a connection.
type prepared struct {
	sd            *pgconn.StatementDescription
	resultFormats []int16
	params        []encodeCache
	cols          []scanCache
}

// encodeCache is the encode plan of a parameter for the Go type typ.
type encodeCache struct {
	typ     reflect.Type
	plan    pgtype.EncodePlan
	format  int16
	nilable bool // typ's values can be nil: checked before the plan runs
}

// scanCache is the scan plan of a column into a destination of type typ.
type scanCache struct {
	typ  reflect.Type
	plan pgtype.ScanPlan
	// named is set for a pointer to a named string type (pass.Kind): the
	// plan scans a string, which is then set through reflection, where
	// pgtype's plan for the type converts the pointer through reflection
	// on every value.
	named bool
	// text is set for a text or varchar column in the text format scanned
	// into a string (*string or named): a row's values of such columns
	// share one allocation (rows.Scan), where the plan allocates each.
	text bool
	// numeric is set for a numeric column in the binary format scanned
	// into a *numericCol, which decodes it (scanBinary).
	numeric bool
}

// planScan returns the scan plan of the column f into d, of type typ.
func planScan(m *pgtype.Map, f *pgconn.FieldDescription, d any, typ reflect.Type) scanCache {
	text := f.Format == pgtype.TextFormatCode && (f.DataTypeOID == pgtype.TextOID || f.DataTypeOID == pgtype.VarcharOID)
	if typ.Kind() == reflect.Pointer && typ.Elem().Kind() == reflect.String && typ.Elem() != stringType {
		_, scanner := d.(sql.Scanner)
		_, textScanner := d.(pgtype.TextScanner)
		if !scanner && !textScanner {
			return scanCache{typ: typ, plan: m.PlanScan(f.DataTypeOID, f.Format, new(string)), named: true, text: text}
		}
	}
	return scanCache{typ: typ, plan: m.PlanScan(f.DataTypeOID, f.Format, d), text: text && typ == stringPtrType,
		numeric: f.Format == pgtype.BinaryFormatCode && f.DataTypeOID == pgtype.NumericOID && typ == numericColType}
}

var (
	stringType     = reflect.TypeFor[string]()
	stringPtrType  = reflect.TypeFor[*string]()
	numericColType = reflect.TypeFor[*numericCol]()
)

// connState is what send keeps on a connection (in its CustomData): the
// statements it prepared and the buffers of its batches.
type connState struct {
	stmts  map[string]*prepared
	seq    int
	values []byte
	params [][]byte
	format []int16
	ends   []int // the end of each value in values, -1 for NULL
	order  []*prepared
	res    results
	// batch is the connection's batch, emptied for each round trip
	// (resetBatch) once res, the last one's results, are read.
	batch pgconn.Batch
}

const connStateKey = "passengine/store/postgres"

// state returns the connection's send state.
func (t *tx) state() *connState {
	data := t.conn.Conn().PgConn().CustomData()
	if cs, ok := data[connStateKey].(*connState); ok {
		return cs
	}
	cs := &connState{stmts: make(map[string]*prepared)}
	data[connStateKey] = cs
	return cs
}

// prepare returns sql prepared on the connection, preparing it (one round
// trip) the first time; ok is false when the connection holds
// maxPrepared statements and sql is not one of them.
func (t *tx) prepare(ctx context.Context, cs *connState, sql string) (p *prepared, ok bool, err error) {
	if p := cs.stmts[sql]; p != nil {
		return p, true, nil
	}
	if len(cs.stmts) >= maxPrepared {
		return nil, false, nil
	}
	cs.seq++ // a name never reused, even after a failed Prepare
	t.s.roundTrips.Add(1)
	sd, err := t.conn.Conn().PgConn().Prepare(ctx, "passengine_"+strconv.Itoa(cs.seq), sql, nil)
	if err != nil {
		return nil, false, err
	}
	m := t.conn.Conn().TypeMap()
	p = &prepared{sd: sd, resultFormats: make([]int16, len(sd.Fields)), params: make([]encodeCache, len(sd.ParamOIDs)),
		cols: make([]scanCache, len(sd.Fields))}
	for i, f := range sd.Fields {
		p.resultFormats[i] = m.FormatCodeForOID(f.DataTypeOID)
	}
	cs.stmts[sql] = p
	return p, true, nil
}

// forgetPrepared drops the connection's prepared statements from send's
// record after an error that says the server no longer has one or can no
// longer run it as prepared (they are prepared again under new names).
func (t *tx) forgetPrepared(err error) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (pe.Code == codeNoStatement || pe.Code == codeCachedPlan) {
		t.state().stmts = make(map[string]*prepared)
	}
}

// sendStmts sends stmts in one round trip and returns their results, or
// ok false when one of them cannot be prepared on the connection
// (maxPrepared).
func (t *tx) sendStmts(ctx context.Context, stmts ...[]sqlStmt) (_ pgx.BatchResults, ok bool, err error) {
	cs := t.state()
	cs.order = cs.order[:0]
	for _, part := range stmts {
		for _, st := range part {
			p, ok, err := t.prepare(ctx, cs, st.sql)
			if err != nil || !ok {
				t.forgetPrepared(err)
				return nil, ok, err
			}
			cs.order = append(cs.order, p)
		}
	}
	m := t.conn.Conn().TypeMap()
	b := &cs.batch
	if cs.res.mrr != nil && !cs.res.closed || !resetBatch(b) {
		// The last batch's results are still being read, or pgx's Batch
		// cannot be emptied here (batchReusable).
		b = new(pgconn.Batch)
	}
	i := 0
	for _, part := range stmts {
		for _, st := range part {
			p := cs.order[i]
			i++
			if err := cs.encode(m, p, st.args); err != nil {
				return nil, true, err
			}
			b.ExecStatement(p.sd, cs.params, cs.format, p.resultFormats)
		}
	}
	t.s.roundTrips.Add(1)
	cs.res = results{t: t, m: m, mrr: t.conn.Conn().PgConn().ExecBatch(ctx, b), order: cs.order,
		rows: rows{text: cs.res.rows.text[:0], textTo: cs.res.rows.textTo[:0]}} // the rows' memory kept
	return &cs.res, true, nil
}

// encode sets cs.params and cs.format to args encoded for p, in cs.values.
func (cs *connState) encode(m *pgtype.Map, p *prepared, args []any) error {
	if len(args) != len(p.sd.ParamOIDs) {
		return fmt.Errorf("postgres: %d arguments for %d parameters", len(args), len(p.sd.ParamOIDs))
	}
	if cs.values == nil {
		cs.values = make([]byte, 0, 1024)
	}
	cs.values, cs.params, cs.format, cs.ends = cs.values[:0], cs.params[:0], cs.format[:0], cs.ends[:0]
	for i, arg := range args {
		buf, format, err := encodeParam(m, p.sd.ParamOIDs[i], &p.params[i], arg, cs.values)
		if err != nil {
			return fmt.Errorf("postgres: encode argument %d: %w", i+1, err)
		}
		end := -1 // NULL
		if buf != nil {
			cs.values, end = buf, len(buf)
		}
		cs.ends = append(cs.ends, end)
		cs.format = append(cs.format, format)
	}
	// The values are sliced once all are appended: an append may have
	// moved cs.values.
	start := 0
	for _, end := range cs.ends {
		if end < 0 {
			cs.params = append(cs.params, nil)
			continue
		}
		cs.params = append(cs.params, cs.values[start:end:end])
		start = end
	}
	return nil
}

// encodeParam appends arg encoded for a parameter of type oid to buf, with
// the plan c remembers for arg's Go type, and returns the buffer (nil for
// NULL) and the format. It chooses the format and the plan as pgx does:
// text for strings, otherwise the type's preferred format, the other one
// when that fails.
func encodeParam(m *pgtype.Map, oid uint32, c *encodeCache, arg any, buf []byte) ([]byte, int16, error) {
	if arg == nil {
		return nil, pgtype.TextFormatCode, nil
	}
	if out, format, ok := encodeFast(oid, arg, buf); ok {
		return out, format, nil
	}
	typ := reflect.TypeOf(arg)
	if c.typ == typ && c.plan != nil {
		if c.nilable && reflect.ValueOf(arg).IsNil() {
			return nil, c.format, nil
		}
		if out, err := c.plan.Encode(arg, buf); err == nil {
			return out, c.format, nil
		}
	}
	format := m.FormatCodeForOID(oid)
	switch arg.(type) {
	case string, *string:
		format = pgtype.TextFormatCode
	}
	out, err := m.Encode(oid, format, arg, buf)
	if err != nil {
		other := int16(pgtype.TextFormatCode)
		if format == pgtype.TextFormatCode {
			other = pgtype.BinaryFormatCode
		}
		var oerr error
		if out, oerr = m.Encode(oid, other, arg, buf); oerr != nil {
			return nil, 0, err
		}
		format = other
	}
	switch typ.Kind() {
	case reflect.Chan, reflect.Func, reflect.Map, reflect.Pointer, reflect.UnsafePointer, reflect.Interface, reflect.Slice:
		if _, valuer := arg.(driver.Valuer); valuer {
			return out, format, nil // a nil Valuer may be called: always Map.Encode
		}
		*c = encodeCache{typ: typ, plan: m.PlanEncode(oid, format, arg), format: format, nilable: true}
	default:
		*c = encodeCache{typ: typ, plan: m.PlanEncode(oid, format, arg), format: format}
	}
	return out, format, nil
}

// y2kDays and y2kMicros are 2000-01-01, PostgreSQL's epoch, in days and
// microseconds since 1970-01-01.
const (
	y2kDays   = 10957
	y2kMicros = y2kDays * 86400 * 1_000_000
)

// encodeFast appends arg encoded for a parameter of type oid, in the bytes
// and the format pgtype's plans choose (TestEncodeFastAsPgx), for the
// values the store binds most: strings for text, dates, instants,
// integers, booleans and bytes (bytea), and pointers to them, which the store's writes
// bind to spare an allocation per value boxed in an interface (a nil
// pointer is NULL, as for pgtype). ok is false for any other value, which
// pgtype encodes. A NULL is a nil buffer.
func encodeFast(oid uint32, arg any, buf []byte) (out []byte, format int16, ok bool) {
	switch v := arg.(type) {
	case string:
		return appendText(oid, v, buf)
	case *string:
		if v == nil {
			return nil, pgtype.TextFormatCode, true
		}
		return appendText(oid, *v, buf)
	case int:
		return appendInt(oid, int64(v), buf)
	case *int:
		if v == nil {
			return nil, pgtype.TextFormatCode, true
		}
		return appendInt(oid, int64(*v), buf)
	case int64:
		return appendInt(oid, v, buf)
	case bool:
		return appendBool(oid, v, buf)
	case *bool:
		if v == nil {
			return nil, pgtype.TextFormatCode, true
		}
		return appendBool(oid, *v, buf)
	case pgtype.Date:
		return appendDate(oid, v, buf)
	case *pgtype.Date:
		if v == nil {
			return nil, pgtype.TextFormatCode, true
		}
		return appendDate(oid, *v, buf)
	case time.Time:
		return appendInstant(oid, pgtype.Timestamptz{Time: v, Valid: true}, buf)
	case *time.Time:
		if v == nil {
			return nil, pgtype.TextFormatCode, true
		}
		return appendInstant(oid, pgtype.Timestamptz{Time: *v, Valid: true}, buf)
	case pgtype.Timestamptz:
		return appendInstant(oid, v, buf)
	case []byte:
		return appendBytea(oid, v, buf)
	case *[]byte:
		if v == nil {
			return nil, pgtype.BinaryFormatCode, true
		}
		return appendBytea(oid, *v, buf)
	case *pgtype.Timestamptz:
		if v == nil {
			return nil, pgtype.TextFormatCode, true
		}
		return appendInstant(oid, *v, buf)
	}
	return nil, 0, false
}

// appendText appends s for a text or varchar parameter.
func appendText(oid uint32, s string, buf []byte) ([]byte, int16, bool) {
	if oid != pgtype.TextOID && oid != pgtype.VarcharOID {
		return nil, 0, false
	}
	return append(buf, s...), pgtype.TextFormatCode, true
}

// appendBytea appends b for a bytea parameter, binary; a nil b is NULL,
// an empty one an empty value.
func appendBytea(oid uint32, b []byte, buf []byte) ([]byte, int16, bool) {
	switch {
	case oid != pgtype.ByteaOID:
		return nil, 0, false
	case b == nil:
		return nil, pgtype.BinaryFormatCode, true
	case buf == nil:
		buf = []byte{}
	}
	return append(buf, b...), pgtype.BinaryFormatCode, true
}

// appendInt appends n for an int8 or int4 parameter, binary.
func appendInt(oid uint32, n int64, buf []byte) ([]byte, int16, bool) {
	switch {
	case oid == pgtype.Int8OID:
		return binary.BigEndian.AppendUint64(buf, uint64(n)), pgtype.BinaryFormatCode, true
	case oid == pgtype.Int4OID && n >= math.MinInt32 && n <= math.MaxInt32:
		return binary.BigEndian.AppendUint32(buf, uint32(int32(n))), pgtype.BinaryFormatCode, true
	}
	return nil, 0, false // out of range for int4: pgtype's error
}

// appendBool appends b for a boolean parameter, binary.
func appendBool(oid uint32, b bool, buf []byte) ([]byte, int16, bool) {
	if oid != pgtype.BoolOID {
		return nil, 0, false
	}
	if b {
		return append(buf, 1), pgtype.BinaryFormatCode, true
	}
	return append(buf, 0), pgtype.BinaryFormatCode, true
}

// appendDate appends d for a date parameter, binary: days since
// 2000-01-01 of its civil date (in its time's location, as pgtype).
func appendDate(oid uint32, d pgtype.Date, buf []byte) ([]byte, int16, bool) {
	switch {
	case oid != pgtype.DateOID || d.Valid && d.InfinityModifier != pgtype.Finite:
		return nil, 0, false
	case !d.Valid:
		return nil, pgtype.BinaryFormatCode, true
	}
	y, m, day := d.Time.Date()
	days := daysFromCivil(int64(y), int64(m), int64(day)) - y2kDays
	return binary.BigEndian.AppendUint32(buf, uint32(int32(days))), pgtype.BinaryFormatCode, true
}

// appendInstant appends t for a timestamptz parameter, binary:
// microseconds since 2000-01-01 UTC.
func appendInstant(oid uint32, t pgtype.Timestamptz, buf []byte) ([]byte, int16, bool) {
	switch {
	case oid != pgtype.TimestamptzOID || t.Valid && t.InfinityModifier != pgtype.Finite:
		return nil, 0, false
	case !t.Valid:
		return nil, pgtype.BinaryFormatCode, true
	}
	micros := t.Time.Unix()*1_000_000 + int64(t.Time.Nanosecond())/1000 - y2kMicros
	return binary.BigEndian.AppendUint64(buf, uint64(micros)), pgtype.BinaryFormatCode, true
}

// daysFromCivil returns the days from 1970-01-01 to the proleptic
// Gregorian date y-m-d (Howard Hinnant's days_from_civil).
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y
	if y < 0 {
		era = y - 399
	}
	era /= 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// results are the results of a batch sent by sendStmts, read in order.
type results struct {
	t      *tx
	m      *pgtype.Map
	mrr    *pgconn.MultiResultReader
	order  []*prepared
	n      int
	rows   rows
	closed bool
	err    error // Close's
}

// next returns the reader of the next statement's result, or the error of
// the batch when there is none.
func (r *results) next() (*pgconn.ResultReader, *prepared, error) {
	if !r.closed && r.mrr.NextResult() {
		p := r.order[r.n]
		r.n++
		return r.mrr.ResultReader(), p, nil
	}
	err := r.Close()
	if err == nil {
		err = errors.New("postgres: a batch returned fewer results than it has statements")
	}
	return nil, nil, err
}

// Exec returns the command tag of the next statement.
func (r *results) Exec() (pgconn.CommandTag, error) {
	rr, _, err := r.next()
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	return rr.Close()
}

// Query returns the rows of the next statement.
func (r *results) Query() (pgx.Rows, error) {
	rr, p, err := r.next()
	if err != nil {
		return nil, err
	}
	r.rows = rows{rr: rr, m: r.m, p: p, text: r.rows.text[:0], textTo: r.rows.textTo[:0]} // their memory kept
	return &r.rows, nil
}

// QueryRow returns the row of the next statement.
func (r *results) QueryRow() pgx.Row {
	rows, err := r.Query()
	if err != nil {
		return errRow{err}
	}
	return rowOf{rows}
}

// Close reads the batch's remaining results and returns its first error,
// the same error on every call.
func (r *results) Close() error {
	if r.closed {
		return r.err
	}
	r.closed = true
	r.err = r.mrr.Close()
	if r.err != nil {
		r.t.forgetPrepared(r.err)
	}
	return r.err
}

// Tx returns nil: the batch begins no pgx.Tx.
func (r *results) Tx() pgx.Tx { return nil }

// rows are the rows of one statement of a batch, scanned with the plans
// its prepared statement remembers.
type rows struct {
	rr     *pgconn.ResultReader
	m      *pgtype.Map
	p      *prepared
	values [][]byte
	tag    pgconn.CommandTag
	err    error
	closed bool
	str    string // a named string type's value (scanCache.named)
	// text are the row's non-empty text values scanned into strings
	// (scanCache.text), copied into one string, of which each destination
	// in textTo takes its part.
	text   []byte
	textTo []textDest
}

// textDest is a string destination of rows.Scan: s, or, when it is nil,
// named (a pointer to a named string type), and the length of its value.
type textDest struct {
	s     *string
	named reflect.Value
	n     int
}

func (r *rows) Close() {
	if r.closed {
		return
	}
	r.closed = true
	tag, err := r.rr.Close()
	r.tag = tag
	if r.err == nil {
		r.err = err
	}
	r.values = nil
}

func (r *rows) Err() error                                   { return r.err }
func (r *rows) CommandTag() pgconn.CommandTag                { return r.tag }
func (r *rows) FieldDescriptions() []pgconn.FieldDescription { return r.rr.FieldDescriptions() }
func (r *rows) RawValues() [][]byte                          { return r.values }
func (r *rows) Conn() *pgx.Conn                              { return nil }
func (r *rows) TypeMap() *pgtype.Map                         { return r.m }

func (r *rows) Next() bool {
	if r.closed {
		return false
	}
	if r.rr.NextRow() {
		r.values = r.rr.Values()
		return true
	}
	r.Close()
	return false
}

// fail closes the rows with err.
func (r *rows) fail(err error) error {
	if r.err == nil {
		r.err = err
	}
	r.Close()
	return err
}

func (r *rows) Scan(dest ...any) error {
	fields := r.rr.FieldDescriptions()
	if len(fields) != len(r.values) {
		return r.fail(fmt.Errorf("number of field descriptions must equal number of values, got %d and %d", len(fields), len(r.values)))
	}
	if len(dest) == 1 {
		if rc, ok := dest[0].(pgx.RowScanner); ok {
			if err := rc.ScanRow(r); err != nil {
				return r.fail(err)
			}
			return nil
		}
	}
	if len(fields) != len(dest) {
		return r.fail(fmt.Errorf("number of field descriptions must equal number of destinations, got %d and %d", len(fields), len(dest)))
	}
	// The row's non-empty text values scanned into strings share one
	// allocation: they are set once all are read (textTo).
	r.text, r.textTo = r.text[:0], r.textTo[:0]
	for i, d := range dest {
		if d == nil {
			continue
		}
		c := &r.p.cols[i]
		if typ := reflect.TypeOf(d); c.typ != typ {
			*c = planScan(r.m, &fields[i], d, typ)
		}
		if v := r.values[i]; c.text && len(v) > 0 {
			if c.named {
				if named := reflect.ValueOf(d); !named.IsNil() {
					r.text = append(r.text, v...)
					r.textTo = append(r.textTo, textDest{named: named.Elem(), n: len(v)})
					continue
				}
			} else if s := d.(*string); s != nil {
				r.text = append(r.text, v...)
				r.textTo = append(r.textTo, textDest{s: s, n: len(v)})
				continue
			}
		}
		var err error
		switch {
		case c.numeric:
			err = d.(*numericCol).scanBinary(r.values[i], c.plan)
		case !c.named:
			err = c.plan.Scan(r.values[i], d)
		case reflect.ValueOf(d).IsNil():
			err = r.m.Scan(fields[i].DataTypeOID, fields[i].Format, r.values[i], d) // pgtype's error
		default:
			if err = c.plan.Scan(r.values[i], &r.str); err == nil {
				reflect.ValueOf(d).Elem().SetString(r.str)
			}
		}
		if err != nil {
			return r.fail(pgx.ScanArgError{ColumnIndex: i, FieldName: fields[i].Name, Err: err})
		}
	}
	if len(r.textTo) > 0 {
		text := string(r.text)
		for i, to := range r.textTo {
			s := text[:to.n]
			text = text[to.n:]
			if to.s != nil {
				*to.s = s
			} else {
				to.named.SetString(s)
			}
			r.textTo[i] = textDest{}
		}
	}
	return nil
}

func (r *rows) Values() ([]any, error) {
	if r.closed {
		return nil, errors.New("rows is closed")
	}
	fields := r.rr.FieldDescriptions()
	out := make([]any, 0, len(fields))
	for i, buf := range r.values {
		if buf == nil {
			out = append(out, nil)
			continue
		}
		fd := fields[i]
		if dt, ok := r.m.TypeForOID(fd.DataTypeOID); ok {
			v, err := dt.Codec.DecodeValue(r.m, fd.DataTypeOID, fd.Format, buf)
			if err != nil {
				return nil, r.fail(err)
			}
			out = append(out, v)
			continue
		}
		if fd.Format == pgtype.TextFormatCode {
			out = append(out, string(buf))
		} else {
			out = append(out, append([]byte(nil), buf...))
		}
	}
	return out, r.err
}

// rowOf is the single row of rows: Scan scans it and closes them; no row
// is pgx.ErrNoRows.
type rowOf struct{ rows pgx.Rows }

func (r rowOf) Scan(dest ...any) error {
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return pgx.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	r.rows.Close()
	return r.rows.Err()
}
