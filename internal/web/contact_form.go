package web

import (
	"net/http"
	"strconv"
	"strings"

	"cordon"
)

// contactFormPage adds a contact: a close contact of a case, or a
// secondary contact of a close contact. It asks who (a registered
// person's number, or a name with a phone or ID number), where, the
// household, and the exposure.
type contactFormPage struct {
	page
	Source     contactSource
	Form       form
	Situations []cordon.Situation
	Places     []cordon.Jurisdiction
	Households []string
}

// contactSource is what a new contact was exposed to: a case or a close
// contact.
type contactSource struct{ caseID, contact int64 }

// Case is the source case's number; 0 for a secondary contact.
func (c contactSource) Case() int64 { return c.caseID }

// Contact is the source contact's number; 0 for a close contact.
func (c contactSource) Contact() int64 { return c.contact }

// Action is where the form posts.
func (c contactSource) Action() string {
	if c.contact != 0 {
		return contactPath(c.contact) + "/secondary"
	}
	return "/cases/" + strconv.FormatInt(c.caseID, 10) + "/contacts"
}

// Back is the page the form was opened from.
func (c contactSource) Back() string {
	if c.contact != 0 {
		return contactPath(c.contact)
	}
	return "/cases/" + strconv.FormatInt(c.caseID, 10)
}

// contactFieldNames are the fields of the add-contact forms.
var contactFieldNames = []string{"person_id", "name", "id_number", "phone", "jurisdiction", "household", "note", "situation",
	"first_exposure", "last_exposure", "exposure_note"}

// contactInputFrom reads a contact and its exposure (without the source)
// from a form; ok is false when a field could not be read (and is marked).
func contactInputFrom(f *form) (cordon.ContactInput, bool) {
	pid, ok := recordNumber(f, "person_id", "person.not_found")
	in := cordon.ContactInput{ContactIdentity: cordon.ContactIdentity{PersonID: pid}, Jurisdiction: f.Get("jurisdiction"),
		Household: f.Get("household"), Note: f.Get("note")}
	if pid == 0 {
		in.Name, in.IDNumber, in.Phone = f.Get("name"), strings.TrimSpace(f.Get("id_number")), f.Get("phone")
	}
	x, ok2 := exposureFrom(f)
	in.Exposure = x
	return in, ok && ok2
}

// contactNew shows the full form for a close contact of the case in the
// path (?person= fills in a registered person).
func (s *server) contactNew(w http.ResponseWriter, r *http.Request) {
	id, ok := caseID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	s.newContactForm(w, r, contactSource{caseID: id})
}

// contactSecondaryNew shows the full form for a secondary contact of the
// close contact in the path.
func (s *server) contactSecondaryNew(w http.ResponseWriter, r *http.Request) {
	id, ok := contactID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	s.newContactForm(w, r, contactSource{contact: id})
}

func (s *server) newContactForm(w http.ResponseWriter, r *http.Request, src contactSource) {
	v := s.visitOf(r)
	if !v.actor.Can(cordon.PermContactWrite) {
		s.fail(w, r, cordon.ErrForbidden)
		return
	}
	q := r.URL.Query()
	f := form{Values: map[string]string{"situation": q.Get("situation"), "person_id": q.Get("person"), "household": q.Get("household")}}
	s.showContactForm(w, r, http.StatusOK, src, f, "")
}

func (s *server) showContactForm(w http.ResponseWriter, r *http.Request, status int, src contactSource, f form, alert string) {
	v := s.visitOf(r)
	d := contactFormPage{page: s.newPage(r, "contact.new_title", "contacts"), Source: src, Form: f, Situations: cordon.Situations, Places: s.places(r)}
	if src.contact != 0 {
		d.Title = "contact.new_secondary_title"
	}
	d.Alert = alert
	if src.caseID != 0 {
		var err error
		if d.Households, err = s.app.ContactHouseholds(r.Context(), v.actor, src.caseID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, status, "contact_form", d)
}

// contactCreate adds a close contact of the case in the path, from the
// case page's short form or the full form.
func (s *server) contactCreate(w http.ResponseWriter, r *http.Request) {
	id, ok := caseID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	s.createContact(w, r, contactSource{caseID: id})
}

// createContact adds a contact of the source from a posted form; a
// refusal shows the full form with its fields marked.
func (s *server) createContact(w http.ResponseWriter, r *http.Request, src contactSource) {
	v := s.visitOf(r)
	if !v.actor.Can(cordon.PermContactWrite) {
		s.fail(w, r, cordon.ErrForbidden)
		return
	}
	f := formFrom(r, contactFieldNames...)
	in, ok := contactInputFrom(&f)
	if !ok {
		s.showContactForm(w, r, http.StatusUnprocessableEntity, src, f, "form.fix_fields")
		return
	}
	in.Exposure.SourceCase, in.Exposure.SourceContact = src.caseID, src.contact
	res, err := s.app.AddContact(r.Context(), v.actor, in)
	if err != nil {
		status, alert, ok := formFailure(err, &f)
		if !ok {
			s.fail(w, r, err)
			return
		}
		if status == http.StatusNotFound {
			// A record typed into the form is missing.
			status = http.StatusUnprocessableEntity
		}
		if _, kind := f.Errors["kind"]; kind {
			// The edition identifies no secondary contacts: said once, at
			// the top.
			delete(f.Errors, "kind")
		}
		s.showContactForm(w, r, status, src, f, alert)
		return
	}
	s.afterAdd(w, r, res, "contact.added")
}
