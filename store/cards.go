package store

import (
	"context"
	"errors"

	"github.com/passengine/passengine/card"
)

// Cards stores multipass cards (RULES M5, M6): a card's status, bonus
// points and counters. Its visits are its pass's, in Passes.
type Cards interface {
	// Get returns the card with id, or ErrNotFound.
	Get(ctx context.Context, network, id string) (card.Card, error)
	// Put inserts or replaces the card by (network, ID). Two cards of one
	// holder and program that are not deleted cannot both be stored: Put
	// of the second returns ErrConflict (or, on a store that checks at
	// commit, makes the unit of work fail with it).
	Put(ctx context.Context, c card.Card) error
	// List returns the cards matching f, ordered by ID.
	List(ctx context.Context, f CardFilter) ([]card.Card, error)
}

// CardFilter selects cards. Network is required; empty fields match all.
type CardFilter struct {
	// Network is the ID of the cards' network.
	Network string
	// Holder keeps one holder's cards.
	Holder string
	// Program keeps the cards of one program.
	Program string
	// Live keeps only cards that are not deleted.
	Live bool
	// After keeps only cards whose ID is greater: the cursor of the next
	// page is the last ID of the page before.
	After string
	Limit int // 0: no limit
}

// ErrCursor is returned, wrapped, by Passes.Expiring, Ledger.PassPage and
// Ledger.PeriodPage for a cursor they did not make.
var ErrCursor = errors.New("bad cursor")
