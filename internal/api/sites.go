package api

import (
	"net/http"
	"strconv"

	"cordon"
)

// RoomBatch is the body of POST /api/v1/sites/{id}/rooms.
type RoomBatch struct {
	Rooms []cordon.RoomInput `json:"rooms"`
}

func (s *Server) createSite(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in cordon.SiteInput
	if err := decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	site, err := s.app.CreateSite(r.Context(), actor, in)
	if err == nil {
		w.Header().Set("Location", "/api/v1/sites/"+itoa(site.ID))
	}
	s.reply(w, r, http.StatusCreated, site, err)
}

func (s *Server) listSites(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	after, limit, err := listArgs(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	sites, err := s.app.Sites(r.Context(), actor, cordon.SiteFilter{Within: r.URL.Query().Get("within"), After: after, Limit: limit})
	s.reply(w, r, http.StatusOK, page(sites, limit, func(x cordon.Site) int64 { return x.ID }), err)
}

func (s *Server) siteOccupancy(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	rep, err := s.app.Occupancy(r.Context(), actor, r.URL.Query().Get("jurisdiction"))
	s.reply(w, r, http.StatusOK, rep, err)
}

func (s *Server) getSite(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	site, err := s.app.Site(r.Context(), actor, id, reason(r))
	s.reply(w, r, http.StatusOK, site, err)
}

func (s *Server) updateSite(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in cordon.SiteInput
	id, err := pathAndBody(w, r, &in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	site, err := s.app.UpdateSite(r.Context(), actor, id, in)
	s.reply(w, r, http.StatusOK, site, err)
}

func (s *Server) addRooms(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in RoomBatch
	id, err := pathAndBody(w, r, &in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rooms, err := s.app.AddRooms(r.Context(), actor, id, in.Rooms)
	s.reply(w, r, http.StatusCreated, rooms, err)
}

func (s *Server) arrive(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in cordon.Arrivals
	id, err := pathAndBody(w, r, &in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	stays, err := s.app.Arrive(r.Context(), actor, id, in)
	s.reply(w, r, http.StatusCreated, stays, err)
}

func (s *Server) depart(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in cordon.Departure
	id, err := pathAndBody(w, r, &in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	stay, err := s.app.Depart(r.Context(), actor, id, in)
	s.reply(w, r, http.StatusOK, stay, err)
}

func (s *Server) transfer(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in cordon.TransferInput
	id, err := pathAndBody(w, r, &in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	stay, err := s.app.Transfer(r.Context(), actor, id, in)
	s.reply(w, r, http.StatusCreated, stay, err)
}

func (s *Server) recordHealthCheck(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in cordon.HealthCheckInput
	if err := decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.app.RecordHealthCheck(r.Context(), actor, in)
	s.reply(w, r, http.StatusCreated, c, err)
}

func (s *Server) personHealthChecks(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	cs, err := s.app.PersonHealthChecks(r.Context(), actor, id, reason(r))
	s.reply(w, r, http.StatusOK, nonNil(cs), err)
}

func (s *Server) healthCheckLink(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	link, err := s.app.HealthCheckLink(r.Context(), actor, id)
	s.reply(w, r, http.StatusOK, link, err)
}

func (s *Server) missingHealthChecks(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	stays, err := s.app.MissingHealthChecks(r.Context(), actor, r.URL.Query().Get("jurisdiction"))
	s.reply(w, r, http.StatusOK, nonNil(stays), err)
}

func (s *Server) listAlerts(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	after, limit, err := listArgs(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f := cordon.AlertFilter{After: after, Limit: limit}
	if v := r.URL.Query().Get("open"); v != "" {
		if f.Open, err = strconv.ParseBool(v); err != nil {
			s.writeError(w, r, cordon.Errorf(cordon.KindInvalid, "request.bad_parameter", "open must be true or false").WithField("open", "request.bad_parameter"))
			return
		}
	}
	alerts, err := s.app.Alerts(r.Context(), actor, f)
	s.reply(w, r, http.StatusOK, page(alerts, limit, func(x cordon.Alert) int64 { return x.ID }), err)
}

func (s *Server) ackAlert(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	x, err := s.app.AcknowledgeAlert(r.Context(), actor, id)
	s.reply(w, r, http.StatusOK, x, err)
}
