-- Epidemiological investigations: one per case. The document (household,
-- symptoms, tests, exposures, source reasoning) is sealed with the vault as
-- it holds household ID numbers and phones; the itinerary has a table of
-- its own so that its visits to venues can be queried.

CREATE TABLE investigations (
	case_id        INTEGER NOT NULL PRIMARY KEY REFERENCES cases (id),
	status         TEXT    NOT NULL,
	control_date   TEXT    NOT NULL DEFAULT '',
	source_kind    TEXT    NOT NULL DEFAULT '',
	source_case    INTEGER REFERENCES cases (id),
	doc_cipher     BLOB    NOT NULL,
	trajectory_at  TEXT,
	submitted_at   TEXT,
	submitted_by   INTEGER,
	submitted_name TEXT    NOT NULL DEFAULT '',
	created_by     INTEGER,
	created_at     TEXT    NOT NULL,
	updated_by     INTEGER,
	updated_name   TEXT    NOT NULL DEFAULT '',
	updated_at     TEXT    NOT NULL,
	version        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX investigations_source ON investigations (source_case) WHERE source_case IS NOT NULL;

-- One row per itinerary entry, in time order (seq from 1). Times are Unix
-- seconds, as in scan_ins.
CREATE TABLE investigation_visits (
	case_id      INTEGER NOT NULL REFERENCES investigations (case_id),
	seq          INTEGER NOT NULL,
	from_at      INTEGER NOT NULL,
	to_at        INTEGER NOT NULL,
	venue_id     INTEGER REFERENCES venues (id),
	jurisdiction TEXT    NOT NULL DEFAULT '',
	place        TEXT    NOT NULL,
	activity     TEXT    NOT NULL DEFAULT '',
	mode         TEXT    NOT NULL DEFAULT '',
	vehicle      TEXT    NOT NULL DEFAULT '',
	seat         TEXT    NOT NULL DEFAULT '',
	companions   TEXT    NOT NULL DEFAULT '[]', -- JSON [{"name": ..., "person_id": ...}]
	notes        TEXT    NOT NULL DEFAULT '',
	PRIMARY KEY (case_id, seq)
);
-- Who of the cases was at a venue, and when.
CREATE INDEX investigation_visits_venue ON investigation_visits (venue_id, from_at) WHERE venue_id IS NOT NULL;
-- The same vehicle: trains, flights and plates shared by cases.
CREATE INDEX investigation_visits_vehicle ON investigation_visits (vehicle, from_at) WHERE vehicle <> '';
