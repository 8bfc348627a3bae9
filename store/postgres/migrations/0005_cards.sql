-- passengine PostgreSQL schema, version 5: multipass cards (RULES M1-M7).
--
-- A card's visits are a pass (passes.card names the card); the card's row
-- holds its status, bonus points and the counters its metrics read, so a
-- read never sums history. Bonus entries share the pass's ledger (points,
-- bonus). A deleted card's pass, and the passes of a deleted holder, are
-- revoked: never eligible again (M5).

ALTER TABLE passes ADD COLUMN card text NOT NULL DEFAULT '';
ALTER TABLE passes ADD COLUMN revoked boolean NOT NULL DEFAULT false;
-- expiry is the pass's last usable date with its freezes (pass.Pass.Expiry),
-- 9999-12-31 for none, written by every put. Rows of passes frozen before
-- this version are left NULL here and computed by Migrate in Go.
ALTER TABLE passes ADD COLUMN expiry date;
UPDATE passes SET expiry = COALESCE(expires_on, DATE '9999-12-31') WHERE freezes IS NULL;
-- Expiring soon: live passes by expiry; expired ones sort before the
-- window and are never read.
CREATE INDEX passes_expiring ON passes (network, expiry, id) WHERE balance > 0 AND NOT revoked;

ALTER TABLE ledger ADD COLUMN points bigint NOT NULL DEFAULT 0;
ALTER TABLE ledger ADD COLUMN bonus bigint NOT NULL DEFAULT 0;
-- A network's entries of a period, by instant (history export).
CREATE INDEX ledger_at ON ledger (network, at, seq);

CREATE TABLE cards (
    network            text        NOT NULL,
    id                 text        NOT NULL,
    holder             text        NOT NULL,
    program            text        NOT NULL,
    pass               text        NOT NULL,
    status             text        NOT NULL,
    issued_at          timestamptz NOT NULL,
    issued_on          date,
    sold               bigint      NOT NULL,
    redeemed           bigint      NOT NULL,
    removed            bigint      NOT NULL,
    referral           bigint      NOT NULL,
    bonus              bigint      NOT NULL,
    purchases          numeric     NOT NULL,
    purchases_currency text        NOT NULL,
    refunds            numeric     NOT NULL,
    refunds_currency   text        NOT NULL,
    last_redemption    timestamptz,
    last_adding        timestamptz,
    PRIMARY KEY (network, id)
);
CREATE INDEX cards_holder ON cards (network, holder, id);
-- One card per holder and program that is not deleted.
CREATE UNIQUE INDEX cards_live ON cards (network, holder, program) WHERE status <> 'deleted';
