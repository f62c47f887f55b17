package web

import (
	"fmt"
	"net/http"
	"strconv"

	"cordon"
	"cordon/internal/app"
)

// orderPage is one control order: whom, why, its phases, its test days
// with their samples, where its release stands, and the release forms.
type orderPage struct {
	page
	Order  app.OrderView
	Place  string
	Reason string
	// The forms, filled again after a failed post.
	Release, Early form
}

// Active reports whether the order can still be released.
func (d orderPage) Active() bool { return d.Order.Status == cordon.OrderActive }

func orderPath(id int64) string { return "/orders/" + strconv.FormatInt(id, 10) }

func (s *server) orderShow(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt64(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	s.showOrder(w, r, http.StatusOK, id, nil, nil, "")
}

// showOrder renders the order page with the forms of a failed post.
func (s *server) showOrder(w http.ResponseWriter, r *http.Request, status int, id int64, release, early *form, alert string) {
	v := s.visitOf(r)
	reason := r.URL.Query().Get("reason")
	o, err := s.app.Order(r.Context(), v.actor, id, reason)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := orderPage{page: s.newPage(r, "order.title", "orders"), Order: o, Reason: reason, Place: s.app.PathName(r.Context(), o.Jurisdiction),
		Release: form{Values: map[string]string{"version": strconv.Itoa(o.Version)}}, Early: form{Values: map[string]string{"version": strconv.Itoa(o.Version)}}}
	if release != nil {
		d.Release = *release
	}
	if early != nil {
		d.Early = *early
	}
	d.Alert = alert
	s.render(w, r, status, "order", d)
}

// orderRelease releases the order: on its conditions, or early with a
// reason (the form's "early" field says which).
func (s *server) orderRelease(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	id, ok := pathInt64(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	f := formFrom(r, "reason", "version", "early")
	version, _ := strconv.Atoi(f.Get("version"))
	early := f.Get("early") != ""
	_, err := s.app.ReleaseOrder(r.Context(), v.actor, id, app.ReleaseInput{Early: early, Reason: f.Get("reason"), Version: version})
	if err != nil {
		status, alert, ok := formFailure(err, &f)
		if !ok {
			s.fail(w, r, err)
			return
		}
		if early {
			s.showOrder(w, r, status, id, nil, &f, alert)
		} else {
			s.showOrder(w, r, status, id, &f, nil, alert)
		}
		return
	}
	s.done(w, r, orderPath(id), "order.released")
}

// orderFormPage makes an order by hand for a person: the edition's plan
// for a population from the last exposure (phases of one's own go
// through the API).
type orderFormPage struct {
	page
	Form        form
	Populations []string
}

func (s *server) orderNew(w http.ResponseWriter, r *http.Request) {
	f := form{Values: map[string]string{"person_id": r.URL.Query().Get("person"), "population": cordon.PopulationCloseContact}}
	s.render(w, r, http.StatusOK, "order_form", orderFormPage{page: s.newPage(r, "order.new_title", "orders"), Form: f, Populations: cordon.Populations})
}

// orderCreate makes the order of the form; a refusal shows the form again
// with its fields marked.
func (s *server) orderCreate(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	f := formFrom(r, "person_id", "population", "last_exposure", "note")
	pid, okID := recordNumber(&f, "person_id", "person.not_found")
	last, okAt := timeField(&f, "last_exposure")
	again := func(status int, alert string) {
		d := orderFormPage{page: s.newPage(r, "order.new_title", "orders"), Form: f, Populations: cordon.Populations}
		d.Alert = alert
		s.render(w, r, status, "order_form", d)
	}
	if !okID || !okAt {
		again(http.StatusUnprocessableEntity, "form.fix_fields")
		return
	}
	o, err := s.app.CreateOrder(r.Context(), v.actor, cordon.OrderInput{PersonID: pid, Population: f.Get("population"), LastExposure: last, Note: f.Get("note")})
	if err != nil {
		status, alert, ok := formFailure(err, &f)
		if !ok {
			s.fail(w, r, err)
			return
		}
		again(status, alert)
		return
	}
	s.done(w, r, orderPath(o.ID), "order.created")
}

// orderDocument answers the order's printable notice as a PDF.
func (s *server) orderDocument(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	id, ok := pathInt64(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	data, err := s.app.OrderDocument(r.Context(), v.actor, id, "")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", fmt.Sprintf(`inline; filename="order-%d.pdf"`, id))
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write(data)
}
