package web

import (
	"io"
	"net/http"
	"path"
	"strings"

	"cordon"
)

// labUploadPage takes a lab's result file and shows what became of it.
type labUploadPage struct {
	page
	FileName string
	Result   *cordon.LabUpload
}

// labContentTypes chooses the format of an upload by its file name: lab
// systems export .json, .csv and .xlsx, and HL7 v2 as .hl7 or .txt.
var labContentTypes = map[string]string{
	".json": "application/json",
	".csv":  "text/csv",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".hl7":  "application/hl7-v2",
	".txt":  "application/hl7-v2",
}

func (s *server) labUploadForm(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	if !v.actor.Can(cordon.PermLabWrite) {
		s.fail(w, r, cordon.ErrForbidden)
		return
	}
	s.render(w, r, http.StatusOK, "lab_upload", labUploadPage{page: s.newPage(r, "labupload.title", "results")})
}

// labUpload reads the posted file and applies it through app, which keeps
// unreadable rows in the inbox and refuses the rest with reasons.
func (s *server) labUpload(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	d := labUploadPage{page: s.newPage(r, "labupload.title", "results")}
	file, header, err := r.FormFile("file")
	if err != nil {
		d.Alert = "error.labupload.no_file"
		s.render(w, r, http.StatusUnprocessableEntity, "lab_upload", d)
		return
	}
	defer file.Close()
	d.FileName = header.Filename
	contentType, ok := labContentTypes[strings.ToLower(path.Ext(header.Filename))]
	if !ok {
		d.Alert = "error.labresult.format"
		s.render(w, r, http.StatusUnsupportedMediaType, "lab_upload", d)
		return
	}
	data, err := io.ReadAll(file)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	up, err := s.app.UploadLabFile(r.Context(), v.actor, contentType, data)
	if err != nil {
		if k := cordon.ErrorKind(err); k == cordon.KindInvalid || k == cordon.KindUnsupported {
			d.Alert = errorKey(err)
			s.render(w, r, k.HTTPStatus(), "lab_upload", d)
			return
		}
		s.fail(w, r, err)
		return
	}
	d.Result = &up
	s.render(w, r, http.StatusOK, "lab_upload", d)
}
