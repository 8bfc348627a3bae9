package scenario

import (
	"fmt"
	"sort"
	"strings"
)

// needs says what a command needs declared before it runs.
type needs int

const (
	needNothing needs = iota
	needNetwork
	needClock // the network and the clock
)

// command is one scenario command: run reads its arguments, calls the
// Engine and writes the output; an error it returns is a mistake in the
// scenario (an unknown argument, a value that does not parse), not a
// refusal by the Engine, which is output.
type command struct {
	run   func(w *world, a *args, o *out) error
	needs needs
}

// commands are the scenario commands by name; setup is handled apart.
var commands = map[string]command{
	"network":  {cmdNetwork, needNothing},
	"location": {cmdLocation, needNetwork},
	"team":     {cmdTeam, needNetwork},
	"holder":   {cmdHolder, needNetwork},
	"product":  {cmdProduct, needNetwork},
	"payg":     {cmdPAYG, needNetwork},
	"terms":    {cmdTerms, needClock},
	"engine":   {cmdEngine, needNothing},
	"clock":    {cmdClock, needNetwork},
	"advance":  {cmdAdvance, needClock},

	"issue":       {cmdIssue, needClock},
	"adjust":      {cmdAdjust, needClock},
	"freeze":      {cmdFreeze, needClock},
	"unfreeze":    {cmdUnfreeze, needClock},
	"set-expiry":  {cmdSetExpiry, needClock},
	"mark-paid":   {cmdMarkPaid, needClock},
	"rotate-code": {cmdRotateCode, needClock},
	"pass":        {cmdPass, needClock},
	"balances":    {cmdBalances, needClock},
	"ledger":      {cmdLedger, needClock},

	"check-in":     {cmdCheckIn, needClock},
	"check-out":    {cmdCheckOut, needClock},
	"explain":      {cmdExplain, needClock},
	"book":         {cmdBook, needClock},
	"explain-book": {cmdExplainBook, needClock},
	"cancel":       {cmdCancel, needClock},
	"attend":       {cmdAttend, needClock},
	"move":         {cmdMove, needClock},
	"close-stale":  {cmdCloseStale, needClock},
	"visits":       {cmdVisits, needClock},

	"redeem":         {cmdRedeem, needClock},
	"explain-redeem": {cmdExplainRedeem, needClock},
	"unlock":         {cmdUnlock, needClock},
	"guard":          {cmdGuard, needClock},
	"payout":         {cmdPayout, needClock},
}

// Commands returns the names of the scenario commands, sorted, setup
// included.
func Commands() []string {
	names := []string{"setup"}
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// exec runs one command and appends its output to o.
func (w *world) exec(cmd string, list []Arg, o *out) error {
	c, ok := commands[cmd]
	if !ok {
		return fmt.Errorf("unknown command %q (the commands are %s)", cmd, strings.Join(Commands(), ", "))
	}
	switch {
	case c.needs >= needNetwork && w.net.ID == "":
		return fmt.Errorf("%s: declare the network first (network id=... currency=... zone=...)", cmd)
	case c.needs >= needClock && !w.clockSet:
		return fmt.Errorf("%s: set the clock first (clock at=2024-06-10T08:00)", cmd)
	}
	return c.run(w, newArgs(w, cmd, list), o)
}

// runCase runs a case: a setup block runs each command of its input in
// turn (blank and # lines skipped); any other command takes no input.
// It returns the output, or the scenario's mistake with its line.
func (w *world) runCase(c *Case) (string, error) {
	var o out
	if c.Cmd == "setup" {
		if len(c.Args) > 0 {
			return "", fmt.Errorf("setup takes no arguments: put one command per line under it")
		}
		for i, line := range c.Input {
			t := strings.TrimSpace(line)
			if t == "" || strings.HasPrefix(t, "#") {
				continue
			}
			cmd, list, err := ParseLine(t)
			if err == nil {
				err = w.exec(cmd, list, &o)
			}
			if err != nil {
				return "", lineError{line: c.Line + len(c.Directive) + i, err: err}
			}
		}
		return o.String(), nil
	}
	for _, l := range c.Input {
		if strings.TrimSpace(l) != "" {
			return "", fmt.Errorf("%s takes no input lines (is a ---- missing after it?)", c.Cmd)
		}
	}
	if err := w.exec(c.Cmd, c.Args, &o); err != nil {
		return "", err
	}
	return o.String(), nil
}

// lineError is a mistake on a line of a setup block.
type lineError struct {
	line int
	err  error
}

func (e lineError) Error() string { return e.err.Error() }
