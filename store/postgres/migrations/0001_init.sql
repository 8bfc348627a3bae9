-- passengine PostgreSQL schema, version 1.
--
-- Money is numeric with its ISO currency beside it; instants are
-- timestamptz (written in UTC); civil dates are date. Composite values that
-- no query looks inside (freezes, consumptions, charges, prices, rates) are
-- jsonb. Every table is keyed by network first (S1).
--
-- Only what CockroachDB also has: no triggers, advisory locks,
-- LISTEN/NOTIFY or gapless sequences. The one identity column orders the
-- ledger and tolerates gaps.

CREATE TABLE networks (
    id       text PRIMARY KEY,
    name     text NOT NULL,
    currency text NOT NULL,
    zone     text NOT NULL
);

CREATE TABLE locations (
    network       text   NOT NULL,
    id            text   NOT NULL,
    name          text   NOT NULL,
    zone          text   NOT NULL,
    day_cutoff_ns bigint NOT NULL,
    tier          int    NOT NULL,
    PRIMARY KEY (network, id)
);

CREATE TABLE teams (
    network        text    NOT NULL,
    id             text    NOT NULL,
    name           text    NOT NULL,
    credit_sharing boolean NOT NULL,
    PRIMARY KEY (network, id)
);

CREATE TABLE holders (
    network            text NOT NULL,
    id                 text NOT NULL,
    name               text NOT NULL,
    audience           text NOT NULL,
    team               text NOT NULL,
    health_declared_at timestamptz,
    PRIMARY KEY (network, id)
);

CREATE TABLE products (
    network             text    NOT NULL,
    id                  text    NOT NULL,
    name                text    NOT NULL,
    kind                text    NOT NULL,
    units               int     NOT NULL,
    unit_value          numeric NOT NULL,
    unit_value_currency text    NOT NULL,
    price               numeric NOT NULL,
    price_currency      text    NOT NULL,
    locations           text[],
    tier                int     NOT NULL,
    audience            text    NOT NULL,
    priority            text    NOT NULL,
    validity_months     int     NOT NULL,
    validity_days       int     NOT NULL,
    activation          text    NOT NULL,
    locked              boolean NOT NULL,
    PRIMARY KEY (network, id)
);

CREATE TABLE paygs (
    network            text    NOT NULL,
    id                 text    NOT NULL,
    name               text    NOT NULL,
    prices             jsonb,
    daily_cap          numeric NOT NULL,
    daily_cap_currency text    NOT NULL,
    locations          text[],
    PRIMARY KEY (network, id)
);

CREATE TABLE passes (
    network             text        NOT NULL,
    id                  text        NOT NULL,
    product             text        NOT NULL,
    holder              text        NOT NULL,
    team                text        NOT NULL,
    kind                text        NOT NULL,
    source              text        NOT NULL,
    units               int         NOT NULL,
    balance             int         NOT NULL,
    unit_value          numeric     NOT NULL,
    unit_value_currency text        NOT NULL,
    price               numeric     NOT NULL,
    price_currency      text        NOT NULL,
    paid                boolean     NOT NULL,
    paid_at             timestamptz,
    paid_by             text        NOT NULL,
    locations           text[],
    tier                int         NOT NULL,
    audience            text        NOT NULL,
    priority            text        NOT NULL,
    activation          text        NOT NULL,
    locked              boolean     NOT NULL,
    validity_months     int         NOT NULL,
    validity_days       int         NOT NULL,
    activated_on        date,
    activated_by        text        NOT NULL,
    expires_on          date,
    freezes             jsonb,
    uses                int         NOT NULL,
    issued_at           timestamptz NOT NULL,
    issued_on           date,
    code_hash           text        NOT NULL,
    code_sealed         text        NOT NULL,
    PRIMARY KEY (network, id)
);

-- The check-in path: only passes with a balance, a holder's own and a
-- team's (a pass with a team belongs to the team).
CREATE INDEX passes_live_holder ON passes (network, holder) WHERE balance > 0 AND team = '';
CREATE INDEX passes_live_team ON passes (network, team) WHERE balance > 0 AND team <> '';
-- Passcodes are unique among a network's passes (P1).
CREATE UNIQUE INDEX passes_code_hash ON passes (network, code_hash) WHERE code_hash <> '';
-- Listings.
CREATE INDEX passes_holder_issued ON passes (network, holder, issued_at, id);
CREATE INDEX passes_team_issued ON passes (network, team, issued_at, id) WHERE team <> '';
CREATE INDEX passes_unpaid ON passes (network, issued_at, id) WHERE NOT paid;

CREATE TABLE visits (
    network           text        NOT NULL,
    id                text        NOT NULL,
    holder            text        NOT NULL,
    location          text        NOT NULL,
    kind              text        NOT NULL,
    mode              text        NOT NULL,
    status            text        NOT NULL,
    start_at          timestamptz NOT NULL,
    end_at            timestamptz,
    date              date        NOT NULL,
    cost              int         NOT NULL,
    pass              text        NOT NULL,
    covered_by        text        NOT NULL,
    payg              text        NOT NULL,
    consumptions      jsonb,
    charges           jsonb,
    uncovered_minutes int         NOT NULL,
    auto_closed       boolean     NOT NULL,
    activated         text        NOT NULL,
    cancelled_at      timestamptz,
    late_cancel       boolean     NOT NULL,
    cancelled_by      text        NOT NULL,
    fee               jsonb,
    terms             text        NOT NULL,
    settled_at        timestamptz,
    PRIMARY KEY (network, id)
);

-- The check-in path: a holder's visits of the days at hand, and open ones.
CREATE INDEX visits_holder_date ON visits (network, holder, date);
CREATE INDEX visits_holder_open ON visits (network, holder) WHERE status = 'open';
-- The stale-visit sweep (C8).
CREATE INDEX visits_open_start ON visits (network, start_at, id) WHERE status = 'open';
-- Listings by location and period (statements).
CREATE INDEX visits_location_date ON visits (network, location, date);

CREATE TABLE ledger (
    seq             bigint GENERATED BY DEFAULT AS IDENTITY,
    network         text        NOT NULL,
    id              text        NOT NULL,
    pass            text        NOT NULL,
    holder          text        NOT NULL,
    visit           text        NOT NULL,
    at              timestamptz NOT NULL,
    type            text        NOT NULL,
    units           int         NOT NULL,
    balance         int         NOT NULL,
    amount          numeric     NOT NULL,
    amount_currency text        NOT NULL,
    key             text        NOT NULL,
    actor           text        NOT NULL,
    comment         text        NOT NULL,
    PRIMARY KEY (network, id)
);

CREATE INDEX ledger_pass ON ledger (network, pass, seq);
CREATE INDEX ledger_holder ON ledger (network, holder, seq);
CREATE INDEX ledger_network ON ledger (network, seq);

CREATE TABLE idempotency (
    network   text        NOT NULL,
    key       text        NOT NULL,
    operation text        NOT NULL,
    request   bytea       NOT NULL,
    result    bytea       NOT NULL,
    at        timestamptz NOT NULL,
    PRIMARY KEY (network, key)
);

CREATE TABLE guards (
    network      text NOT NULL,
    location     text NOT NULL,
    failures     timestamptz[],
    locked_until timestamptz,
    PRIMARY KEY (network, location)
);

CREATE TABLE terms (
    network                     text        NOT NULL,
    id                          text        NOT NULL,
    location                    text        NOT NULL,
    effective_from              timestamptz NOT NULL,
    rates                       jsonb,
    monthly_visit_cap           int         NOT NULL,
    monthly_amount_cap          numeric     NOT NULL,
    monthly_amount_cap_currency text        NOT NULL,
    payg_share                  numeric     NOT NULL,
    PRIMARY KEY (network, id)
);

CREATE INDEX terms_location ON terms (network, location, effective_from, id);
