package checkin

import (
	"testing"

	"github.com/passengine/passengine/pass"
)

// A State made by NewState takes its first pass copy in its room; a copy
// of that State (another State value) does not share the room, so two
// decisions on the two never write one pass copy between them.
func TestNewStateRoomNotShared(t *testing.T) {
	p := &pass.Pass{ID: "p1", Balance: 5}
	st := NewState()
	st.Passes = []*pass.Pass{p}
	cp := *st
	cp.Passes = []*pass.Pass{p}

	q1 := st.own(p)
	q2 := cp.own(p)
	if q1 == q2 {
		t.Fatal("the State and its copy own one pass copy between them")
	}
	if q1 != &st.room.p {
		t.Errorf("got the first copy outside the room, want it in the room")
	}
	q1.Balance, q2.Balance = 4, 3
	if got, want := st.Passes[0].Balance, 4; got != want {
		t.Errorf("got balance %d in the State, want %d", got, want)
	}
	if got, want := cp.Passes[0].Balance, 3; got != want {
		t.Errorf("got balance %d in the copy, want %d", got, want)
	}
	if got, want := p.Balance, 5; got != want {
		t.Errorf("got balance %d in the original, want %d", got, want)
	}
}

// TestRoomStateIsEmptyEachTime checks that a Room's State is empty each
// time, as NewState's is, whatever the decision before left in it, and
// that its first pass copy is in the room again.
func TestRoomStateIsEmptyEachTime(t *testing.T) {
	var m Room
	p := &pass.Pass{ID: "p1", Balance: 5}
	for i := range 3 {
		st := m.State()
		if len(st.Passes) != 0 || st.Open != nil || st.Recent != nil || len(st.copies) != 0 {
			t.Fatalf("round %d: got a State with passes %d, open %v, recent %v, copies %d, want an empty one",
				i, len(st.Passes), st.Open, st.Recent, len(st.copies))
		}
		if got, want := cap(st.Passes), statePasses; got != want {
			t.Errorf("round %d: got room for %d pass pointers, want %d", i, got, want)
		}
		st.Passes = append(st.Passes, p)
		q := st.own(p)
		if q != &m.r.p {
			t.Errorf("round %d: got the pass copy outside the room, want it in the room", i)
		}
		q.Balance = 4 - i
		st.Open = []Visit{{ID: "v"}}
		if got, want := p.Balance, 5; got != want {
			t.Errorf("round %d: got balance %d in the original, want %d", i, got, want)
		}
	}
}

// A Room's longer Passes array is kept for the next States, and empty
// each time: nothing the State before put in it is left to be read (or
// kept alive).
func TestRoomPassesReusedAndCleared(t *testing.T) {
	var m Room
	p := &pass.Pass{ID: "p1", Balance: 5}
	for i := range 3 {
		st := m.State()
		st.Passes = m.Passes(10)
		if len(st.Passes) != 0 || cap(st.Passes) < 10 {
			t.Fatalf("round %d: got %d passes and room for %d, want 0 and at least 10", i, len(st.Passes), cap(st.Passes))
		}
		for j, q := range st.Passes[:cap(st.Passes)] {
			if q != nil {
				t.Fatalf("round %d: pointer %d of the array is still set", i, j)
			}
		}
		st.Passes = append(st.Passes, p, p, p)
	}
	a, b := m.Passes(10), m.Passes(5)
	if &a[:1][0] != &b[:1][0] {
		t.Error("got a new array for fewer passes, want the Room's")
	}
}
