package api

import (
	"net/http"
	"time"

	"cordon"
	"cordon/internal/app"
)

// TokenRequest asks for an API token.
type TokenRequest struct {
	Username   string `json:"username"`
	Password   string `json:"password"`
	Name       string `json:"name,omitempty"`
	TTLSeconds int64  `json:"ttl_seconds,omitempty"`
}

// TokenResponse carries a new token; the token is shown only this once.
type TokenResponse struct {
	Token     string    `json:"token"`
	ID        int64     `json:"id"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in TokenRequest
	if err := decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if in.TTLSeconds < 0 {
		s.writeError(w, r, cordon.Errorf(cordon.KindInvalid, "token.ttl_invalid", "ttl_seconds must be positive").WithField("ttl_seconds", "token.ttl_invalid"))
		return
	}
	secret, t, err := s.app.IssueToken(r.Context(), app.Credentials{Username: in.Username, Password: in.Password, Remote: actor.Remote}, in.Name, time.Duration(in.TTLSeconds)*time.Second)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, TokenResponse{Token: secret, ID: t.ID, ExpiresAt: t.ExpiresAt})
}

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	ts, err := s.app.Tokens(r.Context(), actor)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": nonNil(ts)})
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err == nil {
		err = s.app.RevokeToken(r.Context(), actor, id)
	}
	s.done(w, r, err)
}

func (s *Server) me(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	writeJSON(w, http.StatusOK, map[string]any{
		"id": actor.AccountID, "username": actor.Username, "role": actor.Role, "jurisdiction": actor.Jurisdiction,
	})
}

// nonNil makes an empty list encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
