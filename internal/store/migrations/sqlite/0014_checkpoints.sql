-- Road checkpoints (卡点) and the passages of travellers through them.

CREATE TABLE checkpoints (
	id           INTEGER NOT NULL PRIMARY KEY,
	name         TEXT    NOT NULL,
	kind         TEXT    NOT NULL, -- road, county_border, station, port
	jurisdiction TEXT    NOT NULL,
	location     TEXT    NOT NULL DEFAULT '',
	in_label     TEXT    NOT NULL DEFAULT '',
	out_label    TEXT    NOT NULL DEFAULT '',
	staff        TEXT    NOT NULL DEFAULT '', -- usernames or names, one a line
	opens        TEXT    NOT NULL DEFAULT '', -- HH:MM Beijing time; both empty: all day
	closes       TEXT    NOT NULL DEFAULT '',
	active       INTEGER NOT NULL DEFAULT 1,
	created_by   INTEGER,
	created_at   TEXT    NOT NULL,
	updated_at   TEXT    NOT NULL,
	version      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX checkpoints_jurisdiction ON checkpoints (jurisdiction, id);

CREATE TABLE passages (
	id            INTEGER NOT NULL PRIMARY KEY,
	checkpoint_id INTEGER NOT NULL REFERENCES checkpoints (id),
	at            TEXT    NOT NULL,
	direction     TEXT    NOT NULL, -- in, out
	person_id     INTEGER,          -- null: an unidentified traveller, named below
	name          TEXT    NOT NULL DEFAULT '',
	phone_cipher  BLOB,
	plate         TEXT    NOT NULL DEFAULT '',
	color         TEXT    NOT NULL DEFAULT '', -- the code's colour at the passage
	source        TEXT    NOT NULL,            -- scan, typed
	client_key    TEXT,                        -- the sender's key, for a queue sent twice
	recorded_by   INTEGER
);
CREATE UNIQUE INDEX passages_key ON passages (checkpoint_id, client_key);
CREATE INDEX passages_checkpoint_at ON passages (checkpoint_id, at);
CREATE INDEX passages_person_at ON passages (person_id, at);
