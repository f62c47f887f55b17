package web

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"cordon"
	"cordon/internal/app"
)

// policyPage shows the policy edition in force in a jurisdiction on a day
// (the account's own jurisdiction today unless asked), its numbers in
// words, the editions cordon ships and the assignments that bear on it;
// administrators also get the form that assigns an edition from a date
// with local overrides.
type policyPage struct {
	page
	Query       form // jurisdiction, at
	Place       string
	Day         string // the day shown, YYYY-MM-DD
	View        app.PolicyView
	Edition     string // the name of the edition in force, in the page's language
	Base        string // the name of the edition it amends, "" when none
	Measures    []measureRow
	Assignments []assignmentRow
	Editions    []editionRow
	Assign      assignForm
	Places      []cordon.Jurisdiction
}

// measureRow is the control of one population in words, "" when the
// edition does not identify the population.
type measureRow struct {
	Population string
	Text       string
}

// populations are the populations of Policy.Measures in display order.
var populations = []string{"close_contact", "secondary_contact", "high_risk_area", "medium_risk_area", "risk_occupation"}

type assignmentRow struct {
	cordon.PolicyAssignment
	Place     string
	Edition   string
	Overrides []overrideValue
	Current   bool // the jurisdiction's latest assignment applicable on the day
	Below     bool // of a jurisdiction inside the one shown: it does not bear on it
}

type overrideValue struct{ Path, Value string }

type editionRow struct {
	cordon.Policy
	Title   string
	BaseOf  string
	InForce bool
}

// assignForm is the administrators' form: a row per value an override may
// set, holding what the edition in force says, to leave blank or change.
type assignForm struct {
	Form     form
	Editions []editionRow
	Rows     []overrideRow
}

type overrideRow struct {
	Path    string
	Current string // the value in force
	Bool    bool   // a yes/no value rather than a number
}

// editionName is an edition's name in a language.
func editionName(lang string, p cordon.Policy) string {
	if lang == "en" && p.NameEN != "" {
		return p.NameEN
	}
	return p.Name
}

// dateLayout is what an <input type="date"> sends.
const dateLayout = "2006-01-02"

// policyPageFor reads the view asked for by the query form and fills the
// page, the assignment form empty but for the jurisdiction and the date.
func (s *server) policyPageFor(r *http.Request, query form) (policyPage, int, error) {
	v := s.visitOf(r)
	d := policyPage{page: s.newPage(r, "policies.title", "policies"), Query: query, Places: s.places(r)}
	code := strings.TrimSpace(query.Get("jurisdiction"))
	if code != "" {
		if _, ok := cordon.LevelOf(code); !ok {
			d.Query.fail("jurisdiction", "jurisdiction.unknown")
		}
	}
	var at time.Time
	if day := strings.TrimSpace(query.Get("at")); day != "" {
		t, err := time.ParseInLocation(dateLayout, day, chinaTime)
		if err != nil {
			d.Query.fail("at", "form.day_invalid")
		}
		at = t.Add(12 * time.Hour) // the day, whatever hour the edition changes
	}
	if len(d.Query.Errors) > 0 {
		d.Alert = "form.fix_fields"
		code, at = "", time.Time{}
	}
	view, err := s.app.Policies(r.Context(), v.actor, code, at)
	if err != nil {
		if cordon.ErrorCode(err) == "jurisdiction.not_found" && code != "" {
			d.Query.fail("jurisdiction", "jurisdiction.not_found")
			d.Alert = "error.jurisdiction.not_found"
			if view, err = s.app.Policies(r.Context(), v.actor, "", time.Time{}); err == nil {
				s.fillPolicies(r.Context(), &d, view)
			}
			return d, http.StatusNotFound, err
		}
		return d, 0, err
	}
	s.fillPolicies(r.Context(), &d, view)
	status := http.StatusOK
	if len(d.Query.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return d, status, nil
}

func (s *server) fillPolicies(ctx context.Context, d *policyPage, view app.PolicyView) {
	d.View = view
	d.Day = view.At.In(chinaTime).Format(dateLayout)
	d.Place = s.app.PathName(ctx, view.Jurisdiction)
	p := view.InForce
	d.Edition = editionName(d.Lang, p)
	if base, ok := cordon.Edition(p.Base); ok {
		d.Base = editionName(d.Lang, base)
	}
	for _, pop := range populations {
		d.Measures = append(d.Measures, measureRow{Population: pop, Text: s.measureText(d.Lang, p.Measures[pop])})
	}
	day := view.At.In(chinaTime).Format(dateLayout)
	latest := map[string]string{}
	for _, a := range view.Assignments {
		if a.From <= day && a.From > latest[a.Jurisdiction] && (a.Jurisdiction == view.Jurisdiction || cordon.Within(view.Jurisdiction, a.Jurisdiction)) {
			latest[a.Jurisdiction] = a.From
		}
	}
	for _, a := range view.Assignments {
		row := assignmentRow{PolicyAssignment: a, Place: s.app.PathName(ctx, a.Jurisdiction), Current: latest[a.Jurisdiction] == a.From && a.From <= day,
			Below: a.Jurisdiction != view.Jurisdiction && cordon.Within(a.Jurisdiction, view.Jurisdiction)}
		if e, ok := cordon.Edition(a.Edition); ok {
			row.Edition = editionName(d.Lang, e)
		}
		paths := make([]string, 0, len(a.Overrides))
		for path := range a.Overrides {
			paths = append(paths, path)
		}
		slices.Sort(paths)
		for _, path := range paths {
			row.Overrides = append(row.Overrides, overrideValue{Path: path, Value: s.overrideText(d.Lang, a.Overrides[path])})
		}
		d.Assignments = append(d.Assignments, row)
	}
	for _, e := range view.Editions {
		row := editionRow{Policy: e, Title: editionName(d.Lang, e), InForce: e.Key == p.Key}
		if base, ok := cordon.Edition(e.Base); ok {
			row.BaseOf = editionName(d.Lang, base)
		}
		d.Editions = append(d.Editions, row)
	}
	d.Assign.Editions = d.Editions
	current := policyValues(p)
	for _, path := range view.Overridable {
		val := current[path]
		row := overrideRow{Path: path, Bool: switchPath(path)}
		switch x := val.(type) {
		case bool:
			row.Current = s.overrideText(d.Lang, json.RawMessage(strconv.FormatBool(x)))
		case float64:
			row.Current = strconv.FormatFloat(x, 'f', -1, 64)
		}
		if row.Bool && row.Current == "" {
			row.Current = s.cat.T(d.Lang, "policy.no") // an edition without it leaves it off
		}
		d.Assign.Rows = append(d.Assign.Rows, row)
	}
	if d.Assign.Form.Values == nil {
		d.Assign.Form = form{Values: map[string]string{"jurisdiction": view.Jurisdiction, "from": s.opt.Now().In(chinaTime).Format(dateLayout)}}
	}
}

// switchPath reports whether the value at a JSON path of a policy
// ("arrivals.ordinary_test_mandatory") is a yes/no switch, which the form
// offers as a choice rather than a number.
func switchPath(path string) bool {
	section, field, _ := strings.Cut(path, ".")
	t := reflect.TypeFor[cordon.Policy]()
	for _, name := range []string{section, field} {
		found := false
		for i := range t.NumField() {
			if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); tag == name {
				t, found = t.Field(i).Type, true
				break
			}
		}
		if !found {
			return false
		}
	}
	return t.Kind() == reflect.Bool
}

// policyValues flattens a policy to its values by JSON path
// ("contacts.window_days"), as overrides name them. A value the edition
// leaves out (no traveller rules) is absent.
func policyValues(p cordon.Policy) map[string]any {
	b, _ := json.Marshal(p)
	var doc map[string]any
	_ = json.Unmarshal(b, &doc)
	out := map[string]any{}
	for section, v := range doc {
		if m, ok := v.(map[string]any); ok {
			for field, x := range m {
				out[section+"."+field] = x
			}
		}
	}
	return out
}

// overrideText shows an override's value: yes or no for a switch, the
// number otherwise.
func (s *server) overrideText(lang string, raw json.RawMessage) string {
	switch strings.TrimSpace(string(raw)) {
	case "true":
		return s.cat.T(lang, "policy.yes")
	case "false":
		return s.cat.T(lang, "policy.no")
	}
	return string(raw)
}

// measureText says a population's control measure in words: centralised
// quarantine and its test days, then the time at home and its test days,
// or a daily test. "" for a population the edition does not identify.
func (s *server) measureText(lang string, m *cordon.Measure) string {
	if m == nil {
		return ""
	}
	days := func(ds []int) string {
		parts := make([]string, len(ds))
		for i, d := range ds {
			parts[i] = strconv.Itoa(d)
		}
		return s.cat.T(lang, "policy.test_days", strings.Join(parts, s.cat.T(lang, "policy.day_sep")))
	}
	var parts []string
	if m.CentralisedDays > 0 {
		p := s.cat.T(lang, "policy.centralised", m.CentralisedDays)
		if len(m.Tests) > 0 {
			p += s.cat.T(lang, "policy.comma") + days(m.Tests)
		}
		parts = append(parts, p)
	}
	if m.HomeDays > 0 {
		key := "policy.home_monitoring"
		if m.Home == "isolation" {
			key = "policy.home_isolation"
		}
		p := s.cat.T(lang, key, m.HomeDays)
		tests := m.HomeTests
		if m.CentralisedDays == 0 && len(tests) == 0 {
			tests = m.Tests
		}
		if len(tests) > 0 {
			p += s.cat.T(lang, "policy.comma") + days(tests)
		}
		parts = append(parts, p)
	}
	if m.DailyTest {
		parts = append(parts, s.cat.T(lang, "policy.daily_test"))
	}
	if len(parts) == 0 {
		return s.cat.T(lang, "policy.no_measure")
	}
	return strings.Join(parts, s.cat.T(lang, "policy.then"))
}

func (s *server) policies(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d, status, err := s.policyPageFor(r, form{Values: map[string]string{"jurisdiction": q.Get("jurisdiction"), "at": q.Get("at")}})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, "policies", d)
}

// policySet assigns an edition, or overrides values, from a day. The
// overrides are the rows typed in; blank rows keep what is in force.
func (s *server) policySet(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	if !v.actor.Can(cordon.PermPolicyManage) {
		s.fail(w, r, cordon.ErrForbidden)
		return
	}
	f := formFrom(r, append([]string{"jurisdiction", "from", "edition", "reason"}, cordon.Overridable()...)...)
	in := cordon.PolicyAssignment{Jurisdiction: strings.TrimSpace(f.Get("jurisdiction")), From: strings.TrimSpace(f.Get("from")),
		Edition: f.Get("edition"), Reason: f.Get("reason"), Overrides: map[string]json.RawMessage{}}
	for _, path := range cordon.Overridable() {
		raw := strings.TrimSpace(f.Get(path))
		switch {
		case raw == "":
			continue
		case raw == "true" || raw == "false":
		default:
			if _, err := strconv.Atoi(raw); err != nil {
				f.fail(path, "form.number_invalid")
				continue
			}
		}
		in.Overrides[path] = json.RawMessage(raw)
	}
	if strings.TrimSpace(in.Reason) == "" {
		f.fail("reason", "policy.reason_required")
	}
	var err error
	if len(f.Errors) == 0 {
		if err = s.app.SetPolicy(r.Context(), v.actor, in); err == nil {
			s.done(w, r, withQuery("/policies", "jurisdiction", in.Jurisdiction, "at", in.From), "policy.set")
			return
		}
	}
	d, _, perr := s.policyPageFor(r, form{Values: map[string]string{"jurisdiction": in.Jurisdiction}})
	if perr != nil || len(d.Query.Errors) > 0 {
		// The jurisdiction typed is not one to show: the account's own.
		if d, _, perr = s.policyPageFor(r, form{Values: map[string]string{}}); perr != nil {
			s.fail(w, r, perr)
			return
		}
	}
	d.Query.Errors = nil
	d.Alert = ""
	d.Assign.Form = f
	status, alert := http.StatusUnprocessableEntity, "form.fix_fields"
	if err != nil {
		var ok bool
		if status, alert, ok = formFailure(err, &d.Assign.Form); !ok {
			if cordon.ErrorCode(err) != "jurisdiction.not_found" {
				s.fail(w, r, err)
				return
			}
			d.Assign.Form.fail("jurisdiction", "jurisdiction.not_found")
			status, alert = http.StatusNotFound, "error.jurisdiction.not_found"
		}
	}
	d.Alert = alert
	s.render(w, r, status, "policies", d)
}
