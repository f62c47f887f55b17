-- Foundation: grids, accounts, sessions, API tokens, persons, audit log.
-- Jurisdiction codes are materialised paths compared by prefix ranges.

CREATE TABLE grids (
	code       TEXT    NOT NULL PRIMARY KEY,
	name       TEXT    NOT NULL,
	parent     TEXT    NOT NULL,
	created_at TEXT    NOT NULL,
	created_by INTEGER
);
CREATE INDEX grids_parent ON grids (parent);

CREATE TABLE accounts (
	id            INTEGER NOT NULL PRIMARY KEY,
	username      TEXT    NOT NULL UNIQUE,
	display_name  TEXT    NOT NULL,
	role          TEXT    NOT NULL,
	jurisdiction  TEXT    NOT NULL,
	password_hash TEXT    NOT NULL,
	disabled      INTEGER NOT NULL DEFAULT 0,
	language      TEXT    NOT NULL DEFAULT '',
	failed_logins INTEGER NOT NULL DEFAULT 0,
	locked_until  TEXT,
	last_login_at TEXT,
	created_at    TEXT    NOT NULL,
	updated_at    TEXT    NOT NULL
);
CREATE INDEX accounts_jurisdiction ON accounts (jurisdiction);

CREATE TABLE sessions (
	id_hash      BLOB    NOT NULL PRIMARY KEY,
	account_id   INTEGER NOT NULL REFERENCES accounts (id),
	csrf_token   TEXT    NOT NULL,
	created_at   TEXT    NOT NULL,
	expires_at   TEXT    NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE api_tokens (
	id         INTEGER NOT NULL PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id),
	name       TEXT    NOT NULL,
	token_hash BLOB    NOT NULL UNIQUE,
	created_at TEXT    NOT NULL,
	expires_at TEXT    NOT NULL,
	revoked_at TEXT
);
CREATE INDEX api_tokens_account ON api_tokens (account_id);

CREATE TABLE persons (
	id           INTEGER NOT NULL PRIMARY KEY,
	name         TEXT    NOT NULL,
	doc_type     TEXT    NOT NULL,
	doc_cipher   BLOB    NOT NULL,
	doc_index    BLOB    NOT NULL,
	phone_cipher BLOB,
	phone_index  BLOB,
	sex          TEXT    NOT NULL DEFAULT '',
	birth_date   TEXT    NOT NULL DEFAULT '',
	residence    TEXT    NOT NULL,
	address      TEXT    NOT NULL DEFAULT '',
	current      TEXT    NOT NULL,
	merged_into  INTEGER REFERENCES persons (id),
	created_by   INTEGER,
	created_at   TEXT    NOT NULL,
	updated_at   TEXT    NOT NULL,
	version      INTEGER NOT NULL DEFAULT 1
);
-- One document, one record: a record merged into another keeps its
-- document, which then leads to the survivor and cannot be registered again.
CREATE UNIQUE INDEX persons_doc_index ON persons (doc_index);
CREATE INDEX persons_phone_index ON persons (phone_index);
CREATE INDEX persons_residence ON persons (residence, id);
CREATE INDEX persons_current ON persons (current, id);
CREATE INDEX persons_name ON persons (name);
CREATE INDEX persons_merged_into ON persons (merged_into) WHERE merged_into IS NOT NULL;

CREATE TABLE audit_log (
	id           INTEGER NOT NULL PRIMARY KEY,
	at           TEXT    NOT NULL,
	account_id   INTEGER,
	username     TEXT    NOT NULL,
	action       TEXT    NOT NULL,
	record       TEXT    NOT NULL DEFAULT '',
	jurisdiction TEXT    NOT NULL DEFAULT '',
	reason       TEXT    NOT NULL DEFAULT '',
	detail       TEXT    NOT NULL DEFAULT '',
	request_id   TEXT    NOT NULL DEFAULT '',
	remote       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_record ON audit_log (record, id);
-- Each index costs every audited read a page write: browsing by username
-- or action scans within the jurisdiction range instead.
CREATE INDEX audit_log_jurisdiction ON audit_log (jurisdiction, id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only');
END;
