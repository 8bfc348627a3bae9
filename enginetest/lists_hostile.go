package enginetest

import (
	"context"
	"encoding/base64"

	"github.com/passengine/passengine"
	"github.com/passengine/passengine/checkin"
)

// listHostileInputs are the hostile inputs of the Engine's lists: cursors
// that no list returned, limits past the bound, unknown statuses, IDs
// with NUL bytes.
func listHostileInputs() []Hostile {
	forged := base64.RawURLEncoding.EncodeToString([]byte(`{"l":"holders","id":"ada"}`)) // no checksum
	return []Hostile{
		{"holders cursor not base64", "cursor", func(ctx context.Context, h *HostileWorld) error {
			_, err := h.Eng.Holders(ctx, hostileNet, passengine.PageRequest{Cursor: "\x00\xff"})
			return err
		}},
		{"holders cursor forged", "cursor", func(ctx context.Context, h *HostileWorld) error {
			_, err := h.Eng.Holders(ctx, hostileNet, passengine.PageRequest{Cursor: forged})
			return err
		}},
		{"networks limit 2^31", "limit", func(ctx context.Context, h *HostileWorld) error {
			_, err := h.Eng.Networks(ctx, passengine.PageRequest{Limit: 1 << 31})
			return err
		}},
		{"locations network with NUL", "network", func(ctx context.Context, h *HostileWorld) error {
			_, err := h.Eng.Locations(ctx, "hostile\x00", passengine.PageRequest{})
			return err
		}},
		{"occupancy limit -1", "limit", func(ctx context.Context, h *HostileWorld) error {
			_, err := h.Eng.Occupancy(ctx, hostileNet, passengine.PageRequest{Limit: -1})
			return err
		}},
		{"visits status not a status", "status", func(ctx context.Context, h *HostileWorld) error {
			_, err := h.Eng.Visits(ctx, passengine.VisitFilter{Network: hostileNet, Status: checkin.Status("in\x00")})
			return err
		}},
		{"visits cursor forged", "cursor", func(ctx context.Context, h *HostileWorld) error {
			c := base64.RawURLEncoding.EncodeToString([]byte(`{"l":"visits","id":"v","at":"9999-12-31T00:00:00Z"}`))
			_, err := h.Eng.Visits(ctx, passengine.VisitFilter{Network: hostileNet, Cursor: c})
			return err
		}},
	}
}
