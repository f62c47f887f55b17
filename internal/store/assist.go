package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"cordon"
)

// Assist requests and their people. The people's identity numbers and
// phones are sealed like a person's; a person's row changes no fact of a
// health code, so nothing here touches a person except MovePersonHere.

const assistRequestColumns = `r.id,
	r.number,
	r.sender,
	r.sender_name,
	r.sent_by_name,
	r.target,
	r.reason,
	r.source,
	r.contact,
	COALESCE(r.parent_id, 0),
	COALESCE(r.peer_id, 0),
	COALESCE(r.origin_peer_id, 0),
	COALESCE(r.remote_id, 0),
	r.created_at,
	r.received_at`

func scanAssistRequest(sc interface{ Scan(...any) error }) (cordon.AssistRequest, error) {
	var r cordon.AssistRequest
	err := sc.Scan(&r.ID, &r.Number, &r.Sender, &r.SenderName, &r.SentBy, &r.Target, &r.Reason, &r.Source, &r.Contact,
		&r.ParentID, &r.PeerID, &r.OriginPeerID, &r.RemoteID, timeCol{&r.CreatedAt}, timeCol{&r.ReceivedAt})
	return r, err
}

// NextAssistSeq is the next letter number of a sender in a year.
func (tx *Tx) NextAssistSeq(ctx context.Context, sender string, year int) (int, error) {
	var n int
	err := tx.queryRow(ctx, "SELECT COALESCE(MAX(seq), 0) FROM assist_requests WHERE sender = ? AND year = ?", sender, year).Scan(&n)
	return n + 1, err
}

// CreateAssistRequest stores a request numbered seq of its year and sets
// its id. A number taken meanwhile is a Conflict.
func (tx *Tx) CreateAssistRequest(ctx context.Context, r *cordon.AssistRequest, by int64, year, seq int) error {
	id, err := tx.insert(ctx, `INSERT INTO assist_requests (
		number,
		sender,
		sender_name,
		sent_by,
		sent_by_name,
		target,
		reason,
		source,
		contact,
		parent_id,
		peer_id,
		origin_peer_id,
		remote_id,
		year,
		seq,
		created_at,
		received_at
	) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.Number, r.Sender, r.SenderName, nullID(by), r.SentBy, r.Target, r.Reason, r.Source, r.Contact,
		nullID(r.ParentID), nullID(r.PeerID), nullID(r.OriginPeerID), nullID(r.RemoteID), year, seq, ts(r.CreatedAt), ts(r.ReceivedAt))
	if cordon.ErrorKind(err) == cordon.KindConflict {
		return cordon.Errorf(cordon.KindConflict, "assist.number_taken", "the letter number was taken meanwhile; send again")
	}
	r.ID = id
	return err
}

// AddAssistPeople stores the people of a request, many rows a statement.
func (tx *Tx) AddAssistPeople(ctx context.Context, requestID int64, people []cordon.AssistPerson) error {
	const cols = 14
	const chunk = 400
	for len(people) > 0 {
		n := min(len(people), chunk)
		var b strings.Builder
		b.WriteString(`INSERT INTO assist_people (
		request_id,
		pos,
		person_id,
		name,
		doc_type,
		doc_cipher,
		phone_cipher,
		residence,
		current,
		places,
		note,
		status,
		due_at,
		updated_at
	) VALUES `)
		args := make([]any, 0, n*cols)
		for i, p := range people[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(" + placeholders(cols) + ")")
			args = append(args, requestID, p.Pos, nullID(p.PersonID), p.Name, p.DocType, tx.db.vault.Seal(fieldDoc, p.IDNumber),
				tx.sealPhone(p.Phone), p.Residence, p.Current, p.Places, p.Note, p.Status, ts(p.DueAt), ts(tx.Now))
		}
		if _, err := tx.exec(ctx, b.String(), args...); err != nil {
			return err
		}
		people = people[n:]
	}
	return nil
}

// AssistRequest reads a request sent from or to the scope.
func (tx *Tx) AssistRequest(ctx context.Context, scope Scope, id int64) (cordon.AssistRequest, error) {
	w, args := scope.whereAny("r.sender", "r.target")
	r, err := scanAssistRequest(tx.queryRow(ctx, "SELECT "+assistRequestColumns+" FROM assist_requests r WHERE r.id = ? AND "+w, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return r, notFound("assist")
	}
	return r, err
}

// AssistRequestByRemote reads the request received from a peer under the
// sender's id.
func (tx *Tx) AssistRequestByRemote(ctx context.Context, peerID, remoteID int64) (cordon.AssistRequest, error) {
	r, err := scanAssistRequest(tx.queryRow(ctx, "SELECT "+assistRequestColumns+" FROM assist_requests r WHERE r.origin_peer_id = ? AND r.remote_id = ?", peerID, remoteID))
	if errors.Is(err, sql.ErrNoRows) {
		return r, notFound("assist")
	}
	return r, err
}

// AssistRequests lists the requests sent from the scope (received false)
// or addressed to it (received true), newest first, before the cursor
// after (0 for the first page), with their counts at now.
func (tx *Tx) AssistRequests(ctx context.Context, scope Scope, received bool, now time.Time, after int64, limit int) ([]cordon.AssistRequest, error) {
	col := "r.sender"
	if received {
		col = "r.target"
	}
	w, args := scope.where(col)
	q := "SELECT " + assistRequestColumns + " FROM assist_requests r WHERE " + w
	if received {
		// A request sent to a peer is not received here, even when this
		// instance's scope covers the code.
		q += " AND r.peer_id IS NULL"
	} else {
		q += " AND r.origin_peer_id IS NULL"
	}
	if after > 0 {
		q += " AND r.id < ?"
		args = append(args, after)
	}
	q += " ORDER BY r.id DESC LIMIT ?"
	rows, err := tx.query(ctx, q, append(args, clampLimit(limit))...)
	if err != nil {
		return nil, err
	}
	out := []cordon.AssistRequest{}
	for rows.Next() {
		r, err := scanAssistRequest(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, tx.assistCounts(ctx, out, now)
}

// assistCounts fills in the counts of the requests.
func (tx *Tx) assistCounts(ctx context.Context, rs []cordon.AssistRequest, now time.Time) error {
	if len(rs) == 0 {
		return nil
	}
	byID := map[int64]*cordon.AssistRequest{}
	args := []any{ts(now)}
	for i := range rs {
		byID[rs[i].ID] = &rs[i]
		args = append(args, rs[i].ID)
	}
	rows, err := tx.query(ctx, `SELECT request_id, status, COUNT(*), SUM(CASE WHEN due_at < ? THEN 1 ELSE 0 END) FROM assist_people
	WHERE request_id IN (`+placeholders(len(rs))+`) GROUP BY request_id, status`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var s cordon.AssistStatus
		var n, late int
		if err := rows.Scan(&id, &s, &n, &late); err != nil {
			return err
		}
		for i := range n {
			byID[id].Counts.Add(s, i < late && !s.Final())
		}
	}
	return rows.Err()
}

// CountAssist fills in one request's counts at now.
func (tx *Tx) CountAssist(ctx context.Context, r *cordon.AssistRequest, now time.Time) error {
	rs := []cordon.AssistRequest{*r}
	if err := tx.assistCounts(ctx, rs, now); err != nil {
		return err
	}
	r.Counts = rs[0].Counts
	return nil
}

const assistPersonColumns = `p.id,
	p.request_id,
	p.pos,
	COALESCE(p.person_id, 0),
	p.name,
	p.doc_type,
	p.doc_cipher,
	p.phone_cipher,
	p.residence,
	p.current,
	p.places,
	p.note,
	p.grid,
	p.status,
	p.due_at,
	p.located_at,
	p.contacted_at,
	p.tested_at,
	p.controlled_at,
	p.closed_at,
	p.status_note,
	p.updated_by,
	p.updated_at,
	COALESCE(p.forwarded_to, 0),
	p.forwarded_target`

const assistPersonFrom = " FROM assist_people p"

func (tx *Tx) scanAssistPerson(sc interface{ Scan(...any) error }, extra ...any) (cordon.AssistPerson, error) {
	var p cordon.AssistPerson
	var doc, phone []byte
	err := sc.Scan(append([]any{&p.ID, &p.RequestID, &p.Pos, &p.PersonID, &p.Name, &p.DocType, &doc, &phone, &p.Residence, &p.Current,
		&p.Places, &p.Note, &p.Grid, &p.Status, timeCol{&p.DueAt}, timeCol{&p.LocatedAt}, timeCol{&p.ContactedAt}, timeCol{&p.TestedAt},
		timeCol{&p.ControlledAt}, timeCol{&p.ClosedAt}, &p.StatusNote, &p.UpdatedBy, timeCol{&p.UpdatedAt}, &p.ForwardedTo,
		&p.ForwardedTarget}, extra...)...)
	if err != nil {
		return p, err
	}
	if p.IDNumber, err = tx.db.vault.Open(fieldDoc, doc); err != nil {
		return p, err
	}
	p.Phone, err = tx.db.vault.Open(fieldPhone, phone)
	return p, err
}

// AssistPeople lists the people of a request in the letter's order.
func (tx *Tx) AssistPeople(ctx context.Context, requestID int64) ([]cordon.AssistPerson, error) {
	rows, err := tx.query(ctx, "SELECT "+assistPersonColumns+assistPersonFrom+" WHERE p.request_id = ? ORDER BY p.pos", requestID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []cordon.AssistPerson{}
	for rows.Next() {
		p, err := tx.scanAssistPerson(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// AssistPerson reads one person of a request.
func (tx *Tx) AssistPerson(ctx context.Context, requestID int64, pos int) (cordon.AssistPerson, error) {
	p, err := tx.scanAssistPerson(tx.queryRow(ctx, "SELECT "+assistPersonColumns+assistPersonFrom+" WHERE p.request_id = ? AND p.pos = ?", requestID, pos))
	if errors.Is(err, sql.ErrNoRows) {
		return p, notFound("assist_person")
	}
	return p, err
}

// UpdateAssistPerson writes where a person of a request stands.
func (tx *Tx) UpdateAssistPerson(ctx context.Context, p cordon.AssistPerson) error {
	_, err := tx.exec(ctx, `UPDATE assist_people SET
		person_id = ?,
		grid = ?,
		status = ?,
		due_at = ?,
		located_at = ?,
		contacted_at = ?,
		tested_at = ?,
		controlled_at = ?,
		closed_at = ?,
		status_note = ?,
		updated_by = ?,
		updated_at = ?,
		forwarded_to = ?,
		forwarded_target = ?
	WHERE id = ?`,
		nullID(p.PersonID), p.Grid, p.Status, ts(p.DueAt), ts(p.LocatedAt), ts(p.ContactedAt), ts(p.TestedAt), ts(p.ControlledAt), ts(p.ClosedAt),
		p.StatusNote, p.UpdatedBy, ts(tx.Now), nullID(p.ForwardedTo), p.ForwardedTarget, p.ID)
	return err
}

// SetAssistReceived records when a request sent to a peer was received
// there, and the due time of its people.
func (tx *Tx) SetAssistReceived(ctx context.Context, id int64, at time.Time) error {
	if _, err := tx.exec(ctx, "UPDATE assist_requests SET received_at = ? WHERE id = ? AND received_at IS NULL", ts(at), id); err != nil {
		return err
	}
	_, err := tx.exec(ctx, "UPDATE assist_people SET due_at = ? WHERE request_id = ?", ts(at.Add(cordon.AssistDue)), id)
	return err
}

// assistOverdue is the condition of a person still open past due at ?.
const assistOverdue = ` p.status NOT IN ('controlled', 'not_found', 'moved_on') AND p.due_at < ?`

// OverdueAssist lists the people past due at now in requests received in
// the scope (not those sent to peers), the longest overdue first.
func (tx *Tx) OverdueAssist(ctx context.Context, scope Scope, now time.Time, limit int) ([]cordon.AssistOverdue, error) {
	w, args := scope.where("r.target")
	rows, err := tx.query(ctx, "SELECT "+assistPersonColumns+", r.number, r.target, r.sender_name"+assistPersonFrom+
		" JOIN assist_requests r ON r.id = p.request_id WHERE r.peer_id IS NULL AND "+w+" AND"+assistOverdue+
		" ORDER BY p.due_at, p.id LIMIT ?", append(args, ts(now), clampLimit(limit))...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []cordon.AssistOverdue{}
	for rows.Next() {
		var o cordon.AssistOverdue
		if o.AssistPerson, err = tx.scanAssistPerson(rows, &o.Number, &o.Target, &o.SenderName); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// CountOverdueAssist counts the people OverdueAssist lists.
func (tx *Tx) CountOverdueAssist(ctx context.Context, scope Scope, now time.Time) (int, error) {
	w, args := scope.where("r.target")
	var n int
	err := tx.queryRow(ctx, "SELECT COUNT(*) FROM assist_people p JOIN assist_requests r ON r.id = p.request_id WHERE r.peer_id IS NULL AND "+w+" AND"+assistOverdue,
		append(args, ts(now))...).Scan(&n)
	return n, err
}

// PersonIDByDocument finds the person registered with a document anywhere,
// following merges; 0 when there is none. Matching the people of a
// received request to local records needs no scope: the receiver takes
// them into its own.
func (tx *Tx) PersonIDByDocument(ctx context.Context, t cordon.DocType, number string) (int64, error) {
	id, err := tx.personIDByIndex(ctx, tx.db.docIndex(t, number))
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// PersonIDsByDocument finds many people at once, keyed by "type:number".
func (tx *Tx) PersonIDsByDocument(ctx context.Context, docs map[string]cordon.DocType) (map[string]int64, error) {
	out := map[string]int64{}
	for key, t := range docs {
		number := key[len(t)+1:]
		id, err := tx.PersonIDByDocument(ctx, t, number)
		if err != nil {
			return nil, err
		}
		if id != 0 {
			out[key] = id
		}
	}
	return out, nil
}
