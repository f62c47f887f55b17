package web

import (
	"net/http"
	"strconv"
	"strings"

	"cordon"
)

// linkForm is the case page's form that records which case infected this
// one, with what the refusal of a link that would close a cycle names:
// the chain already recorded, from this case down to the infector typed.
type linkForm struct {
	Form        form
	Confidences []cordon.Confidence
	Cycle       []int64
}

// caseLink records the case typed on the case page as an infector of the
// case. A refused link comes back on the form, a cycle with the recorded
// chain it would close.
func (s *server) caseLink(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	id, ok := caseID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	if !v.actor.Can(cordon.PermCaseWrite) {
		s.fail(w, r, cordon.ErrForbidden)
		return
	}
	lf := linkForm{Form: formFrom(r, "from", "evidence", "confidence")}
	// "#12", as the pages write case numbers, is case 12.
	from, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(lf.Form.Get("from")), "#"), 10, 64)
	if err != nil || from <= 0 {
		lf.Form.fail("from", "chain.infector_invalid")
		s.showCase(w, r, http.StatusUnprocessableEntity, id, caseForms{link: &lf}, "error.chain.infector_invalid")
		return
	}
	err = s.app.LinkCases(r.Context(), v.actor, cordon.Link{From: from, To: id, Evidence: strings.TrimSpace(lf.Form.Get("evidence")),
		Confidence: cordon.Confidence(lf.Form.Get("confidence"))})
	if err == nil {
		s.done(w, r, "/cases/"+strconv.FormatInt(id, 10), "case.linked")
		return
	}
	status, alert, ok := formFailure(err, &lf.Form)
	if !ok && cordon.ErrorKind(err) == cordon.KindNotFound && cordon.ErrorCode(err) == "case.not_found" {
		// Either case may be the one missing; when it is this one, the
		// page itself answers 404 below.
		lf.Form.fail("from", "chain.infector_not_found")
		status, alert, ok = http.StatusUnprocessableEntity, "error.chain.infector_not_found", true
	}
	if !ok {
		s.fail(w, r, err)
		return
	}
	// app names the link's sides from and to; on this form the case is
	// "to" and the only field that names a case is the infector.
	if code, found := lf.Form.Errors["to"]; found {
		delete(lf.Form.Errors, "to")
		lf.Form.Errors["from"] = code
	}
	if e := asError(err); e != nil && e.Code == "chain.cycle" {
		lf.Cycle, _ = e.Extra["path"].([]int64)
	}
	s.showCase(w, r, status, id, caseForms{link: &lf}, alert)
}
