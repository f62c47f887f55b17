package web

import (
	"net/http"
	"strings"

	"cordon"
)

// capacityPage sizes sampling for an area by the 2022 guide and compares
// the plan with the points, tables and staff registered there.
type capacityPage struct {
	page
	Form   form
	Place  string
	Places []cordon.Jurisdiction
	Check  *cordon.CapacityCheck
}

// pointCapacity plans once the form is sent; a blank population means the
// register's count for the area.
func (s *server) pointCapacity(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	q := r.URL.Query()
	d := capacityPage{page: s.newPage(r, "capacity.title", "points"), Places: s.places(r), Form: form{Values: map[string]string{
		"jurisdiction":   strings.TrimSpace(q.Get("jurisdiction")),
		"population":     strings.TrimSpace(q.Get("population")),
		"deadline_hours": strings.TrimSpace(q.Get("deadline_hours")),
	}}}
	if !q.Has("jurisdiction") {
		d.Form.Values["jurisdiction"] = v.actor.Jurisdiction
		d.Form.Values["deadline_hours"] = "24"
		s.render(w, r, http.StatusOK, "capacity", d)
		return
	}
	pop, ok1 := intField(&d.Form, "population")
	hours, ok2 := intField(&d.Form, "deadline_hours")
	if !ok1 || !ok2 {
		d.Alert = "form.fix_fields"
		s.render(w, r, http.StatusUnprocessableEntity, "capacity", d)
		return
	}
	area := d.Form.Get("jurisdiction")
	c, err := s.app.Capacity(r.Context(), v.actor, area, pop, hours)
	if err != nil {
		status, alert, ok := formFailure(err, &d.Form)
		if !ok {
			if cordon.ErrorKind(err) != cordon.KindForbidden {
				s.fail(w, r, err)
				return
			}
			status, alert = http.StatusForbidden, errorKey(err)
			d.Form.fail("jurisdiction", cordon.ErrorCode(err))
		}
		d.Alert = alert
		s.render(w, r, status, "capacity", d)
		return
	}
	d.Check = &c
	d.Place = s.app.PathName(r.Context(), c.Jurisdiction)
	s.render(w, r, http.StatusOK, "capacity", d)
}
