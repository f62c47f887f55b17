package api

import (
	"net/http"

	"cordon"
)

func (s *Server) createPerson(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in cordon.PersonInput
	if err := decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.app.CreatePerson(r.Context(), actor, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/persons/"+itoa(p.ID))
	writeJSON(w, http.StatusCreated, p)
}

func (s *Server) getPerson(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.app.Person(r.Context(), actor, id, reason(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) listPersons(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	q := r.URL.Query()
	if n := q.Get("id_number"); n != "" {
		// An exact lookup through the blind index; merged records lead to
		// the surviving person.
		p, err := s.app.PersonByDocument(r.Context(), actor, cordon.DocType(q.Get("doc_type")), n, reason(r))
		switch {
		case cordon.ErrorKind(err) == cordon.KindNotFound:
			writeJSON(w, http.StatusOK, Page[cordon.Person]{Items: []cordon.Person{}})
		case err != nil:
			s.writeError(w, r, err)
		default:
			writeJSON(w, http.StatusOK, Page[cordon.Person]{Items: []cordon.Person{p}})
		}
		return
	}
	after, err := decodeCursor(q.Get("cursor"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	limit, err := queryLimit(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ps, err := s.app.Persons(r.Context(), actor, cordon.PersonFilter{
		Query: q.Get("q"), Phone: q.Get("phone"), Jurisdiction: q.Get("jurisdiction"), After: after, Limit: limit,
	})
	s.reply(w, r, http.StatusOK, page(ps, limit, func(p cordon.Person) int64 { return p.ID }), err)
}

func (s *Server) updatePerson(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in cordon.PersonInput
	id, err := pathAndBody(w, r, &in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.app.UpdatePerson(r.Context(), actor, id, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// MergeRequest names the duplicate record to merge into the person in the
// path, and why.
type MergeRequest struct {
	Duplicate int64  `json:"duplicate"`
	Reason    string `json:"reason"`
}

func (s *Server) mergePersons(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in MergeRequest
	id, err := pathAndBody(w, r, &in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.done(w, r, s.app.MergePersons(r.Context(), actor, id, in.Duplicate, in.Reason))
}

func (s *Server) personHistory(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	es, err := s.app.PersonHistory(r.Context(), actor, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, Page[cordon.AuditEntry]{Items: nonNil(es)})
}
