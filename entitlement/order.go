package entitlement

import (
	"math"
	"math/bits"
	"slices"

	"github.com/passengine/passengine/pass"
)

// How a selection orders its candidates (rank):
//
//  1. indexes of the candidates are sorted by pass ID (a stable binary
//     insertion sort: one comparison a candidate when the store listed
//     them so, as stores do), then a stable partition puts the eligible
//     ones first;
//  2. when the policy is made of the package's own keys, each eligible
//     candidate's place in the order is packed once into an orderKey, the
//     policy's keys as fixed-width unsigned fields, most significant first,
//     ending with the candidate's position in ID order, so that keys are
//     distinct and compare as the policy compares the candidates (a stable
//     sort from ID order); an index over the keys is sorted comparing
//     them as plain integers (insertion up to 12 keys, binary insertion up
//     to 256, pdqsort beyond), and the first bit where an outranked
//     candidate's key differs from the chosen one's names the key that
//     decided (Candidate.DecidedBy). The default policy's layout is
//     planned once and packed with constant shifts;
//  3. otherwise (a host's own key, a unit value that is not a number of
//     10^-8, a remaining-minutes key that could tie a time pass with
//     another kind, ...) the indexes are sorted by Policy.Compare with the
//     same stable binary insertion sort as before, from ID order;
//  4. each candidate then moves to its place once.
//
// Select by the default policy over at most 64 passes (selectPacked, the
// check-in path) does the same from the passes themselves: it sorts their
// indexes by ID, checks each pass in that order putting the eligible ones
// first, packs their keys and sorts them as in 2, and then writes each
// candidate once, in its place, so that no candidate is built and then
// moved. Two passes with one ID or a value that does not pack hand the
// passes, checked, to the steps above.
//
// Starting from ID order makes the result depend only on the set of
// candidates even when a policy's keys are not a consistent order (a
// policy that keeps ByRemainingMinutes but drops ByKind: a time pass of 100
// minutes before one of 50, each tied with a visits pass), so the
// selection is the same on every store whatever order it lists passes in
// (O7, O8). Both paths give that same result: for a consistent order it is
// the one stable sort, and an inconsistent one never takes the packed path.

// keyWords is the size of an orderKey in 64-bit words.
const keyWords = 4

// orderKey is an eligible candidate's place in the consumption order:
// fields laid out by a keyLayout, compared as one 256-bit unsigned number.
type orderKey [keyWords]uint64

// less reports whether k comes before o.
func (k *orderKey) less(o *orderKey) bool {
	// Unrolled: the first word decides most comparisons.
	if k[0] != o[0] {
		return k[0] < o[0]
	}
	if k[1] != o[1] {
		return k[1] < o[1]
	}
	if k[2] != o[2] {
		return k[2] < o[2]
	}
	return k[3] < o[3]
}

// The unrolled comparisons of orderKey.less and firstDifference are its
// words.
var _ = [1]struct{}{}[keyWords-4]

// compareKeys is orderKey.less as a three-way comparison, for slices.SortFunc.
func compareKeys(a, b *orderKey) int {
	for w := range keyWords {
		if a[w] != b[w] {
			if a[w] < b[w] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// put sets the width bits of k from bit start (0 is the most significant
// bit of word 0) to v, which must fit in width bits; the bits are zero.
// With constant arguments it compiles to a shift or two.
func (k *orderKey) put(start, width uint, v uint64) {
	w, end := start>>6, start&63+width
	if end <= 64 {
		k[w] |= v << ((64 - end) & 63)
		return
	}
	k[w] |= v >> ((end - 64) & 63)
	k[w+1] |= v << ((128 - end) & 63)
}

// position returns the position field of k: its last 16 bits.
func (k *orderKey) position() int { return int(k[keyWords-1] & 0xffff) }

// firstDifference returns the first bit where a and b differ, or
// keyWords*64 when they are equal.
func firstDifference(a, b *orderKey) uint {
	// Unrolled, as orderKey.less.
	if x := a[0] ^ b[0]; x != 0 {
		return uint(bits.LeadingZeros64(x))
	}
	if x := a[1] ^ b[1]; x != 0 {
		return 64 + uint(bits.LeadingZeros64(x))
	}
	if x := a[2] ^ b[2]; x != 0 {
		return 128 + uint(bits.LeadingZeros64(x))
	}
	return 192 + uint(bits.LeadingZeros64(a[3]^b[3])) // 256 when equal
}

// Fields of an orderKey beyond the package's own keys.
const (
	// fieldIDRank is ByID when two eligible candidates share a pass ID:
	// the rank of the candidate's ID among the distinct IDs.
	fieldIDRank = keyID + 1 + iota
	// fieldPosition is the candidate's position among the eligible ones in
	// ID order, always the last field: ByID when no two share an ID (it
	// then ends the key), or the final tie-break otherwise.
	fieldPosition
	numFields
)

// fieldWidth is the width in bits of each field of an orderKey. Signed
// values are stored offset by half their range (the sign bit flipped).
var fieldWidth = [numFields]uint8{
	keyPriority: 2, keyKind: 2, keySource: 1, keyOwnership: 1,
	keyUnitValue: 64, keyIssued: 64, // int64
	keyLocations: 32, keyRemainingMinutes: 32, keyExpiry: 32, // int32
	fieldIDRank: 16, fieldPosition: 16,
}

// fieldValues holds a candidate's value of each field, by field.
type fieldValues [numFields]uint64

// values sets v to c's values of the fields in need (a set of
// 1<<builtinKey) but the ID rank and position, and the expiry when the
// caller has the candidates' expiry, and notes c's kind in kinds.
// It returns false when a value does not fit its field or cannot be
// packed exactly.
func values(v *fieldValues, c *Candidate, need uint32, expiry []int32, kinds *keyKinds) bool {
	p := c.Pass
	v[keyPriority] = uint64(p.Priority.Rank())
	v[keyKind] = uint64(kindRank(c.Kind))
	v[keySource] = uint64(sourceRank(p.Source))
	v[keyOwnership] = uint64(boolRank(c.Shared))
	v[keyIssued] = uint64(p.IssuedAt.UnixNano()) ^ 1<<63
	if c.Locations != int(int32(c.Locations)) {
		return false
	}
	v[keyLocations] = uint64(uint32(c.Locations) ^ 1<<31)
	var m int32 // non-time passes tie on ByRemainingMinutes
	if c.Kind == pass.Time {
		if c.Balance != int(int32(c.Balance)) {
			return false
		}
		m = ^int32(c.Balance) // more minutes first; ^ does not overflow
		kinds.time = true
	} else {
		kinds.notTime = true
		if c.Kind != pass.Day && c.Kind != pass.Visits {
			kinds.other = true // ties with a time pass on ByKind
		}
	}
	v[keyRemainingMinutes] = uint64(uint32(m) ^ 1<<31)
	if need&(1<<keyUnitValue) != 0 {
		u, ok := scaled(p.UnitValue.Amount)
		if !ok {
			return false
		}
		v[keyUnitValue] = uint64(u) ^ 1<<63
	}
	if need&(1<<keyExpiry) != 0 && expiry == nil {
		v[keyExpiry] = uint64(uint32(expiryNumber(p.Expiry())) ^ 1<<31)
	}
	return true
}

// maxFields is the most fields a layout has: each of the package's keys
// once, the ID rank and the position.
const maxFields = int(numFields) - 1

// keyField is one field of an orderKey.
type keyField struct {
	what builtinKey
	// key is the index in the policy of the key the field is, whose name
	// DecidedBy reports; -1 for the final tie-break ("id").
	key int8
	// start is the field's first bit, 0 the most significant of word 0.
	start uint16
}

// keyLayout places a policy's keys in an orderKey, right-aligned, so that
// the position field ends it.
type keyLayout struct {
	fields [maxFields]keyField
	n      int
	bits   uint
	need   uint32 // the fields present, as 1<<builtinKey
	// minutesAfterKind is whether a kind key comes before the
	// remaining-minutes key, so that only candidates of one kind rank meet
	// on it.
	minutesAfterKind bool
}

func (l *keyLayout) add(what builtinKey, key int) {
	l.fields[l.n] = keyField{what: what, key: int8(key), start: uint16(l.bits)}
	l.n++
	l.bits += uint(fieldWidth[what])
	l.need |= 1 << what
}

// planLayout lays out policy's keys in an orderKey, ID given as rank
// among distinct IDs when dupIDs. It returns false when the policy has a
// key of a host's own or the fields do not fit.
func planLayout(l *keyLayout, policy Policy, dupIDs bool) bool {
	if len(policy) > math.MaxInt8 {
		return false
	}
	for i := range policy {
		b := policy[i].builtin
		if b == notBuiltin {
			return false
		}
		if l.need&(1<<b) != 0 {
			continue // a repeated key never decides
		}
		switch b {
		case keyID:
			if !dupIDs {
				// Distinct IDs: the position in ID order is the ID's
				// order and decides every tie, so nothing follows.
				l.add(fieldPosition, i)
				return l.align()
			}
			l.add(fieldIDRank, i)
			l.need |= 1 << keyID
			continue
		case keyRemainingMinutes:
			l.minutesAfterKind = l.need&(1<<keyKind) != 0
		}
		l.add(b, i)
	}
	l.add(fieldPosition, -1)
	return l.align()
}

// align moves the fields to the end of the key and reports whether they
// fit.
func (l *keyLayout) align() bool {
	if l.bits > keyWords*64 {
		return false
	}
	pad := keyWords*64 - l.bits
	for i := range l.n {
		l.fields[i].start += uint16(pad)
	}
	return true
}

// pack sets k to the fields of v by l.
func (l *keyLayout) pack(k *orderKey, v *fieldValues) {
	*k = orderKey{}
	for i := range l.n {
		f := &l.fields[i]
		k.put(uint(f.start), uint(fieldWidth[f.what]), v[f.what])
	}
}

// The default policy's layout (defaultLayout), when no two candidates
// share an ID, as constants for packDefault.
const (
	defaultBits = 2 + 2 + 64 + 1 + 32 + 32 + 1 + 32 + 64 + 16
	dPriority   = keyWords*64 - defaultBits
	dKind       = dPriority + 2
	dUnitValue  = dKind + 2
	dSource     = dUnitValue + 64
	dLocations  = dSource + 1
	dMinutes    = dLocations + 32
	dOwnership  = dMinutes + 32
	dExpiry     = dOwnership + 1
	dIssued     = dExpiry + 32
	dPosition   = dIssued + 64
)

// defaultLayout is planLayout of the default policy without duplicate IDs,
// which packDefault packs, and defaultFieldAt the index of its field that
// holds each bit of an orderKey.
var (
	defaultLayout  keyLayout
	defaultFieldAt [keyWords*64 + 1]int8
)

func init() {
	planLayout(&defaultLayout, DefaultPolicy(), false)
	for b := range defaultFieldAt {
		defaultFieldAt[b] = int8(defaultLayout.fieldAt(uint(b)))
	}
}

// isDefaultOrder reports whether policy has the default policy's keys
// (DefaultPolicy) in its order.
func isDefaultOrder(policy Policy) bool {
	if len(policy) != 10 {
		return false
	}
	p := policy[:10] // no bounds checks below
	return p[0].builtin == keyPriority && p[1].builtin == keyKind && p[2].builtin == keyUnitValue &&
		p[3].builtin == keySource && p[4].builtin == keyLocations && p[5].builtin == keyRemainingMinutes &&
		p[6].builtin == keyOwnership && p[7].builtin == keyExpiry && p[8].builtin == keyIssued && p[9].builtin == keyID
}

// packDefault is defaultLayout.pack, its field places constants.
func packDefault(k *orderKey, v *fieldValues) {
	*k = defaultKey(v[keyPriority], v[keyKind], v[keyUnitValue], v[keySource], v[keyLocations],
		v[keyRemainingMinutes], v[keyOwnership], v[keyExpiry], v[keyIssued], v[fieldPosition])
}

// defaultKey returns the key of the default layout with these field
// values, each of which must fit its field: orderKey.put of each at its
// constant place, written out word by word (the fields that straddle two
// words are the unit value, the remaining minutes and the issue time).
func defaultKey(priority, kind, unitValue, source, locations, minutes, ownership, expiry, issued, position uint64) orderKey {
	const (
		eUnitValue = dUnitValue%64 + 64 // > 64: ends in word 1
		eMinutes   = dMinutes%64 + 32   // > 64: ends in word 2
		eIssued    = dIssued%64 + 64    // > 64: ends in word 3
	)
	return orderKey{
		priority<<(64-dPriority%64-2) | kind<<(64-dKind%64-2) | unitValue>>(eUnitValue-64),
		unitValue<<(128-eUnitValue) | source<<(64-dSource%64-1) | locations<<(64-dLocations%64-32) | minutes>>(eMinutes-64),
		minutes<<(128-eMinutes) | ownership<<(64-dOwnership%64-1) | expiry<<(64-dExpiry%64-32) | issued>>(eIssued-64),
		issued<<(128-eIssued) | position<<(64-dPosition%64-16),
	}
}

// packDefaultKeys sets keys[pos] to the key of the default layout of
// cands[elig[pos]], as values and packDefault would, expiry (nil: none)
// holding each candidate's expiry. It returns false, having changed
// nothing but keys, when a candidate cannot be packed so (values) or the
// remaining-minutes field is not exact for them (minutesExact).
func packDefaultKeys(keys []orderKey, cands []Candidate, elig []uint16, expiry []int32) bool {
	var kinds keyKinds
	keys = keys[:len(elig)]
	for pos, x := range elig {
		c := &cands[x]
		p := c.Pass
		var exp int32
		if expiry != nil {
			exp = expiry[x]
		} else {
			exp = expiryNumber(p.Expiry())
		}
		unit, ok := scaled(p.UnitValue.Amount)
		kind, minutes, kok := kinds.fields(c.Kind, c.Balance)
		if !ok || !kok || c.Locations != int(int32(c.Locations)) {
			return false
		}
		keys[pos] = defaultKey(uint64(p.Priority.Rank()), kind, offset64(unit), uint64(sourceRank(p.Source)),
			offset32(int32(c.Locations)), offset32(minutes), uint64(boolRank(c.Shared)), offset32(exp),
			offset64(p.IssuedAt.UnixNano()), uint64(pos))
	}
	return defaultLayout.minutesExact(kinds)
}

// packPassKeys is packDefaultKeys of the candidates of passes[elig[pos]]
// that selectPacked writes: with their passes' kind and balance, network
// for a network-wide pass's locations, bit x of shared for whether
// passes[x] is the team's and expiry[x] for its expiry.
func packPassKeys(keys []orderKey, passes []*pass.Pass, elig []uint16, expiry []int32, shared uint64, network int) bool {
	var kinds keyKinds
	keys = keys[:len(elig)]
	for pos, x := range elig {
		p := passes[x]
		locations := locationsOf(p, network)
		unit, ok := scaled(p.UnitValue.Amount)
		kind, minutes, kok := kinds.fields(p.Kind, p.Balance)
		if !ok || !kok || locations != int(int32(locations)) {
			return false
		}
		keys[pos] = defaultKey(uint64(p.Priority.Rank()), kind, offset64(unit), uint64(sourceRank(p.Source)),
			offset32(int32(locations)), offset32(minutes), uint64(shared>>x&1), offset32(expiry[x]),
			offset64(p.IssuedAt.UnixNano()), uint64(pos))
	}
	return defaultLayout.minutesExact(kinds)
}

// fields returns the kind and remaining-minutes fields of a candidate of
// kind and balance, and notes its kind in ks; false when the balance of a
// time pass does not fit the field.
func (ks *keyKinds) fields(kind pass.Kind, balance int) (kindRank uint64, minutes int32, ok bool) {
	switch kind {
	case pass.Day:
	case pass.Visits:
		kindRank = 1
	case pass.Time:
		ks.time = true
		// More minutes first; ^ does not overflow.
		return 2, ^int32(balance), balance == int(int32(balance))
	default:
		kindRank = 2
		ks.other = true // ties with a time pass on ByKind
	}
	ks.notTime = true
	return kindRank, 0, true // non-time passes tie on ByRemainingMinutes
}

// offset64 and offset32 return a signed field value offset by half its
// range, so that it compares as unsigned as it does signed.
func offset64(v int64) uint64 { return uint64(v) ^ 1<<63 }
func offset32(v int32) uint64 { return uint64(uint32(v) ^ 1<<31) }

// keyKinds records the kinds of the candidates packed, for the
// remaining-minutes key's check.
type keyKinds struct {
	time, other, notTime bool
}

// minutesExact reports whether the remaining-minutes field, packed from
// candidates of kinds, compares as ByRemainingMinutes does: it ranks time
// passes among themselves and ties every other pair, so it is exact unless
// a time pass can meet a pass of another kind on it.
func (l *keyLayout) minutesExact(kinds keyKinds) bool {
	if l.need&(1<<keyRemainingMinutes) == 0 || !kinds.time || !kinds.notTime {
		return true
	}
	return l.minutesAfterKind && !kinds.other
}

// fieldAt returns the index of the field that holds bit b (the first
// field for the padding before it).
func (l *keyLayout) fieldAt(b uint) int {
	i := 0
	for i+1 < l.n && uint(l.fields[i+1].start) <= b {
		i++
	}
	return i
}

// decider returns the name of the policy key whose field holds bit b.
func (l *keyLayout) decider(policy Policy, b uint) string {
	var i int
	if l == &defaultLayout {
		i = int(defaultFieldAt[b])
	} else {
		i = l.fieldAt(b)
	}
	if k := l.fields[i].key; k >= 0 {
		return policy[k].Name
	}
	return "id"
}

// Up to smallSort keys are ordered by insertion, up to largeSort by binary
// insertion (few comparisons; the moves are of a few dozen bytes), and more
// by slices.SortFunc.
const (
	smallSort = 12
	largeSort = 256
)

// sortOrder sets ord, as long as keys, to the indexes of keys in
// ascending order of the keys, which are distinct.
func sortOrder(ord []uint16, keys []orderKey) {
	for i := range ord {
		ord[i] = uint16(i)
	}
	switch {
	case len(keys) > largeSort:
		slices.SortFunc(ord, func(a, b uint16) int { return compareKeys(&keys[a], &keys[b]) })
	case len(keys) > smallSort:
		for i := 1; i < len(ord); i++ {
			x := &keys[i] // ord[i] == i
			if !x.less(&keys[ord[i-1]]) {
				continue
			}
			lo, hi := 0, i-1 // i goes before ord[hi]
			for lo < hi {
				m := int(uint(lo+hi) >> 1)
				if keys[ord[m]].less(x) {
					lo = m + 1
				} else {
					hi = m
				}
			}
			copy(ord[lo+1:i+1], ord[lo:i])
			ord[lo] = uint16(i)
		}
	default:
		for i := 1; i < len(ord); i++ {
			x := &keys[i] // ord[i] == i
			j := i
			for ; j > 0 && x.less(&keys[ord[j-1]]); j-- {
				ord[j] = ord[j-1]
			}
			ord[j] = uint16(i)
		}
	}
}

// scratch is the working space of a selection over n candidates: each
// slice is n long.
type scratch struct {
	idx, tmp, ord []uint16
	keys          []orderKey
	// expiry is each candidate's pass's expiry (expiryNumber) when the
	// candidates were filled from passes, nil otherwise.
	expiry []int32
	// reasons is each pass's Reason for selectPacked; nil beyond
	// stackOrder candidates.
	reasons []Reason
}

// The scratch space of a selection, on the stack for 1, up to 8 and up to
// 64 candidates.
type (
	scratch1 struct {
		idx, tmp, ord [1]uint16
		keys          [1]orderKey
		expiry        [1]int32
		reasons       [1]Reason
	}
	scratch8 struct {
		idx, tmp, ord [8]uint16
		keys          [8]orderKey
		expiry        [8]int32
		reasons       [8]Reason
	}
	scratch64 struct {
		idx, tmp, ord [64]uint16
		keys          [64]orderKey
		expiry        [64]int32
		reasons       [64]Reason
	}
)

// stackOrder is how many candidates rank orders without allocating; at
// most 64, the bits of selectPacked's sets.
const stackOrder = 64

// rank orders cands (Select, Rank): eligible ones (empty Reason or
// Outranked) first by policy, then the rest by pass ID; it marks each
// eligible candidate but the first Outranked with the key that put the
// first before it, and returns the Selection over cands. When u is not
// nil, it first fills cands from passes checked against u (Select).
func rank(cands []Candidate, policy Policy, passes []*pass.Pass, u *Use) Selection {
	n := len(cands)
	switch {
	case n <= 1:
		var s scratch1
		return rankWith(cands, policy, passes, u, &scratch{s.idx[:n], s.tmp[:n], s.ord[:n], s.keys[:n], s.expiry[:n], s.reasons[:n]})
	case n <= 8:
		var s scratch8
		return rankWith(cands, policy, passes, u, &scratch{s.idx[:n], s.tmp[:n], s.ord[:n], s.keys[:n], s.expiry[:n], s.reasons[:n]})
	case n <= stackOrder:
		var s scratch64
		return rankWith(cands, policy, passes, u, &scratch{s.idx[:n], s.tmp[:n], s.ord[:n], s.keys[:n], s.expiry[:n], s.reasons[:n]})
	}
	return rankWith(cands, policy, passes, u, &scratch{make([]uint16, n), make([]uint16, n), make([]uint16, n), make([]orderKey, n), make([]int32, n), nil})
}

// rankWith is rank with scratch space s.
func rankWith(cands []Candidate, policy Policy, passes []*pass.Pass, u *Use, s *scratch) Selection {
	if u != nil {
		if sel, ok := selectPacked(cands, policy, passes, u, s); ok {
			return sel
		}
	} else {
		s.expiry = nil
	}
	idx := s.idx
	for i := range idx {
		idx[i] = uint16(i)
	}
	dupIDs := sortByID(idx, cands)
	ne := partitionEligible(idx, s.tmp, cands)
	sel := Selection{Candidates: cands, Eligible: ne}
	if ne >= 2 && !orderPacked(cands, policy, idx[:ne], s, dupIDs) {
		orderByCompare(cands, policy, idx[:ne])
	}
	if ne > 0 {
		c := &cands[idx[0]]
		c.Reason, c.DecidedBy = "", ""
	}
	for i := 1; i < ne; i++ {
		cands[idx[i]].Reason = Outranked
	}
	if ne >= 2 {
		sel.DecidedBy = cands[idx[1]].DecidedBy
	}
	permute(cands, idx)
	return sel
}

// selectPacked is rank with u (Select) by the default policy over at most
// stackOrder passes, which it checks, sorts by ID and orders by keys
// packed from the passes themselves, as rank does from candidates, and
// then writes each candidate once, in its place. When it cannot (another
// policy, more passes, two passes with one ID, values that do not pack)
// it returns false having filled cands and s.expiry as fill does, for
// rankWith to go on from there.
func selectPacked(cands []Candidate, policy Policy, passes []*pass.Pass, u *Use, s *scratch) (Selection, bool) {
	n := len(passes)
	if s.reasons == nil || n > stackOrder || !isDefaultOrder(policy) {
		fill(cands, passes, u, s.expiry)
		return Selection{}, false
	}
	cands, reasons, expiry := cands[:n], s.reasons[:n], s.expiry[:n]
	network := networkLocations(u)
	idx, tmp := s.idx[:n], s.tmp[:n]
	for i := range idx {
		idx[i] = uint16(i)
	}
	dupIDs := sortPassesByID(idx, passes)
	// Check each pass, in ID order, and put the eligible ones first.
	var shared uint64 // bit x: passes[x] is the team's
	ne, no := 0, 0
	for _, x := range idx {
		p := passes[x]
		exp := p.Expiry()
		expiry[x] = expiryNumber(exp)
		same := p.Holder == u.Holder.ID
		r := checkHolder(p, u, true, exp, same)
		reasons[x] = r
		if !same {
			shared |= 1 << x
		}
		if r == "" {
			idx[ne] = x // ne is at most this x's place in idx
			ne++
		} else {
			tmp[no] = x
			no++
		}
	}
	if no > 0 {
		copy(idx[ne:], tmp[:no])
	}
	fallBack := func() (Selection, bool) {
		for i, p := range passes {
			setCandidate(&cands[i], p, network, shared>>i&1 != 0, reasons[i], "")
		}
		return Selection{}, false
	}
	if dupIDs {
		return fallBack()
	}
	elig, keys, ord := idx[:ne], s.keys[:ne], s.ord[:ne]
	switch {
	case ne >= 2:
		if !packPassKeys(keys, passes, elig, expiry, shared, network) {
			return fallBack()
		}
		sortOrder(ord, keys)
	case ne == 1:
		ord[0] = 0
	}
	sel := Selection{Candidates: cands, Eligible: ne}
	// The bit where an outranked candidate's key first differs from the
	// chosen one's names the key that decided, often the one before's (a
	// team pool's passes tie on every key but expiry, issue and ID).
	lastBit, decider := ^uint(0), ""
	for i, o := range ord {
		x := elig[o]
		r, d := Reason(""), ""
		if i > 0 {
			if b := firstDifference(&keys[ord[0]], &keys[o]); b != lastBit {
				lastBit, decider = b, defaultLayout.decider(policy, b)
			}
			r, d = Outranked, decider
		}
		setCandidate(&cands[i], passes[x], network, shared>>x&1 != 0, r, d)
	}
	for i := ne; i < n; i++ {
		x := idx[i]
		setCandidate(&cands[i], passes[x], network, shared>>x&1 != 0, reasons[x], "")
	}
	if ne >= 2 {
		sel.DecidedBy = cands[1].DecidedBy
	}
	return sel, true
}

// sortPassesByID is sortByID of passes: it sorts idx, indexes of passes,
// by ID and reports whether two passes may share an ID.
func sortPassesByID(idx []uint16, passes []*pass.Pass) bool {
	// Stores list passes by ID: idx, the identity, is then in order.
	i := 1
	for i < len(passes) && passes[i-1].ID < passes[i].ID {
		i++
	}
	if i >= len(passes) {
		return false
	}
	return sortIndexesByID(idx, i, func(x uint16) string { return passes[x].ID })
}

// sortByID sorts idx, indexes of cands, by pass ID: a stable binary
// insertion sort, one comparison an index when idx is in order already.
// It reports whether two candidates may share an ID (false: they do not).
func sortByID(idx []uint16, cands []Candidate) bool {
	return sortIndexesByID(idx, 1, func(x uint16) string { return cands[x].PassID })
}

// sortIndexesByID sorts idx, whose first from indexes are in strictly
// ascending order of id already, by id: a stable binary insertion sort.
// It reports whether two indexes may share an ID (false: they do not).
func sortIndexesByID(idx []uint16, from int, id func(uint16) string) bool {
	if from < 1 {
		from = 1
	}
	strict := true
	for i := from; i < len(idx); i++ {
		x := idx[i]
		xid := id(x)
		prev := id(idx[i-1])
		if prev < xid {
			continue
		}
		strict = false
		if prev == xid {
			continue
		}
		lo, hi := 0, i-1
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			if id(idx[m]) <= xid {
				lo = m + 1
			} else {
				hi = m
			}
		}
		copy(idx[lo+1:i+1], idx[lo:i])
		idx[lo] = x
	}
	if strict {
		return false
	}
	for i := 1; i < len(idx); i++ {
		if id(idx[i-1]) == id(idx[i]) {
			return true
		}
	}
	return false
}

// partitionEligible moves the indexes of eligible candidates before the
// others, keeping the order within each group, using tmp (as long as idx),
// and returns how many are eligible.
func partitionEligible(idx, tmp []uint16, cands []Candidate) int {
	ne, no := 0, 0
	for _, x := range idx {
		if eligible(&cands[x]) {
			idx[ne] = x
			ne++
		} else {
			tmp[no] = x
			no++
		}
	}
	copy(idx[ne:], tmp[:no])
	return ne
}

// orderPacked sorts elig, the indexes of the eligible candidates in ID
// order, by policy over packed keys and sets each one's DecidedBy but the
// first's. It returns false, having changed nothing but keys and tmp, when
// the policy or the candidates cannot be packed.
func orderPacked(cands []Candidate, policy Policy, elig []uint16, s *scratch, dupIDs bool) bool {
	tmp, keys := s.tmp[:len(elig)], s.keys[:len(elig)]
	l := &defaultLayout
	if !dupIDs && isDefaultOrder(policy) {
		if !packDefaultKeys(keys, cands, elig, s.expiry) {
			return false
		}
	} else {
		l = new(keyLayout)
		if !planLayout(l, policy, dupIDs) {
			return false
		}
		var kinds keyKinds
		var v fieldValues
		for pos, x := range elig {
			c := &cands[x]
			if !values(&v, c, l.need, s.expiry, &kinds) {
				return false
			}
			if s.expiry != nil {
				v[keyExpiry] = uint64(uint32(s.expiry[x]) ^ 1<<31)
			}
			v[fieldPosition] = uint64(pos)
			if dupIDs && pos > 0 && cands[elig[pos-1]].PassID != c.PassID {
				v[fieldIDRank]++
			}
			l.pack(&keys[pos], &v)
		}
		if !l.minutesExact(kinds) {
			return false
		}
	}
	ord := s.ord[:len(elig)]
	sortOrder(ord, keys)
	first := &keys[ord[0]]
	for i := 1; i < len(ord); i++ {
		cands[elig[ord[i]]].DecidedBy = l.decider(policy, firstDifference(first, &keys[ord[i]]))
	}
	for i, o := range ord {
		tmp[i] = elig[o]
	}
	copy(elig, tmp)
	return true
}

// orderByCompare sorts elig, the indexes of the eligible candidates in ID
// order, by policy.Compare (a stable binary insertion sort, each index
// after the last one that does not compare after it) and sets each one's
// DecidedBy but the first's.
func orderByCompare(cands []Candidate, policy Policy, elig []uint16) {
	var stack [stackOrder]sortData
	var data []sortData
	if len(cands) <= stackOrder {
		data = stack[:len(cands)]
	} else {
		data = make([]sortData, len(cands))
	}
	for _, x := range elig {
		data[x] = sortDataOf(&cands[x])
	}
	compare := func(a, b uint16) (int, string) {
		return policy.compareData(&cands[a], &cands[b], &data[a], &data[b])
	}
	for i := 1; i < len(elig); i++ {
		x := elig[i]
		if r, _ := compare(elig[i-1], x); r <= 0 {
			continue
		}
		lo, hi := 0, i-1
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			if r, _ := compare(elig[m], x); r <= 0 {
				lo = m + 1
			} else {
				hi = m
			}
		}
		copy(elig[lo+1:i+1], elig[lo:i])
		elig[lo] = x
	}
	for i := 1; i < len(elig); i++ {
		_, cands[elig[i]].DecidedBy = compare(elig[0], elig[i])
	}
}

// permute moves cands so that cands[i] becomes the candidate that was at
// idx[i], following the permutation's cycles (each candidate moves once).
func permute(cands []Candidate, idx []uint16) {
	for i := range idx {
		if int(idx[i]) == i {
			continue
		}
		tmp := cands[i]
		j := i
		for {
			k := int(idx[j])
			idx[j] = uint16(j)
			if k == i {
				cands[j] = tmp
				break
			}
			cands[j] = cands[k]
			j = k
		}
	}
}
