package cordon

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// Policy editions. The national rules changed four times in eighteen
// months, so every number of them is data: policies.json ships the
// editions, an edition may amend another (gx-2022-01 is cn-8 with
// Guangxi's returnee rules), and an administrator assigns the edition in
// force to a jurisdiction from a date, overriding single values locally
// (Nanning made the arrival test mandatory where the region only advised
// it). Code reads the numbers from the Policy in force; it holds none.

//go:embed policies.json
var policiesJSON []byte

// Policy is one edition of the rules, with any local overrides applied.
type Policy struct {
	Key      string `json:"key"`
	Name     string `json:"name"`
	NameEN   string `json:"name_en"`
	Base     string `json:"base,omitempty"` // the edition this one amends
	From     string `json:"from"`           // in force from, YYYY-MM-DD
	National bool   `json:"national,omitempty"`

	Clocks        ClockRules         `json:"clocks"`
	Investigation InvestigationRules `json:"investigation"`
	Contacts      ContactRules       `json:"contacts"`
	Companions    CompanionRules     `json:"companions"`
	ScanIns       ScanInRules        `json:"scan_ins"`
	Arrivals      ArrivalRules       `json:"arrivals"`
	// RiskTiers are the edition's risk-area tiers, highest first.
	RiskTiers []RiskTier `json:"risk_tiers"`
	// Measures are the control measures by population: close_contact,
	// secondary_contact, high_risk_area, medium_risk_area, risk_occupation.
	// A population the edition does not identify is absent.
	Measures map[string]*Measure `json:"measures"`
}

// ClockRules are the reporting deadlines, in hours from the positive.
type ClockRules struct {
	ReportHours            int `json:"report_hours"`
	TrajectoryHours        int `json:"trajectory_hours"`
	InitialReportHours     int `json:"initial_report_hours"`
	ContactTransferHours   int `json:"contact_transfer_hours"`
	SecondaryTransferHours int `json:"secondary_transfer_hours"`
}

// InvestigationRules bound an epidemiological investigation.
type InvestigationRules struct {
	LookbackDays int `json:"lookback_days"` // days before onset (or sampling) the itinerary covers
}

// ContactRules define close and secondary contacts.
type ContactRules struct {
	// WindowDays: a close contact's exposure counts from this many days
	// before the case's onset (sampling, for an asymptomatic infection).
	WindowDays int `json:"window_days"`
	// WindowChoices, when set, are the values an override may choose.
	WindowChoices []int `json:"window_choices,omitempty"`
	// Secondary: the edition identifies secondary close contacts.
	Secondary bool `json:"secondary"`
	// UpgradeSecondary: a secondary contact becomes a close contact when
	// their close contact turns positive.
	UpgradeSecondary bool `json:"upgrade_secondary"`
}

// CompanionRules define a spatio-temporal companion in cordon's venue form:
// scan-ins at the same venue whose stays overlap.
type CompanionRules struct {
	DefaultDwellMinutes int `json:"default_dwell_minutes"` // a stay with no check-out lasts this long
	MinOverlapMinutes   int `json:"min_overlap_minutes"`   // shorter overlaps are not companions
	BufferMinutes       int `json:"buffer_minutes"`        // stays are widened by this much on both sides
	MaxStayHours        int `json:"max_stay_hours"`        // a longer check-out is cut to this
}

// ScanInRules govern venue scan-ins.
type ScanInRules struct {
	RetentionDays int `json:"retention_days"` // purged after this, unless linked to an exposure
}

// ArrivalRules are the traveller rules of an edition (gx-2022-01).
type ArrivalRules struct {
	ReportBeforeHours     int  `json:"report_before_hours,omitempty"`
	ReportAfterHours      int  `json:"report_after_hours,omitempty"`
	OrdinaryTestHours     int  `json:"ordinary_test_hours,omitempty"`
	OrdinaryTestMandatory bool `json:"ordinary_test_mandatory,omitempty"`
	// LookbackDays: travel that ended this many days or fewer before the
	// arrival counts.
	LookbackDays int `json:"lookback_days,omitempty"`
	// Populations are the arrivals the edition treats apart, strongest
	// first; the ordinary arrival's test follows them.
	Populations []ArrivalPopulation `json:"populations,omitempty"`
}

// Measure is the control of one population: days of centralised
// quarantine, then days at home, and the test days of each (day 1 is the
// first day after the last exposure or the arrival).
type Measure struct {
	CentralisedDays int    `json:"centralised_days,omitempty"`
	HomeDays        int    `json:"home_days,omitempty"`
	Home            string `json:"home,omitempty"` // isolation (居家隔离) or monitoring (居家健康监测)
	Tests           []int  `json:"tests,omitempty"`
	HomeTests       []int  `json:"home_tests,omitempty"`
	DailyTest       bool   `json:"daily_test,omitempty"`
	// LinkedNegativeTests: release also waits for this many negative tests
	// of the close contact a secondary contact is linked to (cn-9: 2).
	LinkedNegativeTests int `json:"linked_negative_tests,omitempty"`
}

// ContactWindow is the exposure window of a case's close contacts: from
// WindowDays before the onset date (the sampling date, for an asymptomatic
// infection) until the case was put under control. The end is zero while
// the case is not under control.
func (p Policy) ContactWindow(c Case, controlled time.Time) (from, to time.Time) {
	day := c.OnsetDate
	if day == "" || c.Classification == Asymptomatic {
		day = c.SamplingDate
	}
	d, err := time.ParseInLocation(time.DateOnly, day, ChinaTime)
	if err != nil {
		d = c.DetectedAt.In(ChinaTime)
		d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, ChinaTime)
	}
	return d.AddDate(0, 0, -p.Contacts.WindowDays), controlled
}

// Duration helpers for the companion rules.
func (r CompanionRules) DefaultDwell() time.Duration {
	return time.Duration(r.DefaultDwellMinutes) * time.Minute
}
func (r CompanionRules) MinOverlap() time.Duration {
	return time.Duration(r.MinOverlapMinutes) * time.Minute
}
func (r CompanionRules) Buffer() time.Duration { return time.Duration(r.BufferMinutes) * time.Minute }
func (r CompanionRules) MaxStay() time.Duration {
	return time.Duration(r.MaxStayHours) * time.Hour
}

// editions are the shipped editions, each with its base applied, by key.
var editions = func() map[string]Policy {
	var raw []json.RawMessage
	if err := json.Unmarshal(policiesJSON, &raw); err != nil {
		panic("cordon: policies.json: " + err.Error())
	}
	docs := map[string]map[string]any{}
	var order []string
	for _, r := range raw {
		var m map[string]any
		if err := json.Unmarshal(r, &m); err != nil {
			panic("cordon: policies.json: " + err.Error())
		}
		key, _ := m["key"].(string)
		order = append(order, key)
		docs[key] = m
	}
	out := map[string]Policy{}
	var resolve func(key string, depth int) map[string]any
	resolve = func(key string, depth int) map[string]any {
		m, ok := docs[key]
		if !ok || depth > len(docs) {
			panic("cordon: policies.json: unknown or circular base " + key)
		}
		base, _ := m["base"].(string)
		if base == "" {
			return m
		}
		merged := mergeJSON(resolve(base, depth+1), m)
		merged["national"] = m["national"] // an amendment is national only if it says so
		return merged
	}
	for _, key := range order {
		b, _ := json.Marshal(resolve(key, 0))
		var p Policy
		if err := json.Unmarshal(b, &p); err != nil {
			panic("cordon: policies.json " + key + ": " + err.Error())
		}
		if _, err := time.Parse(time.DateOnly, p.From); err != nil {
			panic("cordon: policies.json " + key + ": bad from date")
		}
		out[key] = p
	}
	return out
}()

// mergeJSON overlays b on a: objects merge key by key, a null removes the
// key, anything else replaces it.
func mergeJSON(a, b map[string]any) map[string]any {
	out := make(map[string]any, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if v == nil {
			delete(out, k)
			continue
		}
		bm, bok := v.(map[string]any)
		am, aok := out[k].(map[string]any)
		if bok && aok {
			out[k] = mergeJSON(am, bm)
		} else {
			out[k] = v
		}
	}
	return out
}

// Editions lists the shipped editions by date in force.
func Editions() []Policy {
	out := make([]Policy, 0, len(editions))
	for _, p := range editions {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].From < out[j].From })
	return out
}

// Edition returns a shipped edition by key.
func Edition(key string) (Policy, bool) {
	p, ok := editions[key]
	return p, ok
}

// NationalEdition is the national edition in force on a day (China time):
// the edition cordon applies where no administrator chose one.
func NationalEdition(at time.Time) Policy {
	day := at.In(ChinaTime).Format(time.DateOnly)
	var best Policy
	for _, p := range Editions() {
		if !p.National {
			continue
		}
		if best.Key == "" || p.From <= day {
			best = p
		}
	}
	return best
}

// overridable are the values an administrator may override locally, by
// their JSON path.
var overridable = []string{
	"clocks.report_hours", "clocks.trajectory_hours", "clocks.initial_report_hours",
	"clocks.contact_transfer_hours", "clocks.secondary_transfer_hours",
	"investigation.lookback_days",
	"contacts.window_days",
	"companions.default_dwell_minutes", "companions.min_overlap_minutes", "companions.buffer_minutes", "companions.max_stay_hours",
	"scan_ins.retention_days",
	"arrivals.ordinary_test_mandatory", "arrivals.ordinary_test_hours", "arrivals.lookback_days",
}

// Overridable lists the paths an override may set.
func Overridable() []string { return slices.Clone(overridable) }

// Override applies local values, by JSON path ("contacts.window_days": 4),
// and checks the result. Unknown paths and values out of range are
// refused with policy.override_invalid.
func (p Policy) Override(values map[string]json.RawMessage) (Policy, error) {
	if len(values) == 0 {
		return p, nil
	}
	var v Invalid
	v.Code = "policy.override_invalid"
	b, _ := json.Marshal(p)
	var doc map[string]any
	_ = json.Unmarshal(b, &doc)
	paths := make([]string, 0, len(values))
	for path := range values {
		paths = append(paths, path)
	}
	sort.Strings(paths)
	for _, path := range paths {
		if !slices.Contains(overridable, path) {
			v.Add(path, "policy.override_unknown")
			continue
		}
		var val any
		if err := json.Unmarshal(values[path], &val); err != nil {
			v.Add(path, "policy.override_invalid")
			continue
		}
		section, field, _ := strings.Cut(path, ".")
		m, _ := doc[section].(map[string]any)
		if m == nil {
			m = map[string]any{}
			doc[section] = m
		}
		m[field] = val
	}
	if err := v.Err(); err != nil {
		return p, err
	}
	b, _ = json.Marshal(doc)
	var out Policy
	if err := json.Unmarshal(b, &out); err != nil {
		return p, Errorf(KindInvalid, "policy.override_invalid", "override: %v", err)
	}
	if err := out.check(); err != nil {
		return p, err
	}
	return out, nil
}

// check refuses values no edition could mean.
func (p Policy) check() error {
	var v Invalid
	v.Code = "policy.override_invalid"
	pos := func(path string, n, max int) {
		if n < 0 || n > max {
			v.Add(path, "policy.override_invalid")
		}
	}
	pos("clocks.report_hours", p.Clocks.ReportHours, 72)
	pos("clocks.trajectory_hours", p.Clocks.TrajectoryHours, 72)
	pos("clocks.initial_report_hours", p.Clocks.InitialReportHours, 168)
	pos("clocks.contact_transfer_hours", p.Clocks.ContactTransferHours, 72)
	pos("clocks.secondary_transfer_hours", p.Clocks.SecondaryTransferHours, 72)
	pos("investigation.lookback_days", p.Investigation.LookbackDays, 28)
	pos("contacts.window_days", p.Contacts.WindowDays, 14)
	if len(p.Contacts.WindowChoices) > 0 && !slices.Contains(p.Contacts.WindowChoices, p.Contacts.WindowDays) {
		v.Add("contacts.window_days", "policy.override_invalid")
	}
	pos("companions.default_dwell_minutes", p.Companions.DefaultDwellMinutes, 24*60)
	pos("companions.min_overlap_minutes", p.Companions.MinOverlapMinutes, 24*60)
	pos("companions.buffer_minutes", p.Companions.BufferMinutes, 24*60)
	pos("companions.max_stay_hours", p.Companions.MaxStayHours, 72)
	if p.ScanIns.RetentionDays < 1 || p.ScanIns.RetentionDays > 3650 {
		v.Add("scan_ins.retention_days", "policy.override_invalid")
	}
	pos("arrivals.ordinary_test_hours", p.Arrivals.OrdinaryTestHours, 168)
	pos("arrivals.lookback_days", p.Arrivals.LookbackDays, 28)
	return v.Err()
}

// PolicyAssignment puts an edition in force in a jurisdiction's subtree
// from a day, with local overrides. An assignment without an edition only
// overrides values of the edition inherited from above.
type PolicyAssignment struct {
	Jurisdiction string                     `json:"jurisdiction"`
	From         string                     `json:"from"` // YYYY-MM-DD, China time
	Edition      string                     `json:"edition,omitempty"`
	Overrides    map[string]json.RawMessage `json:"overrides,omitempty"`
	Reason       string                     `json:"reason,omitempty"`
	SetBy        string                     `json:"set_by,omitempty"`
	SetAt        time.Time                  `json:"set_at,omitzero"`
}

// Validate checks an assignment on its own.
func (a *PolicyAssignment) Validate() error {
	var v Invalid
	v.Code = "policy.invalid"
	if _, ok := LevelOf(a.Jurisdiction); !ok {
		v.Add("jurisdiction", "jurisdiction.unknown")
	}
	if _, err := time.ParseInLocation(time.DateOnly, a.From, ChinaTime); err != nil {
		v.Add("from", "policy.from_invalid")
	}
	if a.Edition != "" {
		if _, ok := editions[a.Edition]; !ok {
			v.Add("edition", "policy.edition_unknown")
		}
	}
	if a.Edition == "" && len(a.Overrides) == 0 {
		v.Add("edition", "policy.empty")
	}
	a.Reason = strings.TrimSpace(a.Reason)
	if len([]rune(a.Reason)) > 200 {
		v.Add("reason", "policy.reason_invalid")
	}
	if err := v.Err(); err != nil {
		return err
	}
	_, err := NationalEdition(time.Now()).Override(a.Overrides)
	return err
}

// PolicyInForce resolves the policy of a jurisdiction on a day from the
// assignments of the jurisdiction and its ancestors: the edition is the
// one the deepest applicable assignment names (else the national edition
// of the day), and overrides apply from the top down, deeper ones winning.
// An assignment applies from its day. Of one jurisdiction's assignments,
// the latest started one gives its overrides and the latest started one
// that names an edition gives its edition.
func PolicyInForce(jurisdiction string, at time.Time, assignments []PolicyAssignment) (Policy, error) {
	day := at.In(ChinaTime).Format(time.DateOnly)
	latest := map[string]PolicyAssignment{}  // per jurisdiction, the latest started assignment
	edition := map[string]PolicyAssignment{} // per jurisdiction, the latest started one naming an edition
	for _, a := range assignments {
		if a.From > day || !(a.Jurisdiction == Nationwide || Within(jurisdiction, a.Jurisdiction)) {
			continue
		}
		if cur, ok := latest[a.Jurisdiction]; !ok || a.From > cur.From {
			latest[a.Jurisdiction] = a
		}
		if cur, ok := edition[a.Jurisdiction]; a.Edition != "" && (!ok || a.From > cur.From) {
			edition[a.Jurisdiction] = a
		}
	}
	chain := make([]string, 0, len(latest))
	for j := range latest {
		chain = append(chain, j)
	}
	// Top down: the whole country, then province, city, county, township,
	// village and grid (codes of one length can be of different levels).
	depth := func(code string) int {
		if code == Nationwide {
			return -1
		}
		return len(ScopePrefix(code))
	}
	sort.Slice(chain, func(i, j int) bool { return depth(chain[i]) < depth(chain[j]) })
	p := NationalEdition(at)
	for _, j := range chain {
		if e, ok := edition[j]; ok {
			p = editions[e.Edition]
		}
	}
	// An assignment that only overrides keeps its jurisdiction's edition:
	// changing one value must not drop the edition chosen before.
	for _, j := range chain {
		a := latest[j]
		var err error
		if p, err = p.Override(a.Overrides); err != nil {
			return p, fmt.Errorf("policy of %s from %s: %w", a.Jurisdiction, a.From, err)
		}
	}
	return p, nil
}
