package web

import (
	"net/http"
	"strconv"
	"strings"

	"cordon"
)

// casePage is one case: its facts, its reporting clocks with buttons that
// stop the trajectory and initial-report clocks, its history, and the form
// that reclassifies it or completes its clinical fields.
type casePage struct {
	page
	Case    cordon.Case
	Place   string
	Clocks  []clockView
	History []historyRow
	Edit    caseFields
	Link    linkForm
}

// caseForms are the forms of the case page to show again after a failed
// post; nil shows a form afresh.
type caseForms struct {
	edit *form
	link *linkForm
}

// historyRow is one change of a case, with the translation-key prefix of
// its values: "" for a value shown as stored (a lineage).
type historyRow struct {
	cordon.CaseChange
	Prefix string
}

// caseValue is one side of a change, for the case-value template.
type caseValue struct{ Prefix, Value string }

// Old is the value before the change.
func (h historyRow) Old() caseValue { return caseValue{h.Prefix, h.From} }

// New is the value after the change.
func (h historyRow) New() caseValue { return caseValue{h.Prefix, h.To} }

// caseFields is the clinical part of the case forms: the values typed or
// stored, and the choices of each list.
type caseFields struct {
	Form            form
	Classifications []cordon.Classification
	Severities      []cordon.Severity
	Origins         []cordon.Origin
	// Outcomes are offered when editing; a new case is under treatment.
	Outcomes []cordon.CaseOutcome
}

// caseFieldNames are the clinical fields the case forms post.
var caseFieldNames = []string{"classification", "severity", "onset_date", "sampling_date", "variant", "lineage", "hospital", "outcome", "origin"}

// historyPrefix names the translations of a history field's values.
var historyPrefix = map[string]string{
	"classification": "classification.",
	"severity":       "severity.",
	"outcome":        "case.outcome_",
}

func newCaseFields(f form) caseFields {
	return caseFields{Form: f, Classifications: cordon.Classifications, Severities: cordon.Severities, Origins: []cordon.Origin{cordon.Local, cordon.Imported}}
}

// caseForm is the edit form filled with the stored case.
func caseForm(c cordon.Case) form {
	return form{Values: map[string]string{
		"classification": string(c.Classification),
		"severity":       string(c.Severity),
		"onset_date":     c.OnsetDate,
		"sampling_date":  c.SamplingDate,
		"variant":        c.Variant,
		"lineage":        c.Lineage,
		"hospital":       c.Hospital,
		"outcome":        string(c.Outcome),
		"origin":         string(c.Origin),
		"version":        strconv.Itoa(c.Version),
	}}
}

// caseInputFrom reads the clinical fields of a posted case form. The
// clinical type belongs to confirmed cases only, so it is dropped when the
// case is (re)classified as anything else rather than refused: reclassifying
// a confirmed case must not need two edits.
func caseInputFrom(f form) cordon.CaseInput {
	in := cordon.CaseInput{
		Classification: cordon.Classification(f.Get("classification")),
		Severity:       cordon.Severity(f.Get("severity")),
		OnsetDate:      strings.TrimSpace(f.Get("onset_date")),
		SamplingDate:   strings.TrimSpace(f.Get("sampling_date")),
		Variant:        f.Get("variant"),
		Lineage:        strings.TrimSpace(f.Get("lineage")),
		Hospital:       f.Get("hospital"),
		Outcome:        cordon.CaseOutcome(f.Get("outcome")),
		Origin:         cordon.Origin(f.Get("origin")),
	}
	if in.Classification != cordon.Confirmed {
		in.Severity = ""
	}
	return in
}

// caseID reads the {id} of a case route.
func caseID(r *http.Request) (int64, bool) { return pathInt64(r, "id") }

func (s *server) caseShow(w http.ResponseWriter, r *http.Request) {
	id, ok := caseID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	s.showCase(w, r, http.StatusOK, id, caseForms{}, "")
}

// showCase renders the case page with the forms of a failed post shown
// again: the edit form with the stored values otherwise, the link form
// empty.
func (s *server) showCase(w http.ResponseWriter, r *http.Request, status int, id int64, forms caseForms, alert string) {
	v := s.visitOf(r)
	c, err := s.app.Case(r.Context(), v.actor, id, "")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := casePage{page: s.newPage(r, "case.title", "cases"), Case: c, Place: s.app.PathName(r.Context(), c.Jurisdiction), Clocks: clockViews(c.Clocks)}
	d.Alert = alert
	for _, h := range c.History {
		d.History = append(d.History, historyRow{CaseChange: h, Prefix: historyPrefix[h.Field]})
	}
	f := caseForm(c)
	if forms.edit != nil {
		f = *forms.edit
	}
	d.Edit = newCaseFields(f)
	d.Edit.Outcomes = []cordon.CaseOutcome{cordon.Recovered, cordon.Deceased}
	d.Link = linkForm{Form: form{Values: map[string]string{}}}
	if forms.link != nil {
		d.Link = *forms.link
	}
	d.Link.Confidences = cordon.Confidences
	s.render(w, r, status, "case", d)
}

// caseUpdate saves the edit form. The version it carries makes an edit
// made meanwhile a conflict instead of a silent overwrite.
func (s *server) caseUpdate(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	id, ok := caseID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	f := formFrom(r, append(caseFieldNames, "version")...)
	in := caseInputFrom(f)
	var err error
	// A missing version would skip the check: treat it as stale.
	if in.Version, err = strconv.Atoi(f.Get("version")); err != nil || in.Version < 1 {
		s.showCase(w, r, http.StatusConflict, id, caseForms{edit: &f}, "error.case.changed")
		return
	}
	if _, err := s.app.UpdateCase(r.Context(), v.actor, id, in); err != nil {
		status, alert, ok := formFailure(err, &f)
		if !ok {
			s.fail(w, r, err)
			return
		}
		s.showCase(w, r, status, id, caseForms{edit: &f}, alert)
		return
	}
	s.done(w, r, "/cases/"+strconv.FormatInt(id, 10), "case.updated")
}

// caseStep records the trajectory or the initial investigation report as
// submitted, stopping its clock.
func (s *server) caseStep(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	id, ok := caseID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	step := r.PostFormValue("step")
	if _, err := s.app.MarkCaseStep(r.Context(), v.actor, id, step); err != nil {
		s.fail(w, r, err)
		return
	}
	s.done(w, r, "/cases/"+strconv.FormatInt(id, 10), "case."+step)
}
