-- Close and secondary contacts (密切接触者, 密接的密接) and their exposures.

-- A contact is a person under contact management. Until matched to a
-- registered person it is known by the name, ID number and phone entered,
-- sealed like a person's; once matched, person_id names the person and
-- doc_index holds the person's index, so that opening a case for the
-- person finds the contact either way.
CREATE TABLE contacts (
	id             INTEGER NOT NULL PRIMARY KEY,
	person_id      INTEGER REFERENCES persons (id),
	name           TEXT    NOT NULL,
	doc_type       TEXT    NOT NULL DEFAULT '',
	doc_cipher     BLOB,
	doc_index      BLOB,
	phone_cipher   BLOB,
	phone_index    BLOB,
	kind           TEXT    NOT NULL, -- close when any active exposure is close
	status         TEXT    NOT NULL, -- identified, controlled, released, became_case
	jurisdiction   TEXT    NOT NULL,
	household      TEXT    NOT NULL DEFAULT '',
	note           TEXT    NOT NULL DEFAULT '',
	first_exposure TEXT,
	last_exposure  TEXT,
	identified_at  TEXT    NOT NULL,
	controlled_at  TEXT,
	released_at    TEXT,
	case_id        INTEGER REFERENCES cases (id),
	became_case_at TEXT,
	merged_into    INTEGER REFERENCES contacts (id),
	created_by     INTEGER,
	created_at     TEXT    NOT NULL,
	updated_at     TEXT    NOT NULL,
	version        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX contacts_jurisdiction ON contacts (jurisdiction, id);
CREATE INDEX contacts_person ON contacts (person_id) WHERE person_id IS NOT NULL;
CREATE INDEX contacts_doc ON contacts (doc_index) WHERE doc_index IS NOT NULL;
CREATE INDEX contacts_phone ON contacts (phone_index) WHERE phone_index IS NOT NULL;
CREATE INDEX contacts_household ON contacts (household) WHERE household <> '';

-- An exposure of a contact to a case (close) or to a close contact
-- (secondary). Superseded exposures stay as history.
CREATE TABLE contact_exposures (
	id             INTEGER NOT NULL PRIMARY KEY,
	contact_id     INTEGER NOT NULL REFERENCES contacts (id),
	kind           TEXT    NOT NULL,
	source_case    INTEGER REFERENCES cases (id),
	source_contact INTEGER REFERENCES contacts (id),
	situation      TEXT    NOT NULL,
	venue_id       INTEGER REFERENCES venues (id),
	overlap_from   TEXT,
	overlap_to     TEXT,
	first_at       TEXT    NOT NULL,
	last_at        TEXT    NOT NULL,
	note           TEXT    NOT NULL DEFAULT '',
	outside_window INTEGER NOT NULL DEFAULT 0,
	superseded_at  TEXT,
	superseded_by  INTEGER,
	moved_from     INTEGER,
	created_by     INTEGER,
	created_name   TEXT    NOT NULL DEFAULT '',
	created_at     TEXT    NOT NULL,
	updated_at     TEXT    NOT NULL
);
CREATE INDEX contact_exposures_contact ON contact_exposures (contact_id, id);
CREATE INDEX contact_exposures_case ON contact_exposures (source_case) WHERE source_case IS NOT NULL;
-- The close contacts traced to each case, read whole for the chains.
CREATE INDEX contact_exposures_traced ON contact_exposures (source_case, contact_id) WHERE superseded_at IS NULL AND kind = 'close';
CREATE INDEX contact_exposures_source_contact ON contact_exposures (source_contact) WHERE source_contact IS NOT NULL;
-- Scan-ins at a venue during an exposure's overlap are kept past retention.
CREATE INDEX contact_exposures_venue ON contact_exposures (venue_id, overlap_from) WHERE venue_id IS NOT NULL;
