package cordon

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Classification is what a case is (病例分类).
type Classification string

const (
	Confirmed    Classification = "confirmed"    // 确诊病例
	Asymptomatic Classification = "asymptomatic" // 无症状感染者
	Suspected    Classification = "suspected"    // 疑似病例
)

// Classifications lists the classifications in display order.
var Classifications = []Classification{Confirmed, Asymptomatic, Suspected}

// Valid reports whether c is a known classification.
func (c Classification) Valid() bool {
	for _, x := range Classifications {
		if c == x {
			return true
		}
	}
	return false
}

// Severity is the clinical type of a confirmed case (临床分型).
type Severity string

const (
	Mild     Severity = "mild"     // 轻型
	Moderate Severity = "moderate" // 普通型
	Severe   Severity = "severe"   // 重型
	Critical Severity = "critical" // 危重型
)

// Severities lists the severities from mild to critical.
var Severities = []Severity{Mild, Moderate, Severe, Critical}

// CaseOutcome is how a case ended; empty while it is under treatment.
type CaseOutcome string

const (
	Recovered CaseOutcome = "recovered" // 治愈出院
	Deceased  CaseOutcome = "deceased"  // 死亡
)

// Origin says where a case was infected.
type Origin string

const (
	Local    Origin = "local"    // 本土
	Imported Origin = "imported" // 境外输入
)

// Case is an infection under case management.
type Case struct {
	ID             int64          `json:"id"`
	PersonID       int64          `json:"person_id,omitempty"`
	Name           string         `json:"name"`
	IDNumber       string         `json:"id_number"` // masked unless the reader may see it in full
	Classification Classification `json:"classification"`
	Severity       Severity       `json:"severity,omitempty"`
	OnsetDate      string         `json:"onset_date,omitempty"`    // YYYY-MM-DD, symptomatic cases
	SamplingDate   string         `json:"sampling_date,omitempty"` // YYYY-MM-DD of the positive sample
	Variant        string         `json:"variant,omitempty"`       // e.g. Omicron
	Lineage        string         `json:"lineage,omitempty"`       // e.g. BA.1
	Hospital       string         `json:"hospital,omitempty"`
	Outcome        CaseOutcome    `json:"outcome,omitempty"`
	Origin         Origin         `json:"origin"`
	Jurisdiction   string         `json:"jurisdiction"`          // responsible for the case
	PositiveID     int64          `json:"positive_id,omitempty"` // the positive result it was opened from
	DetectedAt     time.Time      `json:"detected_at"`           // the positive result, or the opening by hand: the clocks start here
	ReportedAt     time.Time      `json:"reported_at"`           // online report: the case opened in cordon
	TrajectoryAt   time.Time      `json:"trajectory_at,omitzero"`
	InitialAt      time.Time      `json:"initial_report_at,omitzero"`
	Clocks         []Clock        `json:"clocks"`
	History        []CaseChange   `json:"history,omitempty"`
	Version        int            `json:"version"`
}

// CaseChange is one change of a case's classification, severity or
// outcome, kept as history.
type CaseChange struct {
	At       time.Time `json:"at"`
	Username string    `json:"username"`
	Field    string    `json:"field"`
	From     string    `json:"from"`
	To       string    `json:"to"`
}

// Clock is one of a case's reporting deadlines (RULES.md: online report
// within 2 h of the positive, activity trajectory within 4 h, initial
// investigation report within 24 h).
type Clock struct {
	Step    string    `json:"step"` // report, trajectory, initial_report
	Due     time.Time `json:"due"`
	DoneAt  time.Time `json:"done_at,omitzero"`
	Overdue bool      `json:"overdue"` // not done and past due, or done late
}

// Reporting clock limits.
const (
	ReportWithin        = 2 * time.Hour
	TrajectoryWithin    = 4 * time.Hour
	InitialReportWithin = 24 * time.Hour
)

// CaseClocks computes a case's reporting clocks at now.
func CaseClocks(c Case, now time.Time) []Clock {
	clock := func(step string, within time.Duration, done time.Time) Clock {
		k := Clock{Step: step, Due: c.DetectedAt.Add(within), DoneAt: done}
		k.Overdue = done.IsZero() && now.After(k.Due) || !done.IsZero() && done.After(k.Due)
		return k
	}
	return []Clock{
		clock("report", ReportWithin, c.ReportedAt),
		clock("trajectory", TrajectoryWithin, c.TrajectoryAt),
		clock("initial_report", InitialReportWithin, c.InitialAt),
	}
}

// CaseInput opens a case or replaces its clinical fields. A case opened
// from a positive result takes the person, the sampling date and the
// jurisdiction from it.
type CaseInput struct {
	PositiveID     int64          `json:"positive_id,omitempty"`
	PersonID       int64          `json:"person_id,omitempty"` // opened by hand: a registered person
	Classification Classification `json:"classification"`
	Severity       Severity       `json:"severity,omitempty"`
	OnsetDate      string         `json:"onset_date,omitempty"`
	SamplingDate   string         `json:"sampling_date,omitempty"`
	Variant        string         `json:"variant,omitempty"`
	Lineage        string         `json:"lineage,omitempty"`
	Hospital       string         `json:"hospital,omitempty"`
	Outcome        CaseOutcome    `json:"outcome,omitempty"`
	Origin         Origin         `json:"origin,omitempty"`       // local when empty
	Jurisdiction   string         `json:"jurisdiction,omitempty"` // the positive's area, or the person's current place, when empty
	// DetectedAt, for a case opened by hand, is when its positive was found
	// outside cordon: the clocks run from then (from the opening when zero).
	DetectedAt time.Time `json:"detected_at,omitzero"`
	Version    int       `json:"version,omitempty"` // the version read; required to update
}

// Validate normalises and checks the clinical fields; the app checks the
// person, the positive and the jurisdiction.
func (in *CaseInput) Validate(now time.Time) error {
	var v Invalid
	v.Code = "case.invalid"
	if !in.Classification.Valid() {
		v.Add("classification", "case.classification_invalid")
	}
	if in.Severity != "" {
		ok := false
		for _, s := range Severities {
			ok = ok || in.Severity == s
		}
		if !ok || in.Classification != Confirmed {
			v.Add("severity", "case.severity_invalid")
		}
	}
	date := func(field, s string) {
		if s == "" {
			return
		}
		d, err := time.ParseInLocation(time.DateOnly, s, ChinaTime)
		if err != nil || d.After(now) || d.Before(now.AddDate(-3, 0, 0)) {
			v.Add(field, "case.date_invalid")
		}
	}
	date("onset_date", in.OnsetDate)
	date("sampling_date", in.SamplingDate)
	if in.Classification == Asymptomatic && in.OnsetDate != "" {
		v.Add("onset_date", "case.onset_asymptomatic")
	}
	in.Variant, in.Lineage, in.Hospital = strings.TrimSpace(in.Variant), strings.TrimSpace(in.Lineage), strings.TrimSpace(in.Hospital)
	if utf8.RuneCountInString(in.Variant) > 40 || strings.ContainsAny(in.Variant, "<>\x00") {
		v.Add("variant", "case.variant_invalid")
	}
	for _, c := range in.Lineage {
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '.' || c == '-') {
			v.Add("lineage", "case.lineage_invalid")
			break
		}
	}
	if len(in.Lineage) > 40 {
		v.Add("lineage", "case.lineage_invalid")
	}
	if utf8.RuneCountInString(in.Hospital) > 100 || strings.ContainsAny(in.Hospital, "<>\x00") {
		v.Add("hospital", "case.hospital_invalid")
	}
	if in.Outcome != "" && in.Outcome != Recovered && in.Outcome != Deceased {
		v.Add("outcome", "case.outcome_invalid")
	}
	if in.Origin == "" {
		in.Origin = Local
	}
	if in.Origin != Local && in.Origin != Imported {
		v.Add("origin", "case.origin_invalid")
	}
	if in.Jurisdiction != "" {
		if _, ok := LevelOf(in.Jurisdiction); !ok {
			v.Add("jurisdiction", "jurisdiction.unknown")
		}
	}
	if !in.DetectedAt.IsZero() && (in.DetectedAt.After(now) || in.DetectedAt.Before(now.AddDate(0, 0, -30))) {
		v.Add("detected_at", "case.date_invalid")
	}
	return v.Err()
}

// CaseFilter selects cases.
type CaseFilter struct {
	Classification Classification
	After          int64 // cursor: cases with a smaller id
	Limit          int
}

// ChainNode is what the chain view shows of a case: no personal data.
type ChainNode struct {
	ID             int64          `json:"id"`
	Classification Classification `json:"classification"`
	Jurisdiction   string         `json:"jurisdiction"`
	DetectedAt     time.Time      `json:"detected_at"`
}
