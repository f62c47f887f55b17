package api

import (
	"net/http"

	"cordon"
)

// MaxInvestigationBody bounds an investigation document: a long itinerary
// of a few hundred entries with its household fits well under it.
const MaxInvestigationBody = 1 << 20

// Submission submits an investigation at the version read: the trajectory
// alone or the initial report (the default).
type Submission struct {
	Version int    `json:"version"`
	Part    string `json:"part,omitempty"` // trajectory or initial_report
}

func (s *Server) getInvestigation(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	_, inv, err := s.app.Investigation(r.Context(), actor, id, reason(r))
	s.reply(w, r, http.StatusOK, inv, err)
}

func (s *Server) saveInvestigation(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var in cordon.Investigation
	if err := decodeUpTo(w, r, &in, MaxInvestigationBody); err != nil {
		s.writeError(w, r, err)
		return
	}
	inv, err := s.app.SaveInvestigation(r.Context(), actor, id, in)
	s.reply(w, r, http.StatusOK, inv, err)
}

func (s *Server) submitInvestigation(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in Submission
	id, err := pathAndBody(w, r, &in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	inv, err := s.app.SubmitInvestigation(r.Context(), actor, id, in.Version, in.Part)
	s.reply(w, r, http.StatusOK, inv, err)
}

func (s *Server) investigationReport(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data, err := s.app.InvestigationReport(r.Context(), actor, id, reason(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", `inline; filename="investigation-`+itoa(id)+`.pdf"`)
	h.Set("Cache-Control", "no-store")
	w.Write(data)
}
