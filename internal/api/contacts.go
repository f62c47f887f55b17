package api

import (
	"io"
	"net/http"
	"strconv"
	"time"

	"cordon"
)

// contactFilter reads the filters of the contact list and export.
func contactFilter(r *http.Request) (cordon.ContactFilter, error) {
	q := r.URL.Query()
	f := cordon.ContactFilter{Kind: cordon.ContactKind(q.Get("kind")), Status: cordon.ContactStatus(q.Get("status")), Household: q.Get("household")}
	for _, p := range []struct {
		name string
		to   *int64
	}{{"case", &f.CaseID}, {"source_contact", &f.SourceContact}, {"person", &f.PersonID}} {
		if v := q.Get(p.name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				return f, cordon.Errorf(cordon.KindInvalid, "contact.filter_invalid", "%s must be a record number", p.name).WithField(p.name, "contact.filter_invalid")
			}
			*p.to = n
		}
	}
	switch v := q.Get("unmatched"); v {
	case "", "false", "0":
	case "true", "1":
		f.Unmatched = true
	default:
		return f, cordon.Errorf(cordon.KindInvalid, "contact.filter_invalid", "unmatched is true or false").WithField("unmatched", "contact.filter_invalid")
	}
	return f, nil
}

func (s *Server) addContact(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in cordon.ContactInput
	if err := decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.app.AddContact(r.Context(), actor, in)
	status := http.StatusOK
	if err == nil && res.Created {
		status = http.StatusCreated
		w.Header().Set("Location", "/api/v1/contacts/"+itoa(res.ID))
	}
	s.reply(w, r, status, res, err)
}

func (s *Server) listContacts(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	after, limit, err := listArgs(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f, err := contactFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f.After, f.Limit = after, limit
	cs, err := s.app.Contacts(r.Context(), actor, f)
	s.reply(w, r, http.StatusOK, page(cs, limit, func(c cordon.Contact) int64 { return c.ID }), err)
}

func (s *Server) caseContacts(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	after, limit, err := listArgs(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	cs, err := s.app.CaseContacts(r.Context(), actor, id, after, limit)
	s.reply(w, r, http.StatusOK, page(cs, limit, func(c cordon.Contact) int64 { return c.ID }), err)
}

func (s *Server) getContact(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.app.Contact(r.Context(), actor, id, reason(r))
	s.reply(w, r, http.StatusOK, c, err)
}

func (s *Server) updateContact(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in cordon.ContactUpdate
	id, err := pathAndBody(w, r, &in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.app.UpdateContact(r.Context(), actor, id, in)
	s.reply(w, r, http.StatusOK, c, err)
}

func (s *Server) addExposure(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in cordon.ExposureInput
	id, err := pathAndBody(w, r, &in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.app.AddExposure(r.Context(), actor, id, in)
	s.reply(w, r, http.StatusOK, res, err)
}

// ContactStep is the body of a change of a contact's state: when it
// happened (now when left out).
type ContactStep struct {
	At time.Time `json:"at,omitzero"`
}

// readStep reads an optional ContactStep body: an empty body is now.
func readStep(w http.ResponseWriter, r *http.Request) (int64, ContactStep, error) {
	var in ContactStep
	id, err := pathID(r, "id")
	if err != nil || r.ContentLength == 0 {
		return id, in, err
	}
	return id, in, decode(w, r, &in)
}

func (s *Server) controlContact(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, in, err := readStep(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.app.ControlContact(r.Context(), actor, id, in.At)
	s.reply(w, r, http.StatusOK, c, err)
}

func (s *Server) releaseContact(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, in, err := readStep(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.app.ReleaseContact(r.Context(), actor, id, in.At)
	s.reply(w, r, http.StatusOK, c, err)
}

func (s *Server) matchContacts(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	m, err := s.app.MatchContacts(r.Context(), actor)
	s.reply(w, r, http.StatusOK, m, err)
}

// ContactPerson names the registered person an unmatched contact is.
type ContactPerson struct {
	PersonID int64 `json:"person_id"`
}

func (s *Server) linkContactPerson(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in ContactPerson
	id, err := pathAndBody(w, r, &in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	l, err := s.app.LinkContactPerson(r.Context(), actor, id, in.PersonID)
	s.reply(w, r, http.StatusOK, l, err)
}

func (s *Server) mergeContacts(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in MergeRequest
	id, err := pathAndBody(w, r, &in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.app.MergeContacts(r.Context(), actor, id, in.Duplicate, in.Reason)
	s.reply(w, r, http.StatusOK, c, err)
}

func (s *Server) personContactStanding(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	st, err := s.app.PersonContactStanding(r.Context(), actor, id, reason(r))
	s.reply(w, r, http.StatusOK, st, err)
}

func (s *Server) contactLineList(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	f, err := contactFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.lineList(w, r, "contacts", func(format string, w io.Writer) error {
		return s.app.ContactLineList(r.Context(), actor, f, format, w)
	})
}
