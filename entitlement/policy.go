package entitlement

import (
	"cmp"
	"encoding/json"
	"github.com/passengine/passengine/internal/wire"
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
//
// The package's own keys (ByPriority ... ByID) are compared in a selection
// from numbers derived once per candidate, without calling their Compare:
// to order by a criterion of your own, write a new Key rather than
// replacing the Compare of a copy of one of them.
type Key struct {
	// Name names the key in reports (Candidate.DecidedBy): "kind",
	// "unit_value", ... for the default keys.
	Name string `json:"name"`
	// Compare orders two eligible candidates by this key alone; a func
	// has no JSON form, a key is written as its name.
	Compare func(a, b *Candidate) int `json:"-"`

	builtin builtinKey // which of the package's own keys this is, if any
}

// builtinKey names the package's own keys.
type builtinKey uint8

const (
	notBuiltin builtinKey = iota
	keyPriority
	keyKind
	keyUnitValue
	keySource
	keyLocations
	keyRemainingMinutes
	keyOwnership
	keyExpiry
	keyIssued
	keyID
)

// Policy is the consumption order: keys applied first to last. It is data:
// a host may reorder, drop or add keys (O8). Selection always breaks a
// remaining tie by pass ID, so every policy gives a total order.
type Policy []Key

// The keys of the default policy (O0-O7). They compare what a candidate's
// pass says, reduced once per candidate to numbers, so that a selection's
// comparisons allocate nothing and cost a few nanoseconds.
var (
	// ByPriority: high-priority products first, then normal, then low (O0).
	ByPriority = builtin("priority", keyPriority)
	// ByKind: day passes, then visits, then time (O1).
	ByKind = builtin("kind", keyKind)
	// ByUnitValue: lower unit value first, whatever the source (O2).
	ByUnitValue = builtin("unit_value", keyUnitValue)
	// BySource: plan and product passes before manual and import ones (O3).
	BySource = builtin("source", keySource)
	// ByLocations: fewer covered locations first; network-wide counts as
	// all of them (O4).
	ByLocations = builtin("locations", keyLocations)
	// ByRemainingMinutes: among time passes, more remaining minutes first (O5).
	ByRemainingMinutes = builtin("remaining_minutes", keyRemainingMinutes)
	// ByOwnership: the holder's own passes before team-shared ones (O6).
	ByOwnership = builtin("ownership", keyOwnership)
	// ByExpiry: earlier expiry first, no expiry last (O7).
	ByExpiry = builtin("expiry", keyExpiry)
	// ByIssue: earlier issue first (O7).
	ByIssue = builtin("issued", keyIssued)
	// ByID: pass ID, the last tie-break (O7).
	ByID = builtin("id", keyID)
)

// builtin returns the package's own key k, named name.
func builtin(name string, k builtinKey) Key {
	p := Policy{{Name: name, builtin: k}}
	return Key{Name: name, Compare: func(a, b *Candidate) int { c, _ := p.Compare(a, b); return c }, builtin: k}
}

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
	da, db := a.data(), b.data()
	for i := range p {
		k := &p[i]
		var c int
		switch k.builtin {
		case notBuiltin:
			c = k.Compare(a, b)
		case keyPriority:
			c = cmp.Compare(da.priority, db.priority)
		case keyKind:
			c = cmp.Compare(da.kind, db.kind)
		case keyUnitValue:
			if da.unitExact && db.unitExact {
				c = cmp.Compare(da.unitValue, db.unitValue)
			} else {
				c = a.Pass.UnitValue.Amount.Cmp(b.Pass.UnitValue.Amount)
			}
		case keySource:
			c = cmp.Compare(da.source, db.source)
		case keyLocations:
			c = cmp.Compare(a.Locations, b.Locations)
		case keyRemainingMinutes:
			if a.Kind == pass.Time && b.Kind == pass.Time {
				c = cmp.Compare(b.Balance, a.Balance)
			}
		case keyOwnership:
			c = cmp.Compare(boolRank(a.Shared), boolRank(b.Shared))
		case keyExpiry:
			c = cmp.Compare(da.expiry, db.expiry)
		case keyIssued:
			c = cmp.Compare(da.issued, db.issued)
		case keyID:
			c = cmp.Compare(a.PassID, b.PassID)
		}
		if c != 0 {
			return c, k.Name
		}
	}
	return cmp.Compare(a.PassID, b.PassID), "id"
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

// stackOrder is how many candidates sortCandidates orders without
// allocating.
const stackOrder = 64

// sortCandidates orders cands in place: eligible ones (empty Reason or
// Outranked) first, by policy, then the rest by pass ID. It orders
// indexes, not the candidates themselves: first by pass ID (one
// comparison a candidate when the store listed them so, as stores do),
// then a stable partition puts the eligible ones first, and a stable
// binary insertion sort (few comparisons; the moves are of small integers)
// orders those by policy; each candidate then moves to its place once.
// Starting from ID order makes the result depend only on the set of
// candidates even when a policy's keys are not a consistent order (a
// policy that keeps ByRemainingMinutes but drops ByKind: a time pass of 100
// minutes before one of 50, each tied with a visits pass), so the
// selection is the same on every store whatever order it lists passes in
// (O7, O8).
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
	sortByID(idx, cands)
	ne := partitionEligible(idx, cands)
	sortByPolicy(idx[:ne], cands, policy)
	permute(cands, idx)
}

// sortByID sorts idx, indexes of cands, by pass ID: a binary insertion
// sort, one comparison an index when idx is in order already.
func sortByID(idx []uint16, cands []Candidate) {
	for i := 1; i < len(idx); i++ {
		x := idx[i]
		id := cands[x].PassID
		if cands[idx[i-1]].PassID <= id {
			continue
		}
		lo, hi := 0, i-1
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			if cands[idx[m]].PassID <= id {
				lo = m + 1
			} else {
				hi = m
			}
		}
		copy(idx[lo+1:i+1], idx[lo:i])
		idx[lo] = x
	}
}

// partitionEligible moves the indexes of eligible candidates before the
// others, keeping the order within each group, and returns how many are
// eligible.
func partitionEligible(idx []uint16, cands []Candidate) int {
	var rest [stackOrder]uint16
	out := rest[:0]
	ne := 0
	for _, x := range idx {
		if eligible(&cands[x]) {
			idx[ne] = x
			ne++
		} else {
			out = append(out, x)
		}
	}
	copy(idx[ne:], out)
	return ne
}

// sortByPolicy sorts idx, indexes of cands, by policy.Compare: a stable
// binary insertion sort, each index after the last one that does not
// compare after it.
func sortByPolicy(idx []uint16, cands []Candidate, policy Policy) {
	for i := 1; i < len(idx); i++ {
		x := idx[i]
		c := &cands[x]
		if r, _ := policy.Compare(&cands[idx[i-1]], c); r <= 0 {
			continue
		}
		lo, hi := 0, i-1
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			if r, _ := policy.Compare(&cands[idx[m]], c); r <= 0 {
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

// MarshalJSON returns s's JSON form (JSON.md): its fields by their json
// tags, with Candidates as [] when empty, never null. A candidate is
// named by its pass's ID, never by the pass itself, so a decision
// serializes the same from Explain, CheckIn and a replay. Its error is
// always nil.
func (s Selection) MarshalJSON() ([]byte, error) {
	type plain Selection
	p := plain(s)
	p.Candidates = wire.List(p.Candidates)
	return json.Marshal(p)
}
