package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

func passID(p pass.Pass) string { return p.ID }

// testPasses: Get, Put (insert and replace), Live (own passes with units
// and, with a team, the team's; never used-up ones), List (filters, issue
// order, paging).
func (s *suite) testPasses(t *testing.T) {
	st := s.store(t)
	const n = "net-1"
	full := samplePass(n, "pass-full", "holder-1")
	complete(t, "Pass", full, "Team")

	view(t, st, func(tx store.Tx) error {
		_, err := tx.Passes().Get(bg, n, "pass-full")
		wantErr(t, "Get before Put", err, store.ErrNotFound)
		live, err := tx.Passes().Live(bg, n, "holder-1", "team-1")
		must(t, "Live", err)
		if len(live) != 0 {
			t.Errorf("Live with no passes: got %d, want 0", len(live))
		}
		return nil
	})

	t0 := instant(2, 9, 0)
	team := simplePass(n, "pass-team", "", 4, t0.Add(3*time.Microsecond))
	team.Team = "team-1"
	usedTeam := simplePass(n, "pass-team-used", "", 0, t0.Add(4*time.Microsecond))
	usedTeam.Team = "team-1"
	otherTeam := simplePass(n, "pass-team-2", "", 4, t0.Add(5*time.Microsecond))
	otherTeam.Team = "team-2"
	unpaid := simplePass(n, "pass-b", "holder-1", 5, t0) // same issue instant as pass-a: ID decides
	passes := []pass.Pass{
		full,
		unpaid,
		simplePass(n, "pass-a", "holder-1", 3, t0),
		simplePass(n, "pass-used", "holder-1", 0, t0.Add(1*time.Microsecond)),
		simplePass(n, "pass-other", "holder-2", 6, t0.Add(2*time.Microsecond)),
		team, usedTeam, otherTeam,
	}
	for i := range passes[1:] {
		passes[i+1].Paid = passes[i+1].ID != "pass-b" && passes[i+1].ID != "pass-team"
	}
	update(t, st, func(tx store.Tx) error {
		for _, p := range passes {
			must(t, "Put "+p.ID, tx.Passes().Put(bg, p))
		}
		got, err := tx.Passes().Get(bg, n, "pass-full")
		must(t, "Get in the same unit of work", err)
		same(t, "Get in the same unit of work", got, full)
		return nil
	})
	view(t, st, func(tx store.Tx) error {
		ps := tx.Passes()
		got, err := ps.Get(bg, n, "pass-full")
		must(t, "Get", err)
		same(t, "Get", got, full)

		live, err := ps.Live(bg, n, "holder-1", "")
		must(t, "Live", err)
		same(t, "Live(holder-1) IDs", ids(live, passID), []string{"pass-a", "pass-b", "pass-full"})
		live, err = ps.Live(bg, n, "holder-1", "team-1")
		must(t, "Live", err)
		same(t, "Live(holder-1, team-1) IDs", ids(live, passID), []string{"pass-a", "pass-b", "pass-full", "pass-team"})
		for _, p := range live {
			if p.ID == "pass-full" {
				same(t, "Live pass", p, full)
			}
		}
		live, err = ps.Live(bg, n, "holder-3", "team-2")
		must(t, "Live", err)
		same(t, "Live(holder-3, team-2) IDs", ids(live, passID), []string{"pass-team-2"})

		all, err := ps.List(bg, store.PassFilter{Network: n})
		must(t, "List", err)
		same(t, "List IDs (issue order, then ID)", ids(all, passID), []string{"pass-a", "pass-b", "pass-used",
			"pass-other", "pass-team", "pass-team-used", "pass-team-2", "pass-full"})
		mine, err := ps.List(bg, store.PassFilter{Network: n, Holder: "holder-1"})
		must(t, "List", err)
		same(t, "List(holder-1) IDs", ids(mine, passID), []string{"pass-a", "pass-b", "pass-used", "pass-full"})
		if len(mine) == 4 {
			same(t, "List(holder-1)[3]", mine[3], full)
		}
		teams, err := ps.List(bg, store.PassFilter{Network: n, Team: "team-1"})
		must(t, "List", err)
		same(t, "List(team-1) IDs", ids(teams, passID), []string{"pass-team", "pass-team-used"})
		unpaidList, err := ps.List(bg, store.PassFilter{Network: n, Unpaid: true})
		must(t, "List", err)
		same(t, "List(unpaid) IDs", ids(unpaidList, passID), []string{"pass-b", "pass-team"})
		pg, err := ps.List(bg, store.PassFilter{Network: n, Offset: 2, Limit: 3})
		must(t, "List", err)
		same(t, "List(offset 2, limit 3) IDs", ids(pg, passID), []string{"pass-used", "pass-other", "pass-team"})
		pg, err = ps.List(bg, store.PassFilter{Network: n, Holder: "holder-1", Offset: 3})
		must(t, "List", err)
		same(t, "List(holder-1, offset 3) IDs", ids(pg, passID), []string{"pass-full"})
		pg, err = ps.List(bg, store.PassFilter{Network: n, Offset: 100})
		must(t, "List", err)
		same(t, "List(offset past the end) IDs", ids(pg, passID), []string{})
		return nil
	})

	// Replacing a pass moves it in and out of Live.
	update(t, st, func(tx store.Tx) error {
		a, err := tx.Passes().Get(bg, n, "pass-a")
		must(t, "Get", err)
		a.Balance = 0
		must(t, "Put", tx.Passes().Put(bg, a))
		u, err := tx.Passes().Get(bg, n, "pass-used")
		must(t, "Get", err)
		u.Balance, u.Units = 2, 12
		return tx.Passes().Put(bg, u)
	})
	view(t, st, func(tx store.Tx) error {
		live, err := tx.Passes().Live(bg, n, "holder-1", "")
		must(t, "Live", err)
		same(t, "Live after replace IDs", ids(live, passID), []string{"pass-b", "pass-full", "pass-used"})
		u, err := tx.Passes().Get(bg, n, "pass-used")
		must(t, "Get", err)
		if u.Balance != 2 || u.Units != 12 {
			t.Errorf("replaced pass: got balance %d of %d, want 2 of 12", u.Balance, u.Units)
		}
		return nil
	})
}

// testPassCodes: ByCode finds a pass by its code hash in its network only;
// a second pass with the same code hash is ErrConflict (and a unit of work
// that returns that error stores nothing); a pass may be put again with
// its own code, and a changed code frees the old one.
func (s *suite) testPassCodes(t *testing.T) {
	st := s.store(t)
	const n = "net-1"
	p1 := simplePass(n, "pass-1", "holder-1", 3, instant(2, 9, 0))
	p1.CodeHash = "hash-a"
	update(t, st, func(tx store.Tx) error { return tx.Passes().Put(bg, p1) })
	view(t, st, func(tx store.Tx) error {
		got, err := tx.Passes().ByCode(bg, n, "hash-a")
		must(t, "ByCode", err)
		same(t, "ByCode", got, p1)
		_, err = tx.Passes().ByCode(bg, n, "hash-b")
		wantErr(t, "ByCode of an unknown code", err, store.ErrNotFound)
		_, err = tx.Passes().ByCode(bg, "net-2", "hash-a")
		wantErr(t, "ByCode in another network", err, store.ErrNotFound)
		return nil
	})

	p2 := simplePass(n, "pass-2", "holder-2", 3, instant(2, 9, 0))
	p2.CodeHash = "hash-a"
	err := st.Update(bg, func(tx store.Tx) error {
		must(t, "Put of an unrelated pass", tx.Passes().Put(bg, simplePass(n, "pass-3", "holder-3", 1, instant(2, 9, 0))))
		return tx.Passes().Put(bg, p2)
	})
	wantErr(t, "Put of a second pass with the same code hash", err, store.ErrConflict)
	view(t, st, func(tx store.Tx) error {
		_, err := tx.Passes().Get(bg, n, "pass-2")
		wantErr(t, "Get of the refused pass", err, store.ErrNotFound)
		_, err = tx.Passes().Get(bg, n, "pass-3")
		wantErr(t, "Get of a pass put in the failed unit of work", err, store.ErrNotFound)
		got, err := tx.Passes().ByCode(bg, n, "hash-a")
		must(t, "ByCode", err)
		if got.ID != "pass-1" {
			t.Errorf("ByCode after the refused put: got %s, want pass-1", got.ID)
		}
		return nil
	})

	// The same code in another network is another code.
	other := p2
	other.Network = "net-2"
	update(t, st, func(tx store.Tx) error { return tx.Passes().Put(bg, other) })

	// Putting pass-1 again with its code is fine; changing it frees hash-a.
	update(t, st, func(tx store.Tx) error {
		p1.Balance = 2
		must(t, "Put with the same code", tx.Passes().Put(bg, p1))
		p1.CodeHash = "hash-c"
		return tx.Passes().Put(bg, p1)
	})
	update(t, st, func(tx store.Tx) error { return tx.Passes().Put(bg, p2) })
	view(t, st, func(tx store.Tx) error {
		for code, want := range map[string]string{"hash-a": "pass-2", "hash-c": "pass-1"} {
			got, err := tx.Passes().ByCode(bg, n, code)
			must(t, "ByCode "+code, err)
			if got.ID != want {
				t.Errorf("ByCode(%s): got %s, want %s", code, got.ID, want)
			}
		}
		got, err := tx.Passes().ByCode(bg, "net-2", "hash-a")
		must(t, "ByCode in net-2", err)
		if got.ID != "pass-2" || got.Network != "net-2" {
			t.Errorf("ByCode in net-2: got %s of %s, want pass-2 of net-2", got.ID, got.Network)
		}
		// Passes without a code never match the empty code.
		_, err = tx.Passes().ByCode(bg, n, "")
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("ByCode of the empty code: got %v, want ErrNotFound", err)
		}
		return nil
	})
}
