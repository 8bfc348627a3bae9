-- passengine SQLite schema, version 1.
--
-- Conventions: every row is scoped by network (S1); instants are UTC text in
-- the fixed-width form 2006-01-02T15:04:05.000000000Z ('' for none), so text
-- order is time order; civil dates are 'YYYY-MM-DD' ('' for none); money is
-- exact decimal text beside its ISO currency; composite values (lists of
-- locations, freezes, consumptions, charges, prices, rates, failures) are
-- JSON text ('' for none). Booleans are 0 or 1.

CREATE TABLE networks (
	id       TEXT PRIMARY KEY,
	name     TEXT NOT NULL,
	currency TEXT NOT NULL,
	zone     TEXT NOT NULL
);

CREATE TABLE locations (
	network    TEXT NOT NULL,
	id         TEXT NOT NULL,
	name       TEXT NOT NULL,
	zone       TEXT NOT NULL,
	day_cutoff INTEGER NOT NULL, -- nanoseconds
	tier       INTEGER NOT NULL,
	PRIMARY KEY (network, id)
);

CREATE TABLE teams (
	network        TEXT NOT NULL,
	id             TEXT NOT NULL,
	name           TEXT NOT NULL,
	credit_sharing INTEGER NOT NULL,
	PRIMARY KEY (network, id)
);

CREATE TABLE holders (
	network            TEXT NOT NULL,
	id                 TEXT NOT NULL,
	name               TEXT NOT NULL,
	audience           TEXT NOT NULL,
	team               TEXT NOT NULL,
	health_declared_at TEXT, -- NULL: not declared
	PRIMARY KEY (network, id)
);

CREATE TABLE products (
	network             TEXT NOT NULL,
	id                  TEXT NOT NULL,
	name                TEXT NOT NULL,
	kind                TEXT NOT NULL,
	units               INTEGER NOT NULL,
	unit_value          TEXT NOT NULL,
	unit_value_currency TEXT NOT NULL,
	price               TEXT NOT NULL,
	price_currency      TEXT NOT NULL,
	locations           TEXT NOT NULL, -- JSON list of location IDs
	tier                INTEGER NOT NULL,
	audience            TEXT NOT NULL,
	priority            TEXT NOT NULL,
	validity_months     INTEGER NOT NULL,
	validity_days       INTEGER NOT NULL,
	activation          TEXT NOT NULL,
	locked              INTEGER NOT NULL,
	PRIMARY KEY (network, id)
);

CREATE TABLE paygs (
	network            TEXT NOT NULL,
	id                 TEXT NOT NULL,
	name               TEXT NOT NULL,
	prices             TEXT NOT NULL, -- JSON list of {audience, hourly}
	daily_cap          TEXT NOT NULL,
	daily_cap_currency TEXT NOT NULL,
	locations          TEXT NOT NULL, -- JSON list of location IDs
	PRIMARY KEY (network, id)
);

CREATE TABLE passes (
	network             TEXT NOT NULL,
	id                  TEXT NOT NULL,
	product             TEXT NOT NULL,
	holder              TEXT NOT NULL, -- '' for a team pass
	team                TEXT NOT NULL, -- '' for a holder's pass
	kind                TEXT NOT NULL,
	source              TEXT NOT NULL,
	units               INTEGER NOT NULL,
	balance             INTEGER NOT NULL,
	unit_value          TEXT NOT NULL,
	unit_value_currency TEXT NOT NULL,
	price               TEXT NOT NULL,
	price_currency      TEXT NOT NULL,
	paid                INTEGER NOT NULL,
	paid_at             TEXT,
	paid_by             TEXT NOT NULL,
	locations           TEXT NOT NULL, -- JSON list of location IDs
	tier                INTEGER NOT NULL,
	audience            TEXT NOT NULL,
	priority            TEXT NOT NULL,
	activation          TEXT NOT NULL,
	locked              INTEGER NOT NULL,
	validity_months     INTEGER NOT NULL,
	validity_days       INTEGER NOT NULL,
	activated_on        TEXT NOT NULL,
	activated_by        TEXT NOT NULL,
	expires_on          TEXT NOT NULL,
	freezes             TEXT NOT NULL, -- JSON list of freezes
	uses                INTEGER NOT NULL,
	issued_at           TEXT NOT NULL,
	issued_on           TEXT NOT NULL,
	code_hash           TEXT NOT NULL,
	code_sealed         TEXT NOT NULL,
	PRIMARY KEY (network, id)
);
-- The check-in path reads only passes with a balance (Passes.Live).
CREATE INDEX passes_live_holder ON passes (network, holder, id) WHERE balance > 0;
CREATE INDEX passes_live_team ON passes (network, team, id) WHERE balance > 0;
-- Listings by holder or team in issue order, and the unpaid list (A6).
CREATE INDEX passes_holder ON passes (network, holder, issued_at, id);
CREATE INDEX passes_team ON passes (network, team, issued_at, id) WHERE team <> '';
CREATE INDEX passes_unpaid ON passes (network, issued_at, id) WHERE paid = 0;
-- A passcode finds one pass of the network (P1).
CREATE UNIQUE INDEX passes_code ON passes (network, code_hash) WHERE code_hash <> '';

CREATE TABLE visits (
	network           TEXT NOT NULL,
	id                TEXT NOT NULL,
	holder            TEXT NOT NULL,
	location          TEXT NOT NULL,
	kind              TEXT NOT NULL,
	mode              TEXT NOT NULL,
	status            TEXT NOT NULL,
	start_at          TEXT NOT NULL,
	end_at            TEXT,
	service_date      TEXT NOT NULL,
	cost              INTEGER NOT NULL,
	pass              TEXT NOT NULL,
	covered_by        TEXT NOT NULL,
	payg              TEXT NOT NULL,
	consumptions      TEXT NOT NULL, -- JSON list of {pass, kind, units}
	charges           TEXT NOT NULL, -- JSON list of day charges
	uncovered_minutes INTEGER NOT NULL,
	auto_closed       INTEGER NOT NULL,
	activated         TEXT NOT NULL,
	cancelled_at      TEXT,
	late_cancel       INTEGER NOT NULL,
	cancelled_by      TEXT NOT NULL,
	fee               TEXT NOT NULL, -- JSON day charge, '' for none
	terms             TEXT NOT NULL,
	settled_at        TEXT,
	PRIMARY KEY (network, id)
);
-- The check-in path: a holder's visits of the days at hand, and open ones.
CREATE INDEX visits_holder_date ON visits (network, holder, service_date);
CREATE INDEX visits_open ON visits (network, holder) WHERE status = 'open';
-- The stale-visit sweep (C8) and listings.
CREATE INDEX visits_open_start ON visits (network, start_at, id) WHERE status = 'open';
CREATE INDEX visits_start ON visits (network, start_at, id);
CREATE INDEX visits_location_date ON visits (network, location, service_date);

CREATE TABLE ledger (
	seq             INTEGER PRIMARY KEY, -- append order
	network         TEXT NOT NULL,
	id              TEXT NOT NULL,
	pass            TEXT NOT NULL,
	holder          TEXT NOT NULL,
	visit           TEXT NOT NULL,
	at              TEXT NOT NULL,
	type            TEXT NOT NULL,
	units           INTEGER NOT NULL,
	balance         INTEGER NOT NULL,
	amount          TEXT NOT NULL,
	amount_currency TEXT NOT NULL,
	idem_key        TEXT NOT NULL,
	actor           TEXT NOT NULL,
	comment         TEXT NOT NULL
);
CREATE UNIQUE INDEX ledger_id ON ledger (network, id);
CREATE INDEX ledger_pass ON ledger (network, pass, seq);
CREATE INDEX ledger_holder ON ledger (network, holder, seq);

CREATE TABLE idempotency (
	network   TEXT NOT NULL,
	key       TEXT NOT NULL,
	operation TEXT NOT NULL,
	request   BLOB NOT NULL,
	result    BLOB NOT NULL,
	at        TEXT NOT NULL,
	PRIMARY KEY (network, key)
);

CREATE TABLE guards (
	network      TEXT NOT NULL,
	location     TEXT NOT NULL,
	failures     TEXT NOT NULL, -- JSON list of instants
	locked_until TEXT NOT NULL,
	PRIMARY KEY (network, location)
);

CREATE TABLE terms (
	network                     TEXT NOT NULL,
	id                          TEXT NOT NULL,
	location                    TEXT NOT NULL,
	effective_from              TEXT NOT NULL,
	rates                       TEXT NOT NULL, -- JSON list of rates
	monthly_visit_cap           INTEGER NOT NULL,
	monthly_amount_cap          TEXT NOT NULL,
	monthly_amount_cap_currency TEXT NOT NULL,
	payg_share                  TEXT NOT NULL,
	PRIMARY KEY (network, id)
);
CREATE INDEX terms_location ON terms (network, location, effective_from, id);
