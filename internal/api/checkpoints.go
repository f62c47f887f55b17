package api

import (
	"net/http"

	"cordon"
	"cordon/internal/app"
)

func (s *Server) listCheckpoints(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	cps, err := s.app.Checkpoints(r.Context(), actor)
	s.reply(w, r, http.StatusOK, cps, err)
}

func (s *Server) createCheckpoint(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in cordon.CheckpointInput
	if err := decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	cp, err := s.app.CreateCheckpoint(r.Context(), actor, in)
	if err == nil {
		w.Header().Set("Location", "/api/v1/checkpoints/"+itoa(cp.ID))
	}
	s.reply(w, r, http.StatusCreated, cp, err)
}

func (s *Server) getCheckpoint(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	cp, err := s.app.Checkpoint(r.Context(), actor, id)
	s.reply(w, r, http.StatusOK, cp, err)
}

func (s *Server) updateCheckpoint(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in cordon.CheckpointInput
	id, err := pathAndBody(w, r, &in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	cp, err := s.app.UpdateCheckpoint(r.Context(), actor, id, in)
	s.reply(w, r, http.StatusOK, cp, err)
}

func (s *Server) recordPassage(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in app.PassageInput
	id, err := pathAndBody(w, r, &in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.app.RecordPassage(r.Context(), actor, id, in)
	status := http.StatusCreated
	if res.Passage == nil || res.Again {
		status = http.StatusOK
	}
	s.reply(w, r, status, res, err)
}

func (s *Server) checkpointCounts(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	counts, err := s.app.CheckpointCounts(r.Context(), actor, id, r.URL.Query().Get("day"))
	s.reply(w, r, http.StatusOK, counts, err)
}

func (s *Server) checkpointPassages(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	_, limit, err := listArgs(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ps, err := s.app.CheckpointPassages(r.Context(), actor, id, r.URL.Query().Get("day"), limit)
	s.reply(w, r, http.StatusOK, ps, err)
}
