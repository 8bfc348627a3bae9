package passengine

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"time"

	"github.com/passengine/passengine/calendar"
	"github.com/passengine/passengine/field"
)

// PageRequest asks for one page of a list: the first page, or the page
// after the one whose Next is Cursor.
type PageRequest struct {
	// Cursor is the Next of the page before; "" asks for the first page.
	// A cursor is opaque: pass it back as it came.
	Cursor string `json:"cursor,omitempty"`
	// Limit is the most items the page holds: 0 means 100; at most
	// 10,000.
	Limit int `json:"limit,omitempty"`
}

// Page is one page of a list, in the list's order, and the cursor of the
// page after it.
type Page[T any] struct {
	// Items are the page's items: at most the request's limit, never nil
	// (an empty list is an empty page).
	Items []T `json:"items"`
	// Next is the cursor of the next page; "" when this page is the last.
	Next string `json:"next,omitempty"`
}

// The page sizes of PageRequest.Limit.
const (
	defaultPageLimit = 100
	maxPageLimit     = 10_000
)

// pageLimit returns the page size of a requested limit: a *FieldError
// named "limit" for one below 0 or above maxPageLimit, the default for 0.
func pageLimit(limit int) (int, error) {
	if err := field.NonNegative("limit", limit); err != nil {
		return 0, err
	}
	if limit > maxPageLimit {
		return 0, field.Invalid("limit", "must be at most %d, got %d", maxPageLimit, limit)
	}
	if limit == 0 {
		return defaultPageLimit, nil
	}
	return limit, nil
}

// cursor is where a page ends: the list it belongs to and the sort key
// of its last item, an ID and, for visits, the start. Its encoding is
// base64 (URL alphabet, no padding) of its JSON followed by the first
// bytes of the JSON's SHA-256, so that an altered cursor is refused
// rather than read as another position. A cursor is no secret and grants
// nothing: it only says where a list resumes.
type cursor struct {
	List string    `json:"l"`
	ID   string    `json:"id"`
	At   time.Time `json:"at,omitzero"`
}

func (c cursor) String() string {
	b, _ := json.Marshal(c) // strings and a time: never fails
	sum := sha256.Sum256(b)
	return base64.RawURLEncoding.EncodeToString(append(b, sum[:cursorSum]...))
}

// cursorSum is how many bytes of the SHA-256 a cursor carries.
const cursorSum = 4

// parseCursor returns the position s names in list: the zero cursor for
// "", and a *FieldError named "cursor" for anything that is not a cursor
// of list (another list's, altered, or made up). timed tells whether the
// list's cursors carry an instant.
func parseCursor(s, list string, timed bool) (cursor, error) {
	var c cursor
	if s == "" {
		return c, nil
	}
	bad := field.Invalid("cursor", "is not a cursor of %s", list)
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) <= cursorSum {
		return c, bad
	}
	b, tail := b[:len(b)-cursorSum], b[len(b)-cursorSum:]
	if sum := sha256.Sum256(b); !bytes.Equal(sum[:cursorSum], tail) {
		return c, bad
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if d.Decode(&c) != nil || d.More() || c.List != list || field.ID("cursor", c.ID) != nil ||
		c.At.IsZero() == timed || (timed && !calendar.ValidInstant(c.At)) {
		return cursor{}, bad
	}
	if c.String() != s { // another spelling of a position: not one a list made
		return cursor{}, bad
	}
	c.At = c.At.UTC()
	return c, nil
}

// pageOf returns the page of items, read with one more than limit to tell
// whether a page follows: the first limit of them and, when more were
// read, the cursor of the last one kept, made by pos.
func pageOf[T any](items []T, limit int, pos func(*T) cursor) Page[T] {
	p := Page[T]{Items: items}
	if len(items) > limit {
		p.Items = items[:limit]
		p.Next = pos(&p.Items[limit-1]).String()
	}
	if p.Items == nil {
		p.Items = []T{}
	}
	return p
}
