-- Cases and the history of their classification, severity and outcome.

CREATE TABLE cases (
	id             INTEGER NOT NULL PRIMARY KEY,
	person_id      INTEGER REFERENCES persons (id),
	doc_cipher     BLOB    NOT NULL,
	doc_index      BLOB    NOT NULL,
	name           TEXT    NOT NULL,
	classification TEXT    NOT NULL,
	severity       TEXT    NOT NULL DEFAULT '',
	onset_date     TEXT    NOT NULL DEFAULT '',
	sampling_date  TEXT    NOT NULL DEFAULT '',
	variant        TEXT    NOT NULL DEFAULT '',
	lineage        TEXT    NOT NULL DEFAULT '',
	hospital       TEXT    NOT NULL DEFAULT '',
	outcome        TEXT    NOT NULL DEFAULT '',
	origin         TEXT    NOT NULL,
	jurisdiction   TEXT    NOT NULL,
	positive_id    INTEGER REFERENCES positives (id),
	detected_at    TEXT    NOT NULL,
	reported_at    TEXT    NOT NULL,
	trajectory_at  TEXT,
	initial_at     TEXT,
	created_by     INTEGER,
	created_at     TEXT    NOT NULL,
	updated_at     TEXT    NOT NULL,
	version        INTEGER NOT NULL DEFAULT 1
);
-- One case per positive result: opening it twice finds the first.
CREATE UNIQUE INDEX cases_positive ON cases (positive_id) WHERE positive_id IS NOT NULL;
CREATE INDEX cases_jurisdiction ON cases (jurisdiction, id);
CREATE INDEX cases_doc ON cases (doc_index);

CREATE TABLE case_history (
	id         INTEGER NOT NULL PRIMARY KEY,
	case_id    INTEGER NOT NULL REFERENCES cases (id),
	at         TEXT    NOT NULL,
	account_id INTEGER,
	username   TEXT    NOT NULL,
	field      TEXT    NOT NULL,
	from_value TEXT    NOT NULL,
	to_value   TEXT    NOT NULL
);
CREATE INDEX case_history_case ON case_history (case_id, id);

-- Transmission links between cases (who infected whom), with the evidence.
CREATE TABLE case_links (
	id         INTEGER NOT NULL PRIMARY KEY,
	from_case  INTEGER NOT NULL REFERENCES cases (id),
	to_case    INTEGER NOT NULL REFERENCES cases (id),
	evidence   TEXT    NOT NULL,
	confidence TEXT    NOT NULL,
	created_by INTEGER,
	created_at TEXT    NOT NULL,
	UNIQUE (from_case, to_case)
);
CREATE INDEX case_links_to ON case_links (to_case);
