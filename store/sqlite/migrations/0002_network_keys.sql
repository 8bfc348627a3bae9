-- passengine SQLite schema, version 2: the check value of each network's
-- passcode key (RULES S6), so that an Engine started with another key is
-- refused before it counts a known code as unknown.

CREATE TABLE network_keys (
	network        TEXT PRIMARY KEY,
	code_key_check TEXT NOT NULL
);
