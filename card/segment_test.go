package card_test

import (
	"errors"
	"testing"

	"github.com/passengine/passengine/card"
	"github.com/passengine/passengine/field"
	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// TestSegments: the default thresholds and map put seed 003's examples
// where a studio expects them.
func TestSegments(t *testing.T) {
	s := card.DefaultSegmentation()
	d := decimal.NewFromInt
	for _, c := range []struct {
		name string
		v    card.RFM
		want card.Segment
	}{
		{"came yesterday, 15 visits, 600 spent", card.RFM{Recency: 1, Frequency: 15, Monetary: d(600)}, card.Champions},
		{"came last week, 9 visits, 120 spent", card.RFM{Recency: 10, Frequency: 9, Monetary: d(120)}, card.Loyal},
		{"gone 45 days, used to come 5 times", card.RFM{Recency: 45, Frequency: 5, Monetary: d(100)}, card.AtRisk},
		{"gone 90 days, was a big regular", card.RFM{Recency: 90, Frequency: 12, Monetary: d(900)}, card.CannotLose},
		{"new card, first visit today", card.RFM{Recency: 0, Frequency: 1, Monetary: d(100)}, card.NewCustomer},
		{"issued a year ago, never came", card.RFM{Recency: 365, Frequency: 0, Monetary: d(0)}, card.Lost},
		{"gone 50 days, came once", card.RFM{Recency: 50, Frequency: 1, Monetary: d(30)}, card.Hibernating},
	} {
		if _, got := s.Segment(c.v); got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}
	// A host adjusts the thresholds: a monthly rhythm with smaller spends.
	s.Thresholds.Recency = [4]int{3, 7, 14, 21}
	s.Thresholds.Monetary = [4]decimal.Decimal{d(100), d(60), d(30), d(10)}
	if sc, got := s.Segment(card.RFM{Recency: 10, Frequency: 9, Monetary: d(120)}); got != card.Loyal || sc.R != 3 || sc.M != 5 {
		t.Errorf("adjusted thresholds: got %v %s, want R 3, M 5, loyal", sc, got)
	}
}

// TestSegmentRulesCoverEveryScore: the default map names a segment for
// every score from 1-1-1 to 5-5-5.
func TestSegmentRulesCoverEveryScore(t *testing.T) {
	rules := card.DefaultRules()
	for r := 1; r <= 5; r++ {
		for f := 1; f <= 5; f++ {
			for m := 1; m <= 5; m++ {
				if got := card.Classify(card.Score{R: r, F: f, M: m}, rules); got == card.Unsegmented {
					t.Errorf("score %d-%d-%d has no segment", r, f, m)
				}
			}
		}
	}
}

// TestScoresMonotone: more recent, more frequent or more valuable never
// scores lower.
func TestScoresMonotone(t *testing.T) {
	th := card.DefaultThresholds()
	rapid.Check(t, func(t *rapid.T) {
		a := card.RFM{Recency: rapid.IntRange(0, 400).Draw(t, "r"), Frequency: rapid.IntRange(0, 40).Draw(t, "f"),
			Monetary: decimal.NewFromInt(int64(rapid.IntRange(0, 2000).Draw(t, "m")))}
		b := a
		b.Recency -= rapid.IntRange(0, a.Recency).Draw(t, "dr")
		b.Frequency += rapid.IntRange(0, 10).Draw(t, "df")
		b.Monetary = b.Monetary.Add(decimal.NewFromInt(int64(rapid.IntRange(0, 500).Draw(t, "dm"))))
		sa, sb := th.Score(a), th.Score(b)
		if sb.R < sa.R || sb.F < sa.F || sb.M < sa.M || sa.R < 1 || sb.R > 5 {
			t.Fatalf("%+v scores %v, the better %+v scores %v", a, sa, b, sb)
		}
	})
}

func TestThresholdsValidate(t *testing.T) {
	if err := card.DefaultThresholds().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	bad := card.DefaultThresholds()
	bad.Recency = [4]int{30, 14, 7, 60}
	if err := bad.Validate(); !errors.Is(err, field.ErrInvalid) {
		t.Errorf("recency not ascending: got %v, want a field error", err)
	}
	bad = card.DefaultThresholds()
	bad.Frequency[3] = -1
	if err := bad.Validate(); !errors.Is(err, field.ErrInvalid) {
		t.Errorf("negative frequency: got %v, want a field error", err)
	}
}
