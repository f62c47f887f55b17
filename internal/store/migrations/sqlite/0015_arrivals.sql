-- Arrivals (来返人员) and what they owe: one arrival per person and trip,
-- merged from every channel that reported it, and its obligations.

-- A risk area's look-back: travellers who stayed there since this time
-- count as having stayed in it ("自X月X日以来有该地旅居史").
ALTER TABLE risk_areas ADD COLUMN since_at TEXT;

CREATE TABLE arrivals (
	id          INTEGER NOT NULL PRIMARY KEY,
	person_id   INTEGER NOT NULL,
	destination TEXT    NOT NULL, -- county or deeper
	address     TEXT    NOT NULL DEFAULT '',
	arrived_at  TEXT    NOT NULL,
	origin      TEXT    NOT NULL,
	travel      TEXT    NOT NULL, -- JSON: the places stayed, with their days
	transport   TEXT    NOT NULL DEFAULT '',
	sources     TEXT    NOT NULL, -- JSON: the channels that reported it
	reported_at TEXT,             -- the traveller's own first report
	population  TEXT    NOT NULL,
	tier        TEXT    NOT NULL DEFAULT '',
	areas       TEXT    NOT NULL DEFAULT '', -- risk area ids met, highest tier first, comma-separated
	match_note  TEXT    NOT NULL DEFAULT '',
	edition     TEXT    NOT NULL DEFAULT '',
	created_at  TEXT    NOT NULL,
	updated_at  TEXT    NOT NULL,
	version     INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX arrivals_person ON arrivals (person_id, arrived_at);
CREATE INDEX arrivals_destination ON arrivals (destination, arrived_at);

CREATE TABLE arrival_obligations (
	id           INTEGER NOT NULL PRIMARY KEY,
	arrival_id   INTEGER NOT NULL REFERENCES arrivals (id),
	person_id    INTEGER NOT NULL,
	kind         TEXT    NOT NULL, -- test, order
	population   TEXT    NOT NULL,
	measure      TEXT    NOT NULL DEFAULT '',
	tests        INTEGER NOT NULL DEFAULT 0,
	taken        INTEGER NOT NULL DEFAULT 0,
	due_at       TEXT,
	mandatory    INTEGER NOT NULL DEFAULT 0,
	order_id     INTEGER,
	status       TEXT    NOT NULL, -- open, met, superseded
	met_at       TEXT,
	met_by       TEXT    NOT NULL DEFAULT '',
	jurisdiction TEXT    NOT NULL,
	edition      TEXT    NOT NULL DEFAULT '',
	created_at   TEXT    NOT NULL
);
CREATE INDEX arrival_obligations_arrival ON arrival_obligations (arrival_id);
CREATE INDEX arrival_obligations_place ON arrival_obligations (jurisdiction, status, due_at);
CREATE INDEX arrival_obligations_person ON arrival_obligations (person_id, status);

-- The samples of persons who owe a test are kept aside as well as those
-- of persons under an order, so that a taken test is found without an
-- index of samples by person.
DROP TRIGGER order_samples_capture;
CREATE TRIGGER order_samples_capture AFTER INSERT ON samples
WHEN NEW.person_id IS NOT NULL AND (EXISTS (SELECT 1 FROM control_orders WHERE person_id = NEW.person_id AND status = 'active')
	OR EXISTS (SELECT 1 FROM arrival_obligations WHERE person_id = NEW.person_id AND status = 'open' AND kind = 'test'))
BEGIN
	INSERT OR IGNORE INTO order_samples (person_id, day, tube_id, slot, collected_at)
	VALUES (NEW.person_id, date(NEW.collected_at, '+8 hours'), NEW.tube_id, NEW.slot, NEW.collected_at);
END;
