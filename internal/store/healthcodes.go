package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"cordon"
)

// Health codes are computed in internal/app from facts. The store reads
// the facts of one person (after a change), of everyone (when the code
// cache starts), and keeps the facts that exist only for codes.

// PostDischarge is how long a recovered case stays in health monitoring
// (B2) after discharge.
const PostDischarge = 14 * 24 * time.Hour

// PersonHome is where a person lives and is now, for the area measures
// and the reader's scope.
type PersonHome struct {
	ID         int64
	Name       string
	Residence  string
	Current    string
	MergedInto int64
}

// PersonHomes calls fn for every person, in id order.
func (tx *Tx) PersonHomes(ctx context.Context, fn func(PersonHome) error) error {
	rows, err := tx.query(ctx, "SELECT id, name, residence, current, merged_into FROM persons ORDER BY id")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var h PersonHome
		var merged sql.NullInt64
		if err := rows.Scan(&h.ID, &h.Name, &h.Residence, &h.Current, &merged); err != nil {
			return err
		}
		h.MergedInto = merged.Int64
		if err := fn(h); err != nil {
			return err
		}
	}
	return rows.Err()
}

// PersonHomeOf reads one person's places.
func (tx *Tx) PersonHomeOf(ctx context.Context, id int64) (PersonHome, error) {
	h := PersonHome{ID: id}
	var merged sql.NullInt64
	err := tx.queryRow(ctx, "SELECT name, residence, current, merged_into FROM persons WHERE id = ?", id).Scan(&h.Name, &h.Residence, &h.Current, &merged)
	if errors.Is(err, sql.ErrNoRows) {
		return h, notFound("person")
	}
	h.MergedInto = merged.Int64
	return h, err
}

// The queries below read the facts a code depends on. Each takes a
// condition on the person ("= ?" for one person; everyone otherwise) and
// the earliest end worth reading.
const (
	caseFactsQ = `SELECT p.id, c.id, c.classification, c.outcome, c.detected_at,
		(SELECT MIN(h.at) FROM case_history h WHERE h.case_id = c.id AND h.field = 'outcome' AND h.to_value <> '')
		FROM cases c JOIN persons p ON p.id = c.person_id OR (c.person_id IS NULL AND p.doc_index = c.doc_index) WHERE 1=1`
	contactFactsQ = `SELECT person_id, id, identified_at, released_at, became_case_at,
		(SELECT MIN(o.created_at) FROM control_orders o WHERE o.contact_id = contacts.id AND o.status <> 'cancelled')
		FROM contacts WHERE person_id IS NOT NULL AND merged_into IS NULL`
	holdFactsQ = `SELECT p.id, h.id, h.placed_at, h.closed_at FROM holds h JOIN persons p ON p.doc_index = h.doc_index
		WHERE h.kind = 'retest'`
	markFactsQ = `SELECT person_id, id, reason, force, from_at, COALESCE(revoked_at, until_at), until_at, revoked_at
		FROM code_marks WHERE 1=1`
	windowFactsQ     = `SELECT person_id, from_at, until_at FROM code_windows WHERE 1=1`
	orderFactsQ      = `SELECT person_id, id, basis, status, released_at, phases, created_at FROM control_orders WHERE status <> 'cancelled'`
	obligationFactsQ = `SELECT person_id, id, kind, status, mandatory, due_at, met_at FROM arrival_obligations
		WHERE kind = 'test' AND mandatory = TRUE AND status <> 'superseded'`
)

// CodeFactsOf reads the facts of one person's code: cases, contacts,
// control orders, arrivals' mandatory tests, holds, marks and the travel
// window.
func (tx *Tx) CodeFactsOf(ctx context.Context, personID int64) ([]cordon.CodeFact, *cordon.CodeWindowGrant, error) {
	var facts []cordon.CodeFact
	var window *cordon.CodeWindowGrant
	err := tx.codeFacts(ctx, personID, func(_ int64, f cordon.CodeFact) { facts = append(facts, f) },
		func(_ int64, w cordon.CodeWindowGrant) { window = &w })
	return facts, window, err
}

// AllCodeFacts calls fact for every fact still in force at or after since,
// and window for every travel window, for everyone.
func (tx *Tx) AllCodeFacts(ctx context.Context, since time.Time, fact func(int64, cordon.CodeFact), window func(int64, cordon.CodeWindowGrant)) error {
	return tx.codeFacts(ctx, 0, func(id int64, f cordon.CodeFact) {
		if f.Until.IsZero() || !f.Until.Before(since) {
			fact(id, f)
		}
	}, window)
}

// codeFacts reads the facts of one person, or of everyone when personID is 0.
func (tx *Tx) codeFacts(ctx context.Context, personID int64, fact func(int64, cordon.CodeFact), window func(int64, cordon.CodeWindowGrant)) error {
	// One person's facts include those filed under records merged into
	// them.
	var args []any
	cond := func(col string) string {
		if personID == 0 {
			return ""
		}
		args = []any{personID, personID}
		return " AND " + col + " IN (SELECT id FROM persons WHERE id = ? OR merged_into = ?)"
	}
	scan := func(q string, each func(*sql.Rows) error) error {
		rows, err := tx.query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := each(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	err := scan(caseFactsQ+cond("p.id"), func(r *sql.Rows) error {
		var pid, id int64
		var class cordon.Classification
		var outcome cordon.CaseOutcome
		var detected, ended time.Time
		if err := r.Scan(&pid, &id, &class, &outcome, timeCol{&detected}, timeCol{&ended}); err != nil {
			return err
		}
		reason := cordon.ReasonInfection
		if class == cordon.Suspected {
			reason = cordon.ReasonSuspected
		}
		cause := "case:" + strconv.FormatInt(id, 10)
		if outcome != "" && ended.IsZero() {
			ended = detected
		}
		fact(pid, cordon.CodeFact{Reason: reason, From: detected, Until: ended, Cause: cause})
		if outcome == cordon.Recovered {
			fact(pid, cordon.CodeFact{Reason: cordon.ReasonPostDischarge, From: ended, Until: ended.Add(PostDischarge), Cause: cause})
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = scan(contactFactsQ+cond("person_id"), func(r *sql.Rows) error {
		var pid, id int64
		var from, released, becameCase, ordered time.Time
		if err := r.Scan(&pid, &id, timeCol{&from}, timeCol{&released}, timeCol{&becameCase}, timeCol{&ordered}); err != nil {
			return err
		}
		// A contact is red until released or a case; once an order is made
		// for it, the order's phases say what the code is (yellow at home).
		var until time.Time
		for _, t := range []time.Time{released, becameCase, ordered} {
			if !t.IsZero() && (until.IsZero() || t.Before(until)) {
				until = t
			}
		}
		if !until.IsZero() && !until.After(from) {
			return nil
		}
		fact(pid, cordon.CodeFact{Reason: cordon.ReasonContact, From: from, Until: until, Cause: "contact:" + strconv.FormatInt(id, 10)})
		return nil
	})
	if err != nil {
		return err
	}
	err = scan(orderFactsQ+cond("person_id"), func(r *sql.Rows) error {
		var o cordon.ControlOrder
		var phases string
		if err := r.Scan(&o.PersonID, &o.ID, &o.Basis, &o.Status, timeCol{&o.ReleasedAt}, &phases, timeCol{&o.CreatedAt}); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(phases), &o.Phases); err != nil {
			return fmt.Errorf("store: order %d phases: %w", o.ID, err)
		}
		// An order colours the code from when it was made: not from the
		// first day of its plan, which may lie before, nor only from the
		// day after the exposure, which may lie after.
		for i, f := range o.CodeFacts() {
			if i == 0 || f.From.Before(o.CreatedAt) {
				f.From = o.CreatedAt
			}
			if f.Until.IsZero() || f.Until.After(f.From) {
				fact(o.PersonID, f)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = scan(obligationFactsQ+cond("person_id"), func(r *sql.Rows) error {
		var o cordon.Obligation
		if err := r.Scan(&o.PersonID, &o.ID, &o.Kind, &o.Status, &o.Mandatory, timeCol{&o.DueAt}, timeCol{&o.MetAt}); err != nil {
			return err
		}
		for _, f := range o.CodeFacts() {
			fact(o.PersonID, f)
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = scan(holdFactsQ+cond("p.id"), func(r *sql.Rows) error {
		var pid, id int64
		var from, until time.Time
		if err := r.Scan(&pid, &id, timeCol{&from}, timeCol{&until}); err != nil {
			return err
		}
		fact(pid, cordon.CodeFact{Reason: cordon.ReasonYellowOther, From: from, Until: until, Cause: "hold:" + strconv.FormatInt(id, 10)})
		return nil
	})
	if err != nil {
		return err
	}
	err = scan(markFactsQ+cond("person_id"), func(r *sql.Rows) error {
		var pid, id int64
		var f cordon.CodeFact
		var until, revoked time.Time
		if err := r.Scan(&pid, &id, &f.Reason, &f.Force, timeCol{&f.From}, timeCol{&f.Until}, timeCol{&until}, timeCol{&revoked}); err != nil {
			return err
		}
		f.Cause = "mark:" + strconv.FormatInt(id, 10)
		fact(pid, f)
		return nil
	})
	if err != nil {
		return err
	}
	return scan(windowFactsQ+cond("person_id"), func(r *sql.Rows) error {
		var pid int64
		var w cordon.CodeWindowGrant
		if err := r.Scan(&pid, timeCol{&w.From}, timeCol{&w.Until}); err != nil {
			return err
		}
		window(pid, w)
		return nil
	})
}

// CreateCodeMark stores a mark on a person's code.
func (tx *Tx) CreateCodeMark(ctx context.Context, m *cordon.CodeMark, by int64) error {
	tx.TouchPerson(m.PersonID)
	m.CreatedAt = tx.Now
	var err error
	m.ID, err = tx.insert(ctx, `INSERT INTO code_marks (person_id, reason, force, note, source, from_at, until_at, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, m.PersonID, m.Reason, m.Force, m.Note, m.Source, ts(m.From), ts(m.Until), nullID(by), ts(tx.Now))
	return err
}

// CodeMark reads one mark.
func (tx *Tx) CodeMark(ctx context.Context, id int64) (cordon.CodeMark, error) {
	m, err := scanCodeMark(tx.queryRow(ctx, `SELECT id, person_id, reason, force, note, source, from_at, until_at, revoked_at, revoke_note, created_by, created_at
		FROM code_marks WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, notFound("codemark")
	}
	return m, err
}

// RevokeCodeMark ends a mark now.
func (tx *Tx) RevokeCodeMark(ctx context.Context, m cordon.CodeMark, by int64, note string) error {
	tx.TouchPerson(m.PersonID)
	res, err := tx.exec(ctx, "UPDATE code_marks SET revoked_at = ?, revoked_by = ?, revoke_note = ? WHERE id = ? AND revoked_at IS NULL",
		ts(tx.Now), nullID(by), note, m.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return cordon.Errorf(cordon.KindConflict, "healthcode.mark_revoked", "the mark was revoked already")
	}
	return nil
}

// GrantCodeWindow stores a person's one-time travel window; a second is
// refused.
func (tx *Tx) GrantCodeWindow(ctx context.Context, personID int64, w cordon.CodeWindowGrant, by int64) error {
	tx.TouchPerson(personID)
	res, err := tx.exec(ctx, `INSERT INTO code_windows (person_id, from_at, until_at, created_by, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (person_id) DO NOTHING`, personID, ts(w.From), ts(w.Until), nullID(by), ts(tx.Now))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return cordon.Errorf(cordon.KindConflict, "healthcode.window_used", "the one-time travel window was granted already")
	}
	return nil
}

// CreateAreaMeasure stores a measure on an area's codes.
func (tx *Tx) CreateAreaMeasure(ctx context.Context, m *cordon.AreaMeasure, by int64) error {
	m.CreatedAt = tx.Now
	var err error
	m.ID, err = tx.insert(ctx, `INSERT INTO area_measures (jurisdiction, reason, note, from_at, until_at, rounds, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, m.Jurisdiction, m.Reason, m.Note, ts(m.From), ts(m.Until), m.Rounds, nullID(by), ts(tx.Now))
	return err
}

// EndAreaMeasure records that a measure ended at at.
func (tx *Tx) EndAreaMeasure(ctx context.Context, id int64, at time.Time, note string) error {
	res, err := tx.exec(ctx, "UPDATE area_measures SET ended_at = ?, end_note = ? WHERE id = ? AND ended_at IS NULL", ts(at), note, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return cordon.Errorf(cordon.KindConflict, "measure.ended", "the measure has ended already")
	}
	return nil
}

// AreaMeasures lists every measure, newest first.
func (tx *Tx) AreaMeasures(ctx context.Context) ([]cordon.AreaMeasure, error) {
	rows, err := tx.query(ctx, `SELECT id, jurisdiction, reason, note, from_at, until_at, rounds, ended_at, end_note, created_at
		FROM area_measures ORDER BY id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cordon.AreaMeasure
	for rows.Next() {
		var m cordon.AreaMeasure
		if err := rows.Scan(&m.ID, &m.Jurisdiction, &m.Reason, &m.Note, timeCol{&m.From}, timeCol{&m.Until}, &m.Rounds,
			timeCol{&m.EndedAt}, &m.EndNote, timeCol{&m.CreatedAt}); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// MeasureRound is what a round found inside an area: tubes still without a
// result (an invalid result waits for the tube sampled again), positive
// tubes, and when the last result came.
type MeasureRound struct {
	Round    cordon.Round
	Tubes    int
	Pending  int
	Positive int
	LastAt   time.Time
}

// MeasureRounds tallies the closed rounds started at or after from that
// cover the whole jurisdiction, inside it, oldest first.
func (tx *Tx) MeasureRounds(ctx context.Context, jurisdiction string, from time.Time) ([]MeasureRound, error) {
	rounds, err := tx.Rounds(ctx, RoundFilter{Overlapping: jurisdiction, Limit: MaxLimit})
	if err != nil {
		return nil, err
	}
	w, args := Inside(jurisdiction).where("area")
	var out []MeasureRound
	for i := len(rounds) - 1; i >= 0; i-- {
		r := rounds[i]
		if !r.Closed || r.StartsAt.Before(from) || !r.Covers(jurisdiction) {
			continue
		}
		t := MeasureRound{Round: r}
		err := tx.queryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN result IN ('negative', 'positive') THEN 0 ELSE 1 END), 0),
			COALESCE(SUM(CASE WHEN result = 'positive' THEN 1 ELSE 0 END), 0), MAX(resulted_at)
			FROM tubes WHERE round_id = ? AND `+w, append([]any{r.ID}, args...)...).Scan(&t.Tubes, &t.Pending, &t.Positive, timeCol{&t.LastAt})
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// CodeMarksOf lists a person's marks, newest first.
func (tx *Tx) CodeMarksOf(ctx context.Context, personID int64) ([]cordon.CodeMark, error) {
	rows, err := tx.query(ctx, `SELECT id, person_id, reason, force, note, source, from_at, until_at, revoked_at, revoke_note, created_by, created_at
		FROM code_marks WHERE person_id = ? ORDER BY id DESC`, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cordon.CodeMark
	for rows.Next() {
		m, err := scanCodeMark(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func scanCodeMark(r interface{ Scan(...any) error }) (cordon.CodeMark, error) {
	var m cordon.CodeMark
	var by sql.NullInt64
	err := r.Scan(&m.ID, &m.PersonID, &m.Reason, &m.Force, &m.Note, &m.Source, timeCol{&m.From},
		timeCol{&m.Until}, timeCol{&m.RevokedAt}, &m.RevokeNote, &by, timeCol{&m.CreatedAt})
	m.CreatedBy = by.Int64
	return m, err
}

// CodeKeyGen is one generation of the health-code signing key.
type CodeKeyGen struct {
	ID        int
	CreatedAt time.Time
	RetiredAt time.Time
}

// CodeKeyGens lists the generations, oldest first.
func (tx *Tx) CodeKeyGens(ctx context.Context) ([]CodeKeyGen, error) {
	rows, err := tx.query(ctx, "SELECT id, created_at, retired_at FROM code_keys ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CodeKeyGen
	for rows.Next() {
		var g CodeKeyGen
		if err := rows.Scan(&g.ID, timeCol{&g.CreatedAt}, timeCol{&g.RetiredAt}); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// AddCodeKeyGen starts a new generation and retires the one before.
func (tx *Tx) AddCodeKeyGen(ctx context.Context) (int, error) {
	var last int
	if err := tx.queryRow(ctx, "SELECT COALESCE(MAX(id), 0) FROM code_keys").Scan(&last); err != nil {
		return 0, err
	}
	if last >= 255 {
		return 0, cordon.Errorf(cordon.KindConflict, "healthcode.keys_exhausted", "255 key generations are used up")
	}
	if _, err := tx.exec(ctx, "UPDATE code_keys SET retired_at = ? WHERE retired_at IS NULL", ts(tx.Now)); err != nil {
		return 0, err
	}
	_, err := tx.exec(ctx, "INSERT INTO code_keys (id, created_at) VALUES (?, ?)", last+1, ts(tx.Now))
	return last + 1, err
}
