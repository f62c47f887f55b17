package web

import (
	"net/http"
	"strconv"
	"strings"

	"cordon"
)

// caseFormPage opens a case by hand for a registered person.
type caseFormPage struct {
	page
	Person cordon.Person
	Edit   caseFields
	Places []cordon.Jurisdiction
}

// caseNew shows the form that opens a case for the person in ?person=.
func (s *server) caseNew(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	if !v.actor.Can(cordon.PermCaseWrite) {
		s.fail(w, r, cordon.ErrForbidden)
		return
	}
	pid, err := strconv.ParseInt(r.URL.Query().Get("person"), 10, 64)
	if err != nil || pid <= 0 {
		s.notFound(w, r)
		return
	}
	f := form{Values: map[string]string{"person_id": strconv.FormatInt(pid, 10), "origin": string(cordon.Local)}}
	s.showCaseForm(w, r, http.StatusOK, pid, f, "")
}

func (s *server) showCaseForm(w http.ResponseWriter, r *http.Request, status int, personID int64, f form, alert string) {
	v := s.visitOf(r)
	p, err := s.app.Person(r.Context(), v.actor, personID, "")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := caseFormPage{page: s.newPage(r, "case.new_title", "cases"), Person: p, Edit: newCaseFields(f), Places: s.places(r)}
	d.Alert = alert
	s.render(w, r, status, "case_form", d)
}

// caseOpen opens a case. From the positives list it is one click: the
// positive and a classification; a positive that has its case already
// leads to that case. From the person form it is the clinical fields for a
// registered person, shown again with their errors when app refuses them.
func (s *server) caseOpen(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	f := formFrom(r, append(caseFieldNames, "positive_id", "person_id", "jurisdiction")...)
	if f.Get("positive_id") != "" {
		pid, err := strconv.ParseInt(f.Get("positive_id"), 10, 64)
		if err != nil || pid <= 0 {
			s.errorPage(w, r, http.StatusNotFound, "error.positive.not_found")
			return
		}
		c, err := s.app.OpenCase(r.Context(), v.actor, cordon.CaseInput{PositiveID: pid, Classification: cordon.Classification(f.Get("classification"))})
		if id, ok := existingCase(err); ok {
			s.done(w, r, "/cases/"+strconv.FormatInt(id, 10), "case.exists")
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.done(w, r, "/cases/"+strconv.FormatInt(c.ID, 10), "case.opened")
		return
	}
	pid, err := strconv.ParseInt(f.Get("person_id"), 10, 64)
	if err != nil || pid <= 0 {
		s.errorPage(w, r, http.StatusNotFound, "error.person.not_found")
		return
	}
	in := caseInputFrom(f)
	in.Outcome = ""
	in.PersonID, in.Jurisdiction = pid, strings.TrimSpace(f.Get("jurisdiction"))
	c, err := s.app.OpenCase(r.Context(), v.actor, in)
	if err != nil {
		status, alert, ok := formFailure(err, &f)
		if !ok {
			s.fail(w, r, err)
			return
		}
		s.showCaseForm(w, r, status, pid, f, alert)
		return
	}
	s.done(w, r, "/cases/"+strconv.FormatInt(c.ID, 10), "case.opened")
}

// existingCase is the case a refused opening names as already open.
func existingCase(err error) (int64, bool) {
	e := asError(err)
	if e == nil || e.Code != "case.exists" {
		return 0, false
	}
	id, ok := e.Extra["id"].(int64)
	return id, ok && id > 0
}
