package api

import (
	"net/http"
	"strings"
	"time"

	"cordon"
	"cordon/internal/app"
)

// CodeKeySet is /.well-known/cordon/keys: the keys that verify health-code
// tokens offline, old ones included until their last token expires.
type CodeKeySet struct {
	Keys        []app.CodeKey `json:"keys"`
	SkewSeconds int           `json:"skew_seconds"`
	Format      string        `json:"format"`
}

// CodeSetting is the body of POST /api/v1/persons/{id}/health-code: a
// colour set by hand (or a reason added), with why and until when.
type CodeSetting struct {
	Color      cordon.CodeColor  `json:"color,omitempty"`
	ReasonCode cordon.CodeReason `json:"reason_code,omitempty"`
	Reason     string            `json:"reason"`
	Until      time.Time         `json:"until"`
}

// WindowRequest asks for the one-time travel window.
type WindowRequest struct {
	Hours int `json:"hours"`
}

// VerifyRequest is a scanned token, and when it was scanned if a verifier
// queued it offline.
type VerifyRequest struct {
	Token     string    `json:"token"`
	ScannedAt time.Time `json:"scanned_at,omitzero"`
}

// PassRequest opens a person's own code.
type PassRequest struct {
	IDNumber string `json:"id_number"`
	Phone    string `json:"phone"`
}

// PassResponse carries the pass that opens a person's own code; send it
// back in the X-Cordon-Pass header.
type PassResponse struct {
	Pass string `json:"pass"`
}

// ReasonRequest carries the reason for ending something.
type ReasonRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) codeKeys(w http.ResponseWriter, r *http.Request, _ cordon.Actor) {
	keys, err := s.app.CodeKeys(r.Context())
	s.reply(w, r, http.StatusOK, CodeKeySet{Keys: keys, SkewSeconds: 120,
		Format: "HC1.base64url(version 1 | kid 1 | person ref 16 | colour 1 (0 green, 1 yellow, 2 red; +128 printed) | issued u32 | expires u32 | nonce 4 | Ed25519 signature 64)"}, err)
}

func (s *Server) healthCode(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.app.HealthCode(r.Context(), actor, id, reason(r))
	s.reply(w, r, http.StatusOK, c, err)
}

func (s *Server) healthCodeHistory(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	h, err := s.app.HealthCodeHistory(r.Context(), actor, id, reason(r))
	s.reply(w, r, http.StatusOK, h, err)
}

func (s *Server) setHealthCode(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in CodeSetting
	id, err := pathAndBody(w, r, &in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	m, err := s.app.SetHealthCode(r.Context(), actor, id, cordon.CodeMark{Force: in.Color, Reason: in.ReasonCode, Note: strings.TrimSpace(in.Reason), Until: in.Until})
	s.reply(w, r, http.StatusCreated, m, err)
}

func (s *Server) codeMarks(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ms, err := s.app.CodeMarks(r.Context(), actor, id)
	s.reply(w, r, http.StatusOK, Page[cordon.CodeMark]{Items: nonNil(ms)}, err)
}

func (s *Server) revokeCodeMark(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in ReasonRequest
	id, err := pathAndBody(w, r, &in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	err = s.app.RevokeCodeMark(r.Context(), actor, id, strings.TrimSpace(in.Reason))
	s.reply(w, r, http.StatusNoContent, nil, err)
}

func (s *Server) codeWindow(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in WindowRequest
	id, err := pathAndBody(w, r, &in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.app.GrantCodeWindow(r.Context(), actor, id, in.Hours)
	s.reply(w, r, http.StatusOK, c, err)
}

func (s *Server) printedCode(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	t, err := s.app.PrintedCode(r.Context(), actor, id)
	s.reply(w, r, http.StatusOK, t, err)
}

func (s *Server) verifyCode(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in VerifyRequest
	if err := decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.app.VerifyCode(r.Context(), actor, in.Token, in.ScannedAt)
	s.reply(w, r, http.StatusOK, v, err)
}

func (s *Server) rotateCodeKey(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	keys, err := s.app.RotateCodeKey(r.Context(), actor)
	s.reply(w, r, http.StatusOK, CodeKeySet{Keys: keys, SkewSeconds: 120}, err)
}

func (s *Server) listMeasures(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	ms, err := s.app.AreaMeasures(r.Context(), actor)
	s.reply(w, r, http.StatusOK, Page[cordon.AreaMeasure]{Items: nonNil(ms)}, err)
}

func (s *Server) takeMeasure(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in cordon.AreaMeasure
	if err := decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	m, err := s.app.TakeAreaMeasure(r.Context(), actor, cordon.AreaMeasure{Jurisdiction: in.Jurisdiction, Reason: in.Reason,
		Note: strings.TrimSpace(in.Note), From: in.From, Until: in.Until, Rounds: in.Rounds})
	if err == nil {
		w.Header().Set("Location", "/api/v1/measures/"+itoa(m.ID))
	}
	s.reply(w, r, http.StatusCreated, m, err)
}

func (s *Server) endMeasure(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in ReasonRequest
	id, err := pathAndBody(w, r, &in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	err = s.app.EndAreaMeasure(r.Context(), actor, id, strings.TrimSpace(in.Reason))
	s.reply(w, r, http.StatusNoContent, nil, err)
}

func (s *Server) check(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in app.CheckInput
	if err := decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.app.Check(r.Context(), actor, in)
	s.reply(w, r, http.StatusOK, c, err)
}

func (s *Server) personPass(w http.ResponseWriter, r *http.Request, _ cordon.Actor) {
	var in PassRequest
	if err := decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	pass, err := s.app.PersonPass(r.Context(), in.IDNumber, in.Phone)
	s.reply(w, r, http.StatusOK, PassResponse{Pass: pass}, err)
}

func (s *Server) ownCode(w http.ResponseWriter, r *http.Request, _ cordon.Actor) {
	t, err := s.app.OwnCode(r.Context(), r.Header.Get("X-Cordon-Pass"))
	w.Header().Set("Cache-Control", "no-store")
	s.reply(w, r, http.StatusOK, t, err)
}

func (s *Server) ownCodeWindow(w http.ResponseWriter, r *http.Request, _ cordon.Actor) {
	var in WindowRequest
	if err := decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.app.OwnCodeWindow(r.Context(), r.Header.Get("X-Cordon-Pass"), in.Hours)
	s.reply(w, r, http.StatusOK, c, err)
}

func (s *Server) codeCounts(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	c, err := s.app.CodeCounts(r.Context(), actor, r.URL.Query().Get("jurisdiction"))
	s.reply(w, r, http.StatusOK, c, err)
}

// CompanionMarks names the companions of a case to turn yellow (B3).
type CompanionMarks struct {
	PersonIDs []int64 `json:"person_ids"`
}

func (s *Server) markCompanions(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in CompanionMarks
	id, err := pathAndBody(w, r, &in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ms, err := s.app.MarkCompanions(r.Context(), actor, id, in.PersonIDs)
	s.reply(w, r, http.StatusOK, Page[cordon.CodeMark]{Items: nonNil(ms)}, err)
}
