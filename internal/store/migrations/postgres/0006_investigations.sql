-- Epidemiological investigations: one per case. See the SQLite migration.

CREATE TABLE investigations (
	case_id        BIGINT NOT NULL PRIMARY KEY REFERENCES cases (id),
	status         TEXT NOT NULL,
	control_date   TEXT NOT NULL DEFAULT '',
	source_kind    TEXT NOT NULL DEFAULT '',
	source_case    BIGINT REFERENCES cases (id),
	doc_cipher     BYTEA NOT NULL,
	trajectory_at  TIMESTAMPTZ,
	submitted_at   TIMESTAMPTZ,
	submitted_by   BIGINT,
	submitted_name TEXT NOT NULL DEFAULT '',
	created_by     BIGINT,
	created_at     TIMESTAMPTZ NOT NULL,
	updated_by     BIGINT,
	updated_name   TEXT NOT NULL DEFAULT '',
	updated_at     TIMESTAMPTZ NOT NULL,
	version        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX investigations_source ON investigations (source_case) WHERE source_case IS NOT NULL;

CREATE TABLE investigation_visits (
	case_id      BIGINT NOT NULL REFERENCES investigations (case_id),
	seq          INTEGER NOT NULL,
	from_at      BIGINT NOT NULL,
	to_at        BIGINT NOT NULL,
	venue_id     BIGINT REFERENCES venues (id),
	jurisdiction TEXT COLLATE "C" NOT NULL DEFAULT '',
	place        TEXT NOT NULL,
	activity     TEXT NOT NULL DEFAULT '',
	mode         TEXT NOT NULL DEFAULT '',
	vehicle      TEXT NOT NULL DEFAULT '',
	seat         TEXT NOT NULL DEFAULT '',
	companions   TEXT NOT NULL DEFAULT '[]',
	notes        TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (case_id, seq)
);
CREATE INDEX investigation_visits_venue ON investigation_visits (venue_id, from_at) WHERE venue_id IS NOT NULL;
CREATE INDEX investigation_visits_vehicle ON investigation_visits (vehicle, from_at) WHERE vehicle <> '';
