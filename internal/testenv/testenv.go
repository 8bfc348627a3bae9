// Package testenv tells tests about the binary they run in.
package testenv

import (
	"runtime/debug"
	"testing"
)

// Instrumented reports whether the test binary was built with the race
// detector or with coverage, which make allocations of their own: exact
// allocation counts (testing.AllocsPerRun) hold only when it is false.
func Instrumented() bool {
	if testing.CoverMode() != "" {
		return true
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range info.Settings {
		if s.Key == "-race" && s.Value == "true" {
			return true
		}
	}
	return false
}
