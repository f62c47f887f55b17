package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"cordon"
)

// Peers (other cordon instances), the outbox of messages queued for them
// and the inbox of messages received from them. Peers belong to the
// instance, not to a jurisdiction: only those who manage peers see them.

const peerColumns = `p.id,
	p.name,
	p.base_url,
	p.public_key,
	p.key_id,
	p.divisions,
	p.active,
	p.version`

func scanPeer(sc interface{ Scan(...any) error }) (cordon.Peer, error) {
	var p cordon.Peer
	var divs string
	err := sc.Scan(&p.ID, &p.Name, &p.BaseURL, &p.PublicKey, &p.KeyID, &divs, &p.Active, &p.Version)
	p.Divisions = strings.Split(divs, ",")
	return p, err
}

// CreatePeer stores a peer and sets its id; a name or key already
// registered is a conflict.
func (tx *Tx) CreatePeer(ctx context.Context, p *cordon.Peer, by int64) error {
	id, err := tx.insert(ctx, `INSERT INTO peers (
		name,
		base_url,
		public_key,
		key_id,
		divisions,
		active,
		created_by,
		created_at,
		updated_at
	) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.Name, p.BaseURL, p.PublicKey, p.KeyID, strings.Join(p.Divisions, ","), p.Active, nullID(by), ts(tx.Now), ts(tx.Now))
	if err != nil {
		return peerTaken(err)
	}
	p.ID, p.Version = id, 1
	return nil
}

func peerTaken(err error) error {
	if cordon.ErrorKind(err) == cordon.KindConflict {
		return cordon.Errorf(cordon.KindConflict, "peer.taken", "a peer with this name or key is registered already")
	}
	return err
}

// UpdatePeer replaces a peer's fields if its version is still version.
func (tx *Tx) UpdatePeer(ctx context.Context, p cordon.Peer, version int) error {
	res, err := tx.exec(ctx, `UPDATE peers SET
		name = ?,
		base_url = ?,
		public_key = ?,
		key_id = ?,
		divisions = ?,
		active = ?,
		updated_at = ?,
		version = version + 1
	WHERE id = ? AND version = ?`,
		p.Name, p.BaseURL, p.PublicKey, p.KeyID, strings.Join(p.Divisions, ","), p.Active, ts(tx.Now), p.ID, version)
	if err != nil {
		return peerTaken(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return cordon.Errorf(cordon.KindConflict, "peer.changed", "the peer was changed by someone else; reload it")
	}
	return nil
}

// Peer reads one peer.
func (tx *Tx) Peer(ctx context.Context, id int64) (cordon.Peer, error) {
	p, err := scanPeer(tx.queryRow(ctx, "SELECT "+peerColumns+" FROM peers p WHERE p.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, notFound("peer")
	}
	return p, err
}

// PeerByKey reads the peer whose public key has the key id.
func (tx *Tx) PeerByKey(ctx context.Context, keyID string) (cordon.Peer, error) {
	p, err := scanPeer(tx.queryRow(ctx, "SELECT "+peerColumns+" FROM peers p WHERE p.key_id = ?", keyID))
	if errors.Is(err, sql.ErrNoRows) {
		return p, notFound("peer")
	}
	return p, err
}

// Peers lists the peers by name.
func (tx *Tx) Peers(ctx context.Context) ([]cordon.Peer, error) {
	rows, err := tx.query(ctx, "SELECT "+peerColumns+" FROM peers p ORDER BY p.name, p.id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []cordon.Peer{}
	for rows.Next() {
		p, err := scanPeer(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// fieldPeerEnvelope seals outgoing messages at rest: they carry the
// identity numbers and phones of the people in assist requests.
const fieldPeerEnvelope = "peer envelope"

// QueuePeerMessage puts a message, as the exact envelope bytes to sign and
// send, sealed by the vault, in the outbox, due at once.
func (tx *Tx) QueuePeerMessage(ctx context.Context, peerID int64, id, kind string, envelope []byte) error {
	_, err := tx.exec(ctx, `INSERT INTO peer_outbox (
		id,
		peer_id,
		kind,
		envelope,
		status,
		queued_at,
		next_at
	) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		id, peerID, kind, tx.db.vault.Seal(fieldPeerEnvelope, string(envelope)), cordon.PeerPending, ts(tx.Now), ts(tx.Now))
	return err
}

// OutgoingPeerMessage is the head of a peer's queue, ready to send.
type OutgoingPeerMessage struct {
	cordon.PeerMessage
	Envelope []byte
}

// NextPeerMessage returns the oldest pending message to an active peer,
// and whether it is due at the time given: messages to one peer go in the
// order they were queued, so a later one waits for the head. ok is false
// when nothing is pending for the peer.
func (tx *Tx) NextPeerMessage(ctx context.Context, peerID int64) (m OutgoingPeerMessage, ok bool, err error) {
	var sealed []byte
	err = tx.queryRow(ctx, `SELECT
		o.id,
		o.peer_id,
		o.kind,
		o.status,
		o.attempts,
		o.last_error,
		o.queued_at,
		o.next_at,
		o.envelope
	FROM peer_outbox o
	WHERE o.peer_id = ? AND o.status = ?
	ORDER BY o.seq
	LIMIT 1`, peerID, cordon.PeerPending).Scan(&m.ID, &m.PeerID, &m.Kind, &m.Status, &m.Attempts, &m.LastError,
		timeCol{&m.QueuedAt}, timeCol{&m.NextAt}, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return m, false, nil
	}
	if err != nil {
		return m, false, err
	}
	env, err := tx.db.vault.Open(fieldPeerEnvelope, sealed)
	m.Envelope = []byte(env)
	return m, err == nil, err
}

// PeersWithPending lists the active peers that have pending messages due
// by the time given.
func (tx *Tx) PeersWithPending(ctx context.Context, due time.Time) ([]int64, error) {
	return column[int64](tx, ctx, `SELECT DISTINCT o.peer_id
		FROM peer_outbox o JOIN peers p ON p.id = o.peer_id
		WHERE o.status = ? AND o.next_at <= ? AND p.active = ?
		ORDER BY o.peer_id`, cordon.PeerPending, ts(due), true)
}

// PeerMessageAcknowledged marks a message delivered and forgets its
// content, which the peer now keeps.
func (tx *Tx) PeerMessageAcknowledged(ctx context.Context, id string) error {
	_, err := tx.exec(ctx, `UPDATE peer_outbox SET
		envelope = ?,
		status = ?,
		attempts = attempts + 1,
		last_error = '',
		next_at = NULL,
		delivered_at = ?
	WHERE id = ? AND status = ?`, []byte{}, cordon.PeerAcknowledged, ts(tx.Now), id, cordon.PeerPending)
	return err
}

// PeerMessageFailed records a failed attempt: retried at next, or, when
// next is zero, given up (the peer refused it as invalid).
func (tx *Tx) PeerMessageFailed(ctx context.Context, id, reason string, next time.Time) error {
	status := cordon.PeerPending
	if next.IsZero() {
		status = cordon.PeerFailed
	}
	if len(reason) > 500 {
		reason = reason[:500]
	}
	_, err := tx.exec(ctx, `UPDATE peer_outbox SET
		status = ?,
		attempts = attempts + 1,
		last_error = ?,
		next_at = ?
	WHERE id = ? AND status = ?`, status, reason, ts(next), id, cordon.PeerPending)
	return err
}

// RetryPeerMessage makes a pending or failed message of a peer due now.
func (tx *Tx) RetryPeerMessage(ctx context.Context, peerID int64, id string) error {
	res, err := tx.exec(ctx, `UPDATE peer_outbox SET
		status = ?,
		next_at = ?
	WHERE peer_id = ? AND id = ? AND status <> ?`, cordon.PeerPending, ts(tx.Now), peerID, id, cordon.PeerAcknowledged)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("peer_message")
	}
	return nil
}

// PeerMessages lists a peer's outgoing messages of a status ("" for all),
// newest first.
func (tx *Tx) PeerMessages(ctx context.Context, peerID int64, status cordon.PeerMessageStatus, limit int) ([]cordon.PeerMessage, error) {
	q := `SELECT
		o.id,
		o.peer_id,
		o.kind,
		o.status,
		o.attempts,
		o.last_error,
		o.queued_at,
		o.next_at,
		o.delivered_at
	FROM peer_outbox o
	WHERE o.peer_id = ?`
	args := []any{peerID}
	if status != "" {
		q += " AND o.status = ?"
		args = append(args, status)
	}
	rows, err := tx.query(ctx, q+" ORDER BY o.seq DESC LIMIT ?", append(args, clampLimit(limit))...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []cordon.PeerMessage{}
	for rows.Next() {
		var m cordon.PeerMessage
		if err := rows.Scan(&m.ID, &m.PeerID, &m.Kind, &m.Status, &m.Attempts, &m.LastError, timeCol{&m.QueuedAt}, timeCol{&m.NextAt}, timeCol{&m.DeliveredAt}); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// PeerOutboxCounts counts each peer's outgoing messages by status.
func (tx *Tx) PeerOutboxCounts(ctx context.Context) (map[int64]cordon.PeerOutbox, error) {
	rows, err := tx.query(ctx, "SELECT o.peer_id, o.status, COUNT(*) FROM peer_outbox o GROUP BY o.peer_id, o.status")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]cordon.PeerOutbox{}
	for rows.Next() {
		var id int64
		var status cordon.PeerMessageStatus
		var n int
		if err := rows.Scan(&id, &status, &n); err != nil {
			return nil, err
		}
		c := out[id]
		switch status {
		case cordon.PeerPending:
			c.Pending = n
		case cordon.PeerAcknowledged:
			c.Acknowledged = n
		case cordon.PeerFailed:
			c.Failed = n
		}
		out[id] = c
	}
	return out, rows.Err()
}

// ReceivePeerMessage records a message from a peer in the inbox; first is
// false when it was recorded before (a replay). Called in the transaction
// that does the message's work, so that both commit or neither.
func (tx *Tx) ReceivePeerMessage(ctx context.Context, peerID int64, id, kind string) (first bool, err error) {
	res, err := tx.exec(ctx, `INSERT INTO peer_inbox (
		peer_id,
		id,
		kind,
		received_at
	) VALUES (?, ?, ?, ?)
	ON CONFLICT (peer_id, id) DO NOTHING`, peerID, id, kind, ts(tx.Now))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
