-- passengine SQLite schema, version 3: prepaid accounts (RULES W1, W2).
--
-- An account is a holder's money in one currency; its balance is the sum
-- of its entries' amounts and is kept current on the account row. Entries
-- are append-only, numbered per account (seq, from 1, without gaps).
-- Amounts are exact decimal text in the account's currency.

CREATE TABLE accounts (
	network    TEXT NOT NULL,
	holder     TEXT NOT NULL,
	currency   TEXT NOT NULL,
	balance    TEXT NOT NULL,
	overdraft  TEXT NOT NULL, -- the limit, '0' for none
	owed       TEXT NOT NULL, -- what the holder's visits still owe
	entries    INTEGER NOT NULL,
	opened_at  TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	PRIMARY KEY (network, holder, currency)
);

CREATE TABLE account_entries (
	network  TEXT NOT NULL,
	holder   TEXT NOT NULL,
	currency TEXT NOT NULL,
	seq      INTEGER NOT NULL,
	id       TEXT NOT NULL,
	at       TEXT NOT NULL,
	type     TEXT NOT NULL,
	amount   TEXT NOT NULL, -- signed
	balance  TEXT NOT NULL, -- after the entry
	pass     TEXT NOT NULL,
	visit    TEXT NOT NULL,
	refunds  TEXT NOT NULL, -- the entry a refund gives money back for
	idem_key TEXT NOT NULL,
	actor    TEXT NOT NULL,
	comment  TEXT NOT NULL,
	PRIMARY KEY (network, holder, currency, seq)
);
CREATE UNIQUE INDEX account_entries_id ON account_entries (network, id);
-- Pages of a network's entries, and of a holder's, oldest first (the
-- order of store.EntryCursor: at, holder, currency, seq).
CREATE INDEX account_entries_at ON account_entries (network, at, holder, currency, seq);
CREATE INDEX account_entries_holder_at ON account_entries (network, holder, at, currency, seq);
CREATE INDEX account_entries_refunds ON account_entries (network, refunds) WHERE refunds <> '';

-- The account entry that paid for a pass (W2); '' for none.
ALTER TABLE passes ADD COLUMN paid_with TEXT NOT NULL DEFAULT '';

-- What the account paid of a visit's charges, and what it still owes
-- (W2). owed is '' when nothing is owed, so that the outstanding debts are
-- the rows of the partial indexes below.
ALTER TABLE visits ADD COLUMN debited TEXT NOT NULL DEFAULT '';
ALTER TABLE visits ADD COLUMN debited_currency TEXT NOT NULL DEFAULT '';
ALTER TABLE visits ADD COLUMN owed TEXT NOT NULL DEFAULT '';
ALTER TABLE visits ADD COLUMN owed_currency TEXT NOT NULL DEFAULT '';
CREATE INDEX visits_owed_holder ON visits (network, holder, start_at, id) WHERE owed <> '';
CREATE INDEX visits_owed ON visits (network, start_at, id) WHERE owed <> '';
