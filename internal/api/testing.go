package api

import (
	"io"
	"net/http"
	"strconv"

	"cordon"
	"cordon/internal/app"
)

// reply answers with v, or with the problem when err is set.
func (s *Server) reply(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, status, v)
}

// queryInt reads an optional integer query parameter.
func queryInt(r *http.Request, name string, lo, hi int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, cordon.Errorf(cordon.KindInvalid, "request.bad_parameter", "%s must be a whole number from %d to %d", name, lo, hi).WithField(name, "request.bad_parameter")
	}
	return n, nil
}

// listArgs reads the cursor and limit of a list.
func listArgs(r *http.Request) (after int64, limit int, err error) {
	if after, err = decodeCursor(r.URL.Query().Get("cursor")); err != nil {
		return 0, 0, err
	}
	limit, err = queryLimit(r)
	return after, limit, err
}

// page builds a page whose next cursor is the last item's id when the page
// is full.
func page[T any](items []T, limit int, id func(T) int64) Page[T] {
	p := Page[T]{Items: nonNil(items)}
	if len(items) == limit && limit > 0 {
		p.Next = encodeCursor(id(items[len(items)-1]))
	}
	return p
}

func (s *Server) poolAdvice(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	q := r.URL.Query()
	var p float64
	if v := q.Get("prevalence"); v != "" {
		var err error
		if p, err = strconv.ParseFloat(v, 64); err != nil {
			s.writeError(w, r, cordon.Errorf(cordon.KindInvalid, "testing.prevalence_invalid", "prevalence must be a fraction from 0 to 1, e.g. 0.01").WithField("prevalence", "testing.prevalence_invalid"))
			return
		}
	} else if area := q.Get("jurisdiction"); area != "" {
		// The positivity observed in the area's recent rounds.
		var sampled int
		var err error
		if p, sampled, err = s.app.ObservedPrevalence(r.Context(), actor, area); err != nil {
			s.writeError(w, r, err)
			return
		}
		if sampled == 0 {
			s.writeError(w, r, cordon.Errorf(cordon.KindInvalid, "testing.no_rounds", "no one was sampled in the area in the last 14 days; give a prevalence").WithField("jurisdiction", "testing.no_rounds"))
			return
		}
	} else {
		s.writeError(w, r, cordon.Errorf(cordon.KindInvalid, "testing.prevalence_invalid", "give a prevalence, or a jurisdiction whose recent rounds give one").WithField("prevalence", "testing.prevalence_invalid"))
		return
	}
	a, err := s.app.PoolAdvice(r.Context(), actor, p)
	s.reply(w, r, http.StatusOK, a, err)
}

func (s *Server) cadence(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	c, err := s.app.Cadence(r.Context(), actor, r.URL.Query().Get("jurisdiction"))
	s.reply(w, r, http.StatusOK, c, err)
}

func (s *Server) capacity(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	pop, err := queryInt(r, "population", 0, 100_000_000)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	hours, err := queryInt(r, "deadline_hours", 0, 24*14)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.app.Capacity(r.Context(), actor, r.URL.Query().Get("jurisdiction"), pop, hours)
	s.reply(w, r, http.StatusOK, c, err)
}

func (s *Server) createRound(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in cordon.RoundInput
	if err := decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	rd, err := s.app.CreateRound(r.Context(), actor, in)
	if err == nil {
		w.Header().Set("Location", "/api/v1/rounds/"+itoa(rd.ID))
	}
	s.reply(w, r, http.StatusCreated, rd, err)
}

func (s *Server) listRounds(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	after, limit, err := listArgs(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rs, err := s.app.Rounds(r.Context(), actor, r.URL.Query().Get("open") == "true", after, limit)
	s.reply(w, r, http.StatusOK, page(rs, limit, func(x cordon.Round) int64 { return x.ID }), err)
}

func (s *Server) getRound(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rd, err := s.app.Round(r.Context(), actor, id)
	s.reply(w, r, http.StatusOK, rd, err)
}

func (s *Server) closeRound(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.done(w, r, s.app.CloseRound(r.Context(), actor, id))
}

func (s *Server) roundProgress(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	depth, err := queryInt(r, "depth", 1, 6)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.app.RoundProgress(r.Context(), actor, id, r.URL.Query().Get("jurisdiction"), depth)
	s.reply(w, r, http.StatusOK, p, err)
}

func (s *Server) roundUnsampled(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	after, limit, err := listArgs(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ps, err := s.app.Unsampled(r.Context(), actor, id, r.URL.Query().Get("jurisdiction"), after, limit)
	s.reply(w, r, http.StatusOK, page(ps, limit, func(p cordon.Person) int64 { return p.ID }), err)
}

func (s *Server) createPoint(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in cordon.SamplingPointInput
	if err := decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.app.CreatePoint(r.Context(), actor, in)
	if err == nil {
		w.Header().Set("Location", "/api/v1/sampling-points/"+itoa(p.ID))
	}
	s.reply(w, r, http.StatusCreated, p, err)
}

func (s *Server) updatePoint(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in cordon.SamplingPointInput
	id, err := pathAndBody(w, r, &in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.app.UpdatePoint(r.Context(), actor, id, in)
	s.reply(w, r, http.StatusOK, p, err)
}

func (s *Server) getPoint(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.app.Point(r.Context(), actor, id)
	s.reply(w, r, http.StatusOK, p, err)
}

func (s *Server) listPoints(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	after, limit, err := listArgs(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	round, err := queryInt(r, "round", 0, 1<<31-1)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ps, err := s.app.Points(r.Context(), actor, r.URL.Query().Get("jurisdiction"), cordon.PointFilter{RoundID: int64(round), After: after, Limit: limit})
	s.reply(w, r, http.StatusOK, page(ps, limit, func(p cordon.SamplingPoint) int64 { return p.ID }), err)
}

// QueueReport is the number of people waiting at a sampling point.
type QueueReport struct {
	Queue int `json:"queue"`
}

func (s *Server) reportQueue(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in QueueReport
	id, err := pathAndBody(w, r, &in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.done(w, r, s.app.ReportQueue(r.Context(), actor, id, in.Queue))
}

func (s *Server) publicPoints(w http.ResponseWriter, r *http.Request, _ cordon.Actor) {
	ps, err := s.app.PublicPoints(r.Context(), r.URL.Query().Get("jurisdiction"))
	s.reply(w, r, http.StatusOK, Page[cordon.SamplingPoint]{Items: nonNil(ps)}, err)
}

// MaxSampleBody bounds a registration batch.
const MaxSampleBody = 4 << 20

func (s *Server) registerSamples(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in cordon.SampleBatch
	if err := decodeUpTo(w, r, &in, MaxSampleBody); err != nil {
		s.writeError(w, r, err)
		return
	}
	acks, err := s.app.RegisterSamples(r.Context(), actor, in.Samples)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, cordon.AnswerSamples(acks))
}

func (s *Server) getTube(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	t, err := s.app.Tube(r.Context(), actor, r.PathValue("barcode"))
	s.reply(w, r, http.StatusOK, t, err)
}

func (s *Server) closeTube(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	t, err := s.app.CloseTube(r.Context(), actor, r.PathValue("barcode"))
	s.reply(w, r, http.StatusOK, t, err)
}

func (s *Server) handOver(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in cordon.BoxInput
	if err := decodeUpTo(w, r, &in, 1<<20); err != nil {
		s.writeError(w, r, err)
		return
	}
	b, err := s.app.HandOver(r.Context(), actor, in)
	s.reply(w, r, http.StatusCreated, b, err)
}

// BoxReceipt lists the tubes a lab scanned out of a box.
type BoxReceipt struct {
	Tubes []string `json:"tubes"`
}

func (s *Server) receiveBox(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in BoxReceipt
	if err := decodeUpTo(w, r, &in, 1<<20); err != nil {
		s.writeError(w, r, err)
		return
	}
	b, err := s.app.ReceiveBox(r.Context(), actor, r.PathValue("barcode"), in.Tubes)
	s.reply(w, r, http.StatusOK, b, err)
}

func (s *Server) createLab(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in cordon.LabInput
	if err := decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	l, err := s.app.CreateLab(r.Context(), actor, in)
	s.reply(w, r, http.StatusCreated, l, err)
}

func (s *Server) listLabs(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	ls, err := s.app.Labs(r.Context(), actor)
	s.reply(w, r, http.StatusOK, Page[cordon.LabStatus]{Items: nonNil(ls)}, err)
}

// LabDetail is a lab's load and its overdue tubes.
type LabDetail struct {
	cordon.LabStatus
	OverdueTubes []cordon.Tube `json:"overdue_tubes"`
}

func (s *Server) getLab(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	st, overdue, err := s.app.LabStatus(r.Context(), actor, id)
	s.reply(w, r, http.StatusOK, LabDetail{st, nonNil(overdue)}, err)
}

// uploadResults takes results in JSON, CSV, XLSX or HL7 v2, by Content-Type.
func (s *Server) uploadResults(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		if _, ok := err.(*http.MaxBytesError); ok {
			s.writeError(w, r, cordon.Errorf(cordon.KindTooLarge, "request.too_large", "the upload is too large; send it in parts"))
			return
		}
		s.writeError(w, r, cordon.Errorf(cordon.KindInvalid, "request.read", "the upload could not be read"))
		return
	}
	up, err := s.app.UploadLabFile(r.Context(), actor, r.Header.Get("Content-Type"), data)
	s.reply(w, r, http.StatusOK, up, err)
}

func (s *Server) listInbox(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	after, limit, err := listArgs(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	items, err := s.app.Inbox(r.Context(), actor, after, limit)
	s.reply(w, r, http.StatusOK, page(items, limit, func(x cordon.InboxItem) int64 { return x.ID }), err)
}

func (s *Server) resolveInbox(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in app.InboxResolution
	id, err := pathAndBody(w, r, &in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	up, err := s.app.ResolveInbox(r.Context(), actor, id, in)
	s.reply(w, r, http.StatusOK, up, err)
}

func (s *Server) listRecalls(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	after, limit, err := listArgs(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	hs, err := s.app.Recalls(r.Context(), actor, q.Get("jurisdiction"), cordon.HoldFilter{
		Status: cordon.HoldStatus(q.Get("status")), Kind: cordon.HoldKind(q.Get("kind")), After: after, Limit: limit})
	s.reply(w, r, http.StatusOK, page(hs, limit, func(h cordon.Hold) int64 { return h.ID }), err)
}

func (s *Server) listPositives(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	after, limit, err := listArgs(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ps, err := s.app.Positives(r.Context(), actor, after, limit)
	s.reply(w, r, http.StatusOK, page(ps, limit, func(p cordon.Positive) int64 { return p.ID }), err)
}
