package store

import (
	"context"
	"database/sql"
	"time"

	"cordon"
)

const riskAreaColumns = `id, edition, tier, jurisdiction, name, geojson, reason, from_at, to_at, tier_since, prev_tier,
	declared_by, declared_at, lifted_at, lift_reason, since_at`

// CreateRiskArea stores a declared area.
func (tx *Tx) CreateRiskArea(ctx context.Context, r *cordon.RiskArea) error {
	r.DeclaredAt = tx.Now
	if r.TierSince.IsZero() {
		r.TierSince = r.From
	}
	var err error
	r.ID, err = tx.insert(ctx, `INSERT INTO risk_areas (edition, tier, jurisdiction, name, geojson, reason, from_at, to_at,
		tier_since, prev_tier, declared_by, declared_at, since_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Edition, r.Tier, r.Jurisdiction, r.Name, r.GeoJSON, r.Reason, ts(r.From), ts(r.To),
		ts(r.TierSince), r.PrevTier, nullID(r.DeclaredBy), ts(tx.Now), ts(r.Since))
	return err
}

// StepDownRiskArea moves an area from one tier to the next at a time. It
// refuses with a conflict when the area changed meanwhile.
func (tx *Tx) StepDownRiskArea(ctx context.Context, id int64, from, to string, at time.Time) error {
	res, err := tx.exec(ctx, `UPDATE risk_areas SET tier = ?, prev_tier = ?, tier_since = ?
		WHERE id = ? AND tier = ? AND lifted_at IS NULL`, to, from, ts(at), id, from)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return cordon.Errorf(cordon.KindConflict, "riskarea.changed", "the area changed or was lifted meanwhile")
	}
	return nil
}

// LiftRiskArea ends an area at a time, with a reason.
func (tx *Tx) LiftRiskArea(ctx context.Context, id int64, at time.Time, reason string) error {
	res, err := tx.exec(ctx, "UPDATE risk_areas SET lifted_at = ?, lift_reason = ? WHERE id = ? AND lifted_at IS NULL", ts(at), reason, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return cordon.Errorf(cordon.KindConflict, "riskarea.lifted", "the area was lifted already")
	}
	return nil
}

// RiskArea reads one area inside the scope.
func (tx *Tx) RiskArea(ctx context.Context, scope Scope, id int64) (cordon.RiskArea, error) {
	w, args := scope.where("jurisdiction")
	out, err := tx.riskAreas(ctx, "WHERE id = ? AND "+w, append([]any{id}, args...)...)
	if err != nil {
		return cordon.RiskArea{}, err
	}
	if len(out) == 0 {
		return cordon.RiskArea{}, notFound("riskarea")
	}
	return out[0], nil
}

// RiskAreas lists the areas inside the scope by jurisdiction and id.
func (tx *Tx) RiskAreas(ctx context.Context, scope Scope, f cordon.RiskAreaFilter) ([]cordon.RiskArea, error) {
	w, args := scope.where("jurisdiction")
	if !f.At.IsZero() {
		w += " AND from_at <= ? AND (to_at IS NULL OR to_at > ?) AND (lifted_at IS NULL OR lifted_at > ?)"
		args = append(args, ts(f.At), ts(f.At), ts(f.At))
	} else if !f.Lifted {
		w += " AND lifted_at IS NULL"
	}
	if f.Tier != "" {
		w += " AND tier = ?"
		args = append(args, f.Tier)
	}
	return tx.riskAreas(ctx, "WHERE "+w+" ORDER BY jurisdiction, id", args...)
}

// RiskAreasOver lists the areas in force at a time declared on any of the
// codes: a place's own code and its ancestors give the areas it lies in.
func (tx *Tx) RiskAreasOver(ctx context.Context, codes []string, at time.Time) ([]cordon.RiskArea, error) {
	if len(codes) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(codes)+3)
	for _, c := range codes {
		args = append(args, c)
	}
	args = append(args, ts(at), ts(at), ts(at))
	return tx.riskAreas(ctx, `WHERE jurisdiction IN (`+placeholders(len(codes))+`)
		AND from_at <= ? AND (to_at IS NULL OR to_at > ?) AND (lifted_at IS NULL OR lifted_at > ?) ORDER BY id`, args...)
}

func (tx *Tx) riskAreas(ctx context.Context, where string, args ...any) ([]cordon.RiskArea, error) {
	rows, err := tx.query(ctx, "SELECT "+riskAreaColumns+" FROM risk_areas "+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []cordon.RiskArea{}
	for rows.Next() {
		var r cordon.RiskArea
		var by sql.NullInt64
		if err := rows.Scan(&r.ID, &r.Edition, &r.Tier, &r.Jurisdiction, &r.Name, &r.GeoJSON, &r.Reason,
			timeCol{&r.From}, timeCol{&r.To}, timeCol{&r.TierSince}, &r.PrevTier,
			&by, timeCol{&r.DeclaredAt}, timeCol{&r.LiftedAt}, &r.LiftReason, timeCol{&r.Since}); err != nil {
			return nil, err
		}
		r.DeclaredBy = by.Int64
		out = append(out, r)
	}
	return out, rows.Err()
}

// LastInfection is the latest detection, at or before a time, of a
// confirmed or asymptomatic case whose person's residence or current
// place, or the case's own jurisdiction, lies inside the jurisdiction.
// Zero means none.
func (tx *Tx) LastInfection(ctx context.Context, jurisdiction string, before time.Time) (time.Time, error) {
	w, args := Inside(jurisdiction).whereAny("p.residence", "p.current", "c.jurisdiction")
	var last time.Time
	err := tx.queryRow(ctx, `SELECT MAX(c.detected_at) FROM cases c LEFT JOIN persons p ON p.id = c.person_id
		WHERE c.classification IN ('confirmed', 'asymptomatic') AND c.detected_at <= ? AND `+w,
		append([]any{ts(before)}, args...)...).Scan(timeCol{&last})
	return last, err
}
