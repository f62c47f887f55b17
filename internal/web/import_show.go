package web

import (
	"net/http"
	"strconv"
	"strings"

	"cordon"
	"cordon/internal/app"
)

// importPage is one import: its progress bar while it runs, refreshed
// every second by htmx from importProgress (a reload shows the same without
// scripts), its counts, and its row errors a page at a time.
type importPage struct {
	page
	View importView
}

// importView is the part of the page htmx refreshes.
type importView struct {
	Job     app.ImportJob
	Errors  []importErrorRow
	After   int64  // the errors shown follow this one
	Next    string // the next page of errors
	Problem string // translation key of why the job cannot be shown
}

// importErrorRow is a row error with a link to the record it collided
// with: "case:12" is /cases/12.
type importErrorRow struct {
	app.ImportError
	Link string
}

// Running reports a job still at work: the view polls for its progress.
func (v importView) Running() bool { return v.Job.Status == app.ImportRunning }

// Back is the list the imported records join: /cases for cases.
func (v importView) Back() string { return "/" + v.Job.Kind }

// importViewOf reads a job and the page of its errors after ?after=.
func (s *server) importViewOf(r *http.Request) (importView, error) {
	v := s.visitOf(r)
	id, ok := pathInt64(r, "id")
	if !ok {
		return importView{}, cordon.Errorf(cordon.KindNotFound, "import.not_found", "import not found")
	}
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	job, errs, err := s.app.Import(r.Context(), v.actor, id, after, pageSize)
	d := importView{Job: job, After: after}
	for _, e := range errs {
		row := importErrorRow{ImportError: e}
		if kind, id, ok := strings.Cut(e.Record, ":"); ok && kind != "" {
			if _, err := strconv.ParseInt(id, 10, 64); err == nil {
				row.Link = "/" + kind + "s/" + id
			}
		}
		d.Errors = append(d.Errors, row)
	}
	if len(errs) == pageSize {
		d.Next = withQuery("/imports/"+strconv.FormatInt(id, 10), "after", strconv.FormatInt(errs[pageSize-1].ID, 10))
	}
	return d, err
}

func (s *server) importShow(w http.ResponseWriter, r *http.Request) {
	view, err := s.importViewOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "import", importPage{page: s.newPage(r, "import.job_title", "cases"), View: view})
}

// importProgress answers htmx's poll with the job's part of the page.
func (s *server) importProgress(w http.ResponseWriter, r *http.Request) {
	view, err := s.importViewOf(r)
	if err != nil {
		// Shown in place of the job; a view without a running job does
		// not poll again.
		view = importView{Problem: errorKey(err)}
	}
	s.renderFragment(w, r, http.StatusOK, "import", "job", view)
}

// importListPage lists the account's own imports, newest first.
type importListPage struct {
	page
	Jobs []app.ImportJob
	Next string
}

func (s *server) importList(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	jobs, err := s.app.Imports(r.Context(), v.actor, after, pageSize)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := importListPage{page: s.newPage(r, "import.list_title", "cases"), Jobs: jobs}
	if len(jobs) == pageSize {
		d.Next = withQuery("/imports", "after", strconv.FormatInt(jobs[pageSize-1].ID, 10))
	}
	s.render(w, r, http.StatusOK, "imports", d)
}
