package web

import (
	"net/http"
	"strconv"
	"strings"

	"cordon"
)

// pointListPage lists the sampling points inside an area of the account's
// subtree, with their hours, tables and waiting estimate.
type pointListPage struct {
	page
	Form   form
	Place  string
	Points []pointRow
	Next   string
}

type pointRow struct {
	cordon.SamplingPoint
	Place  string
	OpenAt bool
}

func (s *server) pointList(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	q := r.URL.Query()
	d := pointListPage{page: s.newPage(r, "points.title", "points"),
		Form: form{Values: map[string]string{"jurisdiction": strings.TrimSpace(q.Get("jurisdiction"))}}}
	area := d.Form.Get("jurisdiction")
	if area == "" {
		area = v.actor.Jurisdiction
	}
	after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
	points, err := s.app.Points(r.Context(), v.actor, area, cordon.PointFilter{After: after, Limit: pageSize})
	status := http.StatusOK
	if err != nil {
		var ok bool
		if status, d.Alert, ok = formFailure(err, &d.Form); !ok {
			if cordon.ErrorKind(err) != cordon.KindForbidden || d.Form.Get("jurisdiction") == "" {
				s.fail(w, r, err)
				return
			}
			// An area outside the subtree: say so on the filter.
			status, d.Alert = http.StatusForbidden, errorKey(err)
			d.Form.fail("jurisdiction", cordon.ErrorCode(err))
		}
	}
	d.Place = s.app.PathName(r.Context(), area)
	now := s.opt.Now()
	for _, p := range points {
		d.Points = append(d.Points, pointRow{SamplingPoint: p, Place: s.placeName(p.Jurisdiction), OpenAt: p.OpenAt(now)})
	}
	if len(points) == pageSize {
		d.Next = withQuery("/sampling-points", "jurisdiction", d.Form.Get("jurisdiction"), "after", strconv.FormatInt(points[pageSize-1].ID, 10))
	}
	s.render(w, r, status, "points", d)
}
