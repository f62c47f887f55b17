-- Risk areas: public declarations by tier, from a township down. Step-down
-- proposals are computed from the cases, not stored; each confirmed step
-- moves tier and tier_since and is audited.
CREATE TABLE risk_areas (
	id           INTEGER NOT NULL PRIMARY KEY,
	edition      TEXT    NOT NULL,
	tier         TEXT    NOT NULL,
	jurisdiction TEXT    NOT NULL,
	name         TEXT    NOT NULL,
	geojson      TEXT    NOT NULL DEFAULT '',
	reason       TEXT    NOT NULL DEFAULT '',
	from_at      TEXT    NOT NULL,
	to_at        TEXT,
	tier_since   TEXT    NOT NULL,
	prev_tier    TEXT    NOT NULL DEFAULT '',
	declared_by  INTEGER,
	declared_at  TEXT    NOT NULL,
	lifted_at    TEXT,
	lift_reason  TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX risk_areas_jurisdiction ON risk_areas (jurisdiction, id);
