package web

import (
	"net/http"

	"cordon"
)

// jurisdictionPage shows one node of the tree: where it sits, what lies
// below it, and a search box.
type jurisdictionPage struct {
	page
	Jurisdiction cordon.Jurisdiction
	Path         string
	Ancestors    []cordon.Jurisdiction
	Children     []cordon.Jurisdiction
	// Inside reports whether the node lies in the account's subtree, where
	// its persons and grids may be listed.
	Inside bool
	Query  string
}

func (s *server) jurisdictionShow(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	ctx, code := r.Context(), r.PathValue("code")
	d := jurisdictionPage{page: s.newPage(r, "jurisdictions.title", "jurisdictions")}
	var err error
	if d.Jurisdiction, err = s.app.Jurisdiction(ctx, v.actor, code); err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Ancestors, err = s.app.Ancestors(ctx, v.actor, code); err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Children, err = s.app.Children(ctx, v.actor, code); err != nil {
		s.fail(w, r, err)
		return
	}
	d.Path = s.app.PathName(ctx, code)
	d.Inside = v.actor.Sees(code)
	s.render(w, r, http.StatusOK, "jurisdiction", d)
}
