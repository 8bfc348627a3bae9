package checkin

import (
	"slices"
	"time"
)

// Guard is a location's passcode brute-force state (RULES P2): the instants
// of recent failed codes and, while locked, when the lock ends.
type Guard struct {
	Network     string      `json:"network"`
	Location    string      `json:"location"`
	Failures    []time.Time `json:"failures,omitempty"`
	LockedUntil time.Time   `json:"locked_until"`
}

// Clone returns a deep copy of g.
func (g Guard) Clone() Guard {
	g.Failures = slices.Clone(g.Failures)
	return g
}
