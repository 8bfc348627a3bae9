package entitlement

import (
	"cmp"
	"encoding/json"
	"math"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/internal/wire"
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
}

// sortData is a candidate's Pass reduced to what the default keys compare,
// for the comparisons of a policy with keys of its own (compareData).
type sortData struct {
	priority, kind int8
	source         int8
	// unitValue is the unit value in 10^-8 of the currency when exact
	// (unitExact), the common case; otherwise keys compare the decimals.
	unitExact bool
	unitValue int64
	// expiry is the last usable date as expiryNumber gives it.
	expiry int32
	issued int64 // IssuedAt in Unix nanoseconds
}

// sortDataOf returns c's sort data, derived from c.Pass.
func sortDataOf(c *Candidate) sortData {
	p := c.Pass
	d := sortData{
		priority: int8(p.Priority.Rank()), kind: int8(kindRank(c.Kind)), source: int8(sourceRank(p.Source)),
		expiry: expiryNumber(p.Expiry()), issued: p.IssuedAt.UnixNano(),
	}
	d.unitValue, d.unitExact = scaled(p.UnitValue.Amount)
	return d
}

// expiryNumber returns an expiry date as yyyymmdd, or MaxInt32 for none
// (the zero Date), so that numbers order as the dates do, none last.
func expiryNumber(d calendar.Date) int32 {
	if d.IsZero() {
		return math.MaxInt32
	}
	return int32(d.Year*10000 + int(d.Month)*100 + d.Day)
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
	if uint(shift) >= uint(len(pow10)) {
		return 0, false
	}
	n, m := d.NumDigits(), pow10[shift]
	// |v| < 10^n, so v x 10^shift fits when n+shift <= 18: the common case.
	if n+shift <= 18 {
		return d.CoefficientInt64() * m, true
	}
	if n > 18 {
		return 0, false
	}
	v := d.CoefficientInt64()
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
	da, db := sortDataOf(a), sortDataOf(b)
	return p.compareData(a, b, &da, &db)
}

// compareData is Compare of a and b whose sort data are da and db.
func (p Policy) compareData(a, b *Candidate, da, db *sortData) (int, string) {
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
	if cap(cands) < len(passes) {
		cands = make([]Candidate, 0, len(passes))
	}
	return rank(cands[:len(passes)], policy, passes, u)
}

// fill sets cands[i] to passes[i] checked against u, and expiry[i] to its
// expiry (expiryNumber).
func fill(cands []Candidate, passes []*pass.Pass, u *Use, expiry []int32) {
	cands, expiry = cands[:len(passes)], expiry[:len(passes)]
	network := networkLocations(u)
	for i, p := range passes {
		exp := p.Expiry()
		expiry[i] = expiryNumber(exp)
		same := p.Holder == u.Holder.ID
		setCandidate(&cands[i], p, network, !same, checkHolder(p, u, true, exp, same), "")
	}
}

// networkLocations returns how many locations a network-wide pass covers
// for u: all of the network's (O4), or MaxInt32 when u does not say.
func networkLocations(u *Use) int {
	if u.NetworkLocations == 0 {
		return math.MaxInt32
	}
	return u.NetworkLocations
}

// locationsOf returns how many locations p covers, network being what a
// network-wide pass counts as (networkLocations).
func locationsOf(p *pass.Pass, network int) int {
	if len(p.Locations) == 0 {
		return network
	}
	return len(p.Locations)
}

// setCandidate sets c to the candidate of pass p, the team's when shared,
// with reason r and deciding key d, network being what a network-wide
// pass counts as.
func setCandidate(c *Candidate, p *pass.Pass, network int, shared bool, r Reason, d string) {
	c.Pass, c.PassID, c.Kind, c.Balance, c.Shared = p, p.ID, p.Kind, p.Balance, shared
	c.Locations, c.Reason, c.DecidedBy = locationsOf(p, network), r, d
}

// Rank orders candidates whose Reason is already set: eligible ones (empty
// Reason or Outranked) first in policy order, the rest by pass ID. It marks
// eligible candidates after the first Outranked with the key that decided
// against them, and returns the Selection over the same slice.
func Rank(cands []Candidate, policy Policy) Selection { return rank(cands, policy, nil, nil) }

func eligible(c *Candidate) bool { return c.Reason == "" || c.Reason == Outranked }

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
