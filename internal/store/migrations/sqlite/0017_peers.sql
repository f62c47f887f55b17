-- Other cordon instances (peers), the messages queued for them (outbox) and
-- the messages received from them (inbox).

CREATE TABLE peers (
	id         INTEGER NOT NULL PRIMARY KEY,
	name       TEXT    NOT NULL,
	base_url   TEXT    NOT NULL,
	public_key BLOB    NOT NULL, -- Ed25519, 32 bytes
	key_id     TEXT    NOT NULL, -- first 8 bytes of its SHA-256, hex
	divisions  TEXT    NOT NULL, -- division-code prefixes served, comma-separated
	active     INTEGER NOT NULL DEFAULT 1,
	created_by INTEGER,
	created_at TEXT    NOT NULL,
	updated_at TEXT    NOT NULL,
	version    INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX peers_key_id ON peers (key_id);
CREATE UNIQUE INDEX peers_name ON peers (name);

CREATE TABLE peer_outbox (
	seq          INTEGER NOT NULL PRIMARY KEY, -- the order of queueing
	id           TEXT    NOT NULL,             -- the message id, a UUID
	peer_id      INTEGER NOT NULL REFERENCES peers (id),
	kind         TEXT    NOT NULL,
	envelope     BLOB    NOT NULL,             -- the exact bytes signed and sent
	status       TEXT    NOT NULL,             -- pending, acknowledged, failed
	attempts     INTEGER NOT NULL DEFAULT 0,
	last_error   TEXT    NOT NULL DEFAULT '',
	queued_at    TEXT    NOT NULL,
	next_at      TEXT,                         -- the next attempt, while pending
	delivered_at TEXT
);
CREATE UNIQUE INDEX peer_outbox_id ON peer_outbox (id);
CREATE INDEX peer_outbox_peer ON peer_outbox (peer_id, status, seq);

CREATE TABLE peer_inbox (
	peer_id     INTEGER NOT NULL REFERENCES peers (id),
	id          TEXT    NOT NULL, -- the sender's message id
	kind        TEXT    NOT NULL,
	received_at TEXT    NOT NULL,
	PRIMARY KEY (peer_id, id)
);
