package checkin

import (
	"encoding/json"
	"github.com/passengine/passengine/internal/wire"
	"slices"
	"time"
)

// Guard is a location's passcode brute-force state (RULES P2): the instants
// of recent failed codes and, while locked, when the lock ends.
type Guard struct {
	// Network is the ID of the location's network (S1).
	Network string `json:"network"`
	// Location is the ID of the location the guard counts failures at.
	Location string `json:"location"`
	// Failures are the instants of the unknown codes entered at the
	// location within the lockout's window, oldest first; a lock clears
	// them (P2).
	Failures []time.Time `json:"failures"`
	// LockedUntil is when the location's lock ends; the zero time, or an
	// instant past, when it is not locked.
	LockedUntil time.Time `json:"locked_until,omitzero"`
}

// Clone returns a deep copy of g.
func (g Guard) Clone() Guard {
	g.Failures = slices.Clone(g.Failures)
	return g
}

// MarshalJSON returns g's JSON form (JSON.md): its fields by their json
// tags, with Failures as [] when empty, never null. Its error is always
// nil.
func (g Guard) MarshalJSON() ([]byte, error) {
	type plain Guard
	p := plain(g)
	p.Failures = wire.List(p.Failures)
	return json.Marshal(p)
}
