package memstore

import (
	"encoding/binary"
	"hash/maphash"
	"math/big"
	"time"

	"github.com/shopspring/decimal"

	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
)

// slabChunk is the size of a chunk of a slab.
const slabChunk = 64 << 10

// slab holds encoded rows in chunks of bytes, which the garbage collector
// does not scan: a row is written once and never changed, and a chunk
// never moves (a growing slice would copy every row each time it grows).
type slab struct {
	chunks [][]byte // only the last one grows
	buf    []byte   // the encoding of the row being written
}

// write stores s.buf and returns where it is.
func (s *slab) write() (chunk, off uint32) {
	n := len(s.chunks)
	if n == 0 || len(s.chunks[n-1])+len(s.buf) > cap(s.chunks[n-1]) {
		s.chunks = append(s.chunks, make([]byte, 0, max(slabChunk, len(s.buf))))
		n++
	}
	c := &s.chunks[n-1]
	off = uint32(len(*c))
	*c = append(*c, s.buf...)
	return uint32(n - 1), off
}

// at returns the bytes from where a row is.
func (s *slab) at(chunk, off uint32) []byte { return s.chunks[chunk][off:] }

// truncate takes back the last row written, at chunk and off: the next
// write writes over it (reads copy what they hand out).
func (s *slab) truncate(chunk, off uint32) { s.chunks[chunk] = s.chunks[chunk][:off] }

// hashKey returns the hash of a network and an ID with seed.
func hashKey(seed maphash.Seed, network, id string) uint64 {
	return maphash.Comparable(seed, nk{network, id})
}

// unchain makes prev the head of the chain at h again (-1: none).
func unchain(m map[uint64]int32, h uint64, prev int32) {
	if prev < 0 {
		delete(m, h)
	} else {
		m[h] = prev
	}
}

// head returns the head of the chain at h, -1 for none.
func head(m map[uint64]int32, h uint64) int32 {
	if j, ok := m[h]; ok {
		return j
	}
	return -1
}

// entryLog is the ledger: its entries in the order appended, by index.
// An entry is kept encoded (encodeEntry) in chunks of bytes, and its
// indexes (by network and ID, by network and pass) are hash chains of
// integers, so that the garbage collector, which scans every pointer of
// the heap on each cycle, finds none in a ledger of any length: a
// pass.Entry holds eleven.
type entryLog struct {
	slab
	slots  slots[entrySlot] // by index
	ids    map[uint64]int32 // hash of network and ID -> the last entry with it
	passes map[uint64]int32 // hash of network and pass -> the last entry with it
	seed   maphash.Seed
}

// entrySlot is where an entry's encoding is, its instant (for the index by
// instant), and the entries before it in its hash chains.
type entrySlot struct {
	sec            int64 // At, in Unix seconds
	nsec           int32 // and nanoseconds
	chunk, off     uint32
	prevID         int32 // the entry before with the hash of this one's network and ID; -1 for none
	prevPass       int32 // the entry before with the hash of this one's network and pass; -1 for none
	idHash, psHash uint64
}

func newEntryLog() entryLog {
	return entryLog{ids: map[uint64]int32{}, passes: map[uint64]int32{}, seed: maphash.MakeSeed()}
}

// len returns the number of entries held.
func (l *entryLog) len() int { return l.slots.len() }

func (l *entryLog) hash(network, id string) uint64 { return hashKey(l.seed, network, id) }

// bytes returns entry i's encoding.
func (l *entryLog) bytes(i int) []byte {
	s := l.slots.at(i)
	return l.at(s.chunk, s.off)
}

// entry returns a copy of entry i, which must be below len.
func (l *entryLog) entry(i int) pass.Entry {
	e := decodeEntry(l.bytes(i))
	s := l.slots.at(i)
	e.At = time.Unix(s.sec, int64(s.nsec)).UTC()
	return e
}

// head returns the network, ID, pass and holder of entry i without
// copying them: the bytes are the log's, to compare, never to keep.
func (l *entryLog) head(i int) (network, id, passID, holder []byte) {
	b := l.bytes(i)
	network, b = field(b)
	id, b = field(b)
	passID, b = field(b)
	holder, _ = field(b)
	return network, id, passID, holder
}

// has reports whether the ledger holds an entry with network and ID.
func (l *entryLog) has(network, id string) bool {
	for j := head(l.ids, l.hash(network, id)); j >= 0; {
		n, eid, _, _ := l.head(int(j))
		if string(n) == network && string(eid) == id {
			return true
		}
		j = l.slots.at(int(j)).prevID
	}
	return false
}

// ofPass returns the indexes of the pass's entries, in the order added.
func (l *entryLog) ofPass(network, passID string) []int {
	var out []int
	for j := head(l.passes, l.hash(network, passID)); j >= 0; {
		if n, _, p, _ := l.head(int(j)); string(n) == network && string(p) == passID {
			out = append(out, int(j))
		}
		j = l.slots.at(int(j)).prevPass
	}
	for a, b := 0, len(out)-1; a < b; a, b = a+1, b-1 {
		out[a], out[b] = out[b], out[a]
	}
	return out
}

// add appends e, whose At must be in UTC.
func (l *entryLog) add(e *pass.Entry) {
	i := int32(l.slots.len())
	s := entrySlot{sec: e.At.Unix(), nsec: int32(e.At.Nanosecond()), idHash: l.hash(e.Network, e.ID), psHash: l.hash(e.Network, e.Pass)}
	l.buf = encodeEntry(l.buf[:0], e)
	s.chunk, s.off = l.write()
	s.prevID, s.prevPass = head(l.ids, s.idHash), head(l.passes, s.psHash)
	l.ids[s.idHash], l.passes[s.psHash] = i, i
	l.slots.push(s)
}

// pop takes the last entry out; its bytes are written over by the next
// add (copies never share them).
func (l *entryLog) pop() {
	s := l.slots.pop()
	unchain(l.ids, s.idHash, s.prevID)
	unchain(l.passes, s.psHash, s.prevPass)
	l.truncate(s.chunk, s.off)
}

// rewrite stores e as entry i, which keeps its index and instant, and
// returns how to put the old encoding back. The old bytes stay where they
// are: a rewrite is rare (an erasure).
func (l *entryLog) rewrite(i int, e *pass.Entry) (undo func()) {
	s := l.slots.at(i)
	oc, oo := s.chunk, s.off
	l.buf = encodeEntry(l.buf[:0], e)
	s.chunk, s.off = l.write()
	return func() { l.slots.at(i).chunk, l.slots.at(i).off = oc, oo }
}

// encodeEntry appends e's encoding but for At to b: its strings (network,
// ID, pass and holder first, for head), integers as varints, and its
// amount as a flag (0 for the zero Decimal), the exponent, the sign and
// the coefficient's bytes.
func encodeEntry(b []byte, e *pass.Entry) []byte {
	for _, s := range [...]string{e.Network, e.ID, e.Pass, e.Holder, e.Visit, string(e.Type), e.Key, e.Actor, e.Comment, e.Amount.Currency} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	for _, n := range [...]int{e.Units, e.Balance, e.Points, e.Bonus} {
		b = binary.AppendVarint(b, int64(n))
	}
	if e.Amount.Amount == (decimal.Decimal{}) {
		return append(b, 0)
	}
	c := e.Amount.Amount.Coefficient()
	b = append(b, 1)
	b = binary.AppendVarint(b, int64(e.Amount.Amount.Exponent()))
	b = append(b, byte(c.Sign()+1))
	abs := c.Abs(c).Bytes()
	b = binary.AppendUvarint(b, uint64(len(abs)))
	return append(b, abs...)
}

// field splits a length-prefixed string off b.
func field(b []byte) (f, rest []byte) {
	n, k := binary.Uvarint(b)
	return b[k : k+int(n)], b[k+int(n):]
}

// decodeEntry returns the entry b encodes, its strings in one allocation.
func decodeEntry(b []byte) pass.Entry {
	// The strings, cut from one copy of the bytes that hold them.
	end := b
	for range 10 {
		_, end = field(end)
	}
	all := string(b[:len(b)-len(end)])
	var strs [10]string
	rest := b
	at := 0
	for i := range strs {
		n, k := binary.Uvarint(rest)
		strs[i] = all[at+k : at+k+int(n)]
		at += k + int(n)
		rest = rest[k+int(n):]
	}
	e := pass.Entry{Network: strs[0], ID: strs[1], Pass: strs[2], Holder: strs[3], Visit: strs[4], Type: pass.EntryType(strs[5]),
		Key: strs[6], Actor: strs[7], Comment: strs[8]}
	var ns [4]int
	for i := range ns {
		v, k := binary.Varint(rest)
		ns[i], rest = int(v), rest[k:]
	}
	e.Units, e.Balance, e.Points, e.Bonus = ns[0], ns[1], ns[2], ns[3]
	e.Amount = money.Money{Currency: strs[9]}
	if rest[0] == 1 {
		exp, k := binary.Varint(rest[1:])
		rest = rest[1+k:]
		sign := int(rest[0]) - 1
		abs, _ := field(rest[1:])
		c := new(big.Int).SetBytes(abs)
		if sign < 0 {
			c.Neg(c)
		}
		e.Amount.Amount = decimal.NewFromBigInt(c, int32(exp))
	}
	return e
}

// slotChunk is how many slots a chunk of a slots holds.
const slotChunk = 1024

// slots is a growing array of T in chunks that never move, so that
// adding one copies none (a slice would copy them all each time it
// grows).
type slots[T any] struct {
	chunks []*[slotChunk]T
	n      int
}

// len returns the number of slots.
func (s *slots[T]) len() int { return s.n }

// at returns slot i, which must be below len.
func (s *slots[T]) at(i int) *T { return &s.chunks[i/slotChunk][i%slotChunk] }

// push adds v as the last slot.
func (s *slots[T]) push(v T) {
	if s.n == len(s.chunks)*slotChunk {
		s.chunks = append(s.chunks, new([slotChunk]T))
	}
	*s.at(s.n) = v
	s.n++
}

// pop takes the last slot out and returns it.
func (s *slots[T]) pop() T {
	s.n--
	return *s.at(s.n)
}
