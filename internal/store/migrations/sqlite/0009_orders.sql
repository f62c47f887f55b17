-- Control orders (管控措施): one measure on one person, its phases and
-- test days from the policy edition in force (JSON in phases), and how it
-- ended. jurisdiction is the person's current place when it was made: the
-- scope of who sees it.
CREATE TABLE control_orders (
	id             INTEGER NOT NULL PRIMARY KEY,
	person_id      INTEGER NOT NULL REFERENCES persons (id),
	type           TEXT    NOT NULL, -- the first phase's
	basis          TEXT    NOT NULL, -- contact, case, retest, arrival, manual
	contact_id     INTEGER REFERENCES contacts (id),
	case_id        INTEGER REFERENCES cases (id),
	hold_id        INTEGER REFERENCES holds (id),
	linked_contact INTEGER REFERENCES contacts (id),
	linked_tests   INTEGER NOT NULL DEFAULT 0,
	population     TEXT    NOT NULL DEFAULT '',
	edition        TEXT    NOT NULL DEFAULT '',
	last_exposure  TEXT,
	phases         TEXT    NOT NULL,
	starts_on      TEXT    NOT NULL,
	ends_on        TEXT    NOT NULL DEFAULT '',
	required_from  TEXT    NOT NULL, -- test days before it (the day it was made) are owed only if sampled
	status         TEXT    NOT NULL, -- active, released, converted, cancelled
	release_kind   TEXT    NOT NULL DEFAULT '',
	release_reason TEXT    NOT NULL DEFAULT '',
	released_at    TEXT,
	released_by    TEXT    NOT NULL DEFAULT '',
	converted_to   INTEGER REFERENCES control_orders (id),
	jurisdiction   TEXT    NOT NULL,
	note           TEXT    NOT NULL DEFAULT '',
	created_by     INTEGER,
	created_name   TEXT    NOT NULL DEFAULT '',
	created_at     TEXT    NOT NULL,
	updated_at     TEXT    NOT NULL,
	version        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX control_orders_jurisdiction ON control_orders (jurisdiction, id);
CREATE INDEX control_orders_person ON control_orders (person_id, id);
-- What the capture of samples below asks for each sample of a person.
CREATE INDEX control_orders_active ON control_orders (person_id) WHERE status = 'active';
CREATE INDEX control_orders_contact ON control_orders (contact_id) WHERE contact_id IS NOT NULL;
CREATE INDEX control_orders_hold ON control_orders (hold_id) WHERE hold_id IS NOT NULL;

-- The test days of each order, for the day's sampling tasks.
CREATE TABLE order_test_days (
	order_id INTEGER NOT NULL REFERENCES control_orders (id),
	day      TEXT    NOT NULL,
	PRIMARY KEY (order_id, day)
);
CREATE INDEX order_test_days_day ON order_test_days (day, order_id);

-- The samples of persons under an active order, by day (China time),
-- copied as they are registered: samples are stored in tube order with no
-- index by person (one would cost a page write for nearly every sample of
-- a city's round), so the few samples that orders need are kept aside.
CREATE TABLE order_samples (
	person_id    INTEGER NOT NULL,
	day          TEXT    NOT NULL,
	tube_id      INTEGER NOT NULL,
	slot         INTEGER NOT NULL,
	collected_at TEXT    NOT NULL,
	PRIMARY KEY (person_id, day, tube_id, slot)
);

CREATE TRIGGER order_samples_capture AFTER INSERT ON samples
WHEN NEW.person_id IS NOT NULL AND EXISTS (SELECT 1 FROM control_orders WHERE person_id = NEW.person_id AND status = 'active')
BEGIN
	INSERT OR IGNORE INTO order_samples (person_id, day, tube_id, slot, collected_at)
	VALUES (NEW.person_id, date(NEW.collected_at, '+8 hours'), NEW.tube_id, NEW.slot, NEW.collected_at);
END;
