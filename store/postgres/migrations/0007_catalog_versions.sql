-- passengine PostgreSQL schema, version 7: a version per network of the
-- catalog rows a call's state reads (the network, its locations and its
-- PAYG products). Every put of one of them raises its network's version
-- in the same transaction, before it writes the row (store/postgres
-- catalog.go), so that a process may keep those rows in memory and check,
-- inside each transaction, with one primary-key read, that they are still
-- the ones committed (catcache.go). A network without a row here is at
-- version 0: the rows are never deleted, so a version never repeats.
-- Processes of the previous release do not raise the version: run them
-- against this schema only while nothing writes the catalog.

CREATE TABLE catalog_versions (
    network text PRIMARY KEY,
    version bigint NOT NULL
);
