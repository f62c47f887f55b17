package web

import (
	"net/http"
	"strconv"
	"strings"

	"cordon"
)

// contactPage is one contact: who, where, the transfer clock and the
// expected control, the exposures (superseded ones as history), the
// secondary contacts of a close contact, and the forms that change it.
type contactPage struct {
	page
	Contact     contactRow
	Reason      string
	Edition     cordon.Policy // in force where the contact is, now
	Secondaries []contactRow
	Situations  []cordon.Situation
	Places      []cordon.Jurisdiction
	Households  []string
	// Orders are the control orders of the contact's person.
	Orders []cordon.ControlOrder
	// The forms, filled again after a failed post.
	Edit, State, Exposure, Person, Merge form
}

// contactForms are the forms of the contact page to show again after a
// failed post; nil shows a form afresh.
type contactForms struct {
	edit, state, exposure, person, merge *form
}

// SecondaryAllowed reports whether the page offers to add a secondary
// contact: an open close contact, under an edition that identifies them.
func (d contactPage) SecondaryAllowed() bool {
	c := d.Contact
	return c.Kind == cordon.CloseContact && c.Status.Open() && c.MergedInto == 0 && d.Edition.Contacts.Secondary
}

// TransferHours is the transfer clock's limit for the contact's kind.
func (d contactPage) TransferHours() int {
	if d.Contact.Kind == cordon.SecondaryContact {
		return d.Edition.Clocks.SecondaryTransferHours
	}
	return d.Edition.Clocks.ContactTransferHours
}

// contactID reads the {id} of a contact route.
func contactID(r *http.Request) (int64, bool) { return pathInt64(r, "id") }

func contactPath(id int64) string { return "/contacts/" + strconv.FormatInt(id, 10) }

func (s *server) contactShow(w http.ResponseWriter, r *http.Request) {
	id, ok := contactID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	s.showContact(w, r, http.StatusOK, id, contactForms{}, "")
}

// showContact renders the contact page with the forms of a failed post.
func (s *server) showContact(w http.ResponseWriter, r *http.Request, status int, id int64, forms contactForms, alert string) {
	v := s.visitOf(r)
	reason := r.URL.Query().Get("reason")
	c, err := s.app.Contact(r.Context(), v.actor, id, reason)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := contactPage{page: s.newPage(r, "contact.title", "contacts"), Contact: s.contactRow(r, c), Reason: reason, Situations: cordon.Situations}
	d.Alert = alert
	d.Contact.Sources = c.Exposures // every exposure, history included
	if d.Edition, err = s.app.Policy(r.Context(), c.Jurisdiction, s.opt.Now()); err != nil {
		s.fail(w, r, err)
		return
	}
	if c.Kind == cordon.CloseContact && c.MergedInto == 0 {
		sec, err := s.app.Contacts(r.Context(), v.actor, cordon.ContactFilter{SourceContact: c.ID, Limit: caseContactsShown})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, x := range sec {
			d.Secondaries = append(d.Secondaries, s.contactRow(r, x))
		}
	}
	if v.actor.Can(cordon.PermContactWrite) {
		d.Places = s.places(r)
	}
	if c.PersonID != 0 && v.actor.Can(cordon.PermOrderRead) {
		// A person living and staying outside the subtree has orders
		// this reader does not see.
		if d.Orders, err = s.app.PersonOrders(r.Context(), v.actor, c.PersonID, reason); err != nil && cordon.ErrorKind(err) != cordon.KindNotFound {
			s.fail(w, r, err)
			return
		}
	}
	pick := func(f *form, fresh form) form {
		if f != nil {
			return *f
		}
		return fresh
	}
	d.Edit = pick(forms.edit, form{Values: map[string]string{"name": c.Name, "id_number": c.IDNumber, "phone": c.Phone,
		"jurisdiction": c.Jurisdiction, "household": c.Household, "note": c.Note, "version": strconv.Itoa(c.Version)}})
	d.State = pick(forms.state, form{Values: map[string]string{}})
	d.Exposure = pick(forms.exposure, form{Values: map[string]string{}})
	d.Person = pick(forms.person, form{Values: map[string]string{}})
	d.Merge = pick(forms.merge, form{Values: map[string]string{}})
	s.render(w, r, status, "contact", d)
}

// recordNumber reads a record number typed as "12" or "#12"; blank is 0.
func recordNumber(f *form, name, code string) (int64, bool) {
	v := strings.TrimPrefix(strings.TrimSpace(f.Get(name)), "#")
	if v == "" {
		return 0, true
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		f.fail(name, code)
		return 0, false
	}
	return n, true
}

// exposureFrom reads the exposure fields of a form; ok is false when a
// field could not be read (and is marked).
func exposureFrom(f *form) (cordon.ExposureInput, bool) {
	in := cordon.ExposureInput{Situation: cordon.Situation(f.Get("situation")), Note: f.Get("exposure_note")}
	first, ok1 := timeField(f, "first_exposure")
	last, ok2 := timeField(f, "last_exposure")
	in.FirstAt, in.LastAt = first, last
	return in, ok1 && ok2
}

// afterAdd is where an addition goes: the contact, with a notice that
// says whether the exposure was warned about.
func (s *server) afterAdd(w http.ResponseWriter, r *http.Request, res cordon.ContactResult, what string) {
	if len(res.Warnings) > 0 {
		what += "_warned"
	}
	s.done(w, r, contactPath(res.ID), what)
}

// contactPost runs a change of the contact page: a failure that belongs on
// the form shows the page again with that form marked.
func (s *server) contactPost(w http.ResponseWriter, r *http.Request, id int64, err error, f *form, forms contactForms) bool {
	if err == nil {
		return true
	}
	status, alert, ok := formFailure(err, f)
	if !ok {
		s.fail(w, r, err)
		return false
	}
	if status == http.StatusNotFound {
		// A record typed into the form is missing, not the page's.
		status = http.StatusUnprocessableEntity
	}
	s.showContact(w, r, status, id, forms, alert)
	return false
}

// contactUpdate saves the edit form.
func (s *server) contactUpdate(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	id, ok := contactID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	f := formFrom(r, "name", "id_number", "phone", "jurisdiction", "household", "note", "version")
	version, _ := strconv.Atoi(f.Get("version"))
	_, err := s.app.UpdateContact(r.Context(), v.actor, id, cordon.ContactUpdate{Name: f.Get("name"), IDNumber: f.Get("id_number"), Phone: f.Get("phone"),
		Jurisdiction: f.Get("jurisdiction"), Household: f.Get("household"), Note: f.Get("note"), Version: version})
	if s.contactPost(w, r, id, err, &f, contactForms{edit: &f}) {
		s.done(w, r, contactPath(id), "contact.updated")
	}
}

// contactControl records the contact as put under control, or released.
func (s *server) contactState(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	id, ok := contactID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	f := formFrom(r, "step", "at")
	at, ok := timeField(&f, "at")
	if !ok {
		s.showContact(w, r, http.StatusUnprocessableEntity, id, contactForms{state: &f}, "error.form.date_invalid")
		return
	}
	var err error
	step := f.Get("step")
	switch step {
	case "control":
		_, err = s.app.ControlContact(r.Context(), v.actor, id, at)
	case "release":
		_, err = s.app.ReleaseContact(r.Context(), v.actor, id, at)
	default:
		s.notFound(w, r)
		return
	}
	if s.contactPost(w, r, id, err, &f, contactForms{state: &f}) {
		s.done(w, r, contactPath(id), "contact."+step)
	}
}

// contactExposure adds a close exposure to another case.
func (s *server) contactExposure(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	id, ok := contactID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	f := formFrom(r, "source_case_id", "situation", "first_exposure", "last_exposure", "exposure_note")
	in, ok := exposureFrom(&f)
	source, ok2 := recordNumber(&f, "source_case_id", "case.not_found")
	if !ok || !ok2 {
		s.showContact(w, r, http.StatusUnprocessableEntity, id, contactForms{exposure: &f}, "form.fix_fields")
		return
	}
	in.SourceCase = source
	res, err := s.app.AddExposure(r.Context(), v.actor, id, in)
	if s.contactPost(w, r, id, err, &f, contactForms{exposure: &f}) {
		s.afterAdd(w, r, res, "contact.exposure_added")
	}
}

// contactSecondary adds a secondary contact of the page's close contact,
// from the page's short form or the full form; a refusal shows the full
// form with its fields marked.
func (s *server) contactSecondary(w http.ResponseWriter, r *http.Request) {
	id, ok := contactID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	s.createContact(w, r, contactSource{contact: id})
}

// contactPerson links the unmatched contact to a person chosen by hand.
func (s *server) contactPerson(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	id, ok := contactID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	f := formFrom(r, "person_id")
	pid, ok := recordNumber(&f, "person_id", "person.not_found")
	if !ok || pid == 0 {
		f.fail("person_id", "person.not_found")
		s.showContact(w, r, http.StatusUnprocessableEntity, id, contactForms{person: &f}, "error.person.not_found")
		return
	}
	_, err := s.app.LinkContactPerson(r.Context(), v.actor, id, pid)
	if s.contactPost(w, r, id, err, &f, contactForms{person: &f}) {
		s.done(w, r, contactPath(id), "contact.matched")
	}
}

// contactMerge merges the duplicate typed into the page's contact.
func (s *server) contactMerge(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	id, ok := contactID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	f := formFrom(r, "duplicate", "reason")
	drop, ok := recordNumber(&f, "duplicate", "contact.not_found")
	if !ok || drop == 0 {
		f.fail("duplicate", "contact.not_found")
		s.showContact(w, r, http.StatusUnprocessableEntity, id, contactForms{merge: &f}, "error.contact.not_found")
		return
	}
	_, err := s.app.MergeContacts(r.Context(), v.actor, id, drop, f.Get("reason"))
	if e := asError(err); e != nil && len(e.Fields) > 0 {
		// app names the duplicate "drop"; the form calls it duplicate.
		if code, ok := e.Fields["drop"]; ok {
			delete(e.Fields, "drop")
			e.Fields["duplicate"] = code
		}
	} else if e != nil && (e.Kind == cordon.KindConflict || e.Kind == cordon.KindInvalid) {
		e.Fields = map[string]string{"duplicate": e.Code}
	}
	if s.contactPost(w, r, id, err, &f, contactForms{merge: &f}) {
		s.done(w, r, contactPath(id), "contact.merged")
	}
}
