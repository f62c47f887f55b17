-- Scan-ins arrive at up to 100,000 a second. Inserted straight into the
-- venue-clustered table and its person index, each would rewrite a page of
-- each: keys arrive in random venue and person order. They go first to an
-- append-only log, a packed block of rows per batch, and are moved into
-- scan_ins in key order in large steps (store/scanlog.go).
CREATE TABLE scan_in_log (
	seq  INTEGER NOT NULL PRIMARY KEY,
	rows BLOB    NOT NULL
);

-- Bulk batches by the sender's key: a batch sent again is answered as
-- before and stored once.
CREATE TABLE scan_in_batches (
	key        TEXT    NOT NULL PRIMARY KEY,
	account_id INTEGER NOT NULL,
	stored     INTEGER NOT NULL,
	at         TEXT    NOT NULL
);
