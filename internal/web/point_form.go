package web

import (
	"net/http"
	"strconv"
	"strings"

	"cordon"
)

// pointFormPage registers or edits a sampling point.
type pointFormPage struct {
	page
	Form   form
	Point  cordon.SamplingPoint // zero when creating
	Rounds []cordon.Round       // open rounds the point may serve
	Chosen map[int64]bool       // rounds ticked
	Places []cordon.Jurisdiction
}

var pointFields = []string{"name", "jurisdiction", "address", "opens", "closes", "all_day", "tables", "staff", "active"}

func (s *server) pointFormPage(r *http.Request, title string, f form, chosen map[int64]bool) pointFormPage {
	v := s.visitOf(r)
	d := pointFormPage{page: s.newPage(r, title, "points"), Form: f, Chosen: chosen, Places: s.places(r)}
	d.Rounds, _ = s.app.Rounds(r.Context(), v.actor, true, 0, 100)
	return d
}

// pointInputFrom reads the form; rounds come as repeated "round" values.
func pointInputFrom(r *http.Request, f *form) (cordon.SamplingPointInput, map[int64]bool) {
	in := cordon.SamplingPointInput{Name: f.Get("name"), Jurisdiction: strings.TrimSpace(f.Get("jurisdiction")), Address: f.Get("address"),
		Opens: f.Get("opens"), Closes: f.Get("closes"), AllDay: f.Get("all_day") != ""}
	in.Tables, _ = intField(f, "tables")
	in.Staff, _ = intField(f, "staff")
	active := f.Get("active") != ""
	in.Active = &active
	chosen := map[int64]bool{}
	for _, v := range r.PostForm["round"] {
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			in.Rounds = append(in.Rounds, id)
			chosen[id] = true
		}
	}
	return in, chosen
}

func (s *server) pointNew(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	if !v.actor.Can(cordon.PermTestingManage) {
		s.fail(w, r, cordon.ErrForbidden)
		return
	}
	f := form{Values: map[string]string{"jurisdiction": v.actor.Jurisdiction, "opens": "08:00", "closes": "20:00", "tables": "1", "staff": "2", "active": "on"}}
	s.render(w, r, http.StatusOK, "point_form", s.pointFormPage(r, "point.new_title", f, nil))
}

func (s *server) pointCreate(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	f := formFrom(r, pointFields...)
	in, chosen := pointInputFrom(r, &f)
	if len(f.Errors) > 0 {
		s.pointFormFailed(w, r, s.pointFormPage(r, "point.new_title", f, chosen), nil)
		return
	}
	if _, err := s.app.CreatePoint(r.Context(), v.actor, in); err != nil {
		s.pointFormFailed(w, r, s.pointFormPage(r, "point.new_title", f, chosen), err)
		return
	}
	s.done(w, r, withQuery("/sampling-points", "jurisdiction", in.Jurisdiction), "point.created")
}

func (s *server) pointEdit(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	id, ok := pathInt64(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	if !v.actor.Can(cordon.PermTestingManage) {
		s.fail(w, r, cordon.ErrForbidden)
		return
	}
	p, err := s.app.Point(r.Context(), v.actor, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := form{Values: map[string]string{"name": p.Name, "jurisdiction": p.Jurisdiction, "address": p.Address, "opens": p.Opens, "closes": p.Closes,
		"tables": strconv.Itoa(p.Tables), "staff": strconv.Itoa(p.Staff)}}
	if p.AllDay {
		f.Values["all_day"] = "on"
	}
	if p.Active {
		f.Values["active"] = "on"
	}
	chosen := map[int64]bool{}
	for _, rid := range p.Rounds {
		chosen[rid] = true
	}
	d := s.pointFormPage(r, "point.edit_title", f, chosen)
	d.Point = p
	s.render(w, r, http.StatusOK, "point_form", d)
}

func (s *server) pointUpdate(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	id, ok := pathInt64(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	f := formFrom(r, pointFields...)
	in, chosen := pointInputFrom(r, &f)
	d := s.pointFormPage(r, "point.edit_title", f, chosen)
	d.Point.ID = id
	if len(f.Errors) > 0 {
		s.pointFormFailed(w, r, d, nil)
		return
	}
	if _, err := s.app.UpdatePoint(r.Context(), v.actor, id, in); err != nil {
		s.pointFormFailed(w, r, d, err)
		return
	}
	s.done(w, r, withQuery("/sampling-points", "jurisdiction", in.Jurisdiction), "point.updated")
}

// pointFormFailed shows the form again with the fields at fault; err is
// nil when web itself could not read a field.
func (s *server) pointFormFailed(w http.ResponseWriter, r *http.Request, d pointFormPage, err error) {
	status, alert := http.StatusUnprocessableEntity, "form.fix_fields"
	if err != nil {
		var ok bool
		if status, alert, ok = formFailure(err, &d.Form); !ok {
			s.fail(w, r, err)
			return
		}
	}
	d.Alert = alert
	s.render(w, r, status, "point_form", d)
}

// pointHours shows the hours of a point that is not open around the clock,
// such as "08:00–20:00"; the template adds the next-day mark when it
// closes past midnight.
func pointHours(p cordon.SamplingPoint) string {
	if p.AllDay {
		return ""
	}
	return p.Opens + "–" + p.Closes
}
