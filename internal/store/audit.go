package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"cordon"
)

// Audit appends one entry to the audit log, in the caller's transaction so
// that a change and its record commit together. The table refuses updates
// and deletes (a trigger on both databases).
func (tx *Tx) Audit(ctx context.Context, e cordon.AuditEntry) error {
	cols, marks := "", ""
	var args []any
	if tx.db.dialect.name() == "sqlite" {
		// SQLite numbers rows from the sequence packed reads share;
		// PostgreSQL's identity column is that sequence.
		ids, err := tx.auditIDs(ctx, 1)
		if err != nil {
			return err
		}
		cols, marks, args = "id, ", "?, ", []any{ids[0]}
	}
	_, err := tx.exec(ctx, `INSERT INTO audit_log (`+cols+`at, account_id, username, action, record, jurisdiction, reason, detail, request_id, remote)
		VALUES (`+marks+`?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		append(args, ts(tx.Now), nullID(e.AccountID), e.Username, e.Action, e.Record, e.Jurisdiction, e.Reason, e.Detail, e.RequestID, e.Remote)...)
	return err
}

// AuditRead records an audited read of personal data. The reads of a
// transaction are written when it commits, as one packed row of
// audit_packs with ids of the audit log's sequence: a group commit of
// thousands of reads writes one row, not a row and a page of the record
// index each.
func (tx *Tx) AuditRead(e cordon.AuditEntry) {
	e.At = tx.Now
	tx.reads = append(tx.reads, e)
}

// flushReads writes the transaction's reads, before it commits.
func (tx *Tx) flushReads(ctx context.Context) error {
	ids, err := tx.auditIDs(ctx, len(tx.reads))
	if err != nil {
		return err
	}
	for i := range tx.reads {
		tx.reads[i].ID = ids[i]
	}
	blob, err := json.Marshal(tx.reads)
	if err != nil {
		return err
	}
	first, last := tx.reads[0], tx.reads[len(tx.reads)-1]
	_, err = tx.exec(ctx, "INSERT INTO audit_packs (first_id, last_id, first_at, last_at, entries) VALUES (?, ?, ?, ?, ?)",
		first.ID, last.ID, ts(first.At), ts(last.At), blob)
	tx.reads = nil
	return err
}

// auditIDs takes n ids of the audit log's sequence: on SQLite from the
// audit_seq row, under the write lock; on PostgreSQL from the identity
// sequence of audit_log.
func (tx *Tx) auditIDs(ctx context.Context, n int) ([]int64, error) {
	if tx.db.dialect.name() != "sqlite" {
		ids, err := column[int64](tx, ctx, "SELECT nextval(pg_get_serial_sequence('audit_log', 'id')) FROM generate_series(1, ?)", n)
		slices.Sort(ids)
		return ids, err
	}
	var next int64
	if err := tx.queryRow(ctx, "UPDATE audit_seq SET next = next + ? RETURNING next", n).Scan(&next); err != nil {
		return nil, err
	}
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = next - int64(n) + int64(i)
	}
	return ids, nil
}

// AuditLog lists entries made by accounts inside the scope, newest first.
func (tx *Tx) AuditLog(ctx context.Context, scope Scope, f cordon.AuditFilter) ([]cordon.AuditEntry, error) {
	w, args := scope.where("jurisdiction")
	var b strings.Builder
	b.WriteString(`SELECT id, at, account_id, username, action, record, jurisdiction, reason, detail, request_id, remote
		FROM audit_log WHERE ` + w)
	if f.Username != "" {
		b.WriteString(" AND username = ?")
		args = append(args, f.Username)
	}
	if f.Action != "" {
		b.WriteString(" AND action = ?")
		args = append(args, f.Action)
	}
	if f.Record != "" {
		b.WriteString(" AND record = ?")
		args = append(args, f.Record)
	}
	if !f.Since.IsZero() {
		b.WriteString(" AND at >= ?")
		args = append(args, ts(f.Since))
	}
	if !f.Until.IsZero() {
		b.WriteString(" AND at < ?")
		args = append(args, ts(f.Until))
	}
	if f.Before > 0 {
		b.WriteString(" AND id < ?")
		args = append(args, f.Before)
	}
	b.WriteString(" ORDER BY id DESC LIMIT ?")
	args = append(args, clampLimit(f.Limit))
	rows, err := tx.query(ctx, b.String(), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cordon.AuditEntry
	for rows.Next() {
		var e cordon.AuditEntry
		var acct *int64
		if err := rows.Scan(&e.ID, timeCol{&e.At}, &acct, &e.Username, &e.Action, &e.Record, &e.Jurisdiction, &e.Reason, &e.Detail, &e.RequestID, &e.Remote); err != nil {
			return nil, err
		}
		if acct != nil {
			e.AccountID = *acct
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	packed, err := tx.packedReads(ctx, scope, f)
	if err != nil {
		return nil, err
	}
	out = append(out, packed...)
	slices.SortFunc(out, func(a, b cordon.AuditEntry) int { return int(b.ID - a.ID) })
	return out[:min(len(out), clampLimit(f.Limit))], nil
}

// maxPacksRead bounds the packs one browse of the log reads: reads older
// than that many group commits need a time window (since, until).
const maxPacksRead = 20000

// packedReads finds the packed reads that match the filter, newest first,
// up to its limit.
func (tx *Tx) packedReads(ctx context.Context, scope Scope, f cordon.AuditFilter) ([]cordon.AuditEntry, error) {
	q := "SELECT last_id, entries FROM audit_packs WHERE 1=1"
	var args []any
	if f.Before > 0 {
		q += " AND first_id < ?"
		args = append(args, f.Before)
	}
	if !f.Since.IsZero() {
		q += " AND last_at >= ?"
		args = append(args, ts(f.Since))
	}
	if !f.Until.IsZero() {
		q += " AND first_at < ?"
		args = append(args, ts(f.Until))
	}
	q += " ORDER BY last_id DESC LIMIT ?"
	args = append(args, maxPacksRead)
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	limit := clampLimit(f.Limit)
	var out []cordon.AuditEntry
	for rows.Next() {
		var last int64
		var blob []byte
		if err := rows.Scan(&last, &blob); err != nil {
			return nil, err
		}
		if len(out) >= limit && last < out[limit-1].ID {
			break // every later pack holds older entries than those kept
		}
		var entries []cordon.AuditEntry
		if err := json.Unmarshal(blob, &entries); err != nil {
			return nil, fmt.Errorf("store: audit pack up to %d: %w", last, err)
		}
		for _, e := range entries {
			e.Read = true
			if scope.Contains(e.Jurisdiction) && (f.Username == "" || e.Username == f.Username) && (f.Action == "" || e.Action == f.Action) &&
				(f.Record == "" || e.Record == f.Record) && (f.Since.IsZero() || !e.At.Before(f.Since)) &&
				(f.Until.IsZero() || e.At.Before(f.Until)) && (f.Before == 0 || e.ID < f.Before) {
				out = append(out, e)
			}
		}
		slices.SortFunc(out, func(a, b cordon.AuditEntry) int { return int(b.ID - a.ID) })
		out = out[:min(len(out), limit)]
	}
	return out, rows.Err()
}
