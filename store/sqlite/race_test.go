//go:build race

package sqlite_test

// raceEnabled is true in a build with the race detector, which slows
// SQLite (pure Go) more than tenfold: the conformance suite's double-spend
// rounds are then fewer (they look for data races, which the first rounds
// show as well as the twentieth).
const raceEnabled = true
