package card

import (
	"encoding/json"

	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/internal/wire"
	"github.com/shopspring/decimal"
)

// Segment is a named RFM segment of card holders (seed 003: "Champions,
// Loyal Customers, At Risk"), for targeted communications.
type Segment string

// The default segments, from the common RFM segment map.
const (
	Champions         Segment = "champions"          // recent, frequent, high value
	Loyal             Segment = "loyal"              // frequent, not lapsed
	CannotLose        Segment = "cannot_lose"        // were frequent and high value, lapsed long ago
	AtRisk            Segment = "at_risk"            // were frequent, lapsing
	PotentialLoyalist Segment = "potential_loyalist" // recent, some visits
	NewCustomer       Segment = "new"                // very recent, few visits
	Promising         Segment = "promising"          // recent, few visits
	NeedAttention     Segment = "need_attention"     // middling recency and frequency
	AboutToSleep      Segment = "about_to_sleep"     // middling recency, few visits
	Hibernating       Segment = "hibernating"        // lapsed, few visits
	Lost              Segment = "lost"               // lapsed longest, few visits
	Unsegmented       Segment = "unsegmented"        // no rule matched
)

// RFM is what segmentation reads of a card holder: Recency is the days
// since the last redemption (since the card's issue when it has none),
// Frequency the visits redeemed in the period looked at, and Monetary the
// card's net revenue (purchases less refunds).
type RFM struct {
	// Recency is days, described above.
	Recency int `json:"recency"`
	// Frequency is visits, described above.
	Frequency int `json:"frequency"`
	// Monetary is an amount of the network's currency, described above.
	Monetary decimal.Decimal `json:"monetary"`
}

// Score is an RFM score: R, F and M from 1 (lowest) to 5 (highest).
type Score struct {
	// R is the recency score, 1 to 5.
	R int `json:"r"`
	// F is the frequency score, 1 to 5.
	F int `json:"f"`
	// M is the monetary score, 1 to 5.
	M int `json:"m"`
}

// Thresholds turn RFM values into scores. Each list holds the bounds of
// scores 5, 4, 3 and 2; a value past the last bound scores 1:
//   - Recency: days at most Recency[0] score 5, at most Recency[1] 4, ...
//     (ascending);
//   - Frequency: visits at least Frequency[0] score 5, ... (descending);
//   - Monetary: net revenue at least Monetary[0] score 5, ... (descending),
//     in the network's currency.
type Thresholds struct {
	// Recency holds days, ascending, described above.
	Recency [4]int `json:"recency"`
	// Frequency holds visits, descending, described above.
	Frequency [4]int `json:"frequency"`
	// Monetary holds amounts, descending, described above.
	Monetary [4]decimal.Decimal `json:"monetary"`
}

// DefaultThresholds returns thresholds for a studio whose period is 90
// days: recency 7, 14, 30 and 60 days; frequency 12, 8, 4 and 2 visits;
// monetary 500, 250, 100 and 50 in the network's currency. Hosts adjust
// them to their prices and rhythm.
func DefaultThresholds() Thresholds {
	d := decimal.NewFromInt
	return Thresholds{
		Recency:   [4]int{7, 14, 30, 60},
		Frequency: [4]int{12, 8, 4, 2},
		Monetary:  [4]decimal.Decimal{d(500), d(250), d(100), d(50)},
	}
}

// Validate returns a *field.Error unless recency bounds ascend and the
// frequency and monetary bounds descend, all of them not negative.
func (t Thresholds) Validate() error {
	for i := range 4 {
		if t.Recency[i] < 0 || t.Frequency[i] < 0 || t.Monetary[i].IsNegative() {
			return field.Invalid("thresholds", "bounds must not be negative")
		}
		if i == 0 {
			continue
		}
		if t.Recency[i] < t.Recency[i-1] {
			return field.Invalid("thresholds.recency", "must ascend, got %v", t.Recency)
		}
		if t.Frequency[i] > t.Frequency[i-1] {
			return field.Invalid("thresholds.frequency", "must descend, got %v", t.Frequency)
		}
		if t.Monetary[i].GreaterThan(t.Monetary[i-1]) {
			return field.Invalid("thresholds.monetary", "must descend, got %v", t.Monetary)
		}
	}
	return nil
}

// Score returns the RFM score of v under t.
func (t Thresholds) Score(v RFM) Score {
	s := Score{R: 1, F: 1, M: 1}
	for i := 3; i >= 0; i-- {
		if v.Recency <= t.Recency[i] {
			s.R = 5 - i
		}
		if v.Frequency >= t.Frequency[i] {
			s.F = 5 - i
		}
		if v.Monetary.GreaterThanOrEqual(t.Monetary[i]) {
			s.M = 5 - i
		}
	}
	return s
}

// Rule names the segment of the scores inside its inclusive ranges: R, F
// and M each hold a lowest and a highest score.
type Rule struct {
	// Segment is the segment the rule names.
	Segment Segment `json:"segment"`
	// R is the lowest and highest recency score the rule matches.
	R [2]int `json:"r"`
	// F is the lowest and highest frequency score the rule matches.
	F [2]int `json:"f"`
	// M is the lowest and highest monetary score the rule matches.
	M [2]int `json:"m"`
}

func (r Rule) matches(s Score) bool {
	in := func(v int, b [2]int) bool { return v >= b[0] && v <= b[1] }
	return in(s.R, r.R) && in(s.F, r.F) && in(s.M, r.M)
}

// DefaultRules returns the segment map, first match wins; it covers every
// score:
//
//	champions           R 4-5  F 4-5  M 4-5
//	loyal               R 3-5  F 4-5
//	cannot_lose         R 1-2  F 4-5  M 4-5
//	at_risk             R 1-2  F 3-5
//	potential_loyalist  R 4-5  F 2-3
//	new                 R 5    F 1
//	promising           R 4    F 1
//	need_attention      R 3    F 2-3
//	about_to_sleep      R 3    F 1
//	hibernating         R 2    F 1-2
//	lost                R 1    F 1-2
func DefaultRules() []Rule {
	all := [2]int{1, 5}
	return []Rule{
		{Champions, [2]int{4, 5}, [2]int{4, 5}, [2]int{4, 5}},
		{Loyal, [2]int{3, 5}, [2]int{4, 5}, all},
		{CannotLose, [2]int{1, 2}, [2]int{4, 5}, [2]int{4, 5}},
		{AtRisk, [2]int{1, 2}, [2]int{3, 5}, all},
		{PotentialLoyalist, [2]int{4, 5}, [2]int{2, 3}, all},
		{NewCustomer, [2]int{5, 5}, [2]int{1, 1}, all},
		{Promising, [2]int{4, 4}, [2]int{1, 1}, all},
		{NeedAttention, [2]int{3, 3}, [2]int{2, 3}, all},
		{AboutToSleep, [2]int{3, 3}, [2]int{1, 1}, all},
		{Hibernating, [2]int{2, 2}, [2]int{1, 2}, all},
		{Lost, [2]int{1, 1}, [2]int{1, 2}, all},
	}
}

// Classify returns the segment of the first rule of rules that s matches,
// or Unsegmented when none does.
func Classify(s Score, rules []Rule) Segment {
	for _, r := range rules {
		if r.matches(s) {
			return r.Segment
		}
	}
	return Unsegmented
}

// Segmentation is an RFM segmentation: thresholds and a segment map.
type Segmentation struct {
	// Thresholds turn RFM values into scores.
	Thresholds Thresholds `json:"thresholds"`
	// Rules map scores to segments, first match wins.
	Rules []Rule `json:"rules"`
}

// DefaultSegmentation returns DefaultThresholds and DefaultRules.
func DefaultSegmentation() Segmentation {
	return Segmentation{Thresholds: DefaultThresholds(), Rules: DefaultRules()}
}

// Segment returns v's score and segment under s.
func (s Segmentation) Segment(v RFM) (Score, Segment) {
	sc := s.Thresholds.Score(v)
	return sc, Classify(sc, s.Rules)
}

// MarshalJSON returns s's JSON form (JSON.md): its fields by their json
// tags, with Rules as [] when empty, never null. Its error is always nil.
func (s Segmentation) MarshalJSON() ([]byte, error) {
	type plain Segmentation
	p := plain(s)
	p.Rules = wire.List(p.Rules)
	return json.Marshal(p)
}
