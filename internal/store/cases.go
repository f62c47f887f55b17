package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"cordon"
)

const caseColumns = `id, person_id, doc_cipher, name, classification, severity, onset_date, sampling_date, variant, lineage,
	hospital, outcome, origin, jurisdiction, positive_id, detected_at, reported_at, trajectory_at, initial_at, version`

func (tx *Tx) scanCase(sc interface{ Scan(...any) error }) (cordon.Case, error) {
	var c cordon.Case
	var pid, positive sql.NullInt64
	var doc []byte
	err := sc.Scan(&c.ID, &pid, &doc, &c.Name, &c.Classification, &c.Severity, &c.OnsetDate, &c.SamplingDate, &c.Variant,
		&c.Lineage, &c.Hospital, &c.Outcome, &c.Origin, &c.Jurisdiction, &positive, timeCol{&c.DetectedAt},
		timeCol{&c.ReportedAt}, timeCol{&c.TrajectoryAt}, timeCol{&c.InitialAt}, &c.Version)
	if err != nil {
		return c, err
	}
	c.PersonID, c.PositiveID = pid.Int64, positive.Int64
	c.IDNumber, err = tx.db.vault.Open(fieldDoc, doc)
	return c, err
}

// CaseIdentity is who a new case is: a registered person, or the identity a
// positive sample was taken under.
type CaseIdentity struct {
	PersonID int64
	Name     string
	index    []byte
	cipher   []byte
}

// PositiveForCase reads a positive result with what a case needs of it:
// the identity, its area and the times. It does not decrypt anything.
func (tx *Tx) PositiveForCase(ctx context.Context, id int64) (who CaseIdentity, area string, detected, sampled time.Time, err error) {
	var pid sql.NullInt64
	err = tx.queryRow(ctx, `SELECT p.person_id, p.name, p.doc_index, p.doc_cipher, p.area, p.detected_at,
		(SELECT MIN(s.collected_at) FROM samples s WHERE s.tube_id = p.tube_id)
		FROM positives p WHERE p.id = ?`, id).Scan(&pid, &who.Name, &who.index, &who.cipher, &area, timeCol{&detected}, timeCol{&sampled})
	if errors.Is(err, sql.ErrNoRows) {
		err = notFound("positive")
	}
	who.PersonID = pid.Int64
	return who, area, detected, sampled, err
}

// PersonForCase reads a registered person's identity and current place.
func (tx *Tx) PersonForCase(ctx context.Context, id int64) (who CaseIdentity, current string, err error) {
	var merged sql.NullInt64
	err = tx.queryRow(ctx, "SELECT id, name, doc_index, doc_cipher, current, merged_into FROM persons WHERE id = ?", id).
		Scan(&who.PersonID, &who.Name, &who.index, &who.cipher, &current, &merged)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		err = notFound("person")
	case err == nil && merged.Valid:
		err = cordon.Errorf(cordon.KindConflict, "person.merged", "person %d was merged into %d", id, merged.Int64)
	}
	return who, current, err
}

// CreateCase stores a case for the identity. A positive that has a case
// already is a Conflict naming it in Extra["id"].
func (tx *Tx) CreateCase(ctx context.Context, c *cordon.Case, who CaseIdentity, createdBy int64) error {
	tx.TouchPerson(who.PersonID)
	// Openings are serialised, so that the checks below hold until the
	// insert is committed (PostgreSQL runs transactions side by side).
	if err := tx.db.dialect.serialize(ctx, tx, casesLock); err != nil {
		return err
	}
	exists := func(id int64) error {
		e := cordon.Errorf(cordon.KindConflict, "case.exists", "this infection has a case already")
		e.Extra = map[string]any{"id": id}
		return e
	}
	var id int64
	if c.PositiveID != 0 {
		err := tx.queryRow(ctx, "SELECT id FROM cases WHERE positive_id = ?", c.PositiveID).Scan(&id)
		if err == nil {
			return exists(id)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	// One open case per person: a case that has no outcome yet.
	err := tx.queryRow(ctx, "SELECT id FROM cases WHERE doc_index = ? AND outcome = ? ORDER BY id LIMIT 1", who.index, "").Scan(&id)
	if err == nil {
		return exists(id)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if c.PositiveID == 0 {
		// A person with a positive result in cordon has their case opened
		// from it, so that its clocks run from the result.
		err := tx.queryRow(ctx, `SELECT p.id FROM positives p WHERE p.doc_index = ?
			AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.positive_id = p.id) ORDER BY p.id LIMIT 1`, who.index).Scan(&id)
		if err == nil {
			e := cordon.Errorf(cordon.KindConflict, "case.positive_exists", "the person has a positive result in cordon: open the case from it")
			e.Extra = map[string]any{"positive_id": id}
			return e
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
	}
	c.ReportedAt, c.Version = tx.Now, 1
	c.PersonID, c.Name = who.PersonID, who.Name
	c.ID, err = tx.insert(ctx, `INSERT INTO cases (person_id, doc_cipher, doc_index, name, classification, severity, onset_date,
		sampling_date, variant, lineage, hospital, outcome, origin, jurisdiction, positive_id, detected_at, reported_at,
		created_by, created_at, updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
		nullID(who.PersonID), who.cipher, who.index, who.Name, c.Classification, c.Severity, c.OnsetDate, c.SamplingDate,
		c.Variant, c.Lineage, c.Hospital, c.Outcome, c.Origin, c.Jurisdiction, nullID(c.PositiveID), ts(c.DetectedAt),
		ts(tx.Now), nullID(createdBy), ts(tx.Now), ts(tx.Now))
	if err != nil {
		return err
	}
	c.IDNumber, err = tx.db.vault.Open(fieldDoc, who.cipher)
	return err
}

// Case reads a case inside the scope, with its history.
func (tx *Tx) Case(ctx context.Context, scope Scope, id int64) (cordon.Case, error) {
	w, args := scope.where("jurisdiction")
	c, err := tx.scanCase(tx.queryRow(ctx, "SELECT "+caseColumns+" FROM cases WHERE id = ? AND "+w, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return c, notFound("case")
	}
	if err != nil {
		return c, err
	}
	rows, err := tx.query(ctx, "SELECT at, username, field, from_value, to_value FROM case_history WHERE case_id = ? ORDER BY id", id)
	if err != nil {
		return c, err
	}
	defer rows.Close()
	for rows.Next() {
		var h cordon.CaseChange
		if err := rows.Scan(timeCol{&h.At}, &h.Username, &h.Field, &h.From, &h.To); err != nil {
			return c, err
		}
		c.History = append(c.History, h)
	}
	return c, rows.Err()
}

// Cases lists the cases of jurisdictions inside the scope, newest first.
func (tx *Tx) Cases(ctx context.Context, scope Scope, f cordon.CaseFilter) ([]cordon.Case, error) {
	w, args := scope.where("jurisdiction")
	where := []string{w}
	if f.Classification != "" {
		where, args = append(where, "classification = ?"), append(args, f.Classification)
	}
	if f.After > 0 {
		where, args = append(where, "id < ?"), append(args, f.After)
	}
	args = append(args, clampLimit(f.Limit))
	rows, err := tx.query(ctx, "SELECT "+caseColumns+" FROM cases WHERE "+strings.Join(where, " AND ")+" ORDER BY id DESC LIMIT ?", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cordon.Case
	for rows.Next() {
		c, err := tx.scanCase(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// UpdateCase writes a case's clinical fields and records each change of
// classification, severity and outcome in its history. version guards
// against a concurrent update (0 skips the check).
func (tx *Tx) UpdateCase(ctx context.Context, old, c cordon.Case, version int, byID int64, by string) error {
	tx.TouchPerson(c.PersonID)
	q := `UPDATE cases SET classification = ?, severity = ?, onset_date = ?, sampling_date = ?, variant = ?, lineage = ?,
		hospital = ?, outcome = ?, origin = ?, updated_at = ?, version = version + 1 WHERE id = ?`
	args := []any{c.Classification, c.Severity, c.OnsetDate, c.SamplingDate, c.Variant, c.Lineage, c.Hospital, c.Outcome,
		c.Origin, ts(tx.Now), c.ID}
	if version > 0 {
		q += " AND version = ?"
		args = append(args, version)
	}
	res, err := tx.exec(ctx, q, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return cordon.Errorf(cordon.KindConflict, "case.changed", "the case was changed meanwhile; reload it")
	}
	for _, ch := range [][3]string{
		{"classification", string(old.Classification), string(c.Classification)},
		{"severity", string(old.Severity), string(c.Severity)},
		{"outcome", string(old.Outcome), string(c.Outcome)},
		{"lineage", old.Lineage, c.Lineage},
	} {
		if ch[1] == ch[2] {
			continue
		}
		if _, err := tx.exec(ctx, `INSERT INTO case_history (case_id, at, account_id, username, field, from_value, to_value)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, c.ID, ts(tx.Now), nullID(byID), by, ch[0], ch[1], ch[2]); err != nil {
			return err
		}
	}
	return nil
}

// MarkCaseStep records that a reporting step (trajectory, initial_report)
// was done, once.
func (tx *Tx) MarkCaseStep(ctx context.Context, id int64, step string) error {
	col := map[string]string{"trajectory": "trajectory_at", "initial_report": "initial_at"}[step]
	if col == "" {
		return cordon.Errorf(cordon.KindInvalid, "case.step_invalid", "the step is trajectory or initial_report").WithField("step", "case.step_invalid")
	}
	_, err := tx.exec(ctx, "UPDATE cases SET "+col+" = COALESCE("+col+", ?), updated_at = ? WHERE id = ?", ts(tx.Now), ts(tx.Now), id)
	return err
}

// PositiveResult reads what a FHIR export needs of a positive: the tube,
// when it was sampled and detected, and its Ct values.
func (tx *Tx) PositiveResult(ctx context.Context, id int64) (tube string, sampled, detected time.Time, ctORF1ab, ctN float64, err error) {
	var orf, n sql.NullFloat64
	err = tx.queryRow(ctx, `SELECT t.barcode, p.detected_at, p.ct_orf1ab, p.ct_n,
		(SELECT MIN(s.collected_at) FROM samples s WHERE s.tube_id = p.tube_id)
		FROM positives p JOIN tubes t ON t.id = p.tube_id WHERE p.id = ?`, id).Scan(&tube, timeCol{&detected}, &orf, &n, timeCol{&sampled})
	if errors.Is(err, sql.ErrNoRows) {
		err = notFound("positive")
	}
	return tube, sampled, detected, orf.Float64, n.Float64, err
}

// LockLinks makes the transaction wait for any other that adds links, so
// that two links checked at once cannot close a cycle together.
func (tx *Tx) LockLinks(ctx context.Context) error {
	return tx.db.dialect.serialize(ctx, tx, linksLock)
}

// CaseLinks reads every transmission link.
func (tx *Tx) CaseLinks(ctx context.Context) ([]cordon.Link, error) {
	rows, err := tx.query(ctx, "SELECT from_case, to_case, evidence, confidence FROM case_links ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cordon.Link
	for rows.Next() {
		var l cordon.Link
		if err := rows.Scan(&l.From, &l.To, &l.Evidence, &l.Confidence); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// AddCaseLink stores a validated link; the same pair twice is a Conflict.
func (tx *Tx) AddCaseLink(ctx context.Context, l cordon.Link, createdBy int64) error {
	res, err := tx.exec(ctx, `INSERT INTO case_links (from_case, to_case, evidence, confidence, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (from_case, to_case) DO NOTHING`, l.From, l.To, l.Evidence, l.Confidence, nullID(createdBy), ts(tx.Now))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return cordon.Errorf(cordon.KindConflict, "chain.link_exists", "the link exists already")
	}
	return nil
}

// ChainNodes lists the cases inside the scope as chain nodes, by id.
func (tx *Tx) ChainNodes(ctx context.Context, scope Scope) ([]cordon.ChainNode, error) {
	w, args := scope.where("jurisdiction")
	rows, err := tx.query(ctx, "SELECT id, classification, jurisdiction, detected_at FROM cases WHERE "+w+" ORDER BY id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cordon.ChainNode
	for rows.Next() {
		var n cordon.ChainNode
		if err := rows.Scan(&n.ID, &n.Classification, &n.Jurisdiction, timeCol{&n.DetectedAt}); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
