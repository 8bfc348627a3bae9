package enttest

import (
	"github.com/passengine/passengine/entitlement"
	"pgregory.net/rapid"
)

// GenPolicy returns a generator of a host policy (O8): any subset of the
// default policy's keys, in any order, the empty policy included. Some of
// them are not consistent orders (a policy that keeps ByRemainingMinutes
// but drops ByKind ranks time passes among themselves while tying each
// with a visits pass); CheckPolicy tells which.
func GenPolicy() *rapid.Generator[entitlement.Policy] {
	return rapid.Custom(func(t *rapid.T) entitlement.Policy {
		keys := rapid.Permutation([]entitlement.Key(entitlement.DefaultPolicy())).Draw(t, "keys")
		return keys[:rapid.IntRange(0, len(keys)).Draw(t, "n")]
	})
}
