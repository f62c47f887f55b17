package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"cordon"
)

// CreateGrid adds a grid under a village or community, numbering it after
// the last grid there. The caller has checked that the parent exists.
func (tx *Tx) CreateGrid(ctx context.Context, g *cordon.Grid, createdBy int64) error {
	var last sql.NullString
	if err := tx.queryRow(ctx, "SELECT MAX(code) FROM grids WHERE parent = ?", g.Parent).Scan(&last); err != nil {
		return err
	}
	n := 1
	if last.Valid {
		fmt.Sscanf(last.String[len(last.String)-3:], "%d", &n)
		n++
	}
	if n > 999 {
		return cordon.Errorf(cordon.KindConflict, "grid.full", "a village has at most 999 grids")
	}
	g.Code = fmt.Sprintf("%s%03d", g.Parent, n)
	g.CreatedAt = tx.Now
	_, err := tx.exec(ctx, `INSERT INTO grids (
		code,
		name,
		parent,
		created_at,
		created_by
	) VALUES (?, ?, ?, ?, ?)`, g.Code, g.Name, g.Parent, ts(tx.Now), nullID(createdBy))
	return err
}

// Grid reads one grid.
func (tx *Tx) Grid(ctx context.Context, code string) (cordon.Grid, error) {
	var g cordon.Grid
	err := tx.queryRow(ctx, "SELECT code, name, parent, created_at FROM grids WHERE code = ?", code).
		Scan(&g.Code, &g.Name, &g.Parent, timeCol{&g.CreatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return g, notFound("grid")
	}
	return g, err
}

// Grids lists the grids inside the scope, by code.
func (tx *Tx) Grids(ctx context.Context, scope Scope) ([]cordon.Grid, error) {
	w, args := scope.where("code")
	rows, err := tx.query(ctx, "SELECT code, name, parent, created_at FROM grids WHERE "+w+" ORDER BY code LIMIT 5000", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cordon.Grid
	for rows.Next() {
		var g cordon.Grid
		if err := rows.Scan(&g.Code, &g.Name, &g.Parent, timeCol{&g.CreatedAt}); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// RenameGrid changes a grid's name.
func (tx *Tx) RenameGrid(ctx context.Context, code, name string) error {
	res, err := tx.exec(ctx, "UPDATE grids SET name = ? WHERE code = ?", name, code)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("grid")
	}
	return nil
}

// GridNames names the grids among codes, in one lookup.
func (tx *Tx) GridNames(ctx context.Context, codes []string) (map[string]string, error) {
	out := make(map[string]string, len(codes))
	vals := make([]any, len(codes))
	for i, c := range codes {
		vals[i] = c
	}
	err := tx.queryIn(ctx, "SELECT code, name FROM grids WHERE code IN (%s)", nil, vals, func(rows *sql.Rows) error {
		var code, name string
		if err := rows.Scan(&code, &name); err != nil {
			return err
		}
		out[code] = name
		return nil
	})
	return out, err
}
