-- passengine PostgreSQL schema, version 4: prepaid accounts (RULES W1, W2).
--
-- An account is a holder's money in one currency; its balance is the sum
-- of its entries' amounts and is kept current on the account row. Entries
-- are append-only, numbered per account (seq, from 1, without gaps).
-- Amounts are numeric in the account's currency.

CREATE TABLE accounts (
    network    text        NOT NULL,
    holder     text        NOT NULL,
    currency   text        NOT NULL,
    balance    numeric     NOT NULL,
    overdraft  numeric     NOT NULL, -- the limit, 0 for none
    owed       numeric     NOT NULL, -- what the holder's visits still owe
    entries    bigint      NOT NULL,
    opened_at  timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (network, holder, currency)
);

CREATE TABLE account_entries (
    network  text        NOT NULL,
    holder   text        NOT NULL,
    currency text        NOT NULL,
    seq      bigint      NOT NULL,
    id       text        NOT NULL,
    at       timestamptz NOT NULL,
    type     text        NOT NULL,
    amount   numeric     NOT NULL, -- signed
    balance  numeric     NOT NULL, -- after the entry
    pass     text        NOT NULL,
    visit    text        NOT NULL,
    refunds  text        NOT NULL, -- the entry a refund gives money back for
    key      text        NOT NULL,
    actor    text        NOT NULL,
    comment  text        NOT NULL,
    PRIMARY KEY (network, holder, currency, seq)
);
CREATE UNIQUE INDEX account_entries_id ON account_entries (network, id);
-- Pages of a network's entries, and of a holder's, oldest first (the
-- order of store.EntryCursor: at, holder, currency, seq).
CREATE INDEX account_entries_at ON account_entries (network, at, holder, currency, seq);
CREATE INDEX account_entries_holder_at ON account_entries (network, holder, at, currency, seq);
CREATE INDEX account_entries_refunds ON account_entries (network, refunds) WHERE refunds <> '';

-- The account entry that paid for a pass (W2); '' for none.
ALTER TABLE passes ADD COLUMN paid_with text NOT NULL DEFAULT '';

-- What the account paid of a visit's charges, and what it still owes (W2).
ALTER TABLE visits ADD COLUMN debited numeric NOT NULL DEFAULT 0;
ALTER TABLE visits ADD COLUMN debited_currency text NOT NULL DEFAULT '';
ALTER TABLE visits ADD COLUMN owed numeric NOT NULL DEFAULT 0;
ALTER TABLE visits ADD COLUMN owed_currency text NOT NULL DEFAULT '';
CREATE INDEX visits_owed_holder ON visits (network, holder, start_at, id) WHERE owed > 0;
CREATE INDEX visits_owed ON visits (network, start_at, id) WHERE owed > 0;
