package entitlement

import (
	"cmp"
	"math"

	"github.com/passengine/passengine/pass"
)

// Candidate is one pass considered for a use. Pass is the pass itself (not
// serialized); the other fields are a snapshot for reports. Reason is empty
// for the chosen pass, Outranked for eligible passes that were not chosen,
// and the exclusion otherwise. DecidedBy names, for an outranked pass, the
// policy key that put the chosen pass before it.
type Candidate struct {
	Pass      *pass.Pass `json:"-"`
	PassID    string     `json:"pass"`
	Kind      pass.Kind  `json:"kind"`
	Balance   int        `json:"balance"`
	Shared    bool       `json:"shared,omitempty"`
	Locations int        `json:"locations"`
	Reason    Reason     `json:"reason,omitempty"`
	DecidedBy string     `json:"decided_by,omitempty"`
}

// Key is one named criterion of the consumption order. Compare returns a
// negative number when a should be consumed before b, positive when after,
// and 0 when this key does not tell them apart.
type Key struct {
	Name    string
	Compare func(a, b *Candidate) int
}

// Policy is the consumption order: keys applied first to last. It is data:
// a host may reorder, drop or add keys (O8). Selection always breaks a
// remaining tie by pass ID, so every policy gives a total order.
type Policy []Key

// The keys of the default policy (O0-O7).
var (
	// ByPriority: high-priority products first, then normal, then low (O0).
	ByPriority = Key{"priority", func(a, b *Candidate) int {
		return cmp.Compare(a.Pass.Priority.Rank(), b.Pass.Priority.Rank())
	}}
	// ByKind: day passes, then visits, then time (O1).
	ByKind = Key{"kind", func(a, b *Candidate) int { return cmp.Compare(kindRank(a.Kind), kindRank(b.Kind)) }}
	// ByUnitValue: lower unit value first, whatever the source (O2).
	ByUnitValue = Key{"unit_value", func(a, b *Candidate) int { return a.Pass.UnitValue.Amount.Cmp(b.Pass.UnitValue.Amount) }}
	// BySource: plan and product passes before manual and import ones (O3).
	BySource = Key{"source", func(a, b *Candidate) int {
		return cmp.Compare(sourceRank(a.Pass.Source), sourceRank(b.Pass.Source))
	}}
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
	ByExpiry = Key{"expiry", func(a, b *Candidate) int {
		ea, eb := a.Pass.Expiry(), b.Pass.Expiry()
		switch {
		case ea.IsZero() && eb.IsZero():
			return 0
		case ea.IsZero():
			return 1
		case eb.IsZero():
			return -1
		}
		return ea.Compare(eb)
	}}
	// ByIssue: earlier issue first (O7).
	ByIssue = Key{"issued", func(a, b *Candidate) int { return a.Pass.IssuedAt.Compare(b.Pass.IssuedAt) }}
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
	Candidates []Candidate `json:"candidates"`
	Eligible   int         `json:"eligible"`
	DecidedBy  string      `json:"decided_by,omitempty"`
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
// suffices, so a caller that keeps one buffer allocates nothing. The result
// does not depend on the order of passes.
func Select(passes []*pass.Pass, u *Use, policy Policy, buf []Candidate) Selection {
	cands := buf[:0]
	for _, p := range passes {
		c := Candidate{Pass: p, PassID: p.ID, Kind: p.Kind, Balance: p.Balance,
			Shared: p.Holder != u.Holder.ID, Locations: len(p.Locations)}
		if c.Locations == 0 { // network-wide counts as every location (O4)
			c.Locations = u.NetworkLocations
			if c.Locations == 0 {
				c.Locations = math.MaxInt32
			}
		}
		c.Reason = Check(p, u)
		cands = append(cands, c)
	}
	return Rank(cands, policy)
}

// Rank orders candidates whose Reason is already set: eligible ones (empty
// Reason) first in policy order, the rest by pass ID. It marks eligible
// candidates after the first Outranked with the key that decided against
// them, and returns the Selection over the same slice.
func Rank(cands []Candidate, policy Policy) Selection {
	sortCandidates(cands, policy)
	s := Selection{Candidates: cands}
	for s.Eligible < len(cands) && (cands[s.Eligible].Reason == "" || cands[s.Eligible].Reason == Outranked) {
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
	return s
}

// rankCompare orders eligible candidates (empty Reason or Outranked) before
// the rest, the eligible ones by policy and the rest by pass ID.
func rankCompare(policy Policy, a, b *Candidate) int {
	ea, eb := a.Reason == "" || a.Reason == Outranked, b.Reason == "" || b.Reason == Outranked
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

// sortCandidates sorts cands in place by rankCompare. The candidates are
// first put in pass ID order, so that the result depends only on the set of
// candidates even when a policy's keys are not a consistent order (a policy
// that keeps ByRemainingMinutes but drops ByKind: a time pass of 100
// minutes before one of 50, each tied with a visits pass), and the
// selection is the same on every store whatever order it lists passes in
// (O7, O8). It is a heap sort that compares through pointers into cands:
// slices.SortFunc hands its comparison copies of the elements, whose
// addresses, passed on to the policy's key functions, escaped to the heap
// on every comparison.
func sortCandidates(cands []Candidate, policy Policy) {
	heapSort(cands, policy, byPassID)
	heapSort(cands, policy, rankCompare)
}

func byPassID(_ Policy, a, b *Candidate) int { return cmp.Compare(a.PassID, b.PassID) }

func heapSort(cands []Candidate, policy Policy, compare func(Policy, *Candidate, *Candidate) int) {
	n := len(cands)
	for i := n/2 - 1; i >= 0; i-- {
		siftDown(cands, i, n, policy, compare)
	}
	for end := n - 1; end > 0; end-- {
		cands[0], cands[end] = cands[end], cands[0]
		siftDown(cands, 0, end, policy, compare)
	}
}

func siftDown(cands []Candidate, root, n int, policy Policy, compare func(Policy, *Candidate, *Candidate) int) {
	for {
		child := 2*root + 1
		if child >= n {
			return
		}
		if child+1 < n && compare(policy, &cands[child], &cands[child+1]) < 0 {
			child++
		}
		if compare(policy, &cands[root], &cands[child]) >= 0 {
			return
		}
		cands[root], cands[child] = cands[child], cands[root]
		root = child
	}
}
