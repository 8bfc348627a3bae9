package passengine

import (
	"crypto/sha256"
	"strings"
	"time"

	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/pass"
)

// This file holds the idempotency fingerprints of the Engine's requests
// (RULES I1, I4). A fingerprint is taken over the normalized request:
// instants in UTC at the microsecond stores keep, defaults applied (a cost
// of 0 is 1, an empty source is "product"), amounts as numbers (10.5 and
// 10.50 are one amount), strings already validated (so valid UTF-8, which
// an encoding cannot fold into one another). Each field is written with
// its length in front, so no two different requests give the same bytes,
// and the bytes are hashed with SHA-256: equal requests always match and
// different ones never collide.
//
// Actor and Comment are not part of a fingerprint: they say who did a
// thing and why, not what was done, so a retry of the same operation from
// another desk, or with another note, returns the first result (and the
// first actor and comment stay on record). Key and Network are not part of
// it either: they are where the record is kept.

// fpVersion starts every fingerprint. Records written before fingerprints
// were versioned hold a 32-byte hash of a JSON encoding (see idempotent).
const fpVersion = 2

// fpLen is the length of a fingerprint: the version, then the hash.
const fpLen = 1 + sha256.Size

// fpStart begins the fingerprint of operation op in b.
func fpStart(b []byte, op string) enc { return enc(b).str(op) }

// sum returns the fingerprint of the bytes written: the version, then
// their SHA-256.
func (b enc) sum() [fpLen]byte {
	var out [fpLen]byte
	out[0] = fpVersion
	h := sha256.Sum256(b)
	copy(out[1:], h[:])
	return out
}

// instantOf normalizes a supplied instant as the stores keep it.
func instantOf(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}

// costOf applies the default cost of a visit (C3, B1).
func costOf(n int) int {
	if n <= 0 {
		return 1
	}
	return n
}

// normalized returns r as the Engine decides it: At in UTC at the
// microsecond (zero stays "now"), Cost defaulted.
func (r CheckInRequest) normalized() CheckInRequest {
	r.At, r.Cost = instantOf(r.At), costOf(r.Cost)
	return r
}

func (r CheckInRequest) fingerprint(op string) [fpLen]byte {
	r = r.normalized()
	var a [256]byte
	return fpStart(a[:0], op).str(r.Holder).str(r.Location).time(r.At).int(r.Cost).sum()
}

func (r CheckOutRequest) normalized() CheckOutRequest {
	r.At = instantOf(r.At)
	return r
}

func (r CheckOutRequest) fingerprint(op string) [fpLen]byte {
	r = r.normalized()
	var a [256]byte
	return fpStart(a[:0], op).str(r.Visit).time(r.At).sum()
}

func (r BookRequest) normalized() BookRequest {
	r.Start, r.Cost = instantOf(r.Start), costOf(r.Cost)
	return r
}

func (r BookRequest) fingerprint(op string) [fpLen]byte {
	r = r.normalized()
	var a [256]byte
	return fpStart(a[:0], op).str(r.Holder).str(r.Location).time(r.Start).int(r.Cost).sum()
}

func (r CancelRequest) fingerprint(op string) [fpLen]byte {
	var a [256]byte
	return fpStart(a[:0], op).str(r.Visit).bool(r.ByBusiness).sum()
}

func (r AttendanceRequest) fingerprint(op string) [fpLen]byte {
	var a [256]byte
	return fpStart(a[:0], op).str(r.Visit).bool(r.Attended).sum()
}

func (r MoveRequest) fingerprint(op string) [fpLen]byte {
	var a [256]byte
	return fpStart(a[:0], op).str(r.Visit).str(r.Pass).sum()
}

// normalized returns r with its source defaulted.
func (r IssueRequest) normalized() IssueRequest {
	if r.Source == "" {
		r.Source = pass.FromProduct
	}
	return r
}

func (r IssueRequest) fingerprint(op string) [fpLen]byte {
	r = r.normalized()
	var a [512]byte
	b := fpStart(a[:0], op).str(r.Product).str(r.Holder).str(r.Team).str(string(r.Source)).int(r.Remaining).
		money(r.Price).bool(r.Paid).date(r.ActivatedOn).date(r.ExpiresOn).bool(r.Passcode)
	if r.PayFromAccount { // W2; written only when set, so records of issues without it still match
		b = b.bool(true)
	}
	return b.sum()
}

func (r AdjustRequest) fingerprint(op string) [fpLen]byte {
	var a [256]byte
	return fpStart(a[:0], op).str(r.Pass).int(r.Units).money(r.Amount).sum()
}

func (r ExpiryRequest) fingerprint(op string) [fpLen]byte {
	var a [256]byte
	return fpStart(a[:0], op).str(r.Pass).date(r.ExpiresOn).sum()
}

func (r FreezeRequest) fingerprint(op string) [fpLen]byte {
	var a [256]byte
	return fpStart(a[:0], op).str(r.Pass).date(r.From).date(r.To).sum()
}

func (r UnfreezeRequest) fingerprint(op string) [fpLen]byte {
	var a [256]byte
	return fpStart(a[:0], op).str(r.Pass).date(r.On).sum()
}

// fingerprint of a MarkPaid: By is who was paid, part of what is done.
func (r PaidRequest) fingerprint(op string) [fpLen]byte {
	var a [256]byte
	return fpStart(a[:0], op).str(r.Pass).str(r.By).sum()
}

func (r PasscodeRequest) fingerprint(op string) [fpLen]byte {
	var a [256]byte
	return fpStart(a[:0], op).str(r.Pass).sum()
}

func (r UnlockRequest) fingerprint(op string) [fpLen]byte {
	var a [256]byte
	return fpStart(a[:0], op).str(r.Location).sum()
}

// redeemFingerprint is what a redemption's fingerprint is taken over: the
// code only as its keyed hash, so the record cannot be searched for the
// code.
func redeemFingerprint(op, location, codeHash string, at time.Time) [fpLen]byte {
	var a [256]byte
	return fpStart(a[:0], op).str(location).str(codeHash).time(instantOf(at)).sum()
}

// deriveKey returns the idempotency key of part of a call keyed key (a
// holder of a bulk issue, a visit of a stale sweep): key and part joined
// by "/", each with "%" and "/" escaped, so that no two (key, part) pairs
// give one derived key (b + x/y is "b/x%2Fy", b/x + y is "b%2Fx/y").
func deriveKey(key, part string) string {
	esc := strings.NewReplacer("%", "%25", "/", "%2F")
	return esc.Replace(key) + "/" + esc.Replace(part)
}

// checkDerivedKey returns a *FieldError named "key" when the key derived
// from key and part would be longer than an idempotency key may be.
func checkDerivedKey(key, part string) error {
	if d := deriveKey(key, part); len(d) > field.MaxID {
		return field.Invalid("key", "with %s the derived key is %d bytes, more than %d: use a shorter key",
			field.Quote(part), len(d), field.MaxID)
	}
	return nil
}
