package web

import (
	"net/http"
	"strconv"

	"cordon"
)

// personPage is a person's detail page.
type personPage struct {
	page
	Person  cordon.Person
	History []cordon.AuditEntry
	Reason  string
	// Standing is the person's contact standing, for roles that read contacts.
	Standing *cordon.ContactStanding
	// Orders are the person's control orders, for roles that read them.
	Orders []cordon.ControlOrder
	// Merge is the merge form, for roles that may merge.
	Merge form
	// Code is the health-code section, for roles that read codes.
	Code *personCode
}

// personID reads the {id} of a person route; a malformed id is no person.
func personID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

// personShow reads one person, passing the reader's stated reason to app
// for the audit log, with the record's history.
func (s *server) personShow(w http.ResponseWriter, r *http.Request) {
	id, ok := personID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	s.showPerson(w, r, http.StatusOK, id, r.URL.Query().Get("reason"), form{}, "")
}

// showPerson renders the detail page, with a merge form to show again and
// the merge's error.
func (s *server) showPerson(w http.ResponseWriter, r *http.Request, status int, id int64, reason string, merge form, alert string) {
	v := s.visitOf(r)
	d := personPage{page: s.newPage(r, "person.title", "persons"), Reason: reason, Merge: merge}
	var err error
	if d.Person, err = s.app.Person(r.Context(), v.actor, id, reason); err != nil {
		s.fail(w, r, err)
		return
	}
	if d.History, err = s.app.PersonHistory(r.Context(), v.actor, id); err != nil {
		s.fail(w, r, err)
		return
	}
	if v.actor.Can(cordon.PermOrderRead) && d.Person.MergedInto == 0 {
		if d.Orders, err = s.app.PersonOrders(r.Context(), v.actor, id, reason); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if v.actor.Can(cordon.PermContactRead) && d.Person.MergedInto == 0 {
		st, err := s.app.PersonContactStanding(r.Context(), v.actor, id, reason)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if len(st.Records) > 0 {
			d.Standing = &st
		}
	}
	if d.Code, err = s.personCodeSection(r, d.Person, reason); err != nil {
		s.fail(w, r, err)
		return
	}
	d.Alert = alert
	s.render(w, r, status, "person", d)
}
