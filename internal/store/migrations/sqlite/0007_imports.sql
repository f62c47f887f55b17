-- Imports of line lists: one row a file, its progress and outcome, so that a
-- job's outcome survives a restart; and the errors of its rows.

CREATE TABLE imports (
	id           INTEGER NOT NULL PRIMARY KEY,
	kind         TEXT    NOT NULL,
	jurisdiction TEXT    NOT NULL,
	account_id   INTEGER NOT NULL,
	username     TEXT    NOT NULL,
	file_name    TEXT    NOT NULL,
	format       TEXT    NOT NULL,
	status       TEXT    NOT NULL,
	error        TEXT    NOT NULL DEFAULT '',
	total        INTEGER NOT NULL,
	done         INTEGER NOT NULL DEFAULT 0,
	stored       INTEGER NOT NULL DEFAULT 0,
	failed       INTEGER NOT NULL DEFAULT 0,
	created_at   TEXT    NOT NULL,
	updated_at   TEXT    NOT NULL,
	finished_at  TEXT
);
CREATE INDEX imports_account ON imports (account_id, id);
CREATE INDEX imports_running ON imports (status, updated_at);

CREATE TABLE import_errors (
	id        INTEGER NOT NULL PRIMARY KEY,
	import_id INTEGER NOT NULL REFERENCES imports (id),
	line      INTEGER NOT NULL,
	heading   TEXT    NOT NULL,
	code      TEXT    NOT NULL,
	message   TEXT    NOT NULL,
	record    TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX import_errors_import ON import_errors (import_id, id);
