package web

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"cordon"
)

// publicPointsPage is the public's list of open sampling points near a
// jurisdiction: no sign-in, no script needed. The division tree is public
// (GB/T 2260); the public sees no staff numbers or rounds of a point.
type publicPointsPage struct {
	page
	Query   string
	Results []cordon.Jurisdiction // divisions whose name or code matches Query
	Place   cordon.Jurisdiction   // the chosen division; zero before a choice
	Path    string
	Crumbs  []cordon.Jurisdiction // the divisions above Place, province first
	Choices []cordon.Jurisdiction // the divisions below Place (the provinces before a choice)
	Points  []publicPoint
}

type publicPoint struct {
	cordon.SamplingPoint
	Place   string
	OpenNow bool
}

// publicSearchLimit bounds the search results of the public page.
const publicSearchLimit = 20

func (s *server) publicPoints(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	dir := s.app.Directory()
	d := publicPointsPage{page: s.newPage(r, "public.points_title", "public"), Query: strings.TrimSpace(q.Get("q"))}
	status := http.StatusOK
	if d.Query != "" {
		if utf8.RuneCountInString(d.Query) > 32 {
			d.Alert, status = "error.jurisdiction.query_invalid", http.StatusUnprocessableEntity
		} else {
			d.Results = dir.Search(d.Query, "", publicSearchLimit)
		}
	}
	code := strings.TrimSpace(q.Get("jurisdiction"))
	if code == "" {
		d.Choices = dir.Children("")
		s.render(w, r, status, "public_points", d)
		return
	}
	j, ok := dir.Lookup(code)
	if !ok {
		d.Alert, d.Choices = "error.jurisdiction.unknown", dir.Children("")
		s.render(w, r, http.StatusNotFound, "public_points", d)
		return
	}
	d.Place, d.Path, d.Crumbs, d.Choices = j, dir.Path(code), dir.Ancestors(code), dir.Children(code)
	points, err := s.app.PublicPoints(r.Context(), code)
	if err != nil {
		var f form
		if status, d.Alert, ok = formFailure(err, &f); !ok {
			s.fail(w, r, err)
			return
		}
	}
	now := s.opt.Now()
	for _, p := range points {
		d.Points = append(d.Points, publicPoint{SamplingPoint: p, Place: dir.Path(p.Jurisdiction), OpenNow: p.OpenAt(now)})
	}
	s.render(w, r, status, "public_points", d)
}
