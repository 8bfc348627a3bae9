-- passengine PostgreSQL schema, version 8: visits_open_start, the
-- network's open visits by start, is only for the reads that say
-- start_at IS NOT NULL (or compare start_at), which every one of the
-- network's open visits does (start_at is NOT NULL): the listings, the
-- occupancy and the auto-close sweep. A holder's open visits are read
-- through visits_holder_open. With the old condition (status = 'open'
-- alone) the index also served a holder's, and after an ANALYZE that
-- saw few visits open (a quiet hour) a generic plan could pick it: a
-- check-in then read every open visit of the network, and a
-- connection kept that plan for its life (BENCHMARKS.md, "The stop of
-- 2026-12-02, third"). The migration runs in one transaction, like the
-- others: building the index reads the whole visits table (it keeps only
-- the open visits) while writes to it wait, so on a large network run
-- it in a quiet hour.

DROP INDEX visits_open_start;
CREATE INDEX visits_open_start ON visits (network, start_at, id) WHERE status = 'open' AND start_at IS NOT NULL;
