package passengine

import (
	"encoding/binary"
	"encoding/json"
	"sync"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/pass"
)

// This file holds the compact idempotency records of the hot path (RULES
// I1): the result of a check-in, check-out, booking or any other call that
// returns a VisitResult is stored as the bytes below rather than as JSON,
// so that storing it takes no reflection and the caller gets the result as
// computed. The result is first put in canonical form (canonical), the form
// the bytes read back as, so a replay returns a value equal to the first
// answer, field for field. Records written as JSON by earlier releases are
// read as JSON (decodeRecord).

// recordCompact is the first byte of a compact record, version 1. A JSON
// record starts with '{' and an erased one (store.ErasedResult) with 0.
const recordCompact byte = 0xC1

// recordCompactV2 is the first byte of a compact record, version 2:
// version 1 but for the candidates, which appendCandidatesV2 writes in a
// quarter of the bytes (a pass ID that is a UUID in 16 bytes, the fields
// a candidate repeats from the one before in one). Releases before this
// one do not read it (they refuse it as JSON that does not parse), so the
// Engine writes it only to a store no other process reads
// (store.InProcess); every store gets version 1 otherwise, until a later
// release, whose earlier one reads both, writes version 2 everywhere.
const recordCompactV2 byte = 0xC2

// compactResult is a result stored as a compact record.
type compactResult interface {
	// canonical puts the result in the form readRecord returns.
	canonical()
	// appendRecord appends the record's bytes, after recordCompact, or
	// after recordCompactV2 when v2.
	appendRecord(b enc, v2 bool) enc
	// readRecord reads what appendRecord wrote, in version 2 when d.v2.
	readRecord(d *dec)
}

// canonical puts r in the form its record reads back as: instants in UTC
// at the microsecond, zero amounts in one form, candidates without their
// pass.
func (r *VisitResult) canonical() {
	canonVisit(&r.Visit)
	for i := range r.Closed {
		canonVisit(&r.Closed[i])
	}
	r.Charge.Amount = canonDecimal(r.Charge.Amount)
	for i := range r.Selection.Candidates {
		r.Selection.Candidates[i].Pass = nil
	}
}

func canonVisit(v *checkin.Visit) {
	v.Start = canonTime(v.Start)
	canonTimePtr(&v.End)
	canonTimePtr(&v.CancelledAt)
	canonTimePtr(&v.SettledAt)
	for i := range v.Charges {
		v.Charges[i].Amount.Amount = canonDecimal(v.Charges[i].Amount.Amount)
	}
	if v.Fee != nil {
		if a := canonDecimal(v.Fee.Amount.Amount); a != v.Fee.Amount.Amount {
			f := *v.Fee
			f.Amount.Amount = a
			v.Fee = &f
		}
	}
	v.Debited.Amount = canonDecimal(v.Debited.Amount)
	v.Owed.Amount = canonDecimal(v.Owed.Amount)
}

func (r *VisitResult) appendRecord(b enc, v2 bool) enc {
	b = appendVisit(b, &r.Visit)
	b = b.sliceLen(len(r.Closed), r.Closed == nil)
	for i := range r.Closed {
		b = appendVisit(b, &r.Closed[i])
	}
	b = b.sliceLen(len(r.Balances), r.Balances == nil)
	for _, x := range r.Balances {
		b = b.str(x.Pass).str(string(x.Kind)).int(x.Balance)
	}
	b = b.exactMoney(r.Charge)
	s := &r.Selection
	b = b.sliceLen(len(s.Candidates), s.Candidates == nil)
	if v2 {
		b = appendCandidatesV2(b, s.Candidates)
	} else {
		b = appendCandidates(b, s.Candidates)
	}
	b = b.int(s.Eligible).str(s.DecidedBy)
	b = b.sliceLen(len(r.Points), r.Points == nil)
	for _, p := range r.Points {
		b = b.str(p.Card).int(p.Points).int(p.Bonus)
	}
	return b
}

// appendCandidates appends each candidate of cs as
// b.str(PassID).str(Kind).int(Balance).bool(Shared).int(Locations).str(Reason).str(DecidedBy)
// would. A candidate whose fields after
// PassID are those of the one before (the candidates of a team pool but
// the first two) gets them as a copy of that one's bytes.
func appendCandidates(b enc, cs []entitlement.Candidate) enc {
	tail := 0 // where the last candidate's fields after its PassID start
	for i := range cs {
		c := &cs[i]
		start := len(b)
		b = b.str(c.PassID)
		if i > 0 && sameTail(c, &cs[i-1]) {
			n := len(b)
			b, tail = append(b, b[tail:start]...), n
			continue
		}
		tail = len(b)
		b = b.str(string(c.Kind)).int(c.Balance).bool(c.Shared).int(c.Locations).str(string(c.Reason)).str(c.DecidedBy)
	}
	return b
}

// sameTail reports whether c and p have the same fields after PassID.
// It is not inlined: its string comparisons call memequal, and the
// caller's loop then saves its registers once a candidate rather than at
// each comparison (fewer instructions by callgrind).
//
//go:noinline
func sameTail(c, p *entitlement.Candidate) bool {
	return c.Balance == p.Balance && c.Locations == p.Locations && c.Shared == p.Shared &&
		c.Kind == p.Kind && c.Reason == p.Reason && c.DecidedBy == p.DecidedBy
}

// appendCandidatesV2 appends the candidates of cs in version 2: each a
// byte of flags, then its pass ID, then the fields after it unless they
// are the previous candidate's (candV2Same). The ID is 16 bytes when it is
// a UUID in its canonical text form (candV2UUID), which the reader prints
// back to the same text; any other ID is written as enc.str writes it.
func appendCandidatesV2(b enc, cs []entitlement.Candidate) enc {
	for i := range cs {
		c := &cs[i]
		var flags byte
		same := i > 0 && sameTail(c, &cs[i-1])
		if same {
			flags |= candV2Same
		}
		id, isUUID := parseUUID(c.PassID)
		if isUUID {
			flags |= candV2UUID
		}
		b = append(b, flags)
		if isUUID {
			b = append(b, id[:]...)
		} else {
			b = b.str(c.PassID)
		}
		if !same {
			b = b.str(string(c.Kind)).int(c.Balance).bool(c.Shared).int(c.Locations).str(string(c.Reason)).str(c.DecidedBy)
		}
	}
	return b
}

// The flags of a candidate in version 2 (appendCandidatesV2).
const (
	candV2Same byte = 1 << iota // the fields after the ID are the previous candidate's
	candV2UUID                  // the ID is a UUID's 16 bytes
)

// readCandidatesV2 reads n candidates that appendCandidatesV2 wrote into
// cs.
func readCandidatesV2(d *dec, cs []entitlement.Candidate) {
	for i := range cs {
		c := &cs[i]
		flags := d.byte()
		if flags&^(candV2Same|candV2UUID) != 0 || (i == 0 && flags&candV2Same != 0) {
			d.fail()
			return
		}
		if flags&candV2UUID != 0 {
			if len(d.b) < 16 {
				d.fail()
				return
			}
			c.PassID = formatUUID((*[16]byte)(d.b[:16]))
			d.b = d.b[16:]
		} else {
			c.PassID = d.str()
		}
		if flags&candV2Same != 0 {
			p := &cs[i-1]
			c.Kind, c.Balance, c.Shared, c.Locations, c.Reason, c.DecidedBy = p.Kind, p.Balance, p.Shared, p.Locations, p.Reason, p.DecidedBy
			continue
		}
		c.Kind, c.Balance, c.Shared = pass.Kind(d.str()), d.int(), d.bool()
		c.Locations, c.Reason, c.DecidedBy = d.int(), entitlement.Reason(d.str()), d.str()
	}
}

// parseUUID returns the 16 bytes of s and true when s is a UUID in its
// canonical text form, lowercase (as newV7 and github.com/google/uuid
// print it): then formatUUID gives s back. Any other s gives false.
//
// It decodes the 32 digits as four words of 8 (hexWord), which costs
// about half the instructions of a table lookup a digit:
// appendCandidatesV2 calls it once a candidate, 64 times in a team pool's
// check-in.
func parseUUID(s string) (id [16]byte, ok bool) {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return id, false
	}
	a, badA := hexWord(load8(s[0:8]))
	b, badB := hexWord(load4(s[9:13]) | load4(s[14:18])<<32)
	c, badC := hexWord(load4(s[19:23]) | load4(s[24:28])<<32)
	d, badD := hexWord(load8(s[28:36]))
	binary.LittleEndian.PutUint32(id[0:], a)
	binary.LittleEndian.PutUint32(id[4:], b)
	binary.LittleEndian.PutUint32(id[8:], c)
	binary.LittleEndian.PutUint32(id[12:], d)
	return id, badA|badB|badC|badD == 0
}

// load8 returns the first 8 bytes of s as a little-endian word: s[0] in
// the low byte. s has at least 8 bytes.
func load8(s string) uint64 {
	_ = s[7]
	return load4(s) | load4(s[4:])<<32
}

// load4 returns the first 4 bytes of s as a little-endian word. s has at
// least 4 bytes.
func load4(s string) uint64 {
	_ = s[3]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24
}

// hexWord decodes the 8 hexadecimal digits of x, one a byte with the
// first in the low byte, into 4 bytes, little-endian (the first two
// digits are the low byte of the result). bad is 0 when every byte of x
// is a lowercase hexadecimal digit ('0'-'9', 'a'-'f'), not 0 otherwise.
//
// Each test is done on the 8 bytes at once: adding 0x80-lo to a byte
// below 0x80 sets its high bit exactly when the byte is at least lo, with
// no carry into the next byte. A byte of 0x80 or more is neither a digit
// nor a letter (both its sums keep their high bit, or the larger has
// wrapped), so the word is bad whatever the carry it may pass on does to
// the test of the next byte.
func hexWord(x uint64) (v uint32, bad uint64) {
	const ones, high = 0x0101010101010101, 0x8080808080808080
	digit := (x + (0x80-'0')*ones) &^ (x + (0x80-'9'-1)*ones)  // '0' <= b <= '9'
	letter := (x + (0x80-'a')*ones) &^ (x + (0x80-'f'-1)*ones) // 'a' <= b <= 'f'
	bad = ^(digit | letter) & high
	// A digit's value is its low 4 bits; a letter's (0x61-0x66) is its
	// low 4 bits plus 9, and only letters have bit 6 set.
	n := x&(0x0f*ones) + 9*(x>>6&ones)
	// Each pair of nibbles into a byte (the first digit high), then the
	// even bytes together.
	w := (n<<4 | n>>8) & 0x00ff00ff00ff00ff
	w = (w | w>>8) & 0x0000ffff0000ffff
	return uint32(w | w>>16), bad
}

// uuidDigits is where each byte of a UUID is in its text form.
var uuidDigits = [16]int{0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34}

// formatUUID returns id's canonical text form, lowercase.
func formatUUID(id *[16]byte) string {
	const digits = "0123456789abcdef"
	s := [36]byte{8: '-', 13: '-', 18: '-', 23: '-'}
	for j, i := range uuidDigits {
		s[i], s[i+1] = digits[id[j]>>4], digits[id[j]&0xf]
	}
	return string(s[:])
}

func (r *VisitResult) readRecord(d *dec) {
	readVisit(d, &r.Visit)
	if n, isNil := d.sliceLen(); !isNil {
		r.Closed = make([]checkin.Visit, n)
		for i := range r.Closed {
			readVisit(d, &r.Closed[i])
		}
	}
	if n, isNil := d.sliceLen(); !isNil {
		r.Balances = make([]Balance, n)
		for i := range r.Balances {
			r.Balances[i] = Balance{Pass: d.str(), Kind: pass.Kind(d.str()), Balance: d.int()}
		}
	}
	r.Charge = d.exactMoney()
	s := &r.Selection
	if n, isNil := d.sliceLen(); !isNil {
		s.Candidates = make([]entitlement.Candidate, n)
		if d.v2 {
			readCandidatesV2(d, s.Candidates)
		} else {
			for i := range s.Candidates {
				c := &s.Candidates[i]
				c.PassID, c.Kind, c.Balance, c.Shared = d.str(), pass.Kind(d.str()), d.int(), d.bool()
				c.Locations, c.Reason, c.DecidedBy = d.int(), entitlement.Reason(d.str()), d.str()
			}
		}
	}
	s.Eligible, s.DecidedBy = d.int(), d.str()
	if n, isNil := d.sliceLen(); !isNil {
		r.Points = make([]CardPoints, n)
		for i := range r.Points {
			r.Points[i] = CardPoints{Card: d.str(), Points: d.int(), Bonus: d.int()}
		}
	}
}

func appendVisit(b enc, v *checkin.Visit) enc {
	b = b.str(v.Network).str(v.ID).str(v.Holder).str(v.Location).str(string(v.Kind)).str(string(v.Mode)).str(string(v.Status))
	b = b.time(v.Start).timePtr(v.End).date(v.Date).int(v.Cost).str(v.Pass).str(v.CoveredBy).str(v.PAYG)
	b = b.sliceLen(len(v.Consumptions), v.Consumptions == nil)
	for _, c := range v.Consumptions {
		b = b.str(c.Pass).str(string(c.Kind)).int(c.Units)
	}
	b = b.sliceLen(len(v.Charges), v.Charges == nil)
	for i := range v.Charges {
		b = appendDayCharge(b, &v.Charges[i])
	}
	b = b.int(v.UncoveredMinutes).bool(v.AutoClosed).str(v.Activated).timePtr(v.CancelledAt).bool(v.LateCancel).str(v.CancelledBy)
	b = b.bool(v.Fee != nil)
	if v.Fee != nil {
		b = appendDayCharge(b, v.Fee)
	}
	return b.str(v.Terms).timePtr(v.SettledAt).exactMoney(v.Debited).exactMoney(v.Owed)
}

func readVisit(d *dec, v *checkin.Visit) {
	v.Network, v.ID, v.Holder, v.Location = d.str(), d.str(), d.str(), d.str()
	v.Kind, v.Mode, v.Status = checkin.Kind(d.str()), checkin.Mode(d.str()), checkin.Status(d.str())
	v.Start, v.End, v.Date, v.Cost = d.time(), d.timePtr(), d.date(), d.int()
	v.Pass, v.CoveredBy, v.PAYG = d.str(), d.str(), d.str()
	if n, isNil := d.sliceLen(); !isNil {
		v.Consumptions = make([]checkin.Consumption, n)
		for i := range v.Consumptions {
			v.Consumptions[i] = checkin.Consumption{Pass: d.str(), Kind: pass.Kind(d.str()), Units: d.int()}
		}
	}
	if n, isNil := d.sliceLen(); !isNil {
		v.Charges = make([]billing.DayCharge, n)
		for i := range v.Charges {
			readDayCharge(d, &v.Charges[i])
		}
	}
	v.UncoveredMinutes, v.AutoClosed, v.Activated = d.int(), d.bool(), d.str()
	v.CancelledAt, v.LateCancel, v.CancelledBy = d.timePtr(), d.bool(), d.str()
	if d.bool() {
		v.Fee = new(billing.DayCharge)
		readDayCharge(d, v.Fee)
	}
	v.Terms, v.SettledAt, v.Debited, v.Owed = d.str(), d.timePtr(), d.exactMoney(), d.exactMoney()
}

func appendDayCharge(b enc, c *billing.DayCharge) enc {
	return b.date(c.Date).int(c.Minutes).int(c.Increments).exactMoney(c.Amount).bool(c.Capped).str(c.PAYG)
}

func readDayCharge(d *dec, c *billing.DayCharge) {
	c.Date, c.Minutes, c.Increments, c.Amount, c.Capped, c.PAYG = d.date(), d.int(), d.int(), d.exactMoney(), d.bool(), d.str()
}

// recordOf puts r in the form its record reads back as and returns the
// record's bytes, appended to buf: a compact record for a compactResult,
// in version 2 when v2, JSON otherwise (r is then replaced by the JSON
// read back).
func recordOf[R any](r *R, buf []byte, v2 bool) ([]byte, error) {
	if c, ok := any(r).(compactResult); ok {
		c.canonical()
		first := recordCompact
		if v2 {
			first = recordCompactV2
		}
		return c.appendRecord(append(enc(buf), first), v2), nil
	}
	out, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	*r = *new(R)
	return out, json.Unmarshal(out, r)
}

// readCompact reads a compact record's bytes b, after its first byte
// (recordCompactV2 when v2, recordCompact otherwise), into res. It returns
// errCorrupt for bytes that are not the record of a compactResult of
// res's type.
func readCompact[R any](b []byte, res *R, v2 bool) error {
	c, ok := any(res).(compactResult)
	if !ok {
		return errCorrupt
	}
	d := dec{b: b, v2: v2}
	c.readRecord(&d)
	if d.err == nil && len(d.b) != 0 {
		d.err = errCorrupt
	}
	return d.err
}

// recordBuffers holds the buffers records are encoded in: a store copies a
// record's bytes, so a buffer is reused once the unit of work is over.
var recordBuffers = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledRecord is the largest buffer kept for reuse.
const maxPooledRecord = 64 << 10

func recordBuffer() *[]byte { return recordBuffers.Get().(*[]byte) }

func putRecordBuffer(b *[]byte) {
	if cap(*b) <= maxPooledRecord {
		*b = (*b)[:0]
		recordBuffers.Put(b)
	}
}
