package api

import (
	"errors"
	"io"
	"mime"
	"net/http"

	"cordon"
	"cordon/internal/app"
	"cordon/internal/linelist"
)

// MaxImportBody bounds an uploaded line list; the server's cap on every
// body may be lower.
const MaxImportBody = 32 << 20

// ImportDetail is an import with a page of its row errors.
type ImportDetail struct {
	app.ImportJob
	Errors Page[app.ImportError] `json:"errors"`
}

// startImport takes a line list as the body (text/csv or the XLSX type,
// the file name in ?name=) or as the "file" part of a multipart form, and
// answers 201 with the finished job when the file was small enough to
// import at once, else 202 with the running job; Location names it.
func (s *Server) startImport(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	file, err := importFile(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	job, err := s.app.StartImport(r.Context(), actor, r.URL.Query().Get("kind"), file)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/imports/"+itoa(job.ID))
	status := http.StatusCreated
	if job.Status == app.ImportRunning {
		status = http.StatusAccepted
	}
	writeJSON(w, status, job)
}

// importFile reads the upload of a line list. Its format comes from the
// Content-Type of the body or of the part, else from the file name; app
// refuses a file of no format it reads.
func importFile(w http.ResponseWriter, r *http.Request) (app.ImportFile, error) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxImportBody)
	f := app.ImportFile{Name: r.URL.Query().Get("name")}
	var body io.Reader = r.Body
	contentType := r.Header.Get("Content-Type")
	if mt, _, _ := mime.ParseMediaType(contentType); mt == "multipart/form-data" {
		part, header, err := r.FormFile("file")
		if err != nil {
			return f, uploadError(err, "send the line list as the part named file")
		}
		defer part.Close()
		body, f.Name, contentType = part, header.Filename, header.Header.Get("Content-Type")
	}
	var ok bool
	if f.Format, ok = linelist.FormatOf(contentType); !ok {
		f.Format, _ = linelist.FormatOfName(f.Name)
	}
	var err error
	if f.Data, err = io.ReadAll(body); err != nil {
		return f, uploadError(err, "the upload could not be read")
	}
	return f, nil
}

// uploadError is a body over the limit, or one that cannot be read.
func uploadError(err error, message string) error {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return cordon.Errorf(cordon.KindTooLarge, "request.too_large", "the upload is over %d bytes", tooLarge.Limit)
	}
	return cordon.Errorf(cordon.KindInvalid, "request.read", "%s", message)
}

func (s *Server) getImport(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
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
	job, errs, err := s.app.Import(r.Context(), actor, id, after, limit)
	s.reply(w, r, http.StatusOK, ImportDetail{ImportJob: job, Errors: page(errs, limit, func(e app.ImportError) int64 { return e.ID })}, err)
}

func (s *Server) listImports(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	after, limit, err := listArgs(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	jobs, err := s.app.Imports(r.Context(), actor, after, limit)
	s.reply(w, r, http.StatusOK, page(jobs, limit, func(j app.ImportJob) int64 { return j.ID }), err)
}
