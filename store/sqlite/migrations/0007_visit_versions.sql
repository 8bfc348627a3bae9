-- passengine SQLite schema, version 7: a version per visit, so that a
-- Store may keep the decoded visits it read or wrote and, when a call's
-- visits are at the versions it holds, not read their rows at all.
--
-- visits.version only grows, across every incarnation of a visit's key:
-- two committed states of the database in which a visit has the same
-- version hold the same row. The triggers below keep that whoever writes
-- (this process, another Store on the file, another program, an older
-- release): an update that does not raise the version itself is given
-- the old version plus one; an insert gets at least 1 and more than any
-- version a deleted or displaced row of its key had, which
-- visit_tombstones keeps. A row written before this migration, and one
-- inserted without a version, starts at version 1. INSERT OR REPLACE and UPDATE OR
-- REPLACE delete the rows they displace without firing the delete
-- trigger, so the BEFORE triggers keep those rows' versions first.

ALTER TABLE visits ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

CREATE TABLE visit_tombstones (
	network TEXT NOT NULL,
	id      TEXT NOT NULL,
	version INTEGER NOT NULL, -- the highest version a removed row of the key had
	PRIMARY KEY (network, id)
) WITHOUT ROWID;

-- A row about to be replaced by an insert (INSERT OR REPLACE, or an
-- upsert, whose row is then updated instead and keeps a higher version).
CREATE TRIGGER visits_version_replace BEFORE INSERT ON visits
WHEN EXISTS (SELECT 1 FROM visits WHERE network = NEW.network AND id = NEW.id)
BEGIN
	INSERT INTO visit_tombstones (network, id, version)
	SELECT network, id, version FROM visits WHERE network = NEW.network AND id = NEW.id
	ON CONFLICT (network, id) DO UPDATE SET version = max(version, excluded.version);
END;

CREATE TRIGGER visits_version_insert AFTER INSERT ON visits
WHEN NEW.version < 1
	OR NEW.version <= coalesce((SELECT version FROM visit_tombstones WHERE network = NEW.network AND id = NEW.id), 0)
BEGIN
	UPDATE visits SET version = max(1, coalesce((SELECT version FROM visit_tombstones
		WHERE network = NEW.network AND id = NEW.id), 0) + 1)
	WHERE rowid = NEW.rowid;
END;

-- An update that moves a row to another key removes the old key, and
-- UPDATE OR REPLACE deletes the row it displaces at the new one. (Only
-- an UPDATE that sets a key column can: the store's never does, and so
-- never runs this trigger.)
CREATE TRIGGER visits_version_move BEFORE UPDATE OF network, id ON visits
WHEN NEW.network <> OLD.network OR NEW.id <> OLD.id
BEGIN
	INSERT INTO visit_tombstones (network, id, version)
	SELECT network, id, version FROM visits
	WHERE (network = OLD.network AND id = OLD.id) OR (network = NEW.network AND id = NEW.id)
	ON CONFLICT (network, id) DO UPDATE SET version = max(version, excluded.version);
END;

CREATE TRIGGER visits_version_update AFTER UPDATE ON visits
WHEN NEW.version <= OLD.version
	OR ((NEW.network <> OLD.network OR NEW.id <> OLD.id)
		AND NEW.version <= coalesce((SELECT version FROM visit_tombstones WHERE network = NEW.network AND id = NEW.id), 0))
BEGIN
	UPDATE visits SET version = max(OLD.version, coalesce((SELECT version FROM visit_tombstones
		WHERE network = NEW.network AND id = NEW.id), 0)) + 1
	WHERE rowid = NEW.rowid;
END;

CREATE TRIGGER visits_version_delete AFTER DELETE ON visits
BEGIN
	INSERT INTO visit_tombstones (network, id, version) VALUES (OLD.network, OLD.id, OLD.version)
	ON CONFLICT (network, id) DO UPDATE SET version = max(version, excluded.version);
END;

-- The triggers of pass_versions (migration 6) that only an UPDATE setting
-- an owner or key column can need run only for such an UPDATE (UPDATE OF:
-- a column that is not set does not change), so that the store's
-- UPDATE of a pass's balance runs the two triggers that raise its
-- owners' versions and no other. Their conditions are migration 6's.
DROP TRIGGER passes_version_update_old_holder;
CREATE TRIGGER passes_version_update_old_holder AFTER UPDATE OF network, holder ON passes
WHEN OLD.holder <> '' AND (OLD.holder <> NEW.holder OR OLD.network <> NEW.network)
BEGIN
	INSERT INTO pass_versions (network, kind, owner, version) VALUES (OLD.network, 'holder', OLD.holder, 1)
	ON CONFLICT (network, kind, owner) DO UPDATE SET version = version + 1;
END;

DROP TRIGGER passes_version_update_old_team;
CREATE TRIGGER passes_version_update_old_team AFTER UPDATE OF network, team ON passes
WHEN OLD.team <> '' AND (OLD.team <> NEW.team OR OLD.network <> NEW.network)
BEGIN
	INSERT INTO pass_versions (network, kind, owner, version) VALUES (OLD.network, 'team', OLD.team, 1)
	ON CONFLICT (network, kind, owner) DO UPDATE SET version = version + 1;
END;

DROP TRIGGER passes_version_displace;
CREATE TRIGGER passes_version_displace BEFORE UPDATE OF network, id, code_hash ON passes
WHEN NEW.network <> OLD.network OR NEW.id <> OLD.id OR (NEW.code_hash <> OLD.code_hash AND NEW.code_hash <> '')
BEGIN
	INSERT INTO pass_versions (network, kind, owner, version)
	SELECT network, 'holder', holder, 1 FROM passes
	WHERE network = NEW.network AND (id = NEW.id OR (code_hash = NEW.code_hash AND code_hash <> '')) AND holder <> ''
		AND NOT (network = OLD.network AND id = OLD.id)
	ON CONFLICT (network, kind, owner) DO UPDATE SET version = version + 1;
	INSERT INTO pass_versions (network, kind, owner, version)
	SELECT network, 'team', team, 1 FROM passes
	WHERE network = NEW.network AND (id = NEW.id OR (code_hash = NEW.code_hash AND code_hash <> '')) AND team <> ''
		AND NOT (network = OLD.network AND id = OLD.id)
	ON CONFLICT (network, kind, owner) DO UPDATE SET version = version + 1;
END;
