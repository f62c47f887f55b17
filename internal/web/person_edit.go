package web

import (
	"fmt"
	"net/http"
	"strconv"

	"cordon"
)

// personEdit shows the person form filled with the record. A role that
// reads masked values gets them masked in the form; sent back unchanged,
// app keeps the stored values.
func (s *server) personEdit(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	id, ok := personID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	if !v.actor.Can(cordon.PermPersonWrite) {
		s.fail(w, r, cordon.ErrForbidden)
		return
	}
	p, err := s.app.Person(r.Context(), v.actor, id, "edit")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := form{Values: map[string]string{
		"name":      p.Name,
		"doc_type":  string(p.DocType),
		"residence": p.Residence,
		"current":   p.Current,
		"address":   p.Address,
		"version":   strconv.Itoa(p.Version),
		"id_number": p.IDNumber,
		"phone":     p.Phone,
	}}
	d := s.personFormPage(r, "person.edit_title", f)
	d.Person = p
	s.render(w, r, http.StatusOK, "person_form", d)
}

// personUpdate saves the edited person; the version field makes a change
// made meanwhile a conflict instead of a silent overwrite.
func (s *server) personUpdate(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	id, ok := personID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	f := formFrom(r, personFields...)
	if _, err := s.app.UpdatePerson(r.Context(), v.actor, id, personInputFrom(f)); err != nil {
		d := s.personFormPage(r, "person.edit_title", f)
		d.Person = cordon.Person{ID: id, Masked: r.PostFormValue("masked") == "true"}
		s.personFormFailed(w, r, d, err)
		return
	}
	s.done(w, r, fmt.Sprintf("/persons/%d", id), "person.updated")
}
