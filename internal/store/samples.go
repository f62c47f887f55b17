package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"cordon"
)

const tubeColumns = `id, barcode, round_id, point_id, area, pool_size, filled, status, box_id, lab_id, result,
	ct_orf1ab, ct_n, retest_of, opened_at, closed_at, sent_at, received_at, resulted_at, due_at`

func scanTube(sc interface{ Scan(...any) error }) (cordon.Tube, error) {
	var t cordon.Tube
	var box, lab, retest sql.NullInt64
	var orf, n sql.NullFloat64
	err := sc.Scan(&t.ID, &t.Barcode, &t.RoundID, &t.PointID, &t.Area, &t.PoolSize, &t.Filled, &t.Status,
		&box, &lab, &t.Result, &orf, &n, &retest, timeCol{&t.OpenedAt}, timeCol{&t.ClosedAt}, timeCol{&t.SentAt},
		timeCol{&t.ReceivedAt}, timeCol{&t.ResultedAt}, timeCol{&t.Due})
	t.BoxID, t.LabID, t.RetestOf, t.CtORF1ab, t.CtN = box.Int64, lab.Int64, retest.Int64, orf.Float64, n.Float64
	return t, err
}

// Tube reads a tube by barcode.
func (tx *Tx) Tube(ctx context.Context, barcode string) (cordon.Tube, error) {
	t, err := scanTube(tx.queryRow(ctx, "SELECT "+tubeColumns+" FROM tubes WHERE barcode = ?", barcode))
	if errors.Is(err, sql.ErrNoRows) {
		return t, notFound("tube")
	}
	return t, err
}

// TubeSamples lists the people in a tube by slot.
func (tx *Tx) TubeSamples(ctx context.Context, tubeID int64) ([]cordon.TubeSample, error) {
	rows, err := tx.query(ctx, `SELECT slot, person_id, name, doc_type, doc_cipher, area, duplicate, collected_at
		FROM samples WHERE tube_id = ? ORDER BY slot`, tubeID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cordon.TubeSample
	for rows.Next() {
		var s cordon.TubeSample
		var pid sql.NullInt64
		var doc []byte
		if err := rows.Scan(&s.Slot, &pid, &s.Name, &s.DocType, &doc, &s.Area, &s.Duplicate, timeCol{&s.CollectedAt}); err != nil {
			return nil, err
		}
		s.PersonID = pid.Int64
		if s.IDNumber, err = tx.db.vault.Open(fieldDoc, doc); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Registration is a validated sample registration ready to store: the app
// has checked the actor, the round and the point.
type Registration struct {
	cordon.SampleInput
	PointArea string // the sampling point's jurisdiction: the tube's area
	CreatedBy int64
	who       identity // filled in by IdentifySamples
}

// roundDoc is a person in a round, by document index.
type roundDoc struct {
	round int64
	index string
}

// tubeState is a tube being filled by a batch of registrations.
type tubeState struct {
	code             string
	id, round, point int64
	area             string
	pool, filled     int
	status           cordon.TubeStatus
	retestOf         int64
	keys             map[string]cordon.SampleAck
	isNew, changed   bool
}

// sampled is the identity a sample is stored under.
type sampled struct {
	id      int64
	area    string
	name    string
	docType cordon.DocType
	index   []byte
	cipher  []byte
}

// newSample is a sample row waiting to be inserted.
type newSample struct {
	reg    *Registration
	ack    *cordon.SampleAck
	tube   *tubeState
	person *sampled
	area   string
}

// RegisterSamples stores a batch of registrations in order, writing each
// one's answer into acks (which must be as long as regs). A registration
// that cannot be stored is answered as rejected and leaves the others
// alone; a key seen before is answered as it was the first time. Tubes
// open on their first sample and close when full; the clock for their
// result (turnaround) starts when they close.
//
// The batch is read and written set-wise: persons, earlier samples of the
// same people and the tubes are each looked up with a few IN queries, and
// samples are inserted many rows to a statement, which is what lets a
// sampling peak of a city be registered on one SQLite writer.
func (tx *Tx) RegisterSamples(ctx context.Context, regs []Registration, acks []cordon.SampleAck, turnaround cordon.Turnaround) error {
	if err := tx.db.dialect.serialize(ctx, tx, tubesLock); err != nil {
		return err
	}
	tubes, err := tx.batchTubes(ctx, regs)
	if err != nil {
		return err
	}
	before, err := tx.sampledBefore(ctx, regs)
	if err != nil {
		return err
	}
	seen := map[roundDoc]bool{}
	tal := tallies{}
	load := map[[2]int64]int{}
	rows := make([]newSample, 0, len(regs))
	for i := range regs {
		r, ack := &regs[i], &acks[i]
		person := &r.who
		if person.index == nil && person.err == nil {
			return errors.New("store: RegisterSamples before IdentifySamples")
		}
		ack.Key, ack.Tube = r.Key, r.Tube
		if r.CollectedAt.IsZero() {
			r.CollectedAt = tx.Now
		}
		t := tubes[r.Tube]
		if t == nil {
			t = &tubeState{code: r.Tube, round: r.RoundID, point: r.PointID, area: r.PointArea, pool: r.PoolSize,
				status: cordon.TubeOpen, keys: map[string]cordon.SampleAck{}, isNew: true}
			tubes[r.Tube] = t
		}
		if prev, ok := t.keys[r.Key]; ok {
			*ack = prev
			ack.Status = cordon.SampleReplayed
			continue
		}
		if person.err != nil {
			ack.Status, ack.Error = cordon.SampleRejected, person.err
			continue
		}
		if reject := tubeRefuses(t, r); reject != nil {
			ack.Status, ack.Error = cordon.SampleRejected, reject
			continue
		}
		key := roundDoc{r.RoundID, string(person.index)}
		dup := seen[key] || before[key]
		seen[key] = true
		area := person.area
		if area == "" {
			area = r.PointArea
		}
		t.filled, t.changed = t.filled+1, true
		if t.filled == t.pool {
			t.status = cordon.TubeClosed
		}
		if dup {
			tal.at(r.RoundID, area).Duplicates++
		} else {
			tal.at(r.RoundID, area).Sampled++
		}
		load[[2]int64{r.PointID, bucketOf(r.CollectedAt)}]++
		*ack = cordon.SampleAck{Key: r.Key, Status: cordon.SampleStored, Tube: r.Tube, Slot: t.filled,
			Filled: t.filled, PoolSize: t.pool, Closed: t.status == cordon.TubeClosed, Duplicate: dup}
		t.keys[r.Key] = *ack
		rows = append(rows, newSample{reg: r, ack: ack, tube: t, person: &person.sampled, area: area})
	}
	holds, err := tx.findRetests(ctx, rows)
	if err != nil {
		return err
	}
	for _, t := range tubes {
		if !t.changed {
			continue
		}
		var closedAt, due any
		if t.status == cordon.TubeClosed {
			closedAt, due = ts(tx.Now), ts(tx.Now.Add(turnaround.For(t.pool)))
		}
		if t.isNew {
			// A new tube is written once, as the batch left it.
			if t.id, err = tx.insert(ctx, `INSERT INTO tubes (barcode, round_id, point_id, area, pool_size, filled, status, retest_of, opened_at, closed_at, due_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.code, t.round, t.point, t.area, t.pool, t.filled, t.status, nullID(t.retestOf),
				ts(tx.Now), closedAt, due); err != nil {
				return err
			}
			tal.at(t.round, t.area).Tubes++
			continue
		}
		if _, err := tx.exec(ctx, `UPDATE tubes SET filled = ?, status = ?, retest_of = ?,
			closed_at = COALESCE(closed_at, ?), due_at = COALESCE(due_at, ?) WHERE id = ?`,
			t.filled, t.status, nullID(t.retestOf), closedAt, due, t.id); err != nil {
			return err
		}
	}
	for holdID, t := range holds {
		if _, err := tx.exec(ctx, "UPDATE holds SET retest_tube_id = ? WHERE id = ?", t.id, holdID); err != nil {
			return err
		}
	}
	if err := tx.insertSamples(ctx, rows); err != nil {
		return err
	}
	tx.rememberSampled(rows)
	for k, n := range load {
		if _, err := tx.exec(ctx, `INSERT INTO point_load (point_id, bucket, samples) VALUES (?, ?, ?)
			ON CONFLICT (point_id, bucket) DO UPDATE SET samples = point_load.samples + excluded.samples`, k[0], k[1], n); err != nil {
			return err
		}
	}
	return tx.flushTallies(ctx, tal)
}

// identity is a registration's person, or why it cannot be stored.
type identity struct {
	sampled
	err *cordon.Error
}

// IdentifySamples resolves every registration's person: a registered
// person by id, or the document typed or scanned, sealed and indexed, and
// matched against the register when it is there (the person's current
// area then counts the sample). It runs before the write transaction, on
// the read pool, so that this work is not serialised behind the writer.
func (tx *Tx) IdentifySamples(ctx context.Context, regs []Registration) error {
	out := make([]identity, len(regs))
	defer func() {
		for i := range regs {
			regs[i].who = out[i]
		}
	}()
	var byID []any
	var byIndex []any
	for i := range regs {
		r := &regs[i]
		if r.PersonID > 0 {
			byID = append(byID, r.PersonID)
			continue
		}
		out[i].name, out[i].docType = r.Name, r.DocType
		out[i].index = tx.db.docIndex(r.DocType, r.IDNumber)
		out[i].cipher = tx.db.vault.Seal(fieldDoc, r.IDNumber)
		byIndex = append(byIndex, out[i].index)
	}
	type ref struct {
		id      int64
		name    string
		current string
		docType cordon.DocType
		index   []byte
		cipher  []byte
		merged  sql.NullInt64
	}
	byIDs := map[int64]ref{}
	byIdx := map[string]ref{}
	scan := func(rows *sql.Rows) error {
		var p ref
		if err := rows.Scan(&p.id, &p.name, &p.current, &p.docType, &p.index, &p.cipher, &p.merged); err != nil {
			return err
		}
		byIDs[p.id], byIdx[string(p.index)] = p, p
		return nil
	}
	const cols = "SELECT id, name, current, doc_type, doc_index, doc_cipher, merged_into FROM persons WHERE "
	if err := tx.queryIn(ctx, cols+"id IN (%s)", nil, byID, scan); err != nil {
		return err
	}
	if err := tx.queryIn(ctx, cols+"doc_index IN (%s)", nil, byIndex, scan); err != nil {
		return err
	}
	for i := range regs {
		r := &regs[i]
		if r.PersonID > 0 {
			p, ok := byIDs[r.PersonID]
			switch {
			case !ok:
				out[i].err = cordon.Errorf(cordon.KindNotFound, "person.not_found", "person %d not found", r.PersonID)
			case p.merged.Valid:
				out[i].err = cordon.Errorf(cordon.KindConflict, "person.merged", "person %d was merged into %d", r.PersonID, p.merged.Int64)
			default:
				out[i].sampled = sampled{id: p.id, area: p.current, name: p.name, docType: p.docType, index: p.index, cipher: p.cipher}
			}
			continue
		}
		p, ok := byIdx[string(out[i].index)]
		if !ok {
			continue
		}
		if p.merged.Valid {
			// The document leads, through merges, to the surviving record.
			id, err := tx.personIDByIndex(ctx, p.index)
			if err != nil {
				return err
			}
			if err := tx.queryRow(ctx, "SELECT name, current FROM persons WHERE id = ?", id).Scan(&p.name, &p.current); err != nil {
				return err
			}
			p.id = id
		}
		out[i].id, out[i].area = p.id, p.current
		if out[i].name == "" {
			out[i].name = p.name
		}
	}
	return nil
}

// batchTubes loads the tubes a batch names, with the keys of the samples
// already in them, so that resends are recognised.
func (tx *Tx) batchTubes(ctx context.Context, regs []Registration) (map[string]*tubeState, error) {
	tubes := map[string]*tubeState{}
	codes := make([]any, 0, len(regs)/4)
	for i := range regs {
		if _, ok := tubes[regs[i].Tube]; !ok {
			tubes[regs[i].Tube] = nil
			codes = append(codes, regs[i].Tube)
		}
	}
	var partial []any
	byID := map[int64]*tubeState{}
	err := tx.queryIn(ctx, "SELECT barcode, id, round_id, point_id, area, pool_size, filled, status, retest_of FROM tubes WHERE barcode IN (%s)", nil, codes,
		func(rows *sql.Rows) error {
			t := &tubeState{keys: map[string]cordon.SampleAck{}}
			var retest sql.NullInt64
			if err := rows.Scan(&t.code, &t.id, &t.round, &t.point, &t.area, &t.pool, &t.filled, &t.status, &retest); err != nil {
				return err
			}
			t.retestOf = retest.Int64
			tubes[t.code], byID[t.id] = t, t
			if t.filled > 0 {
				partial = append(partial, t.id)
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	err = tx.queryIn(ctx, "SELECT tube_id, slot, client_key, duplicate FROM samples WHERE tube_id IN (%s)", nil, partial,
		func(rows *sql.Rows) error {
			var tubeID int64
			var a cordon.SampleAck
			if err := rows.Scan(&tubeID, &a.Slot, &a.Key, &a.Duplicate); err != nil {
				return err
			}
			t := byID[tubeID]
			a.Tube, a.PoolSize, a.Filled, a.Closed = t.code, t.pool, a.Slot, a.Slot == t.pool
			t.keys[a.Key] = a
			return nil
		})
	for code, t := range tubes {
		if t == nil {
			delete(tubes, code)
		}
	}
	return tubes, err
}

// findRetests finds single tubes taken from someone held after a positive
// pool: they are the person's retest and link back to the pool. It returns
// the holds to point at their retest tube once the tubes have ids.
func (tx *Tx) findRetests(ctx context.Context, rows []newSample) (map[int64]*tubeState, error) {
	holds := map[int64]*tubeState{}
	for _, s := range rows {
		t := s.tube
		if t.pool != 1 || t.retestOf != 0 {
			continue
		}
		var holdID, pooled int64
		err := tx.queryRow(ctx, "SELECT id, tube_id FROM holds WHERE doc_index = ? AND status = ? AND kind = ? ORDER BY id DESC LIMIT 1",
			s.person.index, cordon.HoldActive, cordon.HoldRetest).Scan(&holdID, &pooled)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			continue
		case err != nil:
			return nil, err
		}
		t.retestOf, t.changed = pooled, true
		holds[holdID] = t
	}
	return holds, nil
}

// sampleChunk is how many samples one INSERT carries.
const sampleChunk = 100

const sampleInsert = `INSERT INTO samples (round_id, tube_id, slot, doc_type, doc_cipher, doc_index, name, person_id,
	area, point_id, table_no, grp, client_key, duplicate, collected_at, created_by) VALUES `

const sampleValues = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

// insertSamples inserts the rows many to a statement (fixed sizes, so that
// each statement is prepared once).
func (tx *Tx) insertSamples(ctx context.Context, rows []newSample) error {
	for len(rows) > 0 {
		n := sampleChunk
		for n > len(rows) {
			n /= 10
		}
		args := make([]any, 0, 16*n)
		for _, s := range rows[:n] {
			r, p := s.reg, s.person
			args = append(args, r.RoundID, s.tube.id, s.ack.Slot, p.docType, p.cipher, p.index, p.name, nullID(p.id), s.area,
				r.PointID, r.Table, r.Group, r.Key, s.ack.Duplicate, ts(r.CollectedAt), nullID(r.CreatedBy))
		}
		if _, err := tx.exec(ctx, sampleInsert+strings.Repeat(sampleValues+", ", n-1)+sampleValues, args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// inChunk is the length of the IN lists of set-wise lookups. Lists are
// padded to this length so that each query is prepared once.
const inChunk = 200

// queryIn runs q, whose %s is an IN list, over values in chunks, calling
// scan for each row. Leading args come before the list's.
func (tx *Tx) queryIn(ctx context.Context, q string, lead []any, values []any, scan func(*sql.Rows) error) error {
	if len(values) == 0 {
		return nil
	}
	query := fmt.Sprintf(q, strings.TrimSuffix(strings.Repeat("?, ", inChunk), ", "))
	for start := 0; start < len(values); start += inChunk {
		chunk := values[start:min(start+inChunk, len(values))]
		args := make([]any, 0, len(lead)+inChunk)
		args = append(append(args, lead...), chunk...)
		for len(args) < len(lead)+inChunk {
			args = append(args, chunk[len(chunk)-1]) // padding repeats a value: no extra rows
		}
		rows, err := tx.query(ctx, query, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			if err := scan(rows); err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// tubeRefuses says why a tube cannot take the registration, or nil.
func tubeRefuses(t *tubeState, r *Registration) *cordon.Error {
	switch {
	case t.round != r.RoundID:
		return cordon.Errorf(cordon.KindConflict, "sample.tube_other_round", "tube %s belongs to another round", r.Tube)
	case t.point != r.PointID:
		return cordon.Errorf(cordon.KindConflict, "sample.tube_other_point", "tube %s was opened at another sampling point", r.Tube)
	case r.PoolSize != t.pool:
		return cordon.Errorf(cordon.KindConflict, "sample.pool_size_mismatch", "tube %s is a %d-sample tube, not %d", r.Tube, t.pool, r.PoolSize)
	case t.filled >= t.pool:
		return cordon.Errorf(cordon.KindConflict, "sample.tube_full", "tube %s already holds %d samples", r.Tube, t.pool)
	case t.status != cordon.TubeOpen:
		return cordon.Errorf(cordon.KindConflict, "sample.tube_closed", "tube %s is closed", r.Tube)
	}
	return nil
}

// CloseTube closes a tube that will take no more samples (the end of a
// shift), starting its result clock.
func (tx *Tx) CloseTube(ctx context.Context, scope Scope, barcode string, turnaround cordon.Turnaround) (cordon.Tube, error) {
	if err := tx.db.dialect.serialize(ctx, tx, tubesLock); err != nil {
		return cordon.Tube{}, err
	}
	t, err := tx.Tube(ctx, barcode)
	if err != nil {
		return t, err
	}
	if !scope.Contains(t.Area) {
		return t, notFound("tube")
	}
	if t.Status != cordon.TubeOpen {
		return t, nil
	}
	if t.Filled == 0 {
		return t, cordon.Errorf(cordon.KindConflict, "tube.empty", "tube %s holds no sample", barcode)
	}
	_, err = tx.exec(ctx, "UPDATE tubes SET status = ?, closed_at = ?, due_at = ? WHERE id = ?",
		cordon.TubeClosed, ts(tx.Now), ts(tx.Now.Add(turnaround.For(t.PoolSize))), t.ID)
	if err != nil {
		return t, err
	}
	return tx.Tube(ctx, barcode)
}

// CreateBox hands closed (or still open) tubes of a point over to a courier
// for a lab. Every tube must exist at that point and not be in another box.
func (tx *Tx) CreateBox(ctx context.Context, b *cordon.Box, tubes []string, turnaround cordon.Turnaround, createdBy int64) error {
	if err := tx.db.dialect.serialize(ctx, tx, tubesLock); err != nil {
		return err
	}
	b.SentAt, b.TubeCount = tx.Now, len(tubes)
	var err error
	b.ID, err = tx.insert(ctx, `INSERT INTO boxes (barcode, point_id, lab_id, courier, tube_count, sent_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, b.Barcode, b.PointID, b.LabID, b.Courier, b.TubeCount, ts(tx.Now), nullID(createdBy))
	if err != nil {
		if cordon.ErrorKind(err) == cordon.KindConflict {
			return cordon.Errorf(cordon.KindConflict, "box.duplicate", "box %s was handed over already", b.Barcode).WithField("barcode", "box.duplicate")
		}
		return err
	}
	tal := tallies{}
	var bad []string
	for _, code := range tubes {
		t, err := tx.Tube(ctx, code)
		if cordon.ErrorKind(err) == cordon.KindNotFound {
			bad = append(bad, code)
			continue
		}
		if err != nil {
			return err
		}
		if t.PointID != b.PointID || t.BoxID != 0 || t.Status != cordon.TubeOpen && t.Status != cordon.TubeClosed || t.Filled == 0 {
			bad = append(bad, code)
			continue
		}
		if _, err := tx.exec(ctx, `UPDATE tubes SET status = ?, box_id = ?, lab_id = ?, sent_at = ?,
			closed_at = COALESCE(closed_at, ?), due_at = COALESCE(due_at, ?) WHERE id = ?`,
			cordon.TubeSent, b.ID, b.LabID, ts(tx.Now), ts(tx.Now), ts(tx.Now.Add(turnaround.For(t.PoolSize))), t.ID); err != nil {
			return err
		}
		tal.at(t.RoundID, t.Area).TubesSent++
	}
	if len(bad) > 0 {
		e := cordon.Errorf(cordon.KindConflict, "box.tubes_unavailable", "%d tubes are unknown, from another point, empty or already sent: %s",
			len(bad), strings.Join(bad[:min(len(bad), 20)], ", ")).WithField("tubes", "box.tubes_unavailable")
		e.Extra = map[string]any{"tubes": bad}
		return e
	}
	return tx.flushTallies(ctx, tal)
}

// Box reads a box.
func (tx *Tx) Box(ctx context.Context, id int64) (cordon.Box, error) {
	var b cordon.Box
	var missing, extra string
	err := tx.queryRow(ctx, `SELECT id, barcode, point_id, lab_id, courier, tube_count, sent_at, received_at, received_n, missing, extra
		FROM boxes WHERE id = ?`, id).Scan(&b.ID, &b.Barcode, &b.PointID, &b.LabID, &b.Courier, &b.TubeCount,
		timeCol{&b.SentAt}, timeCol{&b.ReceivedAt}, &b.Received, &missing, &extra)
	if errors.Is(err, sql.ErrNoRows) {
		return b, notFound("box")
	}
	b.Missing, b.Extra = strings.Fields(missing), strings.Fields(extra)
	return b, err
}

// BoxByBarcode finds a box's id by its barcode.
func (tx *Tx) BoxByBarcode(ctx context.Context, barcode string) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, "SELECT id FROM boxes WHERE barcode = ?", barcode).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, notFound("box")
	}
	return id, err
}

// ReceiveBox records the lab's receipt of a box: the tubes scanned out of
// it are received; those handed over but not scanned are missing, those
// scanned but not handed over in this box are extra.
func (tx *Tx) ReceiveBox(ctx context.Context, b *cordon.Box, scanned []string) error {
	if err := tx.db.dialect.serialize(ctx, tx, tubesLock); err != nil {
		return err
	}
	if !b.ReceivedAt.IsZero() {
		return cordon.Errorf(cordon.KindConflict, "box.received", "box %s was received already", b.Barcode)
	}
	inBox := map[string]cordon.Tube{}
	rows, err := tx.query(ctx, "SELECT "+tubeColumns+" FROM tubes WHERE box_id = ?", b.ID)
	if err != nil {
		return err
	}
	for rows.Next() {
		t, err := scanTube(rows)
		if err != nil {
			rows.Close()
			return err
		}
		inBox[t.Barcode] = t
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	tal := tallies{}
	found := map[string]bool{}
	b.Missing, b.Extra, b.Received = nil, nil, 0
	for _, code := range scanned {
		if found[code] {
			continue
		}
		found[code] = true
		t, ok := inBox[code]
		if !ok {
			b.Extra = append(b.Extra, code)
			continue
		}
		b.Received++
		if t.Status == cordon.TubeSent {
			if _, err := tx.exec(ctx, "UPDATE tubes SET status = ?, received_at = ? WHERE id = ?", cordon.TubeReceived, ts(tx.Now), t.ID); err != nil {
				return err
			}
			tal.at(t.RoundID, t.Area).TubesReceived++
		}
	}
	for code := range inBox {
		if !found[code] {
			b.Missing = append(b.Missing, code)
		}
	}
	slices.Sort(b.Missing)
	b.ReceivedAt = tx.Now
	if _, err := tx.exec(ctx, "UPDATE boxes SET received_at = ?, received_n = ?, missing = ?, extra = ? WHERE id = ?",
		ts(tx.Now), b.Received, strings.Join(b.Missing, " "), strings.Join(b.Extra, " "), b.ID); err != nil {
		return err
	}
	return tx.flushTallies(ctx, tal)
}
