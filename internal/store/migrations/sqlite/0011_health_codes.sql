-- Health codes are computed from facts, never stored as colours. These are
-- the facts that exist only for codes: marks on a person (a colour set by
-- hand, a companion, a document), the one-time travel window, measures on
-- an area, and the generations of the signing key.
CREATE TABLE code_marks (
	id          INTEGER NOT NULL PRIMARY KEY,
	person_id   INTEGER NOT NULL REFERENCES persons (id),
	reason      TEXT    NOT NULL DEFAULT '', -- A1..A8, B1..B6, or '' on a green set by hand
	force       TEXT    NOT NULL DEFAULT '', -- the colour a mark set by hand forces
	note        TEXT    NOT NULL,
	source      TEXT    NOT NULL,            -- manual, or the record that made it ("case:12")
	from_at     TEXT    NOT NULL,
	until_at    TEXT    NOT NULL,
	revoked_at  TEXT,
	revoked_by  INTEGER,
	revoke_note TEXT    NOT NULL DEFAULT '',
	created_by  INTEGER,
	created_at  TEXT    NOT NULL
);
CREATE INDEX code_marks_person ON code_marks (person_id);
CREATE INDEX code_marks_until ON code_marks (until_at);

CREATE TABLE code_windows (
	person_id  INTEGER NOT NULL PRIMARY KEY REFERENCES persons (id),
	from_at    TEXT    NOT NULL,
	until_at   TEXT    NOT NULL,
	created_by INTEGER,
	created_at TEXT    NOT NULL
);

CREATE TABLE area_measures (
	id           INTEGER NOT NULL PRIMARY KEY,
	jurisdiction TEXT    NOT NULL,
	reason       TEXT    NOT NULL,
	note         TEXT    NOT NULL,
	from_at      TEXT    NOT NULL,
	until_at     TEXT,              -- a fixed end, if any
	rounds       INTEGER NOT NULL DEFAULT 0, -- ends after this many negative rounds, if > 0
	ended_at     TEXT,
	end_note     TEXT    NOT NULL DEFAULT '',
	created_by   INTEGER,
	created_at   TEXT    NOT NULL
);
CREATE INDEX area_measures_jurisdiction ON area_measures (jurisdiction);

-- Generations of the health-code signing key. The private keys are derived
-- from the index key and the generation, never stored.
CREATE TABLE code_keys (
	id         INTEGER NOT NULL PRIMARY KEY,
	created_at TEXT    NOT NULL,
	retired_at TEXT
);
