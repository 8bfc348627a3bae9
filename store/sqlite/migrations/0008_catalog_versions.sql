-- passengine SQLite schema, version 8: a version per network of its
-- catalog, so that a Store may keep the network's row, its count of
-- locations, its PAYG products and the locations asked for, and read
-- them only when they changed (store/sqlite/catcache.go).
--
-- catalog_versions holds a number per network that the triggers below
-- raise by one for every insert, update or delete of a row of networks,
-- locations or paygs of that network, whoever writes it (this process,
-- another Store on the file, another program, SQL by hand): two committed
-- states of the database with the same version of a network hold the same
-- catalog rows of that network. A network without a row has version 0 (no
-- catalog row written since this migration). Every key of the three
-- tables begins with the network, so a row INSERT OR REPLACE displaces
-- (without firing the delete triggers) is of the network the insert
-- raises.

CREATE TABLE catalog_versions (
	network TEXT PRIMARY KEY,
	version INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TRIGGER networks_version_insert AFTER INSERT ON networks
BEGIN
	INSERT INTO catalog_versions (network, version) VALUES (NEW.id, 1)
	ON CONFLICT (network) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER networks_version_update AFTER UPDATE ON networks
BEGIN
	INSERT INTO catalog_versions (network, version) VALUES (NEW.id, 1)
	ON CONFLICT (network) DO UPDATE SET version = version + 1;
	INSERT INTO catalog_versions (network, version) SELECT OLD.id, 1 WHERE OLD.id <> NEW.id
	ON CONFLICT (network) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER networks_version_delete AFTER DELETE ON networks
BEGIN
	INSERT INTO catalog_versions (network, version) VALUES (OLD.id, 1)
	ON CONFLICT (network) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER locations_version_insert AFTER INSERT ON locations
BEGIN
	INSERT INTO catalog_versions (network, version) VALUES (NEW.network, 1)
	ON CONFLICT (network) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER locations_version_update AFTER UPDATE ON locations
BEGIN
	INSERT INTO catalog_versions (network, version) VALUES (NEW.network, 1)
	ON CONFLICT (network) DO UPDATE SET version = version + 1;
	INSERT INTO catalog_versions (network, version) SELECT OLD.network, 1 WHERE OLD.network <> NEW.network
	ON CONFLICT (network) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER locations_version_delete AFTER DELETE ON locations
BEGIN
	INSERT INTO catalog_versions (network, version) VALUES (OLD.network, 1)
	ON CONFLICT (network) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER paygs_version_insert AFTER INSERT ON paygs
BEGIN
	INSERT INTO catalog_versions (network, version) VALUES (NEW.network, 1)
	ON CONFLICT (network) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER paygs_version_update AFTER UPDATE ON paygs
BEGIN
	INSERT INTO catalog_versions (network, version) VALUES (NEW.network, 1)
	ON CONFLICT (network) DO UPDATE SET version = version + 1;
	INSERT INTO catalog_versions (network, version) SELECT OLD.network, 1 WHERE OLD.network <> NEW.network
	ON CONFLICT (network) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER paygs_version_delete AFTER DELETE ON paygs
BEGIN
	INSERT INTO catalog_versions (network, version) VALUES (OLD.network, 1)
	ON CONFLICT (network) DO UPDATE SET version = version + 1;
END;
