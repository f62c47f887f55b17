package api

import (
	"net/http"
	"strconv"
	"time"

	"cordon"
)

// MeetRequest marks a test obligation met by hand: where the test was taken.
type MeetRequest struct {
	Note string `json:"note"`
}

func (s *Server) recordArrival(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in cordon.TripReport
	if err := decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.app.RecordArrival(r.Context(), actor, in)
	status := http.StatusOK
	if err == nil {
		w.Header().Set("Location", "/api/v1/arrivals/"+itoa(v.ID))
		if v.Created {
			status = http.StatusCreated
		}
	}
	s.reply(w, r, status, v, err)
}

// reportArrival is the traveller's own report: no token, and an answer
// that says what they owe without echoing any record.
func (s *Server) reportArrival(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in cordon.TripReport
	if err := decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.app.ReportArrivalAnswer(r.Context(), in, actor.Remote)
	s.reply(w, r, http.StatusCreated, v, err)
}

// arrivalFilter reads the filters of the arrival list.
func arrivalFilter(r *http.Request) (cordon.ArrivalFilter, error) {
	q := r.URL.Query()
	f := cordon.ArrivalFilter{Population: q.Get("population")}
	bad := func(name, why string) error {
		return cordon.Errorf(cordon.KindInvalid, "request.query_invalid", "%s: %s", name, why).WithField(name, "request.query_invalid")
	}
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			d, derr := time.ParseInLocation(time.DateOnly, v, cordon.ChinaTime)
			if derr != nil {
				return f, bad("since", "an RFC 3339 time or a day YYYY-MM-DD")
			}
			t = d
		}
		f.Since = t
	}
	if v := q.Get("person_id"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return f, bad("person_id", "a record number")
		}
		f.PersonID = n
	}
	return f, nil
}

func (s *Server) listArrivals(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	after, limit, err := listArgs(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f, err := arrivalFilter(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f.After, f.Limit = after, limit
	out, err := s.app.Arrivals(r.Context(), actor, f)
	s.reply(w, r, http.StatusOK, page(out, limit, func(t cordon.Trip) int64 { return t.ID }), err)
}

func (s *Server) getArrival(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	t, err := s.app.Arrival(r.Context(), actor, id, reason(r))
	s.reply(w, r, http.StatusOK, t, err)
}

// arrivalTasks lists the open test obligations, earliest due first, or only
// the overdue ones. The list is bounded by limit and has no cursor: it is
// ordered by due time.
func (s *Server) arrivalTasks(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	q := r.URL.Query()
	f := cordon.ObligationFilter{Status: cordon.ObligationStatus(q.Get("status"))}
	switch q.Get("overdue") {
	case "", "0", "false":
	case "1", "true":
		f.Overdue = true
	default:
		s.writeError(w, r, cordon.Errorf(cordon.KindInvalid, "obligation.filter_invalid", "overdue is 1 or 0").WithField("overdue", "obligation.filter_invalid"))
		return
	}
	limit, err := queryLimit(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f.Limit = limit
	out, err := s.app.ArrivalTasks(r.Context(), actor, f)
	s.reply(w, r, http.StatusOK, Page[cordon.Obligation]{Items: nonNil(out)}, err)
}

func (s *Server) meetObligation(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in MeetRequest
	id, err := pathAndBody(w, r, &in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	o, err := s.app.MeetObligation(r.Context(), actor, id, in.Note)
	s.reply(w, r, http.StatusOK, o, err)
}
