// Package scenario runs scenario files: plain-text, data-driven tests of
// passengine in which a QA engineer declares a network, its locations,
// products, holders and passes and the clock, runs commands against an
// Engine (check in and out, book, cancel, redeem passcodes, the dry runs,
// move the clock, adjust, freeze, ...) and states the output expected of
// each: the pass that pays, the key of the consumption order that decided,
// each candidate's reason, balances, charges and refusals. No Go code is
// needed: the command passengine-scenario runs a directory of files on the
// in-memory store or SQLite, and Run does the same in a Go test.
//
// # Format
//
// The format is that of github.com/cockroachdb/datadriven, which
// CockroachDB and Pebble use for the same purpose: a directive line (a
// command and its arguments), optional input lines, a "----" line, and
// the expected output, which ends at the first blank line. An output with
// blank lines is written between "----" "----" and "----" "----". Lines
// starting with # before a directive are comments. Arguments are key,
// key=value or key=(value, value). This package parses the format itself
// (datadriven's runner needs a *testing.T, the command has none), so the
// files stay readable by datadriven too.
//
//	# Rule C2: one day pass covers the day.
//	setup
//	network id=hub currency=USD zone=America/New_York
//	location id=downtown
//	holder id=ada audience=member
//	product id=day-5 kind=day units=5 price=125
//	clock at=2024-06-10T09:00
//	issue id=day-pass product=day-5 holder=ada
//	----
//	now Mon 2024-06-10 09:00 EDT
//	pass day-pass: day 5/5, active, product day-5, holder ada, source product
//	  price 125.00 USD, paid, unit value 25.00 USD
//	  on_purchase, activated 2024-06-10, no expiry
//
//	check-in holder=ada location=downtown visit=morning
//	----
//	visit morning: check_in, ada at downtown, Mon 2024-06-10 09:00 EDT, date 2024-06-10, open, day by day-pass
//	  used 1 day of day-pass
//	balances: day-pass 4 days
//	ranking:
//	  1. day-pass day, balance 5 days: chosen
//
// The setup directive runs one command per input line and prints their
// outputs in turn; any command may also be a directive of its own.
//
// # Values
//
// Times are local wall time in the network's zone (2024-06-10T09:00,
// seconds optional), RFC 3339 with an offset, or "now"; calls without at=
// happen now, on the scenario's clock, which only the clock and advance
// commands move. Dates are 2024-06-10. Durations are Go durations with d
// for 24 hours (90m, 4h, 2d). Amounts are decimals in the network's
// currency. Passes and visits are named by id= (issue) and visit=
// (check-in, book, redeem), or get the names p1, p2, ... and v1, v2, ...;
// the name is the Engine's ID (so the last tie-break of the order, O7,
// is by name). Idempotency keys are new for every call unless key= is
// given.
//
// The Engine bounds the instants it is given by its clock (a health
// declaration or a check-in's at= may not be in the future, a class not
// beyond the booking horizon), so set the clock right after the network.
//
// Runs are deterministic: a manual clock, IDs from the names and a
// counter, a fixed passcode key (CodeKey) and a seeded passcode source.
// Output does not show passcodes: redeem code=<pass> types the code the
// pass's holder would show, digits=<8 digits> types any digits.
//
// # Commands
//
// Declarations (they print nothing, unless the Engine refuses them):
//
//	network id= currency= zone= [name=]
//	location id= [zone=] [cutoff=3h] [tier=] [name=]
//	team id= [sharing]
//	holder id= [audience=member|contact] [team=] [health=<time>]
//	product id= kind=day|time|visits units= [price=] [unit-value=] [locations=(a, b)]
//	        [tier=] [audience=] [priority=high|normal|low] [validity=30d|1m|1m15d]
//	        [activation=on_purchase|on_first_use|merchant_set] [locked]
//	payg id= [member=] [contact=] [everyone=] [cap=] [locations=(a, b)]
//	terms location= id= [rate=] [rates=(2:7, 3:9, <product>:5)] [visit-cap=] [amount-cap=]
//	      [payg-share=] [from=<time>]
//	engine [policy=(priority, kind, ...)] [max-open=] [cancel-window=] [refund-late]
//	       [no-show-fee=] [settle-later] [lockout=(5, 15m, 24h)]
//
// engine makes the Engine again with the options given (the others take
// their defaults); policy lists the keys of entitlement.DefaultPolicy by
// name in the host's order (O8).
//
// The clock (each prints the new time):
//
//	clock at=<time>
//	advance by=<duration> | to=<time> | to=HH:MM (today)
//
// Passes (each prints the pass after the call, with its status today):
//
//	issue [id=] product= holder=|team= [source=] [remaining=] [price=] [unpaid]
//	      [activated=<date>] [expires=<date>] [passcode]
//	adjust pass= units= [amount=] [comment=]
//	freeze pass= from=<date> to=<date>
//	unfreeze pass= on=<date>
//	set-expiry pass= on=<date>
//	mark-paid pass= by=
//	rotate-code pass=
//	pass id=
//	balances holder=|team=
//	ledger pass=
//
// Visits (each prints the visit, the balances after, the charge and the
// ranked candidates, or the refusal with every pass's reason):
//
//	check-in holder= location= [cost=] [at=] [visit=]
//	check-out visit= [at=]
//	explain holder= location= [cost=] [at=]        the dry run of check-in
//	book holder= location= start=<time> [cost=] [visit=]
//	explain-book holder= location= start=<time> [cost=]
//	cancel visit= [by-business]
//	attend visit= [no-show]
//	move visit= pass=
//	close-stale
//	visits holder= [location=] [kind=]
//
// Aggregator networks:
//
//	redeem location= code=<pass>|digits=<typed> [at=] [visit=]
//	explain-redeem location= code=<pass>|digits=<typed> [at=]
//	unlock location= [actor=]
//	guard location=
//	payout [location=] from=<date> to=<date>
//
// A refusal by the Engine is output ("refused: ..." or "error: ...");
// a mistake in the scenario (an unknown command or argument, a value that
// does not parse, a call before the network or the clock) stops the file
// with its line.
//
// # Running
//
// In a Go test, Run runs every file of a directory on a new store per
// file; with PASSENGINE_SCENARIO_REWRITE=1 it rewrites the expected
// outputs instead, for review in version control. The command
// passengine-scenario does the same without Go code:
//
//	go run ./cmd/passengine-scenario -store sqlite scenario/testdata
//	go run ./cmd/passengine-scenario -rewrite my-scenarios/
package scenario
