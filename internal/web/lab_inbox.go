package web

import (
	"net/http"
	"strconv"
	"strings"

	"cordon"
	"cordon/internal/app"
)

// labInboxPage lists the results that could not be applied, each with a
// form to apply it (with the barcode and result a person read from the raw
// text) or dismiss it with a note.
type labInboxPage struct {
	page
	Items    []cordon.InboxItem
	Outcomes []cordon.Outcome
	Next     string
	// Failed is the form that failed, with the id of its item.
	Failed   form
	FailedID int64
	// Applied tells what applying an item set off.
	Applied *cordon.LabUpload
}

var outcomes = []cordon.Outcome{cordon.OutcomeNegative, cordon.OutcomePositive, cordon.OutcomeInvalid}

func (s *server) labInbox(w http.ResponseWriter, r *http.Request) {
	s.showInbox(w, r, http.StatusOK, func(*labInboxPage) {})
}

func (s *server) showInbox(w http.ResponseWriter, r *http.Request, status int, edit func(*labInboxPage)) {
	v := s.visitOf(r)
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	items, err := s.app.Inbox(r.Context(), v.actor, after, pageSize)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := labInboxPage{page: s.newPage(r, "inbox.title", "results"), Items: items, Outcomes: outcomes}
	if len(items) == pageSize {
		d.Next = withQuery("/lab/inbox", "after", strconv.FormatInt(items[pageSize-1].ID, 10))
	}
	edit(&d)
	s.render(w, r, status, "lab_inbox", d)
}

// labInboxResolve applies or dismisses one inbox item.
func (s *server) labInboxResolve(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	id, ok := pathInt64(r, "id")
	if !ok {
		s.notFound(w, r)
		return
	}
	f := formFrom(r, "action", "barcode", "result", "ct_orf1ab", "ct_n", "note")
	res := app.InboxResolution{Dismiss: f.Get("action") == "dismiss", Note: f.Get("note"),
		Barcode: strings.TrimSpace(f.Get("barcode")), Outcome: cordon.Outcome(f.Get("result"))}
	res.CtORF1ab, _ = floatField(&f, "ct_orf1ab")
	res.CtN, _ = floatField(&f, "ct_n")
	var up cordon.LabUpload
	var err error
	if len(f.Errors) == 0 {
		up, err = s.app.ResolveInbox(r.Context(), v.actor, id, res)
	}
	if len(f.Errors) > 0 || err != nil {
		status, alert := http.StatusUnprocessableEntity, "form.fix_fields"
		if err != nil {
			if status, alert, ok = formFailure(err, &f); !ok {
				s.fail(w, r, err)
				return
			}
		}
		s.showInbox(w, r, status, func(d *labInboxPage) { d.Failed, d.FailedID, d.Alert = f, id, alert })
		return
	}
	if res.Dismiss {
		s.done(w, r, "/lab/inbox", "inbox.dismissed")
		return
	}
	s.showInbox(w, r, http.StatusOK, func(d *labInboxPage) { d.Applied, d.Notice = &up, "notice.inbox.applied" })
}
