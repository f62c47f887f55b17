-- Policy editions in force per jurisdiction; venues and their scan-ins.

CREATE TABLE policy_assignments (
	jurisdiction TEXT    NOT NULL,
	from_date    TEXT    NOT NULL,
	edition      TEXT    NOT NULL DEFAULT '',
	overrides    TEXT    NOT NULL DEFAULT '{}',
	reason       TEXT    NOT NULL DEFAULT '',
	set_by       INTEGER,
	set_at       TEXT    NOT NULL,
	PRIMARY KEY (jurisdiction, from_date)
);

CREATE TABLE venues (
	id           INTEGER NOT NULL PRIMARY KEY,
	name         TEXT    NOT NULL,
	category     TEXT    NOT NULL,
	jurisdiction TEXT    NOT NULL,
	address      TEXT    NOT NULL DEFAULT '',
	lat          REAL,
	lng          REAL,
	contact_name TEXT    NOT NULL DEFAULT '',
	contact_cipher BLOB,
	code_serial  INTEGER NOT NULL DEFAULT 1,
	active       INTEGER NOT NULL DEFAULT 1,
	created_by   INTEGER,
	created_at   TEXT    NOT NULL,
	updated_at   TEXT    NOT NULL,
	version      INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX venues_jurisdiction ON venues (jurisdiction, id);

-- A scan-in is a stay of a person at a venue. Times are Unix seconds. The
-- table is clustered on (day, venue, at): a day's inserts fill one region
-- of the file, the companion search reads one short range per visit, and
-- the purge deletes whole days. A repeat of the same scan (person, venue,
-- second) is the same row, which makes the bulk API idempotent without a
-- key of its own.
CREATE TABLE scan_ins (
	day       INTEGER NOT NULL, -- days since 1970-01-01, China time
	venue_id  INTEGER NOT NULL,
	at        INTEGER NOT NULL,
	person_id INTEGER NOT NULL,
	leave     INTEGER,          -- check-out, when known
	source    INTEGER NOT NULL, -- 1 person scanned the venue code, 2 venue device, 3 reverse scan
	PRIMARY KEY (day, venue_id, at, person_id)
) WITHOUT ROWID;
-- A person's itinerary: their scan-ins by day.
CREATE INDEX scan_ins_person ON scan_ins (day, person_id, at);

-- Scan-ins recorded as an exposure outlive the retention period.
CREATE TABLE scan_in_holds (
	person_id INTEGER NOT NULL,
	venue_id  INTEGER NOT NULL,
	at        INTEGER NOT NULL,
	reason    TEXT    NOT NULL,
	PRIMARY KEY (person_id, venue_id, at)
);
