package passengine

import (
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

// compactResult is a result stored as a compact record.
type compactResult interface {
	// canonical puts the result in the form readRecord returns.
	canonical()
	// appendRecord appends the record's bytes, after recordCompact.
	appendRecord(b enc) enc
	// readRecord reads what appendRecord wrote.
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

func (r *VisitResult) appendRecord(b enc) enc {
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
	b = appendCandidates(b, s.Candidates)
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
		for i := range s.Candidates {
			c := &s.Candidates[i]
			c.PassID, c.Kind, c.Balance, c.Shared = d.str(), pass.Kind(d.str()), d.int(), d.bool()
			c.Locations, c.Reason, c.DecidedBy = d.int(), entitlement.Reason(d.str()), d.str()
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
// JSON otherwise (r is then replaced by the JSON read back).
func recordOf[R any](r *R, buf []byte) ([]byte, error) {
	if c, ok := any(r).(compactResult); ok {
		c.canonical()
		return c.appendRecord(append(enc(buf), recordCompact)), nil
	}
	out, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	*r = *new(R)
	return out, json.Unmarshal(out, r)
}

// readCompact reads a compact record's bytes b, after recordCompact, into
// res. It returns errCorrupt for bytes that are not the record of a
// compactResult of res's type.
func readCompact[R any](b []byte, res *R) error {
	c, ok := any(res).(compactResult)
	if !ok {
		return errCorrupt
	}
	d := dec{b: b}
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
