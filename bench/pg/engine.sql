-- bench/pg/engine.sql: a pgbench script of the Engine's own statements
-- for a check-in (store/postgres, two round trips), as it sends them,
-- captured from the server's log (log_statement = 'all' in the Engine's
-- session; bench/pg/README.md says how), in the same two pipelines:
--   1. BEGIN, the team and the holder locked (SELECT ... FOR UPDATE), the
--      network's catalog version and the idempotency key's record in one
--      row (the network, the location, the count of locations and the PAYG
--      products come from the store's catalog cache, which that version
--      checks), the holder's open visits and visits of the window in one
--      result, and its live passes;
--   2. the visit inserted (all 29 columns; a plain INSERT, as Defer
--      writes a visit the unit of work has not read), the pass's counters
--      updated, the ledger entry and the idempotency record inserted, and
--      COMMIT.
-- Where the Engine binds a parameter that pgbench cannot hold (pgbench
-- variables are numbers), the statement computes it from one in a scalar
-- subquery, which the plan holds as a parameter as it holds the Engine's
-- $n (a bare expression such as holder = 'h' || lpad(...) made the
-- generic plan of the open visits scan every open visit of the network
-- through visits_open_start): the holder
-- (SELECT 'h' || lpad(:i::text, 7, '0')) for $2, the pass, the location of the
-- client, the key, the visit's and the entry's IDs (beginning with the
-- time, as the Engine's UUIDv7 IDs do), the window's days from
-- current_date (3 days before to 1 after, as the Engine's check-in asks),
-- the visit's consumptions as JSON text (the Engine sends text too), and
-- the pass's balance and uses as balance - 1 and uses + 1 (the Engine
-- sends the values it computed). The idempotency record's request and
-- result are a captured check-in's (33 and 195 bytes); the ledger entry's
-- balance is 0. Everything else is the Engine's statement text.
-- It runs on the network bench/pg/setup.sql seeds, like checkin.sql:
--   PGOPTIONS='-c search_path=checkin_enginesql' pgbench -h 127.0.0.1 -U postgres -n -M prepared \
--     -D holders=100000 -f bench/pg/engine.sql -c 8 -j 2 -T 10 passengine_bench
\set i random(0, :holders - 1)
\set k random(1, 9000000000000000000)
\startpipeline
BEGIN ISOLATION LEVEL READ COMMITTED;
SELECT network, id, name, credit_sharing FROM teams
    WHERE network = 'bench' AND id = (SELECT team FROM holders WHERE network = 'bench' AND id = (SELECT 'h' || lpad(:i::text, 7, '0'))) FOR UPDATE;
SELECT network, id, name, audience, team, health_declared_at FROM holders
    WHERE network = 'bench' AND id = (SELECT 'h' || lpad(:i::text, 7, '0')) FOR UPDATE;
SELECT (SELECT version FROM catalog_versions WHERE network = 'bench'), k.key, k.operation, k.request, k.result, k.at
    FROM (SELECT 1) one LEFT JOIN idempotency k ON k.network = 'bench' AND k.key = (SELECT 'in-' || :k::text);
SELECT true AS open, network, id, holder, location, kind, mode, status, start_at, end_at, date, cost, pass,
    covered_by, payg, consumptions, charges, uncovered_minutes, auto_closed, activated, cancelled_at,
    late_cancel, cancelled_by, fee, terms, settled_at, debited, debited_currency, owed, owed_currency FROM visits
    WHERE network = 'bench' AND holder = (SELECT 'h' || lpad(:i::text, 7, '0')) AND status = 'open'
    UNION ALL
    SELECT false, network, id, holder, location, kind, mode, status, start_at, end_at, date, cost, pass,
    covered_by, payg, consumptions, charges, uncovered_minutes, auto_closed, activated, cancelled_at,
    late_cancel, cancelled_by, fee, terms, settled_at, debited, debited_currency, owed, owed_currency FROM visits
    WHERE network = 'bench' AND holder = (SELECT 'h' || lpad(:i::text, 7, '0')) AND date BETWEEN LEAST((current_date - 3)::date, (SELECT min(date) FROM visits
    WHERE network = 'bench' AND holder = (SELECT 'h' || lpad(:i::text, 7, '0')) AND status = 'open' AND location = (SELECT 'l' || lpad((:client_id % 32)::text, 4, '0'))) - 2::int) AND (current_date + 1)::date
    ORDER BY open DESC, start_at, id;
SELECT * FROM (
    SELECT network, id, product, holder, team, kind, source, units, balance,
    unit_value, unit_value_currency, price, price_currency, paid, paid_at, paid_by, locations, tier,
    audience, priority, activation, locked, validity_months, validity_days, activated_on, activated_by,
    expires_on, freezes, uses, issued_at, issued_on, code_hash, code_sealed, paid_with, card, revoked FROM passes WHERE network = 'bench' AND holder = (SELECT 'h' || lpad(:i::text, 7, '0')) AND team = '' AND balance > 0
    UNION ALL
    SELECT network, id, product, holder, team, kind, source, units, balance,
    unit_value, unit_value_currency, price, price_currency, paid, paid_at, paid_by, locations, tier,
    audience, priority, activation, locked, validity_months, validity_days, activated_on, activated_by,
    expires_on, freezes, uses, issued_at, issued_on, code_hash, code_sealed, paid_with, card, revoked FROM passes WHERE network = 'bench' AND team <> '' AND balance > 0
        AND team = (SELECT team FROM holders WHERE network = 'bench' AND id = (SELECT 'h' || lpad(:i::text, 7, '0')))
    ) live ORDER BY id;
\endpipeline
\startpipeline
INSERT INTO visits (network, id, holder, location, kind, mode, status, start_at, end_at, date, cost, pass,
    covered_by, payg, consumptions, charges, uncovered_minutes, auto_closed, activated, cancelled_at,
    late_cancel, cancelled_by, fee, terms, settled_at, debited, debited_currency, owed, owed_currency) VALUES ('bench', (SELECT 'pgbv-' || (extract(epoch FROM now()) * 1000000)::bigint || '-' || :k::text), (SELECT 'h' || lpad(:i::text, 7, '0')), (SELECT 'l' || lpad((:client_id % 32)::text, 4, '0')), 'check_in', 'visits', 'open', now(), NULL, current_date,
    1, (SELECT 'p' || lpad(:i::text, 7, '0')), '', '', ('[{"kind": "visits", "pass": "' || (SELECT 'p' || lpad(:i::text, 7, '0')) || '", "units": 1}]')::jsonb, NULL, 0, false, '', NULL,
    false, '', NULL, '', NULL, 0, '', 0, '');
UPDATE passes SET balance = balance - 1, uses = uses + 1, activated_on = date '2025-01-01', activated_by = '',
    expires_on = NULL, expiry = date '9999-12-31' WHERE network = 'bench' AND id = (SELECT 'p' || lpad(:i::text, 7, '0'));
INSERT INTO ledger (network, id, pass, holder, visit, at, type, units, balance, amount, amount_currency, key, actor, comment,
    points, bonus) VALUES ('bench', (SELECT 'pgbl-' || (extract(epoch FROM now()) * 1000000)::bigint || '-' || :k::text), (SELECT 'p' || lpad(:i::text, 7, '0')), (SELECT 'h' || lpad(:i::text, 7, '0')), (SELECT 'pgbv-' || (extract(epoch FROM now()) * 1000000)::bigint || '-' || :k::text), now(), 'use', -1, 0, 0, '', (SELECT 'in-' || :k::text), '', '', 0, 0);
INSERT INTO idempotency (network, key, operation, request, result, at)
    VALUES ('bench', (SELECT 'in-' || :k::text), 'check_in', '\x021792f2ad1321028f3472c22f40a7f8d137bdf23741b3f8c89d9a9782c2c145e4'::bytea,
    '\xc10562656e63682430316132326566642d623336622d373965652d393933342d353761323934363833303735086830303030393031056c3030303108636865636b5f696e06766973697473046f70656e018080bf82e1c8cc0600d81f160e0208703030303039303100000208703030303039303106766973697473020000000000000000000000000000000208703030303039303106766973697473fca7d6b90703555344000208703030303039303106766973697473fea7d6b90700400000020000'::bytea, now());
COMMIT;
\endpipeline
