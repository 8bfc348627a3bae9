package passengine

import (
	"encoding/binary"
	"errors"
	"math"
	"math/big"
	"time"

	"github.com/shopspring/decimal"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/money"
)

// This file holds the byte encoding shared by the idempotency fingerprints
// (fingerprint.go) and the compact idempotency records (record.go): enc
// appends, dec reads back. Every variable-length value is written with its
// length in front, so no two different sequences of values give the same
// bytes.

// enc is a byte encoding being appended to.
type enc []byte

func (b enc) uint(n uint64) enc { return binary.AppendUvarint(b, n) }

func (b enc) str(s string) enc {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func (b enc) strs(ss []string) enc {
	b = binary.AppendUvarint(b, uint64(len(ss)))
	for _, s := range ss {
		b = b.str(s)
	}
	return b
}

func (b enc) int(n int) enc { return binary.AppendVarint(b, int64(n)) }

func (b enc) bool(v bool) enc {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

// time writes a normalized instant: zero, or its microseconds since 1970.
func (b enc) time(t time.Time) enc {
	if t.IsZero() {
		return append(b, 0)
	}
	return binary.AppendVarint(append(b, 1), t.UnixMicro())
}

// timePtr writes an optional instant: absent, or the instant.
func (b enc) timePtr(t *time.Time) enc {
	if t == nil {
		return append(b, 0)
	}
	return append(b, 1).time(*t)
}

// sliceLen writes the length of a slice that may be nil: 0 for nil, the
// length plus one otherwise, so that a nil and an empty slice read back
// as they were.
func (b enc) sliceLen(n int, isNil bool) enc {
	if isNil {
		return append(b, 0)
	}
	return b.uint(uint64(n) + 1)
}

func (b enc) date(d calendar.Date) enc { return b.int(d.Year).int(int(d.Month)).int(d.Day) }

// money writes an amount as its currency and its shortest decimal text,
// so that equal amounts written with other trailing zeros match.
func (b enc) money(m money.Money) enc { return b.str(m.Currency).str(m.Amount.String()) }

// exactMoney writes an amount as its currency and its exact decimal: the
// coefficient and the exponent, so that it reads back with its trailing
// zeros.
func (b enc) exactMoney(m money.Money) enc { return b.str(m.Currency).decimal(m.Amount) }

// decimal writes d exactly: the zero Decimal, or a coefficient that fits
// 64 bits, or a longer one as bytes, then the exponent.
func (b enc) decimal(d decimal.Decimal) enc {
	switch {
	case d == (decimal.Decimal{}):
		return append(b, 0)
	case d.NumDigits() <= 18:
		b = binary.AppendVarint(append(b, 1), d.CoefficientInt64())
	default:
		c := d.Coefficient()
		b = append(b, 2).bool(c.Sign() < 0)
		abs := c.Abs(c).Bytes()
		b = append(b.uint(uint64(len(abs))), abs...)
	}
	return binary.AppendVarint(b, int64(d.Exponent()))
}

// errCorrupt is the error of bytes that are not an encoding dec reads.
var errCorrupt = errors.New("passengine: corrupt stored record")

// dec reads what enc wrote. The first read past the end or of a value out
// of range sets err, after which every read returns a zero value.
type dec struct {
	b   []byte
	err error
	v2  bool // a compact record of version 2 (record.go)
}

func (d *dec) fail() { d.err, d.b = errCorrupt, nil }

func (d *dec) uint() uint64 {
	n, k := binary.Uvarint(d.b)
	if k <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[k:]
	return n
}

func (d *dec) varint() int64 {
	n, k := binary.Varint(d.b)
	if k <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[k:]
	return n
}

func (d *dec) int() int {
	n := d.varint()
	if n < math.MinInt || n > math.MaxInt {
		d.fail()
		return 0
	}
	return int(n)
}

func (d *dec) byte() byte {
	if len(d.b) == 0 {
		d.fail()
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *dec) bool() bool {
	switch d.byte() {
	case 0:
		return false
	case 1:
		return true
	}
	d.fail()
	return false
}

func (d *dec) bytes() []byte {
	n := d.uint()
	if n > uint64(len(d.b)) {
		d.fail()
		return nil
	}
	s := d.b[:n]
	d.b = d.b[n:]
	return s
}

func (d *dec) str() string { return string(d.bytes()) }

func (d *dec) time() time.Time {
	if !d.bool() {
		return time.Time{}
	}
	return time.UnixMicro(d.varint()).UTC()
}

func (d *dec) timePtr() *time.Time {
	if !d.bool() {
		return nil
	}
	t := d.time()
	return &t
}

// sliceLen reads what enc.sliceLen wrote: the length, and whether the
// slice was nil. A length longer than the bytes left is corrupt.
func (d *dec) sliceLen() (n int, isNil bool) {
	u := d.uint()
	if u == 0 {
		return 0, true
	}
	if u-1 > uint64(len(d.b)) {
		d.fail()
		return 0, true
	}
	return int(u - 1), false
}

func (d *dec) date() calendar.Date {
	return calendar.Date{Year: d.int(), Month: time.Month(d.int()), Day: d.int()}
}

func (d *dec) exactMoney() money.Money {
	c := d.str()
	return money.Money{Currency: c, Amount: d.decimal()}
}

func (d *dec) decimal() decimal.Decimal {
	var v decimal.Decimal
	switch d.byte() {
	case 0:
		return decimal.Decimal{}
	case 1:
		c := d.varint()
		exp := d.varint()
		if exp < math.MinInt32 || exp > math.MaxInt32 {
			d.fail()
			return v
		}
		if c == 0 {
			return zeroDecimal(int32(exp))
		}
		v = decimal.New(c, int32(exp))
	case 2:
		neg := d.bool()
		c := new(big.Int).SetBytes(d.bytes())
		if neg {
			c.Neg(c)
		}
		exp := d.varint()
		if exp < math.MinInt32 || exp > math.MaxInt32 {
			d.fail()
			return v
		}
		v = decimal.NewFromBigInt(c, int32(exp))
	default:
		d.fail()
	}
	return v
}

// zeroDecimals are the zero decimals of the exponents a record usually
// holds, shared so that reading or canonicalizing one allocates nothing
// (a Decimal's coefficient is never changed in place).
var zeroDecimals = func() (z [41]decimal.Decimal) {
	for i := range z {
		z[i] = decimal.New(0, int32(i-20))
	}
	return z
}()

// zeroDecimal returns a zero with exponent exp.
func zeroDecimal(exp int32) decimal.Decimal {
	if exp >= -20 && exp <= 20 {
		return zeroDecimals[exp+20]
	}
	return decimal.New(0, exp)
}

// canonDecimal returns d as dec.decimal reads it back: the same value and
// exponent, a zero with a coefficient shared by every zero of its exponent.
// Only zeros differ in form (a computed zero may hold an empty rather
// than a nil coefficient); every other coefficient is normalized already.
func canonDecimal(d decimal.Decimal) decimal.Decimal {
	if d != (decimal.Decimal{}) && d.IsZero() {
		return zeroDecimal(d.Exponent())
	}
	return d
}

// canonTime returns t as dec.time reads it back: in UTC at the
// microsecond.
func canonTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}

// canonTimePtr makes *p what dec.timePtr reads back, replacing the
// pointer (never writing through it) when the instant is not in that form.
func canonTimePtr(p **time.Time) {
	if *p == nil {
		return
	}
	if c := canonTime(**p); c != **p {
		q := new(time.Time) // allocated only here, not for every call
		*q = c
		*p = q
	}
}
