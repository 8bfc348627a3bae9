package passengine

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"
)

// v7 is the state of newV7: the last timestamp it used, so that the IDs
// of one process are strictly increasing, and random bytes read ahead
// from crypto/rand, 8 for each ID: one read serves 32 IDs, as
// github.com/google/uuid's pool of randomness does. Each ID takes bytes
// of its own, so the IDs are as random as with a read each.
var v7 struct {
	sync.Mutex
	last int64 // unix milliseconds << 12 | the 12-bit sub-millisecond sequence
	rnd  [256]byte
	left int // the bytes of rnd not taken yet, at its end
}

// newV7 returns a new UUIDv7 (RFC 9562) in its 36-character text form:
// the Unix time in milliseconds, 12 bits of sub-millisecond time that
// increase strictly within the process (as github.com/google/uuid's
// NewV7 does), and 62 random bits (crypto/rand's, read ahead: v7). It is
// the Engine's default ID (WithIDs) and allocates only the string. The time is the machine's, not the
// Engine's clock: an ID orders rows, it never decides a rule.
func newV7() string {
	now := time.Now()
	t := now.UnixMilli()<<12 | (now.UnixNano()%1e6)>>8 // < 4096: 1e6 >> 8 = 3906
	v7.Lock()
	if t <= v7.last {
		t = v7.last + 1
	}
	v7.last = t
	var b [16]byte
	if v7.left < 8 {
		_, _ = rand.Read(v7.rnd[:]) // crypto/rand.Read never fails (Go 1.24)
		v7.left = len(v7.rnd)
	}
	r := v7.rnd[len(v7.rnd)-v7.left:][:8]
	copy(b[8:], r)
	clear(r) // a byte is handed out once, and not kept once out
	v7.left -= 8
	v7.Unlock()

	ms, seq := t>>12, t&0xfff
	for i := range 6 {
		b[i] = byte(ms >> (40 - 8*i))
	}
	b[6] = 0x70 | byte(seq>>8) // version 7
	b[7] = byte(seq)
	b[8] = 0x80 | b[8]&0x3f // variant 10
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	hex.Encode(s[9:13], b[4:6])
	hex.Encode(s[14:18], b[6:8])
	hex.Encode(s[19:23], b[8:10])
	hex.Encode(s[24:], b[10:])
	s[8], s[13], s[18], s[23] = '-', '-', '-', '-'
	return string(s[:])
}
