package scenario

import (
	"fmt"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/pass"
)

// The pass commands: issue, adjust, freeze, unfreeze, set-expiry,
// mark-paid, rotate-code, and the reads pass, balances and ledger. Each
// change prints the pass as it is after it.

// printPass prints the pass with its status today.
func (w *world) printPass(o *out, id string) {
	p, err := w.eng.Pass(w.ctx, w.net.ID, id)
	if err != nil {
		w.failure(o, err)
		return
	}
	w.passLine(o, p)
}

// cmdIssue issues a product to a holder or a team (A1-A3, E5); the pass
// is named id= or p1, p2, ...
func cmdIssue(w *world, a *args, o *out) error {
	req := passengine.IssueRequest{Key: w.key(a), Network: w.net.ID, Product: a.req("product"),
		Holder: a.str("holder", ""), Team: a.str("team", ""), Source: pass.Source(a.str("source", "")),
		Remaining: a.int("remaining", 0), Price: a.amount("price"), Paid: !a.has("unpaid"),
		ActivatedOn: a.date("activated"), ExpiresOn: a.date("expires"), Passcode: a.has("passcode"),
		Actor: a.str("actor", ""), Comment: a.str("comment", "")}
	given := a.str("id", "")
	if err := a.done(); err != nil {
		return err
	}
	var p pass.Pass
	var err error
	name, nerr := w.create(given, "p", func() { p, err = w.eng.IssuePass(w.ctx, req) })
	if nerr != nil {
		return nerr
	}
	if err != nil {
		w.failure(o, err)
		return nil
	}
	w.namePass(name, p.ID)
	w.printPass(o, p.ID)
	return nil
}

// change runs a call that changes a pass and prints the pass after it, or
// the refusal.
func (w *world) change(o *out, call func() (pass.Pass, error)) {
	p, err := call()
	if err != nil {
		w.failure(o, err)
		return
	}
	w.printPass(o, p.ID)
}

func cmdAdjust(w *world, a *args, o *out) error {
	req := passengine.AdjustRequest{Key: w.key(a), Network: w.net.ID, Pass: w.passID(a.req("pass")), Units: a.int("units", 0),
		Amount: a.amount("amount"), Actor: a.str("actor", ""), Comment: a.str("comment", "")}
	if err := a.done(); err != nil {
		return err
	}
	w.change(o, func() (pass.Pass, error) { return w.eng.AdjustUnits(w.ctx, req) })
	return nil
}

func cmdFreeze(w *world, a *args, o *out) error {
	req := passengine.FreezeRequest{Key: w.key(a), Network: w.net.ID, Pass: w.passID(a.req("pass")), From: a.date("from"),
		To: a.date("to"), Actor: a.str("actor", ""), Comment: a.str("comment", "")}
	if err := a.done(); err != nil {
		return err
	}
	w.change(o, func() (pass.Pass, error) { return w.eng.Freeze(w.ctx, req) })
	return nil
}

func cmdUnfreeze(w *world, a *args, o *out) error {
	req := passengine.UnfreezeRequest{Key: w.key(a), Network: w.net.ID, Pass: w.passID(a.req("pass")), On: a.date("on"),
		Actor: a.str("actor", ""), Comment: a.str("comment", "")}
	if err := a.done(); err != nil {
		return err
	}
	w.change(o, func() (pass.Pass, error) { return w.eng.Unfreeze(w.ctx, req) })
	return nil
}

func cmdSetExpiry(w *world, a *args, o *out) error {
	req := passengine.ExpiryRequest{Key: w.key(a), Network: w.net.ID, Pass: w.passID(a.req("pass")), ExpiresOn: a.date("on"),
		Actor: a.str("actor", ""), Comment: a.str("comment", "")}
	if err := a.done(); err != nil {
		return err
	}
	w.change(o, func() (pass.Pass, error) { return w.eng.SetExpiry(w.ctx, req) })
	return nil
}

func cmdMarkPaid(w *world, a *args, o *out) error {
	req := passengine.PaidRequest{Key: w.key(a), Network: w.net.ID, Pass: w.passID(a.req("pass")), By: a.str("by", "")}
	if err := a.done(); err != nil {
		return err
	}
	w.change(o, func() (pass.Pass, error) { return w.eng.MarkPaid(w.ctx, req) })
	return nil
}

func cmdRotateCode(w *world, a *args, o *out) error {
	req := passengine.PasscodeRequest{Key: w.key(a), Network: w.net.ID, Pass: w.passID(a.req("pass")),
		Actor: a.str("actor", ""), Comment: a.str("comment", "")}
	if err := a.done(); err != nil {
		return err
	}
	w.change(o, func() (pass.Pass, error) { return w.eng.RotatePasscode(w.ctx, req) })
	return nil
}

func cmdPass(w *world, a *args, o *out) error {
	id := w.passID(a.req("id"))
	if err := a.done(); err != nil {
		return err
	}
	w.printPass(o, id)
	return nil
}

// cmdBalances prints the balances and status today of a holder's (or a
// team's) passes, in issue order.
func cmdBalances(w *world, a *args, o *out) error {
	holder, team := a.str("holder", ""), a.str("team", "")
	if err := a.done(); err != nil {
		return err
	}
	n := 0
	for _, id := range w.passes {
		p, err := w.eng.Pass(w.ctx, w.net.ID, id)
		if err != nil {
			w.failure(o, err)
			return nil
		}
		if (holder != "" && p.Holder != holder) || (team != "" && p.Team != team) {
			continue
		}
		n++
		o.line("%s %s %d/%d, %s", w.name(p.ID), p.Kind, p.Balance, p.Units, p.Status)
	}
	if n == 0 {
		o.line("no passes")
	}
	return nil
}

// cmdLedger prints a pass's ledger entries in order (E4, C9).
func cmdLedger(w *world, a *args, o *out) error {
	id := w.passID(a.req("pass"))
	if err := a.done(); err != nil {
		return err
	}
	es, err := w.eng.Ledger(w.ctx, passengine.LedgerFilter{Network: w.net.ID, Pass: id})
	if err != nil {
		w.failure(o, err)
		return nil
	}
	for _, e := range es {
		line := fmt.Sprintf("%s %+d = %d", e.Type, e.Units, e.Balance)
		if e.Visit != "" {
			line += ", visit " + w.name(e.Visit)
		}
		if !e.Amount.Amount.IsZero() {
			line += ", " + amount(e.Amount)
		}
		if e.Comment != "" {
			line += ", " + e.Comment
		}
		o.line("%s", line)
	}
	return nil
}
