// Package wire holds what the JSON forms of passengine's types share: a
// list is written as [] when empty, never null (JSON.md).
package wire

// List returns s, or an empty non-nil slice when s is nil, so that it
// marshals as [] rather than null.
func List[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
