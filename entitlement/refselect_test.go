package entitlement

// The selection as it was before keys were packed (main at 721a3da), kept
// verbatim but for names as the reference the packed selection is checked
// against (TestSelectEqualsReference, in package entitlement_test through
// export_test.go). Only the sort data's cache moved: the old Candidate
// carried it, here refCompare derives it per comparison, which changes no
// result. Eligibility (check) is shared: it did not change.

import (
	"cmp"
	"math"

	"github.com/passengine/passengine/pass"
	"github.com/shopspring/decimal"
)

type refSortData struct {
	priority, kind int8
	source         int8
	unitExact      bool
	unitValue      int64
	expiry         int32
	issued         int64
}

func refPrepare(c *Candidate) refSortData {
	p := c.Pass
	expiry := p.Expiry()
	var d refSortData
	d.priority, d.kind, d.source = int8(p.Priority.Rank()), int8(refKindRank(c.Kind)), int8(refSourceRank(p.Source))
	d.expiry, d.issued = math.MaxInt32, p.IssuedAt.UnixNano()
	if !expiry.IsZero() {
		d.expiry = int32(expiry.Year*10000 + int(expiry.Month)*100 + expiry.Day)
	}
	d.unitValue, d.unitExact = refScaled(p.UnitValue.Amount)
	return d
}

var refPow10 = func() (t [19]int64) {
	t[0] = 1
	for i := 1; i < len(t); i++ {
		t[i] = t[i-1] * 10
	}
	return t
}()

func refScaled(d decimal.Decimal) (int64, bool) {
	shift := int(d.Exponent()) + 8
	if shift < 0 || shift >= len(refPow10) || d.NumDigits() > 18 {
		return 0, false
	}
	v, m := d.CoefficientInt64(), refPow10[shift]
	if v > math.MaxInt64/m || v < math.MinInt64/m {
		return 0, false
	}
	return v * m, true
}

func refKindRank(k pass.Kind) int {
	switch k {
	case pass.Day:
		return 0
	case pass.Visits:
		return 1
	}
	return 2
}

func refSourceRank(s pass.Source) int {
	if s == pass.FromPlan || s == pass.FromProduct {
		return 0
	}
	return 1
}

func refBoolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// refCompare is the old Policy.Compare.
func refCompare(p Policy, a, b *Candidate) (int, string) {
	da, db := refPrepare(a), refPrepare(b)
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
			c = cmp.Compare(refBoolRank(a.Shared), refBoolRank(b.Shared))
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

// refSelect is the old Select.
func refSelect(passes []*pass.Pass, u *Use, policy Policy, buf []Candidate) Selection {
	cands := buf[:0]
	for _, p := range passes {
		cands = append(cands, Candidate{})
		c := &cands[len(cands)-1]
		c.Pass, c.PassID, c.Kind, c.Balance, c.Shared = p, p.ID, p.Kind, p.Balance, p.Holder != u.Holder.ID
		c.Locations = len(p.Locations)
		if c.Locations == 0 {
			c.Locations = u.NetworkLocations
			if c.Locations == 0 {
				c.Locations = math.MaxInt32
			}
		}
		exp := p.Expiry()
		c.Reason = check(p, u, true, exp)
	}
	return refRank(cands, policy)
}

// refRank is the old rank (and Rank).
func refRank(cands []Candidate, policy Policy) Selection {
	refSortCandidates(cands, policy)
	s := Selection{Candidates: cands}
	for s.Eligible < len(cands) && eligible(&cands[s.Eligible]) {
		s.Eligible++
	}
	if s.Eligible > 0 {
		cands[0].Reason, cands[0].DecidedBy = "", ""
	}
	for i := 1; i < s.Eligible; i++ {
		_, key := refCompare(policy, &cands[0], &cands[i])
		cands[i].Reason, cands[i].DecidedBy = Outranked, key
		if i == 1 {
			s.DecidedBy = key
		}
	}
	return s
}

func refSortCandidates(cands []Candidate, policy Policy) {
	n := len(cands)
	if n < 2 {
		return
	}
	idx := make([]uint16, n)
	for i := range idx {
		idx[i] = uint16(i)
	}
	refSortByID(idx, cands)
	ne := refPartitionEligible(idx, cands)
	refSortByPolicy(idx[:ne], cands, policy)
	refPermute(cands, idx)
}

func refSortByID(idx []uint16, cands []Candidate) {
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

func refPartitionEligible(idx []uint16, cands []Candidate) int {
	var out []uint16
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

func refSortByPolicy(idx []uint16, cands []Candidate, policy Policy) {
	for i := 1; i < len(idx); i++ {
		x := idx[i]
		c := &cands[x]
		if r, _ := refCompare(policy, &cands[idx[i-1]], c); r <= 0 {
			continue
		}
		lo, hi := 0, i-1
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			if r, _ := refCompare(policy, &cands[idx[m]], c); r <= 0 {
				lo = m + 1
			} else {
				hi = m
			}
		}
		copy(idx[lo+1:i+1], idx[lo:i])
		idx[lo] = x
	}
}

func refPermute(cands []Candidate, idx []uint16) {
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
