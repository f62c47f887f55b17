package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"cordon"
)

// personMerge records that the person of the page is the same as the person
// to keep; the page's record then points to the kept one. A refused merge
// shows the detail page again with the merge form marked.
func (s *server) personMerge(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	drop, ok := personID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	f := formFrom(r, "keep", "reason")
	keep, err := strconv.ParseInt(strings.TrimSpace(f.Get("keep")), 10, 64)
	if err != nil || keep <= 0 {
		err = cordon.Errorf(cordon.KindNotFound, "person.not_found", "no person to keep")
	} else {
		err = s.app.MergePersons(r.Context(), v.actor, keep, drop, f.Get("reason"))
	}
	if err == nil {
		seeOther(w, r, fmt.Sprintf("/persons/%d", keep))
		return
	}
	e := asError(err)
	if e == nil || (e.Kind != cordon.KindInvalid && e.Kind != cordon.KindConflict && e.Kind != cordon.KindNotFound) {
		s.fail(w, r, err)
		return
	}
	status := e.Kind.HTTPStatus()
	f.Errors = e.Fields
	if len(f.Errors) == 0 {
		// Codes without a field (merge_self, merged_already, not_found)
		// are about the record to keep. Should the page's own record be
		// the one not found, showing it again answers 404.
		f.Errors = map[string]string{"keep": e.Code}
	}
	if e.Kind == cordon.KindNotFound {
		status = http.StatusUnprocessableEntity
	}
	s.showPerson(w, r, status, drop, "", f, "error."+e.Code)
}
