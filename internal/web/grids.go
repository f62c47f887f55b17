package web

import (
	"net/http"
	"net/url"

	"cordon"
)

// gridListPage lists the grids in a subtree, with forms to create and
// rename grids for roles that manage them.
type gridListPage struct {
	page
	Within cordon.Jurisdiction
	Grids  []gridRow
	Create form
	// Rename is the rename form that failed, with the code of its grid.
	Rename     form
	RenameCode string
}

type gridRow struct {
	cordon.Grid
	Village string // the full name of the village or community above it
}

func (s *server) gridList(w http.ResponseWriter, r *http.Request) {
	s.showGrids(w, r, http.StatusOK, r.URL.Query().Get("within"), func(*gridListPage) {})
}

// showGrids renders the grid list inside within (the account's own
// jurisdiction when empty); edit adjusts the page before rendering.
func (s *server) showGrids(w http.ResponseWriter, r *http.Request, status int, within string, edit func(*gridListPage)) {
	v := s.visitOf(r)
	ctx := r.Context()
	if within == "" {
		within = v.actor.Jurisdiction
	}
	d := gridListPage{page: s.newPage(r, "grids.title", "grids"), Create: form{Values: map[string]string{}}}
	var err error
	if d.Within, err = s.app.Jurisdiction(ctx, v.actor, within); err != nil {
		s.fail(w, r, err)
		return
	}
	grids, err := s.app.Grids(ctx, v.actor, within)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	villages := map[string]string{}
	for _, g := range grids {
		name, ok := villages[g.Parent]
		if !ok {
			name = s.app.PathName(ctx, g.Parent)
			villages[g.Parent] = name
		}
		d.Grids = append(d.Grids, gridRow{Grid: g, Village: name})
	}
	if lvl, _ := cordon.LevelOf(within); lvl == cordon.LevelVillage {
		d.Create.Values["parent"] = within
	}
	edit(&d)
	s.render(w, r, status, "grids", d)
}

// gridCreate adds a grid under a village or community.
func (s *server) gridCreate(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	f := formFrom(r, "parent", "name")
	g, err := s.app.CreateGrid(r.Context(), v.actor, f.Get("parent"), f.Get("name"))
	if err != nil {
		status, alert, ok := formFailure(err, &f)
		if !ok {
			s.fail(w, r, err)
			return
		}
		s.showGrids(w, r, status, r.PostFormValue("within"), func(d *gridListPage) { d.Create, d.Alert = f, alert })
		return
	}
	s.done(w, r, "/grids?within="+url.QueryEscape(g.Parent), "grid.created")
}

// gridRename renames a grid.
func (s *server) gridRename(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	code := r.PathValue("code")
	f := formFrom(r, "name")
	if err := s.app.RenameGrid(r.Context(), v.actor, code, f.Get("name")); err != nil {
		status, alert, ok := formFailure(err, &f)
		if !ok {
			s.fail(w, r, err)
			return
		}
		s.showGrids(w, r, status, r.PostFormValue("within"), func(d *gridListPage) {
			d.Rename, d.RenameCode, d.Alert = f, code, alert
		})
		return
	}
	s.done(w, r, "/grids?within="+url.QueryEscape(r.PostFormValue("within")), "grid.renamed")
}
