-- Bulk scan-in batches by the sender's key: a batch sent again is answered
-- as before and stored once. (PostgreSQL takes scan-ins straight into
-- scan_ins; the SQLite store stages them in a log first.)
CREATE TABLE scan_in_batches (
	key        TEXT NOT NULL PRIMARY KEY,
	account_id BIGINT NOT NULL,
	stored     INTEGER NOT NULL,
	at         TIMESTAMPTZ NOT NULL
);
