-- bench/pg/checkin.sql: a pgbench script of the same minimal shape as
-- the Engine's PostgreSQL check-in, in the same two round trips
-- (pipelines need pgbench -M prepared or -M extended):
--   1. BEGIN, the idempotency key's lookup, the holder locked (SELECT ...
--      FOR UPDATE), its live passes, its open visits and its visits of the
--      days at hand;
--   2. the visit inserted, the pass's units updated, the ledger entry and
--      the idempotency record inserted, and COMMIT.
-- It runs on the network bench/pg/setup.sql seeds, in the Engine's own
-- tables (search_path set to the schema), with -D holders=N: each
-- transaction checks in a random holder of the N, so clients do not queue
-- on one row, under a random key. The visit's and the entry's IDs begin
-- with the transaction's start in microseconds, so that, like the
-- Engine's UUIDv7 IDs, they go in at the right end of the primary keys.
-- The strings the WHERE clauses compare with are scalar subqueries, which
-- plans hold as parameters, as they hold the Engine's $n: compared with a
-- bare expression ('h' || lpad(...)), which custom plans fold into a
-- constant, the server kept planning every statement anew for the first
-- tens of thousands of transactions after the seeding (plan_cache_mode
-- auto found the custom plans cheaper), at 2.5 times the server CPU.
-- For example:
--   PGOPTIONS='-c search_path=checkin_pgbench' pgbench -h 127.0.0.1 -U postgres -n -M prepared \
--     -D holders=100000 -f bench/pg/checkin.sql -c 8 -j 2 -T 10 passengine_bench
\set i random(0, :holders - 1)
\set k random(1, 9000000000000000000)
\startpipeline
BEGIN;
SELECT operation, request, result, at FROM idempotency WHERE network = 'bench' AND key = (SELECT 'pgb-' || :k::text);
SELECT id, team FROM holders WHERE network = 'bench' AND id = (SELECT 'h' || lpad(:i::text, 7, '0')) FOR UPDATE;
SELECT * FROM passes WHERE network = 'bench' AND holder = (SELECT 'h' || lpad(:i::text, 7, '0')) AND team = '' AND balance > 0 ORDER BY id;
SELECT * FROM visits WHERE network = 'bench' AND holder = (SELECT 'h' || lpad(:i::text, 7, '0')) AND status = 'open' ORDER BY start_at, id;
SELECT * FROM visits WHERE network = 'bench' AND holder = (SELECT 'h' || lpad(:i::text, 7, '0'))
    AND date BETWEEN current_date - 1 AND current_date ORDER BY start_at, id;
\endpipeline
\startpipeline
INSERT INTO visits (network, id, holder, location, kind, mode, status, start_at, end_at, date, cost, pass,
    covered_by, payg, consumptions, uncovered_minutes, auto_closed, activated, late_cancel, cancelled_by, terms)
VALUES ('bench', 'pgbv-' || (extract(epoch FROM now()) * 1000000)::bigint || '-' || :k::text, 'h' || lpad(:i::text, 7, '0'),
    'l' || lpad((:client_id % 32)::text, 4, '0'),
    'check_in', 'visits', 'open', now(), NULL, current_date, 1, 'p' || lpad(:i::text, 7, '0'), '', '',
    jsonb_build_array(jsonb_build_object('pass', 'p' || lpad(:i::text, 7, '0'), 'kind', 'visits', 'units', 1)),
    0, false, '', false, '', '');
UPDATE passes SET balance = balance - 1, uses = uses + 1 WHERE network = 'bench' AND id = (SELECT 'p' || lpad(:i::text, 7, '0'));
INSERT INTO ledger (network, id, pass, holder, visit, at, type, units, balance, amount, amount_currency, key, actor, comment)
VALUES ('bench', 'pgbl-' || (extract(epoch FROM now()) * 1000000)::bigint || '-' || :k::text, 'p' || lpad(:i::text, 7, '0'),
    'h' || lpad(:i::text, 7, '0'), 'pgbv-' || (extract(epoch FROM now()) * 1000000)::bigint || '-' || :k::text,
    now(), 'use', -1, 0, 0, '', 'pgb-' || :k::text, '', '');
INSERT INTO idempotency (network, key, operation, request, result, at)
VALUES ('bench', 'pgb-' || :k::text, 'check_in', '\x00'::bytea, '{}'::bytea, now());
COMMIT;
\endpipeline
