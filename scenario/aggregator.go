package scenario

import (
	"errors"

	"github.com/passengine/passengine"
)

// The aggregator commands: redeem and its dry run explain-redeem, unlock,
// guard and payout (P2, P3, Y).

// redeemRequest reads a redemption: at location, the code of a pass
// (code=<pass>, as its holder's app shows it) or typed digits
// (digits=12345678), at now or at=.
func (w *world) redeemRequest(a *args) (passengine.RedeemRequest, error) {
	req := passengine.RedeemRequest{Network: w.net.ID, Location: a.req("location"), At: a.instant("at"), Actor: a.str("actor", "")}
	code, digits := a.str("code", ""), a.str("digits", "")
	if err := a.done(); err != nil {
		return req, err
	}
	switch {
	case code != "" && digits != "":
		return req, errors.New("give code=<pass> or digits=<typed>, not both")
	case code != "":
		c, err := w.eng.Passcode(w.ctx, w.net.ID, w.passID(code))
		if err != nil {
			return req, err
		}
		req.Code = c
	case digits != "":
		req.Code = digits
	default:
		return req, errors.New("give code=<pass> or digits=<typed>")
	}
	return req, nil
}

func cmdRedeem(w *world, a *args, o *out) error {
	key := w.key(a)
	given := a.str("visit", "")
	req, err := w.redeemRequest(a)
	if err != nil {
		return err
	}
	req.Key = key
	var r passengine.RedeemResult
	name, nerr := w.create(given, "v", func() { r, err = w.eng.Redeem(w.ctx, req) })
	if nerr != nil {
		return nerr
	}
	if err == nil {
		name = w.nameVisit(name, r.Visit.ID)
	}
	w.redeemResult(o, name, r, err)
	return nil
}

func cmdExplainRedeem(w *world, a *args, o *out) error {
	req, err := w.redeemRequest(a)
	if err != nil {
		return err
	}
	r, err := w.eng.ExplainRedeem(w.ctx, req)
	o.line("dry run: redemption")
	w.redeemResult(o, "(new)", r, err)
	return nil
}

func cmdUnlock(w *world, a *args, o *out) error {
	req := passengine.UnlockRequest{Key: w.key(a), Network: w.net.ID, Location: a.req("location"), Actor: a.str("actor", "manager"),
		Comment: a.str("comment", "")}
	if err := a.done(); err != nil {
		return err
	}
	r, err := w.eng.Unlock(w.ctx, req)
	if err != nil {
		w.failure(o, err)
		return nil
	}
	if r.WasLocked {
		o.line("unlocked %s (locked until %s) by %s, %d failures forgotten", r.Location, w.when(r.LockedUntil, r.Location), r.Actor, r.Failures)
	} else {
		o.line("%s was not locked; %d failures forgotten by %s", r.Location, r.Failures, r.Actor)
	}
	return nil
}

// cmdGuard prints a location's lockout state (P2).
func cmdGuard(w *world, a *args, o *out) error {
	loc := a.req("location")
	if err := a.done(); err != nil {
		return err
	}
	g, err := w.eng.Guard(w.ctx, w.net.ID, loc)
	if err != nil {
		w.failure(o, err)
		return nil
	}
	state := "not locked"
	if g.Locked(w.clock.Now()) {
		state = "locked until " + w.when(g.LockedUntil, loc)
	}
	o.line("%s: %d recent failures, %s", loc, len(g.Failures), state)
	return nil
}

// cmdPayout prints a payout statement (Y3) of a location, or of the
// network without location=, over the service dates [from, to].
func cmdPayout(w *world, a *args, o *out) error {
	req := passengine.PayoutRequest{Network: w.net.ID, Location: a.str("location", ""), From: a.date("from"), To: a.date("to")}
	if err := a.done(); err != nil {
		return err
	}
	s, err := w.eng.Payout(w.ctx, req)
	if err != nil {
		w.failure(o, err)
		return nil
	}
	w.statement(o, s)
	return nil
}
