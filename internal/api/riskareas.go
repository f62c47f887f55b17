package api

import (
	"io"
	"net/http"
	"time"

	"cordon"
)

// RiskAreaInput declares a risk area; from defaults to now, geojson is a
// Polygon or MultiPolygon geometry as text.
type RiskAreaInput struct {
	Tier         string    `json:"tier"`
	Jurisdiction string    `json:"jurisdiction"`
	Name         string    `json:"name"`
	GeoJSON      string    `json:"geojson,omitempty"`
	Reason       string    `json:"reason,omitempty"`
	From         time.Time `json:"from,omitzero"`
	To           time.Time `json:"to,omitzero"`
}

func (s *Server) listRiskAreas(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	q := r.URL.Query()
	f := cordon.RiskAreaFilter{Tier: q.Get("tier"), Lifted: q.Get("lifted") == "true"}
	if v := q.Get("at"); v != "" {
		at, err := time.Parse(time.RFC3339, v)
		if err != nil {
			s.writeError(w, r, cordon.Errorf(cordon.KindInvalid, "request.query_invalid", "at: an RFC 3339 time").WithField("at", "request.query_invalid"))
			return
		}
		f.At = at
	}
	out, err := s.app.RiskAreas(r.Context(), actor, f)
	s.reply(w, r, http.StatusOK, Page[cordon.RiskArea]{Items: nonNil(out)}, err)
}

func (s *Server) declareRiskArea(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in RiskAreaInput
	if err := decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	a, err := s.app.DeclareRiskArea(r.Context(), actor, cordon.RiskArea{Tier: in.Tier, Jurisdiction: in.Jurisdiction, Name: in.Name,
		GeoJSON: in.GeoJSON, Reason: in.Reason, From: in.From, To: in.To})
	if err == nil {
		w.Header().Set("Location", "/api/v1/risk-areas/"+itoa(a.ID))
	}
	s.reply(w, r, http.StatusCreated, a, err)
}

func (s *Server) getRiskArea(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	a, err := s.app.RiskArea(r.Context(), actor, id)
	s.reply(w, r, http.StatusOK, a, err)
}

func (s *Server) stepDownRiskArea(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	a, err := s.app.ConfirmStepDown(r.Context(), actor, id)
	s.reply(w, r, http.StatusOK, a, err)
}

func (s *Server) liftRiskArea(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in ReasonRequest
	id, err := pathAndBody(w, r, &in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.reply(w, r, http.StatusNoContent, nil, s.app.LiftRiskArea(r.Context(), actor, id, in.Reason))
}

func (s *Server) riskAreaProposals(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	out, err := s.app.ProposeStepDowns(r.Context(), actor)
	s.reply(w, r, http.StatusOK, Page[cordon.StepDownProposal]{Items: nonNil(out)}, err)
}

func (s *Server) publicRiskAreas(w http.ResponseWriter, r *http.Request, _ cordon.Actor) {
	out, err := s.app.PublicRiskAreas(r.Context())
	s.reply(w, r, http.StatusOK, Page[cordon.RiskArea]{Items: nonNil(out)}, err)
}

func (s *Server) riskAreaExport(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	s.lineList(w, r, "risk-areas", func(format string, w io.Writer) error {
		return s.app.RiskAreaExport(r.Context(), actor, format, w)
	})
}
