package web

import (
	"fmt"
	"net/http"
	"strconv"

	"cordon"
)

// personFormPage is the form that creates or edits a person.
type personFormPage struct {
	page
	Form     form
	DocTypes []cordon.DocType
	Places   []cordon.Jurisdiction // the account's jurisdiction and its children, as suggestions
	// Person is the record being edited; zero when creating.
	Person cordon.Person
	// Existing is the id of the person who holds the typed document number
	// already, after a duplicate.
	Existing string
}

// personFields are the inputs of the person form.
var personFields = []string{"name", "doc_type", "id_number", "phone", "residence", "current", "address", "version"}

func personInputFrom(f form) cordon.PersonInput {
	version, _ := strconv.Atoi(f.Get("version"))
	return cordon.PersonInput{
		Name:      f.Get("name"),
		DocType:   cordon.DocType(f.Get("doc_type")),
		IDNumber:  f.Get("id_number"),
		Phone:     f.Get("phone"),
		Residence: f.Get("residence"),
		Current:   f.Get("current"),
		Address:   f.Get("address"),
		Version:   version,
	}
}

func (s *server) personFormPage(r *http.Request, title string, f form) personFormPage {
	v := s.visitOf(r)
	d := personFormPage{page: s.newPage(r, title, "persons"), Form: f, DocTypes: cordon.DocTypes}
	if children, err := s.app.Children(r.Context(), v.actor, v.actor.Jurisdiction); err == nil {
		if self, err := s.app.Jurisdiction(r.Context(), v.actor, v.actor.Jurisdiction); err == nil {
			d.Places = append([]cordon.Jurisdiction{self}, children...)
		}
	}
	return d
}

func (s *server) personNew(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	if !v.actor.Can(cordon.PermPersonWrite) {
		s.fail(w, r, cordon.ErrForbidden)
		return
	}
	f := form{Values: map[string]string{"doc_type": string(cordon.DocCitizenID), "residence": v.actor.Jurisdiction}}
	s.render(w, r, http.StatusOK, "person_form", s.personFormPage(r, "person.new_title", f))
}

// personCreate registers a person and shows the new record; a rejected form
// comes back with each field at fault marked.
func (s *server) personCreate(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	f := formFrom(r, personFields...)
	p, err := s.app.CreatePerson(r.Context(), v.actor, personInputFrom(f))
	if err != nil {
		s.personFormFailed(w, r, s.personFormPage(r, "person.new_title", f), err)
		return
	}
	s.done(w, r, fmt.Sprintf("/persons/%d", p.ID), "person.created")
}

// personFormFailed shows the person form again with app's verdict, or the
// error page when the error is not about the form.
func (s *server) personFormFailed(w http.ResponseWriter, r *http.Request, d personFormPage, err error) {
	status, alert, ok := formFailure(err, &d.Form)
	if !ok {
		s.fail(w, r, err)
		return
	}
	d.Alert = alert
	if e := asError(err); e.Code == "person.duplicate" {
		if id, ok := e.Extra["id"]; ok {
			d.Existing = fmt.Sprint(id)
		}
	}
	s.render(w, r, status, "person_form", d)
}
