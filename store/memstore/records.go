package memstore

import (
	"encoding/binary"
	"hash/maphash"
	"time"

	"github.com/passengine/passengine/store"
)

// recordLog holds the idempotency records, two a check-in and check-out
// pair, as the ledger holds its entries (ledger.go): encoded in a slab,
// found by a hash chain of integers, their operation and their instant's
// location each a small integer into a table of the few there are. The
// garbage collector finds no pointer in them.
type recordLog struct {
	slab
	slots slots[recordSlot]
	keys  map[uint64]int32 // hash of network and key -> the last record with it
	seed  maphash.Seed
	ops   []string // operations by number
	opNum map[string]uint16
	locs  []*time.Location // the locations of At other than UTC, by number - 1
}

// recordSlot is where a record's encoding is, its instant, and the
// record before it in its hash chain.
type recordSlot struct {
	hash       uint64
	sec        int64 // At, in Unix seconds
	nsec       int32 // and nanoseconds
	chunk, off uint32
	prev       int32  // the record before with the same hash; -1 for none
	op         uint16 // the operation's number
	loc        uint16 // 0 for UTC, else 1 + the location's number
}

func newRecordLog() recordLog {
	return recordLog{keys: map[uint64]int32{}, seed: maphash.MakeSeed(), opNum: map[string]uint16{}}
}

// find returns the index of the record of network and key, and false for
// none.
func (l *recordLog) find(network, key string) (int, bool) {
	return l.findHashed(hashKey(l.seed, network, key), network, key)
}

// findHashed is find given the hash of network and key.
func (l *recordLog) findHashed(h uint64, network, key string) (int, bool) {
	for j := head(l.keys, h); j >= 0; j = l.slots.at(int(j)).prev {
		b := l.at(l.slots.at(int(j)).chunk, l.slots.at(int(j)).off)
		n, b := field(b)
		k, _ := field(b)
		if string(n) == network && string(k) == key {
			return int(j), true
		}
	}
	return 0, false
}

// record returns a copy of record i: its Request and Result in one
// allocation (nil stays nil), its Network and Key the caller's (equal to
// the stored ones).
func (l *recordLog) record(i int, network, key string) store.Record {
	s := l.slots.at(i)
	b := l.at(s.chunk, s.off)
	_, b = field(b)
	_, b = field(b)
	rec := store.Record{Network: network, Key: key, Operation: l.ops[s.op], At: time.Unix(s.sec, int64(s.nsec)).UTC()}
	if s.loc > 0 {
		rec.At = rec.At.In(l.locs[s.loc-1])
	}
	reqNil, resNil := b[0]&1 != 0, b[0]&2 != 0
	req, b := field(b[1:])
	res, _ := field(b)
	if n := len(req) + len(res); n > 0 {
		buf := make([]byte, n)
		copy(buf, req)
		copy(buf[len(req):], res)
		req, res = buf[:len(req):len(req)], buf[len(req):]
	} else {
		req, res = []byte{}, []byte{}
	}
	if !reqNil {
		rec.Request = req
	}
	if !resNil {
		rec.Result = res
	}
	return rec
}

// slot returns rec's slot, whose network and key hash to h, but for its
// place and chain, adding its operation and location to the tables when
// new.
func (l *recordLog) slot(h uint64, rec *store.Record) recordSlot {
	op, ok := l.opNum[rec.Operation]
	if !ok {
		op = uint16(len(l.ops))
		l.ops = append(l.ops, rec.Operation)
		l.opNum[rec.Operation] = op
	}
	s := recordSlot{hash: h, sec: rec.At.Unix(), nsec: int32(rec.At.Nanosecond()), op: op}
	if loc := rec.At.Location(); loc != time.UTC {
		for i, x := range l.locs {
			if x == loc {
				s.loc = uint16(i + 1)
			}
		}
		if s.loc == 0 {
			l.locs = append(l.locs, loc)
			s.loc = uint16(len(l.locs))
		}
	}
	return s
}

// encode writes rec's network, key, request and result (a byte saying
// which of the two is nil, then each length-prefixed) to l.buf.
func (l *recordLog) encode(rec *store.Record) {
	b := l.buf[:0]
	for _, s := range [...]string{rec.Network, rec.Key} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	var nils byte
	if rec.Request == nil {
		nils |= 1
	}
	if rec.Result == nil {
		nils |= 2
	}
	b = append(b, nils)
	for _, s := range [...][]byte{rec.Request, rec.Result} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	l.buf = b
}

// add stores rec, whose key must be new, and false, or returns true when
// the key has a record.
func (l *recordLog) add(rec *store.Record) (had bool) {
	h := hashKey(l.seed, rec.Network, rec.Key)
	if _, had := l.findHashed(h, rec.Network, rec.Key); had {
		return true
	}
	s := l.slot(h, rec)
	l.encode(rec)
	s.chunk, s.off = l.write()
	s.prev = head(l.keys, s.hash)
	l.keys[s.hash] = int32(l.slots.len())
	l.slots.push(s)
	return false
}

// pop takes the last record out.
func (l *recordLog) pop() {
	s := l.slots.pop()
	unchain(l.keys, s.hash, s.prev)
	l.truncate(s.chunk, s.off)
}

// rewrite stores rec as record i, and returns how to put the old one
// back. The old bytes stay where they are: a rewrite is rare (an
// erasure).
func (l *recordLog) rewrite(i int, rec *store.Record) (undo func()) {
	old := *l.slots.at(i)
	s := l.slot(old.hash, rec)
	l.encode(rec)
	s.chunk, s.off = l.write()
	s.prev = old.prev
	*l.slots.at(i) = s
	return func() { *l.slots.at(i) = old }
}
