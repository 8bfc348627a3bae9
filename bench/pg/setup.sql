-- bench/pg/setup.sql: the network that bench/pg/checkin.sql and the
-- Engine's side of the comparison check holders into, the same rows as
-- store/postgres's BenchmarkCheckIn: network "bench" (USD, UTC),
-- locations l0000 to l0031, the product "bench-visits", and holders
-- h0000000 to h(:holders - 1), each with a live visits pass p0000000...,
-- its issue ledger row, a closed visit before 2026-01-01 with its use
-- ledger row and its idempotency record; then ANALYZE.
--
-- It runs in a schema that store/postgres's Migrate has created (the
-- tables are the Engine's own), on the search_path, with :holders set:
-- bin/pgcheckin does both (it drops and recreates its schemas
-- checkin_pgbench and checkin_engine in the database passengine_bench).
-- By hand, after `pgcheckin -setup-only`:
--   PGOPTIONS='-c search_path=checkin_pgbench' psql -h 127.0.0.1 -U postgres -d passengine_bench \
--     -v holders=100000 -f bench/pg/setup.sql
-- (on a schema that already holds the rows, drop and recreate it first:
-- the inserts do not replace rows).

INSERT INTO networks (id, name, currency, zone) VALUES ('bench', 'Benchmark', 'USD', 'UTC');

INSERT INTO locations (network, id, name, zone, day_cutoff_ns, tier)
SELECT 'bench', 'l' || lpad(x::text, 4, '0'), '', 'UTC', 0, 0 FROM generate_series(0, 31) x;

INSERT INTO products (network, id, name, kind, units, unit_value, unit_value_currency, price, price_currency,
    locations, tier, audience, priority, validity_months, validity_days, activation, locked)
VALUES ('bench', 'bench-visits', 'Benchmark visits', 'visits', 1000000000, 0, 'USD', 100, 'USD',
    NULL, 0, '', '', 0, 0, 'on_purchase', false);

INSERT INTO holders (network, id, name, audience, team)
SELECT 'bench', 'h' || lpad(x::text, 7, '0'), '', 'member', '' FROM generate_series(0, :holders - 1) x;

INSERT INTO passes (network, id, product, holder, team, kind, source, units, balance, unit_value,
    unit_value_currency, price, price_currency, paid, paid_by, tier, audience, priority, activation, locked,
    validity_months, validity_days, activated_on, activated_by, uses, issued_at, issued_on, code_hash, code_sealed, expiry)
SELECT 'bench', 'p' || lpad(x::text, 7, '0'), 'bench-visits', 'h' || lpad(x::text, 7, '0'), '', 'visits', 'product',
    1000000000, 999999999, 0.0000001, 'USD', 100, 'USD', true, '', 0, '', '', 'on_purchase', false, 0, 0,
    date '2025-01-01', '', 1, timestamptz '2025-01-01 00:00:00+00', date '2025-01-01', '', '', date '9999-12-31'
FROM generate_series(0, :holders - 1) x;

INSERT INTO ledger (network, id, pass, holder, visit, at, type, units, balance, amount, amount_currency, key, actor, comment)
SELECT 'bench', 'issue-p' || lpad(x::text, 7, '0'), 'p' || lpad(x::text, 7, '0'), 'h' || lpad(x::text, 7, '0'), '',
    timestamptz '2025-01-01 00:00:00+00', 'issue', 1000000000, 1000000000, 100, 'USD', '', '', ''
FROM generate_series(0, :holders - 1) x;

INSERT INTO visits (network, id, holder, location, kind, mode, status, start_at, end_at, date, cost, pass,
    covered_by, payg, consumptions, uncovered_minutes, auto_closed, activated, late_cancel, cancelled_by, terms)
SELECT 'bench', 'v' || lpad(x::text, 7, '0'), 'h' || lpad(x::text, 7, '0'), 'l0000', 'check_in', 'visits', 'closed',
    timestamptz '2025-01-01 00:00:00+00' + (x % 8760) * interval '1 hour',
    timestamptz '2025-01-01 00:30:00+00' + (x % 8760) * interval '1 hour',
    (timestamptz '2025-01-01 00:00:00+00' + (x % 8760) * interval '1 hour')::date, 1, 'p' || lpad(x::text, 7, '0'), '', '',
    jsonb_build_array(jsonb_build_object('pass', 'p' || lpad(x::text, 7, '0'), 'kind', 'visits', 'units', 1)),
    0, false, '', false, '', ''
FROM generate_series(0, :holders - 1) x;

INSERT INTO ledger (network, id, pass, holder, visit, at, type, units, balance, amount, amount_currency, key, actor, comment)
SELECT 'bench', 'use-p' || lpad(x::text, 7, '0'), 'p' || lpad(x::text, 7, '0'), 'h' || lpad(x::text, 7, '0'),
    'v' || lpad(x::text, 7, '0'), timestamptz '2025-01-01 00:00:00+00' + (x % 8760) * interval '1 hour',
    'use', -1, 999999999, 0, '', 'k' || lpad(x::text, 7, '0'), '', ''
FROM generate_series(0, :holders - 1) x;

INSERT INTO idempotency (network, key, operation, request, result, at)
SELECT 'bench', 'k' || lpad(x::text, 7, '0'), 'check_in', '\x00'::bytea, '{}'::bytea,
    timestamptz '2025-01-01 00:00:00+00' + (x % 8760) * interval '1 hour'
FROM generate_series(0, :holders - 1) x;

ANALYZE;
