-- Isolation sites (隔离点), their rooms and staff, the stays of the people
-- in them; daily health checks and the alerts they raise.

CREATE TABLE sites (
	id             INTEGER NOT NULL PRIMARY KEY,
	name           TEXT    NOT NULL,
	kind           TEXT    NOT NULL, -- hotel, centre, other
	jurisdiction   TEXT    NOT NULL,
	address        TEXT    NOT NULL DEFAULT '',
	manager_name   TEXT    NOT NULL DEFAULT '',
	manager_cipher BLOB,             -- the manager's phone, sealed
	open           INTEGER NOT NULL DEFAULT 1,
	created_by     INTEGER,
	created_at     TEXT    NOT NULL,
	updated_at     TEXT    NOT NULL,
	version        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX sites_jurisdiction ON sites (jurisdiction, id);

CREATE TABLE site_staff (
	site_id    INTEGER NOT NULL REFERENCES sites (id),
	account_id INTEGER NOT NULL REFERENCES accounts (id),
	PRIMARY KEY (site_id, account_id)
);

CREATE TABLE rooms (
	id         INTEGER NOT NULL PRIMARY KEY,
	site_id    INTEGER NOT NULL REFERENCES sites (id),
	number     TEXT    NOT NULL,
	floor      INTEGER NOT NULL,
	beds       INTEGER NOT NULL,
	created_at TEXT    NOT NULL,
	UNIQUE (site_id, number)
);

-- A stay is one person in one room from arrival to departure. A person
-- stays in at most one place at a time: the partial unique index refuses
-- a second current stay whichever server writes it.
CREATE TABLE stays (
	id               INTEGER NOT NULL PRIMARY KEY,
	person_id        INTEGER NOT NULL REFERENCES persons (id),
	site_id          INTEGER NOT NULL REFERENCES sites (id),
	room_id          INTEGER NOT NULL REFERENCES rooms (id),
	household        TEXT    NOT NULL DEFAULT '',
	order_id         INTEGER, -- the control order that sent them, if any
	arrived_at       TEXT    NOT NULL,
	departed_at      TEXT,
	departure_reason TEXT    NOT NULL DEFAULT '', -- released, transferred, hospital, other
	transferred_to   INTEGER REFERENCES stays (id),
	created_by       INTEGER,
	departed_by      INTEGER
);
CREATE UNIQUE INDEX stays_current ON stays (person_id) WHERE departed_at IS NULL;
CREATE INDEX stays_site ON stays (site_id, room_id) WHERE departed_at IS NULL;
CREATE INDEX stays_person ON stays (person_id, id);

-- Temperatures are tenths of a degree Celsius; symptoms a comma-separated
-- list of codes; day the China date of at.
CREATE TABLE health_checks (
	id           INTEGER NOT NULL PRIMARY KEY,
	person_id    INTEGER NOT NULL REFERENCES persons (id),
	day          TEXT    NOT NULL,
	at           TEXT    NOT NULL,
	temperature  INTEGER NOT NULL,
	symptoms     TEXT    NOT NULL DEFAULT '',
	other        TEXT    NOT NULL DEFAULT '',
	source       TEXT    NOT NULL, -- staff, grid, self
	recorded_by  INTEGER,          -- the account; none for a self-report
	jurisdiction TEXT    NOT NULL  -- responsible for the person when recorded
);
CREATE INDEX health_checks_person ON health_checks (person_id, day);
CREATE INDEX health_checks_day ON health_checks (day, person_id);

CREATE TABLE alerts (
	id           INTEGER NOT NULL PRIMARY KEY,
	person_id    INTEGER NOT NULL REFERENCES persons (id),
	check_id     INTEGER NOT NULL REFERENCES health_checks (id),
	reasons      TEXT    NOT NULL, -- fever, symptom_cough, ...
	jurisdiction TEXT    NOT NULL,
	created_at   TEXT    NOT NULL,
	acked_by     INTEGER,
	acked_at     TEXT
);
CREATE INDEX alerts_jurisdiction ON alerts (jurisdiction, id);
CREATE INDEX alerts_open ON alerts (jurisdiction, id) WHERE acked_at IS NULL;
