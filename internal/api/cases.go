package api

import (
	"bytes"
	"io"
	"net/http"

	"cordon"
	"cordon/internal/linelist"
)

func (s *Server) openCase(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in cordon.CaseInput
	if err := decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.app.OpenCase(r.Context(), actor, in)
	if err == nil {
		w.Header().Set("Location", "/api/v1/cases/"+itoa(c.ID))
	}
	s.reply(w, r, http.StatusCreated, c, err)
}

func (s *Server) listCases(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	after, limit, err := listArgs(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	cs, err := s.app.Cases(r.Context(), actor, cordon.CaseFilter{Classification: cordon.Classification(r.URL.Query().Get("classification")), After: after, Limit: limit})
	s.reply(w, r, http.StatusOK, page(cs, limit, func(c cordon.Case) int64 { return c.ID }), err)
}

func (s *Server) getCase(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.app.Case(r.Context(), actor, id, reason(r))
	s.reply(w, r, http.StatusOK, c, err)
}

func (s *Server) updateCase(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in cordon.CaseInput
	id, err := pathAndBody(w, r, &in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.app.UpdateCase(r.Context(), actor, id, in)
	s.reply(w, r, http.StatusOK, c, err)
}

// CaseStep names a reporting step done: trajectory or initial_report.
type CaseStep struct {
	Step string `json:"step"`
}

func (s *Server) markCaseStep(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in CaseStep
	id, err := pathAndBody(w, r, &in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	c, err := s.app.MarkCaseStep(r.Context(), actor, id, in.Step)
	s.reply(w, r, http.StatusOK, c, err)
}

func (s *Server) caseFHIR(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data, err := s.app.CaseFHIR(r.Context(), actor, id, reason(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/fhir+json; fhirVersion=4.0")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(data)
}

func (s *Server) linkCases(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	var in cordon.Link
	if err := decode(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.done(w, r, s.app.LinkCases(r.Context(), actor, in))
}

func (s *Server) chains(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	v, err := s.app.Chains(r.Context(), actor)
	s.reply(w, r, http.StatusOK, v, err)
}

// lineList answers a table download in the ?format asked for (XLSX by
// default): written whole before the first byte, so that an error is still
// a problem+json answer.
func (s *Server) lineList(w http.ResponseWriter, r *http.Request, name string, write func(format string, w io.Writer) error) {
	format := r.URL.Query().Get("format")
	if format == "" {
		format = linelist.XLSX
	}
	var buf bytes.Buffer
	if err := write(format, &buf); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", linelist.ContentType(format))
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.`+format+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}

func (s *Server) caseLineList(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	s.lineList(w, r, "cases", func(format string, w io.Writer) error {
		return s.app.CaseLineList(r.Context(), actor, format, w)
	})
}

func (s *Server) chainExport(w http.ResponseWriter, r *http.Request, actor cordon.Actor) {
	id, err := pathID(r, "id")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.lineList(w, r, "chain-"+itoa(id), func(format string, w io.Writer) error {
		return s.app.ChainExport(r.Context(), actor, id, format, w)
	})
}
