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

-- On SQLite, moved scan-ins are kept in packed blocks rather than a row
-- each: a block per day and venue (what the companion search reads) and a
-- block per day and 64 consecutive persons (a person's itinerary). A move
-- of the log then writes a few thousand blocks instead of a B-tree entry
-- per scan-in and per index. PostgreSQL keeps scan_ins.
DROP TABLE scan_ins;

CREATE TABLE scan_venue_blocks (
	id       INTEGER NOT NULL PRIMARY KEY,
	day      INTEGER NOT NULL,
	venue_id INTEGER NOT NULL,
	rows     BLOB    NOT NULL
);
CREATE INDEX scan_venue_blocks_key ON scan_venue_blocks (day, venue_id);

CREATE TABLE scan_person_blocks (
	id     INTEGER NOT NULL PRIMARY KEY,
	day    INTEGER NOT NULL,
	bucket INTEGER NOT NULL, -- person id / 64
	rows   BLOB    NOT NULL
);
CREATE INDEX scan_person_blocks_key ON scan_person_blocks (day, bucket);
