package passengine

import (
	"slices"

	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/pass"
)

// CardPoints is what a check-in, booking, cancel, move, no-show or
// redemption did to the bonus points of a card whose visits it used or
// gave back (M3), so a front desk can say "you earned 10 points": Points
// earned (above zero) or taken back (below zero) by the host's bonus rule
// (WithBonusRule), and Bonus, the card's points after.
type CardPoints struct {
	// Card is the card's ID.
	Card string `json:"card"`
	// Points is the points earned (above zero) or taken back (below zero).
	Points int `json:"points"`
	// Bonus is the card's bonus points after the call.
	Bonus int `json:"bonus"`
}

// cardPoints returns the points o's reward entries moved, per card in the
// order of their first entry; none when no card's points moved. The
// entries are those cardEffects appended.
func cardPoints(o *checkin.Outcome) []CardPoints {
	var out []CardPoints
	for i := range o.Entries {
		en := &o.Entries[i]
		if en.Type != pass.EntryReward {
			continue
		}
		j := slices.IndexFunc(o.Passes, func(p *pass.Pass) bool { return p.ID == en.Pass })
		if j < 0 || o.Passes[j].Card == "" {
			continue
		}
		id := o.Passes[j].Card
		k := slices.IndexFunc(out, func(c CardPoints) bool { return c.Card == id })
		if k < 0 {
			out = append(out, CardPoints{Card: id})
			k = len(out) - 1
		}
		out[k].Points += en.Points
		out[k].Bonus = en.Bonus
	}
	return out
}
