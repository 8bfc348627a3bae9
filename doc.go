// Package passengine is a pass and entitlement engine for gyms, studios,
// coworking spaces and gym aggregator networks: it decides whether a
// customer gets in, which pass pays, what pay-as-you-go time costs, and what
// each club is owed.
//
// # Tour
//
// The Engine (this package) is the imperative shell. Each of its calls
// validates the request, reads the injected Clock once, and runs one unit of
// work on a store.Store: it looks up the idempotency key, locks the holder
// (and the holder's team), loads the holder's live state, asks the pure
// core what to do, and writes the effects with the idempotency record in
// the same transaction.
//
// The pure core, with no I/O, clock or randomness:
//   - calendar: civil dates, business days with a cut-off, validity (T1-T5);
//   - money and field: exact amounts and typed input errors (S2);
//   - catalog: networks, locations, teams and holders;
//   - pass: products, passes, activation, lock, expiry, freeze, imports,
//     ledger entries (A1-A6, E1-E5);
//   - entitlement: eligibility with a reason for every pass (G1-G7) and the
//     consumption order as a Policy of named keys (O0-O8);
//   - checkin: check-in, check-out, booking, cancel, attendance and move
//     decisions with lineage (C1-C11, B1-B3), and passcode redemption with
//     its lockout (P2, P3);
//   - billing: PAYG increments, audience prices and daily caps (C5, C6),
//     commercial terms and payout statements (Y1-Y3);
//   - passcode: uniform 8-digit passcodes, desk input, and the keyed hash
//     and seal that keep them out of storage in plain text (P1).
//
// Storage is behind the store package's interfaces. store/memstore keeps
// everything in memory.
//
// # Rules
//
// RULES.md in the repository lists the numbered domain rules, each with the
// file that implements it; tests name the rule they check.
package passengine
