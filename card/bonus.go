package card

import "github.com/passengine/passengine/pass"

// BonusRule is the host's rule for the bonus points redeemed visits earn
// (M3, seed 003: "bonus points are automatically awarded when customers
// redeem visits"). It is data, so that every store and every replay gives
// the same points: PerVisit points for each visit redeemed from a card,
// unless Programs names the card's program, whose value then applies.
// Values below zero count as zero, and above MaxValue as MaxValue. The zero
// BonusRule awards nothing.
type BonusRule struct {
	// PerVisit is the points each visit redeemed from a card earns; 0 earns
	// none.
	PerVisit int `json:"per_visit,omitempty"`
	// Programs maps a program's ID to the points per visit of its cards,
	// instead of PerVisit; nil for none.
	Programs map[string]int `json:"programs,omitempty"`
}

// Points returns the points visits redeemed from a card of program earn.
func (r BonusRule) Points(program string, visits int) int {
	per, ok := r.Programs[program]
	if !ok {
		per = r.PerVisit
	}
	per = min(max(per, 0), MaxValue)
	return min(per*max(visits, 0), MaxBalance)
}

// Apply brings card c up to date with entries just written on its pass p
// by a check-in, booking, redemption, cancel, move or settle (entries of
// other passes are skipped): a use redeems its visits (redeemed grows, the
// last redemption moves to its instant if later) and earns rule's points;
// a return gives its visits back (redeemed shrinks) and takes back the
// points rule gives for them, as many as the card still has, so the
// balance never goes below zero (M3, M4). The balance never passes
// MaxBalance either: an award beyond it is cut. Apply returns entries
// followed by one reward entry per use or return that moved points, each
// naming the visit and carrying the points and the balance after.
func Apply(c *Card, p *pass.Pass, entries []pass.Entry, rule BonusRule) []pass.Entry {
	out := entries
	for i := range entries {
		e := &entries[i]
		if e.Pass != p.ID || (e.Type != pass.EntryUse && e.Type != pass.EntryReturn) {
			continue
		}
		c.count(e)
		pts := rule.Points(c.Program, abs(e.Units))
		if e.Type == pass.EntryUse {
			pts = min(pts, MaxBalance-c.Bonus)
		} else {
			pts = -min(pts, c.Bonus)
		}
		if pts == 0 {
			continue
		}
		r := pass.Entry{Network: p.Network, Pass: p.ID, Holder: e.Holder, Visit: e.Visit, At: e.At,
			Type: pass.EntryReward, Balance: p.Balance, Actor: e.Actor, Points: pts}
		c.count(&r)
		r.Bonus = c.Bonus
		out = append(out, r)
	}
	return out
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
