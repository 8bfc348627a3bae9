package card_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/card"
	"github.com/passengine/passengine/pass"
	"pgregory.net/rapid"
)

// TestRule_M4_M6_Properties drives a card with random operations (adding
// and subtracting visits, with and without amounts, referrals, backend
// redemptions, uses and returns through Apply, bonus points added and
// subtracted, status changes) and checks after every step that the bonus
// points never go below zero (M4), that the counters kept on the card
// equal those replayed from the full history (M6), and that the pass's
// balance equals the sum of its entries' units. Refused operations must
// change nothing.
func TestRule_M4_M6_Properties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c, p, issued, err := card.Issue(program(), card.IssueSpec{ID: "card-1", Pass: "pass-1", Holder: "ada",
			At: t0, On: calendar.DateOf(t0)})
		if err != nil {
			t.Fatal(err)
		}
		history := issued
		rule := card.BonusRule{PerVisit: rapid.IntRange(0, 3).Draw(t, "perVisit")}
		now := t0
		// held lists uses not yet returned, as (visit, units).
		type use struct {
			visit string
			units int
		}
		var held []use
		visits := 0
		amount := func(t *rapid.T) string {
			if rapid.Bool().Draw(t, "withAmount") {
				return fmt.Sprintf("%d.%02d", rapid.IntRange(0, 300).Draw(t, "units"), rapid.IntRange(0, 99).Draw(t, "cents"))
			}
			return ""
		}
		t.Repeat(map[string]func(*rapid.T){
			"add": func(t *rapid.T) {
				ch := change(0, rapid.IntRange(-1, 20).Draw(t, "value"), amount(t))
				ch.At, ch.Referral = now, rapid.Bool().Draw(t, "referral")
				apply(t, &c, &p, &history, func() ([]pass.Entry, error) { return card.AddVisits(&c, &p, ch, "USD") })
			},
			"subtract": func(t *rapid.T) {
				ch := change(0, rapid.IntRange(0, p.Balance+2).Draw(t, "value"), "")
				ch.At, ch.Redeemed = now, rapid.Bool().Draw(t, "redeemed")
				if !ch.Redeemed {
					ch = change(0, ch.Value, amount(t))
					ch.At = now
				}
				apply(t, &c, &p, &history, func() ([]pass.Entry, error) {
					return card.SubtractVisits(&c, &p, ch, "USD", rule)
				})
			},
			"bonus": func(t *rapid.T) {
				ch := change(0, rapid.IntRange(0, c.Bonus+5).Draw(t, "points"), amount(t))
				ch.At = now
				add := rapid.Bool().Draw(t, "add")
				apply(t, &c, &p, &history, func() ([]pass.Entry, error) {
					if add {
						return card.AddBonus(&c, &p, ch, "USD")
					}
					return card.SubtractBonus(&c, &p, ch, "USD")
				})
			},
			"use": func(t *rapid.T) {
				if c.Status == card.Deleted || p.Balance == 0 {
					t.Skip("nothing to use")
				}
				n := rapid.IntRange(1, p.Balance).Draw(t, "units")
				visits++
				v := fmt.Sprintf("v%d", visits)
				p.Balance -= n
				e := pass.Entry{Network: p.Network, Pass: p.ID, Visit: v, At: now, Type: pass.EntryUse, Units: -n, Balance: p.Balance}
				history = append(history, card.Apply(&c, &p, []pass.Entry{e}, rule)...)
				held = append(held, use{v, n})
			},
			"return": func(t *rapid.T) {
				if len(held) == 0 {
					t.Skip("nothing to return")
				}
				i := rapid.IntRange(0, len(held)-1).Draw(t, "use")
				u := held[i]
				held = append(held[:i], held[i+1:]...)
				p.Balance += u.units
				e := pass.Entry{Network: p.Network, Pass: p.ID, Visit: u.visit, At: now, Type: pass.EntryReturn, Units: u.units, Balance: p.Balance}
				history = append(history, card.Apply(&c, &p, []pass.Entry{e}, rule)...)
			},
			"status": func(t *rapid.T) {
				to := rapid.SampledFrom([]card.Status{card.NotInstalled, card.Installed, card.Deleted}).Draw(t, "status")
				apply(t, &c, &p, &history, func() ([]pass.Entry, error) { return card.SetStatus(&c, &p, to, "x", "", now) })
			},
			"": func(t *rapid.T) {
				now = now.Add(time.Duration(rapid.IntRange(0, 90).Draw(t, "minutes")) * time.Minute)
				if c.Bonus < 0 {
					t.Fatalf("bonus %d is below zero", c.Bonus)
				}
				if got := card.Replay("USD", p.ID, history); !sameCounters(got, c.Counters) {
					t.Fatalf("counters %+v, replayed from the history %+v", c.Counters, got)
				}
				sum := 0
				for _, e := range history {
					sum += e.Units
				}
				if sum != p.Balance || p.Balance < 0 {
					t.Fatalf("pass balance %d, entries sum to %d", p.Balance, sum)
				}
			},
		})
	})
}

// apply runs op and appends its entries to history; a refused op must
// leave the card and the pass as they were.
func apply(t *rapid.T, c *card.Card, p *pass.Pass, history *[]pass.Entry, op func() ([]pass.Entry, error)) {
	before, units, balance, revoked := *c, p.Units, p.Balance, p.Revoked
	entries, err := op()
	if err != nil {
		if !sameCounters(before.Counters, c.Counters) || before.Status != c.Status || p.Units != units || p.Balance != balance || p.Revoked != revoked {
			t.Fatalf("refused op (%v) changed the card or pass", err)
		}
		return
	}
	*history = append(*history, entries...)
}

func sameCounters(a, b card.Counters) bool {
	return a.Sold == b.Sold && a.Redeemed == b.Redeemed && a.Removed == b.Removed && a.Referral == b.Referral &&
		a.Bonus == b.Bonus && a.Purchases.Amount.Equal(b.Purchases.Amount) && a.Refunds.Amount.Equal(b.Refunds.Amount) &&
		a.LastRedemption.Equal(b.LastRedemption) && a.LastAdding.Equal(b.LastAdding)
}
