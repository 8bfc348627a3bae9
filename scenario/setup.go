package scenario

import (
	"fmt"
	"strings"
	"time"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/catalog"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/pass"
	"github.com/shopspring/decimal"
)

// The declarations: the network, its locations, teams, holders,
// products, PAYG products and terms, the Engine's options and the clock.
// They print nothing unless the Engine refuses them ("error: ...").

func cmdNetwork(w *world, a *args, o *out) error {
	n := catalog.Network{ID: a.req("id"), Name: a.str("name", ""), Currency: a.req("currency"), Zone: a.req("zone")}
	if err := a.done(); err != nil {
		return err
	}
	if w.net.ID != "" {
		return fmt.Errorf("the network is declared already (%s): a scenario has one", w.net.ID)
	}
	if err := w.eng.PutNetwork(w.ctx, n); err != nil {
		w.failure(o, err)
		return nil
	}
	w.net = n
	w.netZone, _ = time.LoadLocation(n.Zone)
	return nil
}

func cmdLocation(w *world, a *args, o *out) error {
	l := catalog.Location{Network: w.net.ID, ID: a.req("id"), Name: a.str("name", ""), Zone: a.str("zone", w.net.Zone),
		DayCutoff: a.duration("cutoff", 0), Tier: a.int("tier", 0)}
	if err := a.done(); err != nil {
		return err
	}
	if err := w.eng.PutLocation(w.ctx, l); err != nil {
		w.failure(o, err)
		return nil
	}
	w.locZones[l.ID], _ = time.LoadLocation(l.Zone)
	return nil
}

func cmdTeam(w *world, a *args, o *out) error {
	t := catalog.Team{Network: w.net.ID, ID: a.req("id"), Name: a.str("name", ""), CreditSharing: a.has("sharing")}
	if err := a.done(); err != nil {
		return err
	}
	if err := w.eng.PutTeam(w.ctx, t); err != nil {
		w.failure(o, err)
	}
	return nil
}

func cmdHolder(w *world, a *args, o *out) error {
	h := catalog.Holder{Network: w.net.ID, ID: a.req("id"), Name: a.str("name", ""),
		Audience: catalog.Audience(a.str("audience", string(catalog.Member))), Team: a.str("team", "")}
	if at := a.instant("health"); !at.IsZero() {
		h.HealthDeclaredAt = &at
	}
	if err := a.done(); err != nil {
		return err
	}
	if err := w.eng.PutHolder(w.ctx, h); err != nil {
		w.failure(o, err)
	}
	return nil
}

// parseValidity parses a validity such as 30d, 1m or 1m15d.
func parseValidity(s string) (calendar.Validity, error) {
	var v calendar.Validity
	rest := s
	if i := strings.Index(rest, "m"); i >= 0 {
		if _, err := fmt.Sscanf(rest[:i], "%d", &v.Months); err != nil || i == 0 {
			return v, fmt.Errorf("%q is not a validity (30d, 1m, 1m15d)", s)
		}
		rest = rest[i+1:]
	}
	if rest != "" {
		if !strings.HasSuffix(rest, "d") {
			return v, fmt.Errorf("%q is not a validity (30d, 1m, 1m15d)", s)
		}
		if _, err := fmt.Sscanf(strings.TrimSuffix(rest, "d"), "%d", &v.Days); err != nil {
			return v, fmt.Errorf("%q is not a validity (30d, 1m, 1m15d)", s)
		}
	}
	return v, nil
}

func cmdProduct(w *world, a *args, o *out) error {
	p := pass.Product{Network: w.net.ID, ID: a.req("id"), Name: a.str("name", ""), Kind: pass.Kind(a.req("kind")),
		Units: a.int("units", 0), Price: a.amount("price"), UnitValue: a.amount("unit-value"),
		Locations: a.vals("locations"), Tier: a.int("tier", 0), Audience: catalog.Audience(a.str("audience", "")),
		Priority: pass.Priority(a.str("priority", "")), Activation: pass.Activation(a.str("activation", string(pass.OnPurchase))),
		Locked: a.has("locked")}
	if p.Price.IsZero() {
		p.Price.Currency = w.currency()
	}
	if v := a.str("validity", ""); v != "" {
		var err error
		if p.Validity, err = parseValidity(v); err != nil {
			a.fail("validity: %v", err)
		}
	}
	if err := a.done(); err != nil {
		return err
	}
	if err := w.eng.PutProduct(w.ctx, p); err != nil {
		w.failure(o, err)
	}
	return nil
}

func cmdPAYG(w *world, a *args, o *out) error {
	p := billing.PAYG{Network: w.net.ID, ID: a.req("id"), Name: a.str("name", ""), DailyCap: a.amount("cap"),
		Locations: a.vals("locations")}
	for _, aud := range []struct {
		key string
		aud catalog.Audience
	}{{"everyone", ""}, {"member", catalog.Member}, {"contact", catalog.Contact}} {
		if m := a.amount(aud.key); !m.IsZero() {
			p.Prices = append(p.Prices, billing.Price{Audience: aud.aud, Hourly: m})
		}
	}
	if err := a.done(); err != nil {
		return err
	}
	if err := w.eng.PutPAYG(w.ctx, p); err != nil {
		w.failure(o, err)
	}
	return nil
}

// cmdTerms adds a terms version: rate=7 pays every tier 7 per visit;
// rates=(2:7, 3:9, monthly-plus:5) pays by tier (a number) or product.
func cmdTerms(w *world, a *args, o *out) error {
	t := billing.Terms{Network: w.net.ID, Location: a.req("location"), ID: a.req("id"), EffectiveFrom: a.instant("from"),
		MonthlyVisitCap: a.int("visit-cap", 0), MonthlyAmountCap: a.amount("amount-cap"), PAYGShare: decimal.Zero}
	if t.EffectiveFrom.IsZero() {
		t.EffectiveFrom = w.clock.Now()
	}
	if r := a.amount("rate"); !r.IsZero() {
		t.Rates = append(t.Rates, billing.Rate{Amount: r})
	}
	for _, r := range a.vals("rates") {
		k, v, ok := strings.Cut(r, ":")
		amt, err := decimal.NewFromString(strings.TrimSpace(v))
		if !ok || err != nil {
			a.fail("rates: %q is not tier:amount or product:amount", r)
			continue
		}
		rate := billing.Rate{Amount: moneyOf(amt, w.currency())}
		if _, err := fmt.Sscanf(k, "%d", &rate.Tier); err != nil {
			rate.Product = strings.TrimSpace(k)
		}
		t.Rates = append(t.Rates, rate)
	}
	if s := a.str("payg-share", ""); s != "" {
		d, err := decimal.NewFromString(s)
		if err != nil {
			a.fail("payg-share: %q is not a fraction", s)
		}
		t.PAYGShare = d
	}
	if err := a.done(); err != nil {
		return err
	}
	if err := w.ready(); err != nil {
		return err
	}
	if err := w.eng.PutTerms(w.ctx, t); err != nil {
		w.failure(o, err)
	}
	return nil
}

// cmdEngine makes the Engine again with the options given (and the
// defaults for the rest): policy=(keys...), max-open, cancel-window,
// refund-late, no-show-fee, settle-later, lockout=(failures, window,
// duration).
func cmdEngine(w *world, a *args, _ *out) error {
	opts := engineOptions(a)
	if err := a.done(); err != nil {
		return err
	}
	w.build(opts)
	return nil
}

// cmdClock sets the clock: at=<time>. It prints the time.
func cmdClock(w *world, a *args, o *out) error {
	at := a.instant("at")
	if err := a.done(); err != nil {
		return err
	}
	if at.IsZero() {
		return fmt.Errorf("clock: missing at=<time>")
	}
	w.clock.Set(at)
	w.clockSet = true
	o.line("now %s", w.when(at, ""))
	return nil
}

// cmdAdvance moves the clock forward: by=<duration> or to=<time> (HH:MM
// is today in the network's zone). It prints the time.
func cmdAdvance(w *world, a *args, o *out) error {
	by := a.duration("by", 0)
	to := a.str("to", "")
	if err := a.done(); err != nil {
		return err
	}
	if err := w.ready(); err != nil {
		return err
	}
	now := w.clock.Now()
	switch {
	case to != "" && by != 0:
		return fmt.Errorf("advance: give by= or to=, not both")
	case to != "":
		t, err := w.parseTime(to)
		if err != nil {
			hm, herr := time.ParseInLocation("15:04", to, w.netZone)
			if herr != nil {
				return fmt.Errorf("advance: %v", err)
			}
			local := now.In(w.netZone)
			t = time.Date(local.Year(), local.Month(), local.Day(), hm.Hour(), hm.Minute(), 0, 0, w.netZone)
		}
		if t.Before(now) {
			return fmt.Errorf("advance: %s is before now (%s)", w.when(t, ""), w.when(now, ""))
		}
		w.clock.Set(t)
	case by > 0:
		w.clock.Advance(by)
	default:
		return fmt.Errorf("advance: give by=<duration> or to=<time>")
	}
	o.line("now %s", w.when(w.clock.Now(), ""))
	return nil
}

func moneyOf(d decimal.Decimal, currency string) money.Money {
	return money.Money{Amount: d, Currency: currency}
}
