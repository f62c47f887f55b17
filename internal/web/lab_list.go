package web

import (
	"net/http"
	"strconv"
	"strings"

	"cordon"
)

// labListPage lists the labs of the account's subtree with their load, and
// registers a lab for roles that manage testing.
type labListPage struct {
	page
	Labs   []labRow
	Create form
	Places []cordon.Jurisdiction
}

type labRow struct {
	cordon.LabStatus
	Place string
}

func (s *server) labList(w http.ResponseWriter, r *http.Request) {
	s.showLabs(w, r, http.StatusOK, form{Values: map[string]string{"jurisdiction": s.visitOf(r).actor.Jurisdiction}})
}

func (s *server) showLabs(w http.ResponseWriter, r *http.Request, status int, create form) {
	v := s.visitOf(r)
	labs, err := s.app.Labs(r.Context(), v.actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := labListPage{page: s.newPage(r, "labs.title", "labs"), Create: create}
	if v.actor.Can(cordon.PermTestingManage) {
		d.Places = s.places(r)
	}
	for _, l := range labs {
		d.Labs = append(d.Labs, labRow{LabStatus: l, Place: s.placeName(l.Jurisdiction)})
	}
	if status >= 400 {
		d.Alert = "form.fix_fields"
		if len(create.Errors) == 1 {
			for _, code := range create.Errors {
				d.Alert = "error." + code
			}
		}
	}
	s.render(w, r, status, "labs", d)
}

// labCreate registers a lab with its daily capacity.
func (s *server) labCreate(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	f := formFrom(r, "name", "jurisdiction", "capacity_per_day")
	capacity, ok := intField(&f, "capacity_per_day")
	if !ok {
		s.showLabs(w, r, http.StatusUnprocessableEntity, f)
		return
	}
	l, err := s.app.CreateLab(r.Context(), v.actor, cordon.LabInput{Name: f.Get("name"), Jurisdiction: strings.TrimSpace(f.Get("jurisdiction")), Capacity: capacity})
	if err != nil {
		status, _, ok := formFailure(err, &f)
		if !ok {
			s.fail(w, r, err)
			return
		}
		s.showLabs(w, r, status, f)
		return
	}
	s.done(w, r, "/labs/"+strconv.FormatInt(l.ID, 10), "lab.created")
}

// labPage is one lab's load with the tubes past their turnaround clock.
type labPage struct {
	page
	Lab     cordon.LabStatus
	Place   string
	Overdue []cordon.Tube
}

func (s *server) labShow(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	id, ok := pathInt64(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	st, overdue, err := s.app.LabStatus(r.Context(), v.actor, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := labPage{page: s.newPage(r, "lab.title", "labs"), Lab: st, Place: s.app.PathName(r.Context(), st.Jurisdiction), Overdue: overdue}
	s.render(w, r, http.StatusOK, "lab", d)
}
