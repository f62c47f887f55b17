package api

import (
	"net/http"
	"strconv"

	"cordon"
)

func (s *Server) getJurisdiction(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	j, err := s.app.Jurisdiction(r.Context(), actor, r.PathValue("code"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, j)
}

func (s *Server) jurisdictionChildren(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	js, err := s.app.Children(r.Context(), actor, r.PathValue("code"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, Page[cordon.Jurisdiction]{Items: nonNil(js)})
}

func (s *Server) jurisdictionAncestors(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	js, err := s.app.Ancestors(r.Context(), actor, r.PathValue("code"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, Page[cordon.Jurisdiction]{Items: nonNil(js)})
}

func (s *Server) searchJurisdictions(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	js, err := s.app.SearchJurisdictions(r.Context(), actor, q.Get("q"), q.Get("within"), limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, Page[cordon.Jurisdiction]{Items: nonNil(js)})
}

// GridInput creates a grid.
type GridInput struct {
	Parent string `json:"parent"`
	Name   string `json:"name"`
}

// GridRename renames a grid.
type GridRename struct {
	Name string `json:"name"`
}

func (s *Server) listGrids(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	gs, err := s.app.Grids(r.Context(), actor, r.URL.Query().Get("within"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, Page[cordon.Grid]{Items: nonNil(gs)})
}

func (s *Server) createGrid(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in GridInput
	if err := decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	g, err := s.app.CreateGrid(r.Context(), actor, in.Parent, in.Name)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, g)
}

func (s *Server) renameGrid(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in GridRename
	if err := decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.done(w, r, s.app.RenameGrid(r.Context(), actor, r.PathValue("code"), in.Name))
}
