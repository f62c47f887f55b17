package api

import (
	"net/http"
	"strings"
	"time"

	"cordon"
	"cordon/internal/app"
)

// MaxScanInBody bounds a bulk scan-in request (5,000 items).
const MaxScanInBody = 4 << 20

// ScanInBatch is the body of POST /api/v1/scan-ins.
type ScanInBatch struct {
	// Key, chosen by the sender and unique among its batches, makes a
	// resend harmless: the batch is answered replayed and stored once.
	Key     string           `json:"key,omitempty"`
	ScanIns []app.ScanInItem `json:"scan_ins"`
}

// ReissueRequest gives the reason a venue's code is replaced.
type ReissueRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) createVenue(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in cordon.VenueInput
	if err := decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.app.CreateVenue(r.Context(), actor, in)
	if err == nil {
		w.Header().Set("Location", "/api/v1/venues/"+itoa(v.ID))
	}
	s.reply(w, r, http.StatusCreated, v, err)
}

func (s *Server) listVenues(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	after, limit, err := listArgs(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	vs, err := s.app.Venues(r.Context(), actor, cordon.VenueFilter{Query: strings.TrimSpace(q.Get("q")), Category: cordon.VenueCategory(q.Get("category")), After: after, Limit: limit})
	s.reply(w, r, http.StatusOK, page(vs, limit, func(v cordon.Venue) int64 { return v.ID }), err)
}

func (s *Server) getVenue(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.app.Venue(r.Context(), actor, id)
	s.reply(w, r, http.StatusOK, v, err)
}

func (s *Server) updateVenue(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in cordon.VenueInput
	id, err := pathAndBody(w, r, &in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.app.UpdateVenue(r.Context(), actor, id, in)
	s.reply(w, r, http.StatusOK, v, err)
}

func (s *Server) reissueVenueCode(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in ReissueRequest
	id, err := pathAndBody(w, r, &in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.app.ReissueVenueCode(r.Context(), actor, id, in.Reason)
	s.reply(w, r, http.StatusOK, v, err)
}

func (s *Server) recordScanIns(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in ScanInBatch
	if err := decodeUpTo(w, r, &in, MaxScanInBody); err != nil {
		s.writeError(w, r, err)
		return
	}
	sum, err := s.app.RecordScanIns(r.Context(), actor, in.Key, in.ScanIns)
	s.reply(w, r, http.StatusOK, sum, err)
}

func (s *Server) publicScanIn(w http.ResponseWriter, r *http.Request, _ cordon.Actor) {
	var in app.PublicScanInput
	if err := decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.app.ScanInPublic(r.Context(), in)
	s.reply(w, r, http.StatusCreated, out, err)
}

// VenueCodeKey is cordon's public key for checking venue codes offline.
type VenueCodeKey struct {
	Algorithm string `json:"algorithm"` // Ed25519
	PublicKey []byte `json:"public_key"`
	Format    string `json:"format"`
}

func (s *Server) venueCodeKey(w http.ResponseWriter, r *http.Request, _ cordon.Actor) {
	writeJSON(w, http.StatusOK, VenueCodeKey{Algorithm: "Ed25519", PublicKey: s.app.VenueCodeKey(),
		Format: "CV1.base64url(venue id uint64 BE | serial uint32 BE | Ed25519 signature of the 12 bytes)"})
}

func (s *Server) itinerary(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	to := time.Now()
	from := to.AddDate(0, 0, -14)
	if v := q.Get("from"); v != "" {
		if from, err = time.Parse(time.RFC3339, v); err != nil {
			s.writeError(w, r, cordon.Errorf(cordon.KindInvalid, "request.query_invalid", "from: %v", err).WithField("from", "request.query_invalid"))
			return
		}
	}
	if v := q.Get("to"); v != "" {
		if to, err = time.Parse(time.RFC3339, v); err != nil {
			s.writeError(w, r, cordon.Errorf(cordon.KindInvalid, "request.query_invalid", "to: %v", err).WithField("to", "request.query_invalid"))
			return
		}
	}
	if to.Sub(from) > 60*24*time.Hour || !to.After(from) {
		s.writeError(w, r, cordon.Errorf(cordon.KindInvalid, "request.query_invalid", "from must be before to, at most 60 days apart").WithField("from", "request.query_invalid"))
		return
	}
	scans, err := s.app.Itinerary(r.Context(), actor, id, from, to)
	if scans == nil {
		scans = []cordon.ScanIn{}
	}
	s.reply(w, r, http.StatusOK, scans, err)
}

func (s *Server) searchCompanions(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in app.CompanionQuery
	if err := decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.app.Companions(r.Context(), actor, in)
	s.reply(w, r, http.StatusOK, out, err)
}

func (s *Server) getPolicy(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	q := r.URL.Query()
	var at time.Time
	if v := q.Get("at"); v != "" {
		d, err := time.ParseInLocation(time.DateOnly, v, cordon.ChinaTime)
		if err != nil {
			s.writeError(w, r, cordon.Errorf(cordon.KindInvalid, "request.query_invalid", "at: a date YYYY-MM-DD").WithField("at", "request.query_invalid"))
			return
		}
		at = d.Add(12 * time.Hour)
	}
	v, err := s.app.Policies(r.Context(), actor, q.Get("jurisdiction"), at)
	s.reply(w, r, http.StatusOK, v, err)
}

func (s *Server) setPolicy(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in cordon.PolicyAssignment
	if err := decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	err := s.app.SetPolicy(r.Context(), actor, in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
