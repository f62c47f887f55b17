package api

import (
	"net/http"
	"strconv"

	"cordon"
)

func (s *Server) poolAdvice(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	p, err := strconv.ParseFloat(r.URL.Query().Get("prevalence"), 64)
	if err != nil {
		s.writeError(w, r, cordon.Errorf(cordon.KindInvalid, "testing.prevalence_invalid", "prevalence must be a fraction from 0 to 1, e.g. 0.01").WithField("prevalence", "testing.prevalence_invalid"))
		return
	}
	a, err := s.app.PoolAdvice(r.Context(), actor, p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}
