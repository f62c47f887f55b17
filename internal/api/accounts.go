package api

import (
	"net/http"
	"strconv"
	"time"

	"cordon"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func (s *Server) listAccounts(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	as, err := s.app.Accounts(r.Context(), actor)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, Page[cordon.Account]{Items: nonNil(as)})
}

func (s *Server) createAccount(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in cordon.AccountInput
	if err := decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	a, err := s.app.CreateAccount(r.Context(), actor, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, a)
}

func (s *Server) disableAccount(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	s.setDisabled(w, r, actor, true)
}

func (s *Server) enableAccount(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	s.setDisabled(w, r, actor, false)
}

func (s *Server) setDisabled(w http.ResponseWriter, r *http.Request, actor cordon.Actor, disabled bool) {
	id, err := pathID(r, "id")
	if err == nil {
		err = s.app.SetAccountDisabled(r.Context(), actor, id, disabled)
	}
	s.done(w, r, err)
}

// PasswordReset sets a new password.
type PasswordReset struct {
	Password string `json:"password"`
}

func (s *Server) resetPassword(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in PasswordReset
	id, err := pathAndBody(w, r, &in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.done(w, r, s.app.ResetPassword(r.Context(), actor, id, in.Password))
}

func (s *Server) auditLog(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	q := r.URL.Query()
	before, err := decodeCursor(q.Get("cursor"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	limit, err := queryLimit(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f := cordon.AuditFilter{Username: q.Get("username"), Action: q.Get("action"), Record: q.Get("record"), Before: before, Limit: limit}
	for name, dst := range map[string]*time.Time{"since": &f.Since, "until": &f.Until} {
		if v := q.Get(name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				s.writeError(w, r, cordon.Errorf(cordon.KindInvalid, "request.bad_time", "%s must be an RFC 3339 time", name).WithField(name, "request.bad_time"))
				return
			}
			*dst = t
		}
	}
	es, err := s.app.AuditLog(r.Context(), actor, f)
	s.reply(w, r, http.StatusOK, page(es, limit, func(e cordon.AuditEntry) int64 { return e.ID }), err)
}
