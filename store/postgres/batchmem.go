package postgres

import (
	"unsafe"

	"github.com/jackc/pgx/v5/pgconn"
)

// batchLayout is pgconn.Batch's layout (pgx v5.12), which has no way to
// empty a batch and keep its memory: a connection reuses one batch through
// it (resetBatch), where a new pgconn.Batch grows its buffer and its
// queues from nothing on every round trip (about 15 allocations a
// batch). TestBatchLayout fails when pgx changes the struct.
type batchLayout struct {
	buf                   []byte
	statementDescriptions []*pgconn.StatementDescription
	resultFormats         [][]int16
	err                   error
}

// maxBatchBuf is the largest buffer a connection keeps from one batch to
// the next; a larger one (a long run of ledger entries) is let go.
const maxBatchBuf = 64 << 10

// resetBatch empties b, keeping its buffer and queues. The batch's last
// results must have been read: its MultiResultReader reads the queues.
func resetBatch(b *pgconn.Batch) {
	l := (*batchLayout)(unsafe.Pointer(b))
	clear(l.statementDescriptions)
	clear(l.resultFormats)
	buf := l.buf[:0]
	if cap(buf) > maxBatchBuf {
		buf = nil
	}
	*l = batchLayout{buf: buf, statementDescriptions: l.statementDescriptions[:0], resultFormats: l.resultFormats[:0]}
}
