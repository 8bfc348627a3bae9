package passengine

// The filters of the Engine's offset-paged lists. They are the Engine's
// own types, so that a host lists without importing package store.

// PassFilter selects passes for Passes: a holder's, a team's, or the
// network's unpaid ones (A6). Network is required; the other fields,
// when set, narrow the list.
type PassFilter struct {
	// Network is the passes' network; it is not read from JSON (it comes
	// from the route or the host's authentication).
	Network string `json:"-"`
	// Holder, when set, keeps the passes the holder owns.
	Holder string `json:"holder,omitempty"`
	// Team, when set, keeps the passes the team owns.
	Team string `json:"team,omitempty"`
	// Unpaid keeps only the passes not marked paid (A6).
	Unpaid bool `json:"unpaid,omitempty"`
	// Offset is how many passes of the list to skip; 0 starts at the first.
	Offset int `json:"offset,omitempty"`
	// Limit is the most passes returned; 0 means all.
	Limit int `json:"limit,omitempty"`
}

// LedgerFilter selects ledger entries for Ledger: a pass's, a holder's, or
// the network's. Network is required.
type LedgerFilter struct {
	// Network is the entries' network; it is not read from JSON.
	Network string `json:"-"`
	// Pass, when set, keeps one pass's entries.
	Pass string `json:"pass,omitempty"`
	// Holder, when set, keeps one holder's entries.
	Holder string `json:"holder,omitempty"`
	// Offset is how many entries of the list to skip; 0 starts at the
	// first.
	Offset int `json:"offset,omitempty"`
	// Limit is the most entries returned; 0 means all.
	Limit int `json:"limit,omitempty"`
}

// DebtFilter selects the visits that owe money for Outstanding: a
// holder's, or the network's when Holder is "". Network is required.
type DebtFilter struct {
	// Network is the visits' network; it is not read from JSON.
	Network string `json:"-"`
	// Holder, when set, keeps one holder's visits.
	Holder string `json:"holder,omitempty"`
	// Offset is how many visits of the list to skip; 0 starts at the
	// first.
	Offset int `json:"offset,omitempty"`
	// Limit is the most visits returned; 0 means all.
	Limit int `json:"limit,omitempty"`
}

// CardFilter selects multipass cards for Cards: a holder's, a program's,
// or the network's, by ID. Network is required; the other fields, when
// set, narrow the list.
type CardFilter struct {
	// Network is the cards' network; it is not read from JSON.
	Network string `json:"-"`
	// Holder, when set, keeps one holder's cards.
	Holder string `json:"holder,omitempty"`
	// Program, when set, keeps the cards of one program (a product).
	Program string `json:"program,omitempty"`
	// Live keeps only the cards that are not deleted.
	Live bool `json:"live,omitempty"`
	// After keeps only the cards whose ID sorts after it: the last ID of
	// the page before; "" starts at the first.
	After string `json:"after,omitempty"`
	// Limit is the most cards returned; 0 means all.
	Limit int `json:"limit,omitempty"`
}
