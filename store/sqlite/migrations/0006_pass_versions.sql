-- passengine SQLite schema, version 6: a version per owner of passes, so
-- that a Store may keep the decoded live passes of a holder or team and
-- read their rows only when they changed.
--
-- pass_versions holds a number per (network, holder) and (network, team)
-- that the triggers below raise by one for every row of passes the owner
-- has before or after an insert, update or delete, whoever writes it
-- (this process, another Store on the file, another program): two
-- committed states of the database with the same version of an owner hold
-- the same passes of that owner. An owner without a row has version 0
-- (no pass written since this migration). INSERT OR REPLACE and UPDATE OR
-- REPLACE delete the rows they displace without firing the delete
-- triggers, so the BEFORE triggers raise the owners of those rows.

CREATE TABLE pass_versions (
	network TEXT NOT NULL,
	kind    TEXT NOT NULL, -- 'holder' or 'team'
	owner   TEXT NOT NULL,
	version INTEGER NOT NULL,
	PRIMARY KEY (network, kind, owner)
) WITHOUT ROWID;

INSERT INTO pass_versions (network, kind, owner, version)
SELECT DISTINCT network, 'holder', holder, 1 FROM passes WHERE holder <> ''
UNION ALL
SELECT DISTINCT network, 'team', team, 1 FROM passes WHERE team <> '';

CREATE TRIGGER passes_version_insert_holder AFTER INSERT ON passes WHEN NEW.holder <> ''
BEGIN
	INSERT INTO pass_versions (network, kind, owner, version) VALUES (NEW.network, 'holder', NEW.holder, 1)
	ON CONFLICT (network, kind, owner) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER passes_version_insert_team AFTER INSERT ON passes WHEN NEW.team <> ''
BEGIN
	INSERT INTO pass_versions (network, kind, owner, version) VALUES (NEW.network, 'team', NEW.team, 1)
	ON CONFLICT (network, kind, owner) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER passes_version_update_holder AFTER UPDATE ON passes WHEN NEW.holder <> ''
BEGIN
	INSERT INTO pass_versions (network, kind, owner, version) VALUES (NEW.network, 'holder', NEW.holder, 1)
	ON CONFLICT (network, kind, owner) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER passes_version_update_team AFTER UPDATE ON passes WHEN NEW.team <> ''
BEGIN
	INSERT INTO pass_versions (network, kind, owner, version) VALUES (NEW.network, 'team', NEW.team, 1)
	ON CONFLICT (network, kind, owner) DO UPDATE SET version = version + 1;
END;

-- An update that moves a pass to another owner changes the old owner too.
CREATE TRIGGER passes_version_update_old_holder AFTER UPDATE ON passes
WHEN OLD.holder <> '' AND (OLD.holder <> NEW.holder OR OLD.network <> NEW.network)
BEGIN
	INSERT INTO pass_versions (network, kind, owner, version) VALUES (OLD.network, 'holder', OLD.holder, 1)
	ON CONFLICT (network, kind, owner) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER passes_version_update_old_team AFTER UPDATE ON passes
WHEN OLD.team <> '' AND (OLD.team <> NEW.team OR OLD.network <> NEW.network)
BEGIN
	INSERT INTO pass_versions (network, kind, owner, version) VALUES (OLD.network, 'team', OLD.team, 1)
	ON CONFLICT (network, kind, owner) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER passes_version_delete_holder AFTER DELETE ON passes WHEN OLD.holder <> ''
BEGIN
	INSERT INTO pass_versions (network, kind, owner, version) VALUES (OLD.network, 'holder', OLD.holder, 1)
	ON CONFLICT (network, kind, owner) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER passes_version_delete_team AFTER DELETE ON passes WHEN OLD.team <> ''
BEGIN
	INSERT INTO pass_versions (network, kind, owner, version) VALUES (OLD.network, 'team', OLD.team, 1)
	ON CONFLICT (network, kind, owner) DO UPDATE SET version = version + 1;
END;

-- An insert that meets a row with its key under another owner (which
-- INSERT OR REPLACE deletes; an upsert updates it, and the update
-- triggers raise both owners), or a row with its passcode (which INSERT OR
-- REPLACE deletes; any other insert fails and takes this back), raises
-- the owners of that row. The upsert of a pass by its own owner, the
-- store's write, meets neither and raises nothing here.
CREATE TRIGGER passes_version_replace BEFORE INSERT ON passes
WHEN EXISTS (SELECT 1 FROM passes WHERE network = NEW.network AND id = NEW.id AND (holder <> NEW.holder OR team <> NEW.team))
	OR EXISTS (SELECT 1 FROM passes WHERE network = NEW.network AND code_hash = NEW.code_hash AND code_hash <> '' AND id <> NEW.id)
BEGIN
	INSERT INTO pass_versions (network, kind, owner, version)
	SELECT network, 'holder', holder, 1 FROM passes
	WHERE network = NEW.network AND (id = NEW.id OR (code_hash = NEW.code_hash AND code_hash <> '')) AND holder <> ''
	ON CONFLICT (network, kind, owner) DO UPDATE SET version = version + 1;
	INSERT INTO pass_versions (network, kind, owner, version)
	SELECT network, 'team', team, 1 FROM passes
	WHERE network = NEW.network AND (id = NEW.id OR (code_hash = NEW.code_hash AND code_hash <> '')) AND team <> ''
	ON CONFLICT (network, kind, owner) DO UPDATE SET version = version + 1;
END;

-- An update that changes a pass's key or passcode onto another row's
-- (which UPDATE OR REPLACE deletes) raises the owners of that row.
CREATE TRIGGER passes_version_displace BEFORE UPDATE ON passes
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
