package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"cordon"
)

const pointColumns = `id, name, jurisdiction, address, opens, closes, all_day, tables_n, staff, active, queue, queue_at, created_at`

func scanPoint(sc interface{ Scan(...any) error }) (cordon.SamplingPoint, error) {
	var p cordon.SamplingPoint
	err := sc.Scan(&p.ID, &p.Name, &p.Jurisdiction, &p.Address, &p.Opens, &p.Closes, &p.AllDay, &p.Tables,
		&p.Staff, &p.Active, &p.Queue, timeCol{&p.QueueAt}, timeCol{&p.CreatedAt})
	return p, err
}

// CreatePoint stores a validated sampling point and the rounds it serves.
func (tx *Tx) CreatePoint(ctx context.Context, p *cordon.SamplingPoint, createdBy int64) error {
	p.CreatedAt = tx.Now
	var err error
	p.ID, err = tx.insert(ctx, `INSERT INTO sampling_points (
		name,
		jurisdiction,
		address,
		opens,
		closes,
		all_day,
		tables_n,
		staff,
		active,
		created_by,
		created_at,
		updated_at
	) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.Name, p.Jurisdiction, p.Address, p.Opens, p.Closes, p.AllDay, p.Tables, p.Staff, p.Active,
		nullID(createdBy), ts(tx.Now), ts(tx.Now))
	if err != nil {
		return err
	}
	return tx.setPointRounds(ctx, p.ID, p.Rounds)
}

// UpdatePoint replaces a point's details and rounds.
func (tx *Tx) UpdatePoint(ctx context.Context, p *cordon.SamplingPoint) error {
	res, err := tx.exec(ctx, `UPDATE sampling_points SET name = ?, jurisdiction = ?, address = ?, opens = ?,
		closes = ?, all_day = ?, tables_n = ?, staff = ?, active = ?, updated_at = ? WHERE id = ?`,
		p.Name, p.Jurisdiction, p.Address, p.Opens, p.Closes, p.AllDay, p.Tables, p.Staff, p.Active, ts(tx.Now), p.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("point")
	}
	if _, err := tx.exec(ctx, "DELETE FROM round_points WHERE point_id = ?", p.ID); err != nil {
		return err
	}
	return tx.setPointRounds(ctx, p.ID, p.Rounds)
}

func (tx *Tx) setPointRounds(ctx context.Context, id int64, rounds []int64) error {
	for _, r := range rounds {
		if _, err := tx.exec(ctx, "INSERT INTO round_points (round_id, point_id) VALUES (?, ?) ON CONFLICT DO NOTHING", r, id); err != nil {
			return err
		}
	}
	return nil
}

// SetQueue records the number of people waiting at a point.
func (tx *Tx) SetQueue(ctx context.Context, id int64, queue int) error {
	_, err := tx.exec(ctx, "UPDATE sampling_points SET queue = ?, queue_at = ? WHERE id = ?", queue, ts(tx.Now), id)
	return err
}

// Point reads a sampling point with its rounds (PointWaits adds its
// throughput).
func (tx *Tx) Point(ctx context.Context, id int64) (cordon.SamplingPoint, error) {
	p, err := scanPoint(tx.queryRow(ctx, "SELECT "+pointColumns+" FROM sampling_points WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, notFound("point")
	}
	if err != nil {
		return p, err
	}
	ps := []cordon.SamplingPoint{p}
	if err := tx.pointRounds(ctx, ps); err != nil {
		return p, err
	}
	return ps[0], nil
}

// Points lists sampling points inside the scope by id.
func (tx *Tx) Points(ctx context.Context, scope Scope, f cordon.PointFilter) ([]cordon.SamplingPoint, error) {
	w, args := scope.where("jurisdiction")
	where := []string{w}
	if f.RoundID > 0 {
		where = append(where, "id IN (SELECT point_id FROM round_points WHERE round_id = ?)")
		args = append(args, f.RoundID)
	}
	if f.ActiveOnly {
		where = append(where, "active = ?")
		args = append(args, true)
	}
	if f.After > 0 {
		where = append(where, "id > ?")
		args = append(args, f.After)
	}
	args = append(args, clampLimit(f.Limit))
	rows, err := tx.query(ctx, "SELECT "+pointColumns+" FROM sampling_points WHERE "+strings.Join(where, " AND ")+" ORDER BY id LIMIT ?", args...)
	if err != nil {
		return nil, err
	}
	var out []cordon.SamplingPoint
	for rows.Next() {
		p, err := scanPoint(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, tx.pointRounds(ctx, out)
}

// loadBucket is the width of the point_load buckets.
const loadBucket = 10 * time.Minute

func bucketOf(t time.Time) int64 { return t.Unix() / int64(loadBucket/time.Second) }

// pointRounds fills in the rounds each point serves.
func (tx *Tx) pointRounds(ctx context.Context, ps []cordon.SamplingPoint) error {
	for i := range ps {
		p := &ps[i]
		rows, err := tx.query(ctx, "SELECT round_id FROM round_points WHERE point_id = ? ORDER BY round_id", p.ID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var r int64
			if err := rows.Scan(&r); err != nil {
				rows.Close()
				return err
			}
			p.Rounds = append(p.Rounds, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// PointWaits fills in each point's samples of the last 30 minutes and the
// waiting time at that pace for its reported queue.
func (tx *Tx) PointWaits(ctx context.Context, ps []cordon.SamplingPoint) error {
	since := bucketOf(tx.Now.Add(-30 * time.Minute))
	for i := range ps {
		p := &ps[i]
		var n sql.NullInt64
		if err := tx.queryRow(ctx, "SELECT SUM(samples) FROM point_load WHERE point_id = ? AND bucket > ?", p.ID, since).Scan(&n); err != nil {
			return err
		}
		p.Throughput = int(n.Int64)
		// A queue reported more than an hour ago says nothing about now.
		if p.Queue > 0 && p.Throughput > 0 && tx.Now.Sub(p.QueueAt) < time.Hour {
			p.WaitMinutes = (p.Queue*30 + p.Throughput - 1) / p.Throughput
		}
	}
	return nil
}

// PointCapacity sums the active points, tables and staff inside the scope.
func (tx *Tx) PointCapacity(ctx context.Context, scope Scope) (points, tables, staff int, err error) {
	w, args := scope.where("jurisdiction")
	var t, s sql.NullInt64
	err = tx.queryRow(ctx, "SELECT COUNT(*), SUM(tables_n), SUM(staff) FROM sampling_points WHERE active = ? AND "+w,
		append([]any{true}, args...)...).Scan(&points, &t, &s)
	return points, int(t.Int64), int(s.Int64), err
}

// CreateLab stores a validated lab.
func (tx *Tx) CreateLab(ctx context.Context, l *cordon.Lab, createdBy int64) error {
	l.CreatedAt = tx.Now
	var err error
	l.ID, err = tx.insert(ctx, `INSERT INTO labs (name, jurisdiction, capacity, created_by, created_at)
		VALUES (?, ?, ?, ?, ?)`, l.Name, l.Jurisdiction, l.Capacity, nullID(createdBy), ts(tx.Now))
	return err
}

// Lab reads one lab.
func (tx *Tx) Lab(ctx context.Context, id int64) (cordon.Lab, error) {
	var l cordon.Lab
	err := tx.queryRow(ctx, "SELECT id, name, jurisdiction, capacity, created_at FROM labs WHERE id = ?", id).
		Scan(&l.ID, &l.Name, &l.Jurisdiction, &l.Capacity, timeCol{&l.CreatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return l, notFound("lab")
	}
	return l, err
}

// Labs lists the labs inside the scope.
func (tx *Tx) Labs(ctx context.Context, scope Scope) ([]cordon.Lab, error) {
	w, args := scope.where("jurisdiction")
	rows, err := tx.query(ctx, "SELECT id, name, jurisdiction, capacity, created_at FROM labs WHERE "+w+" ORDER BY id LIMIT 1000", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cordon.Lab
	for rows.Next() {
		var l cordon.Lab
		if err := rows.Scan(&l.ID, &l.Name, &l.Jurisdiction, &l.Capacity, timeCol{&l.CreatedAt}); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// LabStatus counts a lab's backlog, tubes in transit, results of the last
// day and tubes past their due time.
func (tx *Tx) LabStatus(ctx context.Context, l cordon.Lab) (cordon.LabStatus, error) {
	s := cordon.LabStatus{Lab: l}
	q := "SELECT COUNT(*) FROM tubes WHERE lab_id = ? AND status = ?"
	if err := tx.queryRow(ctx, q, l.ID, cordon.TubeReceived).Scan(&s.Backlog); err != nil {
		return s, err
	}
	if err := tx.queryRow(ctx, q, l.ID, cordon.TubeSent).Scan(&s.InTransit); err != nil {
		return s, err
	}
	if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM tubes WHERE lab_id = ? AND resulted_at >= ?", l.ID, ts(tx.Now.Add(-24*time.Hour))).Scan(&s.Resulted24h); err != nil {
		return s, err
	}
	if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM tubes WHERE lab_id = ? AND status IN (?, ?) AND due_at < ?",
		l.ID, cordon.TubeSent, cordon.TubeReceived, ts(tx.Now)).Scan(&s.Overdue); err != nil {
		return s, err
	}
	if l.Capacity > 0 {
		s.Utilisation = float64(s.Resulted24h) / float64(l.Capacity)
	}
	return s, nil
}

// OverdueTubes lists a lab's tubes past their due time, oldest due first.
func (tx *Tx) OverdueTubes(ctx context.Context, labID int64, limit int) ([]cordon.Tube, error) {
	rows, err := tx.query(ctx, "SELECT "+tubeColumns+" FROM tubes WHERE lab_id = ? AND status IN (?, ?) AND due_at < ? ORDER BY due_at LIMIT ?",
		labID, cordon.TubeSent, cordon.TubeReceived, ts(tx.Now), clampLimit(limit))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cordon.Tube
	for rows.Next() {
		t, err := scanTube(rows)
		if err != nil {
			return nil, err
		}
		t.Overdue = true
		out = append(out, t)
	}
	return out, rows.Err()
}
