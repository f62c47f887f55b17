package store

import (
	"context"
	"strings"

	"cordon"
)

// Audit appends one entry to the audit log, in the caller's transaction so
// that a change and its record commit together. The table refuses updates
// and deletes (a trigger on both databases).
func (tx *Tx) Audit(ctx context.Context, e cordon.AuditEntry) error {
	_, err := tx.exec(ctx, `INSERT INTO audit_log (
		at,
		account_id,
		username,
		action,
		record,
		jurisdiction,
		reason,
		detail,
		request_id,
		remote
	) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		ts(tx.Now), nullID(e.AccountID), e.Username, e.Action, e.Record, e.Jurisdiction, e.Reason, e.Detail, e.RequestID, e.Remote)
	return err
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
	return out, rows.Err()
}
