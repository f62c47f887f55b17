package store

import (
	"context"
	"encoding/json"

	"cordon"
)

// SetPolicy records (or replaces) the assignment of a jurisdiction from a day.
func (tx *Tx) SetPolicy(ctx context.Context, a cordon.PolicyAssignment, by int64) error {
	overrides, err := json.Marshal(a.Overrides)
	if err != nil {
		return err
	}
	if a.Overrides == nil {
		overrides = []byte("{}")
	}
	_, err = tx.exec(ctx, `INSERT INTO policy_assignments (jurisdiction, from_date, edition, overrides, reason, set_by, set_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (jurisdiction, from_date) DO UPDATE SET edition = excluded.edition, overrides = excluded.overrides,
			reason = excluded.reason, set_by = excluded.set_by, set_at = excluded.set_at`,
		a.Jurisdiction, a.From, a.Edition, string(overrides), a.Reason, by, ts(tx.Now))
	return err
}

// Policies returns the assignments that bear on a jurisdiction: its own
// and its ancestors', and, when below is set, those of its subtree too.
func (tx *Tx) Policies(ctx context.Context, jurisdiction string, below bool) ([]cordon.PolicyAssignment, error) {
	codes := []string{}
	for c := jurisdiction; c != ""; c = cordon.ParentCode(c) {
		codes = append(codes, c)
	}
	if jurisdiction != cordon.Nationwide {
		codes = append(codes, cordon.Nationwide)
	}
	q := "SELECT p.jurisdiction, p.from_date, p.edition, p.overrides, p.reason, COALESCE(a.username, ''), p.set_at FROM policy_assignments p LEFT JOIN accounts a ON a.id = p.set_by WHERE p.jurisdiction IN (" + placeholders(len(codes)) + ")"
	args := make([]any, 0, len(codes)+2)
	for _, c := range codes {
		args = append(args, c)
	}
	if below {
		w, wargs := Inside(jurisdiction).where("p.jurisdiction")
		q += " OR " + w
		args = append(args, wargs...)
	}
	rows, err := tx.query(ctx, q+" ORDER BY p.jurisdiction, p.from_date", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cordon.PolicyAssignment
	for rows.Next() {
		var a cordon.PolicyAssignment
		var overrides string
		if err := rows.Scan(&a.Jurisdiction, &a.From, &a.Edition, &overrides, &a.Reason, &a.SetBy, timeCol{&a.SetAt}); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(overrides), &a.Overrides); err != nil {
			return nil, err
		}
		if len(a.Overrides) == 0 {
			a.Overrides = nil
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
