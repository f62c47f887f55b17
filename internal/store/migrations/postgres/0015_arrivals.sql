-- Arrivals (来返人员) and what they owe: one arrival per person and trip,
-- merged from every channel that reported it, and its obligations.

-- A risk area's look-back: travellers who stayed there since this time
-- count as having stayed in it ("自X月X日以来有该地旅居史").
ALTER TABLE risk_areas ADD COLUMN since_at TIMESTAMPTZ;

CREATE TABLE arrivals (
	id          BIGSERIAL PRIMARY KEY,
	person_id   BIGINT NOT NULL,
	destination TEXT COLLATE "C" NOT NULL,
	address     TEXT NOT NULL DEFAULT '',
	arrived_at  TIMESTAMPTZ NOT NULL,
	origin      TEXT COLLATE "C" NOT NULL,
	travel      TEXT NOT NULL,
	transport   TEXT NOT NULL DEFAULT '',
	sources     TEXT NOT NULL,
	reported_at TIMESTAMPTZ,
	population  TEXT NOT NULL,
	tier        TEXT NOT NULL DEFAULT '',
	areas       TEXT NOT NULL DEFAULT '',
	match_note  TEXT NOT NULL DEFAULT '',
	edition     TEXT NOT NULL DEFAULT '',
	created_at  TIMESTAMPTZ NOT NULL,
	updated_at  TIMESTAMPTZ NOT NULL,
	version     INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX arrivals_person ON arrivals (person_id, arrived_at);
CREATE INDEX arrivals_destination ON arrivals (destination, arrived_at);

CREATE TABLE arrival_obligations (
	id           BIGSERIAL PRIMARY KEY,
	arrival_id   BIGINT NOT NULL REFERENCES arrivals (id),
	person_id    BIGINT NOT NULL,
	kind         TEXT NOT NULL,
	population   TEXT NOT NULL,
	measure      TEXT NOT NULL DEFAULT '',
	tests        INTEGER NOT NULL DEFAULT 0,
	taken        INTEGER NOT NULL DEFAULT 0,
	due_at       TIMESTAMPTZ,
	mandatory    BOOLEAN NOT NULL DEFAULT FALSE,
	order_id     BIGINT,
	status       TEXT NOT NULL,
	met_at       TIMESTAMPTZ,
	met_by       TEXT NOT NULL DEFAULT '',
	jurisdiction TEXT COLLATE "C" NOT NULL,
	edition      TEXT NOT NULL DEFAULT '',
	created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX arrival_obligations_arrival ON arrival_obligations (arrival_id);
CREATE INDEX arrival_obligations_place ON arrival_obligations (jurisdiction, status, due_at);
CREATE INDEX arrival_obligations_person ON arrival_obligations (person_id, status);

-- The samples of persons who owe a test are kept aside as well as those
-- of persons under an order.
CREATE OR REPLACE FUNCTION order_samples_capture() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.person_id IS NOT NULL AND (EXISTS (SELECT 1 FROM control_orders WHERE person_id = NEW.person_id AND status = 'active')
		OR EXISTS (SELECT 1 FROM arrival_obligations WHERE person_id = NEW.person_id AND status = 'open' AND kind = 'test')) THEN
		INSERT INTO order_samples (person_id, day, tube_id, slot, collected_at)
		VALUES (NEW.person_id, to_char((NEW.collected_at AT TIME ZONE 'UTC') + INTERVAL '8 hours', 'YYYY-MM-DD'), NEW.tube_id, NEW.slot, NEW.collected_at)
		ON CONFLICT DO NOTHING;
	END IF;
	RETURN NULL;
END $$;
