package postgres

import (
	"reflect"
	"unsafe"

	"github.com/jackc/pgx/v5/pgconn"
)

// batchLayout is pgconn.Batch's layout (pgx v5.12), which has no way to
// empty a batch and keep its memory: a connection reuses one batch through
// it (resetBatch), where a new pgconn.Batch grows its buffer and its
// queues from nothing on every round trip (about 15 allocations a
// batch). The reuse is on only when the pgx the program is built with has
// this layout (batchReusable): with another, a connection makes a new
// batch for each round trip. TestBatchLayout fails when pgx changes the
// struct.
type batchLayout struct {
	buf                   []byte
	statementDescriptions []*pgconn.StatementDescription
	resultFormats         [][]int16
	err                   error
}

// batchReusable is whether pgconn.Batch has batchLayout's fields, by
// name, type and offset, and its size: whether resetBatch may write a
// batch through it.
var batchReusable = sameLayout(reflect.TypeFor[pgconn.Batch](), reflect.TypeFor[batchLayout]()) == ""

// sameLayout returns "" when structs a and b have the same fields, by
// name, type and offset, and the same size, and otherwise the first
// difference.
func sameLayout(a, b reflect.Type) string {
	if a.Size() != b.Size() || a.NumField() != b.NumField() {
		return a.String() + " and " + b.String() + " differ in size or number of fields"
	}
	for i := range a.NumField() {
		af, bf := a.Field(i), b.Field(i)
		if af.Name != bf.Name || af.Type != bf.Type || af.Offset != bf.Offset {
			return "field " + af.Name + " " + af.Type.String() + " differs from " + bf.Name + " " + bf.Type.String()
		}
	}
	return ""
}

// maxBatchBuf is the largest buffer a connection keeps from one batch to
// the next; a larger one (a long run of ledger entries) is let go.
const maxBatchBuf = 64 << 10

// resetBatch empties b, keeping its buffer and queues, and reports
// whether it could: false, having changed nothing, when pgx's Batch is
// not batchLayout (batchReusable). The batch's last results must have
// been read: its MultiResultReader reads the queues.
func resetBatch(b *pgconn.Batch) bool {
	if !batchReusable {
		return false
	}
	l := (*batchLayout)(unsafe.Pointer(b))
	clear(l.statementDescriptions)
	clear(l.resultFormats)
	buf := l.buf[:0]
	if cap(buf) > maxBatchBuf {
		buf = nil
	}
	*l = batchLayout{buf: buf, statementDescriptions: l.statementDescriptions[:0], resultFormats: l.resultFormats[:0]}
	return true
}
