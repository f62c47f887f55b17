package web

import (
	"io"
	"net/http"
	"strconv"

	"cordon"
	"cordon/internal/app"
	"cordon/internal/linelist"
)

// importFormPage takes a line list of one kind to import.
type importFormPage struct {
	page
	Kind string
}

// importKindOf is the kind of line list a page is about: ?kind=, cases
// by default.
func importKindOf(r *http.Request) string {
	if k := r.FormValue("kind"); k != "" {
		return k
	}
	return "cases"
}

// importForm starts the form's page, or answers that the account may not
// import line lists of the kind.
func (s *server) importForm(w http.ResponseWriter, r *http.Request) (importFormPage, bool) {
	kind := importKindOf(r)
	if err := s.app.MayImport(s.visitOf(r).actor, kind); err != nil {
		s.fail(w, r, err)
		return importFormPage{}, false
	}
	return importFormPage{page: s.newPage(r, "import.title."+kind, "cases"), Kind: kind}, true
}

func (s *server) importNew(w http.ResponseWriter, r *http.Request) {
	if d, ok := s.importForm(w, r); ok {
		s.render(w, r, http.StatusOK, "import_form", d)
	}
}

// importCreate reads the posted file and starts its import, then shows
// the job: its progress while it runs, its outcome when it ends. A file
// that cannot be read is shown on the form again with the reason.
func (s *server) importCreate(w http.ResponseWriter, r *http.Request) {
	d, ok := s.importForm(w, r)
	if !ok {
		return
	}
	part, header, err := r.FormFile("file")
	if err != nil {
		d.Alert = "error.import.no_file"
		s.render(w, r, http.StatusUnprocessableEntity, "import_form", d)
		return
	}
	defer part.Close()
	data, err := io.ReadAll(part)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	format, _ := linelist.FormatOfName(header.Filename)
	job, err := s.app.StartImport(r.Context(), s.visitOf(r).actor, d.Kind, app.ImportFile{Name: header.Filename, Format: format, Data: data})
	if err != nil {
		if k := cordon.ErrorKind(err); k == cordon.KindInvalid || k == cordon.KindUnsupported {
			d.Alert = errorKey(err)
			s.render(w, r, k.HTTPStatus(), "import_form", d)
			return
		}
		s.fail(w, r, err)
		return
	}
	seeOther(w, r, "/imports/"+strconv.FormatInt(job.ID, 10))
}
