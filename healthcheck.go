package cordon

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"math"
	"slices"
	"strings"
	"time"
)

// Daily health checks (每日健康监测): a temperature and the symptoms of a
// person under control, entered by site staff or a grid worker, or by the
// person through a signed link. A fever or a listed symptom raises an
// alert to the epidemiologists responsible for the person.

// CheckSymptom is one of the symptoms a health check asks about.
type CheckSymptom string

const (
	SymptomFever       CheckSymptom = "fever"               // 发热 (felt)
	SymptomCough       CheckSymptom = "cough"               // 咳嗽
	SymptomSoreThroat  CheckSymptom = "sore_throat"         // 咽痛
	SymptomFatigue     CheckSymptom = "fatigue"             // 乏力
	SymptomTasteSmell  CheckSymptom = "smell_taste"         // 嗅觉味觉减退
	SymptomRunnyNose   CheckSymptom = "runny_nose"          // 流涕
	SymptomDiarrhoea   CheckSymptom = "diarrhoea"           // 腹泻
	SymptomBreathShort CheckSymptom = "shortness_of_breath" // 呼吸困难
)

// CheckSymptoms lists the symptoms in the order forms offer them.
var CheckSymptoms = []CheckSymptom{SymptomFever, SymptomCough, SymptomSoreThroat, SymptomFatigue, SymptomTasteSmell,
	SymptomRunnyNose, SymptomDiarrhoea, SymptomBreathShort}

// CheckSource says who recorded a health check.
type CheckSource string

const (
	CheckByStaff CheckSource = "staff" // site staff
	CheckByGrid  CheckSource = "grid"  // a grid worker, for people at home
	CheckBySelf  CheckSource = "self"  // the person, through their link
)

// CheckSources lists the sources.
var CheckSources = []CheckSource{CheckByStaff, CheckByGrid, CheckBySelf}

// The range of temperatures a check accepts, in °C: outside it the
// reading is a typing or thermometer error, not a person.
const (
	MinTemperature = 34.0
	MaxTemperature = 43.0
)

// FeverTenths is the fever threshold, 37.3 °C, in tenths of a degree: the
// threshold of the national protocols for a fever to report.
const FeverTenths = 373

// HealthCheck is one check of a person on a day.
type HealthCheck struct {
	ID          int64          `json:"id"`
	PersonID    int64          `json:"person_id"`
	Day         string         `json:"day"` // YYYY-MM-DD, China time
	At          time.Time      `json:"at"`
	Temperature float64        `json:"temperature"` // °C, one decimal
	Symptoms    []CheckSymptom `json:"symptoms"`
	Other       string         `json:"other,omitempty"` // another symptom, as typed
	Source      CheckSource    `json:"source"`
	RecordedBy  string         `json:"recorded_by,omitempty"` // the account's username; none for a self-report
	// Jurisdiction is the one responsible for the person when the check
	// was recorded: their site's, else their contact record's, else
	// where they are.
	Jurisdiction string `json:"jurisdiction"`
	Alert        bool   `json:"alert"` // the check raised an alert
}

// HealthCheckInput records a check.
type HealthCheckInput struct {
	PersonID    int64          `json:"person_id"`
	Temperature float64        `json:"temperature"`
	Symptoms    []CheckSymptom `json:"symptoms,omitempty"`
	Other       string         `json:"other,omitempty"`
	Source      CheckSource    `json:"source,omitempty"`
	At          time.Time      `json:"at,omitzero"` // zero is now
}

// Validate normalises and checks a health check: the temperature rounded
// to one decimal and inside 34.0–43.0 °C, known symptoms each once.
func (in *HealthCheckInput) Validate() error {
	var v Invalid
	v.Code = "healthcheck.invalid"
	t := math.Round(in.Temperature*10) / 10
	if math.IsNaN(t) || t < MinTemperature || t > MaxTemperature {
		v.Add("temperature", "healthcheck.temperature_invalid")
	}
	in.Temperature = t
	var symptoms []CheckSymptom
	for _, s := range in.Symptoms {
		if !slices.Contains(CheckSymptoms, s) {
			v.Add("symptoms", "healthcheck.symptom_invalid")
			continue
		}
		if !slices.Contains(symptoms, s) {
			symptoms = append(symptoms, s)
		}
	}
	slices.SortFunc(symptoms, func(a, b CheckSymptom) int { return slices.Index(CheckSymptoms, a) - slices.Index(CheckSymptoms, b) })
	in.Symptoms = symptoms
	in.Other = strings.Join(strings.Fields(in.Other), " ")
	if !freeText(in.Other, 100) {
		v.Add("other", "healthcheck.other_invalid")
	}
	if in.Source != "" && !slices.Contains(CheckSources, in.Source) {
		v.Add("source", "healthcheck.source_invalid")
	}
	return v.Err()
}

// Tenths is the temperature in tenths of a degree, as stored and compared.
func Tenths(celsius float64) int { return int(math.Round(celsius * 10)) }

// AlertReasons are why a check raises an alert: "fever" when the
// temperature is 37.3 °C or more, and each listed symptom. Another symptom
// typed as text raises none by itself; it shows with the check.
func (c HealthCheck) AlertReasons() []string {
	var out []string
	if Tenths(c.Temperature) >= FeverTenths {
		out = append(out, "fever")
	}
	for _, s := range c.Symptoms {
		out = append(out, "symptom_"+string(s))
	}
	return out
}

// ChinaDay is the date of an instant in China time, as checks file it.
func ChinaDay(t time.Time) string { return t.In(ChinaTime).Format(time.DateOnly) }

// Alert tells the epidemiologists of a jurisdiction that a check found a
// fever or a symptom.
type Alert struct {
	ID           int64     `json:"id"`
	PersonID     int64     `json:"person_id"`
	Name         string    `json:"name"`
	IDNumber     string    `json:"id_number,omitempty"` // masked unless the reader may see it in full
	CheckID      int64     `json:"check_id"`
	Reasons      []string  `json:"reasons"` // fever, symptom_cough, ...
	Temperature  float64   `json:"temperature"`
	Other        string    `json:"other,omitempty"`
	Jurisdiction string    `json:"jurisdiction"`
	SiteName     string    `json:"site_name,omitempty"` // where the person stays, if at a site
	RoomNumber   string    `json:"room_number,omitempty"`
	At           time.Time `json:"at"`
	AckedBy      string    `json:"acknowledged_by,omitempty"`
	AckedAt      time.Time `json:"acknowledged_at,omitzero"`
}

// AlertFilter selects alerts.
type AlertFilter struct {
	Open   bool  // only those nobody acknowledged
	After  int64 // cursor: alerts with a smaller id
	Limit  int
	Person int64
}

// Self-report links. A person's link to report their own checks is
// /h/{token}: the person id and the last day the link works (a China day
// number), with an HMAC-SHA256 of both under a key of cordon's, truncated
// to 16 bytes; 28 bytes in unpadded base64url, 38 characters, short enough
// for a text message. Only cordon can make one; a changed character fails.

// CheckLinkDays is how long a self-report link works: longer than the
// longest centralised quarantine of the editions (14 days plus 7 at home).
const CheckLinkDays = 30

// SignCheckLink makes the self-report token of a person, working until the
// end of the China day of until.
func SignCheckLink(key []byte, personID int64, until time.Time) string {
	msg := make([]byte, 12, 28)
	binary.BigEndian.PutUint64(msg, uint64(personID))
	binary.BigEndian.PutUint32(msg[8:], uint32(ScanDay(until)))
	return base64.RawURLEncoding.EncodeToString(append(msg, checkLinkMAC(key, msg)...))
}

func checkLinkMAC(key, msg []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("cordon health check link\x00"))
	m.Write(msg)
	return m.Sum(nil)[:16]
}

// OpenCheckLink checks a self-report token and returns the person it names
// and the last day it works; a token past that day is expired.
func OpenCheckLink(key []byte, token string, now time.Time) (personID int64, until time.Time, err error) {
	bad := Errorf(KindNotFound, "healthcheck.link_invalid", "this is not a self-report link of cordon")
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(token))
	if err != nil || len(b) != 28 || !hmac.Equal(checkLinkMAC(key, b[:12]), b[12:]) {
		return 0, time.Time{}, bad
	}
	id := int64(binary.BigEndian.Uint64(b))
	day := int64(binary.BigEndian.Uint32(b[8:]))
	if id <= 0 {
		return 0, time.Time{}, bad
	}
	_, off := time.Unix(0, 0).In(ChinaTime).Zone()
	until = time.Unix(day*86400-int64(off), 0).In(ChinaTime)
	if ScanDay(now) > day {
		return id, until, Errorf(KindForbidden, "healthcheck.link_expired", "this self-report link expired on %s", until.Format(time.DateOnly))
	}
	return id, until, nil
}
