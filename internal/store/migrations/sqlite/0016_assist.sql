-- Assist requests (协查): one letter to one county, and its people with
-- how far the receiver got with each.

CREATE TABLE assist_requests (
	id             INTEGER NOT NULL PRIMARY KEY,
	number         TEXT    NOT NULL, -- 百色协查〔2022〕第0001号
	sender         TEXT    NOT NULL, -- jurisdiction code
	sender_name    TEXT    NOT NULL,
	sent_by        INTEGER,          -- the account here; null when received from a peer
	sent_by_name   TEXT    NOT NULL DEFAULT '',
	target         TEXT    NOT NULL, -- county code
	reason         TEXT    NOT NULL,
	source         TEXT    NOT NULL,
	contact        TEXT    NOT NULL DEFAULT '',
	parent_id      INTEGER REFERENCES assist_requests (id), -- forwarded from
	peer_id        INTEGER,          -- sent to this peer instance
	origin_peer_id INTEGER,          -- received from this peer instance
	remote_id      INTEGER,          -- the request's id at the origin peer
	year           INTEGER NOT NULL,
	seq            INTEGER NOT NULL,
	created_at     TEXT    NOT NULL,
	received_at    TEXT              -- null until a peer says it received it
);
CREATE UNIQUE INDEX assist_requests_number ON assist_requests (sender, year, seq);
CREATE UNIQUE INDEX assist_requests_remote ON assist_requests (origin_peer_id, remote_id);
CREATE INDEX assist_requests_target ON assist_requests (target, id);

CREATE TABLE assist_people (
	id               INTEGER NOT NULL PRIMARY KEY,
	request_id       INTEGER NOT NULL REFERENCES assist_requests (id),
	pos              INTEGER NOT NULL, -- 1.. in the letter; names the person between instances
	person_id        INTEGER,          -- the receiver's person record
	name             TEXT    NOT NULL,
	doc_type         TEXT    NOT NULL,
	doc_cipher       BLOB,
	phone_cipher     BLOB,
	residence        TEXT    NOT NULL DEFAULT '',
	current          TEXT    NOT NULL DEFAULT '',
	places           TEXT    NOT NULL DEFAULT '',
	note             TEXT    NOT NULL DEFAULT '',
	grid             TEXT    NOT NULL DEFAULT '',
	status           TEXT    NOT NULL, -- pending, located, contacted, tested, controlled, not_found, moved_on
	due_at           TEXT,             -- receipt + 24 h
	located_at       TEXT,
	contacted_at     TEXT,
	tested_at        TEXT,
	controlled_at    TEXT,
	closed_at        TEXT,             -- not found or moved on
	status_note      TEXT    NOT NULL DEFAULT '',
	updated_by       TEXT    NOT NULL DEFAULT '', -- username, or peer:name/username
	updated_at       TEXT,
	forwarded_to     INTEGER REFERENCES assist_requests (id), -- the request it went on in, here
	forwarded_target TEXT    NOT NULL DEFAULT ''                -- the county it went on to
);
CREATE UNIQUE INDEX assist_people_pos ON assist_people (request_id, pos);
CREATE INDEX assist_people_due ON assist_people (status, due_at);
CREATE INDEX assist_people_person ON assist_people (person_id);
