package app

import (
	"context"
	"strings"
	"unicode/utf8"

	"cordon"
	"cordon/internal/store"
)

// Jurisdiction returns a node of the tree (a GB/T 2260 division or a grid).
// Any signed-in account may read the tree: it holds no personal data.
func (a *App) Jurisdiction(ctx context.Context, actor cordon.Actor, code string) (cordon.Jurisdiction, error) {
	if err := authorize(actor, cordon.PermJurisdictionRead); err != nil {
		return cordon.Jurisdiction{}, err
	}
	var j cordon.Jurisdiction
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		j, err = a.jurisdiction(ctx, tx, code)
		return err
	})
	return j, err
}

func (a *App) jurisdiction(ctx context.Context, tx *store.Tx, code string) (cordon.Jurisdiction, error) {
	if j, ok := a.dir.Lookup(code); ok {
		return j, nil
	}
	if lvl, ok := cordon.LevelOf(code); ok && lvl == cordon.LevelGrid {
		g, err := tx.Grid(ctx, code)
		if err == nil {
			return cordon.Jurisdiction{Code: g.Code, Name: g.Name, Level: cordon.LevelGrid, Parent: g.Parent}, nil
		}
		if cordon.ErrorKind(err) != cordon.KindNotFound {
			return cordon.Jurisdiction{}, err
		}
	}
	return cordon.Jurisdiction{}, unknownJurisdiction(code)
}

func unknownJurisdiction(code string) error {
	return cordon.Errorf(cordon.KindNotFound, "jurisdiction.unknown", "no jurisdiction with code %q", code)
}

// Children lists the nodes directly below code: divisions, or the grids of
// a village or community.
func (a *App) Children(ctx context.Context, actor cordon.Actor, code string) ([]cordon.Jurisdiction, error) {
	if err := authorize(actor, cordon.PermJurisdictionRead); err != nil {
		return nil, err
	}
	var out []cordon.Jurisdiction
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		j, err := a.jurisdiction(ctx, tx, code)
		if err != nil {
			return err
		}
		if j.Level != cordon.LevelVillage {
			out = a.dir.Children(code)
			return nil
		}
		grids, err := tx.Grids(ctx, store.Inside(code))
		for _, g := range grids {
			out = append(out, cordon.Jurisdiction{Code: g.Code, Name: g.Name, Level: cordon.LevelGrid, Parent: g.Parent})
		}
		return err
	})
	return out, err
}

// Ancestors lists the nodes above code, top first.
func (a *App) Ancestors(ctx context.Context, actor cordon.Actor, code string) ([]cordon.Jurisdiction, error) {
	if _, err := a.Jurisdiction(ctx, actor, code); err != nil {
		return nil, err
	}
	return a.dir.Ancestors(code), nil
}

// SearchJurisdictions finds divisions by name or code inside within, or in
// all of China when within is empty: the tree holds no personal data, and a
// place of residence or travel may lie anywhere.
func (a *App) SearchJurisdictions(ctx context.Context, actor cordon.Actor, query, within string, limit int) ([]cordon.Jurisdiction, error) {
	if err := authorize(actor, cordon.PermJurisdictionRead); err != nil {
		return nil, err
	}
	query = strings.TrimSpace(query)
	if query == "" || utf8.RuneCountInString(query) > 32 {
		return nil, cordon.Errorf(cordon.KindInvalid, "jurisdiction.query_invalid", "give 1 to 32 characters to search for").WithField("q", "jurisdiction.query_invalid")
	}
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	return a.dir.Search(query, within, limit), nil
}

// pathNamer is PathName remembered per code, for exports that name the
// same places many times.
func (a *App) pathNamer(ctx context.Context) func(string) string {
	memo := map[string]string{}
	return func(code string) string {
		if p, ok := memo[code]; ok {
			return p
		}
		p := a.PathName(ctx, code)
		memo[code] = p
		return p
	}
}

// PathName is the full display name of a node, e.g. 广西壮族自治区百色市德保县都安乡.
func (a *App) PathName(ctx context.Context, code string) string {
	if p := a.dir.Path(code); p != "" {
		return p
	}
	if lvl, ok := cordon.LevelOf(code); ok && lvl == cordon.LevelGrid {
		var name string
		_ = a.db.Read(ctx, func(tx *store.Tx) error {
			g, err := tx.Grid(ctx, code)
			name = a.dir.Path(code[:12]) + g.Name
			return err
		})
		return name
	}
	return code
}

// CreateGrid adds a grid under a village or community inside the actor's
// subtree.
func (a *App) CreateGrid(ctx context.Context, actor cordon.Actor, parent, name string) (cordon.Grid, error) {
	if err := authorize(actor, cordon.PermGridManage); err != nil {
		return cordon.Grid{}, err
	}
	g := cordon.Grid{Parent: strings.TrimSpace(parent), Name: strings.TrimSpace(name)}
	var v cordon.Invalid
	v.Code = "grid.invalid"
	if n := utf8.RuneCountInString(g.Name); n == 0 || n > 64 || strings.ContainsAny(g.Name, "<>\"'&\x00") {
		v.Add("name", "grid.name_invalid")
	}
	j, ok := a.dir.Lookup(g.Parent)
	if !ok || j.Level != cordon.LevelVillage {
		v.Add("parent", "grid.parent_not_village")
	}
	if err := v.Err(); err != nil {
		return g, err
	}
	if !actor.Sees(g.Parent) {
		return g, cordon.ErrForbidden
	}
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CreateGrid(ctx, &g, actor.AccountID); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "grid.create", "grid:"+g.Code, "", g.Name)
	})
	return g, err
}

// RenameGrid renames a grid inside the actor's subtree.
func (a *App) RenameGrid(ctx context.Context, actor cordon.Actor, code, name string) error {
	if err := authorize(actor, cordon.PermGridManage); err != nil {
		return err
	}
	name = strings.TrimSpace(name)
	if n := utf8.RuneCountInString(name); n == 0 || n > 64 || strings.ContainsAny(name, "<>\"'&\x00") {
		return cordon.Errorf(cordon.KindInvalid, "grid.name_invalid", "a grid name has 1 to 64 characters").WithField("name", "grid.name_invalid")
	}
	if !actor.Sees(code) {
		return cordon.ErrForbidden
	}
	return a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.RenameGrid(ctx, code, name); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "grid.rename", "grid:"+code, "", name)
	})
}

// Grids lists the grids inside within (which must lie in the actor's subtree).
func (a *App) Grids(ctx context.Context, actor cordon.Actor, within string) ([]cordon.Grid, error) {
	if err := authorize(actor, cordon.PermJurisdictionRead); err != nil {
		return nil, err
	}
	if within == "" {
		within = actor.Jurisdiction
	}
	if !actor.Sees(within) {
		return nil, cordon.ErrForbidden
	}
	var out []cordon.Grid
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Grids(ctx, store.Inside(within))
		return err
	})
	return out, err
}

// exists reports whether a code names a node of the tree. Grids are never
// deleted, so a grid once seen is remembered and registrations in it need
// no query.
func (a *App) exists(ctx context.Context, tx *store.Tx, code string) bool {
	if _, ok := a.dir.Lookup(code); ok {
		return true
	}
	if _, ok := a.knownGrids.Load(code); ok {
		return true
	}
	j, err := a.jurisdiction(ctx, tx, code)
	if err == nil && j.Level == cordon.LevelGrid {
		a.knownGrids.Store(code, struct{}{})
	}
	return err == nil
}
