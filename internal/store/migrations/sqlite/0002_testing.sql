-- Mass testing: rounds, sampling points, tubes and samples, transport boxes,
-- labs, results and their inbox, recalls (holds) and positives.
-- Progress is read from round_tallies, which every registration and result
-- batch adds to, so that a city's progress never scans its samples.

CREATE TABLE test_rounds (
	id           INTEGER NOT NULL PRIMARY KEY,
	name         TEXT    NOT NULL,
	jurisdiction TEXT    NOT NULL,
	areas        TEXT    NOT NULL DEFAULT '',
	starts_at    TEXT    NOT NULL,
	deadline     TEXT    NOT NULL,
	expected     INTEGER NOT NULL,
	modes        TEXT    NOT NULL,
	closed       INTEGER NOT NULL DEFAULT 0,
	created_by   INTEGER,
	created_at   TEXT    NOT NULL,
	updated_at   TEXT    NOT NULL
);
CREATE INDEX test_rounds_jurisdiction ON test_rounds (jurisdiction, starts_at);

-- The population expected per area, counted from the register when the
-- round opens.
CREATE TABLE round_expected (
	round_id INTEGER NOT NULL REFERENCES test_rounds (id),
	area     TEXT    NOT NULL,
	expected INTEGER NOT NULL,
	PRIMARY KEY (round_id, area)
);

CREATE TABLE round_tallies (
	round_id       INTEGER NOT NULL REFERENCES test_rounds (id),
	area           TEXT    NOT NULL,
	sampled        INTEGER NOT NULL DEFAULT 0,
	duplicates     INTEGER NOT NULL DEFAULT 0,
	tubes          INTEGER NOT NULL DEFAULT 0,
	tubes_sent     INTEGER NOT NULL DEFAULT 0,
	tubes_received INTEGER NOT NULL DEFAULT 0,
	tubes_resulted INTEGER NOT NULL DEFAULT 0,
	positive_tubes INTEGER NOT NULL DEFAULT 0,
	positives      INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (round_id, area)
);

CREATE TABLE sampling_points (
	id           INTEGER NOT NULL PRIMARY KEY,
	name         TEXT    NOT NULL,
	jurisdiction TEXT    NOT NULL,
	address      TEXT    NOT NULL DEFAULT '',
	opens        TEXT    NOT NULL DEFAULT '',
	closes       TEXT    NOT NULL DEFAULT '',
	all_day      INTEGER NOT NULL DEFAULT 0,
	tables_n     INTEGER NOT NULL,
	staff        INTEGER NOT NULL,
	active       INTEGER NOT NULL DEFAULT 1,
	queue        INTEGER NOT NULL DEFAULT 0,
	queue_at     TEXT,
	created_by   INTEGER,
	created_at   TEXT    NOT NULL,
	updated_at   TEXT    NOT NULL
);
CREATE INDEX sampling_points_jurisdiction ON sampling_points (jurisdiction, id);

CREATE TABLE round_points (
	round_id INTEGER NOT NULL REFERENCES test_rounds (id),
	point_id INTEGER NOT NULL REFERENCES sampling_points (id),
	PRIMARY KEY (round_id, point_id)
);
CREATE INDEX round_points_point ON round_points (point_id);

-- Samples taken per point per ten minutes, for the waiting estimate.
CREATE TABLE point_load (
	point_id INTEGER NOT NULL,
	bucket   INTEGER NOT NULL,
	samples  INTEGER NOT NULL,
	PRIMARY KEY (point_id, bucket)
);

CREATE TABLE labs (
	id           INTEGER NOT NULL PRIMARY KEY,
	name         TEXT    NOT NULL,
	jurisdiction TEXT    NOT NULL,
	capacity     INTEGER NOT NULL,
	created_by   INTEGER,
	created_at   TEXT    NOT NULL
);
CREATE INDEX labs_jurisdiction ON labs (jurisdiction);

CREATE TABLE boxes (
	id          INTEGER NOT NULL PRIMARY KEY,
	barcode     TEXT    NOT NULL UNIQUE,
	point_id    INTEGER NOT NULL REFERENCES sampling_points (id),
	lab_id      INTEGER NOT NULL REFERENCES labs (id),
	courier     TEXT    NOT NULL DEFAULT '',
	tube_count  INTEGER NOT NULL,
	sent_at     TEXT    NOT NULL,
	received_at TEXT,
	received_n  INTEGER NOT NULL DEFAULT 0,
	missing     TEXT    NOT NULL DEFAULT '',
	extra       TEXT    NOT NULL DEFAULT '',
	created_by  INTEGER
);

CREATE TABLE tubes (
	id          INTEGER NOT NULL PRIMARY KEY,
	barcode     TEXT    NOT NULL UNIQUE,
	round_id    INTEGER NOT NULL REFERENCES test_rounds (id),
	point_id    INTEGER NOT NULL REFERENCES sampling_points (id),
	area        TEXT    NOT NULL,
	pool_size   INTEGER NOT NULL,
	filled      INTEGER NOT NULL DEFAULT 0,
	status      TEXT    NOT NULL,
	box_id      INTEGER REFERENCES boxes (id),
	lab_id      INTEGER REFERENCES labs (id),
	result      TEXT    NOT NULL DEFAULT '',
	ct_orf1ab   REAL,
	ct_n        REAL,
	retest_of   INTEGER REFERENCES tubes (id),
	opened_at   TEXT    NOT NULL,
	closed_at   TEXT,
	sent_at     TEXT,
	received_at TEXT,
	resulted_at TEXT,
	due_at      TEXT
);
CREATE INDEX tubes_lab_status ON tubes (lab_id, status, due_at);
CREATE INDEX tubes_lab_resulted ON tubes (lab_id, resulted_at);
CREATE INDEX tubes_box ON tubes (box_id) WHERE box_id IS NOT NULL;
CREATE INDEX tubes_round ON tubes (round_id, id);

-- A sample is one person in one tube, stored in tube order (a tube's
-- samples are neighbours, and new ones go at the end). doc_index is the
-- blind index of the identity document, so that a person sampled twice in
-- a round is found without decrypting anything.
CREATE TABLE samples (
	round_id     INTEGER NOT NULL,
	tube_id      INTEGER NOT NULL,
	slot         INTEGER NOT NULL,
	doc_type     TEXT    NOT NULL,
	doc_cipher   BLOB    NOT NULL,
	doc_index    BLOB    NOT NULL,
	name         TEXT    NOT NULL DEFAULT '',
	person_id    INTEGER,
	area         TEXT    NOT NULL,
	point_id     INTEGER NOT NULL,
	table_no     INTEGER NOT NULL DEFAULT 0,
	grp          TEXT    NOT NULL,
	client_key   TEXT    NOT NULL,
	duplicate    INTEGER NOT NULL DEFAULT 0,
	collected_at TEXT    NOT NULL,
	created_by   INTEGER,
	PRIMARY KEY (tube_id, slot)
) WITHOUT ROWID;
-- Who was sampled in a round is found through the store's in-memory set
-- (people.go), not through an index: an index on a random key costs a page
-- write for nearly every sample of a city's round.

CREATE TABLE lab_results (
	id           INTEGER NOT NULL PRIMARY KEY,
	tube_id      INTEGER NOT NULL,
	outcome      TEXT    NOT NULL,
	ct_orf1ab    REAL,
	ct_n         REAL,
	observed_at  TEXT    NOT NULL,
	received_at  TEXT    NOT NULL,
	format       TEXT    NOT NULL,
	submitted_by INTEGER
);
CREATE INDEX lab_results_tube ON lab_results (tube_id);

CREATE TABLE lab_inbox (
	id           INTEGER NOT NULL PRIMARY KEY,
	jurisdiction TEXT    NOT NULL,
	received_at  TEXT    NOT NULL,
	format       TEXT    NOT NULL,
	barcode      TEXT    NOT NULL DEFAULT '',
	code         TEXT    NOT NULL,
	message      TEXT    NOT NULL,
	raw          TEXT    NOT NULL,
	submitted_by INTEGER,
	submitter    TEXT    NOT NULL DEFAULT '',
	resolved_at  TEXT,
	resolved_by  INTEGER,
	resolution   TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX lab_inbox_open ON lab_inbox (jurisdiction, id) WHERE resolved_at IS NULL;

CREATE TABLE holds (
	id             INTEGER NOT NULL PRIMARY KEY,
	kind           TEXT    NOT NULL,
	status         TEXT    NOT NULL,
	person_id      INTEGER,
	doc_index      BLOB    NOT NULL,
	doc_cipher     BLOB    NOT NULL,
	name           TEXT    NOT NULL DEFAULT '',
	area           TEXT    NOT NULL,
	round_id       INTEGER NOT NULL,
	tube_id        INTEGER NOT NULL,
	retest_tube_id INTEGER,
	placed_at      TEXT    NOT NULL,
	closed_at      TEXT
);
CREATE INDEX holds_doc ON holds (doc_index, status);
CREATE INDEX holds_area ON holds (area, status, id);
CREATE INDEX holds_status_kind ON holds (status, kind);
CREATE UNIQUE INDEX holds_tube_doc ON holds (tube_id, doc_index);

CREATE TABLE positives (
	id             INTEGER NOT NULL PRIMARY KEY,
	person_id      INTEGER,
	doc_index      BLOB    NOT NULL,
	doc_cipher     BLOB    NOT NULL,
	name           TEXT    NOT NULL DEFAULT '',
	area           TEXT    NOT NULL,
	round_id       INTEGER NOT NULL,
	tube_id        INTEGER NOT NULL,
	pooled_tube_id INTEGER,
	ct_orf1ab      REAL,
	ct_n           REAL,
	detected_at    TEXT    NOT NULL
);
CREATE UNIQUE INDEX positives_tube_doc ON positives (tube_id, doc_index);
CREATE INDEX positives_area ON positives (area, id);
