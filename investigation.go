package cordon

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// An epidemiological investigation (流调) reconstructs, for one case, who
// lives with them, how they fell ill and were tested, where they went day by
// day over the look-back window of the policy edition (14 days before onset,
// or before sampling for an asymptomatic infection, up to the day they were
// put under control), what they were exposed to, and where the infection
// probably came from. RULES.md: the activity trajectory is due within 4 h of
// the positive, the initial investigation report within 24 h.

// InvestigationStatus is where an investigation stands.
type InvestigationStatus string

const (
	InvestigationDraft     InvestigationStatus = "draft"     // being filled in
	InvestigationSubmitted InvestigationStatus = "submitted" // the initial report was submitted; later saves amend it
)

// Investigation is the structured investigation of one case.
type Investigation struct {
	CaseID int64               `json:"case_id"`
	Status InvestigationStatus `json:"status"`
	// Investigators names the people who did the investigation and their
	// unit, as printed on the report (e.g. "德保县疾控中心 黄某、李某").
	Investigators string `json:"investigators"`

	Occupation   string            `json:"occupation"`
	Workplace    string            `json:"workplace"`
	VaccineDoses int               `json:"vaccine_doses"`
	LastDoseDate string            `json:"last_dose_date,omitempty"` // YYYY-MM-DD
	Household    []HouseholdMember `json:"household"`
	Symptoms     []Symptom         `json:"symptoms"`
	Tests        []TestRecord      `json:"tests"`

	// ControlDate is the day the case was put under control (isolated,
	// hospitalised): the last day of the itinerary. The detection day when
	// empty.
	ControlDate string           `json:"control_date,omitempty"`
	Itinerary   []ItineraryEntry `json:"itinerary"`
	// HomeDays are the days of the window the case says they stayed home,
	// which need no itinerary entry.
	HomeDays  []string   `json:"home_days"`
	Exposures []Exposure `json:"exposures"`
	Source    Source     `json:"source"`

	// Computed by cordon; ignored when sent.
	Window       Window    `json:"window"`
	Warnings     []Warning `json:"warnings"`
	TrajectoryAt time.Time `json:"trajectory_submitted_at,omitzero"` // the itinerary was first submitted
	SubmittedAt  time.Time `json:"submitted_at,omitzero"`            // the initial report was submitted
	SubmittedBy  string    `json:"submitted_by,omitempty"`
	UpdatedAt    time.Time `json:"updated_at,omitzero"`
	UpdatedBy    string    `json:"updated_by,omitempty"`
	Masked       bool      `json:"masked"` // household ID numbers and phones are masked for the reader's role
	// Version is the version read; a save must send it (0 creates the
	// investigation of a case that has none).
	Version int `json:"version"`
}

// HouseholdMember is someone who lives with the case (同住人员).
type HouseholdMember struct {
	Name     string `json:"name"`
	Relation string `json:"relation,omitempty"` // 配偶, 女儿, 母亲...
	Age      int    `json:"age,omitempty"`
	IDNumber string `json:"id_number,omitempty"`
	Phone    string `json:"phone,omitempty"`
	Tested   bool   `json:"tested"`              // sampled since the case was found
	PersonID int64  `json:"person_id,omitempty"` // when registered in cordon
}

// Symptom is one symptom and the day it began.
type Symptom struct {
	Code  string `json:"code"`            // one of SymptomCodes
	Note  string `json:"note,omitempty"`  // what "other" is, or detail
	Since string `json:"since,omitempty"` // YYYY-MM-DD
}

// SymptomCodes are the symptoms an investigation records, in form order.
var SymptomCodes = []string{"fever", "cough", "sore_throat", "fatigue", "myalgia", "runny_nose", "smell_taste", "headache", "diarrhoea", "other"}

// TestRecord is one earlier test of the case, from their own account or
// other systems: where and when, the result, the Ct values when known.
type TestRecord struct {
	Date     string  `json:"date"`
	Place    string  `json:"place"`
	Result   string  `json:"result"`              // negative, positive, pending
	CtORF1ab float64 `json:"ct_orf1ab,omitempty"` // 0: unknown
	CtN      float64 `json:"ct_n,omitempty"`
}

// TestResults are the results a test record may have.
var TestResults = []string{"negative", "positive", "pending"}

// Transport modes of an itinerary entry.
const (
	ModeWalk  = "walk"
	ModeCar   = "car"
	ModeBus   = "bus"
	ModeTrain = "train"
	ModePlane = "plane"
	ModeTaxi  = "taxi"
	ModeOther = "other"
)

// TransportModes lists the modes in form order; an entry without one is a
// stay at a place.
var TransportModes = []string{ModeWalk, ModeCar, ModeBus, ModeTrain, ModePlane, ModeTaxi, ModeOther}

// Transport is how the case travelled during an entry.
type Transport struct {
	Mode    string `json:"mode,omitempty"`
	Vehicle string `json:"vehicle,omitempty"` // train G1234, flight CZ3456, plate 桂L·12345, bus route
	Seat    string `json:"seat,omitempty"`    // 05车12F, 32A
}

// ItineraryCompanion is someone who was with the case during an entry: a
// name, a registered person, or both.
type ItineraryCompanion struct {
	Name     string `json:"name,omitempty"`
	PersonID int64  `json:"person_id,omitempty"`
}

// ItineraryEntry is one stay or journey of the case's itinerary. From and
// To bound it, half-open; a stay at a registered venue names it, so that the
// companion search can compare it with the venue's scan-ins.
type ItineraryEntry struct {
	From         time.Time            `json:"from"`
	To           time.Time            `json:"to"`
	Place        string               `json:"place"`
	VenueID      int64                `json:"venue_id,omitempty"`
	VenueName    string               `json:"venue_name,omitempty"` // filled in by cordon
	Jurisdiction string               `json:"jurisdiction,omitempty"`
	Activity     string               `json:"activity,omitempty"`
	Transport    Transport            `json:"transport"`
	Companions   []ItineraryCompanion `json:"companions,omitempty"`
	Notes        string               `json:"notes,omitempty"`
}

// Exposure kinds.
var ExposureKinds = []string{"case_contact", "risk_area", "imported_goods", "gathering", "medical", "other"}

// Exposure is one possible exposure of the case before onset: contact with
// a case, a stay in a risk area, imported goods or cold chain, a gathering.
type Exposure struct {
	Kind        string `json:"kind"`
	Date        string `json:"date,omitempty"`
	Description string `json:"description"`
	CaseID      int64  `json:"case_id,omitempty"` // the case met, for case_contact
}

// Probable source kinds.
const (
	SourceCase        = "case"        // infected by a known case
	SourceImported    = "imported"    // infected abroad or elsewhere before arriving
	SourceEnvironment = "environment" // a contaminated environment or goods
	SourceUnknown     = "unknown"     // investigated, not found
)

// SourceKinds lists the kinds of probable source.
var SourceKinds = []string{SourceCase, SourceImported, SourceEnvironment, SourceUnknown}

// Source is the investigator's conclusion on where the infection came
// from, with the reasoning.
type Source struct {
	Kind        string `json:"kind,omitempty"`
	CaseID      int64  `json:"case_id,omitempty"`     // kind case
	Origin      string `json:"origin,omitempty"`      // kind imported: the place it came from
	Environment string `json:"environment,omitempty"` // kind environment
	Reasoning   string `json:"reasoning,omitempty"`
}

// Window is the span the itinerary must cover: the look-back days of the
// policy edition before the anchor day (onset, else sampling, else
// detection), up to the day of control, both ends included.
type Window struct {
	Anchor       string `json:"anchor"`
	AnchorKind   string `json:"anchor_kind"` // onset, sampling, detected
	From         string `json:"from"`
	To           string `json:"to"`
	LookbackDays int    `json:"lookback_days"`
	Policy       string `json:"policy"` // the edition the look-back comes from
}

// Warning is something an investigator should look at that does not stop
// a save: an entry outside the window, entries that overlap, an uncovered
// day. Entry and Other number itinerary entries from 1, as stored.
type Warning struct {
	Code  string `json:"code"`
	Entry int    `json:"entry,omitempty"`
	Other int    `json:"other,omitempty"`
	Date  string `json:"date,omitempty"`
}

// Warning codes.
const (
	WarnOutsideWindow  = "itinerary.outside_window"
	WarnOverlap        = "itinerary.overlap"
	WarnDayMissing     = "itinerary.day_missing"
	WarnVehicleUnusual = "itinerary.vehicle_unusual"
)

// Limits of an investigation, so that one document stays a few hundred
// kilobytes.
const (
	MaxHousehold = 30
	MaxSymptoms  = 20
	MaxTests     = 50
	MaxItinerary = 500
	MaxExposures = 50
	MaxCompanion = 30
)

// InvestigationWindow computes the window of a case: lookback days before
// the anchor day, up to the control day (the detection day when control is
// empty or unreadable; never before the first day).
func InvestigationWindow(c Case, control string, lookback int, policy string) Window {
	w := Window{LookbackDays: lookback, Policy: policy}
	detected := c.DetectedAt.In(ChinaTime).Format(time.DateOnly)
	switch {
	case c.OnsetDate != "":
		w.Anchor, w.AnchorKind = c.OnsetDate, "onset"
	case c.SamplingDate != "":
		w.Anchor, w.AnchorKind = c.SamplingDate, "sampling"
	default:
		w.Anchor, w.AnchorKind = detected, "detected"
	}
	anchor, err := day(w.Anchor)
	if err != nil {
		anchor, _ = day(detected)
	}
	w.From = anchor.AddDate(0, 0, -lookback).Format(time.DateOnly)
	w.To = detected
	if _, err := day(control); err == nil {
		w.To = control
	}
	if w.To < w.From {
		w.To = w.From
	}
	return w
}

// Days lists the days of the window, first to last.
func (w Window) Days() []string {
	from, err1 := day(w.From)
	to, err2 := day(w.To)
	if err1 != nil || err2 != nil {
		return nil
	}
	var out []string
	for d := from; !d.After(to) && len(out) < 400; d = d.AddDate(0, 0, 1) {
		out = append(out, d.Format(time.DateOnly))
	}
	return out
}

// Bounds are the instants the window spans, half-open: the start of its
// first day and the end of its last, China time.
func (w Window) Bounds() (from, to time.Time) {
	f, _ := day(w.From)
	t, _ := day(w.To)
	return f, t.AddDate(0, 0, 1)
}

// day parses a YYYY-MM-DD date as the start of that day in China.
func day(s string) (time.Time, error) { return time.ParseInLocation(time.DateOnly, s, ChinaTime) }

var (
	trainNumber  = regexp.MustCompile(`^[GDCZTKYLS]?[0-9]{1,4}$`)
	flightNumber = regexp.MustCompile(`^[A-Z0-9]{2}[0-9]{1,4}[A-Z]?$`)
	// A Chinese plate: the province's character, the city's letter, then
	// five (six for new-energy vehicles) letters and digits, with or
	// without the separating dot.
	plateNumber = regexp.MustCompile(`^([京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼])([A-Z])[·•.\- ]?([A-Z0-9]{5,6}[挂学警]?)$`)
)

// NormalizeVehicle writes a vehicle number the way it is printed (train
// G1234, flight CZ3456, plate 桂L·12345) and reports whether it has the
// form its mode's numbers have. Investigators record what the case
// remembers, so an unusual number is kept and warned about, not refused.
func NormalizeVehicle(mode, s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", true
	}
	up := strings.ToUpper(strings.Join(strings.Fields(s), ""))
	switch mode {
	case ModeTrain:
		up = strings.TrimSuffix(up, "次")
		return up, trainNumber.MatchString(up)
	case ModePlane:
		return up, flightNumber.MatchString(up)
	case ModeCar, ModeTaxi:
		if m := plateNumber.FindStringSubmatch(strings.ToUpper(strings.TrimSpace(s))); m != nil {
			return m[1] + m[2] + "·" + m[3], true
		}
		if m := plateNumber.FindStringSubmatch(up); m != nil {
			return m[1] + m[2] + "·" + m[3], true
		}
		return s, false
	}
	return s, true
}

// text checks a free-text field: at most max characters, no markup or
// control characters other than line breaks where allowed.
func text(v *Invalid, field, s string, max int, multiline bool) string {
	s = strings.TrimSpace(s)
	bad := "<>\x00"
	if !multiline {
		bad += "\r\n\t"
	}
	if utf8.RuneCountInString(s) > max || !utf8.ValidString(s) || strings.ContainsAny(s, bad) {
		v.Add(field, "investigation.text_invalid")
	}
	return s
}

// InvestigationFacts are the outside facts validation needs.
type InvestigationFacts struct {
	Now    time.Time
	CaseID int64 // the case investigated: it cannot be its own source
}

// Validate normalises an investigation and checks every field that needs
// no database: it refuses what cannot be right (an entry in the future or
// ending before it starts, an unknown mode, a malformed date) with the
// field at fault. What may be wrong but can be right is for Warn. Fields
// are named as in the JSON, rows numbered from 1 in the order sent:
// "itinerary.3.to", "household.2.id_number".
func (inv *Investigation) Validate(r InvestigationFacts) error {
	var v Invalid
	v.Code = "investigation.invalid"
	today := r.Now.In(ChinaTime).Format(time.DateOnly)
	date := func(field, s string, required bool) string {
		s = strings.TrimSpace(s)
		if s == "" {
			if required {
				v.Add(field, "investigation.date_required")
			}
			return ""
		}
		d, err := day(s)
		if err != nil || s > today || d.Before(r.Now.AddDate(-3, 0, 0)) {
			v.Add(field, "investigation.date_invalid")
		}
		return s
	}
	row := func(list string, i int, field string) string { return list + "." + strconv.Itoa(i+1) + "." + field }

	inv.Investigators = text(&v, "investigators", inv.Investigators, 200, false)
	inv.Occupation = text(&v, "occupation", inv.Occupation, 100, false)
	inv.Workplace = text(&v, "workplace", inv.Workplace, 200, false)
	if inv.VaccineDoses < 0 || inv.VaccineDoses > 10 {
		v.Add("vaccine_doses", "investigation.doses_invalid")
	}
	inv.LastDoseDate = date("last_dose_date", inv.LastDoseDate, false)
	inv.ControlDate = date("control_date", inv.ControlDate, false)

	if len(inv.Household) > MaxHousehold {
		v.Add("household", "investigation.too_many")
	}
	for i := range inv.Household {
		m := &inv.Household[i]
		m.Name = text(&v, row("household", i, "name"), m.Name, 64, false)
		if m.Name == "" {
			v.Add(row("household", i, "name"), "investigation.name_required")
		}
		m.Relation = text(&v, row("household", i, "relation"), m.Relation, 20, false)
		if m.Age < 0 || m.Age > 130 {
			v.Add(row("household", i, "age"), "investigation.age_invalid")
		}
		m.IDNumber = strings.ToUpper(strings.TrimSpace(m.IDNumber))
		if !validDocument(m.IDNumber) {
			v.Add(row("household", i, "id_number"), "investigation.id_number_invalid")
		}
		m.Phone = strings.TrimSpace(m.Phone)
		if !validPhone(m.Phone) {
			v.Add(row("household", i, "phone"), "investigation.phone_invalid")
		}
		if m.PersonID < 0 {
			v.Add(row("household", i, "person_id"), "person.not_found")
		}
	}

	if len(inv.Symptoms) > MaxSymptoms {
		v.Add("symptoms", "investigation.too_many")
	}
	for i := range inv.Symptoms {
		s := &inv.Symptoms[i]
		if !slices.Contains(SymptomCodes, s.Code) {
			v.Add(row("symptoms", i, "code"), "investigation.symptom_invalid")
		}
		s.Note = text(&v, row("symptoms", i, "note"), s.Note, 100, false)
		s.Since = date(row("symptoms", i, "since"), s.Since, false)
	}

	if len(inv.Tests) > MaxTests {
		v.Add("tests", "investigation.too_many")
	}
	for i := range inv.Tests {
		t := &inv.Tests[i]
		t.Date = date(row("tests", i, "date"), t.Date, true)
		t.Place = text(&v, row("tests", i, "place"), t.Place, 100, false)
		if !slices.Contains(TestResults, t.Result) {
			v.Add(row("tests", i, "result"), "investigation.result_invalid")
		}
		for f, ct := range map[string]float64{"ct_orf1ab": t.CtORF1ab, "ct_n": t.CtN} {
			if ct < 0 || ct > 50 {
				v.Add(row("tests", i, f), "investigation.ct_invalid")
			}
		}
	}
	sort.SliceStable(inv.Tests, func(i, j int) bool { return inv.Tests[i].Date < inv.Tests[j].Date })

	if len(inv.Itinerary) > MaxItinerary {
		v.Add("itinerary", "investigation.too_many")
	}
	for i := range inv.Itinerary {
		e := &inv.Itinerary[i]
		f := func(field string) string { return row("itinerary", i, field) }
		switch {
		case e.From.IsZero():
			v.Add(f("from"), "itinerary.time_required")
		case e.From.After(r.Now):
			v.Add(f("from"), "itinerary.future")
		}
		switch {
		case e.To.IsZero():
			v.Add(f("to"), "itinerary.time_required")
		case e.To.After(r.Now):
			v.Add(f("to"), "itinerary.future")
		case !e.From.IsZero() && e.To.Before(e.From):
			v.Add(f("to"), "itinerary.order")
		}
		e.From, e.To = e.From.UTC().Truncate(time.Second), e.To.UTC().Truncate(time.Second)
		e.Place = text(&v, f("place"), e.Place, 200, false)
		if e.Place == "" && e.VenueID == 0 {
			v.Add(f("place"), "itinerary.place_required")
		}
		if e.VenueID < 0 {
			v.Add(f("venue_id"), "itinerary.venue_not_found")
		}
		e.VenueName = ""
		e.Jurisdiction = strings.TrimSpace(e.Jurisdiction)
		if e.Jurisdiction != "" {
			if _, ok := LevelOf(e.Jurisdiction); !ok {
				v.Add(f("jurisdiction"), "jurisdiction.unknown")
			}
		}
		e.Activity = text(&v, f("activity"), e.Activity, 100, false)
		e.Notes = text(&v, f("notes"), e.Notes, 500, true)
		t := &e.Transport
		if t.Mode != "" && !slices.Contains(TransportModes, t.Mode) {
			v.Add(f("transport.mode"), "itinerary.mode_invalid")
		}
		t.Vehicle = text(&v, f("transport.vehicle"), t.Vehicle, 30, false)
		t.Seat = text(&v, f("transport.seat"), t.Seat, 20, false)
		if len(e.Companions) > MaxCompanion {
			v.Add(f("companions"), "investigation.too_many")
		}
		kept := e.Companions[:0]
		for j := range e.Companions {
			c := e.Companions[j]
			c.Name = text(&v, f("companions"), c.Name, 64, false)
			if c.PersonID < 0 {
				v.Add(f("companions"), "person.not_found")
			}
			if c.Name != "" || c.PersonID != 0 {
				kept = append(kept, c)
			}
		}
		e.Companions = kept
		if len(e.Companions) == 0 {
			e.Companions = nil
		}
	}

	for i, d := range inv.HomeDays {
		inv.HomeDays[i] = date("home_days", d, true)
	}
	inv.HomeDays = slices.Compact(slices.Sorted(slices.Values(inv.HomeDays)))

	if len(inv.Exposures) > MaxExposures {
		v.Add("exposures", "investigation.too_many")
	}
	for i := range inv.Exposures {
		x := &inv.Exposures[i]
		if !slices.Contains(ExposureKinds, x.Kind) {
			v.Add(row("exposures", i, "kind"), "investigation.exposure_invalid")
		}
		x.Date = date(row("exposures", i, "date"), x.Date, false)
		x.Description = text(&v, row("exposures", i, "description"), x.Description, 500, true)
		if x.Description == "" {
			v.Add(row("exposures", i, "description"), "investigation.description_required")
		}
		if x.CaseID < 0 || x.CaseID != 0 && x.CaseID == r.CaseID {
			v.Add(row("exposures", i, "case_id"), "case.not_found")
		}
	}

	s := &inv.Source
	if s.Kind != "" && !slices.Contains(SourceKinds, s.Kind) {
		v.Add("source.kind", "source.kind_invalid")
	}
	s.Origin = text(&v, "source.origin", s.Origin, 100, false)
	s.Environment = text(&v, "source.environment", s.Environment, 200, false)
	s.Reasoning = text(&v, "source.reasoning", s.Reasoning, 2000, true)
	// Keep only what the kind says, so that a changed conclusion leaves
	// nothing of the old one behind.
	switch s.Kind {
	case SourceCase:
		s.Origin, s.Environment = "", ""
		if s.CaseID == r.CaseID || s.CaseID < 0 {
			v.Add("source.case_id", "source.case_self")
		}
	case SourceImported:
		s.CaseID, s.Environment = 0, ""
	case SourceEnvironment:
		s.CaseID, s.Origin = 0, ""
	default:
		s.CaseID, s.Origin, s.Environment = 0, "", ""
	}
	if err := v.Err(); err != nil {
		return err
	}

	for i := range inv.Itinerary {
		t := &inv.Itinerary[i].Transport
		t.Vehicle, _ = NormalizeVehicle(t.Mode, t.Vehicle)
	}
	return nil
}

// SortItinerary puts the itinerary in time order, so that it reads as the
// days went; call it once every fault has been reported against the rows
// as they were sent.
func (inv *Investigation) SortItinerary() {
	sort.SliceStable(inv.Itinerary, func(i, j int) bool {
		a, b := inv.Itinerary[i], inv.Itinerary[j]
		if !a.From.Equal(b.From) {
			return a.From.Before(b.From)
		}
		return a.To.Before(b.To)
	})
}

// Warn returns the warnings of a valid investigation, its itinerary sorted, against its
// window: vehicle numbers of an unusual form, entries that lie wholly
// outside the window, entries that overlap an earlier one, home days
// outside the window, and the days with neither an entry nor a "stayed
// home".
func (inv *Investigation) Warn(w Window) []Warning {
	var out []Warning
	start, end := w.Bounds()
	var latest time.Time
	latestAt := 0
	for i, e := range inv.Itinerary {
		if _, ok := NormalizeVehicle(e.Transport.Mode, e.Transport.Vehicle); !ok {
			out = append(out, Warning{Code: WarnVehicleUnusual, Entry: i + 1})
		}
		if !touches(e, start, end) {
			out = append(out, Warning{Code: WarnOutsideWindow, Entry: i + 1})
		}
		// Stays are half-open: one ending at 12:00 and the next starting
		// at 12:00 do not overlap.
		if i > 0 && e.From.Before(latest) {
			out = append(out, Warning{Code: WarnOverlap, Entry: i + 1, Other: latestAt})
		}
		if e.To.After(latest) {
			latest, latestAt = e.To, i+1
		}
	}
	for _, d := range inv.HomeDays {
		if d < w.From || d > w.To {
			out = append(out, Warning{Code: WarnOutsideWindow, Date: d})
		}
	}
	for _, d := range inv.MissingDays(w) {
		out = append(out, Warning{Code: WarnDayMissing, Date: d})
	}
	return out
}

// Covered lists, for each day of the window, the itinerary entries that
// touch it, numbered from 1.
func (inv *Investigation) Covered(w Window) map[string][]int {
	out := map[string][]int{}
	days := w.Days()
	for i, e := range inv.Itinerary {
		for _, d := range days {
			from, _ := day(d)
			if touches(e, from, from.AddDate(0, 0, 1)) {
				out[d] = append(out[d], i+1)
			}
		}
	}
	return out
}

// touches reports whether an entry shares time with [from, to). An entry
// of no length (From == To) touches the span it lies in.
func touches(e ItineraryEntry, from, to time.Time) bool {
	if e.From.Equal(e.To) {
		return !e.From.Before(from) && e.From.Before(to)
	}
	return e.From.Before(to) && e.To.After(from)
}

// MissingDays lists the days of the window with no itinerary entry that
// are not home days.
func (inv *Investigation) MissingDays(w Window) []string {
	covered := inv.Covered(w)
	var out []string
	for _, d := range w.Days() {
		if len(covered[d]) == 0 && !slices.Contains(inv.HomeDays, d) {
			out = append(out, d)
		}
	}
	return out
}

// Submission parts.
const (
	PartTrajectory = "trajectory"     // the itinerary alone, due within 4 h
	PartReport     = "initial_report" // the whole initial report, due within 24 h
)

// Complete checks what a submission needs: an itinerary that covers every
// day of the window (or says the case stayed home), and for the report
// also the investigators and a probable source with the reasoning. The
// error is investigation.incomplete with a field for each gap; a missing
// day is "itinerary.day.YYYY-MM-DD".
func (inv *Investigation) Complete(w Window, part string) error {
	fields := map[string]string{}
	for _, d := range inv.MissingDays(w) {
		fields["itinerary.day."+d] = WarnDayMissing
	}
	if part != PartTrajectory {
		if inv.Investigators == "" {
			fields["investigators"] = "investigation.investigators_required"
		}
		if inv.Source.Kind == "" {
			fields["source.kind"] = "source.required"
		}
		if inv.Source.Kind == SourceCase && inv.Source.CaseID == 0 {
			fields["source.case_id"] = "source.case_required"
		}
		if inv.Source.Kind == SourceImported && inv.Source.Origin == "" {
			fields["source.origin"] = "source.origin_required"
		}
		if inv.Source.Kind == SourceEnvironment && inv.Source.Environment == "" {
			fields["source.environment"] = "source.environment_required"
		}
		if inv.Source.Reasoning == "" {
			fields["source.reasoning"] = "source.reasoning_required"
		}
	}
	if len(fields) == 0 {
		return nil
	}
	e := Errorf(KindInvalid, "investigation.incomplete", "the investigation is incomplete: %d gaps", len(fields))
	e.Fields = fields
	return e
}

// Mask replaces the household's ID numbers and phones with their masked
// forms, for roles that do not read personal data in full.
func (inv *Investigation) Mask() {
	if inv.Masked {
		return
	}
	for i := range inv.Household {
		inv.Household[i].IDNumber = MaskDocNumber(inv.Household[i].IDNumber)
		inv.Household[i].Phone = MaskPhone(inv.Household[i].Phone)
	}
	inv.Masked = true
}

// KeepMasked puts back the stored ID numbers and phones of household
// members that a save sends in their masked form, as a form filled from a
// masked read does.
func (inv *Investigation) KeepMasked(old Investigation) {
	for i := range inv.Household {
		m := &inv.Household[i]
		for _, o := range old.Household {
			if o.Name != m.Name {
				continue
			}
			if strings.Contains(m.IDNumber, "*") && m.IDNumber == MaskDocNumber(o.IDNumber) {
				m.IDNumber = o.IDNumber
			}
			if strings.Contains(m.Phone, "*") && m.Phone == MaskPhone(o.Phone) {
				m.Phone = o.Phone
			}
		}
	}
}

// Visits are the itinerary entries at registered venues, for the
// companion search.
func (inv *Investigation) Visits() []Visit {
	var out []Visit
	for _, e := range inv.Itinerary {
		if e.VenueID != 0 {
			out = append(out, Visit{VenueID: e.VenueID, From: e.From, To: e.To})
		}
	}
	return out
}

// validDocument accepts an empty number, a citizen ID number with a right
// check character, or another document's letters and digits.
func validDocument(s string) bool {
	if s == "" {
		return true
	}
	if len(s) == 18 && strings.Trim(s[:17], "0123456789") == "" {
		return CitizenIDCheck(s[:17]) == s[17]
	}
	if len(s) > 30 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c == '-') {
			return false
		}
	}
	return true
}

// validPhone accepts an empty phone, a mobile number or a landline with its
// area code.
func validPhone(s string) bool {
	if s == "" {
		return true
	}
	if len(s) > 20 || len(s) < 7 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c == '-' || c == '+') {
			return false
		}
	}
	return true
}

// String names a warning for logs.
func (w Warning) String() string {
	switch {
	case w.Other != 0:
		return fmt.Sprintf("%s: entry %d and %d", w.Code, w.Entry, w.Other)
	case w.Entry != 0:
		return fmt.Sprintf("%s: entry %d", w.Code, w.Entry)
	}
	return fmt.Sprintf("%s: %s", w.Code, w.Date)
}
