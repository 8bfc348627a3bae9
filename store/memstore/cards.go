package memstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/card"
	"github.com/passengine/passengine/pass"
	"github.com/passengine/passengine/store"
)

// cardIndexes are the memory store's cards and the indexes of the card
// queries: a holder's cards, the one live card per holder and program,
// each network's live passes by expiry, and each network's ledger by
// instant.
type cardIndexes struct {
	cards    valMap[card.Card]      // network+card -> card
	byHolder map[nk]map[string]bool // network+holder -> card IDs
	liveCard map[programKey]string  // network+holder+program -> the card not deleted
	expiring map[string][]expiryKey // network -> live passes with an expiry, sorted
	byAt     map[string][]int       // network -> ledger indexes by (At, index)
}

func newCardIndexes() cardIndexes {
	return cardIndexes{cards: valMap[card.Card]{}, byHolder: map[nk]map[string]bool{},
		liveCard: map[programKey]string{}, expiring: map[string][]expiryKey{}, byAt: map[string][]int{}}
}

type expiryKey struct {
	on calendar.Date
	id string
}

func compareExpiry(a, b expiryKey) int { return cmp.Or(a.on.Compare(b.on), cmp.Compare(a.id, b.id)) }

// expiringKey returns p's place in the expiry index, and false for a pass
// the index leaves out: no units left, revoked, or no expiry.
func expiringKey(p *pass.Pass) (expiryKey, bool) {
	exp := p.Expiry()
	return expiryKey{exp, p.ID}, p.Balance > 0 && !p.Revoked && !exp.IsZero()
}

func (s *Store) indexExpiry(p *pass.Pass) {
	if k, ok := expiringKey(p); ok {
		ks := s.expiring[p.Network]
		i, _ := slices.BinarySearchFunc(ks, k, compareExpiry)
		s.expiring[p.Network] = slices.Insert(ks, i, k)
	}
}

func (s *Store) unindexExpiry(p *pass.Pass) {
	if k, ok := expiringKey(p); ok {
		ks := s.expiring[p.Network]
		if i, found := slices.BinarySearchFunc(ks, k, compareExpiry); found {
			s.expiring[p.Network] = slices.Delete(ks, i, i+1)
		}
	}
}

// compareAt orders ledger indexes by the entry's instant, then by index.
func (s *Store) compareAt(a, b int) int {
	x, y := s.ledger.slots.at(a), s.ledger.slots.at(b)
	return cmp.Or(cmp.Compare(x.sec, y.sec), cmp.Compare(x.nsec, y.nsec), cmp.Compare(a, b))
}

// indexAt indexes entry i of network n by instant. An entry that sorts
// last is appended without a search.
func (s *Store) indexAt(n string, i int) {
	ix := s.byAt[n]
	if len(ix) == 0 || s.compareAt(ix[len(ix)-1], i) < 0 { // the latest: the usual entry
		s.byAt[n] = append(ix, i)
		return
	}
	j, _ := slices.BinarySearchFunc(ix, i, s.compareAt)
	s.byAt[n] = slices.Insert(ix, j, i)
}

// unindexAt takes entry i of network n out of the index by instant.
func (s *Store) unindexAt(n string, i int) {
	ix := s.byAt[n]
	if j, found := slices.BinarySearchFunc(ix, i, s.compareAt); found {
		s.byAt[n] = slices.Delete(ix, j, j+1)
	}
}

type cardRepo struct{ t *tx }

// programKey is the key of a holder's card of one program.
type programKey struct{ net, holder, program string }

func liveKey(c *card.Card) programKey { return programKey{c.Network, c.Holder, c.Program} }

// setCard replaces the card at k with c (nil deletes) and keeps the
// indexes current.
func (s *Store) setCard(k nk, c *card.Card) {
	if old, ok := s.cards[k]; ok {
		delete(s.byHolder[nk{old.Network, old.Holder}], old.ID)
		if s.liveCard[liveKey(&old)] == old.ID {
			delete(s.liveCard, liveKey(&old))
		}
	}
	if c == nil {
		delete(s.cards, k)
		return
	}
	s.cards[k] = *c
	hk := nk{c.Network, c.Holder}
	if s.byHolder[hk] == nil {
		s.byHolder[hk] = map[string]bool{}
	}
	s.byHolder[hk][c.ID] = true
	if c.Status != card.Deleted {
		s.liveCard[liveKey(c)] = c.ID
	}
}

func (r cardRepo) Get(_ context.Context, network, id string) (card.Card, error) {
	return get(r.t.s.cards, nk{network, id}, "card")
}

func (r cardRepo) Put(_ context.Context, c card.Card) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	s, k := r.t.s, nk{c.Network, c.ID}
	if c.Status != card.Deleted {
		if id, ok := s.liveCard[liveKey(&c)]; ok && id != c.ID {
			return fmt.Errorf("card %q: holder %q has card %q of program %q: %w", c.ID, c.Holder, id, c.Program, store.ErrConflict)
		}
	}
	c.IssuedAt = c.IssuedAt.UTC()
	c.LastRedemption, c.LastAdding = c.LastRedemption.UTC(), c.LastAdding.UTC()
	old, had := s.cards[k]
	s.setCard(k, &c)
	u := undo{r: cardUndo{}, k: k, had: had}
	if had {
		u.old = old
	}
	r.t.undo = append(r.t.undo, u)
	return nil
}

// cardUndo puts a card back.
type cardUndo struct{}

func (cardUndo) restore(s *Store, u *undo) {
	if u.had {
		old := u.old.(card.Card)
		s.setCard(u.k, &old)
	} else {
		s.setCard(u.k, nil)
	}
}

func (r cardRepo) List(_ context.Context, f store.CardFilter) ([]card.Card, error) {
	s := r.t.s
	var cs []card.Card
	if f.Holder != "" {
		for id := range s.byHolder[nk{f.Network, f.Holder}] {
			cs = append(cs, s.cards[nk{f.Network, id}])
		}
		slices.SortFunc(cs, func(a, b card.Card) int { return cmp.Compare(a.ID, b.ID) })
	} else {
		cs = inNetwork(s.cards, f.Network, func(a, b card.Card) int { return cmp.Compare(a.ID, b.ID) })
	}
	out := cs[:0]
	for _, c := range cs {
		if (f.Program == "" || c.Program == f.Program) && (!f.Live || c.Status != card.Deleted) && c.ID > f.After {
			out = append(out, c)
		}
	}
	return page(out, 0, f.Limit), nil
}

func (r catalogRepo) DeleteHolder(_ context.Context, network, id string) error {
	if err := r.t.writable(); err != nil {
		return err
	}
	s, k := r.t.s, nk{network, id}
	old, ok := s.holders[k]
	if !ok {
		return fmt.Errorf("holder %q: %w", id, store.ErrNotFound)
	}
	delete(s.holders, k)
	r.t.undo = append(r.t.undo, undo{r: s.holders, k: k, old: old, had: true})
	return nil
}

// Expiring reads the network's expiry index from from (or after the
// cursor): expired passes sort before it and are never visited.
func (r passRepo) Expiring(_ context.Context, network string, from, to calendar.Date, cursor string, limit int) ([]pass.Pass, string, error) {
	ks := r.t.s.expiring[network]
	start := expiryKey{on: from}
	i, _ := slices.BinarySearchFunc(ks, start, compareExpiry)
	if cursor != "" {
		on, id, _ := strings.Cut(cursor, "\x00")
		d, err := calendar.ParseDate(on)
		if err != nil {
			return nil, "", fmt.Errorf("memstore: cursor %q: %w", cursor, store.ErrCursor)
		}
		j, found := slices.BinarySearchFunc(ks, expiryKey{d, id}, compareExpiry)
		if found {
			j++
		}
		i = max(i, j)
	}
	var out []pass.Pass
	for ; i < len(ks) && len(out) < limit && !ks[i].on.After(to); i++ {
		out = append(out, r.t.s.passes[nk{network, ks[i].id}].p.Clone())
	}
	if len(out) < limit {
		return out, "", nil
	}
	last := out[len(out)-1]
	return out, last.Expiry().String() + "\x00" + last.ID, nil
}

// PassPage reads the pass's ledger index; the cursor is the number of the
// pass's entries already returned.
func (r ledgerRepo) PassPage(_ context.Context, network, passID, cursor string, limit int) ([]pass.Entry, string, error) {
	s := r.t.s
	from := 0
	if cursor != "" {
		n, err := strconv.Atoi(cursor)
		if err != nil || n < 0 {
			return nil, "", fmt.Errorf("memstore: cursor %q: %w", cursor, store.ErrCursor)
		}
		from = n
	}
	ix := s.ledger.ofPass(network, passID)
	if from >= len(ix) {
		return nil, "", nil
	}
	end := min(len(ix), from+limit)
	out := make([]pass.Entry, 0, end-from)
	for _, i := range ix[from:end] {
		out = append(out, s.ledger.entry(i))
	}
	if len(out) < limit {
		return out, "", nil
	}
	return out, strconv.Itoa(end), nil
}

// PeriodPage reads the network's ledger index by instant; the cursor is
// the ledger index of the last entry returned.
func (r ledgerRepo) PeriodPage(_ context.Context, network string, from, to time.Time, cursor string, limit int) ([]pass.Entry, string, error) {
	s := r.t.s
	ix := s.byAt[network]
	atOf := func(j int) time.Time { x := s.ledger.slots.at(j); return time.Unix(x.sec, int64(x.nsec)) }
	i, _ := slices.BinarySearchFunc(ix, from, func(j int, t time.Time) int {
		return cmp.Or(atOf(j).Compare(t), 1)
	})
	if cursor != "" {
		n, err := strconv.Atoi(cursor)
		if err != nil || n < 0 || n >= s.ledger.len() {
			return nil, "", fmt.Errorf("memstore: cursor %q: %w", cursor, store.ErrCursor)
		}
		j, _ := slices.BinarySearchFunc(ix, n, s.compareAt)
		i = max(i, j+1)
	}
	var out []pass.Entry
	last := 0
	for ; i < len(ix) && len(out) < limit && atOf(ix[i]).Before(to); i++ {
		out = append(out, s.ledger.entry(ix[i]))
		last = ix[i]
	}
	if len(out) < limit {
		return out, "", nil
	}
	return out, strconv.Itoa(last), nil
}
