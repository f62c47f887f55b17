package api

import (
	"bytes"
	"io"
	"net/http"
	"strconv"

	"cordon"
	"cordon/internal/app"
)

// Assist requests (协查): send them from a list of people (JSON) or an
// uploaded list, read those sent and received, and, as the receiver,
// assign a grid, record outcomes and forward a person who moved on.

// AssistGrid assigns a person to a grid.
type AssistGrid struct {
	Grid string `json:"grid"`
}

func (s *Server) createAssist(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in cordon.AssistInput
	if err := decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.app.CreateAssist(r.Context(), actor, in)
	s.reply(w, r, http.StatusCreated, out, err)
}

// uploadAssist takes a list as the body or the file part of a form; the
// reason, source and contact come as query parameters.
func (s *Server) uploadAssist(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	file, err := importFile(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	in := cordon.AssistInput{Reason: q.Get("reason"), Source: cordon.AssistSource(q.Get("source")), Contact: q.Get("contact")}
	out, err := s.app.CreateAssistFromFile(r.Context(), actor, in, file)
	s.reply(w, r, http.StatusCreated, out, err)
}

func (s *Server) listAssist(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	after, limit, err := listArgs(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var received bool
	switch r.URL.Query().Get("box") {
	case "", "received":
		received = true
	case "sent":
	default:
		s.writeError(w, r, cordon.Errorf(cordon.KindInvalid, "assist.box_invalid", "box is sent or received").WithField("box", "assist.box_invalid"))
		return
	}
	rs, err := s.app.AssistRequests(r.Context(), actor, received, after, limit)
	s.reply(w, r, http.StatusOK, page(rs, limit, func(r cordon.AssistRequest) int64 { return r.ID }), err)
}

func (s *Server) overdueAssist(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	limit, err := queryLimit(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.app.OverdueAssist(r.Context(), actor, limit)
	s.reply(w, r, http.StatusOK, out, err)
}

func (s *Server) getAssist(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.app.AssistRequest(r.Context(), actor, id)
	s.reply(w, r, http.StatusOK, out, err)
}

// assistPerson reads the request id and the person's position from the
// path, and the body.
func assistPerson(w http.ResponseWriter, r *http.Request, in any) (int64, int, error) {
	id, err := pathAndBody(w, r, in)
	if err != nil {
		return 0, 0, err
	}
	pos, err := strconv.Atoi(r.PathValue("pos"))
	if err != nil || pos <= 0 {
		return 0, 0, cordon.Errorf(cordon.KindNotFound, "assist_person.not_found", "no such person in the request")
	}
	return id, pos, nil
}

func (s *Server) assistOutcome(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in cordon.AssistOutcome
	id, pos, err := assistPerson(w, r, &in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.app.RecordAssistOutcome(r.Context(), actor, id, pos, in)
	s.reply(w, r, http.StatusOK, p, err)
}

func (s *Server) assistAssign(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in AssistGrid
	id, pos, err := assistPerson(w, r, &in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.app.AssignAssistGrid(r.Context(), actor, id, pos, in.Grid)
	s.reply(w, r, http.StatusOK, p, err)
}

func (s *Server) assistForward(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in app.AssistForward
	id, pos, err := assistPerson(w, r, &in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	next, err := s.app.ForwardAssist(r.Context(), actor, id, pos, in)
	if err == nil {
		w.Header().Set("Location", "/api/v1/assist-requests/"+itoa(next.ID))
	}
	s.reply(w, r, http.StatusCreated, next, err)
}

func (s *Server) assistExport(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.lineList(w, r, "assist-"+itoa(id), func(format string, w io.Writer) error {
		return s.app.AssistExport(r.Context(), actor, id, format, w)
	})
}

func (s *Server) assistLetter(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := s.app.AssistLetter(r.Context(), actor, id, &buf); err != nil {
		s.writeError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", `inline; filename="assist-`+itoa(id)+`.pdf"`)
	h.Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}
