-- passengine SQLite schema, version 4: multipass cards (RULES M1-M7).
--
-- A card's visits are a pass (passes.card names the card); the card's row
-- holds its status, bonus points and the counters its metrics read, so a
-- read never sums history. Bonus entries share the pass's ledger (points,
-- bonus). A deleted card's pass, and the passes of a deleted holder, are
-- revoked: never eligible again (M5).

ALTER TABLE passes ADD COLUMN card TEXT NOT NULL DEFAULT '';
ALTER TABLE passes ADD COLUMN revoked INTEGER NOT NULL DEFAULT 0;
-- expiry is the pass's last usable date with its freezes (pass.Pass.Expiry),
-- '' for none, written by every put. Rows of passes frozen before this
-- version are left NULL here and computed by Migrate in Go.
ALTER TABLE passes ADD COLUMN expiry TEXT;
UPDATE passes SET expiry = expires_on WHERE freezes = '';
-- Expiring soon: live passes by expiry; expired ones sort before the
-- window and are never read.
CREATE INDEX passes_expiring ON passes (network, expiry, id) WHERE balance > 0 AND revoked = 0 AND expiry <> '';

ALTER TABLE ledger ADD COLUMN points INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ledger ADD COLUMN bonus INTEGER NOT NULL DEFAULT 0;
-- A network's entries of a period, by instant (history export).
CREATE INDEX ledger_at ON ledger (network, at, seq);

CREATE TABLE cards (
	network            TEXT NOT NULL,
	id                 TEXT NOT NULL,
	holder             TEXT NOT NULL,
	program            TEXT NOT NULL,
	pass               TEXT NOT NULL,
	status             TEXT NOT NULL,
	issued_at          TEXT NOT NULL,
	issued_on          TEXT NOT NULL,
	sold               INTEGER NOT NULL,
	redeemed           INTEGER NOT NULL,
	removed            INTEGER NOT NULL,
	referral           INTEGER NOT NULL,
	bonus              INTEGER NOT NULL,
	purchases          TEXT NOT NULL,
	purchases_currency TEXT NOT NULL,
	refunds            TEXT NOT NULL,
	refunds_currency   TEXT NOT NULL,
	last_redemption    TEXT NOT NULL, -- '' for never
	last_adding        TEXT NOT NULL, -- '' for never
	PRIMARY KEY (network, id)
);
CREATE INDEX cards_holder ON cards (network, holder, id);
-- One card per holder and program that is not deleted.
CREATE UNIQUE INDEX cards_live ON cards (network, holder, program) WHERE status <> 'deleted';
