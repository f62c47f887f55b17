package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"cordon"
)

// Daily health checks and the alerts they raise. Temperatures are kept in
// tenths of a degree, so that 37.3 is 373 on both databases and the fever
// rule compares whole numbers.

func joinSymptoms(s []cordon.CheckSymptom) string {
	parts := make([]string, len(s))
	for i, x := range s {
		parts[i] = string(x)
	}
	return strings.Join(parts, ",")
}

func splitSymptoms(s string) []cordon.CheckSymptom {
	out := []cordon.CheckSymptom{}
	for _, x := range strings.Split(s, ",") {
		if x != "" {
			out = append(out, cordon.CheckSymptom(x))
		}
	}
	return out
}

// CreateHealthCheck stores a check and sets its id. by is the recording
// account; zero for a self-report.
func (tx *Tx) CreateHealthCheck(ctx context.Context, c *cordon.HealthCheck, by int64) error {
	id, err := tx.insert(ctx, `INSERT INTO health_checks (
		person_id,
		day,
		at,
		temperature,
		symptoms,
		other,
		source,
		recorded_by,
		jurisdiction
	) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.PersonID, c.Day, ts(c.At), cordon.Tenths(c.Temperature), joinSymptoms(c.Symptoms), c.Other, c.Source, nullID(by), c.Jurisdiction)
	c.ID = id
	return err
}

const checkColumns = `h.id,
	h.person_id,
	h.day,
	h.at,
	h.temperature,
	h.symptoms,
	h.other,
	h.source,
	COALESCE(a.username, ''),
	h.jurisdiction,
	EXISTS (SELECT 1 FROM alerts x WHERE x.check_id = h.id)`

const checkFrom = " FROM health_checks h LEFT JOIN accounts a ON a.id = h.recorded_by"

func (tx *Tx) checks(ctx context.Context, where string, args ...any) ([]cordon.HealthCheck, error) {
	rows, err := tx.query(ctx, "SELECT "+checkColumns+checkFrom+" WHERE "+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cordon.HealthCheck
	for rows.Next() {
		var c cordon.HealthCheck
		var tenths int
		var symptoms string
		if err := rows.Scan(&c.ID, &c.PersonID, &c.Day, timeCol{&c.At}, &tenths, &symptoms, &c.Other, &c.Source, &c.RecordedBy,
			&c.Jurisdiction, &c.Alert); err != nil {
			return nil, err
		}
		c.Temperature = float64(tenths) / 10
		c.Symptoms = splitSymptoms(symptoms)
		out = append(out, c)
	}
	return out, rows.Err()
}

// HealthChecksOf lists a person's checks, latest first.
func (tx *Tx) HealthChecksOf(ctx context.Context, person int64, limit int) ([]cordon.HealthCheck, error) {
	return tx.checks(ctx, "h.person_id = ? ORDER BY h.at DESC, h.id DESC LIMIT ?", person, clampLimit(limit))
}

// LatestChecks returns each person's latest check of a day, by person.
func (tx *Tx) LatestChecks(ctx context.Context, persons []int64, day string) (map[int64]cordon.HealthCheck, error) {
	out := map[int64]cordon.HealthCheck{}
	for len(persons) > 0 {
		n := min(len(persons), 500)
		args := []any{day}
		for _, id := range persons[:n] {
			args = append(args, id)
		}
		cs, err := tx.checks(ctx, "h.day = ? AND h.person_id IN ("+placeholders(n)+") ORDER BY h.at, h.id", args...)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			out[c.PersonID] = c
		}
		persons = persons[n:]
	}
	return out, nil
}

// CreateAlert raises an alert on a check for the epidemiologists of the
// check's jurisdiction.
func (tx *Tx) CreateAlert(ctx context.Context, c cordon.HealthCheck, reasons []string) (int64, error) {
	return tx.insert(ctx, `INSERT INTO alerts (person_id, check_id, reasons, jurisdiction, created_at) VALUES (?, ?, ?, ?, ?)`,
		c.PersonID, c.ID, strings.Join(reasons, ","), c.Jurisdiction, ts(tx.Now))
}

const alertColumns = `x.id,
	x.person_id,
	p.name,
	p.doc_cipher,
	x.check_id,
	x.reasons,
	h.temperature,
	h.other,
	x.jurisdiction,
	COALESCE(s.name, ''),
	COALESCE(r.number, ''),
	h.at,
	COALESCE(a.username, ''),
	x.acked_at`

const alertFrom = ` FROM alerts x
	JOIN persons p ON p.id = x.person_id
	JOIN health_checks h ON h.id = x.check_id
	LEFT JOIN accounts a ON a.id = x.acked_by
	LEFT JOIN stays t ON t.person_id = x.person_id AND t.departed_at IS NULL
	LEFT JOIN sites s ON s.id = t.site_id
	LEFT JOIN rooms r ON r.id = t.room_id`

// Alerts lists the alerts of jurisdictions inside the scope, newest first.
func (tx *Tx) Alerts(ctx context.Context, scope Scope, f cordon.AlertFilter) ([]cordon.Alert, error) {
	w, args := scope.where("x.jurisdiction")
	if f.Open {
		w += " AND x.acked_at IS NULL"
	}
	if f.Person > 0 {
		w += " AND x.person_id = ?"
		args = append(args, f.Person)
	}
	if f.After > 0 {
		w += " AND x.id < ?"
		args = append(args, f.After)
	}
	return tx.alerts(ctx, w+" ORDER BY x.id DESC LIMIT ?", append(args, clampLimit(f.Limit))...)
}

// Alert reads an alert of a jurisdiction inside the scope.
func (tx *Tx) Alert(ctx context.Context, scope Scope, id int64) (cordon.Alert, error) {
	w, args := scope.where("x.jurisdiction")
	out, err := tx.alerts(ctx, "x.id = ? AND "+w, append([]any{id}, args...)...)
	if err != nil {
		return cordon.Alert{}, err
	}
	if len(out) == 0 {
		return cordon.Alert{}, notFound("alert")
	}
	return out[0], nil
}

func (tx *Tx) alerts(ctx context.Context, where string, args ...any) ([]cordon.Alert, error) {
	rows, err := tx.query(ctx, "SELECT "+alertColumns+alertFrom+" WHERE "+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cordon.Alert
	for rows.Next() {
		var x cordon.Alert
		var doc []byte
		var reasons string
		var tenths int
		if err := rows.Scan(&x.ID, &x.PersonID, &x.Name, &doc, &x.CheckID, &reasons, &tenths, &x.Other, &x.Jurisdiction,
			&x.SiteName, &x.RoomNumber, timeCol{&x.At}, &x.AckedBy, timeCol{&x.AckedAt}); err != nil {
			return nil, err
		}
		x.Reasons = strings.Split(reasons, ",")
		x.Temperature = float64(tenths) / 10
		if x.IDNumber, err = tx.db.vault.Open(fieldDoc, doc); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// AckAlert records that an account acknowledged an alert; one
// acknowledged already is a Conflict.
func (tx *Tx) AckAlert(ctx context.Context, id, by int64) error {
	res, err := tx.exec(ctx, "UPDATE alerts SET acked_by = ?, acked_at = ? WHERE id = ? AND acked_at IS NULL", by, ts(tx.Now), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return cordon.Errorf(cordon.KindConflict, "alert.acknowledged", "someone acknowledged this alert already")
	}
	return nil
}

// CountOpenAlerts counts the alerts inside the scope that nobody
// acknowledged.
func (tx *Tx) CountOpenAlerts(ctx context.Context, scope Scope) (int, error) {
	w, args := scope.where("jurisdiction")
	var n int
	err := tx.queryRow(ctx, "SELECT COUNT(*) FROM alerts WHERE acked_at IS NULL AND "+w, args...).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n, err
}
