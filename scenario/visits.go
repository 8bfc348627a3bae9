package scenario

import (
	"github.com/passengine/passengine"
	"github.com/passengine/passengine/checkin"
)

// The visit commands: check-in, check-out, book, cancel, attend, move and
// close-stale, and the dry runs explain and explain-book. Each prints the
// call's result (C9) or its refusal with every pass's reason (G7).

// newVisit runs call, a call that makes a visit, named given or v1, v2,
// ... (create), records the name when the call made the visit, and prints
// the result or the refusal. It returns an error only for a name that is
// taken.
func (w *world) newVisit(o *out, given string, call func() (passengine.VisitResult, error)) error {
	var r passengine.VisitResult
	var err error
	name, nerr := w.create(given, "v", func() { r, err = call() })
	if nerr != nil {
		return nerr
	}
	if err == nil && r.Visit.ID != "" {
		name = w.nameVisit(name, r.Visit.ID)
	}
	w.printVisit(o, name, r, err)
	return nil
}

// printVisit prints a visit call's result or refusal.
func (w *world) printVisit(o *out, name string, r passengine.VisitResult, err error) {
	if err != nil {
		w.failure(o, err)
		return
	}
	w.visitResult(o, name, r)
}

func cmdCheckIn(w *world, a *args, o *out) error {
	req := passengine.CheckInRequest{Key: w.key(a), Network: w.net.ID, Holder: a.req("holder"), Location: a.req("location"),
		At: a.instant("at"), Cost: a.int("cost", 0), Actor: a.str("actor", "")}
	given := a.str("visit", "")
	if err := a.done(); err != nil {
		return err
	}
	return w.newVisit(o, given, func() (passengine.VisitResult, error) { return w.eng.CheckIn(w.ctx, req) })
}

func cmdExplain(w *world, a *args, o *out) error {
	req := passengine.CheckInRequest{Network: w.net.ID, Holder: a.req("holder"), Location: a.req("location"),
		At: a.instant("at"), Cost: a.int("cost", 0)}
	if err := a.done(); err != nil {
		return err
	}
	r, err := w.eng.Explain(w.ctx, req)
	o.line("dry run: check-in")
	w.printVisit(o, "(new)", r, err)
	return nil
}

func cmdBook(w *world, a *args, o *out) error {
	req := passengine.BookRequest{Key: w.key(a), Network: w.net.ID, Holder: a.req("holder"), Location: a.req("location"),
		Start: a.instant("start"), Cost: a.int("cost", 0), Actor: a.str("actor", "")}
	given := a.str("visit", "")
	if err := a.done(); err != nil {
		return err
	}
	return w.newVisit(o, given, func() (passengine.VisitResult, error) { return w.eng.Book(w.ctx, req) })
}

func cmdExplainBook(w *world, a *args, o *out) error {
	req := passengine.BookRequest{Network: w.net.ID, Holder: a.req("holder"), Location: a.req("location"),
		Start: a.instant("start"), Cost: a.int("cost", 0)}
	if err := a.done(); err != nil {
		return err
	}
	r, err := w.eng.ExplainBook(w.ctx, req)
	o.line("dry run: booking")
	w.printVisit(o, "(new)", r, err)
	return nil
}

// onVisit runs a call on an existing visit and prints its result.
func (w *world) onVisit(o *out, visit string, call func(id string) (passengine.VisitResult, error)) {
	r, err := call(w.visitID(visit))
	w.printVisit(o, visit, r, err)
}

func cmdCheckOut(w *world, a *args, o *out) error {
	req := passengine.CheckOutRequest{Key: w.key(a), Network: w.net.ID, At: a.instant("at"), Actor: a.str("actor", "")}
	visit := a.req("visit")
	if err := a.done(); err != nil {
		return err
	}
	w.onVisit(o, visit, func(id string) (passengine.VisitResult, error) {
		req.Visit = id
		return w.eng.CheckOut(w.ctx, req)
	})
	return nil
}

func cmdCancel(w *world, a *args, o *out) error {
	req := passengine.CancelRequest{Key: w.key(a), Network: w.net.ID, ByBusiness: a.has("by-business"), Actor: a.str("actor", "")}
	visit := a.req("visit")
	if err := a.done(); err != nil {
		return err
	}
	w.onVisit(o, visit, func(id string) (passengine.VisitResult, error) {
		req.Visit = id
		return w.eng.CancelBooking(w.ctx, req)
	})
	return nil
}

// cmdAttend marks a booking attended, or a no-show with no-show.
func cmdAttend(w *world, a *args, o *out) error {
	req := passengine.AttendanceRequest{Key: w.key(a), Network: w.net.ID, Attended: !a.has("no-show"), Actor: a.str("actor", "")}
	visit := a.req("visit")
	if err := a.done(); err != nil {
		return err
	}
	w.onVisit(o, visit, func(id string) (passengine.VisitResult, error) {
		req.Visit = id
		return w.eng.MarkAttendance(w.ctx, req)
	})
	return nil
}

func cmdMove(w *world, a *args, o *out) error {
	req := passengine.MoveRequest{Key: w.key(a), Network: w.net.ID, Actor: a.str("actor", "")}
	visit, to := a.req("visit"), a.req("pass")
	if err := a.done(); err != nil {
		return err
	}
	req.Pass = w.passID(to)
	w.onVisit(o, visit, func(id string) (passengine.VisitResult, error) {
		req.Visit = id
		return w.eng.MoveVisit(w.ctx, req)
	})
	return nil
}

func cmdCloseStale(w *world, a *args, o *out) error {
	req := passengine.CloseStaleRequest{Key: w.key(a), Network: w.net.ID}
	if err := a.done(); err != nil {
		return err
	}
	rs, err := w.eng.CloseStale(w.ctx, req)
	if err != nil {
		w.failure(o, err)
		return nil
	}
	if len(rs) == 0 {
		o.line("no visit closed")
	}
	for _, r := range rs {
		w.visitResult(o, w.name(r.Visit.ID), r)
	}
	return nil
}

// cmdVisits lists a holder's visits (at a location, of a kind) by start.
func cmdVisits(w *world, a *args, o *out) error {
	f := passengine.VisitFilter{Network: w.net.ID, Holder: a.req("holder"), Location: a.str("location", ""),
		Kind: checkin.Kind(a.str("kind", ""))}
	if err := a.done(); err != nil {
		return err
	}
	n := 0
	for {
		page, err := w.eng.Visits(w.ctx, f)
		if err != nil {
			w.failure(o, err)
			return nil
		}
		for _, v := range page.Items {
			w.visit(o, w.name(v.ID), v)
			n++
		}
		if f.Cursor = page.Next; f.Cursor == "" {
			break
		}
	}
	if n == 0 {
		o.line("no visits")
	}
	return nil
}
