-- Audited reads arrive at tens of thousands a second (health-code lookups
-- and verifications). A row each in audit_log, with its index on the
-- record, would write a page of that index per read: each group commit
-- writes its reads as one packed row here instead, with the ids of the
-- same sequence as audit_log. Browsing the log merges both.
CREATE TABLE audit_packs (
	id       INTEGER NOT NULL PRIMARY KEY,
	first_id INTEGER NOT NULL,
	last_id  INTEGER NOT NULL,
	first_at TEXT    NOT NULL,
	last_at  TEXT    NOT NULL,
	entries  BLOB    NOT NULL
);
CREATE INDEX audit_packs_last_id ON audit_packs (last_id);

CREATE TRIGGER audit_packs_no_update BEFORE UPDATE ON audit_packs
BEGIN
	SELECT RAISE(ABORT, 'audit_packs is append-only');
END;
CREATE TRIGGER audit_packs_no_delete BEFORE DELETE ON audit_packs
BEGIN
	SELECT RAISE(ABORT, 'audit_packs is append-only');
END;

-- The next id of the audit log's sequence, which rows and packed reads
-- share. A transaction takes its ids here under SQLite's write lock, so two
-- processes on one database (a server and `cordon user add`) never hand out
-- the same id, and a rollback gives its ids back.
CREATE TABLE audit_seq (
	next INTEGER NOT NULL
);
INSERT INTO audit_seq (next) SELECT COALESCE(MAX(id), 0) + 1 FROM audit_log;
