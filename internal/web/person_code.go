package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"cordon"
)

// The health-code section of the person page: the colour now with the
// records behind each reason, the history of changes, the marks (colours
// set by hand, companions) with their revoke forms, and the forms that set
// a colour by hand and grant the travel window.

// personCode is the section's data.
type personCode struct {
	Status  cordon.HealthCodeStatus
	Causes  []codeCause
	History []codeChangeView
	Marks   []markView
	Now     time.Time
	// The forms, with what was typed and its errors after a refusal.
	Set      form
	Window   form
	Revoke   form
	RevokeID int64 // the mark whose revoke form failed
	Reasons  []cordon.CodeReason
	Colors   []cordon.CodeColor
	Hours    []int
}

// codeCause is one fact behind a colour, with a link to its record.
type codeCause struct {
	Reason cordon.CodeReason
	Force  cordon.CodeColor
	Kind   string // case, contact, order, hold, mark, measure
	ID     string
	Href   string
	From   time.Time
	Until  time.Time
}

// codeChangeView is one change of the history with its causes linked.
type codeChangeView struct {
	cordon.CodeChange
	BeganLinks []codeCause
	EndedLinks []codeCause
}

// markView is a mark with the record it came from ("case:12" for a
// companion found by that case's search); none for one set by hand.
type markView struct {
	cordon.CodeMark
	From *codeCause
}

// causeOf reads a cause such as "contact:7" into the record it names.
func causeOf(cause string) codeCause {
	kind, id, _ := strings.Cut(cause, ":")
	c := codeCause{Kind: kind, ID: id}
	switch kind {
	case "case":
		c.Href = "/cases/" + id
	case "contact":
		c.Href = "/contacts/" + id
	case "order":
		c.Href = "/orders/" + id
	case "measure":
		c.Href = "/measures#measure-" + id
	case "mark":
		c.Href = "#mark-" + id
	case "hold":
		c.Href = "/recalls"
	}
	return c
}

func causesOf(causes []string) []codeCause {
	var out []codeCause
	for _, c := range causes {
		out = append(out, causeOf(c))
	}
	return out
}

// allReasons are the Guangxi reason codes, red then yellow.
var allReasons = []cordon.CodeReason{cordon.ReasonNationalHigh, cordon.ReasonInfection, cordon.ReasonSuspected, cordon.ReasonContact,
	cordon.ReasonInboundQuarantine, cordon.ReasonArrivalQuarantine, cordon.ReasonHighRiskArea, cordon.ReasonRedOther,
	cordon.ReasonNationalMedium, cordon.ReasonPostDischarge, cordon.ReasonCompanion, cordon.ReasonMediumRiskArea,
	cordon.ReasonSameVehicle, cordon.ReasonYellowOther}

// codeForms carries the section's forms from a refused post to the page
// that shows them again.
type codeFormsKey struct{}

func withCodeForms(r *http.Request, c *personCode) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), codeFormsKey{}, c))
}

// personCodeSection reads the section for the person page; nil for a role
// that does not read codes or a merged record.
func (s *server) personCodeSection(r *http.Request, p cordon.Person, reason string) (*personCode, error) {
	v := s.visitOf(r)
	if !v.actor.Can(cordon.PermHealthCodeRead) || p.MergedInto != 0 {
		return nil, nil
	}
	d := &personCode{}
	if posted, ok := r.Context().Value(codeFormsKey{}).(*personCode); ok {
		d = posted
	}
	d.Now, d.Reasons, d.Colors = s.opt.Now(), allReasons, []cordon.CodeColor{cordon.Green, cordon.Yellow, cordon.Red}
	d.Hours = []int{1, 2, 4, 6, 8, 12, 24}
	if d.Set.Values == nil {
		d.Set = form{Values: map[string]string{"until": localTime(d.Now.Add(24 * time.Hour))}}
	}
	var err error
	if d.Status, err = s.app.HealthCode(r.Context(), v.actor, p.ID, reason); err != nil {
		return nil, err
	}
	for _, f := range d.Status.Causes {
		c := causeOf(f.Cause)
		c.Reason, c.Force, c.From, c.Until = f.Reason, f.Force, f.From, f.Until
		d.Causes = append(d.Causes, c)
	}
	history, err := s.app.HealthCodeHistory(r.Context(), v.actor, p.ID, reason)
	if err != nil {
		return nil, err
	}
	for i := len(history) - 1; i >= 0; i-- { // the latest first
		h := history[i]
		d.History = append(d.History, codeChangeView{CodeChange: h, BeganLinks: causesOf(h.Began), EndedLinks: causesOf(h.Ended)})
	}
	marks, err := s.app.CodeMarks(r.Context(), v.actor, p.ID)
	if err != nil {
		return nil, err
	}
	for _, m := range marks {
		mv := markView{CodeMark: m}
		if strings.Contains(m.Source, ":") {
			c := causeOf(m.Source)
			mv.From = &c
		}
		d.Marks = append(d.Marks, mv)
	}
	return d, nil
}

// codeFailed shows the person page again with the section's form that
// failed, or the error page for a refusal no form can mend.
func (s *server) codeFailed(w http.ResponseWriter, r *http.Request, personID int64, c *personCode, f *form, err error) {
	status, alert, ok := formFailure(err, f)
	if !ok {
		s.fail(w, r, err)
		return
	}
	s.showPerson(w, withCodeForms(r, c), status, personID, "", form{}, alert)
}

func personPath(id int64) string { return "/persons/" + strconv.FormatInt(id, 10) }

// codeSet sets a colour (or adds a reason code) by hand, with why and
// until when.
func (s *server) codeSet(w http.ResponseWriter, r *http.Request) {
	id, ok := personID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	c := &personCode{Set: formFrom(r, "color", "reason_code", "reason", "until")}
	until, ok := timeField(&c.Set, "until")
	if !ok {
		s.showPerson(w, withCodeForms(r, c), http.StatusUnprocessableEntity, id, "", form{}, "form.fix_fields")
		return
	}
	_, err := s.app.SetHealthCode(r.Context(), s.visitOf(r).actor, id, cordon.CodeMark{Force: cordon.CodeColor(c.Set.Get("color")),
		Reason: cordon.CodeReason(c.Set.Get("reason_code")), Note: strings.TrimSpace(c.Set.Get("reason")), Until: until})
	if err != nil {
		s.codeFailed(w, r, id, c, &c.Set, err)
		return
	}
	s.done(w, r, personPath(id)+"#health-code", "healthcode.set")
}

// codeWindowGrant grants a yellow-code holder the travel window.
func (s *server) codeWindowGrant(w http.ResponseWriter, r *http.Request) {
	id, ok := personID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	c := &personCode{Window: formFrom(r, "hours")}
	hours, _ := strconv.Atoi(strings.TrimSpace(c.Window.Get("hours")))
	if _, err := s.app.GrantCodeWindow(r.Context(), s.visitOf(r).actor, id, hours); err != nil {
		s.codeFailed(w, r, id, c, &c.Window, err)
		return
	}
	s.done(w, r, personPath(id)+"#health-code", "healthcode.window")
}

// codeMarkRevoke ends a mark before its expiry, with a reason; the form
// says whose page to return to.
func (s *server) codeMarkRevoke(w http.ResponseWriter, r *http.Request) {
	markID, ok := pathInt64(r, "id")
	person, err := strconv.ParseInt(r.PostFormValue("person"), 10, 64)
	if !ok || err != nil || person <= 0 {
		s.notFound(w, r)
		return
	}
	c := &personCode{Revoke: formFrom(r, "reason"), RevokeID: markID}
	if err := s.app.RevokeCodeMark(r.Context(), s.visitOf(r).actor, markID, strings.TrimSpace(c.Revoke.Get("reason"))); err != nil {
		s.codeFailed(w, r, person, c, &c.Revoke, err)
		return
	}
	s.done(w, r, personPath(person)+"#health-code", "healthcode.revoked")
}
