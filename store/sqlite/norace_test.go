//go:build !race

package sqlite_test

// raceEnabled is false in a build without the race detector.
const raceEnabled = false
