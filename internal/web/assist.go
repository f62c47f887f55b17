package web

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"

	"cordon"
	"cordon/internal/app"
	"cordon/internal/linelist"
)

// Assist requests (协查): /assist lists those received (the default tab)
// or sent, /assist/new sends them from an uploaded list or from people
// chosen elsewhere (/assist/new?person=1&person=2), /assist/{id} shows one
// with its people: the receiver's forms to assign a grid, record an
// outcome or forward, and the sender's progress, which htmx refreshes from
// /assist/{id}/progress (a reload shows the same without script).
// /assist/overdue is the escalation list of people past their 24 h.

type assistListPage struct {
	page
	Sent     bool
	Requests []cordon.AssistRequest
	Next     string
	Overdue  int
	Escalate bool
}

func (s *server) assistList(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	d := assistListPage{page: s.newPage(r, "assist.title", "assist"), Sent: r.URL.Query().Get("box") == "sent", Escalate: app.Escalates(v.actor)}
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	var err error
	if d.Requests, err = s.app.AssistRequests(r.Context(), v.actor, !d.Sent, after, pageSize); err != nil {
		s.fail(w, r, err)
		return
	}
	if len(d.Requests) == pageSize {
		box := ""
		if d.Sent {
			box = "sent"
		}
		d.Next = withQuery("/assist", "box", box, "after", strconv.FormatInt(d.Requests[pageSize-1].ID, 10))
	}
	if d.Overdue, err = s.app.CountOverdueAssist(r.Context(), v.actor); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "assist", d)
}

// assistNewPage is the form to send requests, and after sending the
// answer: the letters, the people not sent, the rows refused.
type assistNewPage struct {
	page
	Form    form
	Sources []cordon.AssistSource
	People  []cordon.Person // chosen elsewhere, as the reader may see them
	Result  *app.AssistFanOut
}

var assistFields = []string{"reason", "source", "contact"}

func (s *server) assistNewPage(r *http.Request, f form) (assistNewPage, error) {
	v := s.visitOf(r)
	d := assistNewPage{page: s.newPage(r, "assist.new", "assist"), Form: f, Sources: cordon.AssistSources}
	if !v.actor.Can(cordon.PermAssistWrite) {
		return d, cordon.ErrForbidden
	}
	ids := r.URL.Query()["person"]
	if r.Method == http.MethodPost {
		ids = r.PostForm["person_id"]
	}
	for _, s2 := range ids {
		id, err := strconv.ParseInt(s2, 10, 64)
		if err != nil {
			continue
		}
		p, err := s.app.Person(r.Context(), v.actor, id, "assist")
		if err != nil {
			return d, err
		}
		d.People = append(d.People, p)
	}
	return d, nil
}

func (s *server) assistNew(w http.ResponseWriter, r *http.Request) {
	d, err := s.assistNewPage(r, form{Values: map[string]string{"source": string(cordon.AssistInvestigation)}})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "assist_new", d)
}

// assistCreate sends requests about the people chosen (person_id, each
// with note_<id>) or about those of the uploaded file.
func (s *server) assistCreate(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	if err := r.ParseMultipartForm(32 << 20); err != nil && err != http.ErrNotMultipart {
		s.fail(w, r, cordon.Errorf(cordon.KindInvalid, "request.read", "the upload could not be read"))
		return
	}
	f := formFrom(r, assistFields...)
	d, err := s.assistNewPage(r, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := cordon.AssistInput{Reason: f.Get("reason"), Source: cordon.AssistSource(f.Get("source")), Contact: f.Get("contact")}
	var out app.AssistFanOut
	if part, header, ferr := r.FormFile("file"); ferr == nil {
		defer part.Close()
		data, err := io.ReadAll(part)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		format, _ := linelist.FormatOfName(header.Filename)
		out, err = s.app.CreateAssistFromFile(r.Context(), v.actor, in, app.ImportFile{Name: header.Filename, Format: format, Data: data})
	} else {
		for _, p := range d.People {
			in.People = append(in.People, cordon.AssistPersonInput{PersonID: p.ID, Note: r.PostFormValue("note_" + strconv.FormatInt(p.ID, 10))})
		}
		out, err = s.app.CreateAssist(r.Context(), v.actor, in)
	}
	if err != nil {
		status, alert, ok := formFailure(err, &d.Form)
		if !ok {
			if k := cordon.ErrorKind(err); k != cordon.KindInvalid && k != cordon.KindUnsupported {
				s.fail(w, r, err)
				return
			}
			status, alert = cordon.ErrorKind(err).HTTPStatus(), errorKey(err)
		}
		d.Alert = alert
		s.render(w, r, status, "assist_new", d)
		return
	}
	d.Result = &out
	s.render(w, r, http.StatusOK, "assist_new", d)
}

// assistShowPage is one request. Receiver is true for the jurisdiction
// that works on its people here.
type assistShowPage struct {
	page
	Request  cordon.AssistRequest
	Receiver bool
	Statuses []cordon.AssistStatus
	Progress assistProgress
}

// assistProgress is the part htmx refreshes: counts and each person's
// status by position, naming no one.
type assistProgress struct {
	Request cordon.AssistRequest
	Open    bool // some person has no final outcome yet: keep refreshing
}

func progressOf(r cordon.AssistRequest) assistProgress {
	return assistProgress{Request: r, Open: r.Counts.Done() < r.Counts.Total}
}

func (s *server) assistShowPage(r *http.Request, id int64) (assistShowPage, error) {
	v := s.visitOf(r)
	req, err := s.app.AssistRequest(r.Context(), v.actor, id)
	d := assistShowPage{page: s.newPage(r, "assist.show", "assist"), Request: req, Progress: progressOf(req), Statuses: assistOutcomes,
		Receiver: v.actor.Sees(req.Target) && req.PeerID == 0 && v.actor.Can(cordon.PermAssistWrite)}
	return d, err
}

// assistOutcomes are the outcomes the receiver's form offers.
var assistOutcomes = []cordon.AssistStatus{cordon.AssistLocated, cordon.AssistContacted, cordon.AssistTested, cordon.AssistControlled, cordon.AssistNotFound}

func (s *server) assistShow(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt64(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	d, err := s.assistShowPage(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "assist_show", d)
}

func (s *server) assistProgress(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	id, ok := pathInt64(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	req, err := s.app.AssistProgress(r.Context(), v.actor, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderFragment(w, r, http.StatusOK, "assist_show", "assist-progress", progressOf(req))
}

// assistPersonPath reads the request id and the person's position.
func assistPersonPath(r *http.Request) (int64, int, bool) {
	id, ok := pathInt64(r, "id")
	pos, err := strconv.Atoi(r.PathValue("pos"))
	return id, pos, ok && err == nil && pos > 0
}

// assistPersonDone answers a receiver's form: back to the request, or
// the request again with the error for what the form got wrong.
func (s *server) assistPersonDone(w http.ResponseWriter, r *http.Request, id int64, err error, what string) {
	if err == nil {
		s.done(w, r, "/assist/"+strconv.FormatInt(id, 10), what)
		return
	}
	k := cordon.ErrorKind(err)
	if k != cordon.KindInvalid && k != cordon.KindConflict {
		s.fail(w, r, err)
		return
	}
	d, rerr := s.assistShowPage(r, id)
	if rerr != nil {
		s.fail(w, r, rerr)
		return
	}
	d.Alert = errorKey(err)
	s.render(w, r, k.HTTPStatus(), "assist_show", d)
}

func (s *server) assistOutcome(w http.ResponseWriter, r *http.Request) {
	id, pos, ok := assistPersonPath(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	o := cordon.AssistOutcome{Status: cordon.AssistStatus(r.PostFormValue("status")), Note: r.PostFormValue("note")}
	_, err := s.app.RecordAssistOutcome(r.Context(), s.visitOf(r).actor, id, pos, o)
	s.assistPersonDone(w, r, id, err, "assist.recorded")
}

func (s *server) assistAssign(w http.ResponseWriter, r *http.Request) {
	id, pos, ok := assistPersonPath(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	_, err := s.app.AssignAssistGrid(r.Context(), s.visitOf(r).actor, id, pos, strings.TrimSpace(r.PostFormValue("grid")))
	s.assistPersonDone(w, r, id, err, "assist.assigned")
}

func (s *server) assistForward(w http.ResponseWriter, r *http.Request) {
	id, pos, ok := assistPersonPath(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	in := app.AssistForward{To: strings.TrimSpace(r.PostFormValue("to")), Note: r.PostFormValue("note"), Contact: r.PostFormValue("contact")}
	_, err := s.app.ForwardAssist(r.Context(), s.visitOf(r).actor, id, pos, in)
	s.assistPersonDone(w, r, id, err, "assist.forwarded")
}

func (s *server) assistExport(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt64(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	s.lineList(w, r, "assist-"+strconv.FormatInt(id, 10), func(format string, w io.Writer) error {
		return s.app.AssistExport(r.Context(), s.visitOf(r).actor, id, format, w)
	})
}

func (s *server) assistLetter(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt64(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	var buf bytes.Buffer
	if err := s.app.AssistLetter(r.Context(), s.visitOf(r).actor, id, &buf); err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", `inline; filename="assist-`+strconv.FormatInt(id, 10)+`.pdf"`)
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}

type assistOverduePage struct {
	page
	People []cordon.AssistOverdue
}

func (s *server) assistOverdue(w http.ResponseWriter, r *http.Request) {
	people, err := s.app.OverdueAssist(r.Context(), s.visitOf(r).actor, 500)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "assist_overdue", assistOverduePage{page: s.newPage(r, "assist.overdue", "assist"), People: people})
}
