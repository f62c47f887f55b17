package web

import (
	"net/http"
	"strings"

	"cordon"
)

// siteListPage is the commanders' occupancy overview: the totals of each
// county and every site with its capacity, occupied and free beds.
type siteListPage struct {
	page
	Form   form
	Report *cordon.OccupancyReport
	Place  string
}

func (s *server) siteList(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	within := strings.TrimSpace(r.URL.Query().Get("jurisdiction"))
	d := siteListPage{page: s.newPage(r, "sites.title", "sites"), Form: form{Values: map[string]string{"jurisdiction": within}}}
	rep, err := s.app.Occupancy(r.Context(), v.actor, within)
	if err != nil {
		status, alert, ok := formFailure(err, &d.Form)
		if !ok {
			s.fail(w, r, err)
			return
		}
		d.Alert = alert
		s.render(w, r, status, "sites", d)
		return
	}
	d.Report, d.Place = &rep, s.app.PathName(r.Context(), rep.Within)
	s.render(w, r, http.StatusOK, "sites", d)
}
