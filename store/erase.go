package store

// Erasure of a deleted holder's personal data (RULES M5). When the Engine
// deletes a holder it deletes the holder's row (Catalog.DeleteHolder: name,
// audience, team, health declaration) and, in the same unit of work,
// empties the free-text comments of the holder's ledger and account
// entries (Ledger.EraseComments, Accounts.EraseComments) and the stored
// results of the holder's calls (Idempotency.Erase). What stays is the
// history under the holder's ID: instants, types, units, amounts, balances,
// actors and keys. The adapters only carry these writes out; which rows
// the Engine erases, and why, is the Engine's (erase.go in the root
// package).

// ErasedResult is the Result of an idempotency record whose result was
// erased with its holder: the Engine answers a call sent again with that
// key with an error instead of a result. It starts with a NUL byte, which
// no JSON document does; an encoding of results that could produce it
// must change it.
var ErasedResult = []byte("\x00erased")
