package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"cordon"
)

// investigationPage is the epidemiological investigation of a case: its
// window and clocks, the day-by-day coverage of the itinerary and the
// warnings, and for those who may change it one form with every part,
// which saves a draft or submits the trajectory or the initial report. The
// form works without script; static/investigation.js only adds rows.
type investigationPage struct {
	page
	Case     cordon.Case
	Inv      cordon.Investigation
	Place    string
	Clocks   []clockView
	Days     []dayView
	Warnings []warningView
	Form     investigationForm
	Entries  []numberedEntry // the itinerary as readers see it
	// The choices of the form's lists.
	SymptomCodes  []string
	TestResults   []string
	Modes         []string
	ExposureKinds []string
	SourceKinds   []string
}

// numberedEntry is an itinerary entry with its number, as warnings cite it.
type numberedEntry struct {
	N int
	cordon.ItineraryEntry
}

// dayView is one day of the window: the itinerary entries that touch it,
// numbered as stored, whether the case stayed home, whether it is covered.
type dayView struct {
	Date    string
	Entries []int
	Home    bool
	Missing bool
}

// warningView is a warning as a translation key and its arguments.
type warningView struct {
	Key  string
	Args []any
}

// investigationForm is what the form shows: the single fields in Form
// (named as in the JSON: "investigators", "source.kind"), the rows of each
// list, and the days ticked as spent at home.
type investigationForm struct {
	Form      form
	Household []formRow
	Symptoms  []formRow
	Tests     []formRow
	Itinerary []formRow
	Exposures []formRow
	HomeDays  map[string]bool
}

// formRow is one row of a list on the form, numbered from 1 as shown.
// Its fields are named "list.N.field", as app names the fields at fault.
type formRow struct {
	List   string
	N      int
	Values map[string]string
	Errors map[string]string
}

// Name is the form name of a field of the row.
func (r formRow) Name(field string) string { return r.List + "." + strconv.Itoa(r.N) + "." + field }

// ID is the element id of a field of the row.
func (r formRow) ID(field string) string { return strings.ReplaceAll(r.Name(field), ".", "-") }

// Get is the value of a field of the row.
func (r formRow) Get(field string) string { return r.Values[field] }

// Err is the error code of a field of the row, "" when it passed.
func (r formRow) Err(field string) string { return r.Errors[field] }

// Field is the field-error partial's view of a field of the row.
func (r formRow) Field(field string) fieldState {
	return fieldState{Name: r.ID(field), Error: r.Errors[field]}
}

// The fields of each list, as the JSON names them.
var investigationLists = map[string][]string{
	"household": {"name", "relation", "age", "id_number", "phone", "tested", "person_id"},
	"symptoms":  {"code", "since", "note"},
	"tests":     {"date", "place", "result", "ct_orf1ab", "ct_n"},
	"itinerary": {"from", "to", "place", "venue_id", "jurisdiction", "activity", "transport.mode", "transport.vehicle", "transport.seat", "companions", "notes"},
	"exposures": {"kind", "date", "description", "case_id"},
}

// investigationFields are the single fields of the form.
var investigationFields = []string{"version", "investigators", "occupation", "workplace", "vaccine_doses", "last_dose_date", "control_date",
	"source.kind", "source.case_id", "source.origin", "source.environment", "source.reasoning"}

// blankRows is how many empty rows each list offers for adding entries
// without script.
var blankRows = map[string]int{"household": 1, "symptoms": 1, "tests": 1, "itinerary": 3, "exposures": 1}

func (s *server) investigationShow(w http.ResponseWriter, r *http.Request) {
	id, ok := caseID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	s.showInvestigation(w, r, http.StatusOK, id, nil, "")
}

// showInvestigation renders the page, with the form of a failed post
// shown again (nil shows the stored investigation).
func (s *server) showInvestigation(w http.ResponseWriter, r *http.Request, status int, id int64, f *investigationForm, alert string) {
	v := s.visitOf(r)
	c, inv, err := s.app.Investigation(r.Context(), v.actor, id, "")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := investigationPage{page: s.newPage(r, "investigation.title", "cases"), Case: c, Inv: inv,
		Place: s.app.PathName(r.Context(), c.Jurisdiction), Clocks: clockViews(c.Clocks),
		SymptomCodes: cordon.SymptomCodes, TestResults: cordon.TestResults, Modes: cordon.TransportModes,
		ExposureKinds: cordon.ExposureKinds, SourceKinds: cordon.SourceKinds}
	d.Alert = alert
	d.Scripts = []string{"investigation.js"}
	covered := inv.Covered(inv.Window)
	for _, day := range inv.Window.Days() {
		home := slices.Contains(inv.HomeDays, day)
		d.Days = append(d.Days, dayView{Date: day, Entries: covered[day], Home: home, Missing: !home && len(covered[day]) == 0})
	}
	for k, e := range inv.Itinerary {
		d.Entries = append(d.Entries, numberedEntry{N: k + 1, ItineraryEntry: e})
	}
	// Uncovered days show in the list of days instead.
	for _, w := range inv.Warnings {
		if w.Code != cordon.WarnDayMissing {
			d.Warnings = append(d.Warnings, warningOf(w))
		}
	}
	if f == nil {
		stored := formOfInvestigation(inv)
		f = &stored
	}
	for list, n := range blankRows {
		addBlankRows(f, list, n)
	}
	d.Form = *f
	s.render(w, r, status, "investigation", d)
}

// warningOf words a warning: an entry, two entries or a day.
func warningOf(w cordon.Warning) warningView {
	key := "investigation.warn_" + strings.TrimPrefix(w.Code, "itinerary.")
	switch {
	case w.Other != 0:
		return warningView{Key: key, Args: []any{w.Entry, w.Other}}
	case w.Entry != 0:
		return warningView{Key: key, Args: []any{w.Entry}}
	}
	return warningView{Key: key + "_day", Args: []any{w.Date}}
}

// rowsOf returns the rows of a list on the form.
func (f *investigationForm) rowsOf(list string) *[]formRow {
	switch list {
	case "household":
		return &f.Household
	case "symptoms":
		return &f.Symptoms
	case "tests":
		return &f.Tests
	case "itinerary":
		return &f.Itinerary
	}
	return &f.Exposures
}

func addBlankRows(f *investigationForm, list string, n int) {
	rows := f.rowsOf(list)
	for range n {
		*rows = append(*rows, formRow{List: list, N: len(*rows) + 1, Values: map[string]string{}})
	}
}

func number(n int64) string {
	if n == 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

func decimal(x float64) string {
	if x == 0 {
		return ""
	}
	return strconv.FormatFloat(x, 'f', -1, 64)
}

// formOfInvestigation fills the form with a stored investigation.
func formOfInvestigation(inv cordon.Investigation) investigationForm {
	f := investigationForm{Form: form{Values: map[string]string{
		"version":            strconv.Itoa(inv.Version),
		"investigators":      inv.Investigators,
		"occupation":         inv.Occupation,
		"workplace":          inv.Workplace,
		"vaccine_doses":      number(int64(inv.VaccineDoses)),
		"last_dose_date":     inv.LastDoseDate,
		"control_date":       inv.ControlDate,
		"source.kind":        inv.Source.Kind,
		"source.case_id":     number(inv.Source.CaseID),
		"source.origin":      inv.Source.Origin,
		"source.environment": inv.Source.Environment,
		"source.reasoning":   inv.Source.Reasoning,
	}}, HomeDays: map[string]bool{}}
	if inv.Version > 0 {
		f.Form.Values["vaccine_doses"] = strconv.Itoa(inv.VaccineDoses)
	}
	row := func(list string, values map[string]string) {
		rows := f.rowsOf(list)
		*rows = append(*rows, formRow{List: list, N: len(*rows) + 1, Values: values})
	}
	for _, m := range inv.Household {
		tested := ""
		if m.Tested {
			tested = "1"
		}
		age := ""
		if m.Age > 0 {
			age = strconv.Itoa(m.Age)
		}
		row("household", map[string]string{"name": m.Name, "relation": m.Relation, "age": age, "id_number": m.IDNumber,
			"phone": m.Phone, "tested": tested, "person_id": number(m.PersonID)})
	}
	for _, x := range inv.Symptoms {
		row("symptoms", map[string]string{"code": x.Code, "since": x.Since, "note": x.Note})
	}
	for _, t := range inv.Tests {
		row("tests", map[string]string{"date": t.Date, "place": t.Place, "result": t.Result, "ct_orf1ab": decimal(t.CtORF1ab), "ct_n": decimal(t.CtN)})
	}
	for _, e := range inv.Itinerary {
		row("itinerary", map[string]string{"from": localTime(e.From), "to": localTime(e.To), "place": e.Place, "venue_id": number(e.VenueID),
			"venue_name": e.VenueName, "jurisdiction": e.Jurisdiction, "activity": e.Activity, "transport.mode": e.Transport.Mode,
			"transport.vehicle": e.Transport.Vehicle, "transport.seat": e.Transport.Seat, "companions": companionsText(e.Companions), "notes": e.Notes})
	}
	for _, x := range inv.Exposures {
		row("exposures", map[string]string{"kind": x.Kind, "date": x.Date, "description": x.Description, "case_id": number(x.CaseID)})
	}
	for _, d := range inv.HomeDays {
		f.HomeDays[d] = true
	}
	return f
}

// companionsText writes companions as the form takes them: names and
// "#person" numbers separated by "、".
func companionsText(cs []cordon.ItineraryCompanion) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.Name
		if c.PersonID != 0 {
			parts[i] += "#" + strconv.FormatInt(c.PersonID, 10)
		}
	}
	return strings.Join(parts, "、")
}

// parseCompanions reads "韦某、李某#12, #15": names, optionally with the
// number of a registered person after "#".
func parseCompanions(s string) ([]cordon.ItineraryCompanion, bool) {
	var out []cordon.ItineraryCompanion
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(",，、;；\n\r", r) }) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		c := cordon.ItineraryCompanion{Name: part}
		if name, num, ok := strings.Cut(part, "#"); ok {
			id, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
			if err != nil || id <= 0 {
				return nil, false
			}
			c = cordon.ItineraryCompanion{Name: strings.TrimSpace(name), PersonID: id}
		}
		out = append(out, c)
	}
	return out, true
}

// postedInvestigation reads the form into an investigation. Rows left
// blank are dropped; kept maps each list's rows, as app numbers them, to
// the rows of the form, so that a fault app finds lands on its row. A
// value web cannot read (a number, a time) marks the form and returns
// false.
func postedInvestigation(r *http.Request) (cordon.Investigation, investigationForm, map[string][]int, bool) {
	f := investigationForm{Form: formFrom(r, investigationFields...), HomeDays: map[string]bool{}}
	kept := map[string][]int{}
	ok := true
	for list, fields := range investigationLists {
		rows := f.rowsOf(list)
		for n := 1; ; n++ {
			row := formRow{List: list, N: n, Values: map[string]string{}}
			present, blank := false, true
			for _, field := range fields {
				if _, in := r.PostForm[row.Name(field)]; in {
					present = true
				}
				v := strings.TrimSpace(r.PostFormValue(row.Name(field)))
				row.Values[field] = v
				if v != "" {
					blank = false
				}
			}
			if !present {
				break
			}
			if list == "itinerary" {
				row.Values["venue_name"] = r.PostFormValue(row.Name("venue_name"))
			}
			*rows = append(*rows, row)
			if !blank {
				kept[list] = append(kept[list], n)
			}
		}
	}
	for _, d := range r.PostForm["home_days"] {
		f.HomeDays[d] = true
	}

	var inv cordon.Investigation
	fail := func(row *formRow, field, code string) {
		if row == nil {
			f.Form.fail(field, code)
		} else {
			if row.Errors == nil {
				row.Errors = map[string]string{}
			}
			row.Errors[field] = code
		}
		ok = false
	}
	integer := func(row *formRow, field string) int64 {
		var v string
		if row == nil {
			v = strings.TrimPrefix(strings.TrimSpace(f.Form.Get(field)), "#")
		} else {
			v = strings.TrimPrefix(row.Get(field), "#")
		}
		if v == "" {
			return 0
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			fail(row, field, "form.number_invalid")
		}
		return n
	}
	decimalOf := func(row *formRow, field string) float64 {
		v := row.Get(field)
		if v == "" {
			return 0
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			fail(row, field, "form.number_invalid")
		}
		return x
	}
	when := func(row *formRow, field string) time.Time {
		v := row.Get(field)
		if v == "" {
			return time.Time{}
		}
		// Browsers send seconds when a step asks for them.
		t, err := time.ParseInLocation(localTimeLayout, v, chinaTime)
		if err != nil {
			if t, err = time.ParseInLocation(localTimeLayout+":05", v, chinaTime); err != nil {
				fail(row, field, "form.date_invalid")
			}
		}
		return t
	}

	version := integer(nil, "version")
	inv.Version = int(version)
	inv.Investigators, inv.Occupation, inv.Workplace = f.Form.Get("investigators"), f.Form.Get("occupation"), f.Form.Get("workplace")
	inv.VaccineDoses = int(integer(nil, "vaccine_doses"))
	inv.LastDoseDate, inv.ControlDate = strings.TrimSpace(f.Form.Get("last_dose_date")), strings.TrimSpace(f.Form.Get("control_date"))
	inv.Source = cordon.Source{Kind: f.Form.Get("source.kind"), CaseID: integer(nil, "source.case_id"), Origin: f.Form.Get("source.origin"),
		Environment: f.Form.Get("source.environment"), Reasoning: f.Form.Get("source.reasoning")}
	for _, n := range kept["household"] {
		row := &f.Household[n-1]
		inv.Household = append(inv.Household, cordon.HouseholdMember{Name: row.Get("name"), Relation: row.Get("relation"),
			Age: int(integer(row, "age")), IDNumber: row.Get("id_number"), Phone: row.Get("phone"), Tested: row.Get("tested") != "",
			PersonID: integer(row, "person_id")})
	}
	for _, n := range kept["symptoms"] {
		row := &f.Symptoms[n-1]
		inv.Symptoms = append(inv.Symptoms, cordon.Symptom{Code: row.Get("code"), Since: row.Get("since"), Note: row.Get("note")})
	}
	for _, n := range kept["tests"] {
		row := &f.Tests[n-1]
		inv.Tests = append(inv.Tests, cordon.TestRecord{Date: row.Get("date"), Place: row.Get("place"), Result: row.Get("result"),
			CtORF1ab: decimalOf(row, "ct_orf1ab"), CtN: decimalOf(row, "ct_n")})
	}
	for _, n := range kept["itinerary"] {
		row := &f.Itinerary[n-1]
		companions, good := parseCompanions(row.Get("companions"))
		if !good {
			fail(row, "companions", "investigation.companions_invalid")
		}
		inv.Itinerary = append(inv.Itinerary, cordon.ItineraryEntry{From: when(row, "from"), To: when(row, "to"), Place: row.Get("place"),
			VenueID: integer(row, "venue_id"), Jurisdiction: row.Get("jurisdiction"), Activity: row.Get("activity"),
			Transport:  cordon.Transport{Mode: row.Get("transport.mode"), Vehicle: row.Get("transport.vehicle"), Seat: row.Get("transport.seat")},
			Companions: companions, Notes: row.Get("notes")})
	}
	for _, n := range kept["exposures"] {
		row := &f.Exposures[n-1]
		inv.Exposures = append(inv.Exposures, cordon.Exposure{Kind: row.Get("kind"), Date: row.Get("date"), Description: row.Get("description"),
			CaseID: integer(row, "case_id")})
	}
	for d := range f.HomeDays {
		inv.HomeDays = append(inv.HomeDays, d)
	}
	slices.Sort(inv.HomeDays)
	return inv, f, kept, ok
}

// markFields puts the fields app found at fault on the form: a list's
// row numbered as app saw it becomes the row of the form it came from.
func (f *investigationForm) markFields(fields map[string]string, kept map[string][]int) {
	for field, code := range fields {
		list, rest, found := strings.Cut(field, ".")
		numText, name, hasRow := strings.Cut(rest, ".")
		n, err := strconv.Atoi(numText)
		rows, isList := investigationLists[list]
		if !found || !hasRow || err != nil || !isList || n < 1 || n > len(kept[list]) || !slices.Contains(rows, name) && name != "" {
			f.Form.fail(field, code)
			continue
		}
		row := &(*f.rowsOf(list))[kept[list][n-1]-1]
		if row.Errors == nil {
			row.Errors = map[string]string{}
		}
		row.Errors[name] = code
	}
}

// investigationSave saves the form as a draft and, when asked, submits
// the trajectory or the initial report. A refused save shows the form
// again as typed; a refused submission shows what was saved, with what is
// missing marked.
func (s *server) investigationSave(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	id, ok := caseID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	if !v.actor.Can(cordon.PermCaseWrite) {
		s.fail(w, r, cordon.ErrForbidden)
		return
	}
	action := r.PostFormValue("action")
	if action != "save" && action != cordon.PartTrajectory && action != cordon.PartReport {
		action = "save"
	}
	in, f, kept, ok := postedInvestigation(r)
	if !ok {
		s.showInvestigation(w, r, http.StatusUnprocessableEntity, id, &f, "form.fix_fields")
		return
	}
	saved, err := s.app.SaveInvestigation(r.Context(), v.actor, id, in)
	if err != nil {
		e := asError(err)
		if e == nil || e.Kind != cordon.KindInvalid && e.Kind != cordon.KindConflict {
			s.fail(w, r, err)
			return
		}
		f.markFields(e.Fields, kept)
		alert := "error." + e.Code
		if e.Kind == cordon.KindInvalid && len(e.Fields) > 1 {
			alert = "form.fix_fields"
		}
		s.showInvestigation(w, r, e.Kind.HTTPStatus(), id, &f, alert)
		return
	}
	page := fmt.Sprintf("/cases/%d/investigation", id)
	if action == "save" {
		s.done(w, r, page, "investigation.saved")
		return
	}
	if _, err := s.app.SubmitInvestigation(r.Context(), v.actor, id, saved.Version, action); err != nil {
		e := asError(err)
		if e == nil || e.Kind != cordon.KindInvalid && e.Kind != cordon.KindConflict {
			s.fail(w, r, err)
			return
		}
		stored := formOfInvestigation(saved)
		for field, code := range e.Fields {
			stored.Form.fail(field, code)
		}
		s.showInvestigation(w, r, e.Kind.HTTPStatus(), id, &stored, "investigation.saved_not_submitted")
		return
	}
	s.done(w, r, page, "investigation.submitted_"+action)
}

// investigationReport answers the investigation report as a PDF to print.
func (s *server) investigationReport(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	id, ok := caseID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	data, err := s.app.InvestigationReport(r.Context(), v.actor, id, "")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", fmt.Sprintf(`inline; filename="investigation-%d.pdf"`, id))
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write(data)
}
