package entitlement

import (
	"cmp"
	"math"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/pass"
	"github.com/shopspring/decimal"
)

// Candidate is one pass considered for a use. Pass is the pass itself (not
// serialized); the other fields are a snapshot for reports. Reason is empty
// for the chosen pass, Outranked for eligible passes that were not chosen,
// and the exclusion otherwise. DecidedBy names, for an outranked pass, the
// policy key that put the chosen pass before it.
type Candidate struct {
	// Pass is the pass considered; nil in a candidate read back from a
	// stored result (an idempotent replay), which keeps the snapshot only.
	Pass *pass.Pass `json:"-"`
	// PassID is the pass's ID.
	PassID string `json:"pass"`
	// Kind is the pass's kind (O1).
	Kind pass.Kind `json:"kind"`
	// Balance is the pass's balance before the use, in its unit.
	Balance int `json:"balance"`
	// Shared is whether the pass is the holder's team's rather than its
	// own (O6).
	Shared bool `json:"shared,omitempty"`
	// Locations is how many locations the pass covers, a network-wide
	// pass counting as all of the network's (O4).
	Locations int `json:"locations"`
	// Reason is why the pass was not used: "" for the chosen pass,
	// Outranked for an eligible pass the order put after it, and the
	// exclusion otherwise (G7).
	Reason Reason `json:"reason,omitempty"`
	// DecidedBy is, for an outranked pass, the name of the policy key
	// that put the chosen pass before it; "" otherwise.
	DecidedBy string `json:"decided_by,omitempty"`

	// sort is what the package's own keys compare, derived from Pass once
	// (Select and Rank refresh it; a key's first comparison of a candidate
	// built elsewhere fills it), so that a comparison reads numbers.
	sort sortData
}

// sortData is a candidate's Pass reduced to what the default keys compare.
type sortData struct {
	ready          bool
	priority, kind int8
	source         int8
	// unitValue is the unit value in 10^-8 of the currency when exact
	// (unitExact), the common case; otherwise keys compare the decimals.
	unitExact bool
	unitValue int64
	// expiry is the last usable date as yyyymmdd, or MaxInt32 for none.
	expiry int32
	issued int64 // IssuedAt in Unix nanoseconds
}

// prepare fills c's sort data from c.Pass.
func (c *Candidate) prepare() { c.prepareWith(c.Pass.Expiry()) }

// prepareWith is prepare for a caller that has c.Pass.Expiry() at hand.
func (c *Candidate) prepareWith(expiry calendar.Date) {
	p := c.Pass
	d := &c.sort
	d.ready, d.priority, d.kind, d.source = true, int8(p.Priority.Rank()), int8(kindRank(c.Kind)), int8(sourceRank(p.Source))
	d.expiry, d.issued = math.MaxInt32, p.IssuedAt.UnixNano()
	if !expiry.IsZero() {
		d.expiry = int32(expiry.Year*10000 + int(expiry.Month)*100 + expiry.Day)
	}
	d.unitValue, d.unitExact = scaled(p.UnitValue.Amount)
}

// data returns c's sort data, filling it the first time.
func (c *Candidate) data() *sortData {
	if !c.sort.ready {
		c.prepare()
	}
	return &c.sort
}

// unitScale is the number of decimals sortData.unitValue keeps.
const unitScale = 8

// pow10 holds 10^0 to 10^18.
var pow10 = func() (t [19]int64) {
	t[0] = 1
	for i := 1; i < len(t); i++ {
		t[i] = t[i-1] * 10
	}
	return t
}()

// scaled returns d x 10^8 as an int64 and true when that is exact and
// fits, without allocating; false otherwise.
func scaled(d decimal.Decimal) (int64, bool) {
	shift := int(d.Exponent()) + unitScale
	if shift < 0 || shift >= len(pow10) || d.NumDigits() > 18 {
		return 0, false
	}
	v, m := d.CoefficientInt64(), pow10[shift]
	if v > math.MaxInt64/m || v < math.MinInt64/m {
		return 0, false
	}
	return v * m, true
}

// Key is one named criterion of the consumption order. Compare returns a
// negative number when a should be consumed before b, positive when after,
// and 0 when this key does not tell them apart.
type Key struct {
	// Name names the key in reports (Candidate.DecidedBy): "kind",
	// "unit_value", ... for the default keys.
	Name string
	// Compare orders two eligible candidates by this key alone.
	Compare func(a, b *Candidate) int
}

// Policy is the consumption order: keys applied first to last. It is data:
// a host may reorder, drop or add keys (O8). Selection always breaks a
// remaining tie by pass ID, so every policy gives a total order.
type Policy []Key

// The keys of the default policy (O0-O7). They compare what a candidate's
// pass says, reduced once per candidate to numbers, so that a selection's
// comparisons allocate nothing and cost a few nanoseconds.
var (
	// ByPriority: high-priority products first, then normal, then low (O0).
	ByPriority = Key{"priority", func(a, b *Candidate) int { return cmp.Compare(a.data().priority, b.data().priority) }}
	// ByKind: day passes, then visits, then time (O1).
	ByKind = Key{"kind", func(a, b *Candidate) int { return cmp.Compare(a.data().kind, b.data().kind) }}
	// ByUnitValue: lower unit value first, whatever the source (O2).
	ByUnitValue = Key{"unit_value", func(a, b *Candidate) int {
		da, db := a.data(), b.data()
		if da.unitExact && db.unitExact {
			return cmp.Compare(da.unitValue, db.unitValue)
		}
		return a.Pass.UnitValue.Amount.Cmp(b.Pass.UnitValue.Amount)
	}}
	// BySource: plan and product passes before manual and import ones (O3).
	BySource = Key{"source", func(a, b *Candidate) int { return cmp.Compare(a.data().source, b.data().source) }}
	// ByLocations: fewer covered locations first; network-wide counts as
	// all of them (O4).
	ByLocations = Key{"locations", func(a, b *Candidate) int { return cmp.Compare(a.Locations, b.Locations) }}
	// ByRemainingMinutes: among time passes, more remaining minutes first (O5).
	ByRemainingMinutes = Key{"remaining_minutes", func(a, b *Candidate) int {
		if a.Kind != pass.Time || b.Kind != pass.Time {
			return 0
		}
		return cmp.Compare(b.Balance, a.Balance)
	}}
	// ByOwnership: the holder's own passes before team-shared ones (O6).
	ByOwnership = Key{"ownership", func(a, b *Candidate) int { return cmp.Compare(boolRank(a.Shared), boolRank(b.Shared)) }}
	// ByExpiry: earlier expiry first, no expiry last (O7).
	ByExpiry = Key{"expiry", func(a, b *Candidate) int { return cmp.Compare(a.data().expiry, b.data().expiry) }}
	// ByIssue: earlier issue first (O7).
	ByIssue = Key{"issued", func(a, b *Candidate) int { return cmp.Compare(a.data().issued, b.data().issued) }}
	// ByID: pass ID, the last tie-break (O7).
	ByID = Key{"id", func(a, b *Candidate) int { return cmp.Compare(a.PassID, b.PassID) }}
)

// DefaultPolicy returns the documented consumption order O0-O7.
func DefaultPolicy() Policy {
	return Policy{ByPriority, ByKind, ByUnitValue, BySource, ByLocations, ByRemainingMinutes, ByOwnership, ByExpiry, ByIssue, ByID}
}

func kindRank(k pass.Kind) int {
	switch k {
	case pass.Day:
		return 0
	case pass.Visits:
		return 1
	}
	return 2
}

func sourceRank(s pass.Source) int {
	if s == pass.FromPlan || s == pass.FromProduct {
		return 0
	}
	return 1
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Compare orders a before b by the policy's keys, first to last, and then
// by pass ID, as Select does. It returns a negative number when a comes
// first, positive when b does, 0 only when no key tells them apart and
// their IDs are equal, and the name of the key that decided ("id" for the
// final tie-break).
func (p Policy) Compare(a, b *Candidate) (int, string) {
	for i := range p {
		if c := p[i].Compare(a, b); c != 0 {
			return c, p[i].Name
		}
	}
	return cmp.Compare(a.PassID, b.PassID), ByID.Name
}

// Names returns the policy's key names in order.
func (p Policy) Names() []string {
	names := make([]string, len(p))
	for i, k := range p {
		names[i] = k.Name
	}
	return names
}

// Selection is the result of ranking passes for a use. Candidates holds the
// eligible passes in consumption order, then the ineligible ones by pass ID.
// Eligible counts the former. DecidedBy names the key that put the first
// candidate before the second ("" with fewer than two eligible).
type Selection struct {
	// Candidates are the eligible passes in consumption order, the one
	// chosen first, then the ineligible ones by pass ID.
	Candidates []Candidate `json:"candidates"`
	// Eligible is how many of Candidates are eligible: the first
	// Eligible of them.
	Eligible int `json:"eligible"`
	// DecidedBy is the name of the key that put the first candidate
	// before the second; "" with fewer than two eligible.
	DecidedBy string `json:"decided_by,omitempty"`
}

// Chosen returns the first eligible candidate, or nil if there is none.
func (s *Selection) Chosen() *Candidate {
	if s.Eligible == 0 {
		return nil
	}
	return &s.Candidates[0]
}

// Select checks every pass against u, ranks the eligible ones by policy and
// returns the selection. buf is reused for the candidates when its capacity
// suffices, so a caller that keeps one buffer allocates nothing (up to 64
// passes). The result does not depend on the order of passes.
func Select(passes []*pass.Pass, u *Use, policy Policy, buf []Candidate) Selection {
	cands := buf[:0]
	for _, p := range passes {
		cands = append(cands, Candidate{})
		c := &cands[len(cands)-1]
		c.Pass, c.PassID, c.Kind, c.Balance, c.Shared = p, p.ID, p.Kind, p.Balance, p.Holder != u.Holder.ID
		c.Locations = len(p.Locations)
		if c.Locations == 0 { // network-wide counts as every location (O4)
			c.Locations = u.NetworkLocations
			if c.Locations == 0 {
				c.Locations = math.MaxInt32
			}
		}
		exp := p.Expiry()
		c.prepareWith(exp)
		c.Reason = check(p, u, true, exp)
	}
	return rank(cands, policy)
}

// Rank orders candidates whose Reason is already set: eligible ones (empty
// Reason or Outranked) first in policy order, the rest by pass ID. It marks
// eligible candidates after the first Outranked with the key that decided
// against them, and returns the Selection over the same slice.
func Rank(cands []Candidate, policy Policy) Selection {
	for i := range cands {
		cands[i].prepare()
	}
	return rank(cands, policy)
}

func rank(cands []Candidate, policy Policy) Selection {
	sortCandidates(cands, policy)
	s := Selection{Candidates: cands}
	for s.Eligible < len(cands) && eligible(&cands[s.Eligible]) {
		s.Eligible++
	}
	if s.Eligible > 0 {
		cands[0].Reason, cands[0].DecidedBy = "", ""
	}
	for i := 1; i < s.Eligible; i++ {
		_, key := policy.Compare(&cands[0], &cands[i])
		cands[i].Reason, cands[i].DecidedBy = Outranked, key
		if i == 1 {
			s.DecidedBy = key
		}
	}
	// The sort data served the ranking; a selection carries only its
	// report, so that equal decisions are equal values.
	for i := range cands {
		cands[i].sort = sortData{}
	}
	return s
}

func eligible(c *Candidate) bool { return c.Reason == "" || c.Reason == Outranked }

// rankCompare orders eligible candidates before the rest, the eligible ones
// by policy and the rest by pass ID.
func rankCompare(policy Policy, a, b *Candidate) int {
	ea, eb := eligible(a), eligible(b)
	if ea != eb {
		if ea {
			return -1
		}
		return 1
	}
	if !ea {
		return cmp.Compare(a.PassID, b.PassID)
	}
	c, _ := policy.Compare(a, b)
	return c
}

// stackOrder is how many candidates sortCandidates orders without
// allocating.
const stackOrder = 64

// sortCandidates sorts cands in place by rankCompare. It orders indexes,
// not the candidates themselves, with a stable binary insertion sort (few
// comparisons, and the moves are of small integers), then puts each
// candidate in its place once. The candidates are first put in pass ID
// order (a check when the store listed them so, as stores do), so that the
// result depends only on the set of candidates even when a policy's keys
// are not a consistent order (a policy that keeps ByRemainingMinutes but
// drops ByKind: a time pass of 100 minutes before one of 50, each tied with
// a visits pass), and the selection is the same on every store whatever
// order it lists passes in (O7, O8).
func sortCandidates(cands []Candidate, policy Policy) {
	n := len(cands)
	if n < 2 {
		return
	}
	var stack [stackOrder]uint16
	var idx []uint16
	if n <= stackOrder {
		idx = stack[:n]
	} else {
		idx = make([]uint16, n)
	}
	for i := range idx {
		idx[i] = uint16(i)
	}
	insertionSort(idx, cands, nil)
	insertionSort(idx, cands, policy)
	permute(cands, idx)
}

// compareBy compares a and b by pass ID when policy is nil, and by
// rankCompare otherwise.
func compareBy(policy Policy, a, b *Candidate) int {
	if policy == nil {
		return cmp.Compare(a.PassID, b.PassID)
	}
	return rankCompare(policy, a, b)
}

// insertionSort sorts idx, indexes of cands, by compareBy(policy) of the
// candidates, stably: each index goes after the last one that does not
// compare after it, found by binary search. An idx already in order costs
// one comparison an index.
func insertionSort(idx []uint16, cands []Candidate, policy Policy) {
	for i := 1; i < len(idx); i++ {
		x := idx[i]
		c := &cands[x]
		if compareBy(policy, &cands[idx[i-1]], c) <= 0 {
			continue
		}
		lo, hi := 0, i-1
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			if compareBy(policy, &cands[idx[m]], c) <= 0 {
				lo = m + 1
			} else {
				hi = m
			}
		}
		copy(idx[lo+1:i+1], idx[lo:i])
		idx[lo] = x
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
