package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"cordon"
)

// Submission describes who sent a batch of results, in what format.
type Submission struct {
	Format       string
	AccountID    int64
	Username     string
	Jurisdiction string // the submitter's; inbox items are kept under it
	// Scope is where the submitter may post results: a tube whose area, or
	// whose lab's jurisdiction, lies inside it.
	Scope Scope
}

// ApplyResults applies a batch of lab results in order and reports what
// became of each. Unreadable rows, unknown barcodes and results that
// contradict an earlier one go to the inbox with their raw text; results
// for tubes outside the submitter's scope are refused; the rest update
// their tube and set off what the result means: a positive pool holds
// everyone in it for a retest, a positive single tube raises a positive,
// a negative single tube releases its person's hold, an invalid result
// recalls the tube's people to be sampled again.
func (tx *Tx) ApplyResults(ctx context.Context, sub Submission, rows []cordon.LabResultInput) (cordon.LabUpload, error) {
	up := cordon.LabUpload{Received: len(rows)}
	if err := tx.db.dialect.serialize(ctx, tx, tubesLock); err != nil {
		return up, err
	}
	tal := tallies{}
	labScope := map[int64]bool{}
	// Resample holds are rare; most batches need not look for them.
	var resampleHeld int
	err := tx.queryRow(ctx, "SELECT 1 FROM holds WHERE status = ? AND kind = ? LIMIT 1", cordon.HoldActive, cordon.HoldResample).Scan(&resampleHeld)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return up, err
	}
	tubes, err := tx.tubesByBarcode(ctx, rows)
	if err != nil {
		return up, err
	}
	var applied []int // rows that update their tube, in order
	for i := range rows {
		r := &rows[i]
		if r.Line == 0 {
			r.Line = i + 1
		}
		toInbox := func(code, field, msg string) error {
			id, err := tx.insert(ctx, `INSERT INTO lab_inbox (jurisdiction, received_at, format, barcode, code, message, raw, submitted_by, submitter)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, sub.Jurisdiction, ts(tx.Now), sub.Format, r.Barcode, code, msg, r.Raw, nullID(sub.AccountID), sub.Username)
			if err != nil {
				return err
			}
			up.Inbox++
			up.Errors = append(up.Errors, cordon.LabRowError{Line: r.Line, Barcode: r.Barcode, Code: code, Field: field, Message: msg, Inbox: id})
			return nil
		}
		var err error
		t, known := tubes[r.Barcode]
		switch {
		case r.Unreadable != nil:
			field := ""
			for f := range r.Unreadable.Fields {
				field = f
			}
			err = toInbox(r.Unreadable.Code, field, r.Unreadable.Message)
		case !known:
			err = toInbox("labresult.unknown_tube", "barcode", "no tube has barcode "+r.Barcode)
		default:
			var ok bool
			if ok, err = tx.mayResult(ctx, sub.Scope, *t, labScope); err != nil {
				return up, err
			}
			switch {
			case !ok:
				up.Rejected++
				up.Errors = append(up.Errors, cordon.LabRowError{Line: r.Line, Barcode: r.Barcode, Code: "labresult.out_of_scope",
					Field: "barcode", Message: "tube " + r.Barcode + " is outside your jurisdiction"})
			case t.Status == cordon.TubeResulted && t.Result == r.Outcome:
				up.Matched++ // the same result again: nothing changes
			case t.Status == cordon.TubeResulted:
				err = toInbox("labresult.conflict", "result", "tube "+r.Barcode+" was resulted "+string(t.Result)+" before")
			case t.Filled == 0:
				err = toInbox("labresult.empty_tube", "barcode", "tube "+r.Barcode+" holds no sample")
			default:
				t.Status, t.Result = cordon.TubeResulted, r.Outcome // a later row for the tube sees this result
				applied = append(applied, i)
				up.Matched++
			}
		}
		if err != nil {
			return up, err
		}
	}
	if err := tx.insertResults(ctx, sub, rows, applied, tubes); err != nil {
		return up, err
	}
	if err := tx.resultTubes(ctx, rows, applied, tubes); err != nil {
		return up, err
	}
	for _, i := range applied {
		r := &rows[i]
		t := tubes[r.Barcode]
		tal.at(t.RoundID, t.Area).TubesResulted++
		if err := tx.resultEffects(ctx, *t, r, tal, &up.Effects, resampleHeld > 0); err != nil {
			return up, err
		}
	}
	return up, tx.flushTallies(ctx, tal)
}

// tubesByBarcode loads the tubes that readable rows name.
func (tx *Tx) tubesByBarcode(ctx context.Context, rows []cordon.LabResultInput) (map[string]*cordon.Tube, error) {
	out := map[string]*cordon.Tube{}
	codes := make([]any, 0, len(rows))
	for i := range rows {
		if b := rows[i].Barcode; rows[i].Unreadable == nil && b != "" {
			if _, ok := out[b]; !ok {
				out[b] = nil
				codes = append(codes, b)
			}
		}
	}
	clear(out)
	err := tx.queryIn(ctx, "SELECT "+tubeColumns+" FROM tubes WHERE barcode IN (%s)", nil, codes, func(rows *sql.Rows) error {
		t, err := scanTube(rows)
		if err != nil {
			return err
		}
		out[t.Barcode] = &t
		return nil
	})
	return out, err
}

// resultTubes writes the results into their tubes, many tubes to an
// UPDATE ... FROM (VALUES ...) statement. The casts give PostgreSQL the
// types of the values; SQLite takes them as they are.
func (tx *Tx) resultTubes(ctx context.Context, rows []cordon.LabResultInput, applied []int, tubes map[string]*cordon.Tube) error {
	const values = "(CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS DOUBLE PRECISION), CAST(? AS DOUBLE PRECISION))"
	for len(applied) > 0 {
		n := resultChunk
		for n > len(applied) {
			n /= 10
		}
		args := make([]any, 0, 3+4*n)
		args = append(args, cordon.TubeResulted, ts(tx.Now), ts(tx.Now))
		for _, i := range applied[:n] {
			r := &rows[i]
			args = append(args, tubes[r.Barcode].ID, r.Outcome, nullFloat(r.CtORF1ab), nullFloat(r.CtN))
		}
		q := `UPDATE tubes SET status = ?, result = v.column2, ct_orf1ab = v.column3, ct_n = v.column4, resulted_at = ?,
			closed_at = COALESCE(tubes.closed_at, ?) FROM (VALUES ` + strings.Repeat(values+", ", n-1) + values + `) AS v WHERE tubes.id = v.column1`
		if _, err := tx.exec(ctx, q, args...); err != nil {
			return err
		}
		applied = applied[n:]
	}
	return nil
}

// resultChunk is how many results one INSERT carries.
const resultChunk = 100

// insertResults records the applied rows in lab_results, many to a
// statement.
func (tx *Tx) insertResults(ctx context.Context, sub Submission, rows []cordon.LabResultInput, applied []int, tubes map[string]*cordon.Tube) error {
	const head = "INSERT INTO lab_results (tube_id, outcome, ct_orf1ab, ct_n, observed_at, received_at, format, submitted_by) VALUES "
	const values = "(?, ?, ?, ?, ?, ?, ?, ?)"
	for len(applied) > 0 {
		n := resultChunk
		for n > len(applied) {
			n /= 10
		}
		args := make([]any, 0, 8*n)
		for _, i := range applied[:n] {
			r := &rows[i]
			observed := r.Observed
			if observed.IsZero() {
				observed = tx.Now
			}
			args = append(args, tubes[r.Barcode].ID, r.Outcome, nullFloat(r.CtORF1ab), nullFloat(r.CtN), ts(observed), ts(tx.Now), sub.Format, nullID(sub.AccountID))
		}
		if _, err := tx.exec(ctx, head+strings.Repeat(values+", ", n-1)+values, args...); err != nil {
			return err
		}
		applied = applied[n:]
	}
	return nil
}

// mayResult reports whether the submitter may result the tube: its area,
// or the jurisdiction of the lab it was sent to, lies in their scope.
func (tx *Tx) mayResult(ctx context.Context, scope Scope, t cordon.Tube, labs map[int64]bool) (bool, error) {
	if scope.Contains(t.Area) {
		return true, nil
	}
	if t.LabID == 0 {
		return false, nil
	}
	ok, seen := labs[t.LabID]
	if !seen {
		l, err := tx.Lab(ctx, t.LabID)
		if err != nil {
			return false, err
		}
		ok = scope.Contains(l.Jurisdiction)
		labs[t.LabID] = ok
	}
	return ok, nil
}

// member is a person in a resulted tube.
type member struct {
	personID sql.NullInt64
	index    []byte
	cipher   []byte
	name     string
	area     string
}

func (tx *Tx) members(ctx context.Context, tubeID int64) ([]member, error) {
	rows, err := tx.query(ctx, "SELECT person_id, doc_index, doc_cipher, name, area FROM samples WHERE tube_id = ? ORDER BY slot", tubeID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []member
	for rows.Next() {
		var m member
		if err := rows.Scan(&m.personID, &m.index, &m.cipher, &m.name, &m.area); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// resultEffects sets off what a tube's result means for its people.
func (tx *Tx) resultEffects(ctx context.Context, t cordon.Tube, r *cordon.LabResultInput, tal tallies, fx *cordon.LabEffects, resampleHeld bool) error {
	pooled := t.PoolSize > 1
	if r.Outcome == cordon.OutcomeNegative && pooled && !resampleHeld {
		return nil // the common case: nothing to do
	}
	ms, err := tx.members(ctx, t.ID)
	if err != nil {
		return err
	}
	for _, m := range ms {
		id := m.personID.Int64
		if !m.personID.Valid {
			// Sampled before registering: the person, if registered
			// since, is found by the document.
			if found, err := tx.personIDByIndex(ctx, m.index); err == nil {
				id = found
			}
		}
		tx.TouchPerson(id)
	}
	hold := func(m member, kind cordon.HoldKind) error {
		res, err := tx.exec(ctx, `INSERT INTO holds (kind, status, person_id, doc_index, doc_cipher, name, area, round_id, tube_id, placed_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tube_id, doc_index) DO NOTHING`,
			kind, cordon.HoldActive, m.personID, m.index, m.cipher, m.name, m.area, t.RoundID, t.ID, ts(tx.Now))
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		if kind == cordon.HoldRetest {
			fx.Held += int(n)
		} else {
			fx.Resample += int(n)
		}
		return nil
	}
	switch r.Outcome {
	case cordon.OutcomePositive:
		tal.at(t.RoundID, t.Area).PositiveTubes++
		if pooled {
			fx.PositivePools++
			for _, m := range ms {
				if err := hold(m, cordon.HoldRetest); err != nil {
					return err
				}
			}
			return nil
		}
		for _, m := range ms {
			res, err := tx.exec(ctx, `INSERT INTO positives (person_id, doc_index, doc_cipher, name, area, round_id, tube_id, pooled_tube_id,
				ct_orf1ab, ct_n, detected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tube_id, doc_index) DO NOTHING`,
				m.personID, m.index, m.cipher, m.name, m.area, t.RoundID, t.ID, nullID(t.RetestOf),
				nullFloat(r.CtORF1ab), nullFloat(r.CtN), ts(tx.Now))
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n > 0 {
				fx.Positives++
				tal.at(t.RoundID, m.area).Positives++
			}
			if _, err := tx.exec(ctx, "UPDATE holds SET status = ?, closed_at = ?, retest_tube_id = ? WHERE doc_index = ? AND status = ?",
				cordon.HoldPositive, ts(tx.Now), t.ID, m.index, cordon.HoldActive); err != nil {
				return err
			}
		}
	case cordon.OutcomeNegative:
		for _, m := range ms {
			q := "UPDATE holds SET status = ?, closed_at = ?, retest_tube_id = COALESCE(retest_tube_id, ?) WHERE doc_index = ? AND status = ?"
			args := []any{cordon.HoldReleased, ts(tx.Now), t.ID, m.index, cordon.HoldActive}
			if pooled {
				// A negative pool clears a person sampled again after an
				// invalid result, but only a single tube clears a retest.
				q += " AND kind = ?"
				args = append(args, cordon.HoldResample)
			}
			res, err := tx.exec(ctx, q, args...)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			fx.Released += int(n)
		}
	case cordon.OutcomeInvalid:
		for _, m := range ms {
			if err := hold(m, cordon.HoldResample); err != nil {
				return err
			}
		}
	}
	return nil
}

func nullFloat(f float64) any {
	if f == 0 {
		return nil
	}
	return f
}

// Holds lists holds whose area lies in the scope, oldest first, identity
// decrypted (the caller masks it).
func (tx *Tx) Holds(ctx context.Context, scope Scope, f cordon.HoldFilter) ([]cordon.Hold, error) {
	if f.Status == "" {
		f.Status = cordon.HoldActive
	}
	w, args := scope.where("h.area")
	where := []string{w, "h.status = ?"}
	args = append(args, f.Status)
	if f.Kind != "" {
		where = append(where, "h.kind = ?")
		args = append(args, f.Kind)
	}
	if f.After > 0 {
		where = append(where, "h.id > ?")
		args = append(args, f.After)
	}
	args = append(args, clampLimit(f.Limit))
	rows, err := tx.query(ctx, `SELECT h.id, h.kind, h.status, h.person_id, h.doc_cipher, h.name, h.area, h.round_id,
		t.barcode, r.barcode, h.placed_at, h.closed_at
		FROM holds h JOIN tubes t ON t.id = h.tube_id LEFT JOIN tubes r ON r.id = h.retest_tube_id
		WHERE `+strings.Join(where, " AND ")+" ORDER BY h.id LIMIT ?", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cordon.Hold
	for rows.Next() {
		var h cordon.Hold
		var pid sql.NullInt64
		var doc []byte
		var retest sql.NullString
		if err := rows.Scan(&h.ID, &h.Kind, &h.Status, &pid, &doc, &h.Name, &h.Area, &h.RoundID, &h.Tube, &retest,
			timeCol{&h.PlacedAt}, timeCol{&h.ClosedAt}); err != nil {
			return nil, err
		}
		h.PersonID, h.RetestTube = pid.Int64, retest.String
		if h.IDNumber, err = tx.db.vault.Open(fieldDoc, doc); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// PersonHeld reports whether a registered person has an active retest hold,
// for the health code.
func (tx *Tx) PersonHeld(ctx context.Context, personID int64) (bool, error) {
	var one int
	err := tx.queryRow(ctx, `SELECT 1 FROM holds WHERE status = ? AND kind = ? AND doc_index =
		(SELECT doc_index FROM persons WHERE id = ?) LIMIT 1`, cordon.HoldActive, cordon.HoldRetest, personID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// Positives lists positive single tubes whose area lies in the scope, newest
// first.
func (tx *Tx) Positives(ctx context.Context, scope Scope, after int64, limit int) ([]cordon.Positive, error) {
	w, args := scope.where("p.area")
	if after > 0 {
		w += " AND p.id < ?"
		args = append(args, after)
	}
	args = append(args, clampLimit(limit))
	rows, err := tx.query(ctx, `SELECT p.id, p.person_id, p.doc_cipher, p.name, p.area, p.round_id, t.barcode, pt.barcode,
		p.ct_orf1ab, p.ct_n, p.detected_at
		FROM positives p JOIN tubes t ON t.id = p.tube_id LEFT JOIN tubes pt ON pt.id = p.pooled_tube_id
		WHERE `+w+" ORDER BY p.id DESC LIMIT ?", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cordon.Positive
	for rows.Next() {
		var p cordon.Positive
		var pid sql.NullInt64
		var doc []byte
		var pooled sql.NullString
		var orf, n sql.NullFloat64
		if err := rows.Scan(&p.ID, &pid, &doc, &p.Name, &p.Area, &p.RoundID, &p.Tube, &pooled, &orf, &n, timeCol{&p.DetectedAt}); err != nil {
			return nil, err
		}
		p.PersonID, p.PooledTube, p.CtORF1ab, p.CtN = pid.Int64, pooled.String, orf.Float64, n.Float64
		if p.IDNumber, err = tx.db.vault.Open(fieldDoc, doc); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

const inboxColumns = `id, received_at, format, barcode, code, message, raw, submitter, resolved_at, resolution`

func scanInbox(sc interface{ Scan(...any) error }) (cordon.InboxItem, error) {
	var it cordon.InboxItem
	var resolved sql.NullString
	err := sc.Scan(&it.ID, timeCol{&it.ReceivedAt}, &it.Format, &it.Barcode, &it.Code, &it.Message, &it.Raw,
		&it.Submitter, &resolved, &it.Resolution)
	it.Resolved = resolved.Valid
	return it, err
}

// Inbox lists the unresolved inbox items kept under jurisdictions inside the
// scope, oldest first.
func (tx *Tx) Inbox(ctx context.Context, scope Scope, after int64, limit int) ([]cordon.InboxItem, error) {
	w, args := scope.where("jurisdiction")
	args = append(args, after, clampLimit(limit))
	rows, err := tx.query(ctx, "SELECT "+inboxColumns+" FROM lab_inbox WHERE resolved_at IS NULL AND "+w+" AND id > ? ORDER BY id LIMIT ?", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cordon.InboxItem
	for rows.Next() {
		it, err := scanInbox(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// InboxItem reads one inbox item inside the scope.
func (tx *Tx) InboxItem(ctx context.Context, scope Scope, id int64) (cordon.InboxItem, error) {
	w, args := scope.where("jurisdiction")
	it, err := scanInbox(tx.queryRow(ctx, "SELECT "+inboxColumns+" FROM lab_inbox WHERE id = ? AND "+w, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return it, notFound("inbox")
	}
	return it, err
}

// ResolveInbox marks an item resolved with a note of how.
func (tx *Tx) ResolveInbox(ctx context.Context, id, by int64, resolution string) error {
	res, err := tx.exec(ctx, "UPDATE lab_inbox SET resolved_at = ?, resolved_by = ?, resolution = ? WHERE id = ? AND resolved_at IS NULL",
		ts(tx.Now), nullID(by), resolution, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return cordon.Errorf(cordon.KindConflict, "inbox.resolved", "inbox item %d is resolved already", id)
	}
	return nil
}
