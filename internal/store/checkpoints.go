package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"cordon"
)

// Road checkpoints and the passages through them. A passage changes no
// fact of a health code, so nothing here touches a person.

const checkpointColumns = `c.id,
	c.name,
	c.kind,
	c.jurisdiction,
	c.location,
	c.in_label,
	c.out_label,
	c.staff,
	c.opens,
	c.closes,
	c.active,
	c.version`

func scanCheckpoint(sc interface{ Scan(...any) error }) (cordon.Checkpoint, error) {
	var c cordon.Checkpoint
	var staff string
	err := sc.Scan(&c.ID, &c.Name, &c.Kind, &c.Jurisdiction, &c.Location, &c.InLabel, &c.OutLabel, &staff, &c.Opens, &c.Closes, &c.Active, &c.Version)
	c.Staff = []string{}
	if staff != "" {
		c.Staff = strings.Split(staff, "\n")
	}
	return c, err
}

// CreateCheckpoint stores a checkpoint and sets its id.
func (tx *Tx) CreateCheckpoint(ctx context.Context, c *cordon.Checkpoint, by int64) error {
	id, err := tx.insert(ctx, `INSERT INTO checkpoints (
		name,
		kind,
		jurisdiction,
		location,
		in_label,
		out_label,
		staff,
		opens,
		closes,
		active,
		created_by,
		created_at,
		updated_at
	) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.Name, c.Kind, c.Jurisdiction, c.Location, c.InLabel, c.OutLabel, strings.Join(c.Staff, "\n"), c.Opens, c.Closes, c.Active,
		nullID(by), ts(tx.Now), ts(tx.Now))
	if err != nil {
		return err
	}
	c.ID, c.Version = id, 1
	return nil
}

// UpdateCheckpoint replaces a checkpoint's fields if its version is still
// version.
func (tx *Tx) UpdateCheckpoint(ctx context.Context, c cordon.Checkpoint, version int) error {
	res, err := tx.exec(ctx, `UPDATE checkpoints SET
		name = ?,
		kind = ?,
		jurisdiction = ?,
		location = ?,
		in_label = ?,
		out_label = ?,
		staff = ?,
		opens = ?,
		closes = ?,
		active = ?,
		updated_at = ?,
		version = version + 1
	WHERE id = ? AND version = ?`,
		c.Name, c.Kind, c.Jurisdiction, c.Location, c.InLabel, c.OutLabel, strings.Join(c.Staff, "\n"), c.Opens, c.Closes, c.Active,
		ts(tx.Now), c.ID, version)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return cordon.Errorf(cordon.KindConflict, "checkpoint.changed", "the checkpoint was changed by someone else; reload it")
	}
	return nil
}

// Checkpoint reads a checkpoint inside the scope.
func (tx *Tx) Checkpoint(ctx context.Context, scope Scope, id int64) (cordon.Checkpoint, error) {
	w, args := scope.where("c.jurisdiction")
	c, err := scanCheckpoint(tx.queryRow(ctx, "SELECT "+checkpointColumns+" FROM checkpoints c WHERE c.id = ? AND "+w, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return c, notFound("checkpoint")
	}
	return c, err
}

// Checkpoints lists the checkpoints inside the scope by jurisdiction and
// name.
func (tx *Tx) Checkpoints(ctx context.Context, scope Scope) ([]cordon.Checkpoint, error) {
	w, args := scope.where("c.jurisdiction")
	rows, err := tx.query(ctx, "SELECT "+checkpointColumns+" FROM checkpoints c WHERE "+w+" ORDER BY c.jurisdiction, c.name, c.id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []cordon.Checkpoint{}
	for rows.Next() {
		c, err := scanCheckpoint(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// RecordPassage stores a passage and sets its id. A passage whose key was
// stored before at the same checkpoint is not stored again: again is true
// and p becomes the stored one.
func (tx *Tx) RecordPassage(ctx context.Context, p *cordon.Passage, by int64) (again bool, err error) {
	var key any
	if p.Key != "" {
		key = p.Key
	}
	var id int64
	err = tx.queryRow(ctx, `INSERT INTO passages (
		checkpoint_id,
		at,
		direction,
		person_id,
		name,
		phone_cipher,
		plate,
		color,
		source,
		client_key,
		recorded_by
	) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (checkpoint_id, client_key) DO NOTHING
	RETURNING id`,
		p.CheckpointID, ts(p.At), p.Direction, nullID(p.PersonID), p.Name, tx.sealPhone(p.Phone), p.Plate, p.Color, p.Source, key, nullID(by)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		*p, err = tx.PassageByKey(ctx, p.CheckpointID, p.Key)
		return true, err
	}
	p.ID = id
	return false, tx.db.mapErr(err)
}

const passageColumns = `p.id,
	p.checkpoint_id,
	p.at,
	p.direction,
	COALESCE(p.person_id, 0),
	p.name,
	p.phone_cipher,
	p.plate,
	p.color,
	p.source,
	COALESCE(p.client_key, ''),
	COALESCE(a.username, '')`

const passageFrom = " FROM passages p LEFT JOIN accounts a ON a.id = p.recorded_by"

func (tx *Tx) passages(ctx context.Context, where string, args ...any) ([]cordon.Passage, error) {
	rows, err := tx.query(ctx, "SELECT "+passageColumns+passageFrom+" WHERE "+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []cordon.Passage{}
	for rows.Next() {
		var p cordon.Passage
		var phone []byte
		if err := rows.Scan(&p.ID, &p.CheckpointID, timeCol{&p.At}, &p.Direction, &p.PersonID, &p.Name, &phone, &p.Plate, &p.Color,
			&p.Source, &p.Key, &p.RecordedBy); err != nil {
			return nil, err
		}
		if len(phone) > 0 {
			if p.Phone, err = tx.db.vault.Open(fieldPhone, phone); err != nil {
				return nil, err
			}
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// PassageByKey reads the passage a sender stored under key.
func (tx *Tx) PassageByKey(ctx context.Context, checkpoint int64, key string) (cordon.Passage, error) {
	ps, err := tx.passages(ctx, "p.checkpoint_id = ? AND p.client_key = ?", checkpoint, key)
	if err != nil || len(ps) == 0 {
		return cordon.Passage{}, cmpErr(err, notFound("passage"))
	}
	return ps[0], nil
}

func cmpErr(err, otherwise error) error {
	if err != nil {
		return err
	}
	return otherwise
}

// Passages lists a checkpoint's passages in [from, to), the latest first,
// at most limit.
func (tx *Tx) Passages(ctx context.Context, checkpoint int64, from, to time.Time, limit int) ([]cordon.Passage, error) {
	return tx.passages(ctx, "p.checkpoint_id = ? AND p.at >= ? AND p.at < ? ORDER BY p.at DESC, p.id DESC LIMIT ?",
		checkpoint, ts(from), ts(to), clampLimit(limit))
}

// PassagesOf lists a person's passages through any checkpoint in
// [from, to), the earliest first: the itinerary card places them by the
// checkpoint's jurisdiction.
func (tx *Tx) PassagesOf(ctx context.Context, personID int64, from, to time.Time) ([]cordon.Passage, error) {
	return tx.passages(ctx, "p.person_id = ? AND p.at >= ? AND p.at < ? ORDER BY p.at, p.id", personID, ts(from), ts(to))
}

// PassageCounts counts a checkpoint's passages per hour of the Beijing day
// that starts at dayStart, in and out: 24 rows.
func (tx *Tx) PassageCounts(ctx context.Context, checkpoint int64, dayStart time.Time) ([]cordon.PassageCount, error) {
	rows, err := tx.query(ctx, `SELECT p.at, p.direction FROM passages p
	WHERE p.checkpoint_id = ? AND p.at >= ? AND p.at < ?`, checkpoint, ts(dayStart), ts(dayStart.Add(24*time.Hour)))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]cordon.PassageCount, 24)
	for h := range out {
		out[h].Hour = h
	}
	for rows.Next() {
		var at time.Time
		var dir cordon.Direction
		if err := rows.Scan(timeCol{&at}, &dir); err != nil {
			return nil, err
		}
		h := int(at.Sub(dayStart) / time.Hour)
		if h < 0 || h > 23 {
			continue
		}
		if dir == cordon.DirectionIn {
			out[h].In++
		} else {
			out[h].Out++
		}
	}
	return out, rows.Err()
}
